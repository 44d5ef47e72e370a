"""The matching rules one by one: what links, and what is kept apart and why."""

import pytest

from prismaflow.dedupe.apart import keep_apart
from prismaflow.dedupe.compare import compare, comparison_keys
from prismaflow.dedupe.normalise import (
    NOTE_OPENINGS,
    TRAILING_NOTES,
    first_page,
    fold,
    journal_words,
    journals_compatible,
    normalise_title,
    registrations,
    surname_key,
    volume_number,
)
from prismaflow.records import records_table

TITLE = "Topical ruxolitinib in the treatment of necrobiosis lipoidica: an open-label study"
BASE = {
    "year": 2024,
    "authors": ["Hwang J"],
    "journal": "J Invest Dermatol",
    "volume": "144",
    "pages": "1994-1997",
}


def keys(**fields):
    record = {"record_id": "r", "source": "s", "source_id": "1", **BASE, **fields}
    return comparison_keys(records_table([record]).to_pandas()).to_dict("records")[0]


def verdict(a, b):
    return compare(keys(**a), keys(**b), year_tolerance=1, min_title_length=30)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (TITLE + ".", TITLE.upper().replace(": ", " - ")),
        ("Effets du <i>ruxolitinib</i> &amp; vitiligo", "Effets du ruxolitinib & vitiligo"),
        ("Réponse à la crème", "Reponse a la creme"),
        ("Ca<sup>2+</sup> handling in smooth muscle", "Ca2+ handling in smooth muscle"),
        (TITLE + ".[Erratum appears in Chest 1993 May;103(5):1640]", TITLE),
        (TITLE + ".[Erratum appears in J Pediatr Surg. 2009 Sep;44(9):1865 Note: Riv", TITLE),
        ("Carboplatin [corrected] with cetuximab", "Carboplatin with cetuximab"),
        (TITLE + " <ORIGINAL> NEOADJUVANTE CHEMOTHERAPIE", TITLE),
        ("[Treatment of malignant pleural exudates]", "Treatment of malignant pleural exudates"),
        ("Treatment of exudates [Article in Chinese]", "Treatment of exudates"),
    ],
)
def test_title_normalisation_removes_what_does_not_make_another_study(a, b):
    assert normalise_title(a) == normalise_title(b)


# One title per note form of NOTE_OPENINGS, as MEDLINE, Ovid and Embase write them.
NOTED = {
    "erratum": TITLE + ". [Erratum appears in Lancet. 2001;357:1800]",
    "correction": TITLE + " [corrected]",
    "note": TITLE + " [Note: this article was withdrawn at the authors' request]",
    "comment": TITLE + " [Comment on: N Engl J Med. 2003;348:2100]",
    "retraction": TITLE + " [Retraction in: J Clin Oncol. 2010;28:3]",
    "expression_of_concern": TITLE + " [Expression of Concern in: BMJ. 2019;365:l1]",
    "review": TITLE + " [Review]",
    "references": TITLE + " [43 refs]",
    "abstract": TITLE + " [abstract no: 134]",
}


def test_every_note_form_has_its_example():
    assert set(NOTED) == set(NOTE_OPENINGS)


@pytest.mark.parametrize("form", sorted(NOTED))
def test_each_note_form_is_stripped(form):
    assert normalise_title(NOTED[form]) == normalise_title(TITLE)


# One title per trailing form of TRAILING_NOTES, as exports leave them.
TRAILED = {
    "appended_citation": [
        TITLE + ". J Invest Dermatol 2024;144:1994-7.",
        TITLE + ". J Invest Dermatol. 2024 Sep;144(9):1994-1997",
        TITLE + " (Br J Dermatol 2019; 181: e45-52)",
    ],
    "footnote_mark": [
        TITLE + ".1",
        TITLE + "*",
        TITLE + "\u2020",
        TITLE + "<sup>a</sup>",
    ],
}


def test_every_trailing_form_has_its_examples():
    assert set(TRAILED) == set(TRAILING_NOTES)


@pytest.mark.parametrize(("form", "title"), [(f, t) for f, ts in TRAILED.items() for t in ts])
def test_each_trailing_form_is_stripped_and_the_pair_links(form, title):
    assert normalise_title(title) == normalise_title(TITLE)
    assert verdict({"title": title}, {"title": TITLE}).rule == "title"


