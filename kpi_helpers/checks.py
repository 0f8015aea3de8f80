"""Row checks of canonical input, in ONE aggregate query: :func:`check_data`.

:func:`kpi_helpers.compute` takes canonical data as it is (a DataFrame, a Parquet/CSV path,
an Ibis table). Those rows never went through the loader's checks
(:func:`kpi_helpers.load_interactions`), so the engine runs the checks that cost one
aggregate query over the whole data and warns (:class:`~kpi_helpers.errors.DataWarning`)
with the number of rows that fail each one:

======================================  ===================================================
check id                                rows counted
======================================  ===================================================
``duplicate_id:interaction_id``         ``count(interaction_id) - count(distinct ...)``: the
                                        extra copies, each counted as a separate contact
``missing_value:interaction_id``        interaction_id null or blank
``missing_value:created_at``            created_at null or blank
``invalid_timestamp:<column>``,         text that does not parse as the column's kind
``invalid_number:<column>``, ...        (treated as missing by the engine)
``negative_duration:<column>``          wait_s or handle_time_s < 0
``before_created:<column>``             first_response_at or resolved_at before created_at
                                        (answered or resolved before the contact)
``before_response:resolved_at``         resolved_at before first_response_at
``out_of_scale:<column>``               csat / ces outside the scale in force, nps outside
                                        0-10
======================================  ===================================================

The same query returns the first and last contact (the data's :class:`Coverage`), so a page
that shows the checks shows the coverage for free. A :class:`~kpi_helpers.io.LoadResult` is
not checked again (the loader already rejected or blanked such rows): only its coverage is
read.

Cost. Checks that a column's statistics decide (a DataFrame's own min/max, a Parquet file's
row-group statistics: no negative wait when the minimum is >= 0) are not queried. The
duplicate count hashes the ids to 64-bit integers (a distinct count of integers is cheaper
than of text) and is recounted on the ids themselves only when the hashes show a duplicate,
so a hash collision never reports a false duplicate. The result is cached for the process,
per source: a path by its resolved name, size and modification time; a DataFrame by its
identity, shape and dtypes (until it is garbage-collected; an in-place edit of its values
is not seen: call :func:`clear_cache`); an Ibis table by its expression. A notebook that
computes twenty times on the same data pays for the checks once.

>>> import pandas as pd
>>> df = pd.DataFrame({"interaction_id": ["a", "a", "b"],
...     "created_at": pd.to_datetime(["2026-01-05", "2026-01-05", "2026-01-09"]),
...     "wait_s": [10.0, 10.0, -3.0]})
>>> chk = check_data(df)
>>> chk.problems
{'duplicate_id:interaction_id': 1, 'negative_duration:wait_s': 1}
>>> print(chk.messages("en")[0])
1 duplicate interaction_id value (counted as a separate contact)
>>> chk.coverage.first_day, chk.coverage.last_day
(datetime.date(2026, 1, 5), datetime.date(2026, 1, 9))
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as idt
import pandas as pd

from .config import DEFAULT_TIMEZONE
from .coverage import Coverage
from .errors import DataError, DataWarning
from .i18n import format_number, normalize_lang, t
from .schema import DEFAULT_SCALES, INTERACTION_COLUMNS, SCORE_COLUMNS, Scale

__all__ = ["DataCheck", "check_data", "clear_cache", "CHECK_IDS"]

_DURATIONS = ("wait_s", "handle_time_s")
_AFTER_CREATED = ("first_response_at", "resolved_at")
_INVALID_CODE = {
    "timestamp": "invalid_timestamp",
    "bool": "invalid_bool",
    "duration": "invalid_duration",
    "score": "invalid_number",
    "int": "invalid_number",
}

#: Every check id :func:`check_data` may report (``code:column``; codes as the loader's).
CHECK_IDS = (
    "duplicate_id:interaction_id",
    "missing_value:interaction_id",
    "missing_value:created_at",
    *(f"{_INVALID_CODE[k]}:{c}" for c, k in INTERACTION_COLUMNS.items() if k in _INVALID_CODE),
    *(f"negative_duration:{c}" for c in _DURATIONS),
    *(f"before_created:{c}" for c in _AFTER_CREATED),
    "before_response:resolved_at",
    *(f"out_of_scale:{c}" for c in SCORE_COLUMNS),
)

# Messages (English msgids; pt-BR in locales/pt_BR/LC_MESSAGES/core.po). One and many.
_MESSAGES = {
    "duplicate_id": (
        "{n} duplicate interaction_id value (counted as a separate contact)",
        "{n} duplicate interaction_id values (counted as separate contacts)",
    ),
    "missing_value": ("{n} blank {column} value", "{n} blank {column} values"),
    "negative_duration": ("{n} negative {column} value", "{n} negative {column} values"),
    "before_created:first_response_at": (
        "{n} first_response_at before created_at (answered before the contact)",
        "{n} first_response_at before created_at (answered before the contact)",
    ),
    "before_created:resolved_at": (
        "{n} resolved_at before created_at (resolved before the contact)",
        "{n} resolved_at before created_at (resolved before the contact)",
    ),
    "before_response": (
        "{n} resolved_at before first_response_at (resolved before the first response)",
        "{n} resolved_at before first_response_at (resolved before the first response)",
    ),
}
_M_SCALE = (
    "{column} answers range from {lo} to {hi}, outside the scale {low}-{high} in force "
    "({n} outside)"
)
_M_UNREAD = "values that could not be read were treated as missing ({detail})"
_M_LOAD = "Load the export with kpi_helpers.load_interactions(...) to see and reject these rows."
_M_DECLARE = (
    "Declare the survey's scale: load the file with load_interactions(..., "
    "scales={{'{column}': (low, high)}}) and pass its result, or compute(..., "
    "options={{'{column}': {{'scale': [low, high]}}}})."
)


# ----------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class DataCheck:
    """The outcome of :func:`check_data`: rows, failures per check, coverage.

    Attributes
    ----------
    source : str
        The data's name (a path, ``"data"`` for a DataFrame, ``"ibis table"``).
    rows : int
        Rows of the data.
    counts : dict
        Check id (see :data:`CHECK_IDS`) -> rows failing it, for every check that ran
        (0 included). Empty when the checks were skipped.
    first, last : Timestamp or None
        The first and last contact (local, naive); None when no ``created_at`` is readable.
    ranges : dict
        Score column -> ``(min, max)`` of its answers (for the out-of-scale message).
    scales : dict
        Survey scales the out-of-scale checks used.
    skipped : bool
        True for a LoadResult (validated by the loader): no check ran.
    """

    source: str
    rows: int
    counts: Mapping[str, int] = field(default_factory=dict)
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    scales: Mapping[str, Scale] = field(default_factory=dict)
    skipped: bool = False

    @property
    def problems(self) -> dict[str, int]:
        """The failed checks only: check id -> rows (in :data:`CHECK_IDS` order)."""
        order = {c: i for i, c in enumerate(CHECK_IDS)}
        failed = [(k, int(v)) for k, v in self.counts.items() if v]
        return dict(sorted(failed, key=lambda kv: order.get(kv[0], len(order))))

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not self.problems

    @property
    def coverage(self) -> Coverage:
        """The first and last contact as a :class:`~kpi_helpers.coverage.Coverage`."""
        return Coverage(self.first, self.last, self.rows)

    def messages(self, lang: str | None = "pt-BR") -> list[str]:
        """One line per failed check, in ``lang`` (values that could not be read: one line)."""
        lang = normalize_lang(lang)
        out: list[str] = []
        unread: list[str] = []
        for cid, n in self.problems.items():
            code, _, column = cid.partition(":")
            count = format_number(n, lang, decimals=0)
            if code.startswith("invalid_"):
                unread.append(f"{column}: {count}")
                continue
            if code == "out_of_scale":
                scale = self.scales.get(column, DEFAULT_SCALES[column])
                lo, hi = self.ranges.get(column, (float("nan"), float("nan")))
                out.append(
                    t(
                        _M_SCALE,
                        lang,
                        column=column,
                        lo=_g(lo, lang),
                        hi=_g(hi, lang),
                        low=_g(scale.low, lang),
                        high=_g(scale.high, lang),
                        n=count,
                    )
                )
                continue
            one, many = _MESSAGES.get(cid) or _MESSAGES[code]
            out.append(t(one if n == 1 else many, lang, n=count, column=column))
        if unread:
            out.append(t(_M_UNREAD, lang, detail=", ".join(unread)))
        return out

    def warning_text(self, lang: str | None = "en") -> str | None:
        """The :class:`DataWarning` message (None when every check passed)."""
        lines = self.messages(lang)
        if not lines:
            return None
        text = f"{self.source}: " + "; ".join(lines) + ". " + t(_M_LOAD, lang)
        for cid in self.problems:
            code, _, column = cid.partition(":")
            if code == "out_of_scale" and column != "nps":
                text += " " + t(_M_DECLARE, lang, column=column)
        return text


def _g(value: float, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    return format_number(value, lang, decimals=0 if value == round(value) else 2)


# ----------------------------------------------------------------------------- statistics


def _column_stats(source, name: str):
    """``(min, max, nulls)`` of a raw column without a scan (the DataFrame's own values, or the
    Parquet row-group statistics); None when unknown. min/max are None for an all-null column.
    """
    rs = getattr(source, "range_source", None)
    if isinstance(rs, pd.DataFrame):
        if name not in rs.columns:
            return None
        s = rs[name]
        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        if not (numeric or pd.api.types.is_datetime64_dtype(s.dtype)):
            return None
        nulls = int(s.isna().sum())
        if nulls == len(s):
            return None, None, nulls
        return s.min(), s.max(), nulls
    if rs is None:
        return None
    try:
        names = [rs.schema.column(i).name for i in range(rs.num_columns)]
        if name not in names:
            return None
        i = names.index(name)
        lows, highs, nulls = [], [], 0
        for g in range(rs.num_row_groups):
            group = rs.row_group(g)
            st = group.column(i).statistics
            if st is None or not st.has_null_count:
                return None
            nulls += st.null_count
            if st.null_count == group.num_rows:
                continue
            if not st.has_min_max:
                return None
            lows.append(st.min)
            highs.append(st.max)
        return (min(lows) if lows else None), (max(highs) if highs else None), nulls
    except Exception:  # noqa: BLE001 - no usable statistics: measured in the query instead
        return None


# ----------------------------------------------------------------------------- the plan


@ibis.udf.scalar.builtin(name="hash")
def _duck_hash(value: str) -> idt.UInt64:  # type: ignore[valid-type]
    """DuckDB's ``hash(x)``: a 64-bit hash (a distinct count of integers is cheaper)."""


