"""The KPI primer for trainers: registry-driven KPI cards, worked examples, calculators, exercises.

Everything the primer notebook shows comes from here, in ``lang``: the definition, formula
and edge cases of each KPI are read FROM THE REGISTRY (:func:`kpi_helpers.get_metric`), never
retyped; the worked examples are computed with :func:`kpi_helpers.compute`; the calculators
are pure functions (:func:`nps_from_counts`, :func:`csat_summary`,
:func:`service_level_by_threshold`) with an ipywidgets front (``interactive=True``) and a
static view for rendered reports (``interactive=False``); :func:`check` marks the exercises.

Examples
--------
>>> nps_from_counts(50, 30, 20)
30.0
>>> csat_summary([5, 4, 4, 3, 1])["top_two_box"]
0.6
>>> print(check("nps_basic", 30, "en"))  # doctest: +ELLIPSIS
Right! ...
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import OptionError
from .i18n import format_number, format_percent, format_value, normalize_lang, t
from .metrics import PERSPECTIVES, get_metric, list_metrics

__all__ = [
    "PERSPECTIVE_TITLES",
    "EXERCISES",
    "HtmlView",
    "primer_data",
    "primer_operations",
    "story_numbers",
    "introduction",
    "kpi_card",
    "perspective_section",
    "worked_example",
    "worked_numbers",
    "nps_from_counts",
    "nps_calculator",
    "csat_summary",
    "csat_calculator",
    "service_level_by_threshold",
    "service_level_calculator",
    "february_story",
    "story_view",
    "exercise",
    "exercise_view",
    "check",
]

#: Perspective id -> English title (a message id; ``t(title, lang)`` translates it).
PERSPECTIVE_TITLES = {
    "financial": "Financial",
    "customer": "Customer",
    "internal": "Internal processes",
    "learning": "Learning and growth",
}
_PERSPECTIVE_INTROS = {
    "financial": "What the service costs and what the technology returns.",
    "customer": "What the customer feels: satisfaction, effort, speed and resolution.",
    "internal": "How the operation runs: volume, answering, transfers, reopens and backlog.",
    "learning": "The people and the tools: retention, training and innovation.",
}
#: The month of the worked examples and the story's months (the sample data covers them).
EXAMPLE_PERIOD = "2026-01"
STORY_PERIODS = ("2026-01", "2026-02")


@dataclass
class HtmlView:
    """Escaped HTML for notebooks and reports (displays itself; ``str()`` gives the HTML)."""

    html: str
    chart: Any = None

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self.html))
        if self.chart is not None:
            display(self.chart)


def _esc(text) -> str:
    return html.escape(str(text))


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    out = ['<table class="kpi-primer">']
    if caption:
        out.append(f"<caption>{_esc(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{_esc(h)}</th>" for h in head) + "</tr></thead>")
    out.append("<tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in r) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def primer_data(data=None):
    """The data of the primer: ``data`` itself, or the committed sample when None or ``""``.

    See :func:`kpi_helpers.explore.notebook_data`.
    """
    from .explore import notebook_data

    return notebook_data(data)


def primer_operations(operations=None, data=None):
    """The operations table for the financial and learning KPIs.

    ``operations`` itself when given (a DataFrame or a path); else the committed sample
    operations when ``data`` is the sample (None or ``""``); else None (those KPIs are then
    shown as unavailable).
    """
    if operations is not None and not (isinstance(operations, str) and not operations.strip()):
        return operations
    if data is None or (isinstance(data, str) and not data.strip()):
        from . import sample

        return sample.operations()
    return None


def introduction(lang: str | None = "pt-BR") -> HtmlView:
    """The primer's opening: what a KPI is and what the Balanced Scorecard is."""
    lang = normalize_lang(lang)
    what = t(
        "A KPI is a number with a definition, a direction and a target. Alone it means little: "
        "compare it with a target, with the previous period and with the calendar, and always "
        "look at the n behind it.",
        lang,
    )
    bsc = t(
        "The Balanced Scorecard groups the KPIs in four perspectives: financial, customer, "
        "internal processes, and learning and growth.",
        lang,
    )
    title = t("KPI primer", lang)
    return HtmlView(f"<h1>{_esc(title)}</h1><p>{_esc(what)}</p><p>{_esc(bsc)}</p>")