@pytest.mark.parametrize(
    "title",
    [
        "Ruxolitinib in alopecia areata: results at week 24",
        "Outcomes of tofacitinib 5 mg vs 10 mg",
        "Interleukin-6 and BRCA1",
        "Janus kinase inhibitors in 2024: a review of phase 3",
        "Proceedings of the dermatology congress, Vol. 2",
        "Treatment of psoriasis (part I). 2",
    ],
)
def test_numbers_that_end_a_title_stay(title):
    assert normalise_title(title) == fold(title)


def test_notes_that_hold_brackets_and_numbers_are_stripped_whole():
    """MEDLINE's "[Review] [43 refs]" kept the numbers 43 in the title, so the rule for titles
    with different numbers kept the pair apart; an erratum note holding "[added]" was never
    stripped, since no note was innermost."""
    assert normalise_title(TITLE + ". [Review] [43 refs]") == normalise_title(TITLE)
    nested = TITLE + " [Erratum appears in Pediatrics. 2005;116:1;Note: Small, Sarah K [added]]"
    assert normalise_title(nested) == normalise_title(TITLE)
    assert verdict({"title": TITLE + ". [Review] [43 refs]"}, {"title": TITLE}).rule == "title"
    # A bracket that is part of the title stays.
    assert "5 year" in normalise_title("Outcome at [5 year] follow-up of a cohort")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("von Pawel J", "Pawel J"),
        ("Van Schil P", "Schil P"),
        ("Sørensen P G", "Sorensen P G"),
        ("Abdel Aziz A M", "Aziz A M"),
        ("Müller Anna", "Muller A"),
    ],
)
def test_surnames_agree_across_particles_and_letters(a, b):
    assert surname_key(a) == surname_key(b)


def test_page_volume_and_journal_keys():
    assert first_page("221-8") == first_page("221-228") == first_page("e221") == "221"
    assert first_page("JC6-9") == "6" and first_page(None) is None
    assert volume_number("38 (Supplement 1)") == volume_number("38") == "38"
    assert journals_compatible(
        journal_words("J Invest Dermatol"), journal_words("Journal of Investigative Dermatology")
    )
    assert journals_compatible(
        journal_words("N Engl J Med"), journal_words("The New England Journal of Medicine")
    )
    assert journals_compatible(
        journal_words(
            "Clinical Medicine Insights: Circulatory, Respiratory and Pulmonary Medicine"
        ),
        journal_words("Clin Med Insights Circ Respir Pulm Med"),
    )
    assert not journals_compatible(
        journal_words("Annals of Internal Medicine"), journal_words("ACP Journal Club")
    )


@pytest.mark.parametrize(
    ("article", "other", "reason"),
    [
        (TITLE, "Erratum: " + TITLE, "notice_vs_article"),
        (TITLE, "Correction to: " + TITLE, "notice_vs_article"),
        (TITLE, "Retraction notice: " + TITLE, "notice_vs_article"),
        (TITLE, "Reply to: " + TITLE, "notice_vs_article"),
        (TITLE, "Comment on: " + TITLE, "notice_vs_article"),
        (
            "Ruxolitinib for lichen planus: results",
            "Ruxolitinib for lichen planus: study protocol",
            "notice_vs_article",
        ),
        (TITLE + ". Part 1", TITLE + ". Part 2", "series_part"),
        (TITLE + ". Part I", TITLE + ". Part II", "series_part"),
        (
            "Outcomes of 2010 to 2015 in the registry",
            "Outcomes of 2010 to 2018 in the registry",
            "different_numbers",
        ),
    ],
)
def test_keep_apart_rules(article, other, reason):
    assert keep_apart(normalise_title(article), normalise_title(other)) == reason
    assert verdict({"title": article}, {"title": other}).reason == reason


def test_numbers_found_inside_a_word_do_not_keep_apart():
    assert (
        keep_apart(
            normalise_title("integrin (alpha)v(beta)3 in melanoma"),
            normalise_title("integrin alphavbeta3 in melanoma"),
        )
        is None
    )


