"""Compare a KPI between two periods: change, calendar normalization, significance, drivers.

:func:`compare` answers the questions to ask before anyone is blamed for a change:

* **Does the data cover both periods?** The coverage (first and last contact, overall and per
  segment; :mod:`kpi_helpers.coverage`) comes with the engine's components. A period the
  data does not cover at all is not a change: the Comparison has no value for it, no change,
  no percentage and no p-value, and says ``no data for November 2026: the data ends on Oct
  31, 2026``. A partly covered period says how many of its days are covered, and the per-day
  figures and the rate test of counts use the covered days (the KPI values themselves keep
  their definition: ``volume_per_day`` is over the period's calendar days). A segment whose
  data starts or stops inside the periods is named in the drivers (``segment_note``).
* **How much is the calendar?** For counts, the values per calendar day and per business
  day (see :class:`~kpi_helpers.calendar.BusinessCalendar`) and their change.
* **Is it larger than noise?** A test fitting the KPI's kind (``Metric.kind``):

  ============  ==========================================================================
  kind          test (two-sided, 95% interval of the change ``b - a``)
  ============  ==========================================================================
  proportion    two-proportion z-test, pooled standard error for the p-value; Newcombe's
                hybrid score interval (from two Wilson intervals) for the difference
  mean          Welch's t-test from sum, sum of squares and n (sample variances
                ``(Σx² - (Σx)²/n) / (n - 1)``); interval ``diff ± t(0.975, df) · SE`` with the
                Welch-Satterthwaite df. NPS is the mean of +1/0/-1 per answer, times 100
  count,        Poisson rate test with exposure = calendar days: the conditional binomial
  per_day       exact test ``binomtest(k_b, k_a + k_b, days_b / (days_a + days_b))``;
                Wald interval of the change in the per-day rate
                ``(k_b/d_b - k_a/d_a) ± 1.96 · sqrt(k_a/d_a² + k_b/d_b²)``. Daily volumes are
                usually over-dispersed (weekday patterns), so read small p-values with care
  ratio         none (a ratio of sums of non-binary quantities, e.g. cost per contact, has
                no simple sampling model); ``note`` says so
  quantile      none (no test on aggregated data; a bootstrap needs the raw rows)
  stock         none (a backlog is a snapshot at the period's end, not a count of events)
  ============  ==========================================================================

* **Who drove it?** With ``by=`` a dimension, each segment's contribution to the change.
  For the ratio kinds (``value = scale · Σnum / Σden``: proportions, means, ratios) with
  shares ``w = den_i / Σden`` and rates ``r = num_i / den_i``::

      rate_effect_i = scale · (r_b - r_a) · (w_a + w_b) / 2
      mix_effect_i  = scale · (w_b - w_a) · ((r_a + r_b) / 2 - R)
      contribution  = mix_effect + rate_effect

  with ``R = (V_a + V_b) / (2 · scale)`` the average overall rate (a segment absent from one
  period takes the other period's rate). Centring the mix effect on ``R`` changes no total
  (the shares' changes add up to 0) but credits a segment that grows only when its rate
  differs from the average: without it, a segment at the average rate whose share grows
  would get a large "contribution" that the other segments cancel. ``center_mix=False`` in
  :func:`decompose_change` gives the uncentred ``(w_b - w_a) · (r_a + r_b) / 2``. The
  contributions add up exactly (to floating-point rounding) to the total change. For counts the contribution
  is ``count_b - count_a``; quantiles have no exact decomposition (``contribution`` NaN).

Examples
--------
>>> from kpi_helpers.compare import compare
>>> from kpi_helpers.sample import sample_path
>>> c = compare(sample_path(), "volume", "2026-01", "2026-02", by="channel")
>>> print(c.narrative("en"))  # doctest: +NORMALIZE_WHITESPACE
Volume (contacts offered) fell 10.4% (3,864 → 3,461). February 2026 had 3 fewer calendar
days than January 2026; per day the change is −0.8% (124.6 → 123.6 per day), within normal
variation (p = 0.73). The largest contribution came from channel email (−107).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .coverage import Coverage, PeriodCoverage
from .errors import OptionError, PeriodError
from .i18n import (
    format_date,
    format_duration,
    format_number,
    format_p_value,
    format_percent,
    format_signed_percent,
    format_value,
    normalize_lang,
    segment_label,
    t,
)
from .periods import Period, parse_period

__all__ = [
    "Comparison",
    "compare",
    "compare_many",
    "comparison_from_components",
    "comparison_table",
    "decompose_change",
    "poisson_rate_test",
    "two_proportion_test",
    "welch_test",
    "TestResult",
]

#: Confidence level of every interval; p-values below ``1 - CONFIDENCE`` are "significant".
CONFIDENCE = 0.95
_ALPHA = 1.0 - CONFIDENCE
_RATIO_KINDS = ("proportion", "mean", "ratio")
_COUNT_KINDS = ("count", "per_day")
_TIME_GRAINS = ("day", "week", "month", "quarter", "year")
NAN = float("nan")


def _z() -> float:
    return float(stats.norm.ppf(1.0 - _ALPHA / 2.0))


def _nan(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _f(value) -> float:
    """A float (NaN for missing)."""
    return NAN if _nan(value) else float(value)


# -- statistics on components (pure functions) ----------------------------------------------
@dataclass(frozen=True)
class TestResult:
    """Outcome of a significance test on the change ``b - a``.

    ``p_value``, ``ci_low`` and ``ci_high`` are NaN/None when no test could be run, and
    ``note`` then says why (English; translated in narratives).
    """

    test: str | None
    p_value: float | None
    ci_low: float = NAN
    ci_high: float = NAN
    statistic: float = NAN
    df: float = NAN
    note: str | None = None

    __test__ = False  # not a pytest class


def _no_test(note: str) -> TestResult:
    return TestResult(test=None, p_value=None, note=note)


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    p = x / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_test(x_a: float, n_a: float, x_b: float, n_b: float) -> TestResult:
    """Two-proportion z-test of ``x_b/n_b - x_a/n_a``.

    The p-value uses the pooled standard error ``sqrt(p(1-p)(1/n_a + 1/n_b))`` with
    ``p = (x_a + x_b) / (n_a + n_b)``; the interval is Newcombe's hybrid score interval
    (method 10 of Newcombe 1998) built from the two Wilson score intervals.

    >>> r = two_proportion_test(40, 100, 60, 100)
    >>> round(r.statistic, 4), round(r.p_value, 4)
    (2.8284, 0.0047)
    """
    x_a, n_a, x_b, n_b = map(_f, (x_a, n_a, x_b, n_b))
    if any(math.isnan(v) for v in (x_a, n_a, x_b, n_b)) or n_a <= 0 or n_b <= 0:
        return _no_test("no data in one of the periods")
    if not (0 <= x_a <= n_a and 0 <= x_b <= n_b):
        return _no_test("the counts are not proportions (numerator outside 0..denominator)")
    z = _z()
    p_a, p_b = x_a / n_a, x_b / n_b
    diff = p_b - p_a
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    l_a, u_a = _wilson(x_a, n_a, z)
    l_b, u_b = _wilson(x_b, n_b, z)
    low = diff - math.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2)
    high = diff + math.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2)
    if se == 0.0:  # both periods 0% or both 100%: no difference to test
        return TestResult("two-proportion z-test", 1.0, low, high, 0.0)
    stat = diff / se
    p_value = float(2.0 * stats.norm.sf(abs(stat)))
    return TestResult("two-proportion z-test", p_value, low, high, stat)


def welch_test(
    sum_a: float,
    sumsq_a: float,
    n_a: float,
    sum_b: float,
    sumsq_b: float,
    n_b: float,
    *,
    scale: float = 1.0,
) -> TestResult:
    """Welch's t-test of ``mean_b - mean_a`` from sums, sums of squares and counts.

    Sample variances ``(Σx² - (Σx)²/n) / (n - 1)``; the p-value from
    ``scipy.stats.ttest_ind_from_stats(equal_var=False)``; the interval
    ``scale · (diff ± t(0.975, df) · SE)`` with the Welch-Satterthwaite ``df``.

    >>> r = welch_test(6, 14, 3, 15, 77, 3)   # a = [1, 2, 3], b = [4, 5, 6]
    >>> round(r.statistic, 4), round(r.df, 1), round(r.p_value, 4)
    (3.6742, 4.0, 0.0213)
    """
    sum_a, sumsq_a, n_a, sum_b, sumsq_b, n_b = map(_f, (sum_a, sumsq_a, n_a, sum_b, sumsq_b, n_b))
    if any(math.isnan(v) for v in (sum_a, sumsq_a, n_a, sum_b, sumsq_b, n_b)):
        return _no_test("no data in one of the periods")
    if n_a < 2 or n_b < 2:
        return _no_test("too few observations (fewer than 2 in a period)")
    mean_a, mean_b = sum_a / n_a, sum_b / n_b
    var_a = max((sumsq_a - sum_a * sum_a / n_a) / (n_a - 1.0), 0.0)
    var_b = max((sumsq_b - sum_b * sum_b / n_b) / (n_b - 1.0), 0.0)
    va, vb = var_a / n_a, var_b / n_b
    se = math.sqrt(va + vb)
    if se == 0.0:
        return _no_test("no variation within the periods")
    df = (va + vb) ** 2 / (va * va / (n_a - 1.0) + vb * vb / (n_b - 1.0))
    res = stats.ttest_ind_from_stats(
        mean_b, math.sqrt(var_b), n_b, mean_a, math.sqrt(var_a), n_a, equal_var=False
    )
    diff = mean_b - mean_a
    half = float(stats.t.ppf(1.0 - _ALPHA / 2.0, df)) * se
    return TestResult(
        "Welch's t-test",
        float(res.pvalue),
        scale * (diff - half),
        scale * (diff + half),
        float(res.statistic),
        float(df),
    )


def poisson_rate_test(k_a: float, days_a: float, k_b: float, days_b: float) -> TestResult:
    """Poisson rate test of the per-day rates with exposure = calendar days.

    Conditional exact test: given ``k_a + k_b`` events, ``k_b`` is binomial with
    ``p = days_b / (days_a + days_b)`` under equal rates (``scipy.stats.binomtest``,
    two-sided). The interval is the Wald interval of the per-day rate change
    ``k_b/days_b - k_a/days_a`` (variance ``k_a/days_a² + k_b/days_b²``).

    >>> r = poisson_rate_test(10, 10, 10, 10)
    >>> r.p_value
    1.0
    """
    k_a, days_a, k_b, days_b = map(_f, (k_a, days_a, k_b, days_b))
    if any(math.isnan(v) for v in (k_a, days_a, k_b, days_b)) or days_a <= 0 or days_b <= 0:
        return _no_test("no data in one of the periods")
    if k_a < 0 or k_b < 0 or k_a != round(k_a) or k_b != round(k_b):
        return _no_test("the counts are not whole numbers")
    if k_a + k_b == 0:
        return _no_test("no events in either period")
    p0 = days_b / (days_a + days_b)
    res = stats.binomtest(int(k_b), int(k_a + k_b), p0, alternative="two-sided")
    diff = k_b / days_b - k_a / days_a
    half = _z() * math.sqrt(k_a / days_a**2 + k_b / days_b**2)
    return TestResult(
        "Poisson rate test (exact conditional)",
        float(min(1.0, res.pvalue)),
        diff - half,
        diff + half,
        float(k_b),
    )


def decompose_change(
    seg_a: pd.DataFrame,
    seg_b: pd.DataFrame,
    *,
    kind: str,
    segment: str,
    scale: float = 1.0,
    center_mix: bool = True,
) -> pd.DataFrame:
    """Split the change of a KPI into segment contributions.

    Parameters
    ----------
    seg_a, seg_b : DataFrame
        One row per segment of each period with columns ``segment``, ``num``, ``den``
        (ratio kinds), ``value`` and ``n``. For ``count``/``stock``/``per_day``, ``value``
        is the segment's value; for ``quantile`` only ``value`` and ``n`` are used.
    kind : str
        The KPI's kind (``Metric.kind``).
    segment : str
        The segment column (``"channel"``...).
    scale : float
        ``value = scale · Σnum / Σden`` (100 for NPS).
    center_mix : bool
        Centre the mix effect on the average overall rate (default; see the module
        docstring). Either way the contributions add up to the change.

    Returns
    -------
    DataFrame
        ``segment, value_a, value_b, n_a, n_b, contribution, mix_effect, rate_effect``,
        sorted by ``|contribution|`` descending (for quantiles: by ``|value_b - value_a|``).
        A segment absent from a period has ``value`` NaN and ``n`` 0 there.
    """
    cols = [c for c in ("num", "den", "value", "n") if c in seg_a.columns or c in seg_b.columns]
    a = seg_a[[segment, *[c for c in cols if c in seg_a.columns]]]
    b = seg_b[[segment, *[c for c in cols if c in seg_b.columns]]]
    merged = a.merge(b, on=segment, how="outer", suffixes=("_a", "_b"), sort=True)
    out = pd.DataFrame({segment: merged[segment]})
    for side in ("a", "b"):
        out[f"value_{side}"] = merged.get(f"value_{side}", pd.Series(NAN, index=merged.index))
        n = merged.get(f"n_{side}", pd.Series(NAN, index=merged.index))
        out[f"n_{side}"] = pd.to_numeric(n, errors="coerce").fillna(0)
    out["value_a"] = out["value_a"].astype(float)
    out["value_b"] = out["value_b"].astype(float)
    if kind in _RATIO_KINDS:
        num_a = merged["num_a"].astype(float).fillna(0.0).to_numpy()
        num_b = merged["num_b"].astype(float).fillna(0.0).to_numpy()
        den_a = merged["den_a"].astype(float).fillna(0.0).to_numpy()
        den_b = merged["den_b"].astype(float).fillna(0.0).to_numpy()
        tot_a, tot_b = den_a.sum(), den_b.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            r_a = np.where(den_a > 0, num_a / np.where(den_a > 0, den_a, 1.0), np.nan)
            r_b = np.where(den_b > 0, num_b / np.where(den_b > 0, den_b, 1.0), np.nan)
        out["value_a"] = scale * r_a
        out["value_b"] = scale * r_b
        if tot_a > 0 and tot_b > 0:
            w_a, w_b = den_a / tot_a, den_b / tot_b
            ra = np.where(np.isnan(r_a), r_b, r_a)  # absent: the other period's rate
            rb = np.where(np.isnan(r_b), r_a, r_b)
            ra = np.nan_to_num(ra, nan=0.0)  # absent from both (den 0 twice): weight 0 anyway
            rb = np.nan_to_num(rb, nan=0.0)
            rate = scale * (rb - ra) * (w_a + w_b) / 2.0
            centre = (num_a.sum() / tot_a + num_b.sum() / tot_b) / 2.0 if center_mix else 0.0
            mix = scale * (w_b - w_a) * ((ra + rb) / 2.0 - centre)
            out["contribution"] = mix + rate
            out["mix_effect"] = mix
            out["rate_effect"] = rate
        else:
            out["contribution"] = NAN
            out["mix_effect"] = NAN
            out["rate_effect"] = NAN
        order = out["contribution"].abs()
    elif kind in ("count", "stock", "per_day"):
        out["value_a"] = out["value_a"].fillna(0.0)
        out["value_b"] = out["value_b"].fillna(0.0)
        out["contribution"] = out["value_b"] - out["value_a"]
        out["mix_effect"] = NAN
        out["rate_effect"] = NAN
        order = out["contribution"].abs()
    else:  # quantile: no exact decomposition
        out["contribution"] = NAN
        out["mix_effect"] = NAN
        out["rate_effect"] = NAN
        order = (out["value_b"] - out["value_a"]).abs()
    out = out[
        [segment, "value_a", "value_b", "n_a", "n_b", "contribution", "mix_effect", "rate_effect"]
    ].assign(_order=order.to_numpy())
    out = out.sort_values("_order", ascending=False, na_position="last", kind="mergesort")
    return out.drop(columns="_order").reset_index(drop=True)


# -- the result ------------------------------------------------------------------------------
_NOTE_UNAVAILABLE = "the KPI is unavailable in this data"


@dataclass(eq=False)
class Comparison:
    """The comparison of one KPI between period ``a`` (before) and period ``b`` (after).

    ``change = value_b - value_a``; ``pct_change = change / |value_a|`` (NaN, never inf, when
    ``value_a`` is 0 or missing). ``ci_low``/``ci_high`` bound the change ``b - a`` at 95%
    (for counts: the change in the per-day rate). ``test`` names the test, or is None with
    the reason in ``note``. The per-day fields are NaN for non-count KPIs.
    """

    metric: str
    value_a: float
    value_b: float
    change: float
    pct_change: float
    n_a: float
    n_b: float
    p_value: float | None
    ci_low: float
    ci_high: float
    test: str | None
    period_a: Period
    period_b: Period
    kind: str = ""
    unit: str = ""
    scale: float = 1.0
    higher_is_better: bool | None = None
    note: str | None = None
    days_a: int = 0
    days_b: int = 0
    business_days_a: int = 0
    business_days_b: int = 0
    per_day_a: float = NAN
    per_day_b: float = NAN
    per_day_pct_change: float = NAN
    per_business_day_a: float = NAN
    per_business_day_b: float = NAN
    per_business_day_pct_change: float = NAN
    by: str | None = None
    drivers: pd.DataFrame | None = field(default=None, repr=False)
    coverage_a: PeriodCoverage | None = None
    coverage_b: PeriodCoverage | None = None

    @property
    def no_data(self) -> bool:
        """True when the data covers no day of period ``a`` or of period ``b``."""
        return any(c is not None and c.none for c in (self.coverage_a, self.coverage_b))

    def coverage_notes(self, lang: str | None = "pt-BR") -> list[str]:
        """What the data does not cover, in ``lang``: ``no data for November 2026: the data
        ends on Oct 31, 2026`` or ``October 2026: 12 of 31 days covered`` (none when both
        periods are fully covered or the coverage is unknown)."""
        lang = normalize_lang(lang)
        out = []
        for cov, period in ((self.coverage_a, self.period_a), (self.coverage_b, self.period_b)):
            text = None if cov is None else cov.text(lang, period.display(lang))
            if text:
                out.append(text)
        return out

    @property
    def significant(self) -> bool | None:
        """True when ``p_value < 0.05``; None when there is no test."""
        if self.p_value is None or _nan(self.p_value):
            return None
        return bool(self.p_value < _ALPHA)

    def label(self, lang: str | None = "en") -> str:
        """The KPI's name in ``lang`` (the id when it is not in the registry)."""
        try:
            from .metrics import get_metric

            return get_metric(self.metric).label(lang)
        except Exception:  # noqa: BLE001 - a label must never break a report
            return self.metric

    def to_frame(self) -> pd.DataFrame:
        """One row with every number (periods as labels; no drivers)."""
        row = {
            "metric": self.metric,
            "period_a": str(self.period_a),
            "period_b": str(self.period_b),
            "value_a": self.value_a,
            "value_b": self.value_b,
            "change": self.change,
            "pct_change": self.pct_change,
            "n_a": self.n_a,
            "n_b": self.n_b,
            "p_value": NAN if self.p_value is None else self.p_value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "test": self.test,
            "note": self.note,
            "days_a": self.days_a,
            "days_b": self.days_b,
            "business_days_a": self.business_days_a,
            "business_days_b": self.business_days_b,
            "per_day_a": self.per_day_a,
            "per_day_b": self.per_day_b,
            "per_day_pct_change": self.per_day_pct_change,
            "per_business_day_pct_change": self.per_business_day_pct_change,
            "covered_days_a": NAN if self.coverage_a is None else self.coverage_a.covered_days,
            "covered_days_b": NAN if self.coverage_b is None else self.coverage_b.covered_days,
        }
        return pd.DataFrame([row])

    def narrative(self, lang: str | None = "pt-BR") -> str:
        """Two or three plain sentences for an operations manager, in ``lang``.

        Plain text: HTML-escape it (and the segment names in it) before putting it in HTML.
        """
        lang = normalize_lang(lang)
        return " ".join(s[:1].upper() + s[1:] for s in _narrative_sentences(self, lang) if s)


