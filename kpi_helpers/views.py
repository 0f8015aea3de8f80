"""One-call views for the notebooks: resolve the parameters, run the analysis, display it.

The notebooks stay thin (a parameters cell, imports, one call per cell); everything they need
is here, tested:

* parameter resolution -- :func:`resolve_data` (``""`` = the committed sample),
  :func:`resolve_as_of` (``""`` = the day after the latest ``created_at`` in the data: the
  library never reads the wall clock), :func:`resolve_period` and
  :func:`resolve_comparison_periods` (the report runner's ``period_start``/``period_end``
  override the spec);
* analysis -- :func:`trends` (a :class:`TrendSet`: one :func:`kpi_helpers.trend` per KPI)
  and :func:`comparisons` (a :class:`ComparisonSet`: one
  :func:`kpi_helpers.compare.compare_many` query);
* display -- objects that Jupyter, papermill and nbconvert render: :class:`HtmlTable`
  (every string HTML-escaped), :class:`Note` (escaped text), :class:`Section` (several of
  them in order) and Altair charts (rendered by the active renderer: the offline one in
  reports).

Examples
--------
>>> from kpi_helpers import views                                    # doctest: +SKIP
>>> tr = views.trends(metrics=["csat"], period="last_90_days")       # doctest: +SKIP
>>> views.show_trends(tr, "en")                                       # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .config import PROJ_ROOT
from .errors import DataError, MetricUnavailable, OptionError
from .i18n import format_date, format_number, format_value, normalize_lang, segment_label, t
from .metrics import get_metric
from .periods import Period, parse_period

__all__ = [
    "HtmlTable",
    "Note",
    "Section",
    "TrendSet",
    "ComparisonSet",
    "resolve_data",
    "resolve_as_of",
    "resolve_period",
    "resolve_comparison_periods",
    "trends",
    "comparisons",
    "show_header",
    "trend_summary",
    "out_of_control_table",
    "show_trends",
    "comparison_table_view",
    "show_narratives",
    "show_comparison_chart",
    "drivers_table",
    "show_drivers",
    "show_comparison",
]

_MAX_FLAGGED_ROWS = 12
_FREQ_TEXT = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "quarter": "quarterly",
    "year": "yearly",
}
_DIMENSION_TEXT = {"channel": "Channel", "team": "Team", "agent": "Agent", "category": "Category"}


# -- displayable objects ----------------------------------------------------------------------
class HtmlTable:
    """A small table shown as HTML (every header and cell escaped) and as plain text.

    Parameters
    ----------
    frame : DataFrame
        The cells, already formatted as text (numbers per locale).
    caption : str, optional
        A caption above the table.
    """

    def __init__(self, frame: pd.DataFrame, caption: str | None = None):
        self.frame = frame.copy()
        self.caption = caption

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(str(c))}</th>" for c in self.frame.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(_cell(v))}</td>" for v in row) + "</tr>"
            for row in self.frame.itertuples(index=False, name=None)
        )
        cap = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        return (
            f'<table class="kpi-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False) if len(self.frame.columns) else ""
        return f"{self.caption}\n{text}" if self.caption else text

    def __len__(self) -> int:
        return len(self.frame)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return str(value)


class Note:
    """A line of text (``level`` 0) or a heading (``level`` 2-4), HTML-escaped.

    >>> Note("<b>x</b>")._repr_html_()
    '<p>&lt;b&gt;x&lt;/b&gt;</p>'
    """

    def __init__(self, text: str, level: int = 0):
        if level not in (0, 2, 3, 4):
            raise OptionError(f"`level` must be one of 0, 2, 3, 4, got {level!r}.")
        self.text = str(text)
        self.level = level

    def _repr_html_(self) -> str:
        tag = f"h{self.level}" if self.level else "p"
        return f"<{tag}>{html.escape(self.text)}</{tag}>"

    def __repr__(self) -> str:
        return self.text


class Section:
    """Several displayable objects (notes, tables, charts) shown one after the other."""

    def __init__(self, items: Sequence[Any]):
        self.items = list(items)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        for item in self.items:
            display(item)

    def __repr__(self) -> str:
        return "\n".join(
            repr(i) if isinstance(i, (Note, HtmlTable)) else f"<{type(i).__name__}>"
            for i in self.items
        )

    def __len__(self) -> int:
        return len(self.items)


# -- parameter resolution ---------------------------------------------------------------------
def resolve_data(data: Any = ""):
    """What the notebooks' ``data`` parameter means, as an input :func:`kpi_helpers.compute` takes.

    ``""`` or None: the committed sample (``data/sample/interactions.parquet``). A path
    (absolute, or relative to the working directory or else to the project root) to canonical
    Parquet or CSV is scanned lazily; an Excel file is loaded with
    :func:`kpi_helpers.io.load_interactions`. DataFrames, LoadResults and Ibis tables pass
    through unchanged.
    """
    if data is None or (isinstance(data, str) and not data.strip()):
        from .sample import sample_path

        return str(sample_path())
    if isinstance(data, (str, os.PathLike)):
        path = Path(data).expanduser()
        if not path.is_absolute() and not path.exists() and (PROJ_ROOT / path).exists():
            path = PROJ_ROOT / path
        if not path.exists():
            raise DataError(
                f"`data` must be '' (the sample) or an existing file, got {str(data)!r} (not "
                f"found; relative paths are tried from {Path.cwd()} and from {PROJ_ROOT})."
            )
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            from .io import load_interactions

            return load_interactions(path)
        return str(path.resolve())
    return data


def _data_label(data: Any) -> str:
    """Where the data came from, for the header ("" = the committed sample)."""
    if data is None or (isinstance(data, str) and not data.strip()):
        return ""
    if isinstance(data, (str, os.PathLike)):
        return _parquet_source(Path(data)) or Path(data).name
    source = getattr(data, "source", None)
    return str(source) if source else type(data).__name__


def _parquet_source(path: Path) -> str | None:
    """The source files a Parquet table was loaded from (``df.attrs["source"]``, kept by
    pandas in the file's metadata; what ``kpi-report`` writes for a job's own export)."""
    if path.suffix.lower() not in (".parquet", ".pq") or not path.is_file():
        return None
    try:
        import json

        import pyarrow.parquet as pq

        raw = (pq.read_schema(path).metadata or {}).get(b"PANDAS_ATTRS")
        source = json.loads(raw).get("source") if raw else None
    except Exception:  # noqa: BLE001 - no metadata: the file's own name
        return None
    return source if isinstance(source, str) and source else None


def resolve_as_of(data: Any = "", as_of: Any = None) -> _dt.date:
    """The as-of date: the given one, else the day after the latest ``created_at`` in ``data``.

    ``as_of`` is the first day NOT included (relative periods such as ``previous_month``
    resolve against it). ``""`` and None mean "from the data": so a notebook run on the same
    data always gives the same result, whatever the clock says.

    Raises
    ------
    DataError
        When the data has no ``created_at`` value to take the date from.
    """
    if as_of is not None and not (isinstance(as_of, str) and not as_of.strip()):
        try:
            return _as_date(as_of)
        except Exception as exc:  # noqa: BLE001 - re-raised with the argument's name
            raise OptionError(
                f"`as_of` must be '' (from the data) or a date 'YYYY-MM-DD', got {as_of!r}."
            ) from exc
    from .engine import as_table

    source = as_table(resolve_data(data))
    if "created_at" not in source.table.columns:
        raise DataError(
            f"{source.name}: column 'created_at' is required to take the as-of date from the data; "
            "map it when loading, or pass as_of='YYYY-MM-DD'."
        )
    col = source.table["created_at"]
    if not col.type().is_timestamp():
        col = col.cast("timestamp")
    latest = source.execute(col.max())
    if latest is None or pd.isna(latest):
        raise DataError(
            f"{source.name}: no created_at value to take the as-of date from; pass as_of='YYYY-MM-DD'."
        )
    return (pd.Timestamp(latest).normalize() + pd.Timedelta(days=1)).date()


def _as_date(value) -> _dt.date:
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        raise ValueError("NaT")
    return ts.date()


def _period_from_bounds(start: Any, end: Any) -> Period:
    """A Period from ``[start, end)``, recognised as a month/quarter/year/ISO week/day if it is one."""
    try:
        s, e = _as_date(start), _as_date(end)
    except Exception as exc:  # noqa: BLE001
        raise OptionError(
            f"`period_start` and `period_end` must be dates 'YYYY-MM-DD', got {start!r} and {end!r}."
        ) from exc
    if e <= s:
        raise OptionError(
            f"`period_end` ({e}) must be after `period_start` ({s}): the end is excluded."
        )
    candidates = [
        s.isoformat(),
        f"{s.year}-{s.month:02d}",
        f"{s.year}-Q{(s.month - 1) // 3 + 1}",
        f"{s.year}",
    ]
    iso = s.isocalendar()
    candidates.append(f"{iso[0]}-W{iso[1]:02d}")
    for spec in candidates:
        p = parse_period(spec)
        if p.start == s and p.end == e:
            return p
    return parse_period((s, e))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def resolve_period(
    period: Any, *, as_of: Any = None, period_start: Any = "", period_end: Any = ""
) -> Period:
    """The notebook's period: ``period_start``/``period_end`` (from ``kpi-report``) when given,
    else ``period`` parsed against ``as_of``.

    >>> str(resolve_period("previous_month", as_of="2026-11-01"))
    '2026-10'
    >>> str(resolve_period("last_7_days", period_start="2026-02-01", period_end="2026-03-01"))
    '2026-02'
    """
    if not _blank(period_start) or not _blank(period_end):
        if _blank(period_start) or _blank(period_end):
            raise OptionError(
                "`period_start` and `period_end` go together (both 'YYYY-MM-DD', end excluded), "
                f"got {period_start!r} and {period_end!r}."
            )
        return _period_from_bounds(period_start, period_end)
    if _blank(period):
        raise OptionError(
            "`period` must be a period spec such as 'last_90_days' or '2026-02', got ''."
        )
    return parse_period(period, as_of=None if _blank(as_of) else as_of)


def resolve_comparison_periods(
    period_a: Any = "",
    period_b: Any = "",
    *,
    as_of: Any = None,
    period_start: Any = "",
    period_end: Any = "",
) -> tuple[Period, Period]:
    """Periods A (before) and B (after) of ``compare_periods.ipynb``.

    B: ``period_start``/``period_end`` when given (the report runner's period), else
    ``period_b``, else ``previous_month`` (against ``as_of``). A: ``period_a``, else the
    period just before B (the previous month for a month, the same number of days before
    for a range).

    >>> [str(p) for p in resolve_comparison_periods(as_of="2026-11-01")]
    ['2026-09', '2026-10']
    """
    ref = None if _blank(as_of) else as_of
    if not _blank(period_start) or not _blank(period_end):
        b = resolve_period("", period_start=period_start, period_end=period_end)
    else:
        b = parse_period("previous_month" if _blank(period_b) else period_b, as_of=ref)
    a = b.previous() if _blank(period_a) else parse_period(period_a, as_of=ref)
    return a, b


def _metric_list(metrics) -> list[str]:
    items = [metrics] if isinstance(metrics, str) else list(metrics or [])
    if not items:
        raise OptionError(
            "`metrics` must name at least one KPI id, e.g. ['volume', 'csat'], got []."
        )
    for m in items:
        get_metric(m)  # unknown ids raise UnknownMetricError listing the known ones
    return items


def _by(by) -> str | None:
    return None if _blank(by) else str(by)


# -- trends -----------------------------------------------------------------------------------
@dataclass
class TrendSet:
    """The trends of several KPIs over one period (see :func:`trends`)."""

    frames: dict[str, pd.DataFrame]
    period: Period
    as_of: _dt.date
    freq: str
    by: str | None
    data_label: str = ""
    unavailable: dict[str, str] = field(default_factory=dict)
    source: Any = field(default=None, repr=False)


def trends(
    data: Any = "",
    metrics: Sequence[str] | str = ("volume", "service_level", "csat", "asa"),
    *,
    freq: str = "week",
    period: Any = "last_90_days",
    by: str | None = "",
    as_of: Any = "",
    period_start: Any = "",
    period_end: Any = "",
    targets: Mapping[str, float] | None = None,
    options: Mapping | None = None,
    window: int = 4,
) -> TrendSet:
    """One :func:`kpi_helpers.trend` per KPI, with the notebook's parameters resolved.

    Parameters
    ----------
    data : str, DataFrame, LoadResult or ibis Table
        ``""`` = the committed sample (see :func:`resolve_data`).
    metrics : list of str
        KPI ids.
    freq : str
        ``"day"``, ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
    period : str
        Any period spec; relative ones resolve against ``as_of``.
    by : str
        ``""`` for the whole operation, or a dimension (one series per segment).
    as_of : str or date
        ``""`` = the day after the latest contact in the data.
    period_start, period_end : str
        Set by ``kpi-report``: they override ``period`` (end excluded).
    targets : mapping, optional
        KPI id -> target value, drawn on the charts.

    Returns
    -------
    TrendSet
        A KPI the data cannot give (a missing column) is listed in ``unavailable`` with the
        reason instead of failing the notebook. The data's coverage (per segment with ``by``)
        is measured once and shared by every KPI: buckets it or the period only partly covers
        are partial (left out of the limits and signals).
    """
    metric_ids = _metric_list(metrics)
    source = resolve_data(data)
    ref = resolve_as_of(source, as_of)
    per = resolve_period(period, as_of=ref, period_start=period_start, period_end=period_end)
    from .coverage import data_coverage
    from .trends import trend

    coverage = data_coverage(source, by=_by(by))  # measured once for every KPI
    frames: dict[str, pd.DataFrame] = {}
    unavailable: dict[str, str] = {}
    for mid in metric_ids:
        target = (targets or {}).get(mid)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MetricUnavailable)
                frames[mid] = trend(
                    source,
                    mid,
                    freq,
                    by=_by(by),
                    options=options,
                    period=per,
                    target=target,
                    window=window,
                    coverage=coverage,
                )
        except MetricUnavailable as exc:
            unavailable[mid] = str(exc)
    return TrendSet(frames, per, ref, freq, _by(by), _data_label(data), unavailable, source)


def show_header(result: TrendSet | ComparisonSet, lang: str | None = "pt-BR") -> Section:
    """A title and one line on the data, the period(s) and the last day of data, in ``lang``.

    The date shown is the last day included (the day before ``as_of``), as in the report's
    page header: the half-open end is an implementation detail.
    """
    lang = normalize_lang(lang)
    data_label = result.data_label or t("the committed sample data", lang)
    last_day = format_date(result.as_of - _dt.timedelta(days=1), lang)
    if isinstance(result, TrendSet):
        title = t("KPI trends", lang)
        line = t(
            "Period: {period} ({freq}); data through {last_day}; source: {data}.",
            lang,
            period=result.period.display(lang),
            freq=t(_FREQ_TEXT.get(result.freq, result.freq), lang),
            last_day=last_day,
            data=data_label,
        )
    else:
        title = t("Period comparison", lang)
        line = t(
            "A: {a}; B: {b}; data through {last_day}; source: {data}.",
            lang,
            a=result.period_a.display(lang),
            b=result.period_b.display(lang),
            last_day=last_day,
            data=data_label,
        )
    return Section([Note(title, 2), Note(line)])


def trend_summary(result: TrendSet, lang: str | None = "pt-BR") -> HtmlTable:
    """One row per KPI: chart type, points, centre line, latest value, points per signal.

    The latest value is that of the last bucket the data covers whole (a week holding three
    days of data is not "the latest week").
    The signal columns count the points where each rule fires (``beyond_limits``,
    ``shift_8``, ``trend_6``); the last column counts the partial buckets, left out of the
    limits and signals.
    """
    lang = normalize_lang(lang)
    rows = []
    for mid, frame in result.frames.items():
        m = get_metric(mid)
        valid = frame.loc[frame["value"].notna()]
        whole = valid.loc[~_flag(valid, "partial")]  # a partial last week is not "the latest"
        latest = whole.iloc[-1]["value"] if len(whole) and result.by is None else math.nan
        centres = frame["center"].dropna()
        centre = centres.iloc[0] if result.by is None and len(centres) else math.nan
        rows.append(
            [
                m.label(lang),
                t("p-chart", lang) if frame.attrs.get("chart") == "p" else t("XmR chart", lang),
                format_number(len(valid), lang, decimals=0),
                _fmt_value(centre, m.unit, lang),
                _fmt_value(latest, m.unit, lang),
                format_number(int(_flag(frame, "out_of_control").sum()), lang, decimals=0),
                format_number(int(_flag(frame, "run_flag").sum()), lang, decimals=0),
                format_number(int(_flag(frame, "trend_flag").sum()), lang, decimals=0),
                format_number(int(_flag(frame, "partial").sum()), lang, decimals=0),
            ]
        )
    for mid in result.unavailable:
        rows.append([get_metric(mid).label(lang), t("unavailable", lang)] + ["–"] * 7)
    columns = [
        t("KPI", lang),
        t("Chart", lang),
        t("Points", lang),
        t("Centre line", lang),
        t("Latest value", lang),
        t("Outside the limits", lang),
        t("In a run of 8+", lang),
        t("6+ rising or falling", lang),
        t("Partial", lang),
    ]
    return HtmlTable(pd.DataFrame(rows, columns=columns))


def _flag(frame: pd.DataFrame, column: str) -> pd.Series:
    """A boolean column of a trend frame (all False when the frame lacks it)."""
    if column not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[column].eq(True)


def _fmt_value(value, unit: str, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if unit == "per_day":
        return format_number(value, lang, decimals=1)
    return format_value(value, unit, lang)


def out_of_control_table(
    trend_df: pd.DataFrame,
    metric: str,
    lang: str | None = "pt-BR",
    *,
    limit: int = _MAX_FLAGGED_ROWS,
) -> HtmlTable | Note:
    """The points of one trend where a signal fires, newest first, with the rule(s) by name.

    The signals: outside the control limits, 8 points in a row on one side of the centre
    line, 6 points in a row rising or falling (see :mod:`kpi_helpers.trends`). Returns a
    :class:`Note` saying so when no point is flagged; at most ``limit`` rows (a caption says
    how many more there are). Both say how many partial buckets were left out.
    """
    lang = normalize_lang(lang)
    m = get_metric(metric)
    from .trends import TREND_COLUMNS

    flags = (
        _flag(trend_df, "out_of_control")
        | _flag(trend_df, "run_flag")
        | _flag(trend_df, "trend_flag")
    )
    flagged = trend_df.loc[flags]
    n_partial = int(_flag(trend_df, "partial").sum())
    partial_text = (
        " " + t("{n} partial bucket(s) left out of the limits and signals.", lang, n=n_partial)
        if n_partial
        else ""
    )
    if flagged.empty:
        return Note(
            t(
                "No signal: no point outside the control limits, no 8 in a row on one side "
                "of the centre line, no 6 in a row rising or falling.",
                lang,
            )
            + partial_text
        )
    from .charts import format_limits

    seg = [c for c in trend_df.columns if c not in TREND_COLUMNS]
    flagged = flagged.sort_values("period", ascending=False, kind="stable")
    shown = flagged.iloc[:limit]
    rows = []
    for _, r in shown.iterrows():
        # one more decimal when the value and the limit it crossed would round alike
        value_text, limits_text = format_limits(r["value"], r["lcl"], r["ucl"], m.unit, lang)
        row = [format_date(r["period"], lang)]
        row += [segment_label(c, r[c], lang) for c in seg]
        row += [
            value_text,
            format_number(r["n"], lang, decimals=0),
            _fmt_value(r["center"], m.unit, lang),
            limits_text,
            "; ".join(t(x, lang) for x in str(r["rule"]).split("; ")),
        ]
        rows.append(row)
    columns = [t("Period", lang)] + [t(_DIMENSION_TEXT.get(c, c), lang) for c in seg]
    columns += [
        t("Value", lang),
        "n",
        t("Centre line", lang),
        t("Control limits", lang),
        t("Rule", lang),
    ]
    caption = t("Flagged points of {kpi}", lang, kpi=m.label(lang))
    if len(flagged) > limit:
        caption += " " + t("({n} more not shown)", lang, n=len(flagged) - limit)
    caption += partial_text
    return HtmlTable(pd.DataFrame(rows, columns=columns), caption=caption)


def show_trends(result: TrendSet, lang: str | None = "pt-BR") -> Section:
    """Per KPI: a heading, the trend chart with its control limits, the flagged points (with
    the rule that fired and the partial buckets left out)."""
    from .charts import trend_chart

    lang = normalize_lang(lang)
    items: list[Any] = []
    for mid, frame in result.frames.items():
        items.append(Note(get_metric(mid).label(lang), 3))
        items.append(trend_chart(frame, mid, lang=lang, freq=result.freq))
        items.append(out_of_control_table(frame, mid, lang))
    for mid, why in result.unavailable.items():
        items.append(Note(get_metric(mid).label(lang), 3))
        items.append(Note(t("Not available in this data: {why}", lang, why=why)))
    return Section(items)


# -- comparisons ------------------------------------------------------------------------------
@dataclass
class ComparisonSet:
    """The comparisons of several KPIs between periods A and B (see :func:`comparisons`)."""

    comparisons: list
    period_a: Period
    period_b: Period
    as_of: _dt.date
    by: str | None
    data_label: str = ""
    source: Any = field(default=None, repr=False)

    def __iter__(self):
        return iter(self.comparisons)

    def __len__(self) -> int:
        return len(self.comparisons)


def comparisons(
    data: Any = "",
    metrics: Sequence[str] | str = (
        "volume",
        "volume_per_day",
        "service_level",
        "csat",
        "asa",
        "fcr",
    ),
    *,
    period_a: Any = "",
    period_b: Any = "",
    by: str | None = "channel",
    as_of: Any = "",
    period_start: Any = "",
    period_end: Any = "",
    options: Mapping | None = None,
) -> ComparisonSet:
    """Compare KPIs between A and B (one engine query), with the notebook's parameters resolved.

    See :func:`resolve_comparison_periods` for the defaults of A and B and
    :func:`kpi_helpers.compare.compare` for what each comparison holds.
    """
    from .compare import compare_many

    metric_ids = _metric_list(metrics)
    source = resolve_data(data)
    ref = resolve_as_of(source, as_of)
    a, b = resolve_comparison_periods(
        period_a, period_b, as_of=ref, period_start=period_start, period_end=period_end
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricUnavailable)
        result = compare_many(source, metric_ids, a, b, by=_by(by), options=options)
    return ComparisonSet(list(result), a, b, ref, _by(by), _data_label(data), source)


def _comparison_list(result) -> list:
    return list(result.comparisons if isinstance(result, ComparisonSet) else result)


def comparison_table_view(
    result: ComparisonSet | Sequence, lang: str | None = "pt-BR"
) -> HtmlTable:
    """The comparison table (:func:`kpi_helpers.compare.comparison_table`), HTML-escaped."""
    from .charts import format_p_value
    from .compare import comparison_table

    lang = normalize_lang(lang)
    items = _comparison_list(result)
    frame = comparison_table(items, lang)
    column = t("p-value", lang)
    if column in frame.columns and len(frame) == len(items):
        # the one p-value convention of every report (kpi_helpers.charts.format_p_value)
        frame[column] = [format_p_value(getattr(c, "p_value", None), lang) for c in items]
    return HtmlTable(frame)


def show_narratives(result: ComparisonSet | Sequence, lang: str | None = "pt-BR") -> Section:
    """Per KPI, the plain-language narrative of the change (one escaped paragraph each)."""
    lang = normalize_lang(lang)
    return Section([Note(c.narrative(lang)) for c in _comparison_list(result)])


def show_comparison_chart(result: ComparisonSet | Sequence, lang: str | None = "pt-BR"):
    """A vs B per KPI with the interval of the change (:func:`kpi_helpers.charts.comparison_chart`)."""
    from .charts import comparison_chart

    return comparison_chart(_comparison_list(result), normalize_lang(lang))


def drivers_table(comparison, lang: str | None = "pt-BR", *, top: int = 10) -> HtmlTable | Note:
    """The drivers of one comparison: each segment's values in A and B and its contribution."""
    lang = normalize_lang(lang)
    drivers = getattr(comparison, "drivers", None)
    by = getattr(comparison, "by", None)
    if drivers is None or by is None or drivers.empty:
        return Note(t("No breakdown by segment (compare with by= a dimension).", lang))
    unit = "per_day" if comparison.unit == "per_day" else comparison.unit
    from .charts import format_change

    rows = []
    for _, r in drivers.iloc[:top].iterrows():
        rows.append(
            [
                segment_label(by, r[by], lang),
                _fmt_value(r["value_a"], unit, lang),
                _fmt_value(r["value_b"], unit, lang),
                format_change(r["contribution"], unit, lang),
                format_change(r.get("mix_effect"), unit, lang),
                format_change(r.get("rate_effect"), unit, lang),
            ]
        )
    columns = [
        t(_DIMENSION_TEXT.get(by, by), lang),
        "A",
        "B",
        t("Contribution", lang),
        t("Mix effect", lang),
        t("Rate effect", lang),
    ]
    caption = t("What drove the change: {kpi}", lang, kpi=comparison.label(lang))
    if len(drivers) > top:
        caption += " " + t("({n} more not shown)", lang, n=len(drivers) - top)
    return HtmlTable(pd.DataFrame(rows, columns=columns), caption=caption)


def show_drivers(result: ComparisonSet | Sequence, lang: str | None = "pt-BR") -> Section:
    """Per KPI: a heading, the drivers table and the waterfall (when the KPI can be split)."""
    from .charts import drivers_chart

    lang = normalize_lang(lang)
    items: list[Any] = []
    for c in _comparison_list(result):
        items.append(Note(c.label(lang), 3))
        drivers = getattr(c, "drivers", None)
        usable = (
            drivers is not None
            and getattr(c, "by", None) is not None
            and not drivers.empty
            and drivers["contribution"].notna().any()
            and not pd.isna(c.value_a)
            and not pd.isna(c.value_b)
        )
        if not usable:
            items.append(
                Note(t("No breakdown by segment for this KPI (no data, or not additive).", lang))
            )
            continue
        items.append(drivers_table(c, lang))
        items.append(drivers_chart(c, lang))
    return Section(items)


def show_comparison(result: ComparisonSet, lang: str | None = "pt-BR") -> Section:
    """Everything at once: header, table, narratives, chart and drivers."""
    return Section(
        [
            show_header(result, lang),
            comparison_table_view(result, lang),
            show_narratives(result, lang),
            show_comparison_chart(result, lang),
            show_drivers(result, lang),
        ]
    )
