"""The Balanced Scorecard: every KPI of the four perspectives against its target, for a period.

:func:`scorecard` computes the KPIs of the period and of the previous one in ONE engine query
(``compute_components`` with ``periods={"a": previous, "b": period}``), plus one query for the
monthly history behind the sparklines, and judges each value against ``targets.yml``
(:mod:`kpi_helpers.targets`).

Status: ``on_target`` / ``watch`` / ``off_target`` as in :func:`kpi_helpers.targets.status_of`;
``no_data`` when the value is missing (no rows, a missing column, no operations table) or the
KPI has no target; the ``note`` column says which.

Scores: per perspective, the mean of the points of its KPIs that have a status other than
``no_data`` (on target = 1, watch = 0.5, off target = 0): the share on target with watch
counting half. ``overall`` is the mean of the perspective scores (each perspective weighs the
same, as in a *balanced* scorecard). A perspective without any scored KPI has score NaN.

Change: ``value - value of the previous period`` with the p-value of the test that fits the
KPI's kind (see :mod:`kpi_helpers.compare`; ratios of sums such as cost per interaction have no
test: p-value NaN).

Examples
--------
>>> from kpi_helpers import sample                                       # doctest: +SKIP
>>> sc = scorecard(sample.sample_path(), sample.operations(), period="2026-10",
...                targets="targets.yml", lang="en")                       # doctest: +SKIP
>>> sc.scores["overall"]                                                 # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError, KpiError, MetricUnavailable, OptionError
from .i18n import format_number, format_p_value, format_percent, format_value, normalize_lang, t
from .metrics import PERSPECTIVES, get_metric
from .operations import N_IS_ROWS
from .periods import Period, parse_period
from .targets import STATUS_POINTS, Target, Targets, load_targets, status_of

__all__ = [
    "Scorecard",
    "scorecard",
    "from_parameters",
    "DEFAULT_KPIS",
    "STATUS_SYMBOLS",
    "STATUS_COLORS",
]

#: The scorecard's KPIs per perspective (KPIs of targets.yml not listed here are added).
DEFAULT_KPIS: dict[str, tuple[str, ...]] = {
    "financial": ("cost_per_interaction", "cost_per_resolution", "roi_technology"),
    "customer": (
        "csat",
        "nps",
        "asa",
        "service_level",
        "fcr",
        "customer_retention",
        "delivery_success",
    ),
    "internal": (
        "volume",
        "answer_rate",
        "abandonment_rate",
        "aht",
        "transfer_rate",
        "bot_containment",
        "sla_compliance",
        "backlog",
        "availability",
    ),
    "learning": (
        "talent_retention",
        "training_hours_per_agent",
        "training_completion",
        "innovations",
    ),
}
#: Symbol of each status (colour-blind safe: the symbol carries the meaning, not the colour).
STATUS_SYMBOLS = {"on_target": "✓", "watch": "!", "off_target": "✗", "no_data": "–"}
#: (background, text) colours of each status.
STATUS_COLORS = {
    "on_target": ("#d1e7dd", "#0f5132"),
    "watch": ("#fff3cd", "#664d03"),
    "off_target": ("#f8d7da", "#842029"),
    "no_data": ("#e9ecef", "#41464b"),
}
_STATUS_TEXT = {
    "on_target": "on target",
    "watch": "watch",
    "off_target": "off target",
    "no_data": "no data",
}
_PERSPECTIVE_TEXT = {
    "financial": "Financial",
    "customer": "Customer",
    "internal": "Internal processes",
    "learning": "Learning and growth",
}
_FRAME_COLUMNS = [
    "perspective",
    "kpi",
    "label",
    "value",
    "target",
    "status",
    "change",
    "p_value",
    "n",
    "watch",
    "value_previous",
    "pct_change",
    "unit",
    "higher_is_better",
    "note",
]
#: Column widths of the rendered tables (the stub, "label", included).
_COLUMN_WIDTHS = {
    "label": "20%",
    "value": "10%",
    "target": "11%",
    "watch": "11%",
    "status": "13%",
    "change": "10%",
    "p_value": "7%",
    "n": "7%",
    "trend": "11%",
}
_NOTES = {
    "no_target": "no target in the targets file",
    "no_operations": "needs the operations table (operations=...)",
    "no_rows": "no data in the period",
}


class _Text(str):
    """Plain text (a ``str``) that notebooks show as escaped HTML paragraphs."""

    def _repr_html_(self) -> str:
        paras = [p for p in self.split("\n\n") if p.strip()]
        return "".join(f"<p>{_html.escape(p)}</p>" for p in paras)


def _nan(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass
class Scorecard:
    """The result of :func:`scorecard`.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per KPI (see :meth:`to_frame`).
    scores : dict
        ``financial``, ``customer``, ``internal``, ``learning`` and ``overall`` -> score in
        [0, 1] (NaN when nothing could be scored).
    period, previous_period : Period
        The period judged and the one the change is measured against (None when
        ``previous=False``).
    as_of : datetime.date
        The reference date relative periods were resolved against.
    history : pandas.DataFrame
        Monthly values behind the sparklines: ``kpi``, ``month``, ``value``.
    segment : dict
        The filter applied (``{"team": "Suporte Técnico"}``), empty for the whole operation.
    lang : str
        The default language of the renders.
    """

    frame: pd.DataFrame
    scores: dict[str, float]
    period: Period
    previous_period: Period | None
    as_of: _dt.date
    history: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    segment: dict[str, str] = field(default_factory=dict)
    lang: str = "pt-BR"

    # -- tables ------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The tidy table: perspective, kpi, label, value, target, status, change, p_value, n,
        then watch, value_previous, pct_change, unit, higher_is_better and note (why a KPI has
        no data). A copy: changing it does not change the scorecard."""
        return self.frame.copy()

    def key_numbers(self) -> str:
        """A fixed-format text of kpi, value, target and status (stable; for golden tests)."""
        lines = []
        for r in self.frame.itertuples():
            value = "nan" if _nan(r.value) else f"{r.value:.4g}"
            target = "-" if _nan(r.target) else f"{r.target:.4g}"
            lines.append(f"{r.perspective:<10} {r.kpi:<25} {value:>10} {target:>8} {r.status}")
        scores = " ".join(
            f"{k}={'nan' if _nan(v) else format(v, '.3f')}" for k, v in self.scores.items()
        )
        return "\n".join([*lines, scores])

    def _title(self, lang: str) -> tuple[str, str]:
        title = t("Balanced Scorecard: {period}", lang, period=self.period.display(lang))
        if self.segment:
            title += " · " + ", ".join(str(v) for v in self.segment.values())
        parts = []
        if self.previous_period is not None:
            parts.append(
                t("change against {period}", lang, period=self.previous_period.display(lang))
            )
        parts.append(
            t(
                "score {score}",
                lang,
                score=format_percent(self.scores.get("overall"), lang, decimals=0),
            )
        )
        return title, " · ".join(parts)

    def display_frame(
        self, lang: str | None = None, perspective: str | None = None
    ) -> pd.DataFrame:
        """The table as formatted text (one row per KPI), in ``lang``."""
        lang = normalize_lang(lang or self.lang)
        rows = []
        for r in self.frame.itertuples():
            if perspective is not None and r.perspective != perspective:
                continue
            rows.append(
                {
                    "group": t(_PERSPECTIVE_TEXT[r.perspective], lang)
                    + f" · {format_percent(self.scores.get(r.perspective), lang, decimals=0)}",
                    "kpi": r.kpi,
                    "label": get_metric(r.kpi).label(lang),
                    "value": format_value(r.value, r.unit, lang),
                    "target": _fmt_target(r, lang),
                    "watch": _fmt_watch(r, lang),
                    "status": f"{STATUS_SYMBOLS[r.status]} {t(_STATUS_TEXT[r.status], lang)}",
                    "change": _fmt_change(r.change, r.unit, lang),
                    "p_value": _fmt_p(r.p_value, lang),
                    "n": format_number(r.n, lang, decimals=0),
                    "trend": _sparkline(self._trend(r.kpi)),
                    "note": _note_text(r.note, lang),
                    "_status": r.status,
                }
            )
        return pd.DataFrame(rows)

    def _trend(self, kpi: str) -> list[float]:
        if self.history is None or self.history.empty:
            return []
        h = self.history[self.history["kpi"] == kpi].sort_values("month")
        return [float(v) for v in h["value"] if not _nan(v)]

    def table(self, perspective: str | None = None, *, lang: str | None = None):
        """The scorecard as a great_tables ``GT`` (grouped by perspective).

        Parameters
        ----------
        perspective : {"financial", "customer", "internal", "learning"}, optional
            Only that perspective (without the title: it follows the overview).
        lang : str, optional
            Default: the scorecard's language.
        """
        from great_tables import GT, loc, style

        if perspective is not None and perspective not in PERSPECTIVES:
            raise OptionError(
                f"`perspective` must be one of {', '.join(map(repr, PERSPECTIVES))}, got "
                f"{perspective!r}."
            )
        lang = normalize_lang(lang or self.lang)
        df = self.display_frame(lang, perspective)
        if df.empty:
            df = pd.DataFrame(
                columns=[
                    "group",
                    "kpi",
                    "label",
                    "value",
                    "target",
                    "watch",
                    "status",
                    "change",
                    "p_value",
                    "n",
                    "trend",
                    "note",
                    "_status",
                ]
            )
        title, subtitle = self._title(lang)
        gt = (
            GT(df.drop(columns=["kpi"]), rowname_col="label", groupname_col="group")
            .cols_hide(columns=["_status"] + ([] if (df["note"] != "").any() else ["note"]))
            .cols_label(
                value=t("Value", lang),
                target=t("Target", lang),
                watch=t("Watch band", lang),
                status=t("Status", lang),
                change=t("Change", lang),
                p_value=t("p-value", lang),
                n="n",
                trend=t("Last 6 months", lang),
                note=t("Note", lang),
            )
            .fmt(columns="trend", fns=lambda svg: svg or "")
            .cols_align(
                align="right", columns=["value", "target", "watch", "change", "p_value", "n"]
            )
        )
        # every perspective's table has the same width and columns, so they line up
        notes = bool((df["note"] != "").any())
        widths = dict(_COLUMN_WIDTHS)
        if notes:
            widths = {**widths, "label": "14%", "note": "12%", "trend": "10%", "n": "6%"}
        gt = gt.cols_width(cases={k: v for k, v in widths.items() if k != "note" or notes})
        gt = gt.tab_options(table_width="100%", table_layout="fixed", container_width="100%")
        gt = gt.tab_stubhead(label=t("KPI", lang))

        if perspective is None:
            gt = gt.tab_header(title=title, subtitle=subtitle)
        for status, (bg, fg) in STATUS_COLORS.items():
            idx = [i for i, s in enumerate(df["_status"]) if s == status]
            if idx:
                gt = gt.tab_style(
                    style=[
                        style.fill(color=bg),
                        style.text(color=fg, weight="bold"),
                    ],
                    locations=loc.body(columns="status", rows=idx),
                )
        return gt

    def to_html(self, perspective: str | None = None, *, lang: str | None = None) -> str:
        """The rendered table (HTML, self-contained: inline SVG sparklines, no scripts)."""
        return self.table(perspective, lang=lang).as_raw_html()

    def _repr_html_(self) -> str:
        return self.to_html()

    # -- chart and text ----------------------------------------------------------------------
    def overview_chart(self, *, lang: str | None = None):
        """An Altair bar chart of the perspective scores (0-100%), with the overall score."""
        import altair as alt

        lang = normalize_lang(lang or self.lang)
        rows = []
        for p in PERSPECTIVES:
            sub = self.frame[self.frame["perspective"] == p]
            scored = int((sub["status"] != "no_data").sum())
            rows.append(
                {
                    "perspective": t(_PERSPECTIVE_TEXT[p], lang),
                    "score": None if _nan(self.scores.get(p)) else float(self.scores[p]),
                    "score_text": format_percent(self.scores.get(p), lang, decimals=0),
                    "kpis": scored,
                    "on_target": int((sub["status"] == "on_target").sum()),
                }
            )
            rows[-1]["desc"] = t(
                "{perspective}: score {score}, {on} of {kpis} KPIs on target",
                lang,
                perspective=rows[-1]["perspective"],
                score=rows[-1]["score_text"],
                on=rows[-1]["on_target"],
                kpis=scored,
            )
        data = pd.DataFrame(rows)
        order = list(data["perspective"])
        y = alt.Y("perspective:N", sort=order, title=None)
        x = alt.X(
            "score:Q",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
            title=t("Score (on target = 1, watch = 0.5)", lang),
        )
        tooltip = [
            alt.Tooltip("perspective:N", title=t("Perspective", lang)),
            alt.Tooltip("score_text:N", title=t("Score", lang)),
            alt.Tooltip("on_target:Q", title=t("On target", lang)),
            alt.Tooltip("kpis:Q", title=t("KPIs scored", lang)),
        ]
        bars = (
            alt.Chart(data)
            .mark_bar(color="#4c78a8")
            .encode(x=x, y=y, tooltip=tooltip, description=alt.Description("desc:N"))
        )
        text = (
            alt.Chart(data)
            .mark_text(align="left", dx=4, aria=False)
            .encode(x=x, y=y, text=alt.Text("score_text:N"))
        )
        overall = format_percent(self.scores.get("overall"), lang, decimals=0)
        title, _ = self._title(lang)
        subtitle = t("Overall score: {score}", lang, score=overall)
        if self.previous_period is not None:
            subtitle += " · " + t(
                "change against {period}", lang, period=self.previous_period.display(lang)
            )
        return (bars + text).properties(
            title=alt.TitleParams(title, subtitle=subtitle),
            width=420,
            height=160,
            description=t(
                "Bar chart of the score of each Balanced Scorecard perspective; {overall}",
                lang,
                overall=subtitle,
            ),
        )

    def summary(self, lang: str | None = None) -> str:
        """One paragraph per perspective: its score, what is off target and by how much.

        Plain text (a ``str`` whose notebook display is escaped HTML).
        """
        lang = normalize_lang(lang or self.lang)
        paras = []
        for p in PERSPECTIVES:
            sub = self.frame[self.frame["perspective"] == p]
            paras.append(_perspective_paragraph(p, sub, self.scores.get(p), lang))
        return _Text("\n\n".join(paras))

    def perspective(self, name: str, *, lang: str | None = None):
        """The table of one perspective (a great_tables ``GT``)."""
        return self.table(name, lang=lang)