# -- formatting helpers ----------------------------------------------------------------------
def _fmt_p(p, lang: str) -> str:
    return format_p_value(p, lang, prefix=True)


def _fmt_value(value, unit: str, lang: str) -> str:
    if unit == "per_day":
        return format_number(value, lang, decimals=1)
    return format_value(value, unit, lang)


def _fmt_magnitude(mag: float, unit: str, lang: str) -> str:
    """An unsigned amount of change in the KPI's unit: ``3,1 p.p.``, ``210``, ``1,5 min``."""
    if unit == "ratio":
        return t("{x} pp", lang, x=format_number(mag * 100.0, lang, decimals=1))
    if unit == "seconds":
        return format_duration(mag, lang)
    if unit == "count":
        return format_number(mag, lang, decimals=0 if mag == round(mag) else 1)
    if unit == "score":
        return format_number(mag, lang, decimals=2)
    if unit == "currency":
        return format_value(mag, unit, lang)
    return format_number(mag, lang, decimals=1)


def _fmt_change(value, unit: str, lang: str) -> str:
    """A signed change in the KPI's unit: ``+3,1 p.p.``, ``−210``, ``+1,5 min``."""
    if _nan(value):
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + _fmt_magnitude(abs(float(value)), unit, lang)


_SOURCES = {
    "channel": "from channel {segment}",
    "team": "from team {segment}",
    "agent": "from agent {segment}",
    "category": "from category {segment}",
    "channel_family": "from channel family {segment}",
}


