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
