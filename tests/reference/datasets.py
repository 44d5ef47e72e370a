"""Published data sets the synthesis is checked on, as metafor ships them (package metadat),
with their sources. Each is a list of studies; each study a mapping of prismaflow's data roles
(prismaflow.measures) and the fields that describe it."""

from __future__ import annotations

from typing import Any

Study = dict[str, Any]


def _rows(columns: str, rows: list[tuple]) -> list[Study]:
    names = columns.split()
    return [dict(zip(names, row, strict=True)) for row in rows]


# dat.bcg: Colditz et al., JAMA 1994;271:698-702. 13 trials of BCG vaccine against
# tuberculosis: cases and participants, vaccinated and not; how they allocated.
BCG = _rows(
    "trial events total control_events control_total allocation",
    [
        ("Aronson 1948", 4, 123, 11, 139, "random"),
        ("Ferguson & Simes 1949", 6, 306, 29, 303, "random"),
        ("Rosenthal et al 1960", 3, 231, 11, 220, "random"),
        ("Hart & Sutherland 1977", 62, 13598, 248, 12867, "random"),
        ("Frimodt-Moller et al 1973", 33, 5069, 47, 5808, "alternate"),
        ("Stein & Aronson 1953", 180, 1541, 372, 1451, "alternate"),
        ("Vandiviere et al 1973", 8, 2545, 10, 629, "random"),
        ("TPT Madras 1980", 505, 88391, 499, 88391, "random"),
        ("Coetzee & Berjak 1968", 29, 7499, 45, 7277, "random"),
        ("Rosenthal et al 1961", 17, 1716, 65, 1665, "systematic"),
        ("Comstock et al 1974", 186, 50634, 141, 27338, "systematic"),
        ("Comstock & Webster 1969", 5, 2498, 3, 2341, "systematic"),
        ("Comstock et al 1976", 27, 16913, 29, 17854, "systematic"),
    ],
)

# dat.normand1999: Normand, Stat Med 1999;18:321-59 (Tables VIII-IX). Length of hospital stay
# (days) in specialised stroke care against routine care: mean, SD and n per arm.
NORMAND = _rows(
    "trial total mean sd control_total control_mean control_sd",
    [
        ("Edinburgh", 155, 55, 47, 156, 75, 64),
        ("Orpington-Mild", 31, 27, 7, 32, 29, 4),
        ("Orpington-Moderate", 75, 64, 17, 71, 119, 29),
        ("Orpington-Severe", 18, 66, 20, 18, 137, 48),
        ("Montreal-Home", 8, 14, 8, 13, 18, 11),
        ("Montreal-Transfer", 57, 19, 7, 52, 18, 4),
        ("Newcastle", 34, 52, 45, 33, 41, 34),
        ("Umea", 110, 21, 16, 183, 31, 27),
        ("Uppsala", 60, 30, 27, 52, 23, 20),
    ],
)

# dat.li2007: Li et al., Cochrane Database Syst Rev 2007 (CD002755). Intravenous magnesium in
# acute myocardial infarction: deaths and patients per arm; Urek 1996 and Santoro 2000 have a
# zero cell. The last study, with no death in either arm, is ours: a double-zero trial added to
# test that convention (metafor's escalc keeps it, 0.5 added to each cell; drop00 drops it).
LI = _rows(
    "trial events total control_events control_total",
    [
        ("Morton 1984", 1, 40, 2, 36),
        ("Rasmussen 1986", 4, 56, 14, 74),
        ("Smith 1986", 2, 92, 7, 93),
        ("Abraham 1987", 1, 48, 1, 46),
        ("Ceremuzynski 1989", 1, 25, 3, 23),
        ("Shechter 1990", 1, 50, 9, 53),
        ("Singh 1990", 6, 81, 11, 81),
        ("Feldstedt 1991", 10, 150, 8, 148),
        ("Shechter 1991", 2, 21, 4, 25),
        ("Woods 1992", 90, 1150, 118, 1150),
        ("Wu 1992", 5, 125, 12, 102),
        ("Thogersen 1995", 4, 130, 8, 122),
        ("Shechter 1995", 4, 96, 17, 98),
        ("ISIS-4 1995", 2216, 29011, 2103, 29039),
        ("Bhargava 1995", 3, 40, 3, 38),
        ("Urek 1996", 1, 31, 0, 30),
        ("Raghu 1999", 6, 169, 18, 181),
        ("MAGIC 2000", 475, 3113, 472, 3100),
        ("Gyamlani 2000", 2, 50, 10, 50),
        ("Santoro 2000", 0, 75, 1, 75),
        ("Zhu 2002", 101, 1691, 134, 1488),
        ("Nakashima 2004", 1, 89, 3, 91),
        ("no deaths (added)", 0, 20, 0, 20),
    ],
)

# dat.pritz1997: Pritz, Neurosurgery 1997. Patients with a favourable outcome after
# subarachnoid haemorrhage surgery, of those operated: proportions, two of them n/n.
PRITZ = _rows(
    "trial events total",
    [
        ("Giannotta et al.", 16, 17),
        ("Haraguchi and Ebina", 10, 12),
        ("Swift and Solomon", 4, 8),
        ("Kassell et al.", 43, 58),
        ("Tanabe et al.", 10, 10),
        ("Awad et al.", 25, 42),
        ("Finn et al.", 13, 14),
        ("Hadeishi et al.", 12, 12),
        ("Otsubo et al.", 22, 41),
        ("Muizelaar and Becker", 4, 5),
        ("Rosenstein et al.", 5, 6),
        ("Levy et al.", 18, 23),
        ("Shimoda et al.", 58, 68),
        ("Solomon et al.", 6, 10),
    ],
)

