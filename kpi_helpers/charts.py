"""Altair chart builders: they RETURN charts (never save or show) and only ever see aggregates.

* :func:`trend_chart` -- a KPI over time with its control band, centre line, target and the
  flagged points (from :func:`kpi_helpers.trends.trend`);
* :func:`comparison_chart` -- A vs B for each KPI with the 95% interval of the change (from
  :func:`kpi_helpers.compare.compare_many`);
* :func:`drivers_chart` -- a waterfall from the value in A to the value in B through each
  segment's contribution (from :func:`kpi_helpers.compare.compare` with ``by=``).

The data inlined in a chart is one row per aggregate point (a period, a KPI, a segment):
never raw contacts, so specs stay small and Altair's 5,000-row limit is never near. Titles and
axis labels go through :func:`kpi_helpers.i18n.t`; numbers and dates are formatted per locale
(Babel for tooltips, a Vega ``config.locale`` built from Babel's CLDR data for the axes).
Colours and shapes come from the Okabe-Ito palette, safe for colour-blind readers: flagged
points differ in shape as well as colour.

Examples
--------
>>> from kpi_helpers import trends, charts                          # doctest: +SKIP
>>> tr = trends.trend("data.parquet", "csat", "week")                # doctest: +SKIP
>>> charts.trend_chart(tr, "csat", lang="pt-BR")                     # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import altair as alt
import numpy as np
import pandas as pd

from .errors import OptionError
from .i18n import (
    format_date,
    format_number,
    format_p_value,
    format_percent,
    format_signed_percent,
    format_value,
    normalize_lang,
    segment_label,
    t,
)
from .metrics import get_metric
from .trends import SIGNAL_LABELS, SIGNAL_LIMITS, SIGNAL_SHIFT, SIGNAL_TREND, TREND_COLUMNS

__all__ = [
    "trend_chart",
    "comparison_chart",
    "drivers_chart",
    "format_change",
    "format_limits",
    "format_p_value",
    "vega_locale",
    "PALETTE",
]

#: Okabe-Ito colours (colour-blind safe).
PALETTE = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "orange": "#E69F00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "grey": "#7F7F7F",
    "dark": "#333333",
}

_STATUS_IN = "in control"
_STATUS_OUT = SIGNAL_LABELS[SIGNAL_LIMITS]
_STATUS_RUN = SIGNAL_LABELS[SIGNAL_SHIFT]
_STATUS_TREND = SIGNAL_LABELS[SIGNAL_TREND]
_STATUS_PARTIAL = "partial bucket: left out of the limits and signals"
_LEGEND_PARTIAL = "partial bucket (fewer days)"
#: Columns a trend frame may lack (frames made before they existed, or by hand).
_TREND_OPTIONAL = ("trend_flag", "signal", "covered_days", "days")
_TREND_FIXED = tuple(c for c in TREND_COLUMNS if c not in _TREND_OPTIONAL)
_AXIS_FORMAT = {"day": "%d %b", "week": "%d %b", "month": "%b %Y", "quarter": "%b %Y", "year": "%Y"}


# -- locale and units -------------------------------------------------------------------------
@cache
def _vega_locale_cached(lang: str) -> tuple:
    from babel import Locale

    loc = Locale.parse(lang.replace("-", "_"))
    num = loc.number_symbols.get("latn", loc.number_symbols)
    months = loc.months["format"]
    days = loc.days["format"]
    # d3 wants Sunday first; Babel numbers Monday 0 .. Sunday 6
    order = [6, 0, 1, 2, 3, 4, 5]
    date = "%d/%m/%Y" if lang == "pt-BR" else "%m/%d/%Y"
    number = {
        "decimal": num["decimal"],
        "thousands": num["group"],
        "grouping": [3],
        "currency": ["R$ ", ""] if lang == "pt-BR" else ["$", ""],
    }
    time = {
        "dateTime": f"{date}, %H:%M:%S",
        "date": date,
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [str(days["wide"][i]) for i in order],
        "shortDays": [str(days["abbreviated"][i]) for i in order],
        "months": [str(months["wide"][i]) for i in range(1, 13)],
        "shortMonths": [str(months["abbreviated"][i]).rstrip(".") for i in range(1, 13)],
    }
    return tuple(sorted(number.items())), tuple(sorted(time.items()))


def vega_locale(lang: str | None = "pt-BR") -> dict:
    """A Vega ``config.locale`` (d3 number and time formats) for ``lang``, from Babel's CLDR.

    >>> vega_locale("pt-BR")["number"]["decimal"]
    ','
    """
    number, time = _vega_locale_cached(normalize_lang(lang))
    return {"number": dict(number), "time": dict(time)}


def _unit_scale(unit: str, values) -> tuple[float, str, str]:
    """(divisor, d3 axis format, axis unit text) for a KPI unit and the values to plot."""
    arr = np.asarray([v for v in values if v is not None and not pd.isna(v)], dtype="float64")
    if unit == "ratio":
        span = float(arr.max() - arr.min()) if arr.size else 0.0
        return 1.0, (".1%" if span < 0.05 else ".0%"), ""
    if unit == "seconds":
        typical = float(np.nanmedian(np.abs(arr))) if arr.size else 0.0
        if typical >= 2 * 3600:
            return 3600.0, ",.3~g", "h"
        if typical >= 120:
            return 60.0, ",.3~g", "min"
        return 1.0, ",.0f", "s"
    if unit == "count":
        return 1.0, ",.0f", ""
    if unit == "score":
        return 1.0, ",.2f", ""
    return 1.0, ",.1f", ""


def _fmt(value, unit: str, lang: str) -> str:
    if unit == "per_day":
        return format_number(value, lang, decimals=1)
    return format_value(value, unit, lang)


def format_change(value, unit: str, lang: str | None = "pt-BR") -> str:
    """A signed change in a KPI's unit: ``+3,1 p.p.`` for ratios, ``−1,5 min``, ``+210``.

    >>> format_change(-0.12, "ratio", "en")
    '−12.0 pp'
    """
    lang = normalize_lang(lang)
    if value is None or pd.isna(value):
        return "–"
    mag = abs(float(value))
    if unit == "ratio":
        text = t("{x} pp", lang, x=format_number(mag * 100.0, lang, decimals=1))
    elif unit == "per_day":
        text = format_number(mag, lang, decimals=1)
    else:
        text = format_value(mag, unit, lang)
    if not any(ch in "123456789" for ch in text):
        return text  # rounds to zero: no sign
    return ("+" if value > 0 else "−") + text


def _fmt_digits(value, unit: str, lang: str, extra: int = 0) -> str:
    """:func:`_fmt` with ``extra`` more decimals (same unit choice as the usual text)."""
    if extra <= 0 or value is None or pd.isna(value):
        return _fmt(value, unit, lang)
    v = float(value)
    if unit == "ratio":
        return format_percent(v, lang, decimals=1 + extra)
    if unit == "seconds":
        s = abs(v)
        if s < 60:
            return f"{format_number(v, lang, decimals=extra)} s"
        if s < 3600:
            return f"{format_number(v / 60, lang, decimals=1 + extra)} min"
        if s < 86400:
            return f"{format_number(v / 3600, lang, decimals=1 + extra)} h"
        return f"{format_number(v / 86400, lang, decimals=1 + extra)} d"
    if unit == "count":
        return format_number(v, lang, decimals=extra)
    if unit == "currency":
        return _fmt(value, unit, lang)
    return format_number(v, lang, decimals=(2 if unit == "score" else 1) + extra)


def format_limits(value, lcl, ucl, unit: str, lang: str | None = "pt-BR") -> tuple[str, str]:
    """``(value text, "lcl – ucl")`` of a control-chart point, precise enough to see why.

    When the value rounds to the same text as a limit (``3,5 h`` against ``1,6 h – 3,5 h``
    for a point just outside), one more decimal is shown (up to three) for the value and
    both limits, so that the reader sees on which side of the limit it lies.

    >>> format_limits(12650, 5800, 12600, "seconds", "en")
    ('3.51 h', '1.61 h – 3.50 h')
    """
    lang = normalize_lang(lang)
    limits = [x for x in (lcl, ucl) if x is not None and not pd.isna(x) and x != value]
    extra = 0
    while (
        value is not None
        and not pd.isna(value)
        and extra < 3
        and any(
            _fmt_digits(value, unit, lang, extra) == _fmt_digits(x, unit, lang, extra)
            for x in limits
        )
    ):
        extra += 1
    limits = f"{_fmt_digits(lcl, unit, lang, extra)} – {_fmt_digits(ucl, unit, lang, extra)}"
    return _fmt_digits(value, unit, lang, extra), limits


def _num(value) -> float | None:
    """A plain float for the spec (None for missing: JSON has no NaN)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _label(metric: str, lang: str) -> str:
    try:
        return get_metric(metric).label(lang)
    except Exception:  # noqa: BLE001 - a KPI outside the registry keeps its id
        return str(metric)