# ----------------------------------------------------------------------------- KPI cards


def kpi_card(metric_id: str, lang: str | None = "pt-BR") -> str:
    """One KPI as HTML: its label, description, formula and edge cases, from the registry."""
    lang = normalize_lang(lang)
    m = get_metric(metric_id)
    direction = {
        True: t("higher is better", lang),
        False: t("lower is better", lang),
        None: t("no better direction (context)", lang),
    }[m.higher_is_better]
    rows = [
        f"<h3>{_esc(m.label(lang))} <code>{_esc(m.id)}</code></h3>",
        f"<p>{_esc(m.description(lang))}</p>",
        f"<p><b>{_esc(t('Formula', lang))}:</b> <code>{_esc(m.formula(lang))}</code></p>",
        f"<p><b>{_esc(t('Edge cases', lang))}:</b> {_esc(m.edge_case_text(lang))}</p>",
        f"<p><b>{_esc(t('Direction', lang))}:</b> {_esc(direction)}</p>",
    ]
    return '<div class="kpi-card">' + "".join(rows) + "</div>"


def worked_example(
    data,
    perspective: str,
    *,
    period: str = EXAMPLE_PERIOD,
    operations=None,
    lang: str | None = "pt-BR",
) -> pd.DataFrame:
    """The KPIs of ``perspective`` on ``data`` in ``period``: ONE :func:`compute` query.

    Returns a DataFrame with columns id, label, value, shown (formatted in ``lang``), n.
    KPIs that cannot be computed (missing columns, no operations table) are shown as
    unavailable, with the reason.
    """
    import warnings

    from .engine import compute
    from .periods import parse_period

    lang = normalize_lang(lang)
    _check_perspective(perspective)
    ids = list_metrics(perspective)
    per = parse_period(period)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = compute(data, ids, with_n=True, period=per, operations=operations)
            unavailable = dict(res.attrs.get("unavailable", {}))
        except Exception as exc:  # noqa: BLE001 - every KPI unavailable: say why
            res = None
            unavailable = {i: str(exc) for i in ids}
    rows = []
    for mid in ids:
        m = get_metric(mid)
        if res is None or mid in unavailable or mid not in res.columns:
            why = unavailable.get(mid, "")
            rows.append(
                {
                    "id": mid,
                    "label": m.label(lang),
                    "value": math.nan,
                    "shown": t("unavailable ({why})", lang, why=why),
                    "n": 0,
                }
            )
            continue
        value = float(res[mid].iloc[0]) if len(res) else math.nan
        n = res[f"{mid}_n"].iloc[0] if len(res) else 0
        n = 0 if pd.isna(n) else int(n)
        rows.append(
            {
                "id": mid,
                "label": m.label(lang),
                "value": value,
                "shown": format_value(value, m.unit, lang),
                "n": n,
            }
        )
    return pd.DataFrame(rows, columns=["id", "label", "value", "shown", "n"])


def worked_numbers(example: pd.DataFrame, lang: str | None = "pt-BR") -> str:
    """A worked-example frame as plain text lines (``label: value (n = ...)``), for golden cells."""
    lang = normalize_lang(lang)
    lines = []
    for r in example.itertuples(index=False):
        lines.append(f"{r.id}: {r.shown} (n = {format_number(r.n, lang, decimals=0)})")
    return "\n".join(lines)


def _check_perspective(perspective: str) -> None:
    if perspective not in PERSPECTIVES:
        raise OptionError(
            f"`perspective` must be one of {', '.join(map(repr, PERSPECTIVES))}, "
            f"got {perspective!r}."
        )