@dataclass
class _Plan:
    """What the check query must compute, and what is known without it."""

    known: dict[str, int] = field(default_factory=dict)
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    first: Any = None
    last: Any = None
    coverage_known: bool = False
    rows: int | None = None
    #: additive checks on the TYPED columns: (name, target, builder(table, col) -> expr);
    #: target is ("count", check id), ("min"|"max", score column) or ("first"|"last", None)
    row: list = field(default_factory=list)
    #: checks on the RAW columns (distinct ids, blanks, text that does not parse)
    raw: dict = field(default_factory=dict)
    hashed_ids: bool = False
    #: name -> the typed column on the raw table (for the standalone query)
    typed: Callable[[str], Any] | None = None


def _blank(col):
    """Null or only blanks; the trim runs only on values that start with a blank or a control
    character (all sort before "!"), which keeps the check cheap on large data."""
    return col.isnull() | ((col < "!") & (col.strip() == ""))


def _is_string(col) -> bool:
    return col.type().is_string()


def _plan(source, scales: Mapping[str, Scale], *, checks: bool = True) -> _Plan:
    from .engine import _to_bool, _to_float, _to_timestamp

    raw = source.table
    cols = set(raw.columns)
    typed_cache: dict[str, Any] = {}

    def typed(name: str):
        if name not in typed_cache:
            col = raw[name]
            kind = INTERACTION_COLUMNS[name]
            if kind == "timestamp":
                typed_cache[name] = _to_timestamp(col, source.local_zone)
            else:
                typed_cache[name] = _to_float(col, duration=kind == "duration")
        return typed_cache[name]

    plan = _Plan(typed=typed)
    rs = source.range_source
    if rs is not None:
        plan.rows = len(rs) if isinstance(rs, pd.DataFrame) else int(rs.num_rows)
    if "created_at" in cols and not raw.created_at.type().is_null():
        ctype = raw.created_at.type()
        stats = _column_stats(source, "created_at")
        if ctype.is_timestamp() and ctype.timezone is None and stats is not None:
            plan.first, plan.last, _ = stats
            plan.coverage_known = True
        else:
            plan.row.append(("_chk_first", ("first", None), lambda tb, c: c("created_at").min()))
            plan.row.append(("_chk_last", ("last", None), lambda tb, c: c("created_at").max()))
    if not checks:
        return plan

    def nulls_known_zero(name: str) -> bool:
        stats = _column_stats(source, name)
        if stats is None or stats[2] != 0:
            return False
        # text: no value is blank when the smallest one starts after the blanks ("!" is the
        # first printable character)
        return not _is_string(raw[name]) or (isinstance(stats[0], str) and stats[0] >= "!")

    # -- raw columns: blanks, duplicate ids, text that does not parse -----------------
    for name in ("interaction_id", "created_at"):
        if name not in cols:
            continue
        cid = f"missing_value:{name}"
        col = raw[name]
        if nulls_known_zero(name):
            plan.known[cid] = 0
        elif _is_string(col):
            plan.raw[cid] = raw.count(where=_blank(col))
        else:
            plan.raw[cid] = raw.count(where=col.isnull())
    if "interaction_id" in cols and not raw.interaction_id.type().is_null():
        ids = raw.interaction_id
        plan.raw["_ids"] = ids.count()
        if _is_string(ids) and getattr(source.backend, "name", "") == "duckdb":
            plan.raw["_distinct"] = _duck_hash(ids).nunique(where=ids.notnull())
            plan.hashed_ids = True
        else:
            plan.raw["_distinct"] = ids.nunique()
    for name, kind in INTERACTION_COLUMNS.items():
        if name in cols and kind in _INVALID_CODE and _is_string(raw[name]):
            col = raw[name]
            if kind == "timestamp":
                conv = col.try_cast("timestamp")
            elif kind == "bool":
                conv = _to_bool(col)
            else:
                conv = _to_float(col, duration=kind == "duration")
            plan.raw[f"{_INVALID_CODE[kind]}:{name}"] = raw.count(
                where=~_blank(col) & conv.isnull()
            )

    # -- typed columns: additive row checks (these may ride in the KPI query) -------
    def usable(name: str) -> bool:
        return name in cols and not raw[name].type().is_null()

    def numeric_stats(name: str):
        col = raw[name]
        if not col.type().is_numeric():
            return None
        stats = _column_stats(source, name)
        if stats is None:
            return None
        lo, hi, _ = stats
        return (None, None) if lo is None else (float(lo), float(hi))

    for name in _DURATIONS:
        if not usable(name):
            continue
        cid = f"negative_duration:{name}"
        known = numeric_stats(name)
        if known is not None and (known[0] is None or known[0] >= 0):
            plan.known[cid] = 0
        else:
            plan.row.append(
                (f"_chk{len(plan.row)}", ("count", cid), _count(lambda c, n=name: c(n) < 0))
            )
    if usable("created_at"):
        for name in _AFTER_CREATED:
            if usable(name):
                cid = f"before_created:{name}"
                plan.row.append(
                    (
                        f"_chk{len(plan.row)}",
                        ("count", cid),
                        _count(lambda c, n=name: c(n) < c("created_at")),
                    )
                )
    if usable("resolved_at") and usable("first_response_at"):
        plan.row.append(
            (
                f"_chk{len(plan.row)}",
                ("count", "before_response:resolved_at"),
                _count(lambda c: c("resolved_at") < c("first_response_at")),
            )
        )
    for name in SCORE_COLUMNS:
        if not usable(name):
            continue
        scale = scales.get(name, DEFAULT_SCALES[name])
        cid = f"out_of_scale:{name}"
        known = numeric_stats(name)
        if known is not None:
            if known[0] is not None:
                plan.ranges[name] = known
            if known[0] is None or (known[0] >= scale.low and known[1] <= scale.high):
                plan.known[cid] = 0
                continue
        else:
            plan.row.append(
                (f"_chk{len(plan.row)}", ("min", name), lambda tb, c, n=name: c(n).min())
            )
            plan.row.append(
                (f"_chk{len(plan.row)}", ("max", name), lambda tb, c, n=name: c(n).max())
            )
        plan.row.append(
            (
                f"_chk{len(plan.row)}",
                ("count", cid),
                _count(lambda c, n=name, s=scale: (c(n) < float(s.low)) | (c(n) > float(s.high))),
            )
        )

    return plan


