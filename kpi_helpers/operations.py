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
denominator's count of contacts for the two cost KPIs and the number of operations rows
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

from .engine import normalize_by, period_bounds
from .errors import DataError, MetricUnavailable, OptionError
from .mapping import normalize_name
from .metrics import get_metric
from .schema import OPERATIONS_COLUMNS, TIME_GRAINS
from .validation import blank_mask, parse_number, parse_string, parse_timestamp

__all__ = [
    "OperationsResult",
    "load_operations",
    "compute_operations",
    "OPERATIONS_KPIS",
    "ADDITIVE_COLUMNS",
    "STOCK_COLUMNS",
]

#: Columns each operations KPI needs (besides the interactions for the two cost KPIs).
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
_WORDS_BAD_NUMBER = "not a number"


@dataclass
class OperationsResult:
    """What :func:`load_operations` returns.

    Attributes
    ----------
    data : pandas.DataFrame
        The canonical operations table: ``month`` (first day of the month, datetime64[ns]),
        ``team`` / ``channel`` when present, the numeric columns as float64; sorted.
    rejected : pandas.DataFrame
        One row per quarantined source row: ``row`` (1-based data row of the source),
        ``column``, ``value`` and ``reason``.
    source : str
        The file name or ``"DataFrame"``.
    mapping : dict
        Canonical column -> source column actually used.
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    source: str = "DataFrame"
    mapping: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: rows kept and rejected (with the most frequent reasons)."""
        kept, bad = len(self.data), len(self.rejected)
        text = f"{self.source}: {kept} operations rows loaded, {bad} rejected"
        if bad:
            reasons = self.rejected["reason"].value_counts().head(3)
            text += " (" + "; ".join(f"{r}: {n}" for r, n in reasons.items()) + ")"
        return text + "."


# ----------------------------------------------------------------------------- loading


def _read(source) -> tuple[pd.DataFrame, str]:
    if isinstance(source, OperationsResult):
        return source.data, source.source
    inner = getattr(source, "data", None)
    if isinstance(inner, pd.DataFrame) and not isinstance(source, pd.DataFrame):
        return inner, str(getattr(source, "source", "operations"))
    if isinstance(source, pd.DataFrame):
        return source, "DataFrame"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(
                f"`operations`: file {str(path)!r} not found (the path is taken as given)."
            )
        suffix = path.suffix.lower()
        try:
            if suffix in (".csv", ".txt", ".tsv"):
                sep = "\t" if suffix == ".tsv" else None
                frame = pd.read_csv(
                    path, dtype=str, keep_default_na=False, sep=sep, engine="python"
                )
            elif suffix in (".xlsx", ".xlsm", ".xls"):
                frame = pd.read_excel(path, dtype=object)
            elif suffix in (".parquet", ".pq"):
                frame = pd.read_parquet(path)
            else:
                raise DataError(
                    f"`operations`: {path.name}: the file type must be one of .csv, .tsv, .txt, "
                    f".xlsx, .xls, .parquet, got {suffix!r}."
                )
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported as a DataError naming the file
            raise DataError(
                f"`operations`: {path.name} cannot be read ({type(exc).__name__}: {exc})."
            ) from exc
        return frame, path.name
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


