"""Seeded synthetic sample data: customer-service interactions and monthly operations.

The generator is fully vectorised (NumPy, no Python loop per row) and deterministic: the same
arguments give the same rows, and :func:`write_sample` gives byte-identical files. It works in
chunks of whole days inside one calendar month, each chunk with its own random stream derived
from ``seed`` and the chunk's first day, so :func:`generate` and :func:`write_parquet` (the
bounded-memory writer for 1M-100M rows) produce the same rows.

Planted stories (see ``data/sample/README.md`` for the measured effect sizes):

1. February 2026 has fewer contacts than January 2026 because it has fewer days: per calendar
   day the expected volume is the same within 1%.
2. WhatsApp's first-response waits are 4x longer in August 2026 (and abandonment 2.5x higher),
   so its service level drops and it drives the service-level drop of August vs July.
3. The team "Suporte Técnico" has a training programme in May 2026 (training hours spike in the
   operations table; leavers drop afterwards) and its CSAT (top-two-box share) improves from
   about 0.70 to about 0.85 from June 2026 on.

Examples
--------
>>> from kpi_helpers import sample
>>> df = sample.generate(2_000, seed=1)
>>> bool(df["interaction_id"].is_unique)
True
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .config import SAMPLE_DIR
from .errors import DataError, OptionError
from .io import load_interactions
from .schema import INTERACTION_COLUMNS, OPERATIONS_COLUMNS

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_START",
    "DEFAULT_END",
    "DEFAULT_DAILY_MEAN",
    "CHANNELS",
    "TEAMS",
    "CATEGORIES",
    "AGENTS",
    "STORIES",
    "generate",
    "generate_operations",
    "write_sample",
    "write_parquet",
    "interactions",
    "operations",
    "sample_path",
    "operations_path",
    "main",
]

DEFAULT_SEED = 20260101
DEFAULT_START = "2025-10-01"
DEFAULT_END = "2026-11-01"
#: Expected contacts on an ordinary Friday; other days scale by weekday and holiday factors.
DEFAULT_DAILY_MEAN = 140.0
#: Upper bound of expected rows per generated chunk (bounds memory for big files).
_CHUNK_ROWS = 1_000_000
_ID_WIDTH = 8  # digits of the per-month sequence in interaction_id ("C202601-00000001")
_US = 1_000_000  # microseconds per second

# --- dimensions -----------------------------------------------------------------------------

CHANNELS: tuple[str, ...] = ("phone", "whatsapp", "chat", "email", "instagram")
_CHANNEL_SHARE = np.array([0.30, 0.28, 0.17, 0.15, 0.10])

CATEGORIES: tuple[str, ...] = (
    "billing",
    "technical",
    "delivery",
    "account",
    "cancellation",
    "information",
)
_CATEGORY_SHARE = np.array([0.22, 0.22, 0.17, 0.14, 0.08, 0.17])

TEAMS: tuple[str, ...] = (
    "Atendimento N1",
    "Suporte Técnico",
    "Financeiro",
    "Retenção",
    "Logística",
)
_N1, _TECH = 0, 1
# P(team | category): rows follow CATEGORIES, columns follow TEAMS.
_CATEGORY_TEAM = np.array(
    [
        [0.15, 0.00, 0.85, 0.00, 0.00],  # billing
        [0.15, 0.85, 0.00, 0.00, 0.00],  # technical
        [0.15, 0.00, 0.00, 0.00, 0.85],  # delivery
        [0.85, 0.15, 0.00, 0.00, 0.00],  # account
        [0.10, 0.00, 0.00, 0.90, 0.00],  # cancellation
        [1.00, 0.00, 0.00, 0.00, 0.00],  # information
    ]
)

#: Agents per team (40 in all; each agent belongs to one team).
AGENTS: dict[str, tuple[str, ...]] = {
    "Atendimento N1": (
        "Ana Paula Souza",
        "Bruno Henrique Lima",
        "Camila Ferreira",
        "Diego Santos",
        "Eduarda Ribeiro",
        "Felipe Carvalho",
        "Gabriela Rocha",
        "Gustavo Almeida",
        "Juliana Costa",
        "Larissa Mendes",
        "Lucas Oliveira",
        "Mariana Barbosa",
        "Rafael Gomes",
    ),
    "Suporte Técnico": (
        "André Nascimento",
        "Beatriz Araújo",
        "Carlos Eduardo Pinto",
        "Fernanda Teixeira",
        "João Pedro Martins",
        "Letícia Cardoso",
        "Marcelo Dias",
        "Patrícia Moreira",
        "Thiago Correia",
    ),
    "Financeiro": (
        "Aline Cavalcanti",
        "Daniel Freitas",
        "Elaine Monteiro",
        "Fábio Rezende",
        "Helena Batista",
        "Igor Vasconcelos",
        "Renata Farias",
        "Vinícius Moura",
    ),
    "Retenção": (
        "Cláudia Nogueira",
        "Leonardo Peixoto",
        "Sabrina Campos",
        "Rodrigo Tavares",
    ),
    "Logística": (
        "Amanda Lopes",
        "Caio Figueiredo",
        "Débora Pires",
        "Henrique Sales",
        "Priscila Duarte",
        "Tatiane Brito",
    ),
}

# --- per-channel behaviour (arrays follow CHANNELS) ------------------------------------------

# First-response wait of a human, lognormal: median and sigma of log (seconds).
_WAIT_MEDIAN_S = np.array([9.0, 100.0, 20.0, 3 * 3600.0, 900.0])
_WAIT_SIGMA = np.array([0.8, 0.9, 0.8, 0.9, 1.0])
_ABANDON_P = np.array([0.06, 0.03, 0.05, 0.0, 0.04])
_BOT_P = np.array([0.0, 0.30, 0.15, 0.0, 0.20])
_ESCALATE_P = 0.45  # of bot conversations, the share handed to a human
_BOT_RESOLVED_P = 0.90  # of contained bot conversations, the share resolved (others: abandoned)
_HARD_P = 0.04  # answered contacts that need days to resolve
_HARD_LAG_S = 8 * 86400.0  # median extra time to resolve a hard case
# Staffed hours (start, end) of the queue: waits start counting at the next opening.
_OPEN_HOUR = np.array([8, 7, 7, 8, 8])
_CLOSE_HOUR = np.array([20, 22, 22, 18, 20])
_WEEKDAYS_ONLY = np.array([False, False, False, True, False])
# Handle time (talk/typing + after-contact work), lognormal median in seconds.
_AHT_MEDIAN_S = np.array([330.0, 840.0, 600.0, 420.0, 480.0])
# Extra time from the end of handling to resolution, lognormal median in seconds.
_RESOLVE_LAG_S = np.array([60.0, 1800.0, 60.0, 4 * 3600.0, 3600.0])
# Service-level threshold per channel (KPIS.md defaults), used for the satisfaction model.
_SL_THRESHOLD_S = np.array([20.0, 300.0, 60.0, 86400.0, 3600.0])

# Intraday arrival curves (relative weights per hour 0..23).
_HOURS_DIGITAL = np.array(
    [0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 4.6, 4.5]
    + [3.6, 3.8, 4.4, 4.5, 4.2, 3.7, 3.0, 2.6, 2.4, 2.0, 1.4, 0.8]
)
_HOURS_PHONE = np.array(
    [0.0] * 8 + [3.0, 4.8, 5.2, 4.8, 3.6, 3.8, 4.6, 4.7, 4.2, 3.5, 2.6, 1.8] + [0.0] * 4
)
_HOURS_EMAIL = np.array(
    [0.4, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.5, 3.0, 4.2, 4.4, 4.2]
    + [3.4, 3.6, 4.0, 4.0, 3.6, 3.0, 2.2, 1.8, 1.6, 1.3, 1.0, 0.6]
)
_HOUR_CDF = np.vstack(
    [
        np.cumsum(h / h.sum())
        for h in (_HOURS_PHONE, _HOURS_DIGITAL, _HOURS_DIGITAL, _HOURS_EMAIL, _HOURS_DIGITAL)
    ]
)

# Weekly seasonality (Monday..Sunday) and special days.
_WEEKDAY_FACTOR = np.array([1.20, 1.12, 1.08, 1.05, 1.00, 0.60, 0.35])
_HOLIDAY_FACTOR = 0.35  # national holidays are as quiet as a Sunday
_CARNIVAL_FACTOR = 0.75  # Carnival Monday/Tuesday (optional holidays) are quieter
_BLACK_FRIDAY_FACTOR = {0: 1.6, 1: 1.3, 3: 1.3}  # days after Black Friday -> factor

# --- satisfaction model -----------------------------------------------------------------------

# P(top-two-box) before penalties, per team (TEAMS order).
_SAT_BASE = np.array([0.86, 0.76, 0.84, 0.80, 0.86])
_SAT_TECH_AFTER_TRAINING = 0.90
_SAT_BOT = 0.80
_CSAT_RESPONSE_P = 0.26
_NPS_RESPONSE_P = 0.12
_CES_RESPONSE_P = 0.15

#: The planted stories; tests and data/sample/README.md refer to these values.
STORIES: dict[str, dict] = {
    "calendar": {"month_a": "2026-01", "month_b": "2026-02"},
    "whatsapp_service_level": {
        "channel": "whatsapp",
        "month": "2026-08",
        "previous_month": "2026-07",
        "wait_factor": 4.0,
        "abandon_factor": 2.5,
    },
    "training": {
        "team": "Suporte Técnico",
        "training_month": "2026-05",
        "effect_from": "2026-06",
    },
}
_WA_STORY_MONTH = pd.Period(STORIES["whatsapp_service_level"]["month"], "M")
_TRAINING_MONTH = pd.Period(STORIES["training"]["training_month"], "M")
_TRAINING_EFFECT_FROM = pd.Period(STORIES["training"]["effect_from"], "M")

_ARROW_SCHEMA = pa.schema(
    [
        ("interaction_id", pa.string()),
        ("created_at", pa.timestamp("us")),
        ("channel", pa.string()),
        ("team", pa.string()),
        ("agent", pa.string()),
        ("category", pa.string()),
        ("first_response_at", pa.timestamp("us")),
        ("wait_s", pa.float64()),
        ("answered", pa.bool_()),
        ("abandoned", pa.bool_()),
        ("resolved_at", pa.timestamp("us")),
        ("resolved", pa.bool_()),
        ("contacts", pa.int64()),
        ("reopened", pa.bool_()),
        ("transferred", pa.bool_()),
        ("bot_handled", pa.bool_()),
        ("escalated", pa.bool_()),
        ("handle_time_s", pa.float64()),
        ("csat", pa.int64()),
        ("nps", pa.int64()),
        ("ces", pa.int64()),
        ("delivered", pa.bool_()),
    ]
)
assert tuple(_ARROW_SCHEMA.names) == tuple(INTERACTION_COLUMNS)


# --- public API -------------------------------------------------------------------------------


def sample_path() -> Path:
    """Path of the committed sample interactions (``data/sample/interactions.parquet``)."""
    return SAMPLE_DIR / "interactions.parquet"


def operations_path() -> Path:
    """Path of the committed sample operations table (``data/sample/operations.csv``)."""
    return SAMPLE_DIR / "operations.csv"


def generate(
    n: int | None = None,
    *,
    seed: int = DEFAULT_SEED,
    start: str | _dt.date = DEFAULT_START,
    end: str | _dt.date = DEFAULT_END,
    daily_mean: float = DEFAULT_DAILY_MEAN,
) -> pd.DataFrame:
    """Generate synthetic interactions in the canonical columns.

    Parameters
    ----------
    n : int, optional
        Approximate number of rows wanted: the daily rates are scaled so that the expected
        total over ``[start, end)`` is ``n`` (the realised count differs by Poisson noise,
        about ``sqrt(n)``). ``None`` uses ``daily_mean``.
    seed : int
        Seed of the random streams; the same arguments give the same rows.
    start, end : str or date
        Half-open span ``[start, end)`` of ``created_at``; ``end`` is also the extraction
        time: responses and resolutions after it are absent (open tickets).
    daily_mean : float
        Expected contacts on an ordinary Friday (ignored when ``n`` is given).

    Returns
    -------
    pandas.DataFrame
        One row per contact, every column of ``schema.INTERACTION_COLUMNS``, sorted by
        ``created_at``. Timestamps are naive local time (microseconds).

    Examples
    --------
    >>> df = generate(1_000, seed=3)
    >>> list(df.columns[:3])
    ['interaction_id', 'created_at', 'channel']
    """
    tables = [t for t in _iter_tables(n, seed=seed, start=start, end=end, daily_mean=daily_mean)]
    table = pa.concat_tables(tables) if tables else _ARROW_SCHEMA.empty_table()
    return _to_pandas(table)


def write_parquet(
    path: str | Path,
    n: int | None = None,
    *,
    seed: int = DEFAULT_SEED,
    start: str | _dt.date = DEFAULT_START,
    end: str | _dt.date = DEFAULT_END,
    daily_mean: float = DEFAULT_DAILY_MEAN,
) -> int:
    """Write generated interactions to Parquet chunk by chunk (bounded memory).

    Same rows as :func:`generate` with the same arguments; suitable for 1M-100M rows
    (memory is bounded by one chunk of at most about 1M rows).

    Returns
    -------
    int
        The number of rows written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    rows = 0
    with pq.ParquetWriter(tmp, _ARROW_SCHEMA, compression="zstd") as writer:
        for table in _iter_tables(n, seed=seed, start=start, end=end, daily_mean=daily_mean):
            writer.write_table(table)
            rows += table.num_rows
    tmp.replace(path)
    return rows


