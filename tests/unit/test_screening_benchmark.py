"""The screening benchmark's metrics and simulation loop (benchmarks/screening.py)."""

import sys

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import screening as benchmark

LABELS = np.array([0] * 16 + [1] * 4)  # 20 records, 4 relevant


def test_wss95_and_recall_after_10_percent_by_hand():
    perfect = np.r_[16:20, 0:16]
    # 95 % of 4 relevant means all 4: found after 4 of 20 screened; 16/20 - 0.05 = 0.75
    assert benchmark.wss_at(perfect, LABELS) == pytest.approx(0.75)
    assert benchmark.recall_after(perfect, LABELS) == 0.5  # 2 screened, both relevant
    worst = np.r_[0:20]
    assert benchmark.wss_at(worst, LABELS) == pytest.approx(-0.05)
    assert benchmark.recall_after(worst, LABELS) == 0.0


def test_priors_are_one_relevant_and_one_irrelevant_and_repeatable():
    first = benchmark.prior(LABELS, 3)
    assert first == benchmark.prior(LABELS, 3)
    assert sorted(LABELS[first].tolist()) == [0, 1]


def test_the_loop_finds_every_relevant_record_and_ranks_them_early():
    words = ["topical cream lichen planus response", "oral tablets myelofibrosis anaemia"]
    frame = pd.DataFrame(
        {
            "title": [words[int(x)] + f" study {i}" for i, x in enumerate(LABELS == 0)],
            "abstract": "",
        }
    )
    labels = LABELS
    order = benchmark.prismaflow_order(frame, labels, seed=0)
    assert sorted(order.tolist()) == list(range(20))
    assert benchmark.wss_at(order, labels) > 0.5


def test_the_stopping_criterion_is_evaluated_where_it_first_holds():
    labels = np.array([1] * 30 + [0] * 970)
    stopped = benchmark.stopped_at(np.arange(1000), labels, {"recall": 0.9, "confidence": 0.9})
    assert stopped["stop_recall"] == 1.0 and 30 < stopped["stop_screened"] < 1000
    assert stopped["stop_work_saved"] == pytest.approx(1 - stopped["stop_screened"] / 1000)
    # Relevant records spread evenly give no evidence to stop before the end.
    spread = np.array(([1] + [0] * 9) * 100)
    late = benchmark.stopped_at(np.arange(1000), spread, {"recall": 0.95, "confidence": 0.95})
    assert late["stop_screened"] > 900


def test_ties_in_the_ranking_are_broken_by_the_seed_not_by_row_order():
    # The relevant records share one text and the rest another: every pick is a tie, which
    # row order would settle lowest row first, for every seed.
    titles = ["topical cream response" if x else "oral tablets anaemia" for x in LABELS]
    frame = pd.DataFrame({"title": titles, "abstract": ""})
    picks = [benchmark.prismaflow_order(frame, LABELS, seed)[2:5].tolist() for seed in range(6)]
    assert all(LABELS[p].all() for p in picks)  # the three left relevant come next...
    assert any(p != sorted(p) for p in picks)  # ...in an order the seed decides
