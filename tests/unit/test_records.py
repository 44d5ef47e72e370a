import pytest

from prismaflow.identifiers import normalise_doi, normalise_pmid
from prismaflow.records import RECORD_SCHEMA, clean_value, record_id, records_table


def test_blank_strings_and_list_items_become_null():
    assert clean_value("  ") is None
    assert clean_value(" a  b ") == "a b"
    assert clean_value(["", "x", None]) == ["x"]
    assert clean_value([" ", None]) is None


def test_records_table_uses_the_canonical_schema_and_nulls():
    table = records_table(
        [
            {
                "record_id": "pubmed:1",
                "source": "pubmed",
                "source_id": "1",
                "doi": "",
                "authors": ["Smith J", ""],
                "year": 2020,
            }
        ]
    )
    assert table.schema == RECORD_SCHEMA
    row = table.to_pylist()[0]
    assert row["doi"] is None
    assert row["authors"] == ["Smith J"]
    assert row["title"] is None


def test_records_table_rejects_fields_outside_the_schema():
    with pytest.raises(ValueError, match="colour"):
        records_table([{"record_id": "x", "source": "s", "source_id": "1", "colour": "red"}])


def test_records_table_refuses_a_record_without_id():
    with pytest.raises(ValueError, match="record number 1 has no record_id"):
        records_table([{"source": "pubmed", "source_id": "1"}])


def test_record_id_is_source_and_source_id():
    assert record_id("scopus", "2-s2.0-1") == "scopus:2-s2.0-1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1111/EXD.70095", "10.1111/exd.70095"),
        ("https://doi.org/10.1111/exd.70095", "10.1111/exd.70095"),
        ("http://dx.doi.org/10.1/abc", None),  # registrant code too short to be a DOI
        ("doi: 10.1016/j.jaad.2011.12.018.", "10.1016/j.jaad.2011.12.018"),
        ("not a doi", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_doi(raw, expected):
    assert normalise_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("0012345", "12345"), (42, "42"), ("x1", None), ("0", None), (None, None)]
)
def test_normalise_pmid(raw, expected):
    assert normalise_pmid(raw) == expected


@pytest.mark.parametrize(
    ("field", "value", "shape"),
    [("language", "eng", "a list"), ("authors", "Roe, J", "a list"), ("title", ["A"], "one value")],
)
def test_a_value_of_the_wrong_shape_is_refused_not_split(field, value, shape):
    """A string where the schema holds a list would become its characters ('e', 'n', 'g')."""
    row = {"record_id": "x:1", "source": "x", "source_id": "1", field: value}
    with pytest.raises(ValueError, match=f"record number 1: {field} must be {shape}"):
        records_table([row])
