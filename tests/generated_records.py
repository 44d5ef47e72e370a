"""Generated bibliographic records for property tests: every field a format carries, with what
makes formats trip."""

from hypothesis import strategies as st

# Every field a format carries, with what makes formats trip: LaTeX's specials, commas in
# names and keywords, non-Latin scripts (any letter category), entities' ampersands.
text_of = st.characters(whitelist_categories=("L", "N"), whitelist_characters=" .,:()&%$#_'?/~-`")
phrase = (
    st.text(alphabet=text_of, min_size=1, max_size=40)
    .map(lambda s: " ".join(s.split()))
    .filter(lambda s: s and s[0].isalnum())
)
name = st.builds(
    lambda family, given: f"{family}, {given}",
    phrase.filter(lambda s: "," not in s and " and " not in s),
    phrase.filter(lambda s: "," not in s and " and " not in s),
)
LANGUAGES = ["eng", "fre", "ger", "spa", "jpn"]
TYPES = ["Journal Article", "Book", "Book Chapter", "Thesis", "Conference Paper", "Report"]
full_record = st.fixed_dictionaries(
    {
        "title": phrase,
        "authors": st.lists(name, min_size=1, max_size=4),
        "year": st.integers(1900, 2030),
        "journal": phrase,
        "volume": st.integers(1, 999).map(str),
        "issue": st.integers(1, 99).map(str),
        "pages": st.tuples(st.integers(1, 500), st.integers(501, 999)).map("{0[0]}-{0[1]}".format),
        "doi": st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.\-]{1,20}[a-z0-9]", fullmatch=True),
        "pmid": st.integers(1, 40_000_000).map(str),
        "abstract": phrase,
        "keywords": st.lists(
            phrase.filter(lambda s: ";" not in s), min_size=1, max_size=3, unique=True
        ),
        "language": st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True),
        "publication_types": st.sampled_from(TYPES).map(lambda t: [t]),
    }
)
