"""Writes exports/*.ris, the second embedded review's records, byte for byte.

The records are real publications: the 13 trials of BCG vaccine that Colditz et al. (JAMA
1994;271:698-702) pooled and metafor ships as dat.bcg, two later reports of two of them, and
six publications that cite them (reviews, meta-analyses, a statistical method). Their
bibliographic details were transcribed by hand from the reference lists of those sources into
RIS; years follow dat.bcg. They were not exported from a database, and pages and issues were not
checked against the journals. The split into two files, with two records in both, lets the
example show deduplication.

Run from this folder: python build_exports.py
"""

from pathlib import Path

Entry = tuple[
    str, list[str], str, str, int, str, str | None, str, str | None, str | None, list[str]
]

TRIALS: list[Entry] = [
    (
        "Aronson JD",
        [],
        "Protective vaccination against tuberculosis with special reference to BCG vaccination",
        "American Review of Tuberculosis",
        1948,
        "58",
        "3",
        "255",
        "281",
        None,
        ["Journal Article"],
    ),
    (
        "Ferguson RG",
        ["Simes AB"],
        "BCG vaccination of Indian infants in Saskatchewan",
        "Tubercle",
        1949,
        "30",
        "1",
        "5",
        "11",
        None,
        ["Journal Article"],
    ),
    (
        "Rosenthal SR",
        ["Loewinsohn E", "Graham ML", "Liveright D", "Thorne MG", "Johnson V"],
        "BCG vaccination in tuberculous households",
        "American Review of Respiratory Disease",
        1960,
        "84",
        None,
        "690",
        "704",
        None,
        ["Journal Article"],
    ),
    (
        "Hart PD",
        ["Sutherland I"],
        "BCG and vole bacillus vaccines in the prevention of tuberculosis in adolescence and early adult life",
        "British Medical Journal",
        1977,
        "2",
        "6082",
        "293",
        "295",
        "10.1136/bmj.2.6082.293",
        ["Clinical Trial", "Journal Article"],
    ),
    (
        "Frimodt-Moller J",
        ["Acharyulu GS", "Pillai KK"],
        "Observations on the protective effect of BCG vaccination in a South Indian rural population: fourth report",
        "Bulletin of the International Union against Tuberculosis",
        1973,
        "48",
        None,
        "40",
        "52",
        None,
        ["Journal Article"],
    ),
    (
        "Stein SC",
        ["Aronson JD"],
        "The occurrence of pulmonary lesions in BCG-vaccinated and unvaccinated persons",
        "American Review of Tuberculosis",
        1953,
        "68",
        "5",
        "695",
        "712",
        None,
        ["Journal Article"],
    ),
    (
        "Vandiviere HM",
        ["Dworski M", "Melvin IG", "Watson KA", "Begley J"],
        "Efficacy of bacillus Calmette-Guerin and isoniazid-resistant bacillus Calmette-Guerin with and without isoniazid chemoprophylaxis from day of vaccination. II. Field trial in man",
        "American Review of Respiratory Disease",
        1973,
        "108",
        "2",
        "301",
        "313",
        None,
        ["Clinical Trial", "Journal Article"],
    ),
    (
        "Tuberculosis Prevention Trial, Madras",
        [],
        "Trial of BCG vaccines in south India for tuberculosis prevention",
        "Indian Journal of Medical Research",
        1980,
        "72",
        "Suppl",
        "1",
        "74",
        None,
        ["Clinical Trial", "Journal Article"],
    ),
    (
        "Coetzee AM",
        ["Berjak J"],
        "BCG in the prevention of tuberculosis in an adult population",
        "Proceedings of the Mine Medical Officers Association",
        1968,
        "48",
        None,
        "41",
        "53",
        None,
        ["Journal Article"],
    ),
    (
        "Rosenthal SR",
        ["Loewinsohn E", "Graham ML", "Liveright D", "Thorne MG", "Johnson V"],
        "BCG vaccination against tuberculosis in Chicago: a twenty-year study statistically analyzed",
        "Pediatrics",
        1961,
        "28",
        None,
        "622",
        "641",
        None,
        ["Journal Article"],
    ),
    (
        "Comstock GW",
        ["Livesay VT", "Woolpert SF"],
        "Evaluation of BCG vaccination among Puerto Rican children",
        "American Journal of Public Health",
        1974,
        "64",
        "3",
        "283",
        "291",
        "10.2105/ajph.64.3.283",
        ["Journal Article"],
    ),
    (
        "Comstock GW",
        ["Webster RG"],
        "Tuberculosis studies in Muscogee County, Georgia. VII. A twenty-year evaluation of BCG vaccination in a school population",
        "American Review of Respiratory Disease",
        1969,
        "100",
        "6",
        "839",
        "845",
        None,
        ["Journal Article"],
    ),
    (
        "Comstock GW",
        ["Woolpert SF", "Livesay VT"],
        "Tuberculosis studies in Muscogee County, Georgia. Twenty-year evaluation of a community trial of BCG vaccination",
        "Public Health Reports",
        1976,
        "91",
        "3",
        "276",
        "280",
        None,
        ["Journal Article"],
    ),
]
LATER_REPORTS: list[Entry] = [
    (
        "Aronson JD",
        ["Aronson CF", "Taylor HC"],
        "A twenty-year appraisal of BCG vaccination in the control of tuberculosis",
        "Archives of Internal Medicine",
        1958,
        "101",
        "5",
        "881",
        "893",
        None,
        ["Journal Article"],
    ),
    (
        "Tuberculosis Research Centre (ICMR), Chennai",
        [],
        "Fifteen year follow up of trial of BCG vaccines in south India for tuberculosis prevention",
        "Indian Journal of Medical Research",
        1999,
        "110",
        None,
        "56",
        "69",
        None,
        ["Clinical Trial", "Journal Article"],
    ),
]
COLDITZ: Entry = (
    "Colditz GA",
    ["Brewer TF", "Berkey CS", "Wilson ME", "Burdick E", "Fineberg HV", "Mosteller F"],
    "Efficacy of BCG vaccine in the prevention of tuberculosis. Meta-analysis of the published literature",
    "JAMA",
    1994,
    "271",
    "9",
    "698",
    "702",
    "10.1001/jama.1994.03510330076038",
    ["Meta-Analysis", "Journal Article"],
)
CITING: list[Entry] = [
    COLDITZ,
    (
        "Fine PE",
        [],
        "Variation in protection by BCG: implications of and for heterologous immunity",
        "Lancet",
        1995,
        "346",
        "8986",
        "1339",
        "1345",
        "10.1016/s0140-6736(95)92348-9",
        ["Review", "Journal Article"],
    ),
    (
        "Mangtani P",
        [
            "Abubakar I",
            "Ariti C",
            "Beynon R",
            "Pimpin L",
            "Fine PE",
            "Rodrigues LC",
            "Smith PG",
            "Lipman M",
            "Whiting PF",
            "Sterne JA",
        ],
        "Protection by BCG vaccine against tuberculosis: a systematic review of randomized controlled trials",
        "Clinical Infectious Diseases",
        2014,
        "58",
        "4",
        "470",
        "480",
        "10.1093/cid/cit790",
        ["Systematic Review", "Journal Article"],
    ),
    (
        "Roy A",
        [
            "Eisenhut M",
            "Harris RJ",
            "Rodrigues LC",
            "Sridhar S",
            "Habermann S",
            "Snell L",
            "Mangtani P",
            "Adetifa I",
            "Lalvani A",
            "Abubakar I",
        ],
        "Effect of BCG vaccination against Mycobacterium tuberculosis infection in children: systematic review and meta-analysis",
        "BMJ",
        2014,
        "349",
        None,
        "g4643",
        None,
        "10.1136/bmj.g4643",
        ["Systematic Review", "Meta-Analysis", "Journal Article"],
    ),
    (
        "Rodrigues LC",
        ["Diwan VK", "Wheeler JG"],
        "Protective effect of BCG against tuberculous meningitis and miliary tuberculosis: a meta-analysis",
        "International Journal of Epidemiology",
        1993,
        "22",
        "6",
        "1154",
        "1158",
        "10.1093/ije/22.6.1154",
        ["Meta-Analysis", "Journal Article"],
    ),
    (
        "Berkey CS",
        ["Hoaglin DC", "Mosteller F", "Colditz GA"],
        "A random-effects regression model for meta-analysis",
        "Statistics in Medicine",
        1995,
        "14",
        "4",
        "395",
        "411",
        "10.1002/sim.4780140406",
        ["Journal Article"],
    ),
    TRIALS[3],  # Hart and Sutherland, in both files: the duplicate dedupe removes
]


def ris(entries: list[Entry]) -> str:
    lines = []
    for first, others, title, journal, year, volume, issue, start, end, doi, types in entries:
        lines += ["TY  - JOUR", *(f"AU  - {a}" for a in [first, *others])]
        lines += [f"TI  - {title}", f"JO  - {journal}", f"PY  - {year}", f"VL  - {volume}"]
        lines += [f"IS  - {issue}"] if issue else []
        lines += [f"SP  - {start}"] + ([f"EP  - {end}"] if end else [])
        lines += [f"DO  - {doi}"] if doi else []
        lines += ["LA  - eng", *(f"M3  - {t}" for t in types), "ER  - ", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    Path("exports/trial_reports.ris").write_text(ris([*TRIALS, *LATER_REPORTS, COLDITZ]))
    Path("exports/related_literature.ris").write_text(ris(CITING))
