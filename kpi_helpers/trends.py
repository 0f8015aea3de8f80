"""Trends: a KPI per day/week/month with a rolling mean, control limits and flagged points.

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

Two rules flag a point:

* ``out_of_control``: the value is strictly outside ``[lcl, ucl]``;
* ``run_flag``: the point belongs to a run of 8 or more consecutive points on the same side of
  the centre line (a point exactly on the centre line, or an empty period, ends a run).

``rule`` holds the English text of the rule(s) that fired (``"outside the control limits"``,
``"run of 8+ above the centre line"``, ``"run of 8+ below the centre line"``, joined by
``"; "``), or ``""``; they are message ids, so ``kpi_helpers.i18n.t(rule, lang)`` translates
them.

Empty periods (NaN value: no denominator) are kept, with NaN limits, and never flagged; they
are left out of the centre line and the moving ranges. When ``period`` cuts a time bucket (a
week that starts before the period, a month that ends after it), the bucket is marked
``partial``; for counts (kind ``count``/``stock``) a partial bucket holds fewer days, so it is
left out of the centre line and the moving ranges and is never flagged. Without ``period``
the buckets run from the first to the last contact: pass a period of whole buckets (or read
the first and last points with care) when the data starts or ends inside a week or month.

Examples
--------
>>> import pandas as pd
>>> from kpi_helpers.trends import trend
>>> df = pd.DataFrame({"interaction_id": list("abc"),
...     "created_at": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-13"])})
>>> trend(df, "volume", "week")[["period", "value", "center"]]
      period  value  center
0 2026-01-05    1.0     1.5
1 2026-01-12    2.0     1.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .engine import bucket_end
from .errors import OptionError
from .metrics import get_metric
from .schema import DIMENSION_COLUMNS, TIME_GRAINS

__all__ = [
    "trend",
    "TREND_COLUMNS",
    "RUN_LENGTH",
    "RULE_LIMITS",
    "RULE_RUN_ABOVE",
    "RULE_RUN_BELOW",
    "XMR_FACTOR",
    "p_chart_limits",
    "xmr_limits",
    "run_flags",
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
    "rule",
    "target",
    "partial",
)
#: Points in a row on one side of the centre line that make a run.
RUN_LENGTH = 8
#: 3 / d2 with d2 = 1.128 for moving ranges of two points.
XMR_FACTOR = 2.66
RULE_LIMITS = "outside the control limits"
RULE_RUN_ABOVE = "run of 8+ above the centre line"
RULE_RUN_BELOW = "run of 8+ below the centre line"

_NON_NEGATIVE_UNITS = ("count", "per_day", "seconds", "ratio")
_COUNT_KINDS = ("count", "stock")


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


# -- trend ------------------------------------------------------------------------------------
def _check_args(metric, freq, by, window):
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
    partial = frame["partial"].to_numpy(dtype=bool)
    use = ~partial if kind in _COUNT_KINDS else np.ones(len(frame), dtype=bool)
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
    runs = run_flags(np.where(has, values, np.nan), centers)
    rules = []
    for out, run in zip(outside, runs, strict=True):
        parts = [RULE_LIMITS] if out else []
        if run > 0:
            parts.append(RULE_RUN_ABOVE)
        elif run < 0:
            parts.append(RULE_RUN_BELOW)
        rules.append("; ".join(parts))
    rolling = frame["value"].astype("float64").rolling(window, min_periods=window).mean()
    return frame.assign(
        rolling_mean=rolling.to_numpy(),
        center=np.full(len(frame), center) if len(frame) else np.zeros(0),
        lcl=lcl,
        ucl=ucl,
        out_of_control=outside.astype(bool),
        run_flag=(runs != 0),
        rule=rules,
    )


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
) -> pd.DataFrame:
    """A KPI per time bucket with its rolling mean, control limits and flagged points.

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
        segment, each with its own centre line and limits.
    options : dict, optional
        KPI options, passed to the engine.
    period : period spec, optional
        Only the contacts in this period (anything :func:`kpi_helpers.periods.parse_period`
        accepts; relative specs need ``as_of``). Empty buckets inside it are kept.
    target : float or mapping, optional
        Carried along in the ``target`` column for the chart; a mapping gives one per segment
        (key ``None`` for the default).
    window : int, default 4
        Points in the rolling mean (the first ``window - 1`` points have none).
    as_of : date or str, optional
        First day NOT included, for relative ``period`` specs.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TREND_COLUMNS` (the segment column after ``period`` with ``by``),
        sorted by segment and period. ``attrs``: ``metric``, ``freq``, ``by``, ``chart``
        (``"p"`` or ``"xmr"``), ``period`` (the Period or None).
    """
    m = _check_args(metric, freq, by, window)
    per = None
    if period is not None:
        from .periods import parse_period

        per = parse_period(period, as_of=as_of)
    from .engine import compute

    keys = [freq] if by is None else [freq, by]
    raw = compute(data, m.id, by=keys, options=options, with_n=True, period=per)
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(raw[freq]).astype("datetime64[ns]"),
            "value": raw[m.id].astype("float64"),
            "n": raw[f"{m.id}_n"].fillna(0).astype("int64"),
        }
    )
    if by is not None:
        frame.insert(1, by, raw[by].astype(object).to_numpy())
    if per is not None and len(frame):
        ends = frame["period"].map(lambda s: bucket_end(freq, s))
        frame["partial"] = ((frame["period"] < per.start_ts) | (ends > per.end_ts)).to_numpy()
    else:
        frame["partial"] = False
    frame["partial"] = frame["partial"].astype(bool)
    chart = "p" if m.kind == "proportion" else "xmr"
    if by is None:
        out = _series(frame.reset_index(drop=True), m.kind, m.unit, window)
        out["target"] = _target_for(target, None)
    else:
        frame = frame.sort_values([by, "period"], kind="stable").reset_index(drop=True)
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
    out.attrs = {"metric": m.id, "freq": freq, "by": by, "chart": chart, "period": per}
    return out