def test_a_conference_abstract_and_its_article_stay_apart():
    result = verdict(
        {"title": TITLE, "pages": "S212", "volume": "143"},
        {"title": TITLE, "pages": "1994-1997", "volume": "144"},
    )
    assert result.rule is None and result.reason == "different_pages"


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ({"doi": "10.1000/a"}, {"doi": "10.1000/b"}, "different_doi"),
        ({"pmid": "1"}, {"pmid": "2"}, "different_pmid"),
        ({"pmcid": "PMC1"}, {"pmcid": "PMC2"}, "different_pmcid"),
        ({"scopus_eid": "2-s2.0-1"}, {"scopus_eid": "2-s2.0-2"}, "different_scopus_eid"),
        ({"year": 2024}, {"year": 2021}, "years_apart"),
        ({"authors": ["Hwang J"]}, {"authors": ["Okafor C"]}, "different_first_author"),
        ({"pages": None, "volume": "1"}, {"pages": None, "volume": "2"}, "different_volume"),
    ],
)
def test_conflicting_fields_keep_identical_titles_apart(a, b, reason):
    assert verdict({"title": TITLE, **a}, {"title": TITLE, **b}).reason == reason


def test_garbled_volume_does_not_outweigh_agreeing_pages():
    assert verdict({"title": TITLE, "volume": "1)"}, {"title": TITLE, "volume": "144"}).rule == (
        "title"
    )


def test_rules_that_link():
    assert verdict({"title": TITLE}, {"title": TITLE.upper(), "year": 2023}).rule == "title"
    assert verdict({"title": TITLE}, {"title": TITLE.replace("treatment", "therapy")}).rule == (
        "title_pages"
    )
    assert (
        verdict({"title": TITLE}, {"title": TITLE + ": a bilingual subtitle appended here"}).rule
        == "title_contained"
    )


def test_short_titles_link_only_when_every_field_is_identical():
    short = {"title": "Empyema thoracis", "pages": None}
    assert verdict(short, short).rule == "short_title_all_fields"
    assert verdict(short, {**short, "authors": ["Okafor C"]}).rule is None
    assert verdict(short, {**short, "volume": None}).reason == "title_too_short"


def test_pages_that_disagree_are_overruled_only_by_everything_else():
    a = {"title": TITLE, "pages": "678-684", "authors": ["David K", "Mongan N"]}
    b = {**a, "pages": "676-682"}
    assert verdict(a, b).rule == "all_but_pages"
    assert verdict(a, {**b, "journal": "ACP Journal Club"}).reason == "different_pages"
    assert verdict(a, {**b, "authors": ["David K"]}).reason == "different_pages"


def test_a_recurring_column_in_two_issues_without_pages_is_kept_apart():
    """The false merges of "Editor's comments": one title, author, year and volume in every
    issue, no pages, only the issue differs."""
    column = {"title": "Editor's comments on the state of respiratory care", "pages": None}
    apart = verdict({**column, "issue": "3"}, {**column, "issue": "4"})
    assert (apart.rule, apart.reason) == (None, "different_issue")
    assert verdict({**column, "issue": "3"}, {**column, "issue": "No. 3"}).rule == "title"
    # With pages, or with an export's record number in the issue field, the issue decides nothing.
    paged = verdict({"title": TITLE, "issue": "3"}, {"title": TITLE, "issue": "4"})
    assert paged.rule == "title"
    assert verdict({**column, "issue": "1112"}, {**column, "issue": "1113"}).rule == "title"


def test_first_authors_with_family_and_given_names_swapped_agree():
    swapped = verdict(
        {"title": TITLE, "authors": ["Wu, Ching-yi", "Lee, A"]},
        {"title": TITLE, "authors": ["Ching-yi, Wu"]},
    )
    assert swapped.rule == "title"
    other = verdict(
        {"title": TITLE, "authors": ["Wu, Ching-yi"]}, {"title": TITLE, "authors": ["Zhang, Wei"]}
    )
    assert other.reason == "different_first_author"


def test_a_garbled_first_author_agrees_when_every_co_author_is_the_same():
    garbled = {"title": TITLE, "authors": ["Xi, L F", "Wang, Y", "Chen, H"]}
    right = {"title": TITLE, "authors": ["Long, F X", "Wang, Y", "Chen, H"]}
    assert verdict(garbled, right).rule == "title"
    assert (
        verdict(
            {**garbled, "authors": ["Xi, L F", "Wang, Y"]},
            {**right, "authors": ["Long, F X", "Wang, Y"]},
        ).reason
        == "different_first_author"
    )  # one co-author is too little to vouch
    assert verdict(garbled, {**right, "authors": ["Long, F X", "Chen, H", "Wang, Y"]}).reason == (
        "different_first_author"
    )