# ----------------------------------------------------------------------------- formatting


def _note_text(note, lang: str) -> str:
    if not isinstance(note, str) or not note:
        return ""
    if note.startswith("needs column "):
        return t("needs column {columns}", lang, columns=note.removeprefix("needs column "))
    return t(note, lang)


def _fmt_target(r, lang: str) -> str:
    if _nan(r.target):
        return "–"
    sign = "≥" if r.higher_is_better else "≤"
    return f"{sign} {format_value(r.target, r.unit, lang)}"


def _fmt_watch(r, lang: str) -> str:
    if _nan(r.target) or _nan(r.watch) or r.watch == r.target:
        return "–"
    sign = "≥" if r.higher_is_better else "≤"
    return f"{sign} {format_value(r.watch, r.unit, lang)}"


def _fmt_p(p, lang: str) -> str:
    return format_p_value(p, lang)


def _fmt_change(change, unit: str, lang: str) -> str:
    if _nan(change):
        return "–"
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    if unit == "ratio":
        return f"{sign}{format_number(abs(change) * 100, lang, decimals=1)} p.p."
    return sign + format_value(abs(change), unit, lang)


def _gap_text(r, lang: str) -> str:
    gap = abs(r.value - r.target)
    if r.unit == "ratio":
        return f"{format_number(gap * 100, lang, decimals=1)} p.p."
    text = format_value(gap, r.unit, lang)
    if r.target:
        text += f", {format_percent(gap / abs(r.target), lang)}"
    return text


