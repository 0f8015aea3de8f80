"""The KPI primer for trainers: registry-driven KPI cards, worked examples, calculators, exercises.

Everything the primer notebook shows comes from here, in ``lang``: the definition, formula
and edge cases of each KPI are read FROM THE REGISTRY (:func:`kpi_helpers.get_metric`), never
retyped; the worked examples are computed with :func:`kpi_helpers.compute` for one period
(:func:`example_period`: the report's period, else the last whole month in the data); the
calculators are pure functions (:func:`nps_from_counts`, :func:`csat_summary`,
:func:`service_level_by_threshold`) with an ipywidgets front (``interactive=True``) and a
static view for rendered reports (``interactive=False``); the exercises show their answers
in a collapsed block in reports and are marked by :func:`check` (and a widget) in JupyterLab.

Views are :class:`HtmlView` objects: escaped HTML, plus a plain-text form (what nbval's
golden cells compare) and an optional Altair chart of aggregates.

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

import datetime as _dt
import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import OptionError, PeriodError
from .i18n import (
    format_duration,
    format_number,
    format_percent,
    format_signed_percent,
    format_value,
    normalize_lang,
    segment_label,
    t,
)
from .metrics import PERSPECTIVES, get_metric, list_metrics
from .periods import Period, parse_period

__all__ = [
    "PERSPECTIVE_TITLES",
    "EXERCISES",
    "HtmlView",
    "primer_data",
    "primer_operations",
    "example_period",
    "introduction",
    "edge_cases",
    "kpi_card",
    "perspective_section",
    "worked_example",
    "worked_numbers",
    "worked_example_view",
    "nps_from_counts",
    "nps_calculator",
    "csat_summary",
    "csat_calculator",
    "service_level_by_threshold",
    "service_level_calculator",
    "story_periods",
    "february_story",
    "story_numbers",
    "story_view",
    "story_chart",
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
#: The period spec of the worked examples when the notebook gives none (against ``as_of``).
DEFAULT_EXAMPLE_SPEC = "previous_month"
#: A fixed month of the sample data (for calling the functions by hand).
EXAMPLE_PERIOD = "2026-01"

# The sentence the registry appends to every KPI's edge cases (kpi_helpers.metrics._edge):
# the primer says it once (edge_cases()) and shows per KPI only the specific part.
_GENERAL_EDGE_SENTENCES = (
    "A group with a zero denominator gives NaN (missing), never 0.",
    "Um grupo com denominador zero fica sem valor (NaN), nunca 0.",
)

# What the n of each KPI counts: (singular, plural) message ids with {n}.
_N_NOUNS: dict[str, tuple[str, str]] = {
    "contacts": ("{n} contact", "{n} contacts"),
    "answered": ("{n} answered contact", "{n} answered contacts"),
    "handled": ("{n} contact with a handle time", "{n} contacts with a handle time"),
    "resolved": ("{n} resolved contact", "{n} resolved contacts"),
    "open": ("{n} open contact", "{n} open contacts"),
    "answers": ("{n} survey answer", "{n} survey answers"),
    "bot": ("{n} bot conversation", "{n} bot conversations"),
    "delivery": (
        "{n} contact with delivery information",
        "{n} contacts with delivery information",
    ),
    "operations": ("{n} row of the operations table", "{n} rows of the operations table"),
    "trainings": ("{n} training assigned", "{n} trainings assigned"),
    "customers": ("{n} customer at the start", "{n} customers at the start"),
    "headcount": ("{n} agent on average", "{n} agents on average"),
}
_N_OF_METRIC = {
    "volume": "contacts",
    "volume_per_day": "contacts",
    "answer_rate": "contacts",
    "abandonment_rate": "contacts",
    "service_level": "contacts",
    "resolution_rate": "contacts",
    "sla_compliance": "contacts",
    "cost_per_interaction": "contacts",
    "answered": "answered",
    "asa": "answered",
    "frt_mean": "answered",
    "frt_median": "answered",
    "frt_p90": "answered",
    "transfer_rate": "answered",
    "aht": "handled",
    "fcr": "resolved",
    "resolution_time_mean": "resolved",
    "resolution_time_median": "resolved",
    "reopen_rate": "resolved",
    "cost_per_resolution": "resolved",
    "backlog": "open",
    "csat": "answers",
    "csat_mean": "answers",
    "nps": "answers",
    "ces": "answers",
    "bot_containment": "bot",
    "delivery_success": "delivery",
    "training_completion": "trainings",
    "customer_retention": "customers",
    "talent_retention": "headcount",
    "training_hours_per_agent": "headcount",
}


@dataclass
class HtmlView:
    """Escaped HTML for notebooks and reports (displays itself; ``str()`` gives the HTML).

    ``text`` is the same content as plain text (the ``text/plain`` of the display, what a
    golden cell compares); ``chart`` an Altair chart displayed after the HTML.
    """

    html: str
    chart: Any = None
    text: str = ""

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def _ipython_display_(self) -> None:
        from IPython.display import display

        bundle = {"text/html": self.html}
        if self.text:
            bundle["text/plain"] = self.text
        display(bundle, raw=True)
        if self.chart is not None:
            display(self.chart)


def _esc(text) -> str:
    return html.escape(str(text))


def _minus(text: str) -> str:
    """Formatted numbers with the minus sign (−), as on the other pages, not a hyphen."""
    return text.replace("-", "−")


def _num(value, lang: str, decimals: int = 1) -> str:
    return _minus(format_number(value, lang, decimals=decimals))


def _duration(seconds, lang: str) -> str:
    """:func:`format_duration` without a useless ``,0``: 3600 -> ``1 h``, 90 -> ``1,5 min``."""
    return _minus(re.sub(r"[.,]0 (min|h|d)$", r" \1", format_duration(seconds, lang)))


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    caption: str = "",
    *,
    header_column: bool = False,
) -> str:
    out = ['<table class="kpi-primer">']
    if caption:
        out.append(f"<caption>{_esc(caption)}</caption>")
    out.append(
        "<thead><tr>" + "".join(f'<th scope="col">{_esc(h)}</th>' for h in head) + "</tr></thead>"
    )
    out.append("<tbody>")
    for r in rows:
        cells = [
            f'<th scope="row">{_esc(c)}</th>' if header_column and i == 0 else f"<td>{_esc(c)}</td>"
            for i, c in enumerate(r)
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
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


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _data_span(data) -> tuple[_dt.date, _dt.date] | None:
    """First and last day with a contact in ``data`` (one small aggregate query)."""
    from .explore import filter_table

    table = filter_table(data)
    res = table.aggregate(lo=table.created_at.min(), hi=table.created_at.max()).to_pandas()
    lo, hi = res["lo"].iloc[0], res["hi"].iloc[0]
    if pd.isna(lo) or pd.isna(hi):
        return None
    return pd.Timestamp(lo).date(), pd.Timestamp(hi).date()


def _as_of(data, as_of) -> _dt.date:
    if not _blank(as_of):
        return parse_period(as_of).start if isinstance(as_of, str) else pd.Timestamp(as_of).date()
    span = _data_span(data)
    if span is None:
        raise OptionError("`data` has no created_at values: give `period` or `as_of`.")
    return span[1] + _dt.timedelta(days=1)


def example_period(data, period=None, as_of=None) -> Period:
    """The period of the worked examples: ``period`` when given, else the last whole month.

    ``period`` is any spec :func:`kpi_helpers.periods.parse_period` accepts (a report passes
    its own period, so the examples match the page header). Relative specs and the default
    (:data:`DEFAULT_EXAMPLE_SPEC`, the last whole month) resolve against ``as_of``, the first
    day not included; without it, the day after the latest contact in ``data``.

    >>> example_period(None, "2026-10").label
    '2026-10'
    """
    if isinstance(period, Period):
        return period
    spec = DEFAULT_EXAMPLE_SPEC if _blank(period) else str(period).strip()
    if not _blank(as_of):
        return parse_period(spec, as_of=_as_of(data, as_of))
    try:
        return parse_period(spec)
    except PeriodError:  # a relative spec: resolve it against the data's as-of date
        return parse_period(spec, as_of=_as_of(data, as_of))


def _examples_sentence(examples: Period | None, lang: str) -> str:
    if examples is None:
        return ""
    if examples.spec == DEFAULT_EXAMPLE_SPEC:
        return t(
            "The worked examples use {period}: the last whole month in the data.",
            lang,
            period=examples.display(lang),
        )
    return t(
        "The worked examples use {period}: the period of this report.",
        lang,
        period=examples.display(lang),
    )


def introduction(lang: str | None = "pt-BR", *, examples: Period | None = None) -> HtmlView:
    """The primer's opening: what a KPI is, the Balanced Scorecard, the worked examples' period
    and the edge case common to every KPI with a denominator (:func:`edge_cases`)."""
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
    parts = [f"<h1>{_esc(title)}</h1>", f"<p>{_esc(what)}</p>", f"<p>{_esc(bsc)}</p>"]
    sentence = _examples_sentence(examples, lang)
    if sentence:
        parts.append(f"<p>{_esc(sentence)}</p>")
    parts.append(edge_cases(lang))
    return HtmlView("".join(parts))


def edge_cases(lang: str | None = "pt-BR") -> str:
    """The edge-case rule shared by every rate, average and ratio, said once (HTML)."""
    lang = normalize_lang(lang)
    text = t(
        "A rate, an average or a ratio whose denominator is zero (no contacts, no answers) has "
        "no value (NaN, shown as –), never 0. Each KPI below lists only its own edge cases.",
        lang,
    )
    return f"<p><b>{_esc(t('Edge cases', lang))}:</b> {_esc(text)}</p>"


# ----------------------------------------------------------------------------- KPI cards

_SECONDS_RE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?) s\b(\s*\(([^)]*\d[^)]*)\))?")


def _people_durations(text: str, lang: str) -> str:
    """Raw seconds in a registry text for people: ``3600 s`` -> ``1 h``; ``86400 s (24 h)``
    -> ``24 h`` (the text's own wording wins)."""

    def repl(m: re.Match) -> str:
        if m.group(3):
            return m.group(3).strip()
        return _duration(float(m.group(1).replace(",", ".")), lang)

    return _SECONDS_RE.sub(repl, text)


def _specific_edge_text(metric_id: str, lang: str) -> str:
    """The registry's edge cases of one KPI without the general zero-denominator sentence,
    durations written for people."""
    text = get_metric(metric_id).edge_case_text(lang)
    for sentence in _GENERAL_EDGE_SENTENCES:
        text = text.replace(sentence, "")
    return _people_durations(" ".join(text.split()), lang)


def kpi_card(metric_id: str, lang: str | None = "pt-BR") -> str:
    """One KPI as HTML: its label, description, formula and own edge cases, from the registry."""
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
    ]
    edge = _specific_edge_text(metric_id, lang)
    if edge:
        rows.append(f"<p><b>{_esc(t('Edge cases', lang))}:</b> {_esc(edge)}</p>")
    rows.append(f"<p><b>{_esc(t('Direction', lang))}:</b> {_esc(direction)}</p>")
    return '<div class="kpi-card">' + "".join(rows) + "</div>"