def generate_operations(
    interactions: pd.DataFrame | None = None, *, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """Generate the monthly operations table (one row per month and team).

    Parameters
    ----------
    interactions : pandas.DataFrame, optional
        Interactions in canonical columns (``created_at`` and ``team`` are used for the months
        covered and the variable cost). ``None`` generates the default sample with ``seed``.
    seed : int
        Seed of the random stream.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (the month's first day, datetime64), ``team`` and the numeric columns
        of ``schema.OPERATIONS_COLUMNS`` (no ``channel``). Headcount is consistent: a month's
        ``headcount_start`` is the previous month's ``headcount_end``. The training story:
        training hours and trainings for "Suporte Técnico" spike in 2026-05, its leavers drop
        afterwards.
    """
    if interactions is None:
        interactions = generate(seed=seed)
    for col in ("created_at", "team"):
        if col not in interactions.columns:
            raise OptionError(
                f"`interactions` must have the columns 'created_at' and 'team', "
                f"got columns {list(interactions.columns)}"
            )
    if len(interactions) == 0:
        raise OptionError("`interactions` must have at least one row, got an empty frame")
    created = pd.to_datetime(interactions["created_at"])
    month = created.dt.to_period("M")
    months = pd.period_range(month.min(), month.max(), freq="M")
    volume = (
        pd.DataFrame({"month": month, "team": interactions["team"]})
        .groupby(["month", "team"], observed=True)
        .size()
    )
    national = _national_holidays(months[0].year, months[-1].year)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(99,)))

    team_customers = dict(zip(TEAMS, (48_000, 24_000, 24_000, 12_000, 12_000), strict=True))
    team_tech_cost = dict(zip(TEAMS, (18_000.0, 9_000.0, 6_000.0, 4_000.0, 5_000.0), strict=True))
    new_tech = {
        ("Atendimento N1", "2025-11"),
        ("Financeiro", "2026-02"),
        ("Suporte Técnico", "2026-05"),
    }
    story_team = STORIES["training"]["team"]

    rows = []
    for team in TEAMS:
        headcount = len(AGENTS[team])
        customers = team_customers[team]
        hires_due = 0
        for p in months:
            hc_start = headcount
            if team == story_team:
                rate = 1.2 if p < _TRAINING_MONTH else (0.6 if p == _TRAINING_MONTH else 0.15)
            else:
                rate = 0.035 * hc_start
            leavers = int(min(rng.poisson(rate), max(hc_start - 1, 0)))
            hc_end = hc_start - leavers + hires_due
            hires_due = leavers  # vacancies are filled the month after
            hc_avg = (hc_start + hc_end) / 2
            bdays = _business_days(p, national)
            if team == story_team and p == _TRAINING_MONTH:
                training_hours = round(hc_avg * rng.uniform(30, 34), 1)
                assigned = int(round(hc_avg * 4))
                completed = int(rng.binomial(assigned, 0.97))
            else:
                training_hours = round(hc_avg * rng.uniform(3, 6), 1)
                assigned = int(round(hc_avg))
                completed = int(rng.binomial(assigned, 0.80))
            scheduled = int(round(hc_avg * bdays * 8 * 60))
            downtime = int(round(scheduled * rng.uniform(0.002, 0.010)))
            tech_cost = round(team_tech_cost[team] * rng.uniform(0.95, 1.05), 2)
            tech_benefit = round(tech_cost * rng.uniform(1.5, 2.3), 2)
            vol = int(volume.get((p, team), 0))
            cost = round(hc_avg * 7_200 * rng.uniform(0.97, 1.03) + vol * 1.8 + tech_cost, 2)
            new = int(round(customers * rng.uniform(0.025, 0.035)))
            churned = int(round(customers * rng.uniform(0.015, 0.025)))
            rows.append(
                {
                    "month": p.to_timestamp(),
                    "team": team,
                    "cost_total": cost,
                    "tech_cost": tech_cost,
                    "tech_benefit": tech_benefit,
                    "customers_start": customers,
                    "customers_end": customers + new - churned,
                    "customers_new": new,
                    "headcount_start": hc_start,
                    "headcount_end": hc_end,
                    "leavers": leavers,
                    "training_hours": training_hours,
                    "trainings_completed": completed,
                    "trainings_assigned": assigned,
                    "scheduled_minutes": scheduled,
                    "downtime_minutes": downtime,
                    "new_technologies": int((team, str(p)) in new_tech),
                }
            )
            headcount = hc_end
            customers = customers + new - churned
    out = pd.DataFrame(rows)
    out["month"] = out["month"].astype("datetime64[s]")
    out = out.sort_values(["month", "team"], kind="stable").reset_index(drop=True)
    return out[[c for c in OPERATIONS_COLUMNS if c in out.columns]]