def _parse_month(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Month values -> first day of the month (datetime64[ns]); returns (values, bad)."""
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    text = series.astype("string")
    ym = text.str.extract(_MONTH_RE)
    my = text.str.extract(_MONTH_DMY_RE)
    has_ym = ym[0].notna()
    has_my = my[0].notna() & ~has_ym
    for mask, year, month in ((has_ym, ym[0], ym[1]), (has_my, my[1], my[0])):
        if mask.any():
            y = pd.to_numeric(year[mask]).astype(int)
            m = pd.to_numeric(month[mask]).astype(int)
            okm = (m >= 1) & (m <= 12)
            stamps = pd.to_datetime({"year": y[okm], "month": m[okm], "day": 1})
            out.loc[stamps.index] = stamps.astype("datetime64[ns]")
    rest = ~(has_ym | has_my)
    bad = pd.Series(False, index=series.index)
    if rest.any():
        values, bad_rest, _ = parse_timestamp(series[rest])
        out.loc[rest] = values.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
        bad.loc[rest] = bad_rest
    bad = bad | ((has_ym | has_my) & out.isna())
    blank = blank_mask(series)
    return out.where(~blank), bad & ~blank


def load_operations(
    source,
    *,
    mapping: Mapping[str, str] | None = None,
) -> OperationsResult:
    """Load and validate a monthly operations table.

    Parameters
    ----------
    source : DataFrame, OperationsResult or path
        A CSV/TSV (read as text: decimal commas and thousands separators are understood),
        Excel or Parquet file, or a DataFrame.
    mapping : dict, optional
        Canonical column -> source column, for headers that are not recognised by
        themselves. Headers equal to a canonical name after folding (``"Cost Total"`` ->
        ``cost_total``) and common Portuguese headers (``Mês``, ``Equipe``, ``Custo total``,
        ``Desligamentos``...) are matched automatically.

    Returns
    -------
    OperationsResult
        ``.data`` the canonical table; ``.rejected`` the quarantined rows with the reason
        (a month that is missing or not a month, a number that is not a number or is
        negative, downtime above the scheduled minutes, more trainings completed than
        assigned, a duplicate month/segment: the first is kept).

    Raises
    ------
    DataError
        When the file cannot be read, has no month column, or a mapped column is absent.

    Examples
    --------
    >>> res = load_operations(pd.DataFrame({"Mês": ["2026-01", "fev"], "Custo total": ["1.000,50", "2"]}))
    >>> res.data["cost_total"].tolist(), res.rejected["reason"].tolist()
    ([1000.5], ['not a month'])
    """
    frame, origin = _read(source)
    used = _resolve_columns(frame, mapping, origin)
    if "month" not in used:
        raise DataError(
            f"{origin}: the operations table needs a month column (one row per month); found "
            f"columns: {', '.join(map(str, frame.columns)) or 'none'}. Name it 'month' or pass "
            "mapping={'month': 'Your column'}."
        )
    numeric = [c for c in _NUMERIC if c in used]
    if not numeric:
        raise DataError(
            f"{origin}: no operations figures found (columns: {', '.join(map(str, frame.columns))}). "
            f"Expected some of: {', '.join(_NUMERIC)}."
        )
    src = frame.reset_index(drop=True)
    out = pd.DataFrame(index=src.index)
    problems: list[tuple[int, str, Any, str]] = []

    def flag(mask: pd.Series, column: str, reason: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            problems.append((int(i), column, src[used[column]].iloc[i], reason))

    month, bad_month = _parse_month(src[used["month"]])
    flag(month.isna(), "month", "not a month")
    out["month"] = month
    for dim in _DIMS:
        if dim in used:
            out[dim] = parse_string(src[used[dim]]).fillna("unknown").astype(str)
    for col in numeric:
        values, bad = parse_number(src[used[col]])
        flag(bad, col, _WORDS_BAD_NUMBER)
        flag(values < 0, col, "negative")
        out[col] = values.astype("float64")
    if {"downtime_minutes", "scheduled_minutes"} <= set(out.columns):
        flag(
            out["downtime_minutes"] > out["scheduled_minutes"],
            "downtime_minutes",
            "downtime above the scheduled minutes",
        )
    if {"trainings_completed", "trainings_assigned"} <= set(out.columns):
        flag(
            out["trainings_completed"] > out["trainings_assigned"],
            "trainings_completed",
            "more trainings completed than assigned",
        )
    bad_rows = {p[0] for p in problems}
    keys = ["month", *[d for d in _DIMS if d in out.columns]]
    ok = out.loc[[i for i in out.index if i not in bad_rows]]
    dup = ok.duplicated(subset=keys, keep="first")
    for i in ok.index[dup.to_numpy()]:
        label = ", ".join(f"{k}={out.at[i, k]!s}" for k in keys)
        problems.append((int(i), "month", src[used["month"]].iloc[i], f"duplicate row ({label})"))
    bad_rows = {p[0] for p in problems}
    data = out.loc[[i for i in out.index if i not in bad_rows]]
    data = data.sort_values(keys, kind="stable").reset_index(drop=True)
    rejected = pd.DataFrame(
        [(i + 1, c, v, r) for i, c, v, r in sorted(problems, key=lambda p: (p[0], p[1]))],
        columns=["row", "column", "value", "reason"],
    )
    return OperationsResult(data=data, rejected=rejected, source=origin, mapping=dict(used))


def _canonical(operations) -> pd.DataFrame:
    if isinstance(operations, OperationsResult):
        return operations.data
    res = load_operations(operations)
    if len(res.rejected):
        warnings.warn(
            f"operations: {len(res.rejected)} rows rejected and left out ({res.summary()}); "
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
            n = nrows
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