# -- trend chart ------------------------------------------------------------------------------
def _segment_column(frame: pd.DataFrame) -> str | None:
    extra = [c for c in frame.columns if c not in TREND_COLUMNS]
    if len(extra) > 1:
        raise OptionError(
            f"`trend_df` must be a frame from kpi_helpers.trend() (at most one segment column), "
            f"got extra columns {extra!r}."
        )
    return extra[0] if extra else None


def _flags(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].eq(True).to_numpy(dtype=bool)


def _coverage_text(covered, days, partial: bool, lang: str) -> str:
    """``"partial: 3 of 7 days"`` / ``"7 of 7 days"`` in ``lang``."""
    covered = format_number(covered, lang, decimals=0)
    days = format_number(days, lang, decimals=0)
    if partial:
        return t("partial: {covered} of {days} days", lang, covered=covered, days=days)
    return t("{covered} of {days} days", lang, covered=covered, days=days)


def _dashed_groups(partial: np.ndarray, keys) -> np.ndarray:
    """Per row, the id of the dashed stretch it belongs to (a segment touching a partial
    bucket), or -1; stretches never cross segments (``keys``)."""
    group = np.full(len(partial), -1)
    current = -1
    for i in range(len(partial) - 1):
        if keys[i] != keys[i + 1] or not (partial[i] or partial[i + 1]):
            continue
        if group[i] < 0:
            current += 1
            group[i] = current
        group[i + 1] = group[i]
    return group