def perspective_section(
    perspective: str,
    data=None,
    *,
    lang: str | None = "pt-BR",
    period: str = EXAMPLE_PERIOD,
    operations=None,
    with_caption: bool = True,
) -> HtmlView:
    """A BSC perspective: title, intro and one card per KPI (texts from the registry).

    With ``data``, the worked example's table follows (one compute query); without it, only
    its caption (the notebook prints the numbers in a golden cell, see
    :func:`worked_numbers`).
    """
    from .periods import parse_period

    lang = normalize_lang(lang)
    _check_perspective(perspective)
    parts = [
        f"<h2>{_esc(t(PERSPECTIVE_TITLES[perspective], lang))}</h2>",
        f"<p>{_esc(t(_PERSPECTIVE_INTROS[perspective], lang))}</p>",
    ]
    parts += [kpi_card(mid, lang) for mid in list_metrics(perspective)]
    if data is not None:
        ex = worked_example(data, perspective, period=period, operations=operations, lang=lang)
        caption = t(
            "Worked example: {period} on the sample data",
            lang,
            period=parse_period(period).display(lang),
        )
        parts.append(
            _table(
                [t("KPI", lang), t("Value", lang), "n"],
                [
                    [r.label, r.shown, format_number(r.n, lang, decimals=0)]
                    for r in ex.itertuples(index=False)
                ],
                caption,
            )
        )
    elif with_caption:
        caption = t(
            "Worked example: {period} on the sample data",
            lang,
            period=parse_period(period).display(lang),
        )
        parts.append(f"<h4>{_esc(caption)}</h4>")
    return HtmlView("".join(parts))


# ----------------------------------------------------------------------------- calculators


def nps_from_counts(promoters: int, passives: int, detractors: int) -> float:
    """NPS = 100 * (promoters - detractors) / all answers; NaN when there are no answers.

    >>> nps_from_counts(6, 2, 2)
    40.0
    """
    for name, v in (("promoters", promoters), ("passives", passives), ("detractors", detractors)):
        if v < 0:
            raise OptionError(f"`{name}` must be >= 0, got {v!r}.")
    total = promoters + passives + detractors
    if total == 0:
        return math.nan
    return 100.0 * (promoters - detractors) / total


def _nps_html(promoters: int, passives: int, detractors: int, lang: str) -> str:
    value = nps_from_counts(promoters, passives, detractors)
    total = promoters + passives + detractors
    shown = format_number(value, lang, decimals=1)
    return (
        "<p>"
        + _esc(
            t(
                "NPS = 100 × ({promoters} − {detractors}) / {total} = {nps}. Passives ({passives}) count "
                "in the total but in neither group.",
                lang,
                promoters=promoters,
                detractors=detractors,
                total=total,
                nps=shown,
                passives=passives,
            )
        )
        + "</p>"
    )


def nps_calculator(
    lang: str | None = "pt-BR",
    *,
    interactive: bool = False,
    promoters: int = 50,
    passives: int = 30,
    detractors: int = 20,
):
    """Sliders for promoters/passives/detractors showing the NPS (static table when not
    interactive: the given counts and three variations)."""
    lang = normalize_lang(lang)
    if not interactive:
        cases = [
            (promoters, passives, detractors),
            (promoters, passives + detractors, 0),
            (promoters + passives, 0, detractors),
            (0, promoters + passives, detractors),
        ]
        rows = [
            [
                format_number(p, lang, decimals=0),
                format_number(a, lang, decimals=0),
                format_number(d, lang, decimals=0),
                format_number(nps_from_counts(p, a, d), lang, decimals=1),
            ]
            for p, a, d in cases
        ]
        head = [
            t("Promoters (9-10)", lang),
            t("Passives (7-8)", lang),
            t("Detractors (0-6)", lang),
            "NPS",
        ]
        return HtmlView(
            _nps_html(promoters, passives, detractors, lang)
            + _table(head, rows, t("NPS calculator", lang))
        )
    import ipywidgets as w

    sliders = {
        "promoters": w.IntSlider(
            value=promoters, min=0, max=200, description=t("Promoters (9-10)", lang)
        ),
        "passives": w.IntSlider(
            value=passives, min=0, max=200, description=t("Passives (7-8)", lang)
        ),
        "detractors": w.IntSlider(
            value=detractors, min=0, max=200, description=t("Detractors (0-6)", lang)
        ),
    }
    out = w.HTML()

    def _update(_change=None):
        out.value = _nps_html(*(s.value for s in sliders.values()), lang)

    for s in sliders.values():
        s.observe(_update, names="value")
    _update()
    return w.VBox([*sliders.values(), out])


