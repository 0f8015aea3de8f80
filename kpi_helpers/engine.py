"""``compute``: any set of KPIs as ONE grouped aggregate query on Ibis.

The default backend is DuckDB in-process. Inputs: a :class:`~kpi_helpers.io.LoadResult`,
a pandas DataFrame in canonical columns, a path to Parquet/CSV (scanned lazily, never
loaded into pandas), or an Ibis table on any backend. Each KPI of the registry returns
additive components (:class:`~kpi_helpers.metrics.Parts`); the query returns them per
group and the formulas are applied afterwards in pandas, so the ``n`` behind every value,
significance tests and exact decompositions come for free.

Portability rules (each once gave wrong numbers silently): counts are divided in float64
(never integer division); time differences are taken in microseconds (DuckDB's
``date_diff('second')`` counts boundaries); nulls propagate (a missing csat is not a "no").
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as _dc_replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as idt
import numpy as np
import pandas as pd

from . import checks as _checks
from .channels import family_case, thresholds_for
from .config import DEFAULT_TIMEZONE
from .errors import DataError, MetricUnavailable, OptionError
from .metrics import Metric, Parts, get_metric
from .schema import (
    DEFAULT_SCALES,
    DERIVED_DIMENSIONS,
    DIMENSION_COLUMNS,
    INTERACTION_COLUMNS,
    TIME_GRAINS,
    Scale,
    dimension_columns,
)

__all__ = [
    "compute",
    "compute_components",
    "default_backend",
    "as_table",
    "normalize_by",
    "DimensionError",
]

_GRAIN_UNIT = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
_VIRTUAL = {
    "answered": ("answered", "first_response_at", "wait_s"),
    "abandoned": ("abandoned", "answered", "first_response_at", "wait_s"),
    "wait": ("wait_s", "first_response_at"),
    "resolved": ("resolved", "resolved_at"),
}
_GLOBAL_OPTIONS = ("hours", "calendar", "as_of")
_TRUE_STRINGS = ("true", "t", "1", "y", "yes", "s", "sim")
_FALSE_STRINGS = ("false", "f", "0", "n", "no", "nao", "não")


# ----------------------------------------------------------------------------- backend


@lru_cache(maxsize=1)
def default_backend():
    """The process-wide DuckDB connection (in-process; session time zone = the configured one)."""
    con = ibis.duckdb.connect()
    con.raw_sql(f"SET TimeZone = '{DEFAULT_TIMEZONE}'")
    return con


@dataclass
class _Source:
    table: Any
    backend: Any
    scales: dict[str, Scale] = field(default_factory=dict)
    name: str = "data"
    timezone: str = DEFAULT_TIMEZONE

    #: where a column's min, max and null count can be read without scanning the rows: the
    #: DataFrame, or the Parquet file's metadata (its row-group statistics); see
    #: kpi_helpers.checks
    range_source: Any = field(default=None, repr=False)

    @property
    def local_zone(self) -> str | None:
        """The zone that aware timestamps are converted to in the query (DuckDB), else None
        (other engines: the session's zone decides)."""
        return self.timezone if getattr(self.backend, "name", "") == "duckdb" else None

    def execute(self, expr) -> pd.DataFrame:
        with _quiet_engine():
            if self.backend is not None:
                return self.backend.execute(expr)
            return expr.execute()


class _quiet_engine(warnings.catch_warnings):
    """Silence the engine libraries' own deprecation chatter (not ours) during a query."""

    def __enter__(self):
        out = super().__enter__()
        warnings.filterwarnings("ignore", message=".*future.infer_string.*")
        warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*")
        return out


def _localize_frame(df: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Convert tz-aware timestamp columns to ``timezone`` and drop the zone (no input mutation)."""
    converted = {}
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = converted[col] = s.dt.tz_convert(timezone).dt.tz_localize(None)
        if pd.api.types.is_datetime64_dtype(s.dtype) and s.dtype.str.endswith("[ns]"):
            ns = s.to_numpy().astype("int64")
            if ((ns % 1000 != 0) & ~s.isna().to_numpy()).any():
                # the engines keep microseconds: drop the nanoseconds instead of failing
                converted[col] = s.dt.floor("us")
        elif pd.api.types.is_timedelta64_dtype(s.dtype):
            converted[col] = s.dt.total_seconds()
    if not converted:
        return df
    return df.assign(**converted)


_TIMESTAMP_COLUMNS = tuple(c for c, k in INTERACTION_COLUMNS.items() if k == "timestamp")
#: Text that ends with a UTC offset: ``...Z``, ``...+00:00``, ``...-0300``.
_OFFSET_RE = r"(Z|[+-][0-9]{2}:?[0-9]{2})$"


def _read_parquet(con, target: str, path: Path):
    """A Parquet scan, and the file's metadata (None for a folder or an unreadable footer).

    Time-zone-aware nanosecond columns (unknown to Ibis) are read as TIMESTAMPTZ.
    """
    meta = None
    try:
        import pyarrow.parquet as pq

        first = next(iter(sorted(path.rglob("*.parquet")))) if path.is_dir() else path
        parquet = pq.ParquetFile(first)
        schema = parquet.schema_arrow
        meta = parquet.metadata if not path.is_dir() else None
    except Exception:  # noqa: BLE001 - let DuckDB report an unreadable file
        return con.read_parquet(target), None
    aware_ns = [
        f.name
        for f in schema
        if getattr(f.type, "tz", None) is not None and getattr(f.type, "unit", "") == "ns"
    ]
    if not aware_ns:
        return con.read_parquet(target), meta
    import uuid

    name = f"kpi_parquet_{uuid.uuid4().hex}"
    quoted = target.replace("'", "''")
    repl = ", ".join(f'CAST("{c}" AS TIMESTAMPTZ) AS "{c}"' for c in aware_ns)
    con.con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * REPLACE ({repl}) "
        f"FROM read_parquet('{quoted}')"
    )
    return con.table(name), meta


def _scales_from_attrs(df: pd.DataFrame) -> dict[str, Scale]:
    """Survey scales a loader left in ``df.attrs["scales"]`` (``{"csat": [1, 10]}``)."""
    found = df.attrs.get("scales") if isinstance(getattr(df, "attrs", None), dict) else None
    out: dict[str, Scale] = {}
    if isinstance(found, Mapping):
        for name, value in found.items():
            if name not in DEFAULT_SCALES:
                continue
            try:
                out[name] = value if isinstance(value, Scale) else Scale(*value)
            except (TypeError, ValueError):
                continue
    return out


def _scales_from_parquet(meta) -> dict[str, Scale]:
    """Survey scales kept in a Parquet file written from a loaded frame (``df.to_parquet``
    stores ``df.attrs`` under the ``PANDAS_ATTRS`` key of the file's metadata)."""
    try:
        raw = (meta.metadata or {}).get(b"PANDAS_ATTRS")
        attrs = json.loads(raw) if raw else None
    except Exception:  # noqa: BLE001 - no readable attrs: the default scales
        return {}
    if not isinstance(attrs, dict):
        return {}
    holder = pd.DataFrame()
    holder.attrs["scales"] = attrs.get("scales")
    return _scales_from_attrs(holder)


def as_table(data, *, timezone: str = DEFAULT_TIMEZONE) -> _Source:
    """Resolve any accepted input into an Ibis table plus the backend that runs it."""
    scales: dict[str, Scale] = {}
    name = "data"
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame) and not isinstance(data, pd.DataFrame):
        scales = dict(getattr(data, "scales", None) or {})
        name = str(getattr(data, "source", name))
        data = inner
    if isinstance(data, pd.DataFrame):
        if not scales:
            scales = _scales_from_attrs(data)
        df = _localize_frame(data, timezone)
        with _quiet_engine():
            table = ibis.memtable(df)
        return _Source(table, default_backend(), scales, name, timezone, range_source=df)
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        con = default_backend()
        meta = None
        if not path.exists():
            raise DataError(f"{path}: file not found. Check the path (it is taken as given).")
        suffix = path.suffix.lower()
        try:
            if path.is_dir() or suffix in (".parquet", ".pq"):
                target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
                table, meta = _read_parquet(con, target, path)
                if meta is not None:
                    scales = _scales_from_parquet(meta)
            elif suffix in (".csv", ".txt", ".tsv", ".gz"):
                # timestamps as text: DuckDB's CSV scan may drop a UTC offset when it pushes a
                # cast into the scan, so offsets are parsed in the query (see _to_timestamp);
                # the columns are those DuckDB's own sniffing found
                table = con.read_csv(str(path))
                text_cols = {c: "VARCHAR" for c in table.columns if c in _TIMESTAMP_COLUMNS}
                if text_cols:
                    table = con.read_csv(str(path), types=text_cols)
            else:
                raise DataError(
                    f"{path}: compute() reads canonical Parquet or CSV files, got {suffix!r}. "
                    "Load other files with kpi_helpers.load_interactions(path, mapping=...)."
                )
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported as a DataError naming the file
            raise DataError(f"{path}: cannot be read ({type(exc).__name__}: {exc}).") from exc
        return _Source(table, con, scales, str(path), timezone, range_source=meta)
    if isinstance(data, ibis.Table):
        try:
            backend = data._find_backend()
        except Exception:  # noqa: BLE001 - in-memory tables: run them on our DuckDB
            backend = default_backend()
        return _Source(data, backend, scales, "ibis table", timezone)
    raise DataError(
        "`data` must be a LoadResult, a pandas DataFrame, a path to Parquet/CSV or an Ibis "
        f"table, got {type(data).__name__}."
    )


# ----------------------------------------------------------------------------- context


def _to_bool(col):
    dtype = col.type()
    if dtype.is_boolean():
        return col
    if dtype.is_numeric():
        return ibis.ifelse(col.isnull(), ibis.null("boolean"), col != 0)
    if dtype.is_string():
        s = col.strip().lower()
        return ibis.cases(
            (s.isin(_TRUE_STRINGS), True),
            (s.isin(_FALSE_STRINGS), False),
            else_=ibis.null("boolean"),
        )
    return col.cast("boolean")


@ibis.udf.scalar.builtin(name="timezone")
def _duck_timezone(zone: str, ts: idt.Timestamp(timezone="UTC")) -> idt.Timestamp():  # type: ignore[valid-type]
    """DuckDB's ``timezone(zone, timestamptz)``: the local wall time of an instant in ``zone``."""


def _to_timestamp(col, zone: str | None = None):
    """Naive local timestamps (KPIS.md "Time"): aware values converted to ``zone``.

    ``zone`` is given for DuckDB (an explicit conversion); None leaves the conversion of
    aware values to the engine's session zone (other engines).
    """
    dtype = col.type()
    if dtype.is_timestamp():
        if dtype.timezone is not None:
            if zone is not None:
                return _duck_timezone(zone, col.cast(idt.Timestamp(timezone="UTC")))
            return col.cast(idt.Timestamp(scale=dtype.scale))
        return col
    if dtype.is_date():
        return col.cast("timestamp")
    if dtype.is_string():
        naive = col.try_cast("timestamp")
        if zone is None:
            return naive
        aware = _duck_timezone(zone, col.try_cast(idt.Timestamp(timezone="UTC")))
        return ibis.ifelse(col.strip().re_search(_OFFSET_RE), aware, naive)
    raise DataError(f"column {col.get_name()!r} must hold timestamps, found type {dtype}.")


def _to_float(col, *, duration: bool = False):
    dtype = col.type()
    if dtype.is_numeric():
        return col.cast("float64")
    if dtype.is_boolean():
        return col.cast("float64")
    if dtype.is_string():
        s = col.strip()
        plain = s.replace(",", ".").try_cast("float64")
        if not duration:
            return plain
        parts = s.split(":")
        n = parts.length()

        def num(x):
            return x.try_cast("float64")

        return ibis.cases(
            (n == 3, num(parts[0]) * 3600 + num(parts[1]) * 60 + num(parts[2])),
            (n == 2, num(parts[0]) * 60 + num(parts[1])),
            else_=plain,
        )
    if dtype.is_interval():
        raise DataError(f"column {col.get_name()!r}: give durations as seconds (a number).")
    return col.cast("float64")


def _seconds_between(end, start):
    return end.delta(start, unit="microsecond").cast("float64") / 1e6


class _Context:
    """The prepared table (canonical types + derived per-row columns) and helpers for builders."""

    def __init__(
        self,
        table,
        *,
        scales: Mapping[str, Scale],
        stats: dict,
        business_clock=None,
        want_sumsq: bool = True,
        zone: str | None = None,
    ):
        self.columns = set(table.columns)
        self.zone = zone
        self.want_sumsq = want_sumsq
        #: distinct raw channel values (set by the engine when a KPI needs them)
        self.channel_values: list | None = None
        self.scales = dict(scales)
        self.stats = stats
        self._clock = business_clock
        self.t = self._prepare(table)

    # -- preparation ------------------------------------------------------------------
    def _prepare(self, t):
        has = self.columns
        new = {}
        for name, kind in INTERACTION_COLUMNS.items():
            if name not in has:
                continue
            col = t[name]
            if col.type().is_null():
                # a column of blanks only (e.g. None in an object column): typed nulls
                null_type = {"timestamp": "timestamp", "bool": "boolean", "string": "string"}
                new[name] = ibis.null(null_type.get(kind, "float64"))
            elif kind == "timestamp":
                new[name] = _to_timestamp(col, self.zone)
            elif kind == "bool":
                new[name] = _to_bool(col)
            elif kind in ("duration", "score", "int"):
                if not (col.type().is_floating() or (kind == "int" and col.type().is_integer())):
                    new[name] = _to_float(col, duration=kind == "duration")
        # Dimensions are normalised (null -> "unknown") only when grouped by: see _run.
        if "channel" not in has:
            new["channel"] = ibis.literal("unknown")
        t = t.mutate(**new) if new else t
        c = {}
        derived_ans = None
        if "first_response_at" in has:
            derived_ans = t.first_response_at.notnull()
        if "wait_s" in has:
            w = t.wait_s.notnull()
            derived_ans = w if derived_ans is None else (derived_ans | w)
        if "answered" in has:
            c["_answered"] = ibis.coalesce(
                t.answered, derived_ans if derived_ans is not None else False, False
            )
        elif derived_ans is not None:
            c["_answered"] = derived_ans
        else:
            c["_answered"] = ibis.null("boolean")
        answered_known = bool({"answered", "first_response_at", "wait_s"} & has)
        if "abandoned" in has:
            fallback = ~c["_answered"] if answered_known else ibis.literal(False)
            c["_abandoned"] = ibis.coalesce(t.abandoned, fallback)
        else:
            c["_abandoned"] = ~c["_answered"] if answered_known else ibis.null("boolean")
        waits = []
        if "wait_s" in has:
            waits.append(t.wait_s)
        if "first_response_at" in has:
            waits.append(_seconds_between(t.first_response_at, t.created_at))
        c["_wait"] = (
            ibis.coalesce(*waits)
            if len(waits) > 1
            else (waits[0] if waits else ibis.null("float64"))
        )
        if "resolved" in has and "resolved_at" in has:
            c["_resolved"] = ibis.coalesce(t.resolved, t.resolved_at.notnull())
        elif "resolved" in has:
            c["_resolved"] = t.resolved.fill_null(False)
        elif "resolved_at" in has:
            c["_resolved"] = t.resolved_at.notnull()
        else:
            c["_resolved"] = ibis.null("boolean")
        if "resolved_at" in has:
            c["_res_time"] = _seconds_between(t.resolved_at, t.created_at)
        else:
            c["_res_time"] = ibis.null("float64")
        t = t.mutate(**c)
        if self._clock is not None:
            t = self._clock.attach(t, has)
        else:
            t = t.mutate(
                _wait_b=ibis.null("float64"),
                _res_time_b=ibis.null("float64"),
                _B_created=ibis.null("float64"),
            )
        return t

    # -- helpers used by the definitions ------------------------------------------------
    def scale(self, name: str, options: Mapping[str, Any]) -> Scale:
        given = options.get("scale")
        if given is not None:
            return given if isinstance(given, Scale) else Scale(*given)
        return self.scales.get(name, DEFAULT_SCALES[name])

    def sl_threshold(self, threshold):
        """The service-level threshold of each row (seconds), by channel family or spelling
        (:func:`kpi_helpers.channels.thresholds_for`)."""
        if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
            return ibis.literal(float(threshold))
        if "channel" not in self.columns:
            return ibis.literal(thresholds_for(threshold, [])[1])
        ch = self.t.channel
        values = self.channel_values
        if values is not None:
            # the data's own channel values, folded here once: a CASE on the raw value with
            # only the channels that differ from the missing channel's threshold
            per, missing = thresholds_for(threshold, values)
            raw = {v: thr for v, thr in per.items() if thr != missing}
            if not raw:
                return ibis.literal(missing)
            return ch.substitute(raw, else_=missing)
        # no distinct values at hand: the family from the trimmed lower-case text
        from .channels import FAMILY_IDS, UNKNOWN, fold

        fam_thr, missing = thresholds_for(threshold, FAMILY_IDS)
        expr = family_case(ch).substitute(fam_thr, else_=missing)
        spelled = {}
        for key, value in (threshold or {}).items():
            if fold(key) not in {fold(f) for f in (*FAMILY_IDS, UNKNOWN)}:
                spelled[str(key).strip().lower()] = float(value)
        if spelled:
            text = ch.cast("string").strip().lower()
            expr = ibis.cases(*((text == k, v) for k, v in spelled.items()), else_=expr)
        return expr

    def add_derived(self, t, dims):
        """``t`` plus the derived dimensions of ``dims`` the data does not hold itself."""
        extra = {}
        if "channel_family" in dims and "channel_family" not in self.columns:
            # null for a missing channel: the engine shows it as "unknown"
            extra["channel_family"] = (
                family_case(t.channel, self.channel_values)
                if "channel" in self.columns
                else ibis.null("string")
            )
        return t.mutate(**extra) if extra else t

    def open_duration(self, options):
        as_of = options.get("as_of") or self.stats.get("as_of")
        if as_of is None:
            return ibis.null("float64")
        as_of = pd.Timestamp(as_of)
        if options.get("hours") == "business" and self._clock is not None:
            return self._clock.b_of(as_of) - self.t._B_created
        return _seconds_between(ibis.literal(as_of.to_pydatetime()), self.t.created_at)


class _BusinessClock:
    """B(t): business seconds before t, from a small calendar table joined in (any engine)."""

    def __init__(self, calendar, start: dt.date, end: dt.date):
        self.calendar = calendar
        self.start = start
        self.days = calendar.day_table(start, end)
        self.days = self.days.assign(
            date=pd.to_datetime(self.days["date"]).astype("datetime64[us]")
        )

    def b_of(self, ts: pd.Timestamp) -> float:
        day = ts.normalize()
        row = self.days.loc[self.days["date"] == day]
        if row.empty:
            return float("nan")
        r = row.iloc[0]
        tod = (ts - day).total_seconds()
        return float(r.cum_s + min(max(tod - r.open_s, 0.0), r.close_s - r.open_s))

    def _b_expr(self, t, ts_col: str, tag: str):
        cal = ibis.memtable(self.days).rename(
            {f"{tag}_d": "date", f"{tag}_o": "open_s", f"{tag}_c": "close_s", f"{tag}_cum": "cum_s"}
        )
        ts = t[ts_col]
        t = t.mutate(
            **{
                f"_{tag}_day": ts.truncate("D"),
                f"_{tag}_tod": _seconds_between(ts, ts.truncate("D")),
            }
        )
        t = t.left_join(cal, t[f"_{tag}_day"] == cal[f"{tag}_d"])
        span = t[f"{tag}_c"] - t[f"{tag}_o"]
        inside = ibis.greatest(ibis.least(t[f"_{tag}_tod"] - t[f"{tag}_o"], span), 0.0)
        b = t[f"{tag}_cum"] + inside
        return t.mutate(**{f"_B_{tag}": ibis.ifelse(ts.isnull(), ibis.null("float64"), b)}).drop(
            f"{tag}_d", f"{tag}_o", f"{tag}_c", f"{tag}_cum", f"_{tag}_day", f"_{tag}_tod"
        )

    def attach(self, t, has):
        t = self._b_expr(t, "created_at", "created")
        parts = []
        if "first_response_at" in has:
            parts.append(t.first_response_at)
        if "wait_s" in has:
            parts.append(t.created_at + (t.wait_s * 1e6).round().cast("int64").as_interval("us"))
        t = t.mutate(
            _fr_eff=ibis.coalesce(*parts)
            if len(parts) > 1
            else (parts[0] if parts else ibis.null("timestamp"))
        )
        t = self._b_expr(t, "_fr_eff", "fr")
        if "resolved_at" in has:
            t = self._b_expr(t, "resolved_at", "res")
            res_b = t._B_res - t._B_created
        else:
            res_b = ibis.null("float64")
        return t.mutate(_wait_b=t._B_fr - t._B_created, _res_time_b=res_b)


# ----------------------------------------------------------------------------- options


def _normalize_metrics(metrics) -> list[Metric]:
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    if not metrics:
        raise OptionError("`metrics` must name at least one KPI id, got an empty list.")
    seen: dict[str, Metric] = {}
    for m in metrics:
        metric = get_metric(m)
        seen.setdefault(metric.id, metric)
    return list(seen.values())


def _validate_option(metric: Metric, key: str, value):
    if key == "hours" and value not in ("calendar", "business"):
        raise OptionError(
            f"option `hours` of {metric.id!r} must be 'calendar' or 'business', got {value!r}."
        )
    if key == "variant":
        valid = ("offered", "answered", "exclude_short_abandons")
        if value not in valid:
            raise OptionError(
                f"option `variant` of {metric.id!r} must be one of {', '.join(map(repr, valid))}, got {value!r}."
            )
    if key == "threshold_s" and value is not None:
        ok = isinstance(value, (int, float, Mapping)) and not isinstance(value, bool)
        if not ok:
            raise OptionError(
                f"option `threshold_s` of {metric.id!r} must be a number of seconds or a mapping "
                f"channel -> seconds, got {value!r}."
            )
    if key == "exclude_abandoned" and not isinstance(value, bool):
        raise OptionError(
            f"option `exclude_abandoned` of {metric.id!r} must be true or false, got {value!r}."
        )
    if key in ("resolution_target_s", "short_abandon_s") and not isinstance(value, (int, float)):
        raise OptionError(
            f"option `{key}` of {metric.id!r} must be a number of seconds, got {value!r}."
        )
    if key == "scale" and value is not None and not isinstance(value, Scale):
        if not (isinstance(value, Sequence) and len(value) == 2):
            raise OptionError(
                f"option `scale` of {metric.id!r} must be [low, high], got {value!r}."
            )


def _resolve_options(
    metrics: list[Metric], options: Mapping | None, quantiles: str
) -> dict[str, dict]:
    options = dict(options or {})
    globals_ = {k: options.pop(k) for k in list(options) if k in _GLOBAL_OPTIONS}
    for key in options:
        get_metric(key)  # unknown ids raise UnknownMetricError
    resolved = {}
    for m in metrics:
        opts = dict(m.options)
        for k, v in globals_.items():
            if k in opts:
                opts[k] = v
        given = options.get(m.id) or {}
        if not isinstance(given, Mapping):
            raise OptionError(f"options for {m.id!r} must be a mapping, got {given!r}.")
        for k, v in given.items():
            if k not in m.options:
                valid = ", ".join(sorted(m.options)) or "none"
                raise OptionError(f"unknown option {k!r} for {m.id!r}; valid options: {valid}.")
            opts[k] = v
        for k, v in opts.items():
            _validate_option(m, k, v)
        opts["_quantiles"] = quantiles
        resolved[m.id] = opts
    return resolved


def _missing_requirements(metric: Metric, columns: set[str]) -> list[str]:
    groups = []
    for req in metric.requires:
        alternatives = _VIRTUAL.get(req, (req,))
        if not any(a in columns for a in alternatives):
            groups.append(alternatives)
    # a group that another missing group's columns would satisfy adds nothing to the message
    kept = [g for g in groups if not any(set(o) < set(g) for o in groups)]
    return [" or ".join(g) for g in kept]


class DimensionError(OptionError, DataError):
    """A ``by=`` name that is not a dimension of the data (not a column, or a measure).

    Both an :class:`OptionError` (a bad argument) and a :class:`DataError` (the data lacks
    the column), so callers catching either keep working."""


def _dimension_hint(item, available: Sequence[str]) -> str:
    import difflib

    names = [*available, *TIME_GRAINS]
    close = difflib.get_close_matches(str(item), names, n=1, cutoff=0.75)
    return f" Did you mean {close[0]!r}?" if close else ""


def normalize_by(by, columns=None) -> tuple[str | None, list[str]]:
    """Split `by` into a time grain and dimensions.

    ``columns``: None (presence not checked: any name is taken as a dimension), the data's
    column names, or its schema (name -> Ibis type), which also checks that a column is text
    or integer codes. Dimensions are the canonical ones (``channel``, ``team``, ``agent``,
    ``category``), any other text column of the data (``priority``, ``queue``...) and
    ``channel_family`` (derived from ``channel``; see :mod:`kpi_helpers.channels`).
    ``channel`` and ``channel_family`` are accepted without a channel column (every contact
    is then ``"unknown"``).
    """
    if by is None:
        return None, []
    items = [by] if isinstance(by, str) else list(by)
    grain = None
    dims: list[str] = []
    typed = isinstance(columns, Mapping)
    for item in items:
        if not isinstance(item, str) or not item.strip() or item == "period":
            valid = ", ".join(repr(x) for x in (*TIME_GRAINS, *DIMENSION_COLUMNS))
            raise OptionError(
                f"`by` must be None, a time grain or a dimension ({valid}, or another text "
                f"column of the data), got {item!r}."
            )
        if item in TIME_GRAINS:
            if grain is not None:
                raise OptionError(f"`by` may hold one time grain, got {grain!r} and {item!r}.")
            grain = item
            continue
        if item in dims:
            continue
        if columns is None or item in ("channel", *DERIVED_DIMENSIONS):
            dims.append(item)
            continue
        schema = dict(columns.items()) if typed else {c: None for c in columns}
        available = (
            dimension_columns(schema)
            if typed
            else [c for c in schema if c not in INTERACTION_COLUMNS or c in DIMENSION_COLUMNS]
        )
        listed = ", ".join(available) or "none"
        if item not in schema:
            raise DimensionError(
                f"`by`: {item!r} is not a column of the data; dimensions available: {listed} "
                f"(time grains: {', '.join(TIME_GRAINS)}).{_dimension_hint(item, available)}"
            )
        if typed and item not in available:
            dtype = schema[item]
            kind = INTERACTION_COLUMNS.get(item) or str(dtype)
            raise DimensionError(
                f"`by`: {item!r} is not a dimension (a column of {kind} values; dimensions "
                f"are text or integer-code columns); dimensions available: {listed}."
            )
        dims.append(item)
    return grain, dims


def period_bounds(period) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(start, end)`` Timestamps of a Period or a pair; start must be before end."""
    if hasattr(period, "start") and hasattr(period, "end"):
        start, end = period.start, period.end
    else:
        try:
            start, end = period
        except (TypeError, ValueError):
            raise OptionError(
                f"`period` must be a Period or a (start, end) pair, got {period!r}."
            ) from None
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if not start < end:
        raise OptionError(f"`period` must have start < end, got {start} .. {end}.")
    return start, end


def _lit(ts: pd.Timestamp):
    return ibis.literal(ts.to_pydatetime(), type="timestamp")


# ----------------------------------------------------------------------------- the query


def _data_stats(source: _Source, table, needs: set[str]) -> dict:
    """One small aggregate over the whole data: date span and the latest timestamp."""
    if not needs:
        return {}
    cols = set(table.columns)
    zone = source.local_zone
    aggs = {
        "min_created": _to_timestamp(table.created_at, zone).min(),
        "max_created": _to_timestamp(table.created_at, zone).max(),
    }
    for c in ("first_response_at", "resolved_at"):
        if c in cols:
            aggs[f"max_{c}"] = _to_timestamp(table[c], zone).max()
    extra = {}
    if "span" in needs and "wait_s" in cols:
        # business hours: created_at + wait_s may end after every timestamp of the data
        extra["max_wait"] = _to_float(table.wait_s, duration=True).max()
    row = source.execute(table.aggregate(**aggs, **extra)).iloc[0]
    stats = {"min_created": row["min_created"], "max_created": row["max_created"]}
    latest = [row[k] for k in aggs if k.startswith("max_") and pd.notna(row[k])]
    stats["as_of"] = max(latest) if latest else None
    if extra and pd.notna(row["max_wait"]) and pd.notna(row["max_created"]):
        stats["max_wait_end"] = pd.Timestamp(row["max_created"]) + pd.Timedelta(
            seconds=float(row["max_wait"])
        )
    return stats


def compute_components(
    data,
    metrics,
    by=None,
    *,
    options: Mapping | None = None,
    periods: Mapping[str, Any] | None = None,
    period=None,
    quantiles: str = "exact",
    timezone: str = DEFAULT_TIMEZONE,
    operations=None,
) -> pd.DataFrame:
    """KPI values plus their additive components per group (one query).

    Columns per KPI ``m``: ``m`` (the value), ``m__num``, ``m__den`` (value = scale * num /
    den), ``m__sumsq`` for means, ``m__n``. With ``periods={"a": pa, "b": pb}`` a key column
    ``period`` holds the label. See :func:`compute` for the other arguments.
    """
    frame, _ = _run_all(
        data,
        metrics,
        by,
        options=options,
        periods=periods,
        period=period,
        quantiles=quantiles,
        timezone=timezone,
        components=True,
        operations=operations,
    )
    return frame


def compute(
    data,
    metrics,
    by=None,
    *,
    options: Mapping | None = None,
    with_n: bool = False,
    quantiles: str = "exact",
    period=None,
    timezone: str = DEFAULT_TIMEZONE,
    operations=None,
) -> pd.DataFrame:
    """Compute KPIs per group in one grouped aggregate query.

    Parameters
    ----------
    data : LoadResult, pandas.DataFrame, path or ibis.Table
        Interactions in canonical columns.
    metrics : str or list of str
        KPI ids (see :func:`kpi_helpers.catalog`).
    by : None, str or list of str
        A time grain (``"day"``, ``"week"``, ``"month"``, ``"quarter"``, ``"year"``) and/or
        dimensions: ``"channel"``, ``"team"``, ``"agent"``, ``"category"``, any other text
        (or integer-code) column of the data (``"priority"``, ``"queue"``...), and
        ``"channel_family"`` (the family of the channel, computed in the query; see
        :mod:`kpi_helpers.channels`). Dimension values are kept as written in the data
        (``"Social media"`` stays ``"Social media"``); missing ones are ``"unknown"``.
    options : dict, optional
        Per-KPI options, e.g. ``{"service_level": {"threshold_s": 60}}``; the keys
        ``hours``, ``calendar`` and ``as_of`` at the top level apply to every KPI taking them.
    with_n : bool
        Add ``<id>_n``: the n behind each value (its denominator).
    quantiles : {"exact", "approx"}
        ``"approx"`` for engines without exact quantiles.
    period : Period or (start, end), optional
        Keep the contacts created in ``[start, end)``.
    operations : DataFrame or path, optional
        The periodic operations table, for the financial and learning KPIs.

    Returns
    -------
    pandas.DataFrame
        One row per group (time buckets as their start, in a column named after the grain;
        empty buckets inside the range are filled: counts 0, ratios NaN), one column per KPI.

    Warns
    -----
    DataWarning
        Once per call when the data (a DataFrame, path or Ibis table; not a LoadResult,
        which the loader checked) has rows the loader would reject: duplicate ids, blank
        required values, negative durations, answers before the contact, scores outside their
        scale (:func:`kpi_helpers.checks.check_data`, one aggregate query, cached per source).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"interaction_id": ["a", "b"],
    ...     "created_at": pd.to_datetime(["2026-01-05 10:00", "2026-01-05 11:00"]),
    ...     "csat": [5, None]})
    >>> compute(df, ["volume", "csat"], with_n=True)
       volume  csat  volume_n  csat_n
    0       2   1.0         2       1
    """
    frame, metric_list = _run_all(
        data,
        metrics,
        by,
        options=options,
        period=period,
        quantiles=quantiles,
        timezone=timezone,
        components=False,
        operations=operations,
    )
    keys = [c for c in frame.columns if c in frame.attrs.get("keys", ())]
    cols = keys + [m.id for m in metric_list]
    if with_n:
        cols += [f"{m.id}__n" for m in metric_list]
    out = frame[cols].rename(columns={f"{m.id}__n": f"{m.id}_n" for m in metric_list})
    out.attrs = {k: v for k, v in frame.attrs.items() if k in ("unavailable", "keys")}
    return out


def _run_all(data, metrics, by, *, operations=None, **kw):
    """Split interaction KPIs (one query) from operations KPIs (kpi_helpers.operations)."""
    metric_list = _normalize_metrics(metrics)
    ops = [m for m in metric_list if m.source == "operations"]
    if operations is None or not ops:
        if data is None:
            raise DataError("`data` is required (interactions), got None.")
        return _run(data, metric_list, by, **kw)
    from .operations import compute_operations

    ops_frame = compute_operations(
        operations,
        [m.id for m in ops],
        by=by,
        period=kw.get("period"),
        periods=kw.get("periods"),
        data=data,
        options=kw.get("options"),
    )
    inter = [m for m in metric_list if m.source != "operations"]
    ops_unavailable = dict(ops_frame.attrs.get("unavailable", {}))
    if not inter:
        if len(ops_unavailable) == len(ops):
            detail = "; ".join(f"{k}: {v}" for k, v in ops_unavailable.items())
            raise MetricUnavailable(
                f"cannot compute {', '.join(ops_unavailable)} ({detail}).",
                metric=ops[0].id,
                missing=tuple(ops_unavailable.values()),
            )
        frame = ops_frame
    else:
        frame, _ = _run(data, inter, by, **kw)
        keys = list(frame.attrs.get("keys", ()))
        attrs = dict(frame.attrs)
        attrs["unavailable"] = {**attrs.get("unavailable", {}), **ops_unavailable}
        frame = (
            frame.merge(ops_frame, on=keys, how="outer")
            if keys
            else pd.concat([frame.reset_index(drop=True), ops_frame.reset_index(drop=True)], axis=1)
        )
        if keys:
            frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
        frame.attrs = attrs
    by_dims = normalize_by(by)[1]
    keys = [c for c in frame.columns if c in ("period", *TIME_GRAINS, *DIMENSION_COLUMNS, *by_dims)]
    frame.attrs.setdefault("keys", tuple(keys))
    frame.attrs.setdefault("unavailable", {})
    values = [m.id for m in metric_list]
    rest = [c for c in frame.columns if c not in keys and c not in values]
    out = frame[
        list(frame.attrs["keys"]) + values + [c for c in rest if c not in frame.attrs["keys"]]
    ]
    out.attrs = frame.attrs
    return out, metric_list


def _channel_values(source: _Source, raw) -> list:
    """The distinct values of the data's channel column (one small query)."""
    return source.execute(raw.select("channel").distinct())["channel"].tolist()