def _sparkline(values: Sequence[float], width: int = 90, height: int = 22) -> str:
    """A small inline SVG line of ``values`` (numbers only: nothing to escape)."""
    vals = [float(v) for v in values if not _nan(v)]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    span = hi - lo or 1.0
    pad = 3
    n = len(vals)
    xs = [pad + (width - 2 * pad) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [height - pad - (height - 2 * pad) * ((v - lo) / span if hi > lo else 0.5) for v in vals]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return (
        f'<svg class="kpi-sparkline" width="{width}" height="{height}" '
        'style="max-width:100%;height:auto" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="trend">'
        f'<polyline fill="none" stroke="#4c78a8" stroke-width="1.5" points="{points}"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.2" fill="#4c78a8"/></svg>'
    )


def _perspective_paragraph(p: str, sub: pd.DataFrame, score, lang: str) -> str:
    name = t(_PERSPECTIVE_TEXT[p], lang)
    counts = sub["status"].value_counts()
    on, watch, off = (int(counts.get(s, 0)) for s in ("on_target", "watch", "off_target"))
    scored = on + watch + off
    if scored == 0:
        text = t(
            "{perspective}: no KPI could be scored (no data or no target).", lang, perspective=name
        )
    else:
        text = t(
            "{perspective}: score {score}; {on} of {scored} KPIs on target, {watch} on watch, "
            "{off} off target.",
            lang,
            perspective=name,
            score=format_percent(score, lang, decimals=0),
            on=on,
            scored=scored,
            watch=watch,
            off=off,
        )
    offs = sub[sub["status"] == "off_target"]
    if len(offs):
        items = [
            t(
                "{label} at {value} against a target of {target} ({gap} away)",
                lang,
                label=get_metric(r.kpi).label(lang),
                value=format_value(r.value, r.unit, lang),
                target=format_value(r.target, r.unit, lang),
                gap=_gap_text(r, lang),
            )
            for r in offs.itertuples()
        ]
        text += " " + t("Off target: {items}.", lang, items="; ".join(items))
    watches = sub[sub["status"] == "watch"]
    if len(watches):
        items = [
            t(
                "{label} at {value} (target {target})",
                lang,
                label=get_metric(r.kpi).label(lang),
                value=format_value(r.value, r.unit, lang),
                target=format_value(r.target, r.unit, lang),
            )
            for r in watches.itertuples()
        ]
        text += " " + t("On watch: {items}.", lang, items="; ".join(items))
    if scored and not len(offs) and not len(watches):
        text += " " + t("Every KPI with data and a target is on target.", lang)
    missing = sub[sub["status"] == "no_data"]
    if len(missing):
        text += " " + t(
            "Without data or target: {items}.",
            lang,
            items=", ".join(get_metric(k).label(lang) for k in missing["kpi"]),
        )
    return text


# ----------------------------------------------------------------------------- computing


def _default_as_of(data) -> _dt.date:
    """The day after the latest ``created_at`` in the data."""
    from .engine import _to_timestamp, as_table

    src = as_table(data)
    if "created_at" not in src.table.columns:
        raise DataError(f"{src.name}: column 'created_at' is required to resolve the period.")
    latest = src.execute(_to_timestamp(src.table.created_at, src.local_zone).max())
    if _nan(latest):
        raise DataError(f"{src.name}: no created_at values; pass `as_of` explicitly.")
    return (pd.Timestamp(latest).normalize() + pd.Timedelta(days=1)).date()


def _kpi_list(kpis, targets: Targets) -> list[str]:
    if kpis is None:
        ids = [k for p in PERSPECTIVES for k in DEFAULT_KPIS[p]]
        ids += [k for k in targets.kpis if k not in ids]
    else:
        ids = [kpis] if isinstance(kpis, str) else list(dict.fromkeys(kpis))
        if not ids:
            raise OptionError("`kpis` must name at least one KPI id, got an empty list.")
    for k in ids:
        get_metric(k)
    order = {p: i for i, p in enumerate(PERSPECTIVES)}
    return sorted(ids, key=lambda k: order[get_metric(k).perspective])


def _filter(frame: pd.DataFrame, segment: Mapping[str, str]) -> pd.DataFrame:
    for dim, value in segment.items():
        if dim in frame.columns:
            frame = frame[frame[dim].astype(str) == str(value)]
    return frame


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricUnavailable)
        return fn(*args, **kwargs)


