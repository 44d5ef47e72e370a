"""prismaflow's exports read by ASReview LAB's own loader, as a team moving screening there would
read them: every field ASReview keeps arrives whole. ASReview is a benchmark-only dependency, so
this runs in the benchmark environment
(`pip install -c envs/requirements.lock -e '.[benchmark]'`)."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from pandas._libs.parsers import STR_NA_VALUES

from prismaflow.formats.exporter import export_records
from prismaflow.records import records_table
from tests.generated_records import full_record

loader = pytest.importorskip(
    "asreview.data.loader",
    reason="ASReview is in the benchmark environment only: pip install -e '.[benchmark]'",
)
# Importing ASReview imports synergy-dataset, which patches requests to cache every response
# of the process; the live-search tests sharing this worker must reach their server.
pytest.importorskip("requests_cache").uninstall_cache()

# The fields ASReview's Record keeps, by ASReview's name and prismaflow's.
ASREVIEW_FIELDS = ("title", "abstract", "authors", "keywords", "year", "doi")
ORDINARY = {
    "record_id": "x:0",
    "source": "x",
    "source_id": "0",
    "title": "An ordinary record",
    "authors": ["Smith, Jane"],
    "abstract": "Words.",
    "keywords": ["words"],
}


@pytest.mark.parametrize(("suffix", "fmt"), [(".ris", "ris"), (".csv", "csv"), (".xlsx", "xlsx")])
@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=full_record)
def test_asreview_reads_every_field_it_keeps(tmp_path, suffix, fmt, record):
    # pandas, under ASReview's readers, takes "NA", "NULL", "None"... for a missing value.
    assume(not {record["title"], record["abstract"], *record["keywords"]} & STR_NA_VALUES)
    full = {"record_id": "x:1", "source": "x", "source_id": "1", **record}
    path = tmp_path / f"export{suffix}"
    # An export holds many records: pandas, under ASReview's CSV reader, takes a column holding
    # digits alone for integers (and then refuses them), which no real export's column is.
    export_records(records_table([ORDINARY, full]), path, fmt)
    _, read = loader.load_records(str(path), dataset_id="export")
    expected = records_table([full]).to_pylist()[0]
    assert {k: getattr(read, k) for k in ASREVIEW_FIELDS} == {
        k: expected[k] for k in ASREVIEW_FIELDS
    }
