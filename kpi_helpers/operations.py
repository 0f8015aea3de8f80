"""The periodic operations table: loading, validation and the operations KPIs.

The operations table holds the monthly facts no ticket export has (cost, technology cost and
benefit, customers, headcount, training, scheduled and downtime minutes, new technologies),
one row per month, optionally per ``team`` and/or ``channel`` (see DESIGN.md and
:data:`kpi_helpers.schema.OPERATIONS_COLUMNS`).

:func:`load_operations` turns any export into that table (column mapping, tolerant header
matching, decimal commas, ``2026-05`` / ``05/2026`` / ``2026-05-01`` months) and quarantines
bad rows with a reason instead of dropping them silently.

:func:`compute_operations` computes the operations KPIs of KPIS.md; :func:`kpi_helpers.compute`
calls it when given ``operations=``. Over a bucket longer than a month the additive columns
(cost, leavers, hours, trainings, minutes, new technologies, new customers) are summed and the
stocks are taken at the bucket's edges: ``headcount_start`` / ``customers_start`` from the first
month of the bucket, ``headcount_end`` / ``customers_end`` from its last month (per team or
channel row group, then summed over the groups). A bucket where a needed column is blank in
any month gives NaN, never a partial sum.

Components per KPI ``m`` (``value = num / den``; NaN when ``den`` is 0 or missing):

=========================  ==========================================  ====================
KPI                        num                                         den
=========================  ==========================================  ====================
cost_per_interaction       cost_total                                  volume (interactions)
cost_per_resolution        cost_total                                  count(resolved)
roi_technology             tech_benefit - tech_cost                    tech_cost
customer_retention         customers_end(last) - customers_new         customers_start(first)
availability               scheduled_minutes - downtime_minutes        scheduled_minutes
talent_retention           avg_headcount - leavers                     avg_headcount
training_hours_per_agent   training_hours                              avg_headcount
training_completion        trainings_completed                         trainings_assigned
innovations                new_technologies                            1
=========================  ==========================================  ====================

``avg_headcount = (headcount_start(first) + headcount_end(last)) / 2``. ``m__n`` is the
denominator's count of contacts for the two cost KPIs; the denominator itself for
training_completion (trainings assigned), customer_retention (customers at the start),
talent_retention and training_hours_per_agent (average headcount); the number of operations rows
(months x segments) behind the value for the others.

Operations are monthly: a month belongs to a period when its first day lies in the period
``[start, end)``; grouping by ``day`` or ``week`` is not possible (the KPIs are reported
unavailable).

Examples
--------
>>> import pandas as pd
>>> ops = pd.DataFrame({"month": ["2026-01", "2026-02"], "trainings_completed": [8, 9],
...                     "trainings_assigned": [10, 10]})
>>> compute_operations(ops, ["training_completion"], by="month")["training_completion"].tolist()
[0.8, 0.9]
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import DEFAULT_TIMEZONE
from .engine import normalize_by, period_bounds
from .errors import DataError, MetricUnavailable, OptionError
from .i18n import format_number, t
from .mapping import normalize_name
from .metrics import get_metric
from .schema import OPERATIONS_COLUMNS, TIME_GRAINS
from .validation import (
    YEAR_MAX,
    YEAR_MIN,
    blank_mask,
    fold,
    parse_number,
    parse_string,
    parse_timestamp,
)

__all__ = [
    "OperationsResult",
    "load_operations",
    "compute_operations",
    "OPERATIONS_KPIS",
    "ADDITIVE_COLUMNS",
    "STOCK_COLUMNS",
]

#: Columns each operations KPI needs (besides the interactions for the two cost KPIs).
#: Operations KPIs whose n is their denominator (a count of trainings, customers, people).
_N_IS_DENOMINATOR = (
    "training_completion",
    "customer_retention",
    "talent_retention",
    "training_hours_per_agent",
)
#: Operations KPIs whose n is only the number of operations rows (no count behind them).
N_IS_ROWS = ("roi_technology", "availability", "innovations")

OPERATIONS_KPIS: dict[str, tuple[str, ...]] = {
    "cost_per_interaction": ("cost_total",),
    "cost_per_resolution": ("cost_total",),
    "roi_technology": ("tech_benefit", "tech_cost"),
    "customer_retention": ("customers_start", "customers_end", "customers_new"),
    "availability": ("scheduled_minutes", "downtime_minutes"),
    "talent_retention": ("leavers", "headcount_start", "headcount_end"),
    "training_hours_per_agent": ("training_hours", "headcount_start", "headcount_end"),
    "training_completion": ("trainings_completed", "trainings_assigned"),
    "innovations": ("new_technologies",),
}
#: Flows: summed over the months of a bucket.
ADDITIVE_COLUMNS = (
    "cost_total",
    "tech_cost",
    "tech_benefit",
    "customers_new",
    "leavers",
    "training_hours",
    "trainings_completed",
    "trainings_assigned",
    "scheduled_minutes",
    "downtime_minutes",
    "new_technologies",
)
#: Stocks: taken at the first (``*_start``) or last (``*_end``) month of a bucket.
STOCK_COLUMNS = ("customers_start", "customers_end", "headcount_start", "headcount_end")
_START_STOCKS = ("customers_start", "headcount_start")
_NUMERIC = ADDITIVE_COLUMNS + STOCK_COLUMNS
_DIMS = ("team", "channel")
_GRAIN_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}

#: Header aliases (folded with :func:`kpi_helpers.mapping.normalize_name`) -> canonical column.
_ALIASES = {
    "mes": "month",
    "periodo": "month",
    "competencia": "month",
    "date": "month",
    "data": "month",
    "equipe": "team",
    "time": "team",
    "canal": "channel",
    "custo_total": "cost_total",
    "cost": "cost_total",
    "custo": "cost_total",
    "custo_tecnologia": "tech_cost",
    "beneficio_tecnologia": "tech_benefit",
    "clientes_inicio": "customers_start",
    "clientes_fim": "customers_end",
    "clientes_novos": "customers_new",
    "headcount_inicio": "headcount_start",
    "headcount_fim": "headcount_end",
    "desligamentos": "leavers",
    "horas_treinamento": "training_hours",
    "treinamentos_concluidos": "trainings_completed",
    "treinamentos_atribuidos": "trainings_assigned",
    "minutos_programados": "scheduled_minutes",
    "minutos_indisponiveis": "downtime_minutes",
    "novas_tecnologias": "new_technologies",
}
_MONTH_RE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})\s*$")
_MONTH_DMY_RE = re.compile(r"^\s*(\d{1,2})[-/.](\d{4})\s*$")
_MONTH_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})\s*$")  # 202601
_MONTH_NAME_YEAR_RE = re.compile(r"^([a-z]+)\.?(?:\s*[-/.]\s*|\s+de\s+|\s+)(\d{4}|\d{2})$")
_MONTH_YEAR_NAME_RE = re.compile(r"^(\d{4})(?:\s*[-/.]\s*|\s+)([a-z]+)\.?$")
#: Month names and abbreviations (accents removed), Portuguese and English.
_MONTH_NAMES = {
    **{
        name: i
        for i, names in enumerate(
            [
                ("janeiro", "jan", "january"),
                ("fevereiro", "fev", "feb", "february"),
                ("marco", "mar", "march"),
                ("abril", "abr", "apr", "april"),
                ("maio", "mai", "may"),
                ("junho", "jun", "june"),
                ("julho", "jul", "july"),
                ("agosto", "ago", "aug", "august"),
                ("setembro", "set", "sep", "sept", "september"),
                ("outubro", "out", "oct", "october"),
                ("novembro", "nov", "november"),
                ("dezembro", "dez", "dec", "december"),
            ],
            start=1,
        )
        for name in names
    }
}
_TOTAL_MONTHS = frozenset(
    {"total", "totais", "totals", "grand total", "total geral", "soma", "sum"}
)

#: Reasons of rejected operations rows, by check code (English; see the labels below).
_OPS_REASONS = {
    "invalid_month": "{column}: {value!r} is not a month (expected e.g. 2026-02, 02/2026, "
    "fev/2026, fevereiro de 2026, 202602 or a date)",
    "missing_month": "{column}: the month is blank",
    "year_out_of_range": "{column}: {value!r}: year {year} is out of range",
    "total_row": "{column}: {value!r} looks like a total row, not a month",
    "invalid_number": "{column}: {value!r} is not a number",
    "negative": "{column}: {value} is negative",
    "downtime_above_scheduled": "downtime_minutes: {value} is above the scheduled minutes {other}",
    "completed_above_assigned": "trainings_completed: {value} is more than the trainings "
    "assigned {other}",
    "duplicate_row": "duplicate row ({key}): already in row {first}",
    "short_row": "row {row} has {found} of {expected} fields (the line is cut off: an "
    "incomplete download?)",
}
#: Short labels of the operations check codes, for summaries (msgids of io.po).
OPS_LABELS = {
    "invalid_month": "not a month",
    "missing_month": "month missing",
    "year_out_of_range": "year out of range",
    "total_row": "total row",
    "invalid_number": "not a number",
    "negative": "negative value",
    "downtime_above_scheduled": "downtime above the scheduled minutes",
    "completed_above_assigned": "more trainings completed than assigned",
    "duplicate_row": "duplicate month/segment",
    "short_row": "fewer fields than the header (line cut off)",
}


@dataclass
class OperationsResult:
    """What :func:`load_operations` returns.

    Attributes
    ----------
    data : pandas.DataFrame
        The canonical operations table: ``month`` (first day of the month, datetime64[ns]),
        ``team`` / ``channel`` when present, the numeric columns as float64; sorted.
    rejected : pandas.DataFrame
        One line per quarantined source row: ``row`` (as for interactions: the spreadsheet
        row number, header = 1 and first data row = 2; the 0-based position for a
        DataFrame), ``sheet`` (when several Excel sheets were read), ``reason`` (all the
        row's reasons, joined with ``"; "``), ``check`` (their codes), ``column`` and
        ``value`` of its first problem, then the row's original columns.
    source : str
        The file name or ``"DataFrame"``.
    mapping : dict
        Canonical column -> source column actually used.
    warnings : list of str
        Assumptions made while loading (encoding, decimal marks, title rows...), in English.
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    source: str = "DataFrame"
    mapping: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _warning_items: list[tuple[str, dict]] = field(default_factory=list, repr=False)

    def summary(self, lang: str = "pt-BR") -> str:
        """Rows kept and rejected (by reason) and the warnings, in ``lang`` (``"pt-BR"`` or
        ``"en"``).

        >>> res = load_operations(pd.DataFrame({"month": ["2026-01", "x"], "cost_total": [1, 2]}))
        >>> print(res.summary("en"))
        DataFrame: 1 of 2 operations rows loaded, 1 rejected.
        Rejected rows by reason:
          - not a month: 1
        """
        from .io import _count_lines, _warning_lines

        kept, bad = len(self.data), len(self.rejected)

        def n(x):
            return format_number(x, lang, decimals=0)

        lines = [
            t(
                "{source}: {loaded} of {read} operations rows loaded, {rejected} rejected.",
                lang,
                source=self.source,
                loaded=n(kept),
                read=n(kept + bad),
                rejected=n(bad),
            )
        ]
        if bad:
            codes = self.rejected["check"].str.split(", ").explode().value_counts(sort=False)
            lines += _count_lines(t("Rejected rows by reason:", lang), codes, OPS_LABELS, lang)
        lines += _warning_lines(self._warning_items, lang)
        return "\n".join(lines)


# ----------------------------------------------------------------------------- loading


def _want(mapping: Mapping[str, str] | None) -> Any:
    """The header an operations table is recognised by (for title rows above it)."""
    from .io import _Want

    names: dict[str, list[str]] = {c: [c] for c in OPERATIONS_COLUMNS}
    for alias, target in _ALIASES.items():
        names[target].append(alias)
    for target, src in dict(mapping or {}).items():
        if target in names and isinstance(src, str):
            names[target].insert(0, normalize_name(src))
    groups = tuple((target == "month", tuple((n,) for n in alts)) for target, alts in names.items())
    return _Want(groups)


def _read(
    source,
    *,
    mapping: Mapping[str, str] | None,
    sheet: Any,
    encoding: str | None,
    header_row: int | None,
    warns: list,
) -> tuple[pd.DataFrame, str, np.ndarray, np.ndarray | None, str | None, np.ndarray | None]:
    """The source as a frame: (frame, name, row numbers, sheet per row or None, delimiter,
    per row None or (fields found, fields expected, the record) for a CSV row whose number
    of fields does not match the header, or None)."""
    if isinstance(source, OperationsResult):
        frame = source.data
        return frame, source.source, np.arange(len(frame)), None, None, None
    inner = getattr(source, "data", None)
    if isinstance(inner, pd.DataFrame) and not isinstance(source, pd.DataFrame):
        name = str(getattr(source, "source", "operations"))
        return inner, name, np.arange(len(inner)), None, None, None
    if isinstance(source, pd.DataFrame):
        return source, "DataFrame", np.arange(len(source)), None, None, None
    if isinstance(source, str | os.PathLike):
        from .io import _check_header_row, _read_source

        path = Path(source)
        if not path.is_file():
            raise DataError(
                f"`operations`: file {str(path)!r} not found (the path is taken as given)."
            )
        raw = _read_source(
            path,
            sheet,
            encoding,
            DEFAULT_TIMEZONE,
            warns,
            header_row=_check_header_row(header_row),
            want=_want(mapping),
        )
        return raw.frame, raw.name, raw.rows, raw.sheets, raw.delimiter, raw.field_problems
    raise DataError(
        "`operations` must be a pandas DataFrame, an OperationsResult or a path to a CSV, Excel "
        f"or Parquet file, got {type(source).__name__}."
    )


def _resolve_columns(
    frame: pd.DataFrame, mapping: Mapping[str, str] | None, origin: str
) -> dict[str, str]:
    """Canonical column -> source column."""
    valid = list(OPERATIONS_COLUMNS)
    used: dict[str, str] = {}
    if mapping is not None:
        if not isinstance(mapping, Mapping):
            raise OptionError(
                f"`mapping` must map canonical operations columns to source columns, e.g. "
                f"{{'month': 'Mês', 'cost_total': 'Custo'}}, got {type(mapping).__name__}."
            )
        for target, src in mapping.items():
            if target not in OPERATIONS_COLUMNS:
                raise OptionError(
                    f"`mapping` key {target!r} is not an operations column; valid keys: "
                    f"{', '.join(valid)}."
                )
            if not isinstance(src, str) or src not in frame.columns:
                raise DataError(
                    f"{origin}: `mapping` maps {target!r} to the column {src!r}, which is not in "
                    f"the file (columns: {', '.join(map(str, frame.columns))})."
                )
            used[target] = src
    taken = set(used.values())
    for col in frame.columns:
        if col in taken:
            continue
        key = normalize_name(col)
        target = key if key in OPERATIONS_COLUMNS else _ALIASES.get(key)
        if target is None or target in used:
            continue
        used[target] = col
    return used


def _parse_month(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Month values -> first day of the month (datetime64[ns]).

    Returns ``(values, bad, years)``: ``years`` holds the year of a bad value that is a real
    date outside the years pandas can hold (NaN elsewhere). Accepts ``2026-02``, ``02/2026``,
    ``202602``, ``fev/2026``, ``fevereiro de 2026``, ``Feb 2026``, ``2026 fev``, dates,
    ``datetime`` cells and Excel serial numbers.
    """
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    years = pd.Series(np.nan, index=series.index)
    blank = blank_mask(series)
    texts = series.where(~blank).map(
        lambda v: fold(v) if isinstance(v, str) else v, na_action="ignore"
    )
    is_text = texts.map(lambda v: isinstance(v, str)).astype(bool)
    found = pd.DataFrame({"year": np.nan, "month": np.nan}, index=series.index, dtype="float64")
    if is_text.any():
        text = texts[is_text].astype(str)
        for regex, y, m in (
            (_MONTH_RE, 0, 1),
            (_MONTH_DMY_RE, 1, 0),
            (_MONTH_COMPACT_RE, 0, 1),
            (_MONTH_NAME_YEAR_RE, 1, 0),
            (_MONTH_YEAR_NAME_RE, 0, 1),
        ):
            todo = text[found.loc[text.index, "year"].isna()]
            if todo.empty:
                break
            parts = todo.str.extract(regex)
            hit = parts[0].notna()
            if not hit.any():
                continue
            parts = parts[hit]
            month = parts[m]
            if regex in (_MONTH_NAME_YEAR_RE, _MONTH_YEAR_NAME_RE):
                month = month.map(_MONTH_NAMES)
            month = pd.to_numeric(month, errors="coerce")
            year = pd.to_numeric(parts[y], errors="coerce")
            year = year.where(year >= 100, 2000 + year)
            valid = month.between(1, 12) & year.between(YEAR_MIN, YEAR_MAX)
            if regex is _MONTH_COMPACT_RE:  # else maybe an Excel serial number
                keep = month.between(1, 12) & year.between(1900, 2200)
                parts, month, year, valid = parts[keep], month[keep], year[keep], valid[keep]
            far = month.between(1, 12) & year.notna() & ~valid
            years.loc[far[far].index] = year[far]
            found.loc[valid.index, "year"] = year.where(valid, -1.0)
            found.loc[valid.index, "month"] = month.where(valid, -1.0)
    ok = found["year"] > 0
    if ok.any():
        stamps = pd.to_datetime(
            pd.DataFrame(
                {"year": found.loc[ok, "year"], "month": found.loc[ok, "month"], "day": 1}
            ).astype(int)
        )
        out.loc[stamps.index] = stamps.astype("datetime64[ns]")
    rest = ~blank & found["year"].isna()
    bad = pd.Series(False, index=series.index) | (found["year"] < 0)
    if rest.any():
        values, bad_rest, info = parse_timestamp(series[rest])
        out.loc[rest] = values.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
        bad.loc[rest] = bad_rest
        years.loc[rest] = info["out_of_range"]
    return out.where(~blank), bad & ~blank, years.where(bad)


def load_operations(
    source,
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: Any = None,
    header_row: int | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
) -> OperationsResult:
    """Load and validate a monthly operations table.

    Parameters
    ----------
    source : DataFrame, OperationsResult or path
        A CSV/TSV (read as text: decimal commas, thousands separators and currency symbols
        such as ``R$ 1.234,56`` are understood; UTF-8, else Windows-1252 with a warning),
        Excel or Parquet file, or a DataFrame. Files are read by the same code as
        :func:`kpi_helpers.load_interactions` (sheets, title rows, wrong extensions).
    mapping : dict, optional
        Canonical column -> source column, for headers that are not recognised by
        themselves. Headers equal to a canonical name after folding (``"Cost Total"`` ->
        ``cost_total``) and common Portuguese headers (``Mês``, ``Equipe``, ``Custo total``,
        ``Desligamentos``...) are matched automatically.
    sheet, header_row, encoding : optional
        As for :func:`kpi_helpers.load_interactions`.
    decimal : {",", "."}, optional
        The decimal mark of text numbers (default: per column, from its values; a column
        whose values read both ways, such as ``43,200``, follows the rest of the file).

    Returns
    -------
    OperationsResult
        ``.data`` the canonical table; ``.rejected`` the quarantined rows with the reason
        (a month that is missing or not a month, a total row, a number that is not a number
        or is negative, downtime above the scheduled minutes, more trainings completed than
        assigned, a duplicate month/segment: the first is kept; a CSV row with fewer fields
        than the header, a line cut off by an incomplete download, as ``short_row`` and
        for that reason only); ``.warnings``;
        ``.summary(lang)``.

    Raises
    ------
    DataError
        When the file cannot be read, has no month column, or a mapped column is absent.

    Examples
    --------
    >>> res = load_operations(pd.DataFrame({"Mês": ["2026-01", "fev/2026", "fev"],
    ...                                     "Custo total": ["R$ 1.000,50", "2", "3"]}))
    >>> res.data["cost_total"].tolist(), res.rejected["check"].tolist()
    ([1000.5, 2.0], ['invalid_month'])
    """
    from .io import number_formats

    if decimal is not None and decimal not in (",", "."):
        raise OptionError(f"`decimal` must be None, ',' or '.', got {decimal!r}.")
    warns: list[tuple[str, dict]] = []
    frame, origin, rows, sheets, delimiter, field_problems = _read(
        source, mapping=mapping, sheet=sheet, encoding=encoding, header_row=header_row, warns=warns
    )
    used = _resolve_columns(frame, mapping, origin)
    if "month" not in used:
        raise DataError(
            f"{origin}: the operations table needs a month column (one row per month); found "
            f"columns: {', '.join(map(str, frame.columns)) or 'none'}. Name it 'month' or pass "
            "mapping={'month': 'Your column'}"
            + (
                "; if the column names are not on the first row, pass header_row=<row number>."
                if isinstance(source, str | os.PathLike) and header_row is None
                else "."
            )
        )
    numeric = [c for c in _NUMERIC if c in used]
    if not numeric:
        raise DataError(
            f"{origin}: no operations figures found (columns: {', '.join(map(str, frame.columns))}). "
            f"Expected some of: {', '.join(_NUMERIC)}."
        )
    src = frame.reset_index(drop=True)
    out = pd.DataFrame(index=src.index)
    problems: list[dict] = []

    def flag(mask: pd.Series, column: str, check: str, **extra: Any) -> None:
        col = used[column]
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)):
            fields = {k: (v.iloc[i] if isinstance(v, pd.Series) else v) for k, v in extra.items()}
            problems.append(
                {"pos": int(i), "column": col, "value": src[col].iloc[i], "check": check, **fields}
            )

    month_src = src[used["month"]]
    month, bad_month, years = _parse_month(month_src)
    folded = month_src.map(lambda v: fold(v).rstrip(":").strip() if isinstance(v, str) else "")
    total = folded.isin(_TOTAL_MONTHS).to_numpy()
    flag(total, "month", "total_row")
    flag(month.isna() & blank_mask(month_src) & ~total, "month", "missing_month")
    far = bad_month & years.notna() & ~total
    flag(far, "month", "year_out_of_range", year=years)
    flag(bad_month & ~far & ~total, "month", "invalid_month")
    out["month"] = month
    for dim in _DIMS:
        if dim in used:
            out[dim] = parse_string(src[used[dim]]).fillna("unknown").astype(str)
    formats = number_formats(
        {c: (decimal, used[c], src[used[c]]) for c in numeric},
        src,
        set(used.values()),
        delimiter,
        warns,
    )
    for col in numeric:
        values, bad = parse_number(src[used[col]], decimal=formats.get(col))
        flag(bad & ~total, col, "invalid_number")
        flag((values < 0) & ~total, col, "negative", shown=values)
        out[col] = values.astype("float64")
    if {"downtime_minutes", "scheduled_minutes"} <= set(out.columns):
        over = (out["downtime_minutes"] > out["scheduled_minutes"]) & ~total
        flag(
            over,
            "downtime_minutes",
            "downtime_above_scheduled",
            other=out["scheduled_minutes"],
            shown=out["downtime_minutes"],
        )
    if {"trainings_completed", "trainings_assigned"} <= set(out.columns):
        over = (out["trainings_completed"] > out["trainings_assigned"]) & ~total
        flag(
            over,
            "trainings_completed",
            "completed_above_assigned",
            other=out["trainings_assigned"],
            shown=out["trainings_completed"],
        )
    # a CSV row with fewer fields than the header (a download cut off mid-line): that and
    # nothing else (its values are not where the header says), as for interactions
    broken = {
        int(p): v
        for p, v in enumerate(field_problems if field_problems is not None else ())
        if v is not None
    }
    if broken:
        problems = [p for p in problems if p["pos"] not in broken]
        problems += [
            {
                "pos": pos,
                "column": "(whole row)",
                "value": record,
                "check": "short_row",
                "found": found,
                "expected": expected,
            }
            for pos, (found, expected, record) in broken.items()
        ]
    bad_rows = np.zeros(len(out), dtype=bool)
    bad_rows[[p["pos"] for p in problems]] = True
    keys = ["month", *[d for d in _DIMS if d in out.columns]]
    ok = out[~bad_rows]
    dup = ok.duplicated(subset=keys, keep="first")
    if dup.any():
        firsts = ok[~dup].reset_index().set_index(keys)["index"]
        for i in ok.index[dup.to_numpy()]:
            key = tuple(out.loc[i, keys]) if len(keys) > 1 else out.at[i, "month"]
            label = ", ".join(f"{k}={_fmt(out.at[i, k])}" for k in keys)
            first = int(firsts.loc[key]) if len(keys) > 1 else int(firsts.loc[key])
            problems.append(
                {
                    "pos": int(i),
                    "column": used["month"],
                    "value": month_src.iloc[i],
                    "check": "duplicate_row",
                    "key": label,
                    "first": _row_of(rows, sheets, first),
                }
            )
        bad_rows[ok.index[dup.to_numpy()]] = True
    data = out[~bad_rows]
    data = data.sort_values(keys, kind="stable").reset_index(drop=True)
    rejected = _rejected(problems, src, rows, sheets)
    return OperationsResult(
        data=data,
        rejected=rejected,
        source=origin,
        mapping=dict(used),
        warnings=[t(msg, "en", **f) for msg, f in warns],
        _warning_items=warns,
    )


def _fmt(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row_of(rows: np.ndarray, sheets: np.ndarray | None, pos: int) -> str:
    row = str(int(rows[pos]))
    return row if sheets is None else f"{row} (sheet {str(sheets[pos])!r})"


def _rejected(
    problems: list[dict], src: pd.DataFrame, rows: np.ndarray, sheets: np.ndarray | None
) -> pd.DataFrame:
    """One line per rejected row, its reasons joined, then the original columns."""
    lead = ["row", *(["sheet"] if sheets is not None else []), "reason", "check", "column"]
    lead.append("value")
    records = []
    for p in sorted(problems, key=lambda p: p["pos"]):
        fields = {
            "column": p["column"],
            "value": p["value"],
            "year": int(p["year"]) if pd.notna(p.get("year", np.nan)) else "?",
            "other": _fmt(p.get("other", "")),
            "key": p.get("key", ""),
            "first": p.get("first", ""),
            "row": _row_of(rows, sheets, p["pos"]),
            "found": p.get("found", ""),
            "expected": p.get("expected", ""),
        }
        if "shown" in p:
            fields["value"] = _fmt(p["shown"])
        records.append(
            {
                "pos": p["pos"],
                "row": int(rows[p["pos"]]),
                "sheet": None if sheets is None else str(sheets[p["pos"]]),
                "reason": _OPS_REASONS[p["check"]].format(**fields),
                "check": p["check"],
                "column": p["column"],
                "value": p["value"],
            }
        )
    if not records:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in lead})
        out["row"] = out["row"].astype("int64")
        positions: np.ndarray = np.array([], dtype=int)
    else:
        frame = pd.DataFrame(records)
        g = frame.groupby("pos", sort=True)
        out = g[["row", "sheet", "column", "value"]].first()
        out["reason"] = g["reason"].agg("; ".join)
        out["check"] = g["check"].agg(lambda c: ", ".join(dict.fromkeys(c)))
        positions = out.index.to_numpy()
        out = out[lead].reset_index(drop=True)
    reserved = set(lead) | {"sheet"}
    original = src.iloc[positions].reset_index(drop=True)
    original = original.rename(columns={c: f"{c} (source)" for c in original if c in reserved})
    return pd.concat([out, original], axis=1)


def _canonical(operations) -> pd.DataFrame:
    if isinstance(operations, OperationsResult):
        return operations.data
    res = load_operations(operations)
    if len(res.rejected):
        warnings.warn(
            f"operations: {len(res.rejected)} rows rejected and left out ({res.summary('en')}); "
            "see kpi_helpers.load_operations(...).rejected.",
            stacklevel=3,
        )
    return res.data


# ----------------------------------------------------------------------------- computing


def _bucket(month: pd.Series, grain: str) -> pd.Series:
    return month.dt.to_period(_GRAIN_FREQ[grain]).dt.start_time.astype("datetime64[ns]")


def _aggregate(rows: pd.DataFrame, keys: list[str], present: set[str]) -> pd.DataFrame:
    """Per output group: sums of flows; stocks at the first/last month of each segment.

    A segment is a combination of the operations dimensions (team, channel) inside a group;
    its start stock is its value in its first month of the group, its end stock the value in
    its last month; the group's stock is the sum over its segments. Any blank value that is
    needed gives NaN (never a partial sum).
    """
    seg = [d for d in _DIMS if d in rows.columns and d not in keys]
    cols = [c for c in _NUMERIC if c in present]
    work = rows.assign(_all=0, _rows=1.0)
    gs = keys + seg or ["_all"]
    g = work.groupby(gs, dropna=False, sort=False)["month"]
    first, last = work["month"] == g.transform("min"), work["month"] == g.transform("max")
    contrib = {}
    for c in cols:
        values = work[c].astype("float64")
        if c in _START_STOCKS:
            values = values.where(first, 0.0)
        elif c in STOCK_COLUMNS:
            values = values.where(last, 0.0)
        contrib[c] = values
    frame = pd.DataFrame(contrib, index=work.index)
    frame["_rows"] = work["_rows"]
    group = keys or ["_all"]
    for k in group:
        frame[k] = work[k]
    summed = frame.groupby(group, dropna=False, sort=True).sum(min_count=1)
    blanks = frame[cols].isna().groupby([frame[k] for k in group], dropna=False, sort=True).any()
    summed[cols] = summed[cols].mask(blanks[cols])
    summed = summed.reset_index()
    return summed.drop(columns=["_all"]) if not keys else summed


def _interaction_counts(
    data, keys_by, period, periods, options, need: list[str]
) -> tuple[pd.DataFrame | None, dict]:
    """volume / count(resolved) from the interactions on the same keys and period."""
    from .engine import compute_components

    why: dict[str, str] = {}
    if data is None:
        return None, {m: "needs the interactions (data=...) for its denominator" for m in need}
    metrics = ["volume"] + (["resolution_rate"] if "cost_per_resolution" in need else [])
    glob = {k: v for k, v in dict(options or {}).items() if k in ("as_of", "hours", "calendar")}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MetricUnavailable)
            comps = compute_components(
                data, metrics, keys_by, options=glob or None, period=period, periods=periods
            )
    except (DataError, MetricUnavailable, OptionError) as exc:
        return None, {m: f"the interactions give no denominator ({exc})" for m in need}
    unav = comps.attrs.get("unavailable", {})
    if "cost_per_resolution" in need and "resolution_rate" in unav:
        why["cost_per_resolution"] = unav["resolution_rate"]
    return comps, why


def compute_operations(
    operations,
    metric_ids: Sequence[str] | str,
    *,
    by=None,
    period=None,
    periods: Mapping[str, Any] | None = None,
    data=None,
    options: Mapping | None = None,
) -> pd.DataFrame:
    """Compute operations KPIs per group, with their components.

    Parameters
    ----------
    operations : DataFrame, OperationsResult or path
        The monthly operations table (raw tables go through :func:`load_operations`; rejected
        rows are left out with a warning).
    metric_ids : str or list of str
        Operations KPI ids (see :data:`OPERATIONS_KPIS`).
    by : None, str or list of str
        ``"month"``, ``"quarter"`` or ``"year"`` and/or ``"team"`` / ``"channel"`` (columns of
        the operations table).
    period : Period or (start, end), optional
        Keep the months whose first day lies in ``[start, end)``.
    periods : dict label -> Period or (start, end), optional
        Adds a key column ``period`` holding the label.
    data : optional
        The interactions (anything :func:`kpi_helpers.compute` accepts), for the volume and
        resolved counts of ``cost_per_interaction`` and ``cost_per_resolution``.
    options : dict, optional
        Global options (``as_of``...) passed on to the interactions query.

    Returns
    -------
    pandas.DataFrame
        Key columns (``period``, the grain as the bucket start, dimensions), then per KPI
        ``m``, ``m__num``, ``m__den``, ``m__n``. ``attrs["unavailable"]`` maps the KPIs that
        cannot be computed to the reason (their columns are NaN).

    Examples
    --------
    >>> ops = pd.DataFrame({"month": ["2026-01-01"], "scheduled_minutes": [1000],
    ...                     "downtime_minutes": [10]})
    >>> float(compute_operations(ops, "availability")["availability"].iloc[0])
    0.99
    """
    ids = [metric_ids] if isinstance(metric_ids, str) else list(dict.fromkeys(metric_ids))
    for mid in ids:
        m = get_metric(mid)
        if m.source != "operations" or mid not in OPERATIONS_KPIS:
            raise OptionError(
                f"`metric_ids` must be operations KPIs ({', '.join(OPERATIONS_KPIS)}), got {mid!r}."
            )
    for key, value in dict(options or {}).items():
        if key in OPERATIONS_KPIS and value:
            raise OptionError(
                f"unknown option(s) {sorted(value)!r} for {key!r}; valid options: none."
            )
    grain, dims = normalize_by(by)
    ops = _canonical(operations)
    present = set(ops.columns)

    key_cols = (["period"] if periods else []) + ([grain] if grain else []) + dims
    unavailable: dict[str, str] = {}
    if grain in ("day", "week"):
        for mid in ids:
            unavailable[mid] = (
                f"operations are monthly: group by month, quarter or year, not {grain}"
            )
    for d in dims:
        if d not in present:
            for mid in ids:
                unavailable.setdefault(mid, f"the operations table has no column {d}")
    for mid in ids:
        missing = [c for c in OPERATIONS_KPIS[mid] if c not in present]
        if missing:
            unavailable.setdefault(mid, "needs column " + ", ".join(missing))
        elif ops.empty:
            unavailable.setdefault(
                mid, "the operations table has no rows (see load_operations(...).rejected)"
            )

    # rows by period
    if periods:
        pieces = []
        for label, p in periods.items():
            s, e = period_bounds(p)
            pieces.append(ops[(ops["month"] >= s) & (ops["month"] < e)].assign(period=str(label)))
        rows = pd.concat(pieces, ignore_index=True) if pieces else ops.iloc[0:0].assign(period="")
    elif period is not None:
        s, e = period_bounds(period)
        rows = ops[(ops["month"] >= s) & (ops["month"] < e)]
    else:
        rows = ops
    rows = rows.copy()
    if grain in _GRAIN_FREQ:
        rows[grain] = _bucket(rows["month"], grain)

    computable = [m for m in ids if m not in unavailable]
    if computable and len(rows):
        agg = _aggregate(rows, key_cols, present)
    else:
        agg = pd.DataFrame({k: pd.Series(dtype="object") for k in key_cols} | {"_rows": []})
        for k in key_cols:
            if k in TIME_GRAINS:
                agg[k] = agg[k].astype("datetime64[ns]")
    if not key_cols and agg.empty:
        agg = pd.DataFrame({"_rows": [0.0]})  # ungrouped: always one row (NaN when no data)
    out = agg[key_cols].copy()
    nrows = agg["_rows"].astype("float64") if "_rows" in agg else pd.Series(dtype="float64")

    cost_ids = [m for m in computable if m in ("cost_per_interaction", "cost_per_resolution")]
    counts = None
    if cost_ids:
        counts, why = _interaction_counts(
            data, key_cols[1:] if periods else key_cols, period, periods, options, cost_ids
        )
        for mid in cost_ids:
            if counts is None or mid in why:
                unavailable[mid] = why.get(mid, "needs the interactions (data=...)")
        if counts is not None and len(out):
            counts = out[key_cols].merge(counts, on=key_cols, how="left") if key_cols else counts
        elif counts is not None:  # no operations rows: nothing to divide
            counts = None

    def col(name: str) -> pd.Series:
        return agg[name].astype("float64") if name in agg else pd.Series(np.nan, index=agg.index)

    avg_hc = (col("headcount_start") + col("headcount_end")) / 2
    for mid in ids:
        if mid in unavailable:
            num = den = n = pd.Series(np.nan, index=out.index)
        elif mid in ("cost_per_interaction", "cost_per_resolution"):
            src = "volume__num" if mid == "cost_per_interaction" else "resolution_rate__num"
            num = col("cost_total")
            if counts is not None and len(counts):
                den = pd.Series(counts[src].astype("float64").to_numpy(), index=out.index)
            else:
                den = pd.Series(np.nan, index=out.index)
            n = den
        else:
            num, den = {
                "roi_technology": lambda: (
                    col("tech_benefit") - col("tech_cost"),
                    col("tech_cost"),
                ),
                "customer_retention": lambda: (
                    col("customers_end") - col("customers_new"),
                    col("customers_start"),
                ),
                "availability": lambda: (
                    col("scheduled_minutes") - col("downtime_minutes"),
                    col("scheduled_minutes"),
                ),
                "talent_retention": lambda: (avg_hc - col("leavers"), avg_hc),
                "training_hours_per_agent": lambda: (col("training_hours"), avg_hc),
                "training_completion": lambda: (
                    col("trainings_completed"),
                    col("trainings_assigned"),
                ),
                "innovations": lambda: (col("new_technologies"), pd.Series(1.0, index=agg.index)),
            }[mid]()
            # n: the people or items behind the value (trainings assigned, customers at the
            # start, the average headcount); the number of operations rows for money,
            # minutes and technologies, where there is no such count
            n = den if mid in _N_IS_DENOMINATOR else nrows
        with np.errstate(divide="ignore", invalid="ignore"):
            value = num / den.where(den != 0)
        out[mid] = value.astype("float64")
        out[f"{mid}__num"] = num.astype("float64")
        out[f"{mid}__den"] = den.astype("float64")
        out[f"{mid}__n"] = n.astype("float64")
    if key_cols and len(out):
        out = out.sort_values(key_cols, kind="stable").reset_index(drop=True)
    for mid, why in unavailable.items():
        warnings.warn(MetricUnavailable(f"{mid}: {why}", metric=mid), stacklevel=2)
    out.attrs["unavailable"] = dict(unavailable)
    out.attrs["keys"] = tuple(key_cols)
    return out
