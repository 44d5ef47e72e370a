"""The extraction and risk-of-bias forms of the app: what a reviewer sees pre-filled, what they
may save, and what the adjudicator settles, all written to the sheets the workflow reads
(`config/extraction/<reviewer>.csv`, `config/risk_of_bias/<reviewer>.csv`) through the store.

Both forms check what a reviewer typed the way the workflow's gate will, so a typo is shown on
the form, by field, and never reaches a sheet. Disagreements are found by the workflow's own
readers and settlement (extract.reviewers, appraise.assessments): what the adjudicator sees
open is what the gate would report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow import catalog
from prismaflow.app.store import BIAS_LAYOUT, Action, SheetStore, extraction_layout
from prismaflow.appraise import assessments
from prismaflow.appraise.judgements import ANSWERS, OVERALL
from prismaflow.appraise.tools import Tool
from prismaflow.extract import reviewers as extraction_sheets
from prismaflow.extract.fields import FieldSpec, field_specs, typed_text
from prismaflow.extract.patterns import Prefilled, source_span
from prismaflow.extract.prefill import Prefiller
from prismaflow.sheets import ADJUDICATOR, SHEET_SUFFIXES, reviewer_sheets
from prismaflow.vocabulary import CONFLICT


@dataclass(frozen=True)
class Highlighted:
    """A text with the spans the machine read its values from: (start, end, field)."""

    field: str
    text: str
    spans: tuple[tuple[int, int, str], ...]

    def pieces(self) -> list[tuple[str, str | None]]:
        """(text, field or None) in order; overlapping spans keep the earlier one."""
        pieces, at = [], 0
        for start, end, name in sorted(self.spans):
            if start < at or end > len(self.text):
                continue
            pieces += [(self.text[at:start], None), (self.text[start:end], name)]
            at = end
        return [*pieces, (self.text[at:], None)]


@dataclass(frozen=True)
class FieldShown:
    """One row of the extraction form: the machine's value as a reviewer would type it, where
    it was read (and the words around it), and the value the input starts with."""

    spec: FieldSpec
    machine: str
    source: str | None
    excerpt: tuple[str, str, str] | None
    value: str


def excerpt(text: str, start: int, end: int, around: int = 70) -> tuple[str, str, str]:
    """The words before, the span itself and the words after; a word cut by the window is
    left out."""
    low, high = max(0, start - around), min(len(text), end + around)
    before, after = text[low:start], text[end:high]
    if low > 0:
        if not text[low - 1].isspace() and " " in before:
            before = before.split(" ", 1)[1]
        before = "…" + before
    if high < len(text):
        if not text[high].isspace() and " " in after:
            after = after.rsplit(" ", 1)[0]
        after += "…"
    return before, text[start:end], after


def _sheets(folder: Path) -> list[str]:
    return reviewer_sheets(folder, SHEET_SUFFIXES, kept_apart=[catalog.HISTORY])


class ExtractionForms:
    def __init__(self, review_folder: Path, extraction: Mapping[str, Any]) -> None:
        self.folder = review_folder
        self.fields: list[FieldSpec] = field_specs(extraction["fields"])
        self.by_name = {spec.name: spec for spec in self.fields}
        self.prefill = Prefiller.from_config(extraction)
        self.store = SheetStore(review_folder, extraction_layout(list(self.by_name)))

    def highlighted(
        self, record: Mapping[str, Any], machine: Mapping[str, Prefilled]
    ) -> list[Highlighted]:
        """The title and abstract with every machine value's span marked."""
        shown = []
        for name in ("title", "abstract"):
            text = record.get(name)
            if not isinstance(text, str) or not text:
                continue
            spans = tuple(
                (start, end, field)
                for field, found in machine.items()
                if (span := source_span(found.source)) and span[0] == name
                for _, start, end in [span]
            )
            shown.append(Highlighted(name, text, spans))
        return shown

    def shown(
        self,
        record: Mapping[str, Any],
        machine: Mapping[str, Prefilled],
        given: Mapping[str, str] | None,
    ) -> list[FieldShown]:
        """The form's rows: inputs start with what the reviewer gave (saved, or just typed),
        or, on a form never saved, with the machine's values."""
        rows = []
        for spec in self.fields:
            found = machine.get(spec.name)
            span = source_span(found.source) if found else None
            text = record.get(span[0]) if span else None
            read = (typed_text(found.value) if found else None) or ""
            rows.append(
                FieldShown(
                    spec,
                    read,
                    found.source if found else None,
                    excerpt(text, span[1], span[2]) if isinstance(text, str) else None,
                    given.get(spec.name, "") if given is not None else read,
                )
            )
        return rows

    def own(self, reviewer: str, record_id: str) -> dict[str, str] | None:
        return next(
            (r for r in self.store.rows(reviewer=reviewer) if r["record_id"] == record_id), None
        )

    def filled(self, reviewer: str) -> set[str]:
        return {r["record_id"] for r in self.store.rows(reviewer=reviewer)}

    def problems(self, written: Mapping[str, str]) -> dict[str, str]:
        """Field -> what is wrong with what was typed, as the extraction gate would say it."""
        problems = {}
        for name, text in written.items():
            try:
                self.by_name[name].coerce(text)
            except ValueError as error:
                problems[name] = str(error)
        return problems

    def save(
        self, reviewer: str, record_id: str, written: Mapping[str, str], action_id: str | None
    ) -> Action:
        values = {name: written.get(name, "").strip() for name in self.by_name}
        return self.store.put((record_id,), values, action_id, reviewer=reviewer)

    def disagreements(self, index: Mapping[str, str], included: set[str]) -> pd.DataFrame:
        """Fields the reviewers disagree on and no adjudication settled."""
        sheets = extraction_sheets.read_sheets(
            _sheets(self.folder / catalog.EXTRACTION), self.fields, index, included
        )
        _, found = extraction_sheets.settled_values(sheets)
        return found[found["resolved_by"].isna()]

    def settle(self, record_id: str, field: str, written: str, action_id: str | None) -> Action:
        """The adjudicator's value for one field, kept beside the fields settled before."""
        row = self.own(ADJUDICATOR, record_id) or {}
        values = {name: row.get(name, "") for name in self.by_name} | {field: written.strip()}
        return self.store.put((record_id,), values, action_id, reviewer=ADJUDICATOR)