def _count(cond: Callable) -> Callable:
    return lambda tb, c: tb.count(where=cond(c))


def _row_aggregates(plan: _Plan, table, col: Callable[[str], Any]) -> dict[str, Any]:
    """The plan's additive checks as aggregates over ``table`` (``col`` gives typed columns)."""
    return {name: build(table, col) for name, _, build in plan.row}


def _collect(plan: _Plan, frame: pd.DataFrame) -> dict:
    """Fold the row-check aggregates of ``frame`` (one row, or one row per group)."""
    out: dict = {"counts": {}, "min": {}, "max": {}, "first": None, "last": None}
    for name, (how, what), _ in plan.row:
        values = frame[name]
        if how == "count":
            out["counts"][what] = int(pd.to_numeric(values, errors="coerce").fillna(0).sum())
            continue
        v = values.dropna()
        best = None if not len(v) else (v.min() if how in ("min", "first") else v.max())
        if how in ("min", "max"):
            out[how][what] = best
        else:
            out[how] = best
    return out


def _finish(
    source, plan: _Plan, scales, row_values: dict, raw_row: Mapping | None, rows: int
) -> DataCheck:
    counts: dict[str, int] = dict(plan.known)
    counts.update(row_values.get("counts", {}))
    ranges = dict(plan.ranges)
    for name, lo in row_values.get("min", {}).items():
        hi = row_values.get("max", {}).get(name)
        if lo is not None and hi is not None and not pd.isna(lo):
            ranges[name] = (float(lo), float(hi))
    first, last = plan.first, plan.last
    if not plan.coverage_known:
        first, last = row_values.get("first"), row_values.get("last")
    if raw_row is not None:
        for key, value in raw_row.items():
            if key in ("_ids", "_distinct"):
                continue
            counts[key] = int(value or 0)
        if "_ids" in raw_row:
            dup = int(raw_row["_ids"] or 0) - int(raw_row["_distinct"] or 0)
            if dup > 0 and plan.hashed_ids:  # a hash collision is no duplicate: recount exactly
                ids = source.table.interaction_id
                exact = source.execute(source.table.aggregate(_d=ids.nunique())).iloc[0]["_d"]
                dup = int(raw_row["_ids"] or 0) - int(exact)
            counts["duplicate_id:interaction_id"] = max(dup, 0)
    return DataCheck(
        source=source.name,
        rows=int(rows),
        counts=counts,
        first=_ts(first),
        last=_ts(last),
        ranges=ranges,
        scales=dict(scales),
    )