# dat.hackshaw1998: Hackshaw et al., BMJ 1997;315:980-8. Lung cancer in never-smokers whose
# spouse smoked: each study's odds ratio as published, with its 95% interval, and the log odds
# ratio's variance metafor gives (its square root is the standard error on the log scale).
HACKSHAW = _rows(
    "trial design estimate ci_low ci_high log_estimate variance",
    [
        ("Garfinkel 1981", "cohort", 1.18, 0.90, 1.54, 0.1655, 0.0188),
        ("Hirayama 1984", "cohort", 1.45, 1.02, 2.08, 0.3716, 0.0330),
        ("Butler 1988", "cohort", 2.02, 0.48, 8.56, 0.7031, 0.5402),
        ("Cardenas 1997", "cohort", 1.20, 0.80, 1.60, 0.1823, 0.0313),
        ("Chan 1982", "case-control", 0.75, 0.43, 1.30, -0.2877, 0.0797),
        ("Correa 1983", "case-control", 2.07, 0.81, 5.25, 0.7275, 0.2273),
        ("Trichopolous 1983", "case-control", 2.13, 1.19, 3.83, 0.7561, 0.0889),
        ("Buffler 1984", "case-control", 0.80, 0.34, 1.90, -0.2231, 0.1927),
        ("Kabat 1984", "case-control", 0.79, 0.25, 2.45, -0.2357, 0.3390),
        ("Lam 1985", "case-control", 2.01, 1.09, 3.72, 0.6981, 0.0981),
        ("Garfinkel 1985", "case-control", 1.23, 0.81, 1.87, 0.2070, 0.0456),
        ("Wu 1985", "case-control", 1.20, 0.50, 3.30, 0.1823, 0.2317),
        ("Akiba 1986", "case-control", 1.52, 0.87, 2.63, 0.4187, 0.0796),
        ("Lee 1986", "case-control", 1.03, 0.41, 2.55, 0.0296, 0.2174),
        ("Koo 1987", "case-control", 1.55, 0.90, 2.67, 0.4383, 0.0770),
        ("Pershagen 1987", "case-control", 1.03, 0.61, 1.74, 0.0296, 0.0715),
        ("Humble 1987", "case-control", 2.34, 0.81, 6.75, 0.8502, 0.2926),
        ("Lam 1987", "case-control", 1.65, 1.16, 2.35, 0.5008, 0.0324),
        ("Gao 1987", "case-control", 1.19, 0.82, 1.73, 0.1740, 0.0363),
        ("Brownson 1987", "case-control", 1.52, 0.39, 5.96, 0.4187, 0.4839),
        ("Geng 1988", "case-control", 2.16, 1.08, 4.29, 0.7701, 0.1238),
        ("Shimizu 1988", "case-control", 1.08, 0.64, 1.82, 0.0770, 0.0711),
        ("Inoue 1988", "case-control", 2.55, 0.74, 8.78, 0.9361, 0.3982),
        ("Kalandidi 1990", "case-control", 1.62, 0.90, 2.91, 0.4824, 0.0896),
        ("Sobue 1990", "case-control", 1.06, 0.74, 1.52, 0.0583, 0.0337),
        ("Wu-Williams 1990", "case-control", 0.79, 0.62, 1.02, -0.2357, 0.0161),
        ("Liu 1991", "case-control", 0.74, 0.32, 1.69, -0.3011, 0.1802),
        ("Jockel 1991", "case-control", 2.27, 0.75, 6.82, 0.8198, 0.3171),
        ("Brownson 1992", "case-control", 0.97, 0.78, 1.21, -0.0305, 0.0125),
        ("Stockwell 1992", "case-control", 1.60, 0.80, 3.00, 0.4700, 0.1137),
        ("Du 1993", "case-control", 1.19, 0.66, 2.13, 0.1740, 0.0893),
        ("Liu 1993", "case-control", 1.66, 0.73, 3.78, 0.5068, 0.1760),
        ("Fontham 1994", "case-control", 1.26, 1.04, 1.54, 0.2311, 0.0100),
        ("Kabat 1995", "case-control", 1.10, 0.62, 1.96, 0.0953, 0.0862),
        ("Zaridze 1995", "case-control", 1.66, 1.12, 2.45, 0.5068, 0.0399),
        ("Sun 1996", "case-control", 1.16, 0.80, 1.69, 0.1484, 0.0364),
        ("Wang 1996", "case-control", 1.11, 0.67, 1.84, 0.1044, 0.0664),
    ],
)
# The standard error on the log scale, as a form holding an effect with its SE gives it.
for _study in HACKSHAW:
    _study["se"] = _study["variance"] ** 0.5

DATASETS: dict[str, list[Study]] = {
    "bcg": BCG,
    "normand1999": NORMAND,
    "li2007": LI,
    "pritz1997": PRITZ,
    "hackshaw1998": HACKSHAW,
}
