"""The risk-of-bias tools a protocol may declare per study design (risk_of_bias.tools): their
domains (or checklist items), the judgements each allows, and how an overall judgement follows
from the domains' where the tool gives the algorithm.

RoB 2 (Sterne et al., BMJ 2019;366:l4898), with its signalling questions and the algorithms
that propose each domain's judgement from their answers (appraise.rob2): low risk overall when
every domain is low, high when any is high, some concerns otherwise; the guidance lets
reviewers judge several domains with some concerns as high overall, which a reviewer records
with a reason. ROBINS-I's signalling questions have no published algorithm in its 2016 version,
so its domains are the reviewers' judgements. ROBINS-I (Sterne et al., BMJ
2016;355:i4919): the overall risk is that of the most severe domain, and "no information" where
information is lacking in a domain and no other domain is serious or critical. The JBI
checklists for case reports and case series (Moola et al.; Munn et al., JBI Evid Synth 2020)
have no scoring algorithm: the overall appraisal is the reviewers', and the machine counts the
items met.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from prismaflow.appraise import rob2
from prismaflow.appraise.judgements import (
    CRITICAL,
    EXCLUDE,
    HIGH,
    INCLUDE,
    LOW,
    MODERATE,
    NO,
    NO_INFORMATION,
    NOT_APPLICABLE,
    OVERALL,
    SEEK,
    SERIOUS,
    SOME_CONCERNS,
    UNCLEAR,
    YES,
)


@dataclass(frozen=True)
class Tool:
    name: str
    label: str
    domains: tuple[tuple[str, str], ...]  # (id, what it asks)
    judgements: tuple[str, ...]  # what a domain may be judged, least to most severe
    overall_judgements: tuple[str, ...]  # what the overall judgement may be, likewise
    # Signalling questions per domain, and the algorithm mapping their answers to the domain's
    # judgement, where the tool publishes one (RoB 2).
    questions: Mapping[str, tuple[rob2.Question, ...]] = field(default_factory=dict)
    algorithm: Callable[[str, Mapping[str, str]], str | None] | None = None

    @property
    def domain_ids(self) -> tuple[str, ...]:
        return tuple(domain for domain, _ in self.domains)

    @property
    def question_ids(self) -> dict[str, str]:
        """Question id -> its domain."""
        return {q.id: domain for domain, asked in self.questions.items() for q in asked}

    def proposed_domain(self, domain: str, answers: Mapping[str, str]) -> str | None:
        """The domain's judgement the tool's algorithm gives for these answers, or None (no
        algorithm, or answers still missing)."""
        if self.algorithm is None or domain not in self.questions:
            return None
        return self.algorithm(domain, answers)

    def unexplained(
        self,
        item: str,
        judgement: str | None,
        support: str | None,
        answers: Mapping[str, str],
        domains: Mapping[str, str],
    ) -> str | None:
        """Why a judgement cannot stand, or None: one other than the tool's algorithm gives (a
        domain's from its signalling answers, the overall from the domains) needs a reason.
        The app's form and the sheet reader both ask here."""
        if item == OVERALL:
            proposed, source = self.proposed_overall(domains), "the domains"
        else:
            proposed, source = self.proposed_domain(item, answers), "the signalling answers"
        if not proposed or not judgement or judgement == proposed or (support or "").strip():
            return None
        return (
            f"{self.label} gives {proposed!r} from {source}: say why you judge {judgement!r} "
            "instead, in the support"
        )

    def label_of(self, domain: str) -> str:
        return dict(self.domains).get(domain, "Overall")

    def proposed_overall(self, judged: Mapping[str, str]) -> str | None:
        """The overall judgement the tool's algorithm gives for complete domain judgements, or
        None where the tool leaves it to the reviewers (or a domain is not judged yet)."""
        if any(judged.get(domain) is None for domain in self.domain_ids):
            return None
        values = [judged[domain] for domain in self.domain_ids]
        if self.name == "rob2":
            return HIGH if HIGH in values else SOME_CONCERNS if SOME_CONCERNS in values else LOW
        if self.name == "robins_i":
            severity = [v for v in values if v != NO_INFORMATION]
            worst = max(severity, key=self.judgements.index, default=LOW)
            if NO_INFORMATION in values and worst in (LOW, MODERATE):
                return NO_INFORMATION
            return worst
        return None

    def items_met(self, judged: Mapping[str, str]) -> str | None:
        """For a checklist: how many items were answered yes, of those that apply."""
        if YES not in self.judgements:
            return None
        answers = [judged.get(domain) for domain in self.domain_ids]
        applicable = [a for a in answers if a != NOT_APPLICABLE]
        return f"{sum(a == YES for a in applicable)} of {len(applicable)} items met"


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "rob2",
            "RoB 2 (randomised trials)",
            (
                ("D1", "Randomisation process"),
                ("D2", "Deviations from intended interventions"),
                ("D3", "Missing outcome data"),
                ("D4", "Measurement of the outcome"),
                ("D5", "Selection of the reported result"),
            ),
            (LOW, SOME_CONCERNS, HIGH),
            (LOW, SOME_CONCERNS, HIGH),
            rob2.QUESTIONS,
            rob2.proposed,
        ),
        Tool(
            "robins_i",
            "ROBINS-I (non-randomised studies of interventions)",
            (
                ("D1", "Confounding"),
                ("D2", "Selection of participants"),
                ("D3", "Classification of interventions"),
                ("D4", "Deviations from intended interventions"),
                ("D5", "Missing data"),
                ("D6", "Measurement of outcomes"),
                ("D7", "Selection of the reported result"),
            ),
            (LOW, MODERATE, SERIOUS, CRITICAL, NO_INFORMATION),
            (LOW, MODERATE, SERIOUS, CRITICAL, NO_INFORMATION),
        ),
        Tool(
            "jbi_case_report",
            "JBI checklist for case reports",
            (
                ("Q1", "Patient's demographic characteristics clearly described"),
                ("Q2", "Patient's history clearly described and presented as a timeline"),
                ("Q3", "Current clinical condition on presentation clearly described"),
                ("Q4", "Diagnostic tests or methods and their results clearly described"),
                ("Q5", "Intervention(s) or treatment procedure(s) clearly described"),
                ("Q6", "Post-intervention clinical condition clearly described"),
                ("Q7", "Adverse or unanticipated events identified and described"),
                ("Q8", "Takeaway lessons provided"),
            ),
            (YES, NO, UNCLEAR, NOT_APPLICABLE),
            (INCLUDE, EXCLUDE, SEEK),
        ),
        Tool(
            "jbi_case_series",
            "JBI checklist for case series",
            (
                ("Q1", "Clear criteria for inclusion"),
                ("Q2", "Condition measured in a standard, reliable way for all participants"),
                ("Q3", "Valid methods used to identify the condition for all participants"),
                ("Q4", "Consecutive inclusion of participants"),
                ("Q5", "Complete inclusion of participants"),
                ("Q6", "Clear reporting of participants' demographics"),
                ("Q7", "Clear reporting of participants' clinical information"),
                ("Q8", "Outcomes or follow-up results clearly reported"),
                (
                    "Q9",
                    "Clear reporting of the presenting sites' or clinics' demographic information",
                ),
                ("Q10", "Appropriate statistical analysis"),
            ),
            (YES, NO, UNCLEAR, NOT_APPLICABLE),
            (INCLUDE, EXCLUDE, SEEK),
        ),
    )
}