def _ts(value):
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value)


def _query(source, aggs: dict) -> pd.Series:
    try:
        return source.execute(source.table.aggregate(**aggs)).iloc[0]
    except Exception as exc:  # noqa: BLE001
        raise DataError(
            f"{source.name}: values that cannot be converted ({exc}). "
            "Load the file with kpi_helpers.load_interactions(path, mapping=...), "
            "which parses and reports every bad row."
        ) from exc


def _run_checks(source, scales, *, checks: bool = True) -> DataCheck:
    """ONE aggregate query (fewer when statistics decide): the checks and the coverage."""
    plan = _plan(source, scales, checks=checks)
    aggs = dict(plan.raw)
    aggs.update(_row_aggregates(plan, source.table, plan.typed))
    if plan.rows is None:
        aggs["_rows"] = source.table.count()
    row = _query(source, aggs) if aggs else pd.Series(dtype=object)
    rows = plan.rows if plan.rows is not None else int(row["_rows"])
    frame = row.to_frame().T if len(row) else pd.DataFrame()
    row_values = _collect(plan, frame) if plan.row else {}
    raw_row = {k: row[k] for k in plan.raw} if checks else None
    check = _finish(source, plan, scales, row_values, raw_row, rows)
    if not checks:
        check = DataCheck(
            check.source, check.rows, {}, check.first, check.last, {}, dict(scales), True
        )
    return check