def _source(by: str, segment: str, lang: str) -> str:
    """``"from channel whatsapp"`` / ``"do canal whatsapp"`` (articles agree in pt-BR)."""
    if by in _SOURCES:
        return t(_SOURCES[by], lang, segment=segment)
    return t("from {dim} {segment}", lang, dim=by, segment=segment)


def _note_text(note: str | None, lang: str) -> str:
    if not note:
        return ""
    if note.startswith(_NOTE_UNAVAILABLE):  # "... (needs column X)": translate the prefix
        return t(_NOTE_UNAVAILABLE, lang) + note[len(_NOTE_UNAVAILABLE) :]
    return t(note, lang)


def _narrative_sentences(c: Comparison, lang: str) -> list[str]:
    kpi = c.label(lang)
    pa, pb = c.period_a.display(lang), c.period_b.display(lang)
    if c.no_data:  # a period the data does not cover is not a change
        missing = [
            cov.text(lang, label)
            for cov, label in ((c.coverage_a, pa), (c.coverage_b, pb))
            if cov is not None and cov.none
        ]
        return [t("{kpi} cannot be compared: {reason}.", lang, kpi=kpi, reason="; ".join(missing))]
    if _nan(c.value_a) or _nan(c.value_b):
        missing = pa if _nan(c.value_a) else pb
        first = t(
            "{kpi} cannot be compared: it has no value in {period}.", lang, kpi=kpi, period=missing
        )
        reason = _note_text(c.note, lang)
        return [first, t("Reason: {note}.", lang, note=reason) if reason else ""]

    va, vb = _fmt_value(c.value_a, c.unit, lang), _fmt_value(c.value_b, c.unit, lang)
    sentences: list[str] = []
    if c.change == 0:
        sentences.append(t("{kpi} was unchanged ({va}).", lang, kpi=kpi, va=va))
    elif c.unit in ("ratio", "points"):
        amount = _fmt_magnitude(abs(c.change), c.unit, lang)
        if c.unit == "points":
            amount = t("{x} points", lang, x=amount)
        msg = (
            "{kpi} rose {amount} ({va} → {vb})."
            if c.change > 0
            else "{kpi} fell {amount} ({va} → {vb})."
        )
        sentences.append(t(msg, lang, kpi=kpi, amount=amount, va=va, vb=vb))
    elif _nan(c.pct_change):
        sentences.append(t("{kpi} went from {va} to {vb}.", lang, kpi=kpi, va=va, vb=vb))
    else:
        pct = format_percent(abs(c.pct_change), lang)
        msg = (
            "{kpi} rose {amount} ({va} → {vb})."
            if c.change > 0
            else "{kpi} fell {amount} ({va} → {vb})."
        )
        sentences.append(t(msg, lang, kpi=kpi, amount=pct, va=va, vb=vb))

    partial = [
        cov.text(lang, label)
        for cov, label in ((c.coverage_a, pa), (c.coverage_b, pb))
        if cov is not None and cov.partial
    ]
    if partial:
        sentences.append("; ".join(partial) + ".")

    verdict = standalone = ""
    if c.test is not None and not _nan(c.p_value):
        p = _fmt_p(c.p_value, lang)
        if c.significant:
            verdict = t("a statistically significant change ({p})", lang, p=p)
            standalone = t("The change is statistically significant ({p}).", lang, p=p)
        else:
            verdict = t("within normal variation ({p})", lang, p=p)
            standalone = t("The change is within normal variation ({p}).", lang, p=p)

    if c.kind in _COUNT_KINDS and not _nan(c.per_day_pct_change):
        decimals = 1 if max(abs(c.per_day_a), abs(c.per_day_b)) >= 10 else 2
        pda = format_number(c.per_day_a, lang, decimals=decimals)
        pdb = format_number(c.per_day_b, lang, decimals=decimals)
        pct = format_signed_percent(c.per_day_pct_change, lang)
        diff = c.days_b - c.days_a
        tail = t("per day the change is {pct} ({va} → {vb} per day)", lang, pct=pct, va=pda, vb=pdb)
        if verdict:
            tail = f"{tail}, {verdict}"
        if partial:
            covered = t(
                "Per covered day the change is {pct} ({va} → {vb} per day).",
                lang,
                pct=pct,
                va=pda,
                vb=pdb,
            )
            if verdict:
                covered = covered[:-1] + f", {verdict}."
            sentences.append(covered)
        elif diff != 0 and c.kind == "count":
            if abs(diff) == 1:
                key = (
                    "{pb} had 1 fewer calendar day than {pa}; {tail}."
                    if diff < 0
                    else "{pb} had 1 more calendar day than {pa}; {tail}."
                )
            else:
                key = (
                    "{pb} had {n} fewer calendar days than {pa}; {tail}."
                    if diff < 0
                    else "{pb} had {n} more calendar days than {pa}; {tail}."
                )
            sentences.append(t(key, lang, pb=pb, pa=pa, n=abs(diff), tail=tail))
        elif standalone:
            sentences.append(standalone)
    elif standalone:
        sentences.append(standalone)
    elif c.note:
        sentences.append(t("No significance test: {note}.", lang, note=_note_text(c.note, lang)))

    sentences.append(_driver_sentence(c, lang))
    sentences.extend(_segment_coverage_sentences(c, lang))
    return sentences