def _run(
    data,
    metrics,
    by,
    *,
    options,
    period=None,
    periods=None,
    quantiles="exact",
    timezone=DEFAULT_TIMEZONE,
    components=False,
):
    if quantiles not in ("exact", "approx"):
        raise OptionError(f"`quantiles` must be 'exact' or 'approx', got {quantiles!r}.")
    metric_list = _normalize_metrics(metrics)
    source = as_table(data, timezone=timezone)
    raw = source.table
    columns = set(raw.columns)
    for req in ("created_at",):
        if req not in columns:
            raise DataError(
                f"{source.name}: column 'created_at' is required and absent (found: "
                f"{', '.join(sorted(columns)) or 'no columns'}). Map your creation date column "
                "to created_at with kpi_helpers.load_interactions(path, mapping={'created_at': ...})."
            )
    grain, dims = normalize_by(by, raw.schema())
    opts = _resolve_options(metric_list, options, quantiles)

    unavailable: dict[str, str] = {}
    for m in metric_list:
        if m.source != "interactions":
            unavailable[m.id] = "needs the operations table (operations=...)"
            continue
        missing = _missing_requirements(m, columns)
        if missing:
            unavailable[m.id] = "needs column " + ", ".join(missing)
    usable = [m for m in metric_list if m.id not in unavailable]
    if not usable:
        detail = "; ".join(f"{k}: {v}" for k, v in unavailable.items())
        first = metric_list[0]
        raise MetricUnavailable(
            f"{source.name}: cannot compute {', '.join(unavailable)} ({detail}). "
            f"Columns present: {', '.join(sorted(columns))}.",
            metric=first.id,
            missing=tuple(unavailable.values()),
        )
    for mid, why in unavailable.items():
        warnings.warn(MetricUnavailable(f"{mid}: {why}", metric=mid), stacklevel=3)

    business = any(opts[m.id].get("hours") == "business" for m in usable)
    needs_stats = set()
    if any(m.id == "sla_compliance" and opts[m.id].get("as_of") is None for m in usable):
        needs_stats.add("as_of")
    if (
        any(m.kind == "per_day" for m in usable)
        and grain is None
        and period is None
        and periods is None
    ):
        needs_stats.add("span")
    if business:
        needs_stats.add("span")
    stats = _data_stats(source, raw, needs_stats)

    clock = None
    if business:
        calendar = next(
            (opts[m.id].get("calendar") for m in usable if opts[m.id].get("calendar")), None
        )
        if calendar is None:
            from .calendar import default_calendar

            calendar = default_calendar()
        lo = stats.get("min_created")
        hi = stats.get("as_of") or stats.get("max_created")
        if pd.isna(lo):
            lo = hi = pd.Timestamp("2000-01-01")
        if stats.get("max_wait_end") is not None:
            hi = max(pd.Timestamp(hi), stats["max_wait_end"])
        start = (pd.Timestamp(lo) - pd.Timedelta(days=1)).date()
        end = (pd.Timestamp(hi) + pd.Timedelta(days=2)).date()
        if any(opts[m.id].get("as_of") for m in usable):
            for m in usable:
                a = opts[m.id].get("as_of")
                if a is not None:
                    end = max(end, (pd.Timestamp(a) + pd.Timedelta(days=2)).date())
                    start = min(start, (pd.Timestamp(a) - pd.Timedelta(days=1)).date())
        clock = _BusinessClock(calendar, start, end)

    ctx = _Context(
        raw,
        scales=source.scales,
        stats=stats,
        business_clock=clock,
        want_sumsq=components,
        zone=source.local_zone,
    )
    derived = [d for d in dims if d in DERIVED_DIMENSIONS and d not in columns]
    if "channel" in columns and (
        derived
        or any(
            m.id == "service_level" and not isinstance(opts[m.id].get("threshold_s"), (int, float))
            for m in usable
        )
    ):
        # a tiny query for the distinct channels keeps string work out of the main query:
        # thresholds and families are looked up here, the query holds one CASE on the value
        ctx.channel_values = _channel_values(source, raw)
    if derived:
        ctx.t = ctx.add_derived(ctx.t, derived)
    # the row checks of the data (cached per source; riding in this query when it reads
    # every row, else one aggregate query of their own): one DataWarning per call
    data_check = _checks._Fused(
        data, source, _scales_in_force(source, usable, opts), fuse=period is None and not periods
    )
    t = ctx.t
    key_cols: list[str] = []
    if periods:
        bounds = {label: period_bounds(p) for label, p in periods.items()}
        pieces = [
            t.filter((t.created_at >= _lit(s)) & (t.created_at < _lit(e))).mutate(
                period=ibis.literal(str(label))
            )
            for label, (s, e) in bounds.items()
        ]
        t = pieces[0]
        for piece in pieces[1:]:
            t = t.union(piece, distinct=False)
        key_cols.append("period")
    elif period is not None:
        ps, pe = period_bounds(period)
        t = t.filter((t.created_at >= _lit(ps)) & (t.created_at < _lit(pe)))
    if grain is not None:
        t = t.mutate(**{grain: t.created_at.truncate(_GRAIN_UNIT[grain])})
        key_cols.append(grain)
    if dims:
        t = t.mutate(**{d: t[d].cast("string").fill_null("unknown") for d in dims})
    key_cols += dims
    ctx.t = t

    # Build the components, sharing identical aggregates.
    aggs: dict[str, Any] = {}
    by_op: dict[Any, str] = {}

    def add(expr) -> str | None:
        if expr is None:
            return None
        op = expr.op()
        if op in by_op:
            return by_op[op]
        name = f"_c{len(aggs)}"
        by_op[op] = name
        aggs[name] = expr
        return name

    plan: dict[str, dict[str, str | None]] = {}
    for m in usable:
        parts: Parts = m.build(ctx, opts[m.id])
        plan[m.id] = {
            "num": add(parts.num),
            "den": add(parts.den),
            "sumsq": add(parts.sumsq),
            "quantile": add(parts.quantile),
            "n": add(parts.n),
        }
    rows_name = add(t.count())  # shared with a KPI's COUNT(*) when there is one
    aggs.update(data_check.aggregates(t))
    if key_cols:
        query = t.group_by(key_cols).aggregate(**aggs)
    else:
        query = t.aggregate(**aggs)
    try:
        raw_result = source.execute(query)
    except Exception as exc:  # noqa: BLE001 - engine errors on bad values become DataErrors
        raise DataError(
            f"{source.name}: the KPI query failed ({type(exc).__name__}: {exc})."
        ) from exc

    if rows_name != "_rows":
        raw_result["_rows"] = raw_result[rows_name]
    check = data_check.complete(raw_result, int(raw_result["_rows"].fillna(0).sum()))
    _checks.warn(check)
    result = raw_result
    if dims and (period is not None or periods) and any(m.kind == "stock" for m in usable):
        # a stock counts contacts created before the period: a segment with open contacts
        # but no new ones in the period still has a backlog
        result = _add_stock_segments(source, ctx, raw, result, dims, grain, period, periods)
    if grain is not None:
        result[grain] = pd.to_datetime(result[grain]).astype("datetime64[ns]")
        if result[grain].isna().any():
            nnull = int(result.loc[result[grain].isna(), "_rows"].sum())
            warnings.warn(
                f"{nnull} contacts without created_at are left out of the time buckets.",
                stacklevel=3,
            )
            result = result[result[grain].notna()]
        result = _fill_time_gaps(result, grain, dims, key_cols, period, list(aggs))

    out = result[key_cols].copy() if key_cols else pd.DataFrame(index=result.index)
    days = _bucket_days(result, grain, period, periods, stats)
    for m in metric_list:
        if m.id in unavailable:
            out[m.id] = np.nan
            out[f"{m.id}__n"] = np.nan
            continue
        p = plan[m.id]
        if m.kind == "stock":
            continue  # filled below
        if m.kind == "quantile":
            out[m.id] = result[p["quantile"]].astype("float64")
            out[f"{m.id}__n"] = result[p["n"]].fillna(0).astype("int64")
            continue
        num = result[p["num"]].astype("float64").fillna(0.0)
        if m.kind == "per_day":
            den = pd.Series(days, index=result.index, dtype="float64")
        elif p["den"] is None:
            den = pd.Series(1.0, index=result.index)
        else:
            den = result[p["den"]].astype("float64").fillna(0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = m.scale * num / den.where(den != 0)
        if m.kind == "count":
            out[m.id] = num.round().astype("int64")
        else:
            out[m.id] = value.astype("float64")
        if components:
            out[f"{m.id}__num"] = num
            out[f"{m.id}__den"] = den
            if p["sumsq"] is not None:
                out[f"{m.id}__sumsq"] = result[p["sumsq"]].astype("float64").fillna(0.0)
        n = num if m.kind in ("count", "per_day") else den
        out[f"{m.id}__n"] = n.round().astype("int64")
    for m in usable:
        if m.kind == "stock":
            stock = _backlog(
                source, ctx, raw, out, grain, dims, key_cols, period, periods, opts[m.id]
            )
            out[m.id] = stock.astype("int64")
            out[f"{m.id}__n"] = stock.astype("int64")
            if components:
                out[f"{m.id}__num"] = stock.astype("float64")
                out[f"{m.id}__den"] = 1.0
    if key_cols:
        out = out.sort_values(key_cols, kind="stable").reset_index(drop=True)
    else:
        out = out.reset_index(drop=True)
    out.attrs["unavailable"] = unavailable
    out.attrs["keys"] = tuple(key_cols)
    # column order: keys, values, then components
    value_cols = [m.id for m in metric_list]
    rest = [c for c in out.columns if c not in key_cols and c not in value_cols]
    out = out[key_cols + value_cols + rest]
    out.attrs["unavailable"] = unavailable
    out.attrs["keys"] = tuple(key_cols)
    out.attrs["data_check"] = check
    coverage = check.coverage
    if periods and dims:
        # where each segment starts and stops (compare's driver notes), cached per source
        seg_source = source
        if derived:
            seg_source = _dc_replace(source, table=ctx.add_derived(raw, derived))
        coverage = _checks.with_segments(data, seg_source, coverage, dims)
    out.attrs["coverage"] = coverage
    return out, metric_list


#: Survey columns and the KPIs that take their ``scale`` option.
_SCALE_USERS = {"csat": ("csat", "csat_mean"), "nps": ("nps",), "ces": ("ces",)}


def _scales_in_force(source: _Source, usable, opts) -> dict[str, Scale]:
    """The survey scales the data checks use: a KPI's ``scale`` option, else the data's
    declared scale, else the default."""
    out = dict(DEFAULT_SCALES)
    out.update(source.scales or {})
    ids = {m.id for m in usable}
    for name, users in _SCALE_USERS.items():
        for mid in users:
            given = opts.get(mid, {}).get("scale") if mid in ids else None
            if given is not None:
                out[name] = given if isinstance(given, Scale) else Scale(*given)
                break
    return out


def _bucket_starts(grain: str, lo: pd.Timestamp, hi: pd.Timestamp) -> pd.DatetimeIndex:
    freq = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}[grain]
    return pd.date_range(lo, hi, freq=freq)


