"""Synthetic bibliographic records with realistic duplicate variants, for scale benchmarks.

A study exported by several databases comes back with its title re-cased or re-punctuated
(sometimes with a typo), its DOI missing or prefixed, its journal abbreviated, its authors'
given names cut to initials, its year shifted by online-first publication, and its pages
written "221-8" instead of "221-228". Hard negatives are included as well: "Part 1"/"Part 2"
siblings and errata, which share most of a title with a different study but are not duplicates.
"""

from __future__ import annotations

import random

import pandas as pd

from prismaflow.records import records_table

WORDS = (
    "topical oral systemic therapy treatment patients children adults randomized controlled "
    "trial cohort study outcomes efficacy safety long-term short-term effect effects inhibitor "
    "inhibitors janus kinase cream ointment gel dermatitis psoriasis vitiligo alopecia areata "
    "lichen planus eczema chronic acute severe moderate mild response remission relapse risk "
    "factors analysis meta-analysis review case series report evidence clinical practice "
    "guideline quality life burden disease skin hair nail pruritus itch inflammation immune "
    "cytokine signalling pathway expression biomarkers genetic phenotype prevalence incidence "
    "population-based registry hospital primary care follow-up versus placebo vehicle dose "
    "pharmacokinetics tolerability adherence cost-effectiveness diabetes obesity insulin "
    "cardiovascular mortality morbidity surgery postoperative complications respiratory asthma "
    "pulmonary infection antibiotic resistance vaccine trial-based observational retrospective "
    "prospective multicentre international national survey questionnaire validation"
).split()
SURNAMES = [
    *(
        "Smith Jones Garcia Müller Rossi Dubois Kim Lee Wang Zhang Nguyen Kowalski Novak Silva "
        "Santos Andersen Johansson Virtanen Papadopoulos Yilmaz Cohen Levi Sato Suzuki Tanaka "
        "Patel Shah Singh Khan Ahmed Okafor Mensah Kariuki Hughes Murphy O'Brien Fischer Schneider "
        "Weber Moreau Laurent Ricci Greco Costa Ferreira Ivanova Petrov"
    ).split(),
    "van Dijk",
    "de Vries",
    "Abdel Aziz",
]
GIVEN = "Anna John Maria Peter Laura Michael Sofia David Elena Thomas Julia Marco".split()
JOURNAL_WORDS = (
    "Journal Clinical Experimental Dermatology Medicine Research Reviews "
    "International European American British Annals Archives Investigative "
    "Pediatric Respiratory Endocrinology Diabetes Immunology Therapy"
).split()


def _journals(rng: random.Random, n: int) -> list[tuple[str, str]]:
    journals = []
    for _ in range(n):
        words = rng.sample(JOURNAL_WORDS, rng.randint(2, 4))
        journals.append((" ".join(words), " ".join(w[: rng.randint(3, 5)] for w in words)))
    return journals


def _study(rng: random.Random, journals: list[tuple[str, str]], number: int) -> dict:
    words = rng.sample(WORDS, rng.randint(7, 15))
    title = " ".join(words).capitalize()
    if rng.random() < 0.3:
        cut = rng.randint(3, len(words) - 2)
        title = " ".join(words[:cut]).capitalize() + ": " + " ".join(words[cut:])
    first_page = rng.randint(1, 3000)
    year = rng.randint(1990, 2024)
    full, abbrev = rng.choice(journals)
    return {
        "title": title,
        "authors": [
            f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)} {rng.choice('ABCDEFGH')}"
            for _ in range(rng.randint(1, 8))
        ],
        "year": year,
        "journal": full,
        "journal_abbrev": abbrev,
        "volume": str(rng.randint(1, 120)),
        "issue": str(rng.randint(1, 12)),
        "pages": f"{first_page}-{first_page + rng.randint(2, 15)}",
        "doi": f"10.{rng.randint(1000, 9999)}/j.{year}.{number:07d}"
        if rng.random() < 0.8
        else None,
        "pmid": str(10_000_000 + number) if rng.random() < 0.6 else None,
    }


def _typo(rng: random.Random, text: str) -> str:
    position = rng.randrange(len(text))
    return text[:position] + rng.choice("aeiourstn") + text[position + 1 :]


def _variant(rng: random.Random, study: dict) -> dict:
    """The same study as another database exports it."""
    copy = dict(study)
    roll = rng.random()
    if roll < 0.25:
        copy["title"] = copy["title"].upper()
    elif roll < 0.5:
        copy["title"] = copy["title"].title().replace(": ", " - ")
    elif roll < 0.6:
        copy["title"] = _typo(rng, copy["title"])
    else:
        copy["title"] = copy["title"] + "."
    if copy["doi"] and rng.random() < 0.3:
        copy["doi"] = None
    if rng.random() < 0.5:
        copy["journal"] = copy["journal_abbrev"]
    copy["journal_abbrev"] = None
    if rng.random() < 0.5:
        copy["authors"] = [  # "van Dijk Anna B" -> "van Dijk AB"
            f"{surname} {given[0]}{initial}"
            for surname, given, initial in (a.rsplit(" ", 2) for a in copy["authors"])
        ]
    if rng.random() < 0.1:
        copy["year"] += rng.choice((-1, 1))
    if rng.random() < 0.3:  # "221-228" written "221-8": the last page's shared digits dropped
        first, last = copy["pages"].split("-")
        differ = (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b)
        shared = next(differ, len(last) - 1)
        copy["pages"] = f"{first}-{last[shared:]}"
    if rng.random() < 0.5:
        copy["pmid"] = None
    return copy


def synthetic_records(n: int, seed: int = 1) -> tuple[pd.DataFrame, list[list[str]]]:
    """About n records in the canonical schema, and the gold clusters of duplicates."""
    rng = random.Random(seed)
    journals = _journals(rng, max(20, n // 200))
    rows: list[dict] = []
    gold: list[list[str]] = []
    number = 0

    def add(record: dict) -> str:
        record_id = f"syn:{len(rows):07d}"
        rows.append(
            {**record, "record_id": record_id, "source": "synthetic", "source_id": record_id[4:]}
        )
        return record_id

    while len(rows) < n:
        number += 1
        study = _study(rng, journals, number)
        base_title, roll = study["title"], rng.random()
        if roll < 0.02:  # a series: "Part 1" here, "Part 2" a different study below
            study["title"] = base_title + ". Part 1"
        members = [add(study)]
        if rng.random() < 0.3:
            members += [add(_variant(rng, study)) for _ in range(rng.randint(1, 3))]
        if len(members) > 1:
            gold.append(members)
        if roll < 0.02:
            number += 1
            sibling = _study(rng, journals, number)
            add({**sibling, "title": base_title + ". Part 2", "authors": study["authors"]})
        elif roll < 0.03:  # an erratum to the study: its own record, never a duplicate
            number += 1
            add(
                {
                    **_study(rng, journals, number),
                    "title": "Erratum: " + base_title,
                    "journal": study["journal"],
                    "year": study["year"],
                }
            )
    return records_table(rows[:n]).to_pandas(), [
        [m for m in cluster if int(m[4:]) < n]
        for cluster in gold
        if sum(int(m[4:]) < n for m in cluster) > 1
    ]