def _trend_data(
    frame: pd.DataFrame, unit: str, lang: str, seg: str | None, div: float
) -> pd.DataFrame:
    out = _flags(frame, "out_of_control")
    run = _flags(frame, "run_flag")
    rising = _flags(frame, "trend_flag")
    partial = _flags(frame, "partial")
    flagged = out | run | rising
    status = np.select(
        [out, run, rising],
        [t(_STATUS_OUT, lang), t(_STATUS_RUN, lang), t(_STATUS_TREND, lang)],
        t(_STATUS_IN, lang),
    )
    periods = pd.to_datetime(frame["period"])
    texts = [
        format_limits(v, lo, hi, unit, lang)
        if flag
        else (_fmt(v, unit, lang), f"{_fmt(lo, unit, lang)} – {_fmt(hi, unit, lang)}")
        for v, lo, hi, flag in zip(frame["value"], frame["lcl"], frame["ucl"], flagged, strict=True)
    ]
    # the rule that fired; in-control points say so (never an empty tooltip row); a partial
    # bucket says why it is not tested
    rules = []
    for rule, part in zip(frame["rule"], partial, strict=True):
        if part:
            rules.append(t(_STATUS_PARTIAL, lang))
        elif isinstance(rule, str) and rule:
            rules.append("; ".join(t(r, lang) for r in rule.split("; ")))
        else:
            rules.append(t(_STATUS_IN, lang))
    if {"covered_days", "days"} <= set(frame.columns):
        coverage = [
            _coverage_text(c, d, part, lang)
            for c, d, part in zip(frame["covered_days"], frame["days"], partial, strict=True)
        ]
    else:
        coverage = [t(_LEGEND_PARTIAL, lang) if part else "–" for part in partial]
    period_text = [format_date(p, lang) for p in periods]
    value = frame["value"].astype("float64").to_numpy() / div
    keys = frame[seg].to_numpy() if seg is not None else np.zeros(len(frame))
    dashed = _dashed_groups(partial, keys)
    data = pd.DataFrame(
        {
            # local midnight (no "Z"): the browser places and labels the point on its own day,
            # whatever its time zone
            "period": periods.dt.strftime("%Y-%m-%dT00:00:00"),
            "value": value,
            "lcl": frame["lcl"].astype("float64") / div,
            "ucl": frame["ucl"].astype("float64") / div,
            "center": frame["center"].astype("float64") / div,
            "target": frame["target"].astype("float64") / div,
            "status": status,
            "partial": partial,
            # the solid line skips partial buckets; the dashed one joins them to their neighbours
            "solid": np.where(partial, np.nan, value),
            "dashed": np.where(dashed >= 0, value, np.nan),
            "dashed_group": dashed,
            "partial_text": np.where(partial, t(_LEGEND_PARTIAL, lang), ""),
            "period_text": period_text,
            "value_text": [v for v, _ in texts],
            "rolling_text": [_fmt(v, unit, lang) for v in frame["rolling_mean"]],
            "limits_text": [lim for _, lim in texts],
            "n_text": [format_number(v, lang, decimals=0) for v in frame["n"]],
            "coverage_text": coverage,
            "rule_text": rules,
        }
    )
    if seg is not None:
        data.insert(1, seg, [segment_label(seg, v, lang) for v in frame[seg]])
    data["desc"] = [
        (f"{s}, " if seg is not None else "") + f"{p}: {v}, " + (f"{c}, " if part else "") + r
        for s, p, v, c, part, r in zip(
            data[seg] if seg is not None else [""] * len(data),
            period_text,
            data["value_text"],
            coverage,
            partial,
            rules,
            strict=True,
        )
    ]
    # JSON has no NaN: Altair would turn it into null, do it explicitly
    return data.astype(object).where(data.notna(), None)


