"""Fuzzing the importers: random bytes and random mutations of a real export of each format,
read as that format and as detected, give records or prismaflow's own error, never another
exception. The CI run tries a few dozen cases per format; `benchmarks/fuzz_import.py` runs
thousands and prints the figures, with the peak memory of a case."""

import contextlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prismaflow.errors import PrismaflowError
from prismaflow.formats.importer import import_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# One real (small) export per format, written for the project or recorded from an API.
SEEDS = {
    "ris": FIXTURES / "formats" / "zotero.ris",
    "medline": FIXTURES / "formats" / "pubmed.nbib",
    "bibtex": FIXTURES / "formats" / "zotero.bib",
    "pubmed_xml": next((FIXTURES / "pubmed").glob("*.xml")),
    "endnote_xml": FIXTURES / "formats" / "endnote.xml",
    "scopus_csv": FIXTURES / "formats" / "scopus_2023.csv",
    "wos_tab": FIXTURES / "formats" / "wos.txt",
    "wos_plain": FIXTURES / "formats" / "wos_plain.txt",
    "csv": FIXTURES / "formats" / "scopus_2020.csv",
    "api_json": FIXTURES / "formats" / "openalex.json",
    "table": FIXTURES / "formats" / "own_table.tsv",
}
EXAMPLES = int(os.environ.get("PRISMAFLOW_FUZZ_EXAMPLES", "25"))
# The CI run repeats the same cases; a benchmark run draws new ones each time.
FIXED = os.environ.get("PRISMAFLOW_FUZZ_RANDOM") is None


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """The seed with a few random edits: bytes flipped, a span cut, a chunk inserted, a line
    repeated, or the file cut short."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "repeat":
            end = data.find(b"\n", at)
            data[at:at] = data[at : end if end > at else at + 40] * draw(st.integers(1, 5))
        else:
            del data[at:]
    return bytes(data)


TALLY = os.environ.get("PRISMAFLOW_FUZZ_TALLY")  # the benchmark's count of cases and outcomes


def read_or_refuse(path: Path, data: bytes, fmt: str | None, seed: str = "bytes") -> None:
    path.write_bytes(data)
    outcome = "refused"
    # The package's own error is a message for the user, without a traceback: any other
    # exception fails the test.
    with contextlib.suppress(PrismaflowError):
        import_file(path, fmt)
        outcome = "read"
    if TALLY:
        with open(TALLY, "a", encoding="utf-8") as tally:
            tally.write(f"{seed}\t{outcome}\n")


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_mutated_exports_give_records_or_prismaflows_error(fmt, tmp_path_factory):
    seed = SEEDS[fmt].read_bytes()
    path = tmp_path_factory.mktemp("fuzz") / f"export{SEEDS[fmt].suffix}"

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=FIXED,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=mutated(seed), forced=st.booleans())
    def check(data: bytes, forced: bool) -> None:
        read_or_refuse(path, data, fmt if forced else None, fmt)

    check()


@settings(max_examples=EXAMPLES * 2, deadline=None, derandomize=FIXED)
@given(data=st.binary(max_size=2048), fmt=st.sampled_from([None, *sorted(SEEDS)]))
def test_random_bytes_give_prismaflows_error(data, fmt, tmp_path_factory):
    read_or_refuse(tmp_path_factory.mktemp("bytes") / "export.txt", data, fmt)
