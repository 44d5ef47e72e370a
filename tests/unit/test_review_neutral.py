"""Nothing of the workflow names the embedded review's drug, conditions or instruments: what is
specific to a review lives in its protocol."""

import re

from prismaflow.config import load_yaml
from tests.conftest import ROOT


def review_specific_terms() -> tuple[set[str], set[str]]:
    """(names of the drug and of the conditions, in any case; instruments, as written: an
    acronym such as SALT is not the word "salt")."""
    extraction = load_yaml(ROOT / "config" / "config.yaml")["extraction"]
    names = set(extraction["intervention"]["names"])
    for conditions in extraction["conditions"].values():
        for condition, synonyms in conditions.items():
            names |= {condition, *synonyms}
    return names, set(extraction["outcome_measures"])


def whole_words(terms: set[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(terms))) + r")(?![\w-])", flags
    )


def test_the_workflow_names_no_drug_condition_or_instrument_of_the_embedded_review():
    names, instruments = review_specific_terms()
    assert {"ruxolitinib", "vitiligo"} <= names and "SALT" in instruments  # in the protocol
    patterns = [whole_words(names, re.IGNORECASE), whole_words(instruments)]
    files = [
        f
        for f in (ROOT / "workflow").rglob("*")
        if f.is_file() and "egg-info" not in str(f) and "__pycache__" not in f.parts
    ]
    found = [
        f"{f.relative_to(ROOT)}: {m.group(0)}"
        for f in files
        for pattern in patterns
        for m in pattern.finditer(f.read_text(encoding="utf-8", errors="replace"))
    ]
    assert len(files) > 80 and found == []
