"""The words of the risk-of-bias tools: domain and overall judgements, checklist answers, and
the answers to signalling questions. One place for each, read by the tools, the sheets, the
figures and GRADE."""

OVERALL = "overall"
LOW, SOME_CONCERNS, HIGH = "low", "some concerns", "high"
MODERATE, SERIOUS, CRITICAL, NO_INFORMATION = "moderate", "serious", "critical", "no information"
YES, NO, UNCLEAR, NOT_APPLICABLE = "yes", "no", "unclear", "not applicable"
INCLUDE, EXCLUDE, SEEK = "include", "exclude", "seek further information"
# Signalling questions are answered Yes, Probably yes, Probably no, No or No information.
Y, PY, PN, N, NI = "y", "py", "pn", "n", "ni"
ANSWERS = (Y, PY, PN, N, NI)
ANSWER_LABELS = {
    Y: "Yes",
    PY: "Probably yes",
    PN: "Probably no",
    N: "No",
    NI: "No information",
}