def _bucket_start(grain: str, ts: pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(ts).normalize()
    if grain == "day":
        return ts
    if grain == "week":
        return ts - pd.Timedelta(days=ts.weekday())
    if grain == "month":
        return ts.replace(day=1)
    if grain == "quarter":
        return ts.replace(month=3 * ((ts.month - 1) // 3) + 1, day=1)
    return ts.replace(month=1, day=1)


def bucket_end(grain: str, start: pd.Timestamp) -> pd.Timestamp:
    """The first instant after the time bucket starting at ``start``."""
    offset = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(days=7),
        "month": pd.DateOffset(months=1),
        "quarter": pd.DateOffset(months=3),
        "year": pd.DateOffset(years=1),
    }[grain]
    return start + offset


def _stock_base(ctx, raw, dims):
    """The whole data, prepared (no period filter, no business clock), dimensions normalised:
    a stock at a bucket's end counts contacts created before the bucket."""
    base_ctx = _Context(raw, scales=ctx.scales, stats=ctx.stats, zone=ctx.zone)
    base_ctx.channel_values = ctx.channel_values
    base = base_ctx.add_derived(base_ctx.t, dims)
    if dims:
        base = base.mutate(**{d: base[d].cast("string").fill_null("unknown") for d in dims})
    return base


def _add_stock_segments(source, ctx, raw, result, dims, grain, period, periods):
    """Rows (no contacts) for the segments of the whole data missing from the period's rows."""
    combos = source.execute(_stock_base(ctx, raw, dims).select(*dims).distinct())
    labels = [str(k) for k in periods] if periods else [None]
    extra = []
    for label in labels:
        have = result if label is None else result[result["period"] == label]
        missing = combos.merge(have[dims].drop_duplicates(), on=dims, how="left", indicator=True)
        missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
        if missing.empty:
            continue
        if label is not None:
            missing = missing.assign(period=label)
        if grain is not None:
            start = period_bounds(period)[0] if period is not None else result[grain].min()
            if pd.isna(start):
                continue
            missing = missing.assign(**{grain: _bucket_start(grain, pd.Timestamp(start))})
        extra.append(missing)
    if not extra:
        return result
    return pd.concat([result, *extra], ignore_index=True)


def _fill_time_gaps(result, grain, dims, key_cols, period, agg_cols):
    if period is not None:
        ps, pe = period_bounds(period)
        lo, hi = _bucket_start(grain, ps), _bucket_start(grain, pe - pd.Timedelta(microseconds=1))
    elif len(result):
        lo, hi = result[grain].min(), result[grain].max()
    else:
        return result
    starts = _bucket_starts(grain, lo, hi)
    if len(starts) == 0:
        return result
    other = [k for k in key_cols if k != grain]
    if other:
        combos = result[other].drop_duplicates()
        if combos.empty:
            return result
        full = combos.merge(pd.DataFrame({grain: starts}), how="cross")
    else:
        full = pd.DataFrame({grain: starts})
    full[grain] = full[grain].astype("datetime64[ns]")
    merged = full.merge(result, on=key_cols, how="left")
    return merged


def _bucket_days(result, grain, period, periods, stats):
    if periods:
        lengths = {}
        for label, p in periods.items():
            s, e = period_bounds(p)
            lengths[str(label)] = (e.normalize() - s.normalize()).days
        return result["period"].map(lengths).astype("float64").to_numpy()
    if grain is not None:
        starts = pd.to_datetime(result[grain])
        ends = starts.map(lambda s: bucket_end(grain, s))
        if period is not None:
            ps, pe = period_bounds(period)
            starts = starts.clip(lower=ps.normalize())
            ends = ends.clip(upper=pe.normalize())
        return ((ends - starts).dt.days).astype("float64").to_numpy()
    if period is not None:
        ps, pe = period_bounds(period)
        return np.full(len(result), float((pe.normalize() - ps.normalize()).days))
    lo, hi = stats.get("min_created"), stats.get("max_created")
    if lo is None or pd.isna(lo):
        return np.full(len(result), np.nan)
    span = (pd.Timestamp(hi).normalize() - pd.Timestamp(lo).normalize()).days + 1
    return np.full(len(result), float(span))


def _backlog(source, ctx, raw, out, grain, dims, key_cols, period, periods, options):
    """Open contacts at the end of each bucket: created before the end, not resolved by then."""
    base = _stock_base(ctx, raw, dims)
    if options.get("exclude_abandoned"):
        base = base.filter(~base._abandoned.fill_null(False))
    created = base.created_at
    res = base.resolved_at
    if periods or grain is None:
        # one end per output row: the period's end, the given as_of, or after all data
        if periods:
            ends = {str(k): period_bounds(p)[1] for k, p in periods.items()}
        elif period is not None:
            ends = {"_": period_bounds(period)[1]}
        elif options.get("as_of") is not None:
            ends = {"_": pd.Timestamp(options["as_of"])}
        else:
            ends = {"_": None}
        aggs = {}
        for i, end in enumerate(ends.values()):
            if end is None:
                cond = res.isnull()
            else:
                e = _lit(end)
                cond = (created < e) & (res.isnull() | (res >= e))
            aggs[f"_b{i}"] = base.count(where=cond)
        q = base.group_by(dims).aggregate(**aggs) if dims else base.aggregate(**aggs)
        counts = source.execute(q)
        frames = []
        for i, label in enumerate(ends):
            f = counts[dims + [f"_b{i}"]].rename(columns={f"_b{i}": "_stock"})
            if periods:
                f = f.assign(period=label)
            frames.append(f)
        table = pd.concat(frames, ignore_index=True)
        on = (["period"] if periods else []) + dims
        if on:
            merged = out[on].merge(table, on=on, how="left")
            return merged["_stock"].fillna(0).to_numpy()
        return np.full(len(out), table["_stock"].iloc[0] if len(table) else 0)
    # time buckets: cumulative created minus cumulative closed, per dimension combination
    unit = _GRAIN_UNIT[grain]
    closed_ts = ibis.greatest(created, res)
    opened = (
        base.mutate(_bk=created.truncate(unit))
        .group_by(["_bk", *dims])
        .aggregate(_n=ibis._.count())
    )
    closed = (
        base.filter(res.notnull())
        .mutate(_bk=closed_ts.truncate(unit))
        .group_by(["_bk", *dims])
        .aggregate(_n=ibis._.count())
    )
    o = source.execute(opened).assign(_sign=1)
    c = source.execute(closed).assign(_sign=-1)
    ev = pd.concat([o, c], ignore_index=True)
    ev = ev[ev["_bk"].notna()]
    ev["_bk"] = pd.to_datetime(ev["_bk"]).astype("datetime64[ns]")
    ev["_d"] = ev["_n"] * ev["_sign"]
    if out.empty:
        return np.zeros(0)
    last = out[grain].max()
    ev = ev[ev["_bk"] <= last]
    delta = ev.groupby(["_bk", *dims], dropna=False)["_d"].sum().reset_index()
    lo = min(delta["_bk"].min(), out[grain].min()) if len(delta) else out[grain].min()
    starts = pd.DatetimeIndex(_bucket_starts(grain, lo, last)).astype("datetime64[ns]")
    if dims:
        combos = out[dims].drop_duplicates()
        grid = combos.merge(pd.DataFrame({"_bk": starts}), how="cross")
    else:
        grid = pd.DataFrame({"_bk": starts})
    grid = grid.merge(delta, on=["_bk", *dims], how="left").fillna({"_d": 0})
    grid = grid.sort_values([*dims, "_bk"])
    grid["_stock"] = grid.groupby(dims)["_d"].cumsum() if dims else grid["_d"].cumsum()
    merged = out[[grain, *dims]].merge(
        grid.rename(columns={"_bk": grain})[[grain, *dims, "_stock"]], on=[grain, *dims], how="left"
    )
    return merged["_stock"].fillna(0).to_numpy()
