"""A query's responses into its result, proved complete: every record the database reported
retrieved once, by its id, whether the responses just arrived or are replayed from a snapshot.

The proof is by ids, not counts: a result set that changed while it was paged can keep its size
and still lose one record and repeat another. PubMed lists the ids of each date window in its
ESearch reply, so what is missing or extra is named; Scopus does not, so each part's distinct
EIDs must equal its total and any repeated EID is named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from prismaflow.errors import ReconciliationError
from prismaflow.formats.esearch import parse_esearch
from prismaflow.formats.pubmed_xml import parse_pubmed_xml
from prismaflow.formats.scopus_json import parse_scopus_page
from prismaflow.search.results import QueryResult, RawResponse

WHOLE_SEARCH = "esearch.xml"  # PubMed's ESearch of the whole query, always the first response
PROBE = "probe.json"  # Scopus's first page of the whole query when it is split into parts
SHOWN = 20  # ids quoted in a message


def _quoted(ids: Iterable[str]) -> str:
    ids = sorted(ids)
    more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
    return ", ".join(ids[:SHOWN]) + more


def _repeated(ids: Sequence[str]) -> list[str]:
    return [i for i, n in Counter(ids).items() if n > 1]


def pubmed_window(name: str) -> str:
    """The date window a PubMed response belongs to ('' when the query was not split):
    esearch_<window>.xml and efetch_<window>_<retstart>.xml, or efetch_<retstart>.xml."""
    stem = name.removesuffix(".xml").split("_", 1)[1] if "_" in name else ""
    return stem if name.startswith("esearch") else stem.rpartition("_")[0]


def pubmed_result(
    query_id: str, query: str, responses: Sequence[RawResponse], datetype: str = "pdat"
) -> QueryResult:
    whole = parse_esearch(responses[0].data, f"pubmed/{query_id}/{responses[0].name}")
    windows = {
        pubmed_window(r.name): parse_esearch(r.data, f"pubmed/{query_id}/{r.name}")
        for r in responses[1:]
        if r.name.startswith("esearch")
    } or {"": whole}
    result = QueryResult(
        "pubmed", query_id, query, whole.query_translation, whole.count, responses=list(responses)
    )
    fetched: dict[str, list[str]] = {key: [] for key in windows}
    kept: set[str] = set()
    for response in responses:
        if response.name.startswith("esearch"):
            continue
        key = pubmed_window(response.name)
        if key not in windows:
            raise ReconciliationError(
                f"pubmed query '{query_id}': {response.name} belongs to no date window searched"
            )
        for record in parse_pubmed_xml(response.data, f"pubmed/{query_id}/{response.name}"):
            fetched[key].append(record["pmid"])
            if record["pmid"] not in kept:  # a window split within a year may overlap its twin
                kept.add(record["pmid"])
                result.records.append({**record, "raw_sha256": response.sha256})
    problems = []
    for key, esearch in windows.items():
        where = f"window {key}" if key else "the query"
        got, listed = fetched[key], set(esearch.ids)
        if repeated := _repeated(got):
            problems.append(f"{where} returned PMIDs more than once: {_quoted(repeated)}")
        if missing := listed - set(got):
            problems.append(
                f"ESearch listed PMIDs for {where} that EFetch did not return: {_quoted(missing)}"
            )
        complete = len(esearch.ids) == esearch.count
        if complete and (extra := set(got) - listed):
            problems.append(
                f"EFetch returned PMIDs ESearch did not list for {where}: {_quoted(extra)}"
            )
        if not complete and len(set(got)) != esearch.count:
            problems.append(
                f"{where} holds {esearch.count} records but {len(set(got))} "
                "distinct ones were fetched"
            )
    if problems:
        raise ReconciliationError(
            f"pubmed query '{query_id}': " + "; ".join(problems) + ": the result set changed "
            "while it was fetched; run the search again"
        )
    if len(kept) != whole.count:
        raise ReconciliationError(_window_gap(query_id, whole.count, len(kept), datetype))
    return result


def _window_gap(query_id: str, reported: int, held: int, datetype: str) -> str:
    if held < reported:
        return (
            f"pubmed query '{query_id}': PubMed reported {reported} records but its date windows "
            f"hold {held} ({reported - held} fewer): records whose {datetype} date PubMed cannot "
            "place inside a window cannot be paged to once the query passes 10,000 records; "
            "narrow the query below 10,000 records, or search by another `datetype`"
        )
    return (
        f"pubmed query '{query_id}': PubMed reported {reported} records but its date windows "
        f"hold {held} distinct ones ({held - reported} more): the result set grew while the "
        "search was split; run the search again"
    )


def scopus_part(name: str) -> str:
    """The part of a split Scopus search a page belongs to ('' when not split)."""
    return name.split("page_")[0]


def scopus_result(query_id: str, query: str, responses: Sequence[RawResponse]) -> QueryResult:
    """Pages of one result set, or, for a query split into parts (<part>page_*.json after a
    probe.json of the whole), pages of each part, whose totals add up to the whole's."""
    pages = {r.name: parse_scopus_page(r.data, f"scopus/{query_id}/{r.name}") for r in responses}
    groups: dict[str, list[tuple[RawResponse, Any]]] = {}
    for response in responses:
        if response.name != PROBE:
            groups.setdefault(scopus_part(response.name), []).append(
                (response, pages[response.name])
            )
    whole = pages.get(PROBE) or pages[responses[0].name]
    result = QueryResult(
        "scopus", query_id, query, whole.query, whole.total_results, responses=list(responses)
    )
    problems, held = [], 0
    for part, members in groups.items():
        where = f"part {part.rstrip('_')}" if part else "the query"
        totals = {page.total_results for _, page in members}
        if len(totals) != 1:
            problems.append(f"pages of {where} report different totals {sorted(totals)}")
            continue
        eids = [r["scopus_eid"] for _, page in members for r in page.records]
        if repeated := _repeated(eids):
            problems.append(f"{where} returned EIDs more than once: {_quoted(repeated)}")
        total = totals.pop()
        if len(set(eids)) != total:
            problems.append(
                f"{where} holds {total} records but {len(set(eids))} distinct ones were retrieved"
            )
        held += total
        for response, page in members:
            result.records.extend({**r, "raw_sha256": response.sha256} for r in page.records)
    if problems:
        raise ReconciliationError(
            f"scopus query '{query_id}': " + "; ".join(problems) + ": the result set changed "
            "while it was paged; run the search again"
        )
    if held != whole.total_results:
        raise ReconciliationError(
            f"scopus query '{query_id}': Scopus reported {whole.total_results} records but its "
            f"parts hold {held} ({abs(held - whole.total_results)} "
            f"{'fewer' if held < whole.total_results else 'more'}): the result set changed "
            "while the search was split; run the search again"
        )
    return result


# Each source's assembler: a live search and its snapshot replay use the same one.
ASSEMBLERS: Mapping[str, Any] = {"pubmed": pubmed_result, "scopus": scopus_result}
