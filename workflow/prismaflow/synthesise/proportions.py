"""Response proportions: Wilson intervals per study and group, and random-effects pooling on
the logit scale (DerSimonian-Laird through statsmodels, REML by Fisher scoring).

The Wilson interval stays inside [0, 1] and behaves at 0/n and n/n, where the small case series
of this literature sit. Pooling works on logits with a 0.5 continuity correction for studies
at 0 or n responders, as is usual for proportions.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

Z95 = 1.959963984540054
REML_TOLERANCE = 1e-10
REML_MAX_ITERATIONS = 1000
# statsmodels is imported where it is used: it costs 0.7 s to import, and the report and the
# extraction sheet read this package without computing an interval.


def wilson_interval(responders: int, patients: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(responders, patients, alpha=0.05, method="wilson")
    return float(low), float(high)


def logit_effects(
    responders: Sequence[int], patients: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Logit proportions and their variances 1/x + 1/(n - x), corrected by 0.5 at 0 or n."""
    x = np.asarray(responders, dtype=float)
    n = np.asarray(patients, dtype=float)
    edge = (x == 0) | (x == n)
    x, n = np.where(edge, x + 0.5, x), np.where(edge, n + 1.0, n)
    return logit(x / n), 1.0 / x + 1.0 / (n - x)


@dataclass(frozen=True)
class Pooled:
    method: str  # "DL" or "REML"
    studies: int
    proportion: float
    ci_low: float
    ci_high: float
    tau2: float  # on the logit scale
    i2: float  # share of variation beyond chance, from Cochran's Q
    q: float


def _i2(q: float, k: int) -> float:
    return max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0


def _random_effects(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[float, float]:
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w)), float(np.sqrt(1.0 / np.sum(w)))


def heterogeneity(y: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """Cochran's Q and the DerSimonian-Laird tau² = (Q - df) / C, from statsmodels, truncated
    at zero as DerSimonian and Laird define it (statsmodels leaves a negative value as it is,
    and warns while deriving statistics from it that are not used here)."""
    from statsmodels.stats.meta_analysis import combine_effects

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = combine_effects(y, v, method_re="dl")
    return float(fit.q), max(0.0, float(fit.tau2))


def reml_tau2(y: np.ndarray, v: np.ndarray) -> float:
    """REML between-study variance by the fixed-point iteration of Viechtbauer (2005), started
    at the DerSimonian-Laird value and truncated at zero."""
    tau2 = heterogeneity(y, v)[1]
    for _ in range(REML_MAX_ITERATIONS):
        w = 1.0 / (v + tau2)
        mu = np.sum(w * y) / np.sum(w)
        updated = max(
            0.0, float(np.sum(w**2 * ((y - mu) ** 2 - v)) / np.sum(w**2) + 1.0 / np.sum(w))
        )
        if abs(updated - tau2) < REML_TOLERANCE:
            return updated
        tau2 = updated
    raise ArithmeticError("REML did not converge; report the DerSimonian-Laird estimate")


def pool(responders: Sequence[int], patients: Sequence[int]) -> list[Pooled]:
    """DerSimonian-Laird and REML random-effects pooled proportions (two or more studies)."""
    if len(responders) < 2:
        raise ValueError("pooling needs at least two studies")
    y, v = logit_effects(responders, patients)
    q, dl_tau2 = heterogeneity(y, v)
    k = len(y)
    results = []
    for method, tau2 in (("DL", dl_tau2), ("REML", reml_tau2(y, v))):
        mean, se = _random_effects(y, v, tau2)
        results.append(
            Pooled(
                method=method,
                studies=k,
                proportion=float(expit(mean)),
                ci_low=float(expit(mean - Z95 * se)),
                ci_high=float(expit(mean + Z95 * se)),
                tau2=tau2,
                i2=_i2(q, k),
                q=q,
            )
        )
    return results