def _n_text(metric_id: str, n: int, lang: str) -> str:
    """What the n behind a KPI counts, for people: ``3.864 contatos``, ``425 respostas``."""
    if n <= 0:
        return "–"
    m = get_metric(metric_id)
    kind = _N_OF_METRIC.get(metric_id, "operations" if m.source == "operations" else "")
    shown = format_number(n, lang, decimals=0)
    if not kind:
        return shown
    singular, plural = _N_NOUNS[kind]
    return t(singular if n == 1 else plural, lang, n=shown)


def worked_example(
    data,
    perspective: str,
    *,
    period=None,
    operations=None,
    lang: str | None = "pt-BR",
) -> pd.DataFrame:
    """The KPIs of ``perspective`` on ``data`` in ``period``: ONE :func:`compute` query.

    ``period`` defaults to :func:`example_period` (the last whole month in the data).
    Returns a DataFrame with columns id, label, value, shown (formatted in ``lang``), n and
    n_text (what n counts, e.g. ``3.864 contatos``). KPIs that cannot be computed (missing
    columns, no operations table) are shown as unavailable, with the reason.
    """
    import warnings

    from .engine import compute

    lang = normalize_lang(lang)
    _check_perspective(perspective)
    ids = list_metrics(perspective)
    per = example_period(data, period)
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
            if operations is None and m.source == "operations":
                why = t("needs the operations table", lang)
            rows.append(
                {
                    "id": mid,
                    "label": m.label(lang),
                    "value": math.nan,
                    "shown": t("unavailable ({why})", lang, why=why),
                    "n": 0,
                    "n_text": "–",
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
                "shown": _minus(format_value(value, m.unit, lang)),
                "n": n,
                "n_text": _n_text(mid, n, lang),
            }
        )
    return pd.DataFrame(rows, columns=["id", "label", "value", "shown", "n", "n_text"])