def _segment_coverage_sentences(c: Comparison, lang: str, limit: int = 2) -> list[str]:
    """Segments whose data starts or stops inside the compared periods (driver notes)."""
    d = c.drivers
    if d is None or d.empty or c.by is None or "segment_note" not in d.columns:
        return []
    flagged = d[d["segment_note"].notna()]
    out = []
    for _, row in flagged.head(limit).iterrows():
        which, day, period, covered, total = row["segment_note"]
        key = (
            "The data {source} ends on {date} ({covered} of {total} days of {period} covered)."
            if which == "ends"
            else "The data {source} starts on {date} ({covered} of {total} days of {period} "
            "covered)."
        )
        label = (c.period_a if period == "a" else c.period_b).display(lang)
        out.append(
            t(
                key,
                lang,
                source=_source(c.by, segment_label(c.by, row[c.by], lang), lang),
                date=format_date(day, lang),
                covered=covered,
                total=total,
                period=label,
            )
        )
    return out


def _driver_sentence(c: Comparison, lang: str) -> str:
    """The segment that drove the change (same direction), and the largest one that offset it."""
    d = c.drivers
    if d is None or d.empty or c.by is None or _nan(c.change) or c.change == 0:
        return ""
    contrib = pd.to_numeric(d["contribution"], errors="coerce")
    same = d[contrib * c.change > 0]
    if same.empty:
        return ""
    top = same.loc[contrib[same.index].abs().idxmax()]
    key = (
        "Most of the change came {source} ({contribution})."
        if abs(top["contribution"]) >= 0.5 * abs(c.change)
        else "The largest contribution came {source} ({contribution})."
    )
    text = t(
        key,
        lang,
        source=_source(c.by, segment_label(c.by, top[c.by], lang), lang),
        contribution=_fmt_change(top["contribution"], c.unit, lang),
    )
    against = d[contrib * c.change < 0]
    if len(against):
        other = against.loc[contrib[against.index].abs().idxmax()]
        if abs(other["contribution"]) >= 0.25 * abs(top["contribution"]):
            text += " " + t(
                "In the other direction, the largest contribution came {source} ({contribution}).",
                lang,
                source=_source(c.by, segment_label(c.by, other[c.by], lang), lang),
                contribution=_fmt_change(other["contribution"], c.unit, lang),
            )
    return text