# ----------------------------------------------------------------------------- the cache

_LOCK = threading.Lock()
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 64
_WATCHED: dict[int, Any] = {}
#: ids of DataFrames that were garbage-collected: their entries are dropped at the next cache
#: access. (A finalizer runs inside whatever triggered the collection, maybe while the lock is
#: held: it only appends here, never takes the lock.)
_GONE: list[int] = []


def clear_cache() -> None:
    """Forget every cached check (e.g. after editing a DataFrame's values in place)."""
    with _LOCK:
        _CACHE.clear()


def _forget_frame(ident: int) -> None:
    _GONE.append(ident)


def _purge_gone() -> None:
    """Drop the entries of collected DataFrames (call with the lock held)."""
    while _GONE:
        ident = _GONE.pop()
        _WATCHED.pop(ident, None)
        for key in [k for k in _CACHE if k[0] == "frame" and k[1] == ident]:
            del _CACHE[key]


def _source_key(data) -> tuple | None:
    """A key that changes when the data may have changed (None: do not cache)."""
    if isinstance(data, pd.DataFrame):
        ident = id(data)
        with _LOCK:
            _purge_gone()
            if ident not in _WATCHED:
                try:
                    _WATCHED[ident] = weakref.finalize(data, _forget_frame, ident)
                except TypeError:
                    return None
        return (
            "frame",
            ident,
            data.shape,
            tuple(map(str, data.columns)),
            tuple(map(str, data.dtypes)),
            repr(data.attrs.get("scales")) if isinstance(data.attrs, dict) else "",
        )
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        try:
            path = path.resolve()
            if path.is_dir():
                files = tuple(
                    (str(f), f.stat().st_size, f.stat().st_mtime_ns)
                    for f in sorted(path.rglob("*.parquet"))
                )
                return ("dir", str(path), files)
            st = path.stat()
        except OSError:
            return None
        return ("path", str(path), st.st_size, st.st_mtime_ns)
    if isinstance(data, ibis.Table):
        try:
            return ("ibis", data.op())
        except Exception:  # noqa: BLE001
            return None
    return None