def csat_summary(answers: Sequence[float], *, scale_max: int = 5) -> dict:
    """CSAT on the same answers two ways: top-two-box share and mean (missing answers dropped).

    Returns ``{"n", "top_two_box", "mean"}``; NaN values when there is no answer.

    >>> csat_summary([5, 4, 3, 2, 1])
    {'n': 5, 'top_two_box': 0.4, 'mean': 3.0}
    """
    vals = [float(a) for a in answers if a is not None and not pd.isna(a)]
    if any(v < 1 or v > scale_max for v in vals):
        raise OptionError(f"`answers` must be between 1 and {scale_max}, got {answers!r}.")
    n = len(vals)
    if n == 0:
        return {"n": 0, "top_two_box": math.nan, "mean": math.nan}
    top = sum(1 for v in vals if v >= scale_max - 1)
    return {"n": n, "top_two_box": top / n, "mean": sum(vals) / n}


def _csat_html(counts: Sequence[int], lang: str) -> str:
    answers = [score for score, c in zip(range(1, 6), counts, strict=True) for _ in range(c)]
    s = csat_summary(answers)
    return (
        "<p>"
        + _esc(
            t(
                "{n} answers: CSAT (top two boxes, 4-5) = {top}; mean = {mean} of 5. The same answers "
                "give two different pictures: the mean hides how many customers are unhappy.",
                lang,
                n=format_number(s["n"], lang, decimals=0),
                top=format_percent(s["top_two_box"], lang),
                mean=format_number(s["mean"], lang, decimals=2),
            )
        )
        + "</p>"
    )


def csat_calculator(
    lang: str | None = "pt-BR",
    *,
    interactive: bool = False,
    counts: Sequence[int] = (10, 5, 10, 40, 35),
):
    """Sliders for how many answers gave 1..5, showing top-two-box CSAT and the mean.

    ``counts`` are the numbers of answers scoring 1, 2, 3, 4 and 5. The static view compares
    the given answers with polarized and lukewarm sets of similar means.
    """
    lang = normalize_lang(lang)
    counts = tuple(int(c) for c in counts)
    if len(counts) != 5 or any(c < 0 for c in counts):
        raise OptionError(f"`counts` must be five counts >= 0 (scores 1..5), got {counts!r}.")
    if not interactive:
        sets = [counts, (30, 0, 0, 0, 70), (0, 0, 50, 50, 0)]
        rows = []
        for c in sets:
            answers = [score for score, k in zip(range(1, 6), c, strict=True) for _ in range(k)]
            s = csat_summary(answers)
            rows.append(
                [
                    " / ".join(str(k) for k in c),
                    format_percent(s["top_two_box"], lang),
                    format_number(s["mean"], lang, decimals=2),
                ]
            )
        head = [t("Answers 1/2/3/4/5", lang), t("CSAT (top two boxes)", lang), t("Mean", lang)]
        return HtmlView(_csat_html(counts, lang) + _table(head, rows, t("CSAT calculator", lang)))
    import ipywidgets as w

    sliders = [
        w.IntSlider(value=c, min=0, max=200, description=str(score))
        for score, c in zip(range(1, 6), counts, strict=True)
    ]
    out = w.HTML()

    def _update(_change=None):
        out.value = _csat_html([s.value for s in sliders], lang)

    for s in sliders:
        s.observe(_update, names="value")
    _update()
    return w.VBox([*sliders, out])