def scorecard(
    data,
    operations=None,
    *,
    period,
    targets=None,
    as_of=None,
    previous: bool = True,
    lang: str = "pt-BR",
    kpis: Sequence[str] | None = None,
    team: str | None = None,
    channel: str | None = None,
    segment: Mapping[str, str] | None = None,
    options: Mapping | None = None,
    history_months: int = 6,
) -> Scorecard:
    """The Balanced Scorecard of a period.

    Parameters
    ----------
    data : LoadResult, DataFrame, path or ibis Table
        Canonical interactions (as for :func:`kpi_helpers.compute`).
    operations : DataFrame, OperationsResult or path, optional
        The monthly operations table (:func:`kpi_helpers.operations.load_operations`); without
        it the financial, learning and operations KPIs show ``no_data``.
    period : period spec
        ``"2026-10"``, ``"previous_month"``, ``"2026-Q3"``, a (start, end) tuple... (see
        :func:`kpi_helpers.periods.parse_period`).
    targets : path, dict or Targets, optional
        Default: ``targets.yml`` at the project's top level.
    as_of : date or str, optional
        First day not included, for relative specs; default the day after the latest
        ``created_at`` in the data.
    previous : bool
        Compare with the previous period (change and p-value); False leaves them NaN.
    lang : str
        Language of labels and renders (``"pt-BR"`` or ``"en"``).
    kpis : list of str, optional
        The KPIs to show; default :data:`DEFAULT_KPIS` plus every KPI of the targets file.
    team, channel : str, optional
        Restrict the scorecard to one team and/or channel (targets use their ``by``
        overrides). The operations table needs the same column for its KPIs.
    segment : dict, optional
        Restrict it to segments of any dimensions of the data, e.g. ``{"priority":
        "Urgent"}`` or ``{"channel_family": "social"}`` (with ``team``/``channel``: all of
        them); targets use their ``by`` overrides for these dimensions too.
    options : dict, optional
        KPI options for the engine (``{"service_level": {"threshold_s": 60}}``); they
        override, key by key, the ``options`` of the targets file's entries.
    history_months : int
        Months of history in the sparklines (ending with the period's last month).

    Returns
    -------
    Scorecard
    """
    lang = normalize_lang(lang)
    if data is None:
        raise DataError("`data` (the interactions) is required, got None.")
    if not isinstance(history_months, int) or history_months < 1:
        raise OptionError(f"`history_months` must be a positive integer, got {history_months!r}.")
    tg = load_targets(targets)
    ids = _kpi_list(kpis, tg)
    options = _merge_options(tg.options, options, ids)
    ops = None
    if operations is not None:
        from .operations import OperationsResult, load_operations

        ops = (
            operations if isinstance(operations, OperationsResult) else load_operations(operations)
        )
        if len(ops.rejected):
            warnings.warn(f"operations: {ops.summary('en')}", stacklevel=2)
    as_of_date = _default_as_of(data) if as_of in (None, "") else pd.Timestamp(as_of).date()
    p = parse_period(period, as_of=as_of_date)
    prev = p.previous() if previous else None
    given = {"team": team, "channel": channel}
    for dim, value in (segment or {}).items():
        if given.get(dim) not in (None, "") and str(given[dim]) != str(value):
            raise OptionError(
                f"`segment` sets {dim}={value!r} but `{dim}` is {given[dim]!r}; give it once."
            )
        given[dim] = value
    segment = {k: str(v) for k, v in given.items() if v not in (None, "")}
    by = list(segment) or None

    from .engine import compute, compute_components

    periods = {"b": p} if prev is None else {"a": prev, "b": p}
    comps = _quiet(
        compute_components, data, ids, by, options=options, periods=periods, operations=ops
    )
    unavailable = dict(comps.attrs.get("unavailable", {}))
    comps = _filter(comps, segment)
    ops_ids = [k for k in ids if get_metric(k).source == "operations"]
    if ops is not None and ops_ids:
        from .operations import OPERATIONS_KPIS

        for k in ops_ids:
            missing = [c for c in OPERATIONS_KPIS[k] if c not in ops.data.columns]
            missing += [d for d in segment if d not in ops.data.columns]
            if missing:
                unavailable.setdefault(k, "needs column " + ", ".join(missing))

    # history for the sparklines: months ending with the period's last month
    last_month = pd.Timestamp(p.end - _dt.timedelta(days=1)).to_period("M")
    hist_start = (last_month - (history_months - 1)).start_time
    hist = _quiet(
        compute,
        data,
        ids,
        ["month", *segment],
        options=options,
        period=(hist_start, pd.Timestamp(p.end)),
        operations=ops,
    )
    hist = _filter(hist, segment)
    # months before the data starts are not history: keep from the first month with a value
    rated = [k for k in ids if k in hist.columns and get_metric(k).kind not in ("count", "stock")]
    has = hist[rated].notna().any(axis=1) if rated else pd.Series(True, index=hist.index)
    if has.any():
        hist = hist[hist["month"] >= hist.loc[has, "month"].min()]
    history = hist.melt(
        id_vars=["month"],
        value_vars=[k for k in ids if k in hist.columns],
        var_name="kpi",
        value_name="value",
    )[["kpi", "month", "value"]]

    from .compare import comparison_from_components

    rows = []
    cur = comps[comps["period"] == "b"]
    old = comps[comps["period"] == "a"] if prev is not None else comps.iloc[0:0]
    for k in ids:
        m = get_metric(k)
        value = _one(cur, k)
        value_prev = _one(old, k) if prev is not None else math.nan
        target: Target | None = tg.get(k, **segment)
        status = status_of(value, target)
        note = None
        if _nan(value):
            if m.source == "operations" and ops is None:
                note = _NOTES["no_operations"]
            elif k in unavailable:
                note = unavailable[k]
            else:
                note = _NOTES["no_rows"]
        elif target is None:
            note = _NOTES["no_target"]
        change = value - value_prev if not (_nan(value) or _nan(value_prev)) else math.nan
        pct = change / abs(value_prev) if not _nan(change) and value_prev else math.nan
        p_value = math.nan
        if prev is not None and not _nan(change) and f"{k}__num" in comps.columns:
            try:
                c = comparison_from_components(comps, k, prev, p)
                p_value = math.nan if c.p_value is None else float(c.p_value)
            except Exception:  # noqa: BLE001 - a missing test never breaks the scorecard
                p_value = math.nan
        n = _one(cur, f"{k}__n")
        if k in N_IS_ROWS:
            n = math.nan  # money, minutes, technologies: no count behind the value
        rows.append(
            {
                "perspective": m.perspective,
                "kpi": k,
                "label": m.label(lang),
                "value": value,
                "target": math.nan if target is None else target.target,
                "status": status,
                "change": change,
                "p_value": p_value,
                "n": n,
                "watch": math.nan if target is None or target.watch is None else target.watch,
                "value_previous": value_prev,
                "pct_change": pct,
                "unit": m.unit,
                "higher_is_better": m.higher_is_better
                if target is None
                else target.higher_is_better,
                "note": note,
            }
        )
    frame = pd.DataFrame(rows, columns=_FRAME_COLUMNS)
    for col in (
        "value",
        "target",
        "change",
        "p_value",
        "n",
        "watch",
        "value_previous",
        "pct_change",
    ):
        frame[col] = frame[col].astype("float64")
    return Scorecard(
        frame=frame,
        scores=_scores(frame),
        period=p,
        previous_period=prev,
        as_of=as_of_date,
        history=history,
        segment=segment,
        lang=lang,
    )


