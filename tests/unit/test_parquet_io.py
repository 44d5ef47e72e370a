"""Artifacts carry the hash of their content: a table read back as written passes, a value
changed by hand or a file cut short is named with the command that rebuilds it."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prismaflow.errors import InputFileError
from prismaflow.parquet_io import content_sha256, read_frame, write_artifact

FRAME = pd.DataFrame(
    {
        "record_id": ["a", "b", "c"],
        "year": [2020, None, 2022],
        "authors": [["Roe J"], [], ["Doe A", "Poe B"]],
        "described": [[{"field": "x", "values": ["1"]}], [], []],
    }
)


def test_a_table_read_back_has_the_content_it_was_written_with(tmp_path):
    path = tmp_path / "t.parquet"
    write_artifact(FRAME, path, rule="make_t")
    assert read_frame(path)["record_id"].tolist() == ["a", "b", "c"]
    rechunked = pa.concat_tables([pq.read_table(path).slice(0, 1), pq.read_table(path).slice(1)])
    assert content_sha256(rechunked) == content_sha256(pq.read_table(path))


def test_a_value_changed_by_hand_is_named_with_its_rule_and_the_fix(tmp_path):
    path = tmp_path / "t.parquet"
    write_artifact(FRAME, path, rule="make_t")
    table = pq.read_table(path)
    frame = table.to_pandas()
    frame.loc[1, "record_id"] = "z"
    forged = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
    pq.write_table(forged.replace_schema_metadata(table.schema.metadata), path)
    with pytest.raises(InputFileError) as error:
        read_frame(path)
    assert f"{path}: its content is not what rule make_t wrote" in str(error.value)
    assert f"snakemake --cores 2 --forcerun {path}" in str(error.value)


def test_a_file_cut_short_is_named_not_a_pyarrow_error(tmp_path):
    path = tmp_path / "t.parquet"
    write_artifact(FRAME, path, rule="make_t")
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(InputFileError, match="not a readable Parquet table"):
        read_frame(path)
    with pytest.raises(FileNotFoundError):
        read_frame(tmp_path / "absent.parquet")