def _time_ticks(periods, width: int) -> list[alt.DateTime]:
    """Axis ticks on the points' own dates (a week starts on its Monday), at most one per ~56 px."""
    days = sorted({pd.Timestamp(p).normalize() for p in periods if not pd.isna(p)})
    if not days:
        return []
    step = max(1, math.ceil(len(days) / max(2, width // 56)))
    return [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in days[::step]]


def trend_chart(
    trend_df: pd.DataFrame,
    metric: str,
    *,
    lang: str | None = "pt-BR",
    freq: str | None = None,
    width: int = 560,
    height: int = 200,
) -> alt.TopLevelMixin:
    """A KPI over time: line and points, control band, centre line, target, flagged points.

    Parameters
    ----------
    trend_df : DataFrame
        The result of :func:`kpi_helpers.trends.trend` (one row per period, or per period and
        segment: one small chart per segment, stacked).
    metric : str
        The KPI id (its label titles the chart; its unit formats the axis and tooltips).
    lang : {"pt-BR", "en"}
        Language of the texts and number/date formats.
    freq : str, optional
        The time grain, for the date format of the axis (default ``trend_df.attrs["freq"]``).
    width, height : int
        Size of one panel in pixels.

    Returns
    -------
    altair.Chart
        Points outside the limits are vermillion triangles, points in a run of 8 on one side
        orange squares, points in a run of 6 rising or falling purple diamonds, the others
        blue circles. Partial buckets (``partial``: the period or the data does not cover
        all their days) are hollow grey circles joined by a dashed line, with their own
        legend entry, and the tooltip says "partial: 3 of 7 days". Tooltips show the period,
        the value (formatted by the KPI's unit, with one more decimal when a flagged point
        and its limit would round alike), the n, the days covered and the rule that fired.
        The axis ticks fall on the points' dates; screen readers get a description of the
        chart and of each point.
    """
    lang = normalize_lang(lang)
    if not isinstance(trend_df, pd.DataFrame) or not set(_TREND_FIXED) <= set(trend_df.columns):
        missing = sorted(set(_TREND_FIXED) - set(getattr(trend_df, "columns", [])))
        raise OptionError(
            f"`trend_df` must be the frame returned by kpi_helpers.trend(); missing columns {missing}."
        )
    m = get_metric(metric)
    seg = _segment_column(trend_df)
    freq = freq or trend_df.attrs.get("freq") or "week"
    values = pd.concat([trend_df["value"], trend_df["center"]])
    div, fmt, unit_text = _unit_scale(m.unit, values)
    data = _trend_data(trend_df, m.unit, lang, seg, div)
    label = m.label(lang)
    dim_title = t(seg.capitalize(), lang) if seg is not None else None
    if seg is not None:  # one axis per segment: keep their titles short
        y_title = unit_text or t("Value", lang)
    else:
        y_title = f"{label} ({unit_text})" if unit_text else label
    chart_kind = trend_df.attrs.get("chart") or ("p" if m.kind == "proportion" else "xmr")
    subtitle = (
        t("p-chart: 3-sigma limits from each point's own n", lang)
        if chart_kind == "p"
        else t("XmR chart: centre ± 2.66 × mean moving range", lang)
    )

    x = alt.X(
        "period:T",
        title=t("Period", lang),
        scale=alt.Scale(padding=12),
        axis=alt.Axis(
            format=_AXIS_FORMAT.get(freq, "%d %b"),
            labelAngle=0,
            values=_time_ticks(trend_df["period"], width),
        ),
    )
    # padding (in pixels) keeps the extreme points off the plot's edges
    y_scale = alt.Scale(zero=False, padding=10)
    base = alt.Chart().encode(x=x)
    band = base.mark_area(opacity=0.16, color=PALETTE["blue"], aria=False).encode(
        y=alt.Y("lcl:Q", scale=y_scale, title=y_title, axis=alt.Axis(format=fmt)),
        y2="ucl:Q",
    )
    centre = base.mark_line(
        color=PALETTE["dark"], strokeDash=[6, 3], strokeWidth=1, aria=False
    ).encode(y="center:Q")
    has_partial = bool(data["partial"].any())
    line = base.mark_line(color=PALETTE["blue"], strokeWidth=1.5, aria=False).encode(
        y="solid:Q" if has_partial else "value:Q"
    )
    statuses = [
        t(_STATUS_IN, lang),
        t(_STATUS_OUT, lang),
        t(_STATUS_RUN, lang),
        t(_STATUS_TREND, lang),
    ]
    tooltip = [
        alt.Tooltip("period_text:N", title=t("Period", lang)),
        alt.Tooltip("value_text:N", title=label),
        alt.Tooltip("n_text:N", title="n"),
        alt.Tooltip("coverage_text:N", title=t("Days covered", lang)),
        alt.Tooltip("limits_text:N", title=t("Control limits", lang)),
        alt.Tooltip("rolling_text:N", title=t("Rolling mean", lang)),
        alt.Tooltip("rule_text:N", title=t("Status", lang)),
    ]
    if seg is not None:
        tooltip.insert(0, alt.Tooltip(f"{seg}:N", title=dim_title))
    points = base.mark_point(filled=True, size=55, opacity=1).encode(
        y="value:Q",
        color=alt.Color(
            "status:N",
            scale=alt.Scale(
                domain=statuses,
                range=[
                    PALETTE["blue"],
                    PALETTE["vermillion"],
                    PALETTE["orange"],
                    PALETTE["purple"],
                ],
            ),
            legend=alt.Legend(title=t("Status", lang), orient="bottom", columns=2, labelLimit=360),
        ),
        shape=alt.Shape(
            "status:N",
            scale=alt.Scale(domain=statuses, range=["circle", "triangle-up", "square", "diamond"]),
        ),
        tooltip=tooltip,
        description=alt.Description("desc:N"),
    )
    layers = [band, centre]
    if trend_df["target"].notna().any():
        layers.append(
            base.mark_line(
                color=PALETTE["green"], strokeDash=[2, 2], strokeWidth=2, aria=False
            ).encode(y="target:Q")
        )
    if not has_partial:
        layers += [line, points]
    else:
        # partial buckets: a dashed line to their neighbours and a hollow point, with its own
        # legend entry (a stroke scale, apart from the status colours)
        dashed = (
            base.transform_filter("datum.dashed_group >= 0")
            .mark_line(color=PALETTE["grey"], strokeDash=[4, 3], strokeWidth=1.5, aria=False)
            .encode(y="dashed:Q", detail="dashed_group:N")
        )
        hollow = (
            base.transform_filter("datum.partial")
            .mark_point(filled=False, size=55, opacity=1, strokeWidth=1.5, shape="circle")
            .encode(
                y="value:Q",
                stroke=alt.Stroke(
                    "partial_text:N",
                    scale=alt.Scale(domain=[t(_LEGEND_PARTIAL, lang)], range=[PALETTE["grey"]]),
                    legend=alt.Legend(title=None, orient="bottom"),
                ),
                tooltip=tooltip,
                description=alt.Description("desc:N"),
            )
        )
        layers += [line, dashed, points.transform_filter("!datum.partial"), hollow]
    title = alt.TitleParams(text=label, subtitle=subtitle, anchor="start")
    periods = pd.to_datetime(trend_df["period"])
    flagged = _flags(trend_df, "out_of_control") | _flags(trend_df, "run_flag")
    flagged |= _flags(trend_df, "trend_flag")
    summary = dict(
        kpi=label,
        first=format_date(periods.min(), lang) if len(periods) else "–",
        last=format_date(periods.max(), lang) if len(periods) else "–",
        n=format_number(int(trend_df["value"].notna().sum()), lang, decimals=0),
        flagged=format_number(int(flagged.sum()), lang, decimals=0),
    )
    if has_partial:
        description = t(
            "Control chart of {kpi} from {first} to {last}: {n} points ({partial} partial, "
            "left out of the limits); flagged: {flagged}.",
            lang,
            partial=format_number(int(data["partial"].sum()), lang, decimals=0),
            **summary,
        )
    else:
        description = t(
            "Control chart of {kpi} from {first} to {last}: {n} points; flagged: {flagged}.",
            lang,
            **summary,
        )
    if seg is not None:
        chart = (
            alt.layer(*layers, data=alt.InlineData(values=data.to_dict("records")))
            .properties(width=width, height=height)
            .facet(row=alt.Row(f"{seg}:N", title=dim_title))
            .resolve_scale(y="independent")
            .properties(title=title, description=description)
        )
    else:
        chart = alt.layer(*layers, data=alt.InlineData(values=data.to_dict("records"))).properties(
            width=width, height=height, title=title, description=description
        )
    return chart.configure(locale=vega_locale(lang))


# -- comparison chart -------------------------------------------------------------------------
_ASSESS_BETTER = "better"
_ASSESS_WORSE = "worse"
_ASSESS_CHANGED = "significant change"
_ASSESS_NOISE = "within normal variation"
_ASSESS_NONE = "no test"


def _assessment(c) -> str:
    p = getattr(c, "p_value", None)
    if p is None or pd.isna(p):
        return _ASSESS_NONE
    if p >= 0.05:
        return _ASSESS_NOISE
    direction = getattr(c, "higher_is_better", None)
    if direction is None:
        return _ASSESS_CHANGED
    up = c.change > 0
    return _ASSESS_BETTER if up == bool(direction) else _ASSESS_WORSE


def _comparison_row(c, lang: str) -> dict:
    per_day = c.kind in ("count", "per_day") and not pd.isna(getattr(c, "per_day_a", math.nan))
    if per_day:
        a, b = float(c.per_day_a), float(c.per_day_b)
        unit = "per_day"
        label = t("{kpi}, per day", lang, kpi=c.label(lang)) if c.kind == "count" else c.label(lang)
        pct = c.per_day_pct_change
    else:
        a, b = c.value_a, c.value_b
        unit = c.unit
        label = c.label(lang)
        pct = c.pct_change
    base = a if a is not None and not pd.isna(a) else math.nan
    lo = base + c.ci_low if not pd.isna(c.ci_low) else math.nan
    hi = base + c.ci_high if not pd.isna(c.ci_high) else math.nan
    div, fmt, unit_text = _unit_scale(unit, [a, b])
    ci_text = (
        f"{format_change(c.ci_low, unit, lang)} … {format_change(c.ci_high, unit, lang)}"
        if not pd.isna(c.ci_low)
        else "–"
    )
    return {
        "kpi": label,
        "a": _num(a / div if not pd.isna(a) else math.nan),
        "b": _num(b / div if not pd.isna(b) else math.nan),
        "lo": _num(lo / div),
        "hi": _num(hi / div),
        "assessment": t(_assessment(c), lang),
        "a_text": f"{c.period_a.display(lang)}: {_fmt(a, unit, lang)}",
        "b_text": f"{c.period_b.display(lang)}: {_fmt(b, unit, lang)}",
        "change_text": f"{format_change(b - a, unit, lang)} ({format_signed_percent(pct, lang)})",
        "ci_text": ci_text,
        "p_text": format_p_value(c.p_value, lang),
        "n_text": f"{format_number(c.n_a, lang, decimals=0)} / {format_number(c.n_b, lang, decimals=0)}",
        "label_text": format_signed_percent(pct, lang),
        "desc": (
            f"{label}: A {_fmt(a, unit, lang)}, B {_fmt(b, unit, lang)}, "
            f"{format_change(b - a, unit, lang)}; {t(_assessment(c), lang)}"
        ),
        "_fmt": fmt,
        "_unit": unit_text,
    }


def comparison_chart(
    comparisons: Sequence, lang: str | None = "pt-BR", *, width: int = 360
) -> alt.TopLevelMixin:
    """A vs B for each KPI, with the 95% interval of the change drawn around A.

    One row per KPI (each on its own axis, in its unit; counts per calendar day): a hollow
    grey point at A, a filled point at B coloured by the verdict (better / worse /
    significant change / within normal variation / no test), and a bar from
    ``A + ci_low`` to ``A + ci_high``: when the bar does not reach A, the change is
    significant at 95%. The label on the right is the relative change.

    Parameters
    ----------
    comparisons : sequence of Comparison
        From :func:`kpi_helpers.compare.compare_many` (or several :func:`compare` calls).
    lang : {"pt-BR", "en"}
    width : int
        Width of the plotting area in pixels.
    """
    lang = normalize_lang(lang)
    comparisons = list(comparisons)
    if not comparisons:
        raise OptionError("`comparisons` must hold at least one Comparison, got an empty list.")
    # a count is drawn per calendar day: when its per-day KPI is in the list too, that row
    # already shows it (the same numbers twice would read as two findings)
    metrics = {getattr(c, "metric", None) for c in comparisons}
    shown = [
        c
        for c in comparisons
        if not (getattr(c, "kind", None) == "count" and f"{c.metric}_per_day" in metrics)
    ]
    verdicts = [_ASSESS_BETTER, _ASSESS_WORSE, _ASSESS_CHANGED, _ASSESS_NOISE, _ASSESS_NONE]
    colour = alt.Color(
        "assessment:N",
        scale=alt.Scale(
            domain=[t(v, lang) for v in verdicts],
            range=[
                PALETTE["blue"],
                PALETTE["vermillion"],
                PALETTE["purple"],
                PALETTE["grey"],
                "#BBBBBB",
            ],
        ),
        legend=alt.Legend(title=t("Verdict", lang), orient="bottom"),
    )
    tooltip = [
        alt.Tooltip("kpi:N", title=t("KPI", lang)),
        alt.Tooltip("a_text:N", title="A"),
        alt.Tooltip("b_text:N", title="B"),
        alt.Tooltip("change_text:N", title=t("Change", lang)),
        alt.Tooltip("ci_text:N", title=t("95% interval of the change", lang)),
        alt.Tooltip("p_text:N", title=t("p-value", lang)),
        alt.Tooltip("n_text:N", title="n (A / B)"),
    ]
    description = alt.Description("desc:N")
    panels = []
    for c in shown:
        row = _comparison_row(c, lang)
        fmt, unit_text = row.pop("_fmt"), row.pop("_unit")
        data = alt.InlineData(values=[row])
        y = alt.Y("kpi:N", title=None, axis=alt.Axis(labelLimit=230, minExtent=230))
        x_axis = alt.Axis(format=fmt, title=unit_text or None, tickCount=5)
        base = alt.Chart(data).encode(y=y)
        ci = base.mark_rule(strokeWidth=6, opacity=0.35, color=PALETTE["grey"]).encode(
            x=alt.X("lo:Q", scale=alt.Scale(zero=False), axis=x_axis),
            x2="hi:Q",
            tooltip=tooltip,
            description=description,
        )
        pa = base.mark_point(
            shape="circle", size=90, filled=False, color=PALETTE["dark"], aria=False
        ).encode(x="a:Q", tooltip=tooltip)
        pb = base.mark_point(shape="diamond", size=120, filled=True, opacity=1, aria=False).encode(
            x="b:Q", color=colour, tooltip=tooltip
        )
        text = base.mark_text(align="left", dx=6, color=PALETTE["dark"], aria=False).encode(
            x=alt.value(width), text="label_text:N"
        )
        panels.append(alt.layer(ci, pa, pb, text).properties(width=width, height=34))
    title = alt.TitleParams(
        text=t("Period A vs period B", lang),
        subtitle=t("○ A   ◆ B   bar: 95% interval of the change, drawn from A", lang),
        anchor="start",
    )
    first = shown[0]
    chart = alt.vconcat(*panels, spacing=6).properties(
        title=title,
        description=t(
            "Period A ({a}) against period B ({b}) for {n} KPIs: the value in A, the value "
            "in B and the 95% interval of the change.",
            lang,
            a=first.period_a.display(lang),
            b=first.period_b.display(lang),
            n=format_number(len(shown), lang, decimals=0),
        ),
    )
    return (
        chart.resolve_scale(x="independent", color="shared")
        .configure(locale=vega_locale(lang))
        .configure_view(stroke=None)
    )


# -- drivers waterfall ------------------------------------------------------------------------
def drivers_chart(
    comparison, lang: str | None = "pt-BR", *, top: int = 8, width: int = 520, height: int = 260
) -> alt.TopLevelMixin:
    """A waterfall from the KPI's value in A to its value in B through each segment's share.

    Parameters
    ----------
    comparison : Comparison
        From :func:`kpi_helpers.compare.compare` with ``by=`` a dimension (its ``drivers``).
    lang : {"pt-BR", "en"}
    top : int, default 8
        Segments shown by the largest absolute contribution; the rest are one bar "Other".
    width, height : int
        Size in pixels.

    Returns
    -------
    altair.Chart
        Bars: A (grey), one floating bar per segment (blue when it raises the KPI, vermillion
        when it lowers it) and B (grey), labelled with their values and signed contributions.
        Tooltips show the period and value of A and B, and each segment's values in A and B,
        its contribution and its split into mix and rate effects. The value axis starts at
        zero when the steps stay readable from there; otherwise it is zoomed on the levels,
        the bars of A and B are drawn cut (a white gap) and the subtitle says where the
        axis starts.

    Raises
    ------
    OptionError
        When the comparison has no drivers (it was made without ``by=``).
    """
    lang = normalize_lang(lang)
    drivers = getattr(comparison, "drivers", None)
    by = getattr(comparison, "by", None)
    if drivers is None or by is None or by not in getattr(drivers, "columns", []):
        raise OptionError(
            "`comparison` has no drivers: make it with compare(..., by='channel') (or another "
            "dimension: 'team', 'agent', 'category')."
        )
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise OptionError(f"`top` must be a whole number >= 1, got {top!r}.")
    unit = comparison.unit
    d = drivers.loc[drivers["contribution"].notna()].copy()
    d = d.reindex(d["contribution"].abs().sort_values(ascending=False, kind="stable").index)
    shown, rest = d.iloc[:top], d.iloc[top:]
    steps: list[dict] = []
    for _, r in shown.iterrows():
        steps.append(
            {
                "step": segment_label(by, r[by], lang),
                "contribution": float(r["contribution"]),
                "detail_a": _fmt(r["value_a"], unit, lang),
                "detail_b": _fmt(r["value_b"], unit, lang),
                "mix": format_change(r.get("mix_effect"), unit, lang),
                "rate": format_change(r.get("rate_effect"), unit, lang),
            }
        )
    if len(rest):
        steps.append(
            {
                "step": t("Other ({n})", lang, n=len(rest)),
                "contribution": float(rest["contribution"].sum()),
                "detail_a": "–",
                "detail_b": "–",
                "mix": format_change(rest["mix_effect"].sum(min_count=1), unit, lang),
                "rate": format_change(rest["rate_effect"].sum(min_count=1), unit, lang),
            }
        )
    a_label = f"A: {comparison.period_a.display(lang)}"
    b_label = f"B: {comparison.period_b.display(lang)}"
    value_a, value_b = float(comparison.value_a), float(comparison.value_b)
    levels = [value_a]
    for s in steps:
        levels.append(levels[-1] + s["contribution"])
    levels.append(value_b)
    div, fmt, unit_text = _unit_scale(unit, levels)
    floor, top_, zoomed = _waterfall_domain(levels)
    increase, decrease, total = (
        t("raises the KPI", lang),
        t("lowers the KPI", lang),
        t("total", lang),
    )
    label = comparison.label(lang)
    rows = [
        {
            "step": a_label,
            "start": floor / div,
            "end": value_a / div,
            "kind": total,
            "is_total": True,
            "value_text": _fmt(value_a, unit, lang),
        }
    ]
    cum = value_a
    for s in steps:
        start, end = cum, cum + s["contribution"]
        rows.append(
            {
                **s,
                "start": start / div,
                "end": end / div,
                "kind": increase if s["contribution"] >= 0 else decrease,
                "is_total": False,
                "value_text": format_change(s["contribution"], unit, lang),
            }
        )
        cum = end
    rows.append(
        {
            "step": b_label,
            "start": floor / div,
            "end": value_b / div,
            "kind": total,
            "is_total": True,
            "value_text": _fmt(value_b, unit, lang),
        }
    )
    span = top_ - floor
    for r in rows:
        r.pop("contribution", None)
        r["top"] = max(r["start"], r["end"])
        r["desc"] = f"{r['step']}: {r['value_text']}"
        if r["is_total"] and zoomed:  # a white gap near the bottom: the bar is cut
            r["gap_lo"] = (floor + 0.035 * span) / div
            r["gap_hi"] = (floor + 0.065 * span) / div
    order = [r["step"] for r in rows]
    dim = t(by.capitalize(), lang)
    step_tooltip = [
        alt.Tooltip("step:N", title=dim),
        alt.Tooltip("value_text:N", title=t("Contribution", lang)),
        alt.Tooltip("detail_a:N", title="A"),
        alt.Tooltip("detail_b:N", title="B"),
    ]
    if any(s["mix"] != "–" or s["rate"] != "–" for s in steps):
        step_tooltip += [
            alt.Tooltip("mix:N", title=t("Mix effect", lang)),
            alt.Tooltip("rate:N", title=t("Rate effect", lang)),
        ]
    total_tooltip = [
        alt.Tooltip("step:N", title=t("Period", lang)),
        alt.Tooltip("value_text:N", title=label),
    ]
    y_title = label + (f" ({unit_text})" if unit_text else "")
    base = alt.Chart(alt.InlineData(values=rows)).encode(
        x=alt.X("step:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160))
    )
    y = alt.Y(
        "start:Q",
        title=y_title,
        scale=alt.Scale(zero=False, nice=False, domain=[floor / div, top_ / div]),
        axis=alt.Axis(format=fmt, tickCount=6),
    )
    colour = alt.Color(
        "kind:N",
        scale=alt.Scale(
            domain=[total, increase, decrease],
            range=[PALETTE["grey"], PALETTE["blue"], PALETTE["vermillion"]],
        ),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    description = alt.Description("desc:N")
    totals = (
        base.mark_bar(size=28)
        .encode(y=y, y2="end:Q", color=colour, tooltip=total_tooltip, description=description)
        .transform_filter("datum.is_total")
    )
    bars = (
        base.mark_bar(size=28)
        .encode(y=y, y2="end:Q", color=colour, tooltip=step_tooltip, description=description)
        .transform_filter("!datum.is_total")
    )
    labels = base.mark_text(dy=-6, color=PALETTE["dark"], fontSize=11, aria=False).encode(
        y=alt.Y("top:Q"), text="value_text:N"
    )
    layers = [totals, bars, labels]
    subtitle = [
        t("Contribution of each {dim} from A to B (mix + rate effect)", lang, dim=dim.lower())
    ]
    if zoomed:
        layers.insert(
            2,
            base.mark_bar(size=34, color="white", aria=False)
            .encode(y="gap_lo:Q", y2="gap_hi:Q")
            .transform_filter("datum.is_total"),
        )
        subtitle.append(
            t(
                "The axis starts at {floor}, not at zero: compare the steps, not the heights "
                "of the bars.",
                lang,
                floor=_fmt(floor, unit, lang),
            )
        )
    title = alt.TitleParams(
        text=t("What drove the change: {kpi}", lang, kpi=label),
        subtitle=subtitle,
        anchor="start",
    )
    chart = alt.layer(*layers).properties(
        width=width,
        height=height,
        title=title,
        description=t(
            "Waterfall of {kpi} from {a} in A to {b} in B: the contribution of each {dim}.",
            lang,
            kpi=label,
            a=_fmt(value_a, unit, lang),
            b=_fmt(value_b, unit, lang),
            dim=dim.lower(),
        ),
    )
    return chart.configure(locale=vega_locale(lang))


def _nice_floor(value: float, span: float) -> float:
    """``value`` rounded down to a round number at the scale of ``span`` (3653 -> 3650)."""
    if span <= 0 or not math.isfinite(span):
        return value
    step = 10 ** math.floor(math.log10(span)) / 2  # 3653 over 261 -> a multiple of 50
    return round(math.floor(value / step + 1e-9) * step, 12)


def _waterfall_domain(levels: Sequence[float]) -> tuple[float, float, bool]:
    """(axis floor, axis top, zoomed?) for the cumulated levels of a waterfall.

    From zero when the steps stay readable there (they span at least 15% of the
    largest level, or the levels cross zero); otherwise zoomed on the levels, with a round
    floor: the chart then says the axis does not start at zero and cuts the total bars.
    """
    lo, hi = min(levels), max(levels)
    span = hi - lo
    pad = span * 0.25 if span > 0 else max(abs(hi) * 0.05, 1e-9)
    if lo <= 0 <= hi or (lo > 0 and span >= 0.15 * hi) or (hi < 0 and span >= 0.15 * -lo):
        return min(lo - pad, 0.0) if lo < 0 else 0.0, max(hi + pad, 0.0), False
    floor = _nice_floor(lo - pad, (hi + pad) - (lo - pad))
    if lo > 0 and floor <= 0:
        return 0.0, hi + pad, False
    return floor, hi + pad, True