def service_level_by_threshold(
    data,
    thresholds: Sequence[float] = (10, 20, 30, 60),
    *,
    channel: str | None = "phone",
    period: str | None = EXAMPLE_PERIOD,
) -> pd.DataFrame:
    """Service level of ``data`` for each threshold (seconds): one compute query per threshold.

    ``channel`` keeps one channel (the 80/20 rule is a phone standard: 80% answered within
    20 s); ``None`` keeps all. Returns columns threshold_s, service_level, n.
    """
    from .engine import compute
    from .explore import filter_table
    from .periods import parse_period

    table = filter_table(data, {"channel": [channel]} if channel else None)
    per = parse_period(period) if period else None
    rows = []
    for thr in thresholds:
        if thr < 0:
            raise OptionError(f"`thresholds` must be >= 0 seconds, got {thr!r}.")
        res = compute(
            table,
            "service_level",
            with_n=True,
            period=per,
            options={"service_level": {"threshold_s": float(thr)}},
        )
        rows.append(
            {
                "threshold_s": float(thr),
                "service_level": float(res["service_level"].iloc[0]),
                "n": int(res["service_level_n"].iloc[0]),
            }
        )
    return pd.DataFrame(rows, columns=["threshold_s", "service_level", "n"])


def _sl_html(frame: pd.DataFrame, lang: str, channel: str | None) -> str:
    rows = [
        [
            format_number(r.threshold_s, lang, decimals=0) + " s",
            format_percent(r.service_level, lang),
            format_number(r.n, lang, decimals=0),
            t("meets 80/20", lang) if r.service_level >= 0.8 else t("below 80%", lang),
        ]
        for r in frame.itertuples(index=False)
    ]
    head = [t("Threshold", lang), t("Service level", lang), "n", "80/20"]
    caption = t(
        "Service level by threshold ({channel})",
        lang,
        channel=channel if channel else t("all channels", lang),
    )
    return _table(head, rows, caption)


def service_level_calculator(
    data,
    lang: str | None = "pt-BR",
    *,
    interactive: bool = False,
    channel: str | None = "phone",
    period: str | None = EXAMPLE_PERIOD,
    thresholds: Sequence[float] = (10, 20, 30, 60, 120),
):
    """A threshold slider showing how the 80/20 figure moves on ``data`` (static table of
    ``thresholds`` when not interactive)."""
    lang = normalize_lang(lang)
    intro = (
        "<p>"
        + _esc(
            t(
                "Service level = contacts answered within the threshold / all contacts offered "
                "(unanswered contacts count against it). The same operation looks better or worse "
                "depending on the threshold chosen.",
                lang,
            )
        )
        + "</p>"
    )
    if not interactive:
        frame = service_level_by_threshold(data, thresholds, channel=channel, period=period)
        return HtmlView(intro + _sl_html(frame, lang, channel))
    import ipywidgets as w

    slider = w.IntSlider(value=20, min=0, max=300, step=5, description=t("Threshold", lang))
    out = w.HTML()

    def _update(_change=None):
        frame = service_level_by_threshold(data, [slider.value], channel=channel, period=period)
        out.value = intro + _sl_html(frame, lang, channel)

    slider.observe(_update, names="value")
    _update()
    return w.VBox([slider, out])


# ----------------------------------------------------------------------------- the story


def february_story(
    data, *, a: str = STORY_PERIODS[0], b: str = STORY_PERIODS[1], by: str = "channel"
):
    """The "fewer tickets in February" case: :func:`kpi_helpers.compare.compare` of volume."""
    from .compare import compare

    return compare(data, "volume", a, b, by=by)