def _is_load_result(data) -> bool:
    return isinstance(getattr(data, "data", None), pd.DataFrame) and not isinstance(
        data, pd.DataFrame
    )


def _scales_key(scales: Mapping[str, Scale]) -> tuple:
    return tuple(sorted((k, float(v.low), float(v.high)) for k, v in scales.items()))


def _cache_get(key):
    if key is None:
        return None
    with _LOCK:
        _purge_gone()
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    return None


def _cache_put(key, value) -> None:
    if key is None:
        return
    with _LOCK:
        _purge_gone()
        _CACHE[key] = value
        _CACHE.move_to_end(key)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)


def _full_key(data, scales, timezone, what: str = "check") -> tuple | None:
    key = _source_key(data)
    if key is None:
        return None
    return (*key, what, _scales_key(scales), timezone)


def _source_scales(source, scales) -> dict[str, Scale]:
    out = dict(DEFAULT_SCALES)
    out.update(source.scales or {})
    if scales:
        out.update({k: v if isinstance(v, Scale) else Scale(*v) for k, v in scales.items()})
    return out


def check_data(data, *, timezone: str = DEFAULT_TIMEZONE, scales=None) -> DataCheck:
    """Run the row checks on canonical ``data`` in one aggregate query (cached per source).

    Parameters
    ----------
    data : LoadResult, DataFrame, path or Ibis table
        What :func:`kpi_helpers.compute` takes. A LoadResult is not checked again
        (``skipped=True``); only its coverage is read.
    timezone : str
        Zone that aware timestamps are converted to (the coverage's first/last contact).
    scales : dict, optional
        Survey scales in force (``{"csat": (1, 10)}``); default: the data's declared scales
        (a LoadResult's, ``DataFrame.attrs["scales"]``), else 1-5 (csat), 0-10 (nps), 1-7
        (ces).

    Returns
    -------
    DataCheck
        ``counts`` per check id, ``messages(lang)``, ``warning_text()``, ``coverage``.
    """
    from .engine import as_table

    source = as_table(data, timezone=timezone)
    return _check_source(data, source, _source_scales(source, scales))


