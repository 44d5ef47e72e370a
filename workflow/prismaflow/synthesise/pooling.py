"""Random-effects pooling of study effects (any measure, on its pooling scale): DerSimonian-Laird
through statsmodels and REML by the fixed-point iteration metafor's rma() also converges to,
with Cochran's Q and I² as metafor reports them, a 95% prediction interval, and optionally the
Hartung-Knapp-Sidik-Jonkman interval (metafor's test="knha")."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from prismaflow.synthesise.effects import Z95

REML_TOLERANCE = 1e-10
REML_MAX_ITERATIONS = 1000
# statsmodels is imported where it is used: it costs 0.7 s to import, and the report and the
# extraction sheet read this package without pooling anything.


@dataclass(frozen=True)
class Pooled:
    method: str  # "DL" or "REML"
    studies: int
    estimate: float  # on the pooling scale (logit, log ratio or difference)
    se: float
    ci_low: float
    ci_high: float
    tau2: float  # on the pooling scale
    i2: float  # share of the total variance that is between studies
    q: float
    q_p_value: float  # of Cochran's Q on k - 1 degrees of freedom
    pi_low: float  # where a new study's true effect is expected (95%)
    pi_high: float
    hartung_knapp: bool


def _i2(tau2: float, v: np.ndarray) -> float:
    """tau² / (tau² + s²) with s² the typical within-study variance of Higgins and Thompson
    (2002), as metafor computes it for every estimator; for DerSimonian-Laird it equals
    (Q - df) / Q."""
    w = 1.0 / v
    typical = (len(v) - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2))
    return float(tau2 / (tau2 + typical))


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


def pool(y: np.ndarray, v: np.ndarray, hartung_knapp: bool = False) -> list[Pooled]:
    """DerSimonian-Laird and REML random-effects estimates of two or more studies' effects.

    The interval is mu ± z·se, or with `hartung_knapp` mu ± t(k-1)·se·sqrt(q), q the weighted
    residual variance (not truncated at 1, as in metafor). The prediction interval is
    mu ± crit·sqrt(tau² + se²) with the same critical value, as metafor's predict() gives it.
    """
    from scipy.stats import chi2
    from scipy.stats import t as student

    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k = len(y)
    if k < 2:
        raise ValueError("pooling needs at least two studies")
    if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        # groups.left_out keeps such studies out; reaching here is a bug, never a NaN result
        raise ArithmeticError(f"effects to pool must be finite with positive variances: {y}, {v}")
    q, dl_tau2 = heterogeneity(y, v)
    results = []
    for method, tau2 in (("DL", dl_tau2), ("REML", reml_tau2(y, v))):
        w = 1.0 / (v + tau2)
        mean, se = float(np.sum(w * y) / np.sum(w)), float(np.sqrt(1.0 / np.sum(w)))
        crit = Z95
        if hartung_knapp:
            se *= float(np.sqrt(np.sum(w * (y - mean) ** 2) / (k - 1)))
            crit = float(student.ppf(0.975, k - 1))
        spread = crit * float(np.sqrt(tau2 + se**2))
        results.append(
            Pooled(
                method=method,
                studies=k,
                estimate=mean,
                se=se,
                ci_low=mean - crit * se,
                ci_high=mean + crit * se,
                tau2=tau2,
                i2=_i2(tau2, v),
                q=q,
                q_p_value=float(chi2.sf(q, k - 1)),
                pi_low=mean - spread,
                pi_high=mean + spread,
                hartung_knapp=hartung_knapp,
            )
        )
    return results


@dataclass(frozen=True)
class Difference:
    """A test that estimates differ more than chance allows: Cochran's Q between them."""

    q: float
    df: int
    p_value: float


def between(estimates: np.ndarray, ses: np.ndarray) -> Difference:
    """The test for subgroup differences: the subgroups' estimates (each with its own tau²)
    pooled by inverse variance, their Q on g - 1 degrees of freedom (as RevMan reports it, and
    as metafor's rma(est, sei=se, method="FE") gives it)."""
    from scipy.stats import chi2

    w = 1.0 / np.asarray(ses, dtype=float) ** 2
    y = np.asarray(estimates, dtype=float)
    mean = np.sum(w * y) / np.sum(w)
    q = float(np.sum(w * (y - mean) ** 2))
    return Difference(q, len(y) - 1, float(chi2.sf(q, len(y) - 1)))


@dataclass(frozen=True)
class Regression:
    """Egger's regression test for funnel-plot asymmetry."""

    intercept: float  # the limit estimate: the effect of a study of infinite precision
    slope: float  # on the standard error: asymmetry
    slope_se: float
    t: float
    df: int
    p_value: float


def egger(y: np.ndarray, v: np.ndarray) -> Regression:
    """Egger's test as metafor's regtest(model="lm") computes it: the effects regressed on
    their standard errors by weighted least squares (weights 1/v), the slope tested by t on
    k - 2 degrees of freedom; the same as regressing y/se on 1/se and testing the intercept."""
    from scipy.stats import t as student

    y, v = np.asarray(y, dtype=float), np.asarray(v, dtype=float)
    k = len(y)
    if k < 3:
        raise ValueError("Egger's test needs at least three studies")
    design = np.column_stack([np.ones(k), np.sqrt(v)])
    w = 1.0 / v
    xtwx = design.T @ (design * w[:, None])
    beta = np.linalg.solve(xtwx, design.T @ (w * y))
    residuals = y - design @ beta
    sigma2 = float(np.sum(w * residuals**2) / (k - 2))
    covariance = sigma2 * np.linalg.inv(xtwx)
    slope_se = float(np.sqrt(covariance[1, 1]))
    t = float(beta[1] / slope_se)
    return Regression(
        float(beta[0]), float(beta[1]), slope_se, t, k - 2, float(2 * student.sf(abs(t), k - 2))
    )