class BiasForms:
    def __init__(self, review_folder: Path, risk_of_bias: Mapping[str, Any]) -> None:
        self.folder = review_folder
        self.tools: Mapping[str, str] = risk_of_bias["tools"]
        self.needed: int = risk_of_bias["reviewers"]
        self.store = SheetStore(review_folder, BIAS_LAYOUT)

    def tool(self, design: Any) -> Tool | None:
        return assessments.tool_of(design, self.tools)

    def own(self, reviewer: str, record_id: str) -> dict[str, tuple[str, str]]:
        """Domain -> (judgement, support) as this reviewer saved them."""
        return {
            r["domain"]: (r["judgement"], r["support"])
            for r in self.store.rows(reviewer=reviewer)
            if r["record_id"] == record_id
        }

    def problems(self, tool: Tool, judged: Mapping[str, tuple[str, str]]) -> dict[str, str]:
        """Domain or question -> what is wrong, as the risk-of-bias gate would say it: a
        judgement the tool does not allow, an answer that is not one, or a judgement other than
        the one the tool's algorithm gives (from the answers, or from the domains) without a
        reason."""
        problems = {}
        for item, (value, _) in judged.items():
            if item in tool.question_ids:
                allowed = ANSWERS
            else:
                allowed = tool.overall_judgements if item == OVERALL else tool.judgements
            if value and value not in allowed:
                problems[item] = f"{value!r} is not one of: {', '.join(allowed)}"
        answers = self._answers(tool, judged)
        domains = {d: j for d, (j, _) in self.completed(tool, judged).items() if j}
        for item in (*tool.domain_ids, OVERALL):
            judgement, support = judged.get(item, ("", ""))
            why = tool.unexplained(item, judgement, support, answers, domains)
            if why:
                problems.setdefault(item, why)
        return problems

    @staticmethod
    def _answers(tool: Tool, judged: Mapping[str, tuple[str, str]]) -> dict[str, str]:
        return {q: a for q, (a, _) in judged.items() if q in tool.question_ids and a}

    def completed(
        self, tool: Tool, judged: Mapping[str, tuple[str, str]]
    ) -> dict[str, tuple[str, str]]:
        """The form as saved: a domain left "as the answers give" takes the algorithm's
        judgement once every answer it needs is there."""
        answers = self._answers(tool, judged)
        return {
            item: (value or tool.proposed_domain(item, answers) or "", support)
            if item in tool.domain_ids
            else (value, support)
            for item, (value, support) in judged.items()
        }

    @staticmethod
    def proposed(tool: Tool, judged: Mapping[str, tuple[str, str]]) -> str | None:
        return tool.proposed_overall({d: j for d, (j, _) in judged.items() if j and d != OVERALL})

    def proposed_domains(
        self, tool: Tool, judged: Mapping[str, tuple[str, str]]
    ) -> dict[str, str | None]:
        answers = self._answers(tool, judged)
        return {domain: tool.proposed_domain(domain, answers) for domain in tool.questions}

    def save(
        self,
        reviewer: str,
        record_id: str,
        judged: Mapping[str, tuple[str, str]],
        action_id: str,
    ) -> list[Action]:
        """One action per domain and per signalling question that changed (each its own row
        of the sheet); a domain left blank, with no answers to propose it, is not judged yet."""
        saved, before = [], self.own(reviewer, record_id)
        for domain, (judgement, support) in judged.items():
            values = {"judgement": judgement, "support": support.strip()}
            if before.get(domain, ("", "")) == (judgement, values["support"]):
                continue
            saved.append(
                self.store.put(
                    (record_id, domain), values, f"{action_id}-{domain}", reviewer=reviewer
                )
            )
        return saved

    def assessed(self, designs: Mapping[str, Any], index: Mapping[str, str]) -> pd.DataFrame:
        """Every included study's domains, settled as the workflow settles them."""
        sheets = assessments.read_sheets(
            _sheets(self.folder / catalog.RISK_OF_BIAS), designs, self.tools, index
        )
        return assessments.settle(designs, self.tools, sheets, self.needed)

    def conflicts(self, designs: Mapping[str, Any], index: Mapping[str, str]) -> pd.DataFrame:
        assessed = self.assessed(designs, index)
        return assessed[assessed["status"] == CONFLICT]

    def settle(
        self, record_id: str, domain: str, judgement: str, support: str, action_id: str | None
    ) -> Action:
        values = {"judgement": judgement, "support": support.strip()}
        return self.store.put((record_id, domain), values, action_id, reviewer=ADJUDICATOR)
