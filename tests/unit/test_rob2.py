"""RoB 2's signalling-question algorithms, row by row of the guidance's decision tables, and
a reviewer's answers read from a sheet: a domain judged otherwise needs a reason."""

import pytest

from prismaflow.appraise import rob2
from prismaflow.appraise.assessments import read_sheets

HIGH, SOME, LOW = "high", "some concerns", "low"


def answers(text: str) -> dict[str, str]:
    """'1.1=y 1.2=pn' -> {'1.1': 'y', '1.2': 'pn'}."""
    return dict(pair.split("=") for pair in text.split())


@pytest.mark.parametrize(
    ("domain", "given", "judgement"),
    [
        # Domain 1: concealment decides; baseline imbalance and the sequence temper it.
        ("D1", "1.1=y 1.2=y 1.3=n", LOW),
        ("D1", "1.1=ni 1.2=py 1.3=ni", LOW),
        ("D1", "1.1=n 1.2=y 1.3=n", SOME),
        ("D1", "1.1=y 1.2=y 1.3=py", SOME),
        ("D1", "1.1=y 1.2=ni 1.3=n", SOME),
        ("D1", "1.1=y 1.2=ni 1.3=y", HIGH),
        ("D1", "1.1=y 1.2=pn 1.3=n", HIGH),
        # Domain 2: the worse of the trial-context part and the analysis part.
        ("D2", "2.1=n 2.2=pn 2.6=y", LOW),
        ("D2", "2.1=y 2.3=n 2.6=py", LOW),
        ("D2", "2.1=n 2.2=ni 2.3=ni 2.6=y", SOME),
        ("D2", "2.1=y 2.3=y 2.4=n 2.6=y", SOME),
        ("D2", "2.1=y 2.3=y 2.4=ni 2.5=y 2.6=y", SOME),
        ("D2", "2.1=y 2.3=y 2.4=y 2.5=ni 2.6=y", HIGH),
        ("D2", "2.1=n 2.2=n 2.6=n 2.7=pn", SOME),
        ("D2", "2.1=n 2.2=n 2.6=ni 2.7=ni", HIGH),
        # Domain 3: missing outcome data.
        ("D3", "3.1=y", LOW),
        ("D3", "3.1=n 3.2=py", LOW),
        ("D3", "3.1=ni 3.2=n 3.3=pn", LOW),
        ("D3", "3.1=n 3.2=n 3.3=y 3.4=n", SOME),
        ("D3", "3.1=n 3.2=n 3.3=ni 3.4=ni", HIGH),
        # Domain 4: measurement of the outcome.
        ("D4", "4.1=y", HIGH),
        ("D4", "4.1=n 4.2=py", HIGH),
        ("D4", "4.1=n 4.2=n 4.3=n", LOW),
        ("D4", "4.1=ni 4.2=ni 4.3=n", SOME),
        ("D4", "4.1=n 4.2=n 4.3=y 4.4=pn", LOW),
        ("D4", "4.1=n 4.2=n 4.3=y 4.4=y 4.5=n", SOME),
        ("D4", "4.1=n 4.2=n 4.3=y 4.4=y 4.5=ni", HIGH),
        # Domain 5: selection of the reported result.
        ("D5", "5.1=y 5.2=n 5.3=pn", LOW),
        ("D5", "5.1=ni 5.2=n 5.3=n", SOME),
        ("D5", "5.1=y 5.2=ni 5.3=n", SOME),
        ("D5", "5.1=y 5.2=n 5.3=py", HIGH),
    ],
)
def test_each_domain_follows_the_guidance(domain, given, judgement):
    assert rob2.proposed(domain, answers(given)) == judgement


@pytest.mark.parametrize(
    ("domain", "given"),
    [("D1", "1.1=y 1.2=y"), ("D2", "2.1=y 2.3=y 2.6=y"), ("D3", "3.1=n"), ("D5", "5.1=y")],
)
def test_no_proposal_while_a_needed_answer_is_missing(domain, given):
    assert rob2.proposed(domain, answers(given)) is None


def test_every_domain_has_questions_and_an_algorithm():
    assert set(rob2.QUESTIONS) == set(rob2.ALGORITHMS) == {"D1", "D2", "D3", "D4", "D5"}
    ids = [q.id for asked in rob2.QUESTIONS.values() for q in asked]
    assert len(ids) == len(set(ids)) == 22


def test_a_domain_judged_against_the_reviewers_own_answers_needs_a_reason(tmp_path):
    sheet = tmp_path / "ana.csv"
    sheet.write_text(
        "record_id,domain,judgement,support\n"
        "pubmed:1,1.1,Yes,\npubmed:1,1.2,probably no,\npubmed:1,1.3,n,\n"
        "pubmed:1,D1,low,\n"  # the answers give high
        "pubmed:1,5.1,maybe,\n"
        "pubmed:2,1.1,y,\npubmed:2,1.2,y,\npubmed:2,1.3,n,\npubmed:2,D1,high,blinded? no\n",
        encoding="utf-8",
    )
    designs = {"pubmed:1": "trial", "pubmed:2": "trial"}
    read = read_sheets([sheet], designs, {"trial": "rob2"}, {r: r for r in designs})
    assert [(p["line"], p["problem"]) for p in read.problems] == [
        (
            6,
            "'maybe' does not answer a signalling question: Yes, Probably yes, Probably no, "
            "No, No information (or y, py, pn, n, ni)",
        ),
        (
            5,
            "RoB 2 (randomised trials) gives 'high' from the signalling answers: say why you "
            "judge 'low' instead, in the support",
        ),
    ]
    assert [v.value for v in read.judged["pubmed:2", "D1"]] == ["high"]  # with its reason