def story_view(comparison, lang: str | None = "pt-BR") -> HtmlView:
    """The story told with the comparison's numbers: raw drop, per-day change, drivers."""
    from .explore import DIMENSION_TITLES

    lang = normalize_lang(lang)
    c = comparison
    pa, pb = c.period_a.display(lang), c.period_b.display(lang)
    steps = [
        t(
            "Raw count: {a} contacts in {pa}, {b} in {pb}: {pct}.",
            lang,
            a=format_number(c.value_a, lang, decimals=0),
            pa=pa,
            b=format_number(c.value_b, lang, decimals=0),
            pb=pb,
            pct=_signed_pct(c.pct_change, lang),
        ),
        t(
            "Calendar: {pa} has {da} days, {pb} has {db}. Per calendar day: {a} → {b} ({pct}).",
            lang,
            pa=pa,
            pb=pb,
            da=c.days_a,
            db=c.days_b,
            a=format_number(c.per_day_a, lang, decimals=1),
            b=format_number(c.per_day_b, lang, decimals=1),
            pct=_signed_pct(c.per_day_pct_change, lang),
        ),
        t(
            "Noise: the per-day change has p = {p}; below 0.05 would be a real change.",
            lang,
            p=format_number(c.p_value, lang, decimals=2) if c.p_value is not None else "–",
        ),
        t("Conclusion: most of the drop is calendar, not performance.", lang)
        if abs(c.per_day_pct_change) < abs(c.pct_change) / 2
        else t("Conclusion: the calendar does not explain the drop; look at the drivers.", lang),
    ]
    body = "<ol>" + "".join(f"<li>{_esc(s)}</li>" for s in steps) + "</ol>"
    body += f"<p>{_esc(c.narrative(lang))}</p>"
    if c.drivers is not None and c.by:
        d = c.drivers
        rows = [
            [
                str(r[c.by]),
                format_number(r["value_a"], lang, decimals=0),
                format_number(r["value_b"], lang, decimals=0),
                format_number(r["contribution"], lang, decimals=0),
            ]
            for _, r in d.iterrows()
        ]
        body += _table(
            [t(DIMENSION_TITLES.get(c.by, c.by), lang), pa, pb, t("Contribution", lang)],
            rows,
            t("Drivers", lang),
        )
    title = f"<h2>{_esc(t('The 25% fewer tickets in February case', lang))}</h2>"
    return HtmlView(title + body)


def story_numbers(comparison, lang: str | None = "pt-BR") -> str:
    """The story's numbers as plain text lines (for golden cells)."""
    lang = normalize_lang(lang)
    c = comparison
    lines = [
        f"{c.period_a} {format_number(c.value_a, lang, decimals=0)} "
        f"({c.days_a} d, {format_number(c.per_day_a, lang, decimals=1)}/d)",
        f"{c.period_b} {format_number(c.value_b, lang, decimals=0)} "
        f"({c.days_b} d, {format_number(c.per_day_b, lang, decimals=1)}/d)",
        t(
            "raw: {raw}; per day: {per_day}; p = {p}",
            lang,
            raw=_signed_pct(c.pct_change, lang),
            per_day=_signed_pct(c.per_day_pct_change, lang),
            p=format_number(c.p_value, lang, decimals=2) if c.p_value is not None else "–",
        ),
    ]
    return "\n".join(lines)


def _signed_pct(value, lang: str) -> str:
    from .i18n import format_signed_percent

    return format_signed_percent(value, lang)


# ----------------------------------------------------------------------------- exercises


@dataclass(frozen=True)
class _Exercise:
    question: str
    answer: float
    tolerance: float
    why: str
    percent: bool = False
    traps: Mapping[float, str] = field(default_factory=dict)