def _check_source(data, source, scales: Mapping[str, Scale]) -> DataCheck:
    skip = _is_load_result(data)
    key = _full_key(getattr(data, "data", data) if skip else data, scales, source.timezone)
    if skip and key is not None:
        key = (*key, "loaded")
    cached = _cache_get(key)
    if cached is not None:
        return cached
    check = _run_checks(source, scales, checks=not skip)
    _cache_put(key, check)
    return check


# ----------------------------------------------------------------------------- for the engine


class _Fused:
    """The checks of one compute call: cached, or riding in the KPI query (see engine._run)."""

    def __init__(self, data, source, scales: Mapping[str, Scale], *, fuse: bool):
        self.source = source
        self.scales = dict(scales)
        self.skip = _is_load_result(data)
        self.key = _full_key(
            getattr(data, "data", data) if self.skip else data, self.scales, source.timezone
        )
        if self.skip and self.key is not None:
            self.key = (*self.key, "loaded")
        self.result: DataCheck | None = _cache_get(self.key)
        self.plan: _Plan | None = None
        if self.result is None:
            if fuse and not self.skip:
                self.plan = _plan(source, self.scales)
            else:
                self.result = _run_checks(source, self.scales, checks=not self.skip)
                _cache_put(self.key, self.result)

    def aggregates(self, table) -> dict[str, Any]:
        """Row-check aggregates to add to the KPI query (over its prepared table)."""
        if self.plan is None:
            return {}
        return _row_aggregates(self.plan, table, lambda name: table[name])

    def complete(self, frame: pd.DataFrame | None, rows: int) -> DataCheck:
        """The check, once the KPI query (``frame``: its raw result) has run."""
        if self.result is not None:
            return self.result
        plan = self.plan
        row_values = _collect(plan, frame) if plan.row else {}
        raw_row = _query(self.source, dict(plan.raw)) if plan.raw else {}
        self.result = _finish(self.source, plan, self.scales, row_values, raw_row, rows)
        _cache_put(self.key, self.result)
        return self.result


def with_segments(data, source, coverage: Coverage, dims) -> Coverage:
    """``coverage`` plus the coverage of each segment of ``dims`` (cached per source)."""
    from .coverage import segment_coverage

    segments = dict(coverage.segments)
    for dim in dims:
        key = _full_key(getattr(data, "data", data), {}, source.timezone, f"segments:{dim}")
        found = _cache_get(key)
        if found is None:
            found = segment_coverage(source, dim)
            _cache_put(key, found)
        segments[dim] = found
    return Coverage(coverage.first, coverage.last, coverage.rows, segments)


def warn(check: DataCheck) -> None:
    """Issue the :class:`DataWarning` of ``check`` (once per call; nothing when clean)."""
    if check.skipped:
        return
    text = check.warning_text("en")
    if text:
        warnings.warn(DataWarning(text, check=check), stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    """The stack level (for the caller of :func:`warn`) of the first frame outside kpi_helpers."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame = sys._getframe(2)  # 0: here, 1: warn(), 2: its caller (stack level 2)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame = frame.f_back
        level += 1
    return level
