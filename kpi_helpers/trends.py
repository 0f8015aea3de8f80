"""Trends: a KPI per day/week/month with a rolling mean, control limits and named signals.

:func:`trend` runs ONE :func:`kpi_helpers.compute` query (``with_n=True``) and adds, per
series (the whole operation, or each segment of ``by``), a Shewhart control chart:

=============  ===============================================================================
KPI kind       chart
=============  ===============================================================================
proportion     **p-chart**: centre ``p̄ = Σnum / Σden`` over the points (``num = value · n``),
               limits ``p̄ ± 3 · sqrt(p̄ (1 - p̄) / n_i)`` from each point's own ``n_i``,
               clipped to ``[0, 1]``
anything else  **XmR (individuals) chart**: centre = mean of the values, ``MR̄`` = mean of the
               moving ranges ``|x_i - x_(i-1)|`` of consecutive points, limits
               ``centre ± 2.66 · MR̄`` (the lower limit clipped at 0 for KPIs that cannot be
               negative: counts, per-day counts, durations and ratios)
=============  ===============================================================================

Signals (each named by a stable id in the ``signal`` column)
------------------------------------------------------------
``beyond_limits`` (``out_of_control``)
    The value is strictly outside ``[lcl, ucl]`` (Nelson/Western Electric rule 1).
``shift_8`` (``run_flag``)
    The point belongs to a run of 8 or more consecutive points on the same side of the centre
    line. 8 and not Nelson's 9: this is the Western Electric rule (and the AIAG/Montgomery
    one) that most analysts learnt; KPI series are short (13 weekly points in a quarter, 12
    monthly points in a year), and a ninth point delays the signal by one more week or month
    while the false-alarm chance stays small (``2 · 0.5⁸ ≈ 0.8%`` that any given 8 stable
    points share a side, against ``0.4%`` for 9). A point exactly ON the centre line, an
    empty period or a partial bucket ends the run.
``trend_6`` (``trend_flag``)
    The point belongs to 6 or more consecutive points each strictly higher (or each strictly
    lower) than the one before, i.e. 5 consecutive increases or decreases (Nelson rule 3).
    Two EQUAL consecutive values end the run (a tie neither rises nor falls; the tied point
    may start the next run), and so do an empty period and a partial bucket.

``signal`` holds the ids of the rules that fired, joined by ``","`` in the order above
(``"beyond_limits,trend_6"``), or ``""``. ``rule`` holds the same rules as English text,
with the direction, joined by ``"; "`` (:data:`RULE_LIMITS`, :data:`RULE_RUN_ABOVE`,
:data:`RULE_RUN_BELOW`, :data:`RULE_TREND_UP`, :data:`RULE_TREND_DOWN`); they are message
ids, so ``kpi_helpers.i18n.t(rule, lang)`` translates them.

Partial buckets
---------------
A bucket is ``partial`` when fewer than all its calendar days (``days``: 7 for a week, 28-31
for a month) are both inside the analysed ``period`` and covered by the data:
``covered_days`` counts the days between the first and the last contact (whole local days,
:func:`kpi_helpers.coverage.data_coverage`) of the series -- with ``by``, of that segment, so
a channel that stopped in March has partial (or empty, 0 covered days) buckets after that.
A partial bucket keeps its value, but it is left out of the centre line, the limits and the
moving ranges (its ``lcl``/``ucl`` are NaN; ``center`` repeats the series' centre line), it
never fires a signal and it ends any run: a first week holding the one ticket of a Sunday is
not "out of control". Without ``period``, the first and last buckets are partial unless the
data's first and last contacts fall on their first and last days: pass ``coverage`` to
declare the span of an export whose edge days simply had no contact.

Empty periods (NaN value: no denominator) are kept, with NaN limits, and never flagged; they
are left out of the centre line and the moving ranges. The rolling mean is the plain rolling
mean of the values (partial buckets included).

Examples
--------
>>> import pandas as pd
>>> from kpi_helpers.trends import trend
>>> df = pd.DataFrame({"interaction_id": list("abc"),
...     "created_at": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-18"])})
>>> trend(df, "volume", "week")[["period", "value", "center", "partial"]]
      period  value  center  partial
0 2026-01-05    1.0     1.5    False
1 2026-01-12    2.0     1.5    False
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .coverage import Coverage, data_coverage
from .engine import bucket_end
from .errors import OptionError
from .metrics import get_metric
from .schema import DIMENSION_COLUMNS, TIME_GRAINS

__all__ = [
    "trend",
    "TREND_COLUMNS",
    "RUN_LENGTH",
    "TREND_LENGTH",
    "SIGNAL_LIMITS",
    "SIGNAL_SHIFT",
    "SIGNAL_TREND",
    "SIGNAL_LABELS",
    "RULE_LIMITS",
    "RULE_RUN_ABOVE",
    "RULE_RUN_BELOW",
    "RULE_TREND_UP",
    "RULE_TREND_DOWN",
    "XMR_FACTOR",
    "p_chart_limits",
    "xmr_limits",
    "run_flags",
    "trend_flags",
    "bucket_days",
]

#: Columns of a trend frame (after ``period`` comes the segment column when ``by`` is given).
TREND_COLUMNS = (
    "period",
    "value",
    "n",
    "rolling_mean",
    "center",
    "lcl",
    "ucl",
    "out_of_control",
    "run_flag",
    "trend_flag",
    "signal",
    "rule",
    "target",
    "partial",
    "covered_days",
    "days",
)
#: Points in a row on one side of the centre line that make a shift (``shift_8``).
RUN_LENGTH = 8
#: Points in a row steadily rising or falling that make a trend (``trend_6``).
TREND_LENGTH = 6
#: 3 / d2 with d2 = 1.128 for moving ranges of two points.
XMR_FACTOR = 2.66

#: Stable ids of the signals (the ``signal`` column).
SIGNAL_LIMITS = "beyond_limits"
SIGNAL_SHIFT = "shift_8"
SIGNAL_TREND = "trend_6"
#: English text of each signal (a message id: translate with ``kpi_helpers.i18n.t``).
SIGNAL_LABELS = {
    SIGNAL_LIMITS: "outside the control limits",
    SIGNAL_SHIFT: "8 points in a row on one side of the centre line",
    SIGNAL_TREND: "6 points in a row rising or falling",
}
RULE_LIMITS = "outside the control limits"
RULE_RUN_ABOVE = "8 points in a row above the centre line"
RULE_RUN_BELOW = "8 points in a row below the centre line"
RULE_TREND_UP = "6 points in a row rising"
RULE_TREND_DOWN = "6 points in a row falling"

_NON_NEGATIVE_UNITS = ("count", "per_day", "seconds", "ratio")


# -- the control-chart arithmetic (pure functions on arrays) ----------------------------------
def p_chart_limits(
    values: np.ndarray, n: np.ndarray, *, use: np.ndarray | None = None
) -> tuple[float, np.ndarray, np.ndarray]:
    """Centre ``p̄ = Σ(value·n) / Σn`` and per-point limits ``p̄ ± 3 sqrt(p̄(1-p̄)/n_i)``.

    Parameters
    ----------
    values, n : array
        The proportions and their denominators; NaN values (or ``n == 0``) get NaN limits.
    use : bool array, optional
        Points that enter the centre line (default: every point with a value).

    Returns
    -------
    (center, lcl, ucl)
        The limits are clipped to ``[0, 1]``.

    Examples
    --------
    >>> c, lo, hi = p_chart_limits(np.array([0.5, 0.7]), np.array([100, 100]))
    >>> round(c, 2), round(float(hi[0]), 4)
    (0.6, 0.747)
    """
    values = np.asarray(values, dtype="float64")
    n = np.asarray(n, dtype="float64")
    valid = ~np.isnan(values) & (n > 0)
    if use is not None:
        valid &= np.asarray(use, dtype=bool)
    total = float(n[valid].sum())
    if total <= 0:
        nan = np.full(len(values), np.nan)
        return math.nan, nan, nan.copy()
    center = float((values[valid] * n[valid]).sum() / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(center * (1.0 - center) / np.where(n > 0, n, np.nan))
    has = ~np.isnan(values) & (n > 0)
    lcl = np.where(has, np.clip(center - 3.0 * sigma, 0.0, 1.0), np.nan)
    ucl = np.where(has, np.clip(center + 3.0 * sigma, 0.0, 1.0), np.nan)
    return center, lcl, ucl


def xmr_limits(values: np.ndarray, *, use: np.ndarray | None = None) -> tuple[float, float, float]:
    """Centre (mean) and ``centre ± 2.66 · MR̄`` of an individuals (XmR) chart.

    The moving ranges are taken between consecutive points that have a value (and are in
    ``use``). Fewer than two such points: NaN limits (the centre is the single value).

    Examples
    --------
    >>> xmr_limits(np.array([10.0, 12.0, 11.0, 15.0]))  # MR = 2, 1, 4 -> MR̄ = 7/3
    (12.0, 5.793333333333333, 18.206666666666667)
    """
    values = np.asarray(values, dtype="float64")
    valid = ~np.isnan(values)
    if use is not None:
        valid &= np.asarray(use, dtype=bool)
    x = values[valid]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    center = float(x.mean())
    if len(x) < 2:
        return center, math.nan, math.nan
    mr_bar = float(np.abs(np.diff(x)).mean())
    return center, center - XMR_FACTOR * mr_bar, center + XMR_FACTOR * mr_bar


def run_flags(values: np.ndarray, center: np.ndarray, *, length: int = RUN_LENGTH) -> np.ndarray:
    """+1 / -1 for points in a run of ``length``+ points above / below the centre, else 0.

    A point on the centre line, or without a value or centre, ends a run.

    Examples
    --------
    >>> run_flags(np.array([2.0] * 8 + [0.0]), np.ones(9)).tolist()
    [1, 1, 1, 1, 1, 1, 1, 1, 0]
    """
    values = np.asarray(values, dtype="float64")
    center = np.broadcast_to(np.asarray(center, dtype="float64"), values.shape)
    with np.errstate(invalid="ignore"):
        side = np.where(np.isnan(values) | np.isnan(center), 0, np.sign(values - center)).astype(
            int
        )
    out = np.zeros(len(values), dtype=int)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or side[i] != side[start]:
            if side[start] != 0 and i - start >= length:
                out[start:i] = side[start]
            start = i
    return out


def trend_flags(values: np.ndarray, *, length: int = TREND_LENGTH) -> np.ndarray:
    """+1 / -1 for points in a run of ``length``+ points each higher / lower than the one before.

    ``length`` points make ``length - 1`` consecutive strict increases (or decreases). Two
    equal consecutive values end a run (a tie neither rises nor falls), and so does a point
    without a value; the point that ends a run may start the next one.

    Examples
    --------
    >>> trend_flags(np.array([1.0, 2, 3, 4, 5, 6, 6])).tolist()
    [1, 1, 1, 1, 1, 1, 0]
    >>> trend_flags(np.array([1.0, 2, 3, 4, 5, 3])).tolist()  # 5 rising points: too short
    [0, 0, 0, 0, 0, 0]
    """
    values = np.asarray(values, dtype="float64")
    out = np.zeros(len(values), dtype=int)
    if len(values) < 2:
        return out
    with np.errstate(invalid="ignore"):
        step = np.diff(values)
        direction = np.where(np.isnan(step), 0, np.sign(step)).astype(int)
    # direction[j] is the move from point j to point j + 1
    start = 0
    for j in range(1, len(direction) + 1):
        if j == len(direction) or direction[j] != direction[start]:
            if direction[start] != 0 and j - start + 1 >= length:
                out[start : j + 1] = direction[start]
            start = j
    return out


def bucket_days(
    starts, freq: str, coverage: Coverage | None = None, period=None
) -> tuple[np.ndarray, np.ndarray]:
    """``(covered_days, days)`` of the time buckets starting at ``starts``.

    ``days`` are the bucket's calendar days; ``covered_days`` those also inside ``period``
    (when given) and between the first and last contact's days of ``coverage`` (when given).

    >>> from kpi_helpers.coverage import Coverage
    >>> cov = Coverage(pd.Timestamp("2026-01-07 09:00"), pd.Timestamp("2026-01-20 18:00"))
    >>> bucket_days(pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-19"]), "week", cov)
    (array([5, 7, 2]), array([7, 7, 7]))
    """
    covered, days = [], []
    for s in pd.to_datetime(pd.Series(starts, dtype="datetime64[ns]")):
        lo, hi = s.date(), bucket_end(freq, s).date()
        days.append((hi - lo).days)
        if period is not None:
            lo, hi = max(lo, period.start), min(hi, period.end)
        if hi <= lo:
            covered.append(0)
        elif coverage is None:
            covered.append((hi - lo).days)
        else:
            covered.append(coverage.covered_days(lo, hi))
    return np.asarray(covered, dtype="int64"), np.asarray(days, dtype="int64")


# -- trend ------------------------------------------------------------------------------------
def _check_args(metric, freq, by, window, coverage):
    m = get_metric(metric)
    if freq not in TIME_GRAINS:
        raise OptionError(
            f"`freq` must be one of {', '.join(repr(g) for g in TIME_GRAINS)}, got {freq!r}."
        )
    if by is not None and (not isinstance(by, str) or by in TIME_GRAINS or by == "period"):
        valid = ", ".join(repr(d) for d in DIMENSION_COLUMNS)
        raise OptionError(f"`by` must be None or one dimension column ({valid}), got {by!r}.")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise OptionError(f"`window` must be a whole number of points >= 1, got {window!r}.")
    if coverage is not None and not isinstance(coverage, Coverage):
        raise OptionError(
            "`coverage` must be None or a kpi_helpers.coverage.Coverage "
            f"(from data_coverage(data, by=...)), got {type(coverage).__name__}."
        )
    return m


def _target_for(target, segment) -> float:
    if target is None:
        return math.nan
    if isinstance(target, Mapping):
        value = (
            target.get(segment, target.get(None, math.nan))
            if segment is not None
            else target.get(None, math.nan)
        )
        return math.nan if value is None else float(value)
    return float(target)


def _series(frame: pd.DataFrame, kind: str, unit: str, window: int) -> pd.DataFrame:
    values = frame["value"].to_numpy(dtype="float64")
    n = frame["n"].to_numpy(dtype="float64")
    use = ~frame["partial"].to_numpy(dtype=bool)
    has = ~np.isnan(values) & use
    if kind == "proportion":
        center, lcl, ucl = p_chart_limits(values, n, use=use)
        lcl = np.where(has, lcl, np.nan)
        ucl = np.where(has, ucl, np.nan)
    else:
        center, lo, hi = xmr_limits(values, use=use)
        if unit in _NON_NEGATIVE_UNITS and not math.isnan(lo):
            lo = max(lo, 0.0)
        lcl = np.where(has, lo, np.nan)
        ucl = np.where(has, hi, np.nan)
    centers = np.where(has, center, np.nan)
    with np.errstate(invalid="ignore"):
        outside = has & ((values > ucl) | (values < lcl))
    kept = np.where(has, values, np.nan)
    runs = run_flags(kept, centers)
    trends = trend_flags(kept)
    signals, rules = [], []
    for out, run, move in zip(outside, runs, trends, strict=True):
        ids = [SIGNAL_LIMITS] if out else []
        texts = [RULE_LIMITS] if out else []
        if run:
            ids.append(SIGNAL_SHIFT)
            texts.append(RULE_RUN_ABOVE if run > 0 else RULE_RUN_BELOW)
        if move:
            ids.append(SIGNAL_TREND)
            texts.append(RULE_TREND_UP if move > 0 else RULE_TREND_DOWN)
        signals.append(",".join(ids))
        rules.append("; ".join(texts))
    rolling = frame["value"].astype("float64").rolling(window, min_periods=window).mean()
    return frame.assign(
        rolling_mean=rolling.to_numpy(),
        center=np.full(len(frame), center) if len(frame) else np.zeros(0),
        lcl=lcl,
        ucl=ucl,
        out_of_control=outside.astype(bool),
        run_flag=(runs != 0),
        trend_flag=(trends != 0),
        signal=signals,
        rule=rules,
    )


def _segment_coverage(coverage: Coverage | None, by: str | None, segment) -> Coverage | None:
    if coverage is None or by is None or by not in coverage.segments:
        return coverage
    return coverage.segment(by, segment)


def trend(
    data,
    metric: str,
    freq: str = "week",
    *,
    by: str | None = None,
    options: Mapping | None = None,
    period=None,
    target: float | Mapping | None = None,
    window: int = 4,
    as_of=None,
    coverage: Coverage | None = None,
) -> pd.DataFrame:
    """A KPI per time bucket with its rolling mean, control limits and named signals.

    Parameters
    ----------
    data : LoadResult, DataFrame, path or ibis Table
        Canonical interactions (as for :func:`kpi_helpers.compute`).
    metric : str
        A KPI id (``"csat"``, ``"volume"``...).
    freq : {"day", "week", "month", "quarter", "year"}
        The time bucket; weeks start on Monday.
    by : str, optional
        A dimension (``"channel"``, ``"team"``, ``"agent"``, ``"category"``): one series per
        segment, each with its own centre line, limits and coverage.
    options : dict, optional
        KPI options, passed to the engine.
    period : period spec, optional
        Only the contacts in this period (anything :func:`kpi_helpers.periods.parse_period`
        accepts; relative specs need ``as_of``). Empty buckets inside it are kept; buckets it
        cuts are partial.
    target : float or mapping, optional
        Carried along in the ``target`` column for the chart; a mapping gives one per segment
        (key ``None`` for the default).
    window : int, default 4
        Points in the rolling mean (the first ``window - 1`` points have none).
    as_of : date or str, optional
        First day NOT included, for relative ``period`` specs.
    coverage : Coverage, optional
        The days the data covers (:func:`kpi_helpers.coverage.data_coverage`, with ``by=``
        for per-segment coverage; without it every segment gets the overall coverage);
        default: measured on ``data`` (one more aggregate query).
        Pass it to share one measure between several KPIs of the same data, or to declare
        the span of an export whose first or last days had no contact.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TREND_COLUMNS` (the segment column after ``period`` with ``by``),
        sorted by segment and period: ``out_of_control`` / ``run_flag`` / ``trend_flag``
        (the ``beyond_limits`` / ``shift_8`` / ``trend_6`` signals), ``signal`` (their ids,
        ``","``-joined), ``rule`` (their English text, ``"; "``-joined), ``partial`` with
        ``covered_days`` of ``days`` (see the module docstring). ``attrs``: ``metric``,
        ``freq``, ``by``, ``chart`` (``"p"`` or ``"xmr"``), ``period`` (the Period or None).
    """
    m = _check_args(metric, freq, by, window, coverage)
    per = None
    if period is not None:
        from .periods import parse_period

        per = parse_period(period, as_of=as_of)
    from .engine import compute

    keys = [freq] if by is None else [freq, by]
    raw = compute(data, m.id, by=keys, options=options, with_n=True, period=per)
    if coverage is None:
        coverage = data_coverage(data, by=by)
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(raw[freq]).astype("datetime64[ns]"),
            "value": raw[m.id].astype("float64"),
            "n": raw[f"{m.id}_n"].fillna(0).astype("int64"),
        }
    )
    if by is not None:
        frame.insert(1, by, raw[by].astype(object).to_numpy())
        frame = frame.sort_values([by, "period"], kind="stable").reset_index(drop=True)
    covered = np.zeros(len(frame), dtype="int64")
    days = np.zeros(len(frame), dtype="int64")
    groups = [(None, frame.index)] if by is None else frame.groupby(by, sort=False).groups.items()
    for segment, index in groups:
        cov = _segment_coverage(coverage, by, segment)
        pos = frame.index.get_indexer(index)
        covered[pos], days[pos] = bucket_days(frame.loc[index, "period"], freq, cov, per)
    frame["partial"] = covered < days
    frame["covered_days"] = covered
    frame["days"] = days
    chart = "p" if m.kind == "proportion" else "xmr"
    if by is None:
        out = _series(frame, m.kind, m.unit, window)
        out["target"] = _target_for(target, None)
    else:
        pieces = []
        for segment, piece in frame.groupby(by, sort=False):
            s = _series(piece.reset_index(drop=True), m.kind, m.unit, window)
            s["target"] = _target_for(target, segment)
            pieces.append(s)
        if pieces:
            out = pd.concat(pieces, ignore_index=True)
        else:
            out = _series(frame, m.kind, m.unit, window).assign(target=math.nan)
    columns = list(TREND_COLUMNS)
    if by is not None:
        columns.insert(1, by)
    out = out[columns].reset_index(drop=True)
    out["target"] = out["target"].astype("float64")
    out["partial"] = out["partial"].astype(bool)
    out.attrs = {"metric": m.id, "freq": freq, "by": by, "chart": chart, "period": per}
    return out