def test_the_same_authors_in_another_order_agree_but_a_different_team_does_not():
    one = {"title": TITLE, "authors": ["Hwang J", "Kechter JA", "Lee B"]}
    reordered = {"title": TITLE, "authors": ["Kechter JA", "Hwang J", "Lee B"]}
    assert verdict(one, reordered).rule == "title"
    other = {"title": TITLE, "authors": ["Kechter JA", "Hwang J", "Park C"]}
    assert verdict(one, other).reason == "different_first_author"


def test_a_translated_title_in_the_same_volume_and_pages_is_one_article():
    """MEDLINE brackets the English of a French title; Embase keeps the French."""
    place = {"year": 1994, "volume": "13", "pages": "280-4", "journal": "Ann Fr Anesth Reanim"}
    english = {**place, "title": "[Comparison of amoxicillin and cefamandole in bronchial surgery]"}
    french = {**place, "pages": "280-284", "title": "Antibioprophylaxie en chirurgie pulmonaire"}
    assert verdict(english, french).rule == "same_place"
    # A single page locates nothing (conference abstracts share it), nor do other pages.
    assert verdict({**english, "pages": "280"}, {**french, "pages": "280"}).rule is None
    assert verdict(english, {**french, "pages": "280-290"}).rule is None


def test_one_abstract_at_two_meetings_is_kept_apart_but_a_translated_journal_name_is_not():
    """A venue neither name abbreviates keeps two records apart, unless the same volume and
    page place both in one journal whatever it is called."""
    abstract = {"title": TITLE, "pages": None, "volume": None, "journal": "J Clin Oncol"}
    elsewhere = {**abstract, "journal": "Annals of Oncology"}
    assert verdict(abstract, elsewhere).reason == "different_venue"
    assert verdict(abstract, {**abstract, "journal": "Journal of Clinical Oncology"}).rule == (
        "title"
    )
    assert verdict(abstract, {**abstract, "journal": None}).rule == "title"
    translated = {
        "title": TITLE,
        "journal": "Zhonghua jie he he hu xi za zhi",
        "volume": "25",
        "pages": "595-7",
    }
    english = {
        "title": TITLE,
        "journal": "Chinese Journal of Tuberculosis & Respiratory Diseases",
        "volume": "25",
        "pages": "595-597",
    }
    assert verdict(translated, english).rule == "title"
    assert verdict(translated, {**english, "volume": "26"}).reason in (
        "different_volume",
        "different_venue",
    )


def test_two_dois_join_only_records_identical_in_everything_else():
    """One abstract printed in two journals' supplements (ASySD's one miss): a DOI each, every
    other field the same. Anything less, or two versions of one DOI, stays apart."""
    same = {
        "title": TITLE,
        "authors": ["Hansen F", "Hansen G", "Vrang N"],
        "pages": "e24",
        "doi": "10.1016/j.regpep.2012.05.039",
    }
    other = {**same, "doi": "10.1016/j.appet.2012.05.003"}
    assert verdict(same, other).rule == "all_but_doi"
    for changed in (
        {"pages": "e25"},
        {"pages": None},
        {"authors": ["Hansen F", "Vrang N"]},
        {"year": 2023},
        {"journal": "Regul Pept"},
        {"title": TITLE + " in mice"},
    ):
        assert verdict(same, {**other, **changed}).reason == "different_doi", changed
    update = {**same, "doi": "10.1002/14651858.CD006828.pub2"}
    assert verdict(update, {**same, "doi": "10.1002/14651858.CD006828.pub3"}).reason == (
        "different_doi"
    )
    preprint = {**same, "doi": "10.1101/2020.01.01.123456v1"}
    assert verdict(preprint, {**same, "doi": "10.1101/2020.01.01.123456v2"}).reason == (
        "different_doi"
    )


def test_two_trials_registered_apart_stay_apart_whatever_their_entries_say():
    """Registry entries of one sponsor's trials share a title, authors and year."""
    entry = {"title": TITLE, "abstract": "Registered at ClinicalTrials.gov (NCT01234567)."}
    other = {**entry, "abstract": "Trial registration: NCT07654321"}
    assert verdict(entry, other).reason == "different_registration"
    report = {**entry, "abstract": "A phase 3 trial (nct01234567; EudraCT 2012-001234-56)."}
    assert verdict(entry, report).rule == "title"  # one registration in common
    assert verdict(entry, {**entry, "abstract": None}).rule == "title"
    assert registrations("EUCTR2012-001234-56-GB", "ISRCTN12345678 and ACTRN12612000123456") == {
        "2012-001234-56",
        "ISRCTN12345678",
        "ACTRN12612000123456",
    }