def _merge_options(from_targets: Mapping, given: Mapping | None, ids: Sequence[str]) -> dict:
    """The targets file's KPI options, overridden key by key by the ``options`` argument."""
    merged: dict[str, Any] = {k: dict(v) for k, v in from_targets.items() if k in ids}
    for key, value in (given or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _one(frame: pd.DataFrame, col: str) -> float:
    if col not in frame.columns or frame.empty:
        return math.nan
    values = pd.to_numeric(frame[col], errors="coerce")
    if len(values) == 1:
        v = values.iloc[0]
        return math.nan if _nan(v) else float(v)
    return float(values.sum()) if values.notna().any() else math.nan


def _scores(frame: pd.DataFrame) -> dict[str, float]:
    """Per perspective: mean points of the scored KPIs; overall: mean of the perspectives."""
    scores: dict[str, float] = {}
    for p in PERSPECTIVES:
        pts = [
            STATUS_POINTS[s]
            for s in frame.loc[frame["perspective"] == p, "status"]
            if s in STATUS_POINTS
        ]
        scores[p] = float(np.mean(pts)) if pts else math.nan
    vals = [v for v in scores.values() if not _nan(v)]
    scores["overall"] = float(np.mean(vals)) if vals else math.nan
    return scores


def _calendar_period(p: Period) -> Period:
    """A range that is exactly one month, quarter or year, as that period (for ``previous``)."""
    start, end = p.start, p.end
    if start.day != 1:
        return p
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day != 1:
        return p
    if months == 1:
        return parse_period(f"{start.year}-{start.month:02d}")
    if months == 3 and start.month in (1, 4, 7, 10):
        return parse_period(f"{start.year}-Q{(start.month - 1) // 3 + 1}")
    if months == 12 and start.month == 1:
        return parse_period(f"{start.year}")
    return p


def from_parameters(
    data: str = "",
    operations: str = "",
    targets: str = "",
    period: str = "previous_month",
    lang: str = "pt-BR",
    as_of: str = "",
    period_start: str = "",
    period_end: str = "",
    team: str = "",
    **kwargs: Any,
) -> Scorecard:
    """:func:`scorecard` from notebook parameters (strings; ``""`` means the default).

    ``data`` / ``operations`` default to the committed sample; ``targets`` to ``targets.yml``;
    ``period_start`` and ``period_end`` (end excluded), when both given, replace ``period``.
    """
    from . import sample

    if bool(period_start) != bool(period_end):
        raise OptionError(
            "`period_start` and `period_end` go together (half-open [start, end)), got "
            f"period_start={period_start!r}, period_end={period_end!r}."
        )
    spec: Any = period
    if period_start:
        spec = _calendar_period(parse_period((period_start, period_end)))
        try:
            named = parse_period(period, as_of=as_of or period_end)
        except KpiError:
            named = None
        if named is not None and (named.start, named.end) == (spec.start, spec.end):
            spec = named
    return scorecard(
        data or sample.sample_path(),
        operations or sample.operations_path(),
        period=spec,
        targets=targets or None,
        as_of=as_of or None,
        lang=lang,
        team=team or None,
        **kwargs,
    )