#: Exercise id -> its question, answer, tolerance and explanation (message ids).
EXERCISES: dict[str, _Exercise] = {
    "nps_basic": _Exercise(
        "A survey got 50 promoters, 30 passives and 20 detractors. What is the NPS?",
        30.0,
        0.05,
        "NPS = 100 × (50 − 20) / 100 = 30: passives count in the total only.",
        traps={37.5: "You left the passives out of the total: they count in the denominator."},
    ),
    "csat_top2": _Exercise(
        "Five customers answered 5, 4, 4, 3 and 1 on a 1-5 scale. What is the CSAT (share in "
        "the top two boxes)?",
        0.6,
        0.0005,
        "Three of five answers are 4 or 5: 3 / 5 = 60%.",
        percent=True,
        traps={3.4: "3.4 is the mean score, not the top-two-box share."},
    ),
    "sl_abandoned": _Exercise(
        "100 calls arrived: 70 were answered within 20 s, 10 later and 20 were abandoned. "
        "What is the service level (threshold 20 s, abandoned calls count)?",
        0.7,
        0.0005,
        "Service level = 70 answered in time / 100 offered = 70%: abandoned calls count "
        "against it.",
        percent=True,
        traps={0.875: "87.5% divides by the 80 answered calls only: abandoned calls must count."},
    ),
    "fcr_basic": _Exercise(
        "80 contacts were resolved, 60 of them in the first contact. What is the FCR?",
        0.75,
        0.0005,
        "FCR = 60 resolved in one contact / 80 resolved = 75%.",
        percent=True,
    ),
    "per_day": _Exercise(
        "January (31 days) had 3,100 tickets and February (28 days) 2,800. What is the change "
        "in tickets per calendar day, in %?",
        0.0,
        0.0005,
        "3,100 / 31 = 100 per day and 2,800 / 28 = 100 per day: the change is 0%. The 9.7% "
        "drop is the calendar.",
        percent=True,
        traps={-0.0968: "−9.7% is the raw drop; divide each month by its days first."},
    ),
}


def _exercise(exercise_id: str) -> _Exercise:
    try:
        return EXERCISES[exercise_id]
    except KeyError:
        raise OptionError(
            f"`exercise_id` must be one of {', '.join(map(repr, EXERCISES))}, got {exercise_id!r}."
        ) from None


def exercise(exercise_id: str, lang: str | None = "pt-BR") -> str:
    """The question of ``exercise_id`` in ``lang``."""
    return t(_exercise(exercise_id).question, normalize_lang(lang))


def exercise_view(lang: str | None = "pt-BR") -> HtmlView:
    """All the exercises as a numbered list, with how to check an answer."""
    lang = normalize_lang(lang)
    items = "".join(
        f"<li><code>{_esc(eid)}</code>: {_esc(exercise(eid, lang))}</li>" for eid in EXERCISES
    )
    how = t(
        "Check an answer with check(exercise_id, answer); percentages may be given as 0.6 or 60.",
        lang,
    )
    return HtmlView(f"<h2>{_esc(t('Exercises', lang))}</h2><ol>{items}</ol><p>{_esc(how)}</p>")


def _as_number(answer) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer)
    text = str(answer).strip().replace("%", "").replace(" ", "")
    if "," in text and "." in text:  # 1.234,5 (pt-BR) or 1,234.5 (en)
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    else:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _matches(value: float, target: float, tol: float, percent: bool) -> bool:
    if abs(value - target) <= tol:
        return True
    return percent and abs(value / 100.0 - target) <= tol


def check(exercise_id: str, answer, lang: str | None = "pt-BR") -> str:
    """Say whether ``answer`` to ``exercise_id`` is right, and why.

    Percent answers are accepted as fractions (0.6) or percentages (60, "60%", "60,0").

    >>> check("fcr_basic", "75%", "en").startswith("Right")
    True
    """
    lang = normalize_lang(lang)
    ex = _exercise(exercise_id)
    value = _as_number(answer)
    why = t(ex.why, lang)
    if value is None or math.isnan(value):
        return t(
            "Not a number: {answer}. Answer with a number, e.g. 42 or 0.42.", lang, answer=answer
        )
    if _matches(value, ex.answer, ex.tolerance, ex.percent):
        return t("Right! {why}", lang, why=why)
    for trap, hint in ex.traps.items():
        if _matches(value, trap, max(ex.tolerance, 0.0005), ex.percent):
            return t("Not quite. {hint} {why}", lang, hint=t(hint, lang), why=why)
    return t("Not quite: you answered {answer}. {why}", lang, answer=answer, why=why)
