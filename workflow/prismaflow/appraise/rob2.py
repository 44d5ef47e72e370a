"""RoB 2's signalling questions (individually randomised trials, effect of assignment to the
intervention) and the algorithms of its guidance that map a reviewer's answers to a domain
judgement (Higgins, Savović, Page, Sterne; RoB 2 full guidance, 22 August 2019).

The questions are paraphrased: the official template at riskofbias.info is the wording to
assess with. A question asked only after another's answer says so in `asked_if`; a domain
whose needed answers are missing has no proposal yet (None), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from prismaflow.appraise.judgements import HIGH, LOW, NI, PN, PY, SOME_CONCERNS, N, Y

YES_ISH, NO_ISH = frozenset({Y, PY}), frozenset({N, PN})


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    asked_if: str = ""


QUESTIONS: dict[str, tuple[Question, ...]] = {
    "D1": (
        Question("1.1", "Was the allocation sequence random?"),
        Question(
            "1.2", "Was the sequence concealed until participants were enrolled and assigned?"
        ),
        Question("1.3", "Do baseline differences between the groups suggest a problem with it?"),
    ),
    "D2": (
        Question("2.1", "Were participants aware of their assigned intervention?"),
        Question("2.2", "Were carers and those delivering the interventions aware of it?"),
        Question(
            "2.3",
            "Were there deviations from the intended intervention because of the trial context?",
            "2.1 or 2.2 Y/PY/NI",
        ),
        Question("2.4", "Were these deviations likely to have affected the outcome?", "2.3 Y/PY"),
        Question("2.5", "Were these deviations balanced between groups?", "2.4 Y/PY/NI"),
        Question("2.6", "Was an appropriate analysis used to estimate the effect of assignment?"),
        Question(
            "2.7",
            "Could failing to analyse participants as randomised have had a substantial impact?",
            "2.6 N/PN/NI",
        ),
    ),
    "D3": (
        Question("3.1", "Were outcome data available for all, or nearly all, randomised?"),
        Question(
            "3.2",
            "Is there evidence that the result was not biased by missing data?",
            "3.1 N/PN/NI",
        ),
        Question("3.3", "Could missingness in the outcome depend on its true value?", "3.2 N/PN"),
        Question("3.4", "Is it likely that missingness depended on its true value?", "3.3 Y/PY/NI"),
    ),
    "D4": (
        Question("4.1", "Was the method of measuring the outcome inappropriate?"),
        Question("4.2", "Could measurement of the outcome have differed between groups?"),
        Question(
            "4.3", "Were outcome assessors aware of the intervention received?", "4.1, 4.2 N/PN/NI"
        ),
        Question(
            "4.4", "Could knowledge of the intervention have influenced assessment?", "4.3 Y/PY/NI"
        ),
        Question(
            "4.5", "Is it likely that knowledge of the intervention influenced it?", "4.4 Y/PY/NI"
        ),
    ),
    "D5": (
        Question("5.1", "Was the result analysed as in a plan finalised before unblinding?"),
        Question("5.2", "Was the result likely selected from several outcome measurements?"),
        Question("5.3", "Was the result likely selected from several analyses of the data?"),
    ),
}


class _Missing(Exception):
    """A question the algorithm needs has no answer yet."""


def _answers(given: Mapping[str, str]) -> Callable[[str], str]:
    def answer(question: str) -> str:
        value = given.get(question)
        if not value:
            raise _Missing(question)
        return value

    return answer


def _randomisation(a: Callable[[str], str]) -> str:
    if a("1.2") in NO_ISH:
        return HIGH
    if a("1.2") == NI:
        return HIGH if a("1.3") in YES_ISH else SOME_CONCERNS
    if a("1.3") in YES_ISH:
        return SOME_CONCERNS
    return SOME_CONCERNS if a("1.1") in NO_ISH else LOW


def _deviations(a: Callable[[str], str]) -> str:
    """The worse of two parts: deviations arising from the trial context (2.1-2.5), and the
    analysis (2.6-2.7)."""
    if (a("2.1") in NO_ISH and a("2.2") in NO_ISH) or a("2.3") in NO_ISH:
        context = LOW
    elif a("2.3") == NI or a("2.4") in NO_ISH or a("2.5") in YES_ISH:
        context = SOME_CONCERNS
    else:
        context = HIGH
    analysis = LOW if a("2.6") in YES_ISH else SOME_CONCERNS if a("2.7") in NO_ISH else HIGH
    return _worst(context, analysis)


def _missing_data(a: Callable[[str], str]) -> str:
    if a("3.1") in YES_ISH or a("3.2") in YES_ISH or a("3.3") in NO_ISH:
        return LOW
    return SOME_CONCERNS if a("3.4") in NO_ISH else HIGH


def _measurement(a: Callable[[str], str]) -> str:
    if a("4.1") in YES_ISH or a("4.2") in YES_ISH:
        return HIGH
    unsure = a("4.2") == NI
    if a("4.3") in NO_ISH or a("4.4") in NO_ISH:
        return SOME_CONCERNS if unsure else LOW
    return SOME_CONCERNS if a("4.5") in NO_ISH else HIGH


def _reporting(a: Callable[[str], str]) -> str:
    if a("5.2") in YES_ISH or a("5.3") in YES_ISH:
        return HIGH
    if a("5.1") in YES_ISH and a("5.2") in NO_ISH and a("5.3") in NO_ISH:
        return LOW
    return SOME_CONCERNS


def _worst(*judgements: str) -> str:
    order = (LOW, SOME_CONCERNS, HIGH)
    return max(judgements, key=order.index)


ALGORITHMS: dict[str, Callable[[Callable[[str], str]], str]] = {
    "D1": _randomisation,
    "D2": _deviations,
    "D3": _missing_data,
    "D4": _measurement,
    "D5": _reporting,
}


def proposed(domain: str, given: Mapping[str, str]) -> str | None:
    """The domain's judgement from the answers given, or None while a needed one is missing.
    Questions are read only as the algorithm reaches them, so a question not asked (its
    condition unmet) never needs an answer."""
    try:
        return ALGORITHMS[domain](_answers(given))
    except _Missing:
        return None