def worked_numbers(example: pd.DataFrame, lang: str | None = "pt-BR") -> str:
    """A worked-example frame as plain text, one KPI a line: ``label: value (n = ...)``."""
    lang = normalize_lang(lang)
    lines = []
    for r in example.itertuples(index=False):
        n_text = r.n_text if "n_text" in example.columns else _n_text(r.id, r.n, lang)
        lines.append(f"{r.label}: {r.shown}" + (f" (n = {n_text})" if r.n > 0 else ""))
    return "\n".join(lines)


def _example_caption(period: Period, lang: str) -> str:
    return t("Worked example: {period}", lang, period=period.display(lang))


def worked_example_view(
    data,
    perspective: str,
    *,
    period=None,
    operations=None,
    lang: str | None = "pt-BR",
) -> HtmlView:
    """The worked example of ``perspective`` as a small table (KPI, value, n and what it
    counts); its ``text`` holds the same numbers as plain lines (for golden cells)."""
    lang = normalize_lang(lang)
    per = example_period(data, period)
    ex = worked_example(data, perspective, period=per, operations=operations, lang=lang)
    caption = _example_caption(per, lang)
    table = _table(
        [t("KPI", lang), t("Value", lang), "n"],
        [[r.label, r.shown, r.n_text] for r in ex.itertuples(index=False)],
        caption,
        header_column=True,
    )
    return HtmlView(table, text=caption + "\n" + worked_numbers(ex, lang))


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
    period=None,
    operations=None,
) -> HtmlView:
    """A BSC perspective: title, intro and one card per KPI (texts from the registry).

    With ``data``, the worked example's table follows (:func:`worked_example_view`, one
    compute query); the notebook shows it in a cell of its own (a golden cell).
    """
    lang = normalize_lang(lang)
    _check_perspective(perspective)
    parts = [
        f"<h2>{_esc(t(PERSPECTIVE_TITLES[perspective], lang))}</h2>",
        f"<p>{_esc(t(_PERSPECTIVE_INTROS[perspective], lang))}</p>",
    ]
    parts += [kpi_card(mid, lang) for mid in list_metrics(perspective)]
    if data is not None:
        parts.append(
            worked_example_view(
                data, perspective, period=period, operations=operations, lang=lang
            ).html
        )
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
    return (
        "<p>"
        + _esc(
            t(
                "NPS = 100 × ({promoters} − {detractors}) / {total} = {nps}. Passives ({passives}) count "
                "in the total but in neither group.",
                lang,
                promoters=_num(promoters, lang, 0),
                detractors=_num(detractors, lang, 0),
                total=_num(total, lang, 0),
                nps=_num(value, lang, 1),
                passives=_num(passives, lang, 0),
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
                _num(p, lang, 0),
                _num(a, lang, 0),
                _num(d, lang, 0),
                _num(nps_from_counts(p, a, d), lang),
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
                n=_num(s["n"], lang, 0),
                top=format_percent(s["top_two_box"], lang),
                mean=_num(s["mean"], lang, 2),
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
                    " / ".join(_num(k, lang, 0) for k in c),
                    format_percent(s["top_two_box"], lang),
                    _num(s["mean"], lang, 2),
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
    period=EXAMPLE_PERIOD,
) -> pd.DataFrame:
    """Service level of ``data`` for each threshold (seconds): one compute query per threshold.

    ``channel`` keeps one channel (the 80/20 rule is a phone standard: 80% answered within
    20 s); ``None`` keeps all. ``period`` None keeps the whole data. Returns columns
    threshold_s, service_level, n.
    """
    from .engine import compute
    from .explore import filter_table

    table = filter_table(data, {"channel": [channel]} if channel else None)
    per = parse_period(period) if period is not None else None
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


def _sl_html(frame: pd.DataFrame, lang: str, channel: str | None, period) -> str:
    rows = [
        [
            _duration(r.threshold_s, lang),
            format_percent(r.service_level, lang),
            _n_text("service_level", int(r.n), lang),
            t("meets 80/20", lang) if r.service_level >= 0.8 else t("below 80%", lang),
        ]
        for r in frame.itertuples(index=False)
    ]
    head = [t("Threshold", lang), t("Service level", lang), "n", "80/20"]
    where = segment_label("channel", channel, lang) if channel else t("all channels", lang)
    if period is not None:
        caption = t(
            "Service level by threshold: {channel}, {period}",
            lang,
            channel=where,
            period=parse_period(period).display(lang),
        )
    else:
        caption = t("Service level by threshold ({channel})", lang, channel=where)
    return _table(head, rows, caption)


def service_level_calculator(
    data,
    lang: str | None = "pt-BR",
    *,
    interactive: bool = False,
    channel: str | None = "phone",
    period=EXAMPLE_PERIOD,
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
        return HtmlView(intro + _sl_html(frame, lang, channel, period))
    import ipywidgets as w

    slider = w.IntSlider(value=20, min=0, max=300, step=5, description=t("Threshold", lang))
    out = w.HTML()

    def _update(_change=None):
        frame = service_level_by_threshold(data, [slider.value], channel=channel, period=period)
        out.value = intro + _sl_html(frame, lang, channel, period)

    slider.observe(_update, names="value")
    _update()
    return w.VBox([slider, out])


# ----------------------------------------------------------------------------- the story


def story_periods(data, *, as_of=None) -> tuple[Period, Period]:
    """The months of the "fewer tickets in February" case: the latest January and February
    in ``data`` that end by ``as_of`` (first day not included; default: the day after the
    latest contact). Without such a pair, the last two whole months before ``as_of``.

    >>> from kpi_helpers import sample
    >>> [p.label for p in story_periods(sample.interactions())]
    ['2026-01', '2026-02']
    """
    span = _data_span(data)
    end = _as_of(data, as_of)
    if span is not None:
        year = end.year if end >= _dt.date(end.year, 3, 1) else end.year - 1
        if span[0] < _dt.date(year, 2, 1):
            return parse_period(f"{year:04d}-01"), parse_period(f"{year:04d}-02")
    b = parse_period("previous_month", as_of=end)
    return b.previous(), b


def february_story(data, *, a=None, b=None, by: str = "channel", as_of=None):
    """The "fewer tickets in February" case: :func:`kpi_helpers.compare.compare` of volume.

    ``a`` and ``b`` default to :func:`story_periods` (the latest January and February).
    """
    from .compare import compare

    if a is None or b is None:
        a, b = story_periods(data, as_of=as_of)
    return compare(data, "volume", a, b, by=by)


def _story_title(c, lang: str) -> str:
    pa, pb = c.period_a.display(lang), c.period_b.display(lang)
    pct = c.pct_change
    if pct is None or pd.isna(pct) or pct == 0:
        return t("Tickets in {pa} and {pb}: what changed?", lang, pa=pa, pb=pb)
    shown = format_percent(abs(pct), lang)
    if pct < 0:
        return t("Tickets fell {pct} in {pb}: the team's fault?", lang, pct=shown, pb=pb)
    return t("Tickets rose {pct} in {pb}: a real change?", lang, pct=shown, pb=pb)


def _is_february_case(c) -> bool:
    a, b = c.period_a, c.period_b
    return (
        a.kind == "month" == b.kind
        and (a.start.month, b.start.month) == (1, 2)
        and a.start.year == b.start.year
    )


def _story_why(c, lang: str) -> str:
    pa, pb = c.period_a.display(lang), c.period_b.display(lang)
    if _is_february_case(c):
        return t(
            "A classic question: the number of tickets changed from one month to the next. Was "
            "it the team, the customers or the calendar? This case uses {pa} and {pb}, the latest "
            "January and February in the data, because February is the shortest month.",
            lang,
            pa=pa,
            pb=pb,
        )
    return t(
        "A classic question: the number of tickets changed from one month to the next. Was it "
        "the team, the customers or the calendar? This case uses {pa} and {pb}, the last two "
        "whole months in the data (it has no January and February to compare).",
        lang,
        pa=pa,
        pb=pb,
    )


def _p_text(c, lang: str) -> str:
    return _num(c.p_value, lang, 2) if c.p_value is not None else "–"


def _story_days(c, side: str, lang: str) -> str:
    """The days behind a month's per-day figure: ``31``, or ``27 of 31`` when the data covers
    only part of the month (the per-day figures of compare use the covered days)."""
    days = c.days_a if side == "a" else c.days_b
    cov = c.coverage_a if side == "a" else c.coverage_b
    if cov is not None and cov.partial:
        return t(
            "{covered} of {days}",
            lang,
            covered=_num(cov.covered_days, lang, 0),
            days=_num(days, lang, 0),
        )
    return _num(days, lang, 0)


def story_numbers(comparison, lang: str | None = "pt-BR") -> HtmlView:
    """The case's title (with its real change), which months it uses and why, and its numbers
    as a table: contacts, calendar days and contacts per day in each month, and the changes.

    Every number comes from the comparison; ``text`` holds them as plain lines (golden cell).
    """
    lang = normalize_lang(lang)
    c = comparison
    title = _story_title(c, lang)
    why = _story_why(c, lang)
    pa, pb = c.period_a.display(lang), c.period_b.display(lang)
    head = [t("Month", lang), t("Contacts", lang), t("Calendar days", lang), t("Per day", lang)]
    days_a, days_b = _story_days(c, "a", lang), _story_days(c, "b", lang)
    rows = [
        [pa, _num(c.value_a, lang, 0), days_a, _num(c.per_day_a, lang)],
        [pb, _num(c.value_b, lang, 0), days_b, _num(c.per_day_b, lang)],
        [
            t("Change", lang),
            format_signed_percent(c.pct_change, lang),
            _minus(f"{c.days_b - c.days_a:+d}"),
            format_signed_percent(c.per_day_pct_change, lang),
        ],
    ]
    table = _table(head, rows, t("The numbers of the case", lang), header_column=True)
    lines = [
        title,
        t(
            "{month}: {n} contacts in {days} days ({per_day} per day)",
            lang,
            month=pa,
            n=_num(c.value_a, lang, 0),
            days=days_a,
            per_day=_num(c.per_day_a, lang),
        ),
        t(
            "{month}: {n} contacts in {days} days ({per_day} per day)",
            lang,
            month=pb,
            n=_num(c.value_b, lang, 0),
            days=days_b,
            per_day=_num(c.per_day_b, lang),
        ),
        t(
            "Change: {raw} in the month, {per_day} per calendar day (p = {p})",
            lang,
            raw=format_signed_percent(c.pct_change, lang),
            per_day=format_signed_percent(c.per_day_pct_change, lang),
            p=_p_text(c, lang),
        ),
    ]
    body = f"<h2>{_esc(title)}</h2><p>{_esc(why)}</p>{table}"
    return HtmlView(body, text="\n".join(lines))


def story_view(comparison, lang: str | None = "pt-BR") -> HtmlView:
    """The case worked step by step (raw drop, calendar, noise, drivers, conclusion), the
    drivers table and a chart of the month totals against the contacts per day.

    Shown after :func:`story_numbers`, which has the case's title and numbers.
    """
    from .explore import DIMENSION_TITLES

    lang = normalize_lang(lang)
    c = comparison
    pa, pb = c.period_a.display(lang), c.period_b.display(lang)
    steps = [
        t(
            "Raw count: {a} contacts in {pa}, {b} in {pb}: {pct}.",
            lang,
            a=_num(c.value_a, lang, 0),
            pa=pa,
            b=_num(c.value_b, lang, 0),
            pb=pb,
            pct=format_signed_percent(c.pct_change, lang),
        ),
        t(
            "Calendar: {pa} has {da} days, {pb} has {db}. Per calendar day: {a} → {b} ({pct}).",
            lang,
            pa=pa,
            pb=pb,
            da=c.days_a,
            db=c.days_b,
            a=_num(c.per_day_a, lang),
            b=_num(c.per_day_b, lang),
            pct=format_signed_percent(c.per_day_pct_change, lang),
        ),
        t(
            "Noise: the per-day change has p = {p}; below 0.05 would be a real change.",
            lang,
            p=_p_text(c, lang),
        ),
    ]
    drivers = None
    if c.drivers is not None and c.by:
        drivers = c.drivers.loc[c.drivers["contribution"].notna()]
        drivers = drivers.reindex(
            drivers["contribution"].abs().sort_values(ascending=False, kind="stable").index
        )
        if len(drivers):
            top = drivers.iloc[0]
            steps.append(
                t(
                    "Drivers: the largest contribution came from {segment} ({contribution}).",
                    lang,
                    segment=segment_label(c.by, top[c.by], lang),
                    contribution=_num(top["contribution"], lang, 0),
                )
            )
    steps.append(
        t("Conclusion: most of the drop is calendar, not performance.", lang)
        if abs(c.per_day_pct_change) < abs(c.pct_change) / 2
        else t("Conclusion: the calendar does not explain the drop; look at the drivers.", lang)
    )
    body = "<ol>" + "".join(f"<li>{_esc(s)}</li>" for s in steps) + "</ol>"
    if drivers is not None and len(drivers):
        rows = [
            [
                segment_label(c.by, r[c.by], lang),
                _num(r["value_a"], lang, 0),
                _num(r["value_b"], lang, 0),
                _num(r["contribution"], lang, 0),
            ]
            for _, r in drivers.iterrows()
        ]
        body += _table(
            [t(DIMENSION_TITLES.get(c.by, c.by), lang), pa, pb, t("Contribution", lang)],
            rows,
            t("Drivers", lang),
            header_column=True,
        )
    return HtmlView(body, chart=story_chart(c, lang))


def story_chart(comparison, lang: str | None = "pt-BR"):
    """Two small bar charts of the case's aggregates: contacts in each month, and contacts
    per calendar day (the drop that disappears). Tooltips give the exact values and n."""
    import altair as alt

    from .charts import PALETTE, vega_locale

    lang = normalize_lang(lang)
    c = comparison
    month_t, contacts_t = t("Month", lang), t("Contacts", lang)
    days_t, per_day_t = t("Calendar days", lang), t("Contacts per calendar day", lang)
    rows = [
        {
            "month": p.display(lang),
            "order": i,
            "contacts": float(v),
            "per_day": float(d),
            "contacts_text": _n_text("volume", int(v), lang),
            "days_text": _num(days, lang, 0),
            "per_day_text": _num(d, lang),
        }
        for i, (p, v, d, days) in enumerate(
            [
                (c.period_a, c.value_a, c.per_day_a, c.days_a),
                (c.period_b, c.value_b, c.per_day_b, c.days_b),
            ]
        )
    ]
    frame = pd.DataFrame(rows)
    frame["desc"] = [
        t(
            "{month}: {contacts}, {per_day} per calendar day",
            lang,
            month=r["month"],
            contacts=r["contacts_text"],
            per_day=r["per_day_text"],
        )
        for r in rows
    ]
    tooltip = [
        alt.Tooltip("month:N", title=month_t),
        alt.Tooltip("contacts_text:N", title=t("n (contacts)", lang)),
        alt.Tooltip("days_text:N", title=days_t),
        alt.Tooltip("per_day_text:N", title=per_day_t),
    ]
    x = alt.X("month:N", title=None, sort=alt.SortField("order"), axis=alt.Axis(labelAngle=0))
    base = alt.Chart(frame).mark_bar(color=PALETTE["blue"]).properties(width=220, height=200)
    desc = alt.Description("desc:N")
    total = base.encode(
        x=x,
        y=alt.Y("contacts:Q", title=contacts_t, axis=alt.Axis(format=",d")),
        tooltip=tooltip,
        description=desc,
    ).properties(title=t("Contacts in the month", lang))
    per_day = (
        base.mark_bar(color=PALETTE["green"])
        .encode(
            x=x,
            y=alt.Y("per_day:Q", title=t("Per day", lang)),
            tooltip=tooltip,
            description=desc,
        )
        .properties(title=per_day_t)
    )
    return (
        alt.hconcat(total, per_day)
        .properties(
            description=t(
                "Contacts in each month and per calendar day: {a}; {b}",
                lang,
                a=rows[0]["month"],
                b=rows[1]["month"],
            )
        )
        .configure(locale=vega_locale(lang))
        .configure_view(stroke=None)
    )


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


def _answer_text(ex: _Exercise, lang: str) -> str:
    if ex.percent:
        pct = ex.answer * 100
        return _minus(format_percent(ex.answer, lang, decimals=0 if pct == round(pct) else 1))
    return _num(ex.answer, lang, 0 if ex.answer == round(ex.answer) else 1)


def exercise_view(lang: str | None = "pt-BR", *, interactive: bool = False):
    """The exercises as a numbered list.

    Static (reports, handouts): each question with its answer and explanation in a
    collapsed "Answer" block. Interactive: each question with an answer box and a Check
    button (:func:`check` in code: ``check("nps_basic", 30)``).
    """
    lang = normalize_lang(lang)
    title = f"<h2>{_esc(t('Exercises', lang))}</h2>"
    if not interactive:
        summary = t("Answer", lang)
        items = "".join(
            f"<li><p>{_esc(exercise(eid, lang))}</p><details><summary>{_esc(summary)}</summary>"
            f"<p><b>{_esc(_answer_text(ex, lang))}</b>. {_esc(t(ex.why, lang))}</p></details></li>"
            for eid, ex in EXERCISES.items()
        )
        how = t("Try each one first, then open its answer.", lang)
        return HtmlView(f"{title}<p>{_esc(how)}</p><ol>{items}</ol>")
    import ipywidgets as w

    how = t(
        "Type an answer and press Check (percentages as 0.6, 60 or 60%). In code: "
        'check("nps_basic", 30).',
        lang,
    )
    boxes = [w.HTML(f"{title}<p>{_esc(how)}</p>")]
    for i, eid in enumerate(EXERCISES, start=1):
        answer = w.Text(placeholder=t("Your answer", lang))
        button = w.Button(description=t("Check", lang))
        result = w.HTML()

        def _on_click(_button, eid=eid, answer=answer, result=result):
            result.value = f"<p>{_esc(check(eid, answer.value, lang))}</p>"

        button.on_click(_on_click)
        question = f"<p><b>{i}.</b> {_esc(exercise(eid, lang))} <code>{_esc(eid)}</code></p>"
        boxes.append(w.VBox([w.HTML(question), w.HBox([answer, button]), result]))
    return w.VBox(boxes)


def _as_number(answer) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer)
    text = str(answer).strip().replace("%", "").replace(" ", "").replace("−", "-")
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