def write_sample(dir: str | Path = SAMPLE_DIR, *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Regenerate the committed sample: ``interactions.parquet`` and ``operations.csv``.

    Returns
    -------
    dict
        ``{"interactions": path, "operations": path}``.
    """
    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    data = generate(seed=seed)
    inter_path = dir / "interactions.parquet"
    table = pa.Table.from_pandas(data, schema=_ARROW_SCHEMA, preserve_index=False)
    pq.write_table(table, inter_path, compression="zstd")
    ops = generate_operations(data, seed=seed)
    ops_path = dir / "operations.csv"
    from .csvsafe import write_csv  # no cell a spreadsheet would run as a formula

    write_csv(ops.assign(month=ops["month"].dt.strftime("%Y-%m-%d")), ops_path, lineterminator="\n")
    _cached_interactions.cache_clear()
    return {"interactions": inter_path, "operations": ops_path}


def interactions() -> pd.DataFrame:
    """The committed sample interactions, loaded and validated by ``io.load_interactions``.

    Returns
    -------
    pandas.DataFrame
        A fresh copy (callers may modify it) of the canonical interactions.

    Raises
    ------
    DataError
        If the committed sample does not validate (it always should).
    """
    return _cached_interactions().copy()


def operations() -> pd.DataFrame:
    """The committed sample operations table (``data/sample/operations.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per month and team; ``month`` parsed as the month's first day.
    """
    ops = pd.read_csv(operations_path())
    ops["month"] = pd.to_datetime(ops["month"], format="%Y-%m-%d").astype("datetime64[s]")
    return ops


# --- internals --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _cached_interactions() -> pd.DataFrame:
    path = sample_path()
    result = load_interactions(path)
    n_rejected = len(result.rejected)
    if n_rejected:
        raise DataError(
            f"the committed sample {path} has {n_rejected} rejected rows; "
            "regenerate it with `make sample` (python -m kpi_helpers.sample --write)"
        )
    return result.data


def _parse_day(value: str | _dt.date, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise OptionError(f"`{name}` must be a date such as '2025-10-01', got {value!r}") from exc
    if ts.tzinfo is not None or ts != ts.normalize():
        raise OptionError(f"`{name}` must be a date without time or time zone, got {value!r}")
    return ts


def _national_holidays(first_year: int, last_year: int) -> set[_dt.date]:
    return set(holidays.country_holidays("BR", years=range(first_year, last_year + 1)))


def _business_days(month: pd.Period, national: set[_dt.date]) -> int:
    days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
    return int(sum(1 for d in days if d.day_of_week < 5 and d.date() not in national))


def _day_factors(days: pd.DatetimeIndex) -> np.ndarray:
    """Expected volume of each day relative to an ordinary Friday."""
    years = range(days[0].year, days[-1].year + 1)
    national = set(holidays.country_holidays("BR", years=years))
    optional = holidays.country_holidays("BR", years=years, categories=("optional",))
    carnival = {d for d, name in optional.items() if name == "Carnival"}
    black_fridays = {}
    for y in years:
        nov = pd.date_range(f"{y}-11-01", f"{y}-11-30", freq="D")
        bf = nov[nov.day_of_week == 4][3]  # fourth Friday of November
        for offset, factor in _BLACK_FRIDAY_FACTOR.items():
            black_fridays[(bf + pd.Timedelta(days=offset)).date()] = factor
    factors = _WEEKDAY_FACTOR[days.day_of_week].astype(float)
    dates = days.date
    for i, d in enumerate(dates):  # one iteration per day, not per row
        if d in national:
            factors[i] = _HOLIDAY_FACTOR
        elif d in carnival:
            factors[i] *= _CARNIVAL_FACTOR
        if d in black_fridays:
            factors[i] *= black_fridays[d]
    return factors


def _chunk_plan(
    n: int | None, start: str | _dt.date, end: str | _dt.date, daily_mean: float
) -> tuple[pd.DatetimeIndex, np.ndarray, list[tuple[int, int]]]:
    t0, t1 = _parse_day(start, "start"), _parse_day(end, "end")
    if not t0 < t1:
        raise OptionError(f"`start` must be before `end`, got start={start!r}, end={end!r}")
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise OptionError(f"`n` must be a positive integer or None, got {n!r}")
    if not (isinstance(daily_mean, (int, float)) and np.isfinite(daily_mean) and daily_mean > 0):
        raise OptionError(f"`daily_mean` must be a positive number, got {daily_mean!r}")
    days = pd.date_range(t0, t1 - pd.Timedelta(days=1), freq="D")
    expected = _day_factors(days)
    scale = (n / expected.sum()) if n is not None else daily_mean
    expected = expected * scale
    # chunks: whole days inside one month, at most _CHUNK_ROWS expected rows each
    plan: list[tuple[int, int]] = []
    month_key = days.year * 12 + days.month
    i = 0
    while i < len(days):
        j = i
        total = 0.0
        while j < len(days) and month_key[j] == month_key[i]:
            if j > i and total + expected[j] > _CHUNK_ROWS:
                break
            total += expected[j]
            j += 1
        plan.append((i, j))
        i = j
    return days, expected, plan


def _iter_tables(
    n: int | None,
    *,
    seed: int,
    start: str | _dt.date,
    end: str | _dt.date,
    daily_mean: float,
) -> Iterator[pa.Table]:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OptionError(f"`seed` must be a non-negative integer, got {seed!r}")
    days, expected, plan = _chunk_plan(n, start, end, daily_mean)
    as_of_us = _ts_us(days[-1] + pd.Timedelta(days=1))
    seq_offset = 0
    prev_month = None
    for i, j in plan:
        month = (days[i].year, days[i].month)
        if month != prev_month:
            seq_offset, prev_month = 0, month
        ss = np.random.SeedSequence(int(seed), spawn_key=(int(days[i].toordinal()),))
        table = _generate_chunk(
            days[i:j], expected[i:j], np.random.default_rng(ss), seq_offset, as_of_us
        )
        seq_offset += table.num_rows
        if table.num_rows:
            yield table


def _ts_us(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.to_datetime64(), "us").astype(np.int64))


def _lognormal(rng: np.random.Generator, median: np.ndarray, sigma: np.ndarray, size: int):
    return np.exp(np.log(median) + sigma * rng.standard_normal(size))


def _pick(rng: np.random.Generator, values: np.ndarray, probs: np.ndarray, size: int):
    cdf = np.cumsum(probs / np.sum(probs))
    idx = np.searchsorted(cdf, rng.random(size), side="right")
    return values[np.minimum(idx, len(values) - 1)]


def _generate_chunk(
    days: pd.DatetimeIndex,
    expected: np.ndarray,
    rng: np.random.Generator,
    seq_offset: int,
    as_of_us: int,
) -> pa.Table:
    counts = rng.poisson(expected)
    n = int(counts.sum())
    day_us = days.values.astype("datetime64[us]").astype(np.int64)
    day_idx = np.repeat(np.arange(len(days)), counts)

    # arrival: channel, hour from the channel's intraday curve, uniform within the hour
    ch = np.searchsorted(np.cumsum(_CHANNEL_SHARE), rng.random(n), side="right")
    ch = np.minimum(ch, len(CHANNELS) - 1)
    u = rng.random(n)
    hour = np.empty(n, dtype=np.int64)
    for c in range(len(CHANNELS)):  # one vectorised draw per channel
        m = ch == c
        hour[m] = np.minimum(np.searchsorted(_HOUR_CDF[c], u[m], side="right"), 23)
    created = day_us[day_idx] + hour * 3600 * _US + rng.integers(0, 3600 * _US, n)
    order = np.argsort(created, kind="stable")
    created, ch, day_idx = created[order], ch[order], day_idx[order]

    period = days.to_period("M")
    is_wa_story = (ch == CHANNELS.index("whatsapp")) & np.asarray(
        period[day_idx] == _WA_STORY_MONTH
    )
    after_training = np.asarray(period[day_idx] >= _TRAINING_EFFECT_FROM)

    # category, team (queue), bot
    cat = _pick(rng, np.arange(len(CATEGORIES)), _CATEGORY_SHARE, n)
    cdf_team = np.cumsum(_CATEGORY_TEAM, axis=1)[cat]
    team = np.minimum((rng.random(n)[:, None] >= cdf_team).sum(axis=1), len(TEAMS) - 1)
    bot = rng.random(n) < _BOT_P[ch]
    escalated = bot & (rng.random(n) < _ESCALATE_P)
    contained = bot & ~escalated
    team = np.where(contained, _N1, team)  # the front line owns the bot flows

    ab_p = _ABANDON_P[ch] * np.where(
        is_wa_story, STORIES["whatsapp_service_level"]["abandon_factor"], 1.0
    )
    abandoned = ~contained & (rng.random(n) < ab_p)
    human = ~contained & ~abandoned

    # first response: queue opens at created (+ bot time), or at the next staffed hour
    bot_s = np.where(escalated, _lognormal(rng, 40.0, 0.5, n), 0.0)
    queue_in = created + np.round(bot_s * _US).astype(np.int64)
    day0 = (queue_in // (86400 * _US)) * (86400 * _US)
    hour_f = (queue_in - day0) / (3600 * _US)
    open_h, close_h = _OPEN_HOUR[ch], _CLOSE_HOUR[ch]
    opens = np.where(
        hour_f < open_h,
        day0 + open_h * 3600 * _US,
        np.where(hour_f >= close_h, day0 + (24 + open_h) * 3600 * _US, queue_in),
    )
    # weekdays-only queues (email) push Saturday/Sunday to Monday's opening
    open_dow = ((opens // (86400 * _US)) + 3) % 7  # 1970-01-01 was a Thursday (dow 3)
    push_days = np.where(_WEEKDAYS_ONLY[ch] & (open_dow >= 5), 7 - open_dow, 0)
    opens_day = (opens // (86400 * _US)) * (86400 * _US)
    opens = np.where(
        push_days > 0, opens_day + push_days * 86400 * _US + open_h * 3600 * _US, opens
    )
    wait_factor = np.where(is_wa_story, STORIES["whatsapp_service_level"]["wait_factor"], 1.0)
    human_wait = _lognormal(rng, _WAIT_MEDIAN_S[ch] * wait_factor, _WAIT_SIGMA[ch], n)
    first = opens + np.round(human_wait * _US).astype(np.int64)
    has_first = human & (first < as_of_us)
    wait_s = np.where(has_first, (first - created) / _US, np.nan)

    # handling, contacts, resolution
    aht = _lognormal(rng, _AHT_MEDIAN_S[ch] * np.where(team == _TECH, 1.3, 1.0), 0.5, n)
    handle = np.where(has_first, np.round(aht), np.nan)
    fcr_p = np.where(CATEGORIES.index("technical") == cat, 0.62, 0.76)
    contacts = np.where(has_first & (rng.random(n) >= fcr_p), 1 + rng.geometric(0.6, n), 1).astype(
        np.int64
    )
    lag = _lognormal(rng, _RESOLVE_LAG_S[ch], 1.0, n)
    lag = lag * np.where(CATEGORIES.index("technical") == cat, 3.0, 1.0)
    follow = (contacts - 1) * _lognormal(rng, 22 * 3600.0, 0.6, n)
    # hard cases wait days for a fix; every answered contact is resolved eventually
    hard = has_first & (rng.random(n) < _HARD_P)
    lag = lag + np.where(hard, _lognormal(rng, _HARD_LAG_S, 0.6, n), 0.0)
    human_done = first + np.round((np.nan_to_num(handle) + lag + follow) * _US).astype(np.int64)
    bot_done = created + np.round(_lognormal(rng, 150.0, 0.6, n) * _US).astype(np.int64)
    # a customer who leaves the bot unresolved, without asking for a human, abandoned
    bot_dropped = contained & (rng.random(n) >= _BOT_RESOLVED_P)
    abandoned = abandoned | bot_dropped
    resolved_at = np.where(contained, bot_done, human_done)
    resolved = (has_first | (contained & ~bot_dropped)) & (resolved_at < as_of_us)
    reopen_p = np.where(CATEGORIES.index("technical") == cat, 0.08, 0.045)
    reopened = resolved & (rng.random(n) < reopen_p)
    transferred = has_first & (rng.random(n) < np.where(team == _N1, 0.10, 0.05))
    is_delivery = cat == CATEGORIES.index("delivery")
    delivered_val = rng.random(n) < 0.91

    # agents: the answering agent, weighted within the team
    agent = np.full(n, -1, dtype=np.int64)
    u = rng.random(n)
    for t, name in enumerate(TEAMS):
        m = has_first & (team == t)
        w = _AGENT_WEIGHTS[name]
        local = np.minimum(np.searchsorted(np.cumsum(w / w.sum()), u[m], side="right"), len(w) - 1)
        agent[m] = _AGENT_OFFSET[t] + local

    # satisfaction: one latent "satisfied" draw drives csat, nps and ces
    base = _SAT_BASE[team]
    base = np.where((team == _TECH) & after_training, _SAT_TECH_AFTER_TRAINING, base)
    p_sat = (
        base
        - 0.25 * hard
        - 0.08 * (contacts > 1)
        - 0.10 * reopened
        - 0.06 * (np.nan_to_num(wait_s, nan=0.0) > _SL_THRESHOLD_S[ch])
        - 0.05 * transferred
    )
    p_sat = np.where(contained, _SAT_BOT, p_sat)
    sat = rng.random(n) < np.clip(p_sat, 0.02, 0.98)
    eligible = resolved  # surveys go out when the contact is resolved
    csat_val = np.where(
        sat,
        _pick(rng, np.array([4, 5]), np.array([0.38, 0.62]), n),
        _pick(rng, np.array([1, 2, 3]), np.array([0.30, 0.25, 0.45]), n),
    )
    nps_val = np.where(
        sat,
        _pick(rng, np.array([6, 7, 8, 9, 10]), np.array([0.04, 0.08, 0.2, 0.32, 0.36]), n),
        _pick(rng, np.arange(9), np.array([8, 5, 7, 10, 12, 15, 18, 15, 10.0]), n),
    )
    ces_val = np.where(
        sat,
        _pick(rng, np.array([4, 5, 6, 7]), np.array([0.08, 0.25, 0.37, 0.30]), n),
        _pick(rng, np.array([1, 2, 3, 4, 5]), np.array([0.15, 0.25, 0.3, 0.2, 0.1]), n),
    )
    csat_mask = eligible & (rng.random(n) < _CSAT_RESPONSE_P)
    nps_mask = eligible & (rng.random(n) < _NPS_RESPONSE_P)
    ces_mask = eligible & (rng.random(n) < _CES_RESPONSE_P)

    # ids: C<yyyymm>-<sequence within the month>
    ym = f"C{days[0].year:04d}{days[0].month:02d}-"
    seq = pa.array(np.arange(seq_offset + 1, seq_offset + n + 1, dtype=np.int64))
    ids = pc.binary_join_element_wise(
        ym, pc.utf8_lpad(pc.cast(seq, pa.string()), width=_ID_WIDTH, padding="0"), ""
    )

    def _names(values: tuple[str, ...], codes: np.ndarray, mask=None) -> pa.Array:
        dictionary = pa.array(values, pa.string())
        idx = pa.array(codes, pa.int32(), mask=mask)
        return pc.take(dictionary, idx)

    ts = pa.timestamp("us")
    columns = {
        "interaction_id": ids,
        "created_at": pa.array(created, ts),
        "channel": _names(CHANNELS, ch),
        "team": _names(TEAMS, team),
        "agent": _names(_AGENT_NAMES, np.maximum(agent, 0), mask=agent < 0),
        "category": _names(CATEGORIES, cat),
        "first_response_at": pa.array(first, ts, mask=~has_first),
        "wait_s": pa.array(wait_s, pa.float64(), mask=~has_first),
        "answered": pa.array(has_first),
        "abandoned": pa.array(abandoned),
        "resolved_at": pa.array(resolved_at, ts, mask=~resolved),
        "resolved": pa.array(resolved),
        "contacts": pa.array(contacts, pa.int64()),
        "reopened": pa.array(reopened),
        "transferred": pa.array(transferred),
        "bot_handled": pa.array(bot),
        "escalated": pa.array(escalated),
        "handle_time_s": pa.array(handle, pa.float64(), mask=~has_first),
        "csat": pa.array(csat_val.astype(np.int64), pa.int64(), mask=~csat_mask),
        "nps": pa.array(nps_val.astype(np.int64), pa.int64(), mask=~nps_mask),
        "ces": pa.array(ces_val.astype(np.int64), pa.int64(), mask=~ces_mask),
        "delivered": pa.array(delivered_val, pa.bool_(), mask=~is_delivery),
    }
    return pa.Table.from_arrays(list(columns.values()), schema=_ARROW_SCHEMA)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    df = table.to_pandas(
        types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
    )
    # booleans without nulls are plain numpy bools; contacts is a plain int64
    for col in (
        "answered",
        "abandoned",
        "resolved",
        "reopened",
        "transferred",
        "bot_handled",
        "escalated",
    ):
        df[col] = df[col].astype(bool)
    df["contacts"] = df["contacts"].astype(np.int64)
    return df


_AGENT_NAMES: tuple[str, ...] = tuple(a for t in TEAMS for a in AGENTS[t])
_AGENT_OFFSET = np.cumsum([0] + [len(AGENTS[t]) for t in TEAMS])[:-1]
# fixed, uneven workload shares per agent (not drawn from the chunk's stream)
_AGENT_WEIGHTS = {
    t: np.random.default_rng(np.random.SeedSequence(7, spawn_key=(k,))).uniform(
        0.6, 1.4, len(AGENTS[t])
    )
    for k, t in enumerate(TEAMS)
}


# --- command line -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--write`` regenerates data/sample; ``--rows N --out F`` writes a big file."""
    parser = argparse.ArgumentParser(
        prog="python -m kpi_helpers.sample",
        description="Generate synthetic customer-service interactions.",
    )
    parser.add_argument("--write", action="store_true", help="regenerate data/sample/")
    parser.add_argument("--dir", type=Path, default=SAMPLE_DIR, help="directory for --write")
    parser.add_argument("--rows", type=int, help="approximate number of rows for --out")
    parser.add_argument("--out", type=Path, help="Parquet file to write (chunked)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", default=DEFAULT_START)
    parser.add_argument("--end", default=DEFAULT_END)
    args = parser.parse_args(argv)
    if not args.write and args.out is None:
        parser.error("give --write, or --out PATH (with --rows N)")
    if args.write:
        paths = write_sample(args.dir, seed=args.seed)
        for path in paths.values():
            print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    if args.out is not None:
        rows = write_parquet(args.out, args.rows, seed=args.seed, start=args.start, end=args.end)
        print(f"wrote {args.out} ({rows:,} rows, {args.out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