def comparison_table(
    comparisons: Sequence[Comparison], lang: str | None = "pt-BR", *, formatted: bool = True
) -> pd.DataFrame:
    """One row per comparison, for reports.

    ``formatted=True`` (default): text columns formatted in ``lang`` with translated headers
    (KPI, A, B, change, % change, per day %, p-value, significant?); ``formatted=False``:
    the numbers (the concatenated :meth:`Comparison.to_frame` rows).
    """
    comparisons = list(comparisons)
    if not formatted:
        if not comparisons:
            return pd.DataFrame(columns=_raw_columns())
        return pd.concat([c.to_frame() for c in comparisons], ignore_index=True)
    lang = normalize_lang(lang)
    headers = [
        t("KPI", lang),
        t("Period A", lang),
        "A",
        t("Period B", lang),
        "B",
        t("Change", lang),
        t("Change (%)", lang),
        t("Per day (%)", lang),
        t("p-value", lang),
        t("Significant?", lang),
    ]
    rows = []
    for c in comparisons:
        sig = c.significant
        rows.append(
            [
                c.label(lang),
                c.period_a.display(lang),
                _fmt_side(c.value_a, c.coverage_a, c.unit, lang),
                c.period_b.display(lang),
                _fmt_side(c.value_b, c.coverage_b, c.unit, lang),
                _fmt_change(c.change, c.unit, lang),
                format_signed_percent(c.pct_change, lang),
                format_signed_percent(c.per_day_pct_change, lang),
                format_p_value(c.p_value, lang),
                "–" if sig is None else (t("yes", lang) if sig else t("no", lang)),
            ]
        )
    return pd.DataFrame(rows, columns=headers)


def _fmt_side(value, coverage: PeriodCoverage | None, unit: str, lang: str) -> str:
    if coverage is not None and coverage.none:
        return t("no data", lang)
    return _fmt_value(value, unit, lang)


def _raw_columns() -> list[str]:
    p = parse_period("2026-01")
    dummy = Comparison("x", NAN, NAN, NAN, NAN, 0, 0, None, NAN, NAN, None, p, p)
    return list(dummy.to_frame().columns)


