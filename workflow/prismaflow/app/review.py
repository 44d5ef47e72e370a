"""A review folder as the screening app sees it: the records to screen, who has decided what,
what each reviewer sees next, and the ranking, refitted in the background.

The ranking is the workflow's own (screen.stage.screen over the same records, sheets, rules
and protocol), so the order the app shows and the order the workflow reports agree. A refit
starts after each decision and runs in a thread; until it ends the app serves from the last
ranking, so a reviewer never waits for the model.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow import catalog
from prismaflow.app.forms import BiasForms, ExtractionForms
from prismaflow.app.full_texts import FullTexts
from prismaflow.app.store import DecisionStore
from prismaflow.config import DESIGN_FIELD, load_protocol, validate_config
from prismaflow.errors import InputFileError
from prismaflow.identifiers import record_index, resolve_record
from prismaflow.parquet_io import read_frame
from prismaflow.screen.agreement import agreement
from prismaflow.screen.double import reviewers_needed
from prismaflow.screen.reviewers import ReviewerDecision, read_sheet
from prismaflow.screen.rules import first_hit, protocol_rules
from prismaflow.screen.stage import screen, screening_order
from prismaflow.screen.stopping import StoppingCheck, check
from prismaflow.sheets import ADJUDICATOR
from prismaflow.vocabulary import CONFLICT, FULL_TEXT, INCLUDE, PHASES, TITLE_ABSTRACT

FORMS = ("extraction", "risk_of_bias")
HOLD_SECONDS = 600  # a record shown to one reviewer is not offered to another for this long


@dataclass
class Ranking:
    """Scores and the terms behind them, as of `decisions` decisions."""

    scores: dict[str, float] = field(default_factory=dict)
    terms: dict[str, str] = field(default_factory=dict)
    decisions: int = -1
    seconds: float = 0.0


class Review:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config = validate_config(load_protocol(folder / catalog.PROTOCOL))
        self.screening = self.config["screening"]
        records_path = folder / catalog.path("records")
        if not records_path.is_file():
            raise InputFileError(
                records_path,
                "does not exist yet: the app screens the deduplicated records",
                fix="run the workflow first (`prismaflow run` or `snakemake --cores 2`)",
            )
        self.records = read_frame(records_path)
        self.index = record_index(self.records, read_frame(folder / catalog.path("links")))
        self.by_id = self.records.set_index("record_id", drop=False)
        rules = protocol_rules(self.screening["rules"], self.config["search"]["window"])
        self.ruled_out = {
            r["record_id"]: hit
            for r in self.records.to_dict("records")
            if (hit := first_hit(rules, r)) is not None
        }
        self._rules = rules
        self.to_screen = [r for r in self.records["record_id"] if r not in self.ruled_out]
        self.needed = {
            r: reviewers_needed(r, self.screening["double_screening"]) for r in self.to_screen
        }
        self.seeds = [
            found for seed in self.screening["seeds"] if (found := resolve_record(seed, self.index))
        ]
        self.store = DecisionStore(folder)
        self.full_texts = FullTexts(folder, self.screening["full_texts"]["folder"])
        self.extraction = ExtractionForms(folder, self.config["extraction"])
        self.bias = BiasForms(folder, self.config["risk_of_bias"])
        for phase in PHASES:  # a server stopped mid-action left its last one to carry over
            for reviewer in self.reviewers(phase):
                self.store.recover(phase=phase, reviewer=reviewer)
        self.ranking = Ranking()
        self._holds: dict[str, tuple[str, float]] = {}
        self._read: dict[str, tuple[tuple, set[str]]] = {}
        self._lock = threading.Lock()
        self._wanted = threading.Event()
        self._refit_thread = threading.Thread(target=self._refit_forever, daemon=True)
        # Ties in the ranking go by a fixed shuffle of the records, computed once.
        self._tiebreak = {
            r: int.from_bytes(hashlib.sha256(r.encode()).digest()[:4], "big")
            for r in self.to_screen
        }
        self.settled: pd.DataFrame
        self.at_full_text: pd.DataFrame
        self.refit()

    # Decisions -----------------------------------------------------------------------------

    def reviewers(self, phase: str = TITLE_ABSTRACT) -> list[str]:
        folder = self.folder / catalog.DECISIONS / phase
        return sorted(p.stem for p in folder.glob("*.csv")) if folder.is_dir() else []

    def decisions(self, phase: str = TITLE_ABSTRACT) -> list[ReviewerDecision]:
        """Every reviewer's decisions, read and checked as the workflow reads them."""
        found = []
        for reviewer in self.reviewers(phase):
            path = self.store.sheet(phase=phase, reviewer=reviewer)
            found.extend(read_sheet(path, phase, self.screening["reasons"], self.index))
        return found

    def full_text_records(self) -> list[str]:
        """The records that reached full text, as of the last refit."""
        return list(self.at_full_text["record_id"])

    def included(self) -> list[str]:
        """The studies included at full text, as of the last refit."""
        at = self.at_full_text
        return sorted(at.loc[at["decision"] == INCLUDE, "record_id"])

    def designs(self) -> dict[str, Any]:
        """Included study -> its design, as the last workflow run settled it (the risk-of-bias
        tool follows from it); empty before extraction has run."""
        path = self.folder / catalog.path("studies")
        if not path.is_file():
            return {}
        studies = read_frame(path)
        included = set(self.included())
        return {
            r: _plain(d)
            for r, d in zip(studies["record_id"], studies[DESIGN_FIELD], strict=True)
            if r in included
        }

    def own(self, reviewer: str, phase: str = TITLE_ABSTRACT) -> dict[str, dict[str, str]]:
        return {r["record"]: r for r in self.store.rows(phase=phase, reviewer=reviewer)}

    # What a reviewer sees next ------------------------------------------------------------

    def who_decided(self, phase: str = TITLE_ABSTRACT) -> dict[str, set[str]]:
        """Record id -> reviewers with a decision on it, read light (no row checks: the
        refit reads the sheets as the workflow does) and only from sheets that changed."""
        decided: dict[str, set[str]] = defaultdict(set)
        for reviewer in self.reviewers(phase):
            path = self.store.sheet(phase=phase, reviewer=reviewer)
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            if self._read.get(str(path), (None,))[0] != key:
                ids = {
                    resolve_record(r["record"], self.index)
                    for r in self.store.rows(phase=phase, reviewer=reviewer)
                }
                self._read[str(path)] = (key, ids - {None})
            for record_id in self._read[str(path)][1]:
                decided[record_id].add(reviewer)
        return decided

    def next_record(self, reviewer: str, skip: set[str] = frozenset()) -> str | None:
        """The best-ranked record this reviewer has not decided (nor skipped), that still
        needs a reviewer and that no other reviewer has open; ties go to the record's place in
        a fixed shuffle. Skipped records come back once nothing else is left."""
        decided = self.who_decided()
        adjudicated = {r for r, who in decided.items() if ADJUDICATOR in who}
        now = time.monotonic()
        with self._lock:
            held = {
                r
                for r, (who, since) in self._holds.items()
                if who != reviewer and now - since < HOLD_SECONDS
            }
            open_ = [
                r
                for r in self.to_screen
                if reviewer not in decided[r]
                and r not in adjudicated
                and len(decided[r]) < self.needed[r]
                and (r not in held or self.needed[r] - len(decided[r]) > 1)
            ]
            if not open_:
                return None
            scores = self.ranking.scores
            best = max(open_, key=lambda r: (r not in skip, scores.get(r, 0.0), -self._tiebreak[r]))
            self._holds[best] = (reviewer, now)
            return best

    def record(self, record_id: str) -> Mapping[str, Any]:
        """A record's fields as plain values: lists for lists, None for what is missing."""
        return {name: _plain(value) for name, value in self.by_id.loc[record_id].items()}

    # Ranking -------------------------------------------------------------------------------

    def start(self) -> Review:
        """Refit as decisions arrive (the first ranking is made on opening the review)."""
        self._refit_thread.start()
        return self

    def changed(self) -> None:
        """A decision arrived: refit when the thread is free (several arrivals, one refit)."""
        self._wanted.set()

    def _refit_forever(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                self.refit()
            except Exception:  # a sheet mid-edit by hand; the next decision tries again
                continue

    def refit(self) -> Ranking:
        started = time.perf_counter()
        decisions = [d for phase in PHASES for d in self.decisions(phase)]
        rows = screen(
            self.records,
            decisions,
            self._rules,
            self.screening["reasons"],
            self.screening["completeness"],
            self.config["review"]["question"],
            settings=self.screening,
            seeds=self.seeds,
        )
        at = rows[rows["phase"] == TITLE_ABSTRACT]
        ranking = Ranking(
            dict(zip(at["record_id"], at["score"], strict=True)),
            dict(zip(at["record_id"], at["score_terms"], strict=True)),
            len(decisions),
            time.perf_counter() - started,
        )
        with self._lock:
            self.ranking = ranking
            self.settled = at
            self.at_full_text = rows[rows["phase"] == FULL_TEXT]
        return ranking

    # Progress ------------------------------------------------------------------------------

    def progress(self) -> dict[str, Any]:
        decisions = self.decisions()
        per_reviewer: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PHASES, 0))
        for phase in PHASES:
            for reviewer in self.reviewers(phase):
                per_reviewer[reviewer][phase] = len(self.store.rows(phase=phase, reviewer=reviewer))
        settled, at_full_text = self.settled, self.at_full_text
        return {
            "records": len(self.records),
            "ruled_out": len(self.ruled_out),
            "to_screen": len(self.to_screen),
            "double": sum(n == 2 for n in self.needed.values()),
            FULL_TEXT: len(at_full_text),
            "included": len(self.included()),
            "per_reviewer": dict(sorted(per_reviewer.items())),
            "conflicts": int((settled["decision"] == CONFLICT).sum())
            + int((at_full_text["decision"] == CONFLICT).sum()),
            "agreement": agreement([*decisions, *self.decisions(FULL_TEXT)]).to_dict("records"),
            "stopping": self.stopping(decisions, settled),
            "ranking": self.ranking,
            "forms": self.forms_saved(),
        }

    def forms_saved(self) -> dict[str, dict[str, int]]:
        """Reviewer -> the studies whose extraction form, and whose risk-of-bias form, they
        saved in the app."""
        saved: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FORMS, 0))
        for name, folder, store in (
            ("extraction", catalog.EXTRACTION, self.extraction.store),
            ("risk_of_bias", catalog.RISK_OF_BIAS, self.bias.store),
        ):
            for sheet in sorted((self.folder / folder).glob("*.csv")):
                studies = {r["record_id"] for r in store.rows(reviewer=sheet.stem)}
                saved[sheet.stem][name] = len(studies)
        return dict(sorted(saved.items()))

    def stopping(self, decisions, settled: pd.DataFrame) -> StoppingCheck:
        return check(
            screening_order(settled.to_dict("records"), decisions),
            len(self.to_screen),
            self.screening["stopping"],
        )

    def conflicts(self) -> list[dict[str, Any]]:
        """Records the reviewers disagree on, in either phase, that no adjudication settled,
        with what each said."""
        by_record: dict[tuple[str, str], list[ReviewerDecision]] = defaultdict(list)
        for phase in PHASES:
            for d in self.decisions(phase):
                by_record[phase, d.record_id].append(d)
        open_ = []
        for (phase, record_id), group in by_record.items():
            reviewers = [d for d in group if d.reviewer != ADJUDICATOR]
            if len({d.decision for d in reviewers}) > 1 and len(reviewers) == len(group):
                open_.append({"phase": phase, "record_id": record_id, "decisions": reviewers})
        return sorted(open_, key=lambda c: (PHASES.index(c["phase"]), c["record_id"]))


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, float):
        return None if value != value else int(value) if value.is_integer() else value
    return value
