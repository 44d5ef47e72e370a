"""Each text pattern of the pre-fill: what it finds, where, and what it leaves empty."""

import pytest

from prismaflow.extract import patterns


def found(pattern, text, field="abstract"):
    result = pattern({field: text})
    return result.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Open-label study in 12 patients with lichen planus.", 12),
        ("Case series of six children with alopecia areata.", 6),
        ("The 77 randomized patients applied the cream.", 77),
        ("A 46-year-old otherwise healthy woman presented.", 1),
        ("Case report of erythema dyschromicum perstans.", 1),
        ("Patients applied vehicle or cream for 28 days.", None),
        ("Patients aged 12 years or older were randomized.", None),
    ],
)
def test_n_patients(text, expected):
    assert found(patterns.n_patients, text) == expected


def test_n_patients_source_is_the_span_it_read():
    result = patterns.n_patients({"abstract": "Study in 15 adults."})
    assert result.source == 'abstract[9:18] "15 adults"' and result.confidence == 0.8
    assert "Study in 15 adults."[9:18] == "15 adults"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a 5-year-old girl", "5"),
        ("children aged 2-11 years with eczema", "2-11"),
        ("patients aged 12 years or older", ">=12"),
        ("(median age 38 years)", "median 38"),
        ("adults with eczema", None),
    ],
)
def test_age(text, expected):
    assert found(patterns.age, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Case report of a 48-year-old woman", "female"),
        ("a 33-year-old ultra-orthodox Jewish man", "male"),
        ("43 patients (31 female, 12 male)", "31 female, 12 male"),
        ("mean age 48 years, 54% women", "54% female"),
        ("12 patients", None),
    ],
)
def test_sex(text, expected):
    assert found(patterns.sex, text) == expected


# The intervention comes from the protocol (extraction.intervention), never from the package.
RUXOLITINIB = patterns.Intervention.from_config(
    {
        "names": ["ruxolitinib"],
        "qualifiers": ["phosphate", "topical"],
        "formulations": ["cream", "ointment", "gel", "solution", "lotion", "foam"],
    }
)
TACROLIMUS = patterns.Intervention.from_config(
    {"names": ["tacrolimus", "Protopic"], "qualifiers": [], "formulations": ["ointment"]}
)
UNNAMED = patterns.Intervention.from_config(
    {"names": [], "qualifiers": [], "formulations": ["cream", "tablet"]}
)


@pytest.mark.parametrize(
    ("intervention", "text", "expected"),
    [
        (RUXOLITINIB, "Ruxolitinib Cream for alopecia", "cream"),
        (
            RUXOLITINIB,
            "ruxolitinib 1.5% cream twice daily and fluocinonide 0.05% solution",
            "cream",
        ),
        (RUXOLITINIB, "topical ruxolitinib twice daily", None),
        (TACROLIMUS, "Protopic (tacrolimus) ointment in vitiligo", "ointment"),
        (TACROLIMUS, "ruxolitinib cream versus tacrolimus", None),
        (UNNAMED, "A tablet taken daily", "tablet"),
    ],
)
def test_formulation(intervention, text, expected):
    assert patterns.formulation({"title": text}, intervention).value == expected


@pytest.mark.parametrize(
    ("intervention", "text", "expected"),
    [
        (RUXOLITINIB, "She applied ruxolitinib 0.6% cream twice daily.", 0.6),
        (RUXOLITINIB, "vehicle, 0.5% or 1.0% cream once daily, or 1.5% cream twice daily", 1.5),
        (RUXOLITINIB, "triamcinolone 0.1% cream twice daily", None),  # a comparator's strength
        (RUXOLITINIB, "86% reached HECSI-75 with ruxolitinib cream", None),
        (TACROLIMUS, "tacrolimus 0.03% ointment or 0.1% ointment", 0.1),
        (TACROLIMUS, "ruxolitinib 1.5% ointment", None),
        (UNNAMED, "applied 2% cream daily", 2.0),
    ],
)
def test_concentration(intervention, text, expected):
    assert patterns.concentration({"abstract": text}, intervention).value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("applied twice daily for 8 weeks", "twice daily"),
        ("cream BID", "twice daily"),
        ("then as needed", "as needed"),
        ("applied to lesions", None),
    ],
)
def test_regimen(text, expected):
    assert found(patterns.regimen, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("applied twice daily for 8 weeks", 8.0),
        ("for 28 days", 4.0),
        ("a 12-week open-label trial", 12.0),
        ("after 3 months the patches had regrown", 13.0),
        ("By week 12 the score had dropped", 12.0),
        ("treated once", None),
    ],
)
def test_duration_weeks(text, expected):
    assert found(patterns.duration_weeks, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("with a follow-up of 6 months", 26.0),
        ("followed for 12 weeks", 12.0),
        ("followed by 3-6 months of follow-up", 26.0),
        ("no recurrence", None),
    ],
)
def test_follow_up_weeks(text, expected):
    assert found(patterns.follow_up_weeks, text) == expected


def test_outcome_measure_names_the_instrument_not_its_threshold():
    instruments = ["SALT", "IGA", "IGA-CHE", "lesion count"]
    assert patterns.outcome_measure({"abstract": "SALT50 at week 24"}, instruments).value == "SALT"
    assert patterns.outcome_measure({"abstract": "IGA-CHE success"}, instruments).value == "IGA-CHE"
    assert patterns.outcome_measure({"abstract": "SALTY"}, instruments).value is None
    assert patterns.outcome_measure({"abstract": "SALT"}, []).value is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Her current flare cleared with topical ruxolitinib.", "complete"),
        ("The SALT50 response rate did not differ significantly from vehicle.", "none"),
        ("Total lesion count fell by a median of 50 lesions.", "partial"),
        # A sentence about earlier treatments says nothing about this one.
        ("Earlier treatments had failed. Lesions improved on ruxolitinib.", "partial"),
        ("Plasma levels were measured.", None),
    ],
)
def test_response(text, expected):
    assert found(patterns.response, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("At week 12, 13 of 15 (86%) reached HECSI-75.", 13),
        ("Four of the six regrew some hair.", 4),
        ("2 of 3 centres enrolled patients.", None),
    ],
)
def test_n_responders(text, expected):
    assert found(patterns.n_responders, text) == expected


def test_adverse_events_quote_the_sentence_with_its_span():
    text = "Lesions cleared. No clinical side effects occurred. Follow-up was short."
    result = patterns.adverse_events({"abstract": text})
    assert result.value == "No clinical side effects occurred."
    start, end = (int(x) for x in result.source[len("abstract[") : -1].split(":"))
    assert text[start:end] == result.value