# -- building comparisons from component frames ----------------------------------------------
def _pct(change: float, base: float) -> float:
    if _nan(change) or _nan(base) or base == 0:
        return NAN
    return float(change / abs(base))


def _metric_info(metric: str) -> tuple[str, str, float, bool | None]:
    from .metrics import get_metric

    m = get_metric(metric)
    return m.kind, m.unit, float(m.scale), m.higher_is_better


def _side(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    if "period" not in frame.columns:
        raise OptionError("the components frame needs a 'period' column (labels 'a' and 'b').")
    return frame.loc[frame["period"] == label]


def _sum(frame: pd.DataFrame, col: str) -> float:
    if col not in frame.columns or frame.empty:
        return 0.0
    return float(pd.to_numeric(frame[col], errors="coerce").fillna(0).sum())


def _totals(
    rows: pd.DataFrame, metric: str, kind: str, scale: float, days: int, total_rows=None
) -> dict:
    """Value, num, den, sumsq and n of one period, from its (segment) rows."""
    m = metric
    out = {
        "num": _sum(rows, f"{m}__num"),
        "den": _sum(rows, f"{m}__den"),
        "sumsq": _sum(rows, f"{m}__sumsq"),
        "n": _sum(rows, f"{m}__n"),
    }
    if kind in _RATIO_KINDS:
        out["value"] = scale * out["num"] / out["den"] if out["den"] > 0 else NAN
    elif kind == "count" or kind == "stock":
        out["value"] = out["num"] if f"{m}__num" in rows.columns else _sum(rows, m)
    elif kind == "per_day":
        out["value"] = out["num"] / days if days > 0 else NAN
        out["den"] = float(days)
    else:  # quantile: the value must come from an ungrouped row
        src = rows if total_rows is None else total_rows
        vals = src[m].dropna() if m in src.columns else pd.Series(dtype=float)
        out["value"] = float(vals.iloc[0]) if len(vals) == 1 else NAN
        if total_rows is not None:
            out["n"] = _sum(total_rows, f"{m}__n")
    if kind in ("count", "stock") and f"{m}__n" not in rows.columns:
        out["n"] = out["value"]
    return out


def _segment_rows(
    rows: pd.DataFrame, metric: str, by: str, kind: str, scale: float, days: int
) -> pd.DataFrame:
    m = metric
    num = pd.to_numeric(rows.get(f"{m}__num", pd.Series(NAN, index=rows.index)), errors="coerce")
    den = pd.to_numeric(rows.get(f"{m}__den", pd.Series(NAN, index=rows.index)), errors="coerce")
    n = pd.to_numeric(rows.get(f"{m}__n", pd.Series(NAN, index=rows.index)), errors="coerce")
    seg = pd.DataFrame(
        {by: rows[by].to_numpy(), "num": num.to_numpy(), "den": den.to_numpy(), "n": n.to_numpy()}
    )
    if kind in ("count", "stock"):
        seg["value"] = seg["num"] if f"{m}__num" in rows.columns else rows[m].to_numpy()
    elif kind == "per_day":
        seg["value"] = seg["num"] / days if days > 0 else NAN
    elif kind == "quantile":
        seg["value"] = pd.to_numeric(rows[m], errors="coerce").to_numpy()
    else:
        seg["value"] = np.where(
            seg["den"] > 0, scale * seg["num"] / seg["den"].where(seg["den"] > 0, 1.0), np.nan
        )
    if kind in ("count", "stock") and f"{m}__n" not in rows.columns:
        seg["n"] = seg["value"]
    return seg


def comparison_from_components(
    components: pd.DataFrame,
    metric: str,
    a,
    b,
    *,
    by: str | None = None,
    calendar=None,
    totals: pd.DataFrame | None = None,
    kind: str | None = None,
    unit: str | None = None,
    scale: float | None = None,
    higher_is_better: bool | None = None,
    as_of=None,
    coverage: Coverage | None = None,
) -> Comparison:
    """Build a :class:`Comparison` from a ``compute_components`` frame (no engine call).

    Parameters
    ----------
    components : DataFrame
        Output of ``compute_components(..., by=by, periods={"a": a, "b": b})``: a ``period``
        column with labels ``"a"``/``"b"``, the ``by`` column when given, and the metric's
        ``m``, ``m__num``, ``m__den``, ``m__sumsq``, ``m__n`` columns.
    metric : str
        The KPI id; ``kind``, ``unit``, ``scale`` and ``higher_is_better`` come from the
        registry unless given.
    a, b : period specs
    totals : DataFrame, optional
        The ungrouped components (only needed for quantile KPIs with ``by``).
    coverage : Coverage, optional
        The data's first and last contact (and per segment); default
        ``components.attrs["coverage"]``, which ``compute_components`` sets. A period the data
        does not cover gets no value, no change and no test; a partly covered one has its
        per-day figures and its rate test over the covered days (see :func:`compare`).
        Unknown coverage (None): every period is taken as covered.
    """
    pa, pb = parse_period(a, as_of=as_of), parse_period(b, as_of=as_of)
    if kind is None or unit is None or scale is None:
        k, u, s, h = _metric_info(metric)
        kind = k if kind is None else kind
        unit = u if unit is None else unit
        scale = s if scale is None else scale
        higher_is_better = h if higher_is_better is None else higher_is_better
    if calendar is None:
        from .calendar import default_calendar

        calendar = default_calendar()
    days_a, days_b = pa.days, pb.days
    bd_a, bd_b = pa.business_days(calendar), pb.business_days(calendar)

    if coverage is None:
        found = getattr(components, "attrs", {}).get("coverage")
        coverage = found if isinstance(found, Coverage) else None
    cov_a = coverage.of_period(pa) if coverage is not None else None
    cov_b = coverage.of_period(pb) if coverage is not None else None

    rows_a, rows_b = _side(components, "a"), _side(components, "b")
    unavailable = metric not in components.columns and f"{metric}__n" not in components.columns
    unav = components.attrs.get("unavailable", {}) if hasattr(components, "attrs") else {}
    if unavailable or metric in unav:
        reason = unav.get(metric, "") if isinstance(unav, dict) else ""
        note = _NOTE_UNAVAILABLE + (f" ({reason})" if reason else "")
        return Comparison(
            metric,
            NAN,
            NAN,
            NAN,
            NAN,
            0,
            0,
            None,
            NAN,
            NAN,
            None,
            pa,
            pb,
            kind,
            unit,
            scale,
            higher_is_better,
            note,
            days_a,
            days_b,
            bd_a,
            bd_b,
            by=by,
            coverage_a=cov_a,
            coverage_b=cov_b,
        )
    tot_a = tot_b = None
    if totals is not None:
        tot_a, tot_b = _side(totals, "a"), _side(totals, "b")
    ta = _totals(rows_a, metric, kind, scale, days_a, tot_a)
    tb = _totals(rows_b, metric, kind, scale, days_b, tot_b)
    value_a, value_b = ta["value"], tb["value"]
    if (cov_a is not None and cov_a.none) or (cov_b is not None and cov_b.none):
        # a period the data does not cover is not a change (its 0 contacts are no data)
        texts = [c.text("en", p.display("en")) for c, p in ((cov_a, pa), (cov_b, pb))]
        return Comparison(
            metric=metric,
            value_a=NAN if cov_a.none else _f(value_a),
            value_b=NAN if cov_b.none else _f(value_b),
            change=NAN,
            pct_change=NAN,
            n_a=0.0 if cov_a.none else _f(ta["n"]),
            n_b=0.0 if cov_b.none else _f(tb["n"]),
            p_value=None,
            ci_low=NAN,
            ci_high=NAN,
            test=None,
            period_a=pa,
            period_b=pb,
            kind=kind,
            unit=unit,
            scale=scale,
            higher_is_better=higher_is_better,
            note="; ".join(x for x, c in zip(texts, (cov_a, cov_b), strict=True) if c.none),
            days_a=days_a,
            days_b=days_b,
            business_days_a=bd_a,
            business_days_b=bd_b,
            by=by,
            coverage_a=cov_a,
            coverage_b=cov_b,
        )
    # per-day figures over the days the data covers (the period's days when unknown)
    eff_a, eff_b, ebd_a, ebd_b = days_a, days_b, bd_a, bd_b
    if cov_a is not None and cov_a.partial:
        eff_a = cov_a.covered_days
        ebd_a = calendar.business_days(cov_a.covered_start, cov_a.covered_end)
    if cov_b is not None and cov_b.partial:
        eff_b = cov_b.covered_days
        ebd_b = calendar.business_days(cov_b.covered_start, cov_b.covered_end)
    change = value_b - value_a if not (_nan(value_a) or _nan(value_b)) else NAN
    pct = _pct(change, value_a)

    if kind == "proportion":
        res = two_proportion_test(ta["num"], ta["den"], tb["num"], tb["den"])
    elif kind == "mean":
        res = welch_test(
            ta["num"], ta["sumsq"], ta["den"], tb["num"], tb["sumsq"], tb["den"], scale=scale
        )
    elif kind in _COUNT_KINDS:
        res = poisson_rate_test(ta["num"], eff_a, tb["num"], eff_b)
    elif kind == "ratio":
        res = _no_test("a ratio of sums of non-binary quantities has no simple sampling model")
    elif kind == "quantile":
        res = _no_test("quantiles have no test on aggregated data (a bootstrap needs the raw rows)")
    elif kind == "stock":
        res = _no_test("a stock (backlog at the period's end) is a snapshot, not a count of events")
    else:
        res = _no_test("no test for this kind of KPI")
    if (
        res.test is None
        and (_nan(value_a) or _nan(value_b))
        and kind not in ("ratio", "quantile", "stock")
    ):
        res = _no_test("no data in one of the periods")

    n_a = ta["n"] if ta["n"] else (ta["den"] if kind in _RATIO_KINDS else ta["n"])
    n_b = tb["n"] if tb["n"] else (tb["den"] if kind in _RATIO_KINDS else tb["n"])

    per = {}
    if kind in _COUNT_KINDS:
        k_a, k_b = ta["num"], tb["num"]
        per["per_day_a"] = k_a / eff_a
        per["per_day_b"] = k_b / eff_b
        per["per_day_pct_change"] = _pct(per["per_day_b"] - per["per_day_a"], per["per_day_a"])
        per["per_business_day_a"] = k_a / ebd_a if ebd_a > 0 else NAN
        per["per_business_day_b"] = k_b / ebd_b if ebd_b > 0 else NAN
        per["per_business_day_pct_change"] = _pct(
            per["per_business_day_b"] - per["per_business_day_a"], per["per_business_day_a"]
        )

    drivers = None
    if by is not None:
        seg_a = _segment_rows(rows_a, metric, by, kind, scale, days_a)
        seg_b = _segment_rows(rows_b, metric, by, kind, scale, days_b)
        drivers = decompose_change(seg_a, seg_b, kind=kind, segment=by, scale=scale)
        if coverage is not None and coverage.segments.get(by):
            drivers = _segment_coverage(drivers, by, coverage, pa, pb, cov_a, cov_b)

    return Comparison(
        metric=metric,
        value_a=_f(value_a),
        value_b=_f(value_b),
        change=_f(change),
        pct_change=pct,
        n_a=_f(n_a),
        n_b=_f(n_b),
        p_value=res.p_value,
        ci_low=res.ci_low,
        ci_high=res.ci_high,
        test=res.test,
        period_a=pa,
        period_b=pb,
        kind=kind,
        unit=unit,
        scale=scale,
        higher_is_better=higher_is_better,
        note=res.note,
        days_a=days_a,
        days_b=days_b,
        business_days_a=bd_a,
        business_days_b=bd_b,
        by=by,
        drivers=drivers,
        coverage_a=cov_a,
        coverage_b=cov_b,
        **per,
    )


#: A segment silent for days in which its own rate would give this many contacts has stopped
#: (or not started): the chance of no contact at all is e**-4.6, under 1%.
_SILENCE_EXPECTED = 4.6


def _silent_too_long(seg, gap_days: int) -> bool:
    """True when ``gap_days`` without a contact is unlikely at the segment's own daily rate
    (a sparse segment with no contact on the data's last two days has not "stopped")."""
    if gap_days <= 0 or seg.empty or not seg.rows:
        return False
    span = (seg.last_day - seg.first_day).days + 1
    return seg.rows / span * gap_days >= _SILENCE_EXPECTED


def _segment_coverage(drivers, by, coverage, pa, pb, cov_a, cov_b) -> pd.DataFrame:
    """Add ``covered_days_a``/``_b`` per segment and a ``segment_note`` where a segment's data
    starts or stops inside the periods while the data as a whole goes on:
    ``("ends"|"starts", day, "a"|"b", covered days, days the data covers)``."""
    out = drivers.copy()
    ca, cb, notes = [], [], []
    for value in out[by]:
        seg = coverage.segment(by, value)
        sa, sb = seg.of_period(pa), seg.of_period(pb)
        ca.append(sa.covered_days)
        cb.append(sb.covered_days)
        note = None
        for side, scov, whole in (("b", sb, cov_b), ("a", sa, cov_a)):
            if scov.covered_days >= whole.covered_days or seg.empty:
                continue
            ends_gap = (coverage.last_day - seg.last_day).days
            starts_gap = (seg.first_day - coverage.first_day).days
            if (
                seg.last_day < coverage.last_day
                and seg.last_day < (pa if side == "a" else pb).end
                and _silent_too_long(seg, ends_gap)
            ):
                note = ("ends", seg.last_day, side, scov.covered_days, whole.covered_days)
            elif seg.first_day > coverage.first_day and _silent_too_long(seg, starts_gap):
                note = ("starts", seg.first_day, side, scov.covered_days, whole.covered_days)
            if note is not None:
                break
        notes.append(note)
    out["covered_days_a"] = ca
    out["covered_days_b"] = cb
    out["segment_note"] = pd.Series(notes, index=out.index, dtype=object)
    return out


# -- the public entry points -----------------------------------------------------------------
def _check_by(by) -> str | None:
    if by is None:
        return None
    if not isinstance(by, str):
        raise OptionError(
            "`by` must be one dimension column such as 'channel', 'team', 'agent', "
            f"'category', 'channel_family' or another text column of the data (or None), "
            f"got {by!r}."
        )
    if by in _TIME_GRAINS or by == "period":
        raise OptionError(
            "`by` must be a dimension such as 'channel', 'team', 'agent', 'category', "
            f"'channel_family' or another text column of the data, not a time grain, got {by!r}."
        )
    # whether the data has it is checked by the engine (it names the valid dimensions)
    return by


def _resolve_periods(a, b, as_of) -> tuple[Period, Period]:
    pa, pb = parse_period(a, as_of=as_of), parse_period(b, as_of=as_of)
    if pa.start < pb.end and pb.start < pa.end:
        raise PeriodError(
            f"Periods `a` ({pa}) and `b` ({pb}) overlap; compare two separate periods "
            "(the tests assume independent samples)."
        )
    return pa, pb


def compare_many(
    data,
    metrics: Sequence[str] | str,
    a,
    b,
    *,
    by: str | None = None,
    options: dict | None = None,
    as_of=None,
    calendar=None,
    operations=None,
) -> list[Comparison]:
    """Compare several KPIs between periods ``a`` and ``b`` with one engine query.

    One ``compute_components(data, metrics, by=by, periods={"a": pa, "b": pb})`` call; when
    ``by`` is given and a quantile KPI is asked for, one more call without ``by`` gets the
    quantile's overall values (quantiles cannot be added up from segments). Other totals are
    the sums of the segments' components. ``operations`` (the operations table, for the
    operations KPIs) is passed to the engine when given. See :func:`compare`.
    """
    from .engine import compute_components

    metric_list = [metrics] if isinstance(metrics, str) else list(metrics)
    if not metric_list:
        raise OptionError("`metrics` must name at least one KPI, got [].")
    by = _check_by(by)
    pa, pb = _resolve_periods(a, b, as_of)
    periods = {"a": pa, "b": pb}
    if calendar is None and options and options.get("calendar") is not None:
        calendar = options["calendar"]  # one calendar for business hours and business days
    elif calendar is not None and not (options and "calendar" in options):
        options = {**(options or {}), "calendar": calendar}
    extra = {} if operations is None else {"operations": operations}
    comps = compute_components(data, metric_list, by=by, options=options, periods=periods, **extra)
    totals = None
    if by is not None:
        kinds = {m: _metric_info(m)[0] for m in metric_list}
        quantiles = [m for m in metric_list if kinds[m] == "quantile"]
        if quantiles:
            totals = compute_components(data, quantiles, options=options, periods=periods, **extra)
    return [
        comparison_from_components(comps, m, pa, pb, by=by, calendar=calendar, totals=totals)
        for m in metric_list
    ]


def compare(
    data,
    metric: str,
    a,
    b,
    *,
    by: str | None = None,
    options: dict | None = None,
    as_of=None,
    calendar=None,
    operations=None,
) -> Comparison:
    """Compare one KPI between period ``a`` (before) and period ``b`` (after).

    Parameters
    ----------
    data : LoadResult, DataFrame, path or ibis Table
        Canonical interactions (as for :func:`kpi_helpers.compute`).
    metric : str
        A KPI id (``"volume"``, ``"service_level"``...).
    a, b : period spec
        Anything :func:`kpi_helpers.periods.parse_period` accepts (``"2026-01"``,
        ``"previous_month"`` with ``as_of``, a range, a Period...). They must not overlap.
    by : str, optional
        A dimension for the drivers: ``"channel"``, ``"team"``, ``"agent"``, ``"category"``,
        ``"channel_family"`` or any other text column of the data (``"priority"``...).
    options : dict, optional
        KPI options, passed to the engine.
    as_of : date or str, optional
        First day NOT included, for relative specs.
    calendar : BusinessCalendar, optional
        For business days (default: Mon-Fri with Brazilian national holidays). Also passed
        to the engine as the global option ``calendar`` (business-hours KPIs); conversely
        ``options={"calendar": cal}`` is used for the business days when ``calendar`` is None.
    operations : optional
        The operations table, for the operations KPIs (passed to the engine).

    Returns
    -------
    Comparison
        See the module docstring for the tests and the driver decomposition.

    Examples
    --------
    >>> c = compare(data, "volume", "2026-01", "2026-02", by="channel")  # doctest: +SKIP
    >>> c.per_day_pct_change, c.p_value                                   # doctest: +SKIP
    """
    return compare_many(
        data,
        [metric],
        a,
        b,
        by=by,
        options=options,
        as_of=as_of,
        calendar=calendar,
        operations=operations,
    )[0]
