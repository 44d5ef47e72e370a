"""Relevance ranking in active-learning simulations, beside ASReview's default model.

Run: python benchmarks/screening.py CSV [CSV ...] [--seeds N] [--json OUT] [--plot DIR]

Each CSV is in the ASReview dataset layout (record_id, title, abstract, ..., label_included).
For every seed both models start from the same prior knowledge: one relevant and one
irrelevant record drawn with that seed. Each then screens one record at a time, the highest
ranked, and retrains after every label until all relevant records are found.
- prismaflow: prismaflow.screen.ranking, run through the loop below;
- asreview: ASReview's own Simulate with its default model (needs `pip install -e .[benchmark]`).
Ties in the ranking are broken at random, from the seed (not by row order, which would let
the order of a file's rows move the figures). Metrics: WSS@95 (work saved over random screening
at 95 % recall), WSS@100 (at the last relevant record), recall after 10 % of the records were
screened, RRF@10 (the same as a percentage, as ASReview reports it), and where the protocol's
stopping criterion (screen.stopping: the hypergeometric test, `--stop-recall`,
`--stop-confidence`) would have stopped each run: the recall actually reached then and the
work saved. The criterion is checked every N/400 records, so a stop is reported at most that
late. `--json` holds the means and every seed's values.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pandas as pd

from prismaflow.screen import ranking, stopping

MODELS = ("prismaflow", "asreview")
STOPPING = {"recall": 0.95, "confidence": 0.95}


def load(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(path).fillna({"title": "", "abstract": ""})
    return frame, frame["label_included"].to_numpy().astype(int)


def prior(labels: np.ndarray, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    return [
        int(rng.choice(np.flatnonzero(labels == 1))),
        int(rng.choice(np.flatnonzero(labels == 0))),
    ]


def wss_at(order: np.ndarray, labels: np.ndarray, recall: float = 0.95) -> float:
    """Work saved over sampling at a recall level: the share of records left unscreened when
    that recall is reached, minus the share random screening would leave."""
    needed = math.ceil(recall * labels.sum())
    screened = int(np.argmax(np.cumsum(labels[order]) >= needed)) + 1
    return (len(labels) - screened) / len(labels) - (1 - recall)


def stopped_at(order: np.ndarray, labels: np.ndarray, settings: dict) -> dict:
    """Where the stopping criterion first holds along a screening order: records screened,
    the recall actually reached, and the work saved (the share left unscreened)."""
    in_order = labels[order]
    step = max(1, len(labels) // 400)
    for screened in range(step, len(labels) + 1, step):
        if stopping.check(in_order[:screened].tolist(), len(labels), settings).met:
            break
    else:
        screened = len(labels)
    return {
        "stop_screened": screened,
        "stop_recall": float(in_order[:screened].sum() / labels.sum()),
        "stop_work_saved": 1 - screened / len(labels),
    }


def recall_after(order: np.ndarray, labels: np.ndarray, share: float = 0.10) -> float:
    screened = math.ceil(share * len(labels))
    return float(labels[order[:screened]].sum() / labels.sum())


def prismaflow_order(frame: pd.DataFrame, labels: np.ndarray, seed: int) -> np.ndarray:
    texts = [
        ranking.record_text(t, a, None)
        for t, a in zip(frame["title"], frame["abstract"], strict=True)
    ]
    matrix = ranking.features(texts).matrix
    labelled = prior(labels, seed)
    rng = np.random.default_rng(seed)
    pool = np.setdiff1d(np.arange(len(labels)), labelled)
    while labels[labelled].sum() < labels.sum() and len(pool):
        model = ranking.fit(matrix[labelled], labels[labelled])
        scores = ranking.scores(model, matrix[pool])
        best = int(rng.choice(pool[scores == scores.max()]))  # ties: at random, by the seed
        labelled.append(best)
        pool = pool[pool != best]
    return np.array([*labelled, *rng.permutation(pool)])


def asreview_order(frame: pd.DataFrame, labels: np.ndarray, seed: int) -> np.ndarray:
    from asreview.learner import ActiveLearningCycle
    from asreview.models.models import get_ai_config
    from asreview.simulation.simulate import Simulate

    np.random.seed(seed)  # ASReview's components draw from NumPy's global state
    cycle = ActiveLearningCycle.from_meta(get_ai_config()["value"])
    simulation = Simulate(frame[["title", "abstract"]], labels, [cycle], print_progress=False)
    simulation.label(prior(labels, seed))
    simulation.review()
    order = simulation._results["record_id"].astype(int).tolist()
    seen = set(order)
    return np.array(order + [i for i in range(len(labels)) if i not in seen])


def simulate(job: tuple[str, str, int, dict]) -> dict:
    path, model, seed, settings = job
    frame, labels = load(Path(path))
    order = (prismaflow_order if model == "prismaflow" else asreview_order)(frame, labels, seed)
    found = np.cumsum(labels[order]) / labels.sum()
    return {
        "dataset": Path(path).stem,
        "model": model,
        "seed": seed,
        "wss95": wss_at(order, labels),
        "wss100": wss_at(order, labels, 1.0),
        "recall_at_10pct": recall_after(order, labels),
        **stopped_at(order, labels, settings),
        "curve": found.tolist(),
    }


def summarise(runs: list[dict]) -> list[dict]:
    frame = pd.DataFrame(runs)
    rows = []
    for (dataset, model), group in frame.groupby(["dataset", "model"], sort=True):
        rows.append(
            {
                "dataset": dataset,
                "model": model,
                "wss95": round(group["wss95"].mean(), 4),
                "wss100": round(group["wss100"].mean(), 4),
                "recall_at_10pct": round(group["recall_at_10pct"].mean(), 4),
                "rrf10": round(100 * group["recall_at_10pct"].mean(), 2),
                "stop_recall": round(group["stop_recall"].mean(), 4),
                "stop_recall_min": round(group["stop_recall"].min(), 4),
                "stop_work_saved": round(group["stop_work_saved"].mean(), 4),
                "seeds": sorted(group["seed"].tolist()),
                "per_seed": group.drop(columns=["dataset", "model", "curve"]).to_dict("records"),
            }
        )
    return rows


def plot(runs: list[dict], folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(runs)
    for dataset, group in frame.groupby("dataset"):
        figure, axes = plt.subplots(figsize=(6, 4))
        for model, runs_of_model in group.groupby("model"):
            curve = np.mean(np.vstack(runs_of_model["curve"].tolist()), axis=0)
            axes.plot(np.arange(1, len(curve) + 1) / len(curve), curve, label=model)
        axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="random")
        axes.set(xlabel="share of records screened", ylabel="recall", title=dataset)
        axes.legend()
        figure.savefig(folder / f"recall_{dataset}.png", dpi=120, bbox_inches="tight")
        plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="+", type=Path)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path, help="folder for recall-curve PNGs")
    parser.add_argument("--stop-recall", type=float, default=STOPPING["recall"])
    parser.add_argument("--stop-confidence", type=float, default=STOPPING["confidence"])
    args = parser.parse_args()
    settings = {"recall": args.stop_recall, "confidence": args.stop_confidence}
    models = list(MODELS)
    try:
        import asreview  # noqa: F401
    except ImportError:
        print(
            "asreview is not installed (pip install -e '.[benchmark]'); prismaflow only",
            file=sys.stderr,
        )
        models.remove("asreview")
    jobs = [(str(p), m, s, settings) for p in args.csv for m in models for s in range(args.seeds)]
    with Pool(2) as pool:
        runs = pool.map(simulate, jobs)
    rows = summarise(runs)
    print(pd.DataFrame(rows).drop(columns=["seeds", "per_seed"]).to_string(index=False))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    if args.plot:
        plot(runs, args.plot)


if __name__ == "__main__":
    main()
