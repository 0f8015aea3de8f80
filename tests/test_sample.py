"""Tests of kpi_helpers.sample: the synthetic generator and the committed sample."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpi_helpers import sample
from kpi_helpers.errors import OptionError
from kpi_helpers.schema import INTERACTION_COLUMNS, OPERATIONS_COLUMNS

# KPIS.md default service-level thresholds (instagram is a social channel)
THRESHOLD_S = {"phone": 20, "chat": 60, "whatsapp": 300, "instagram": 3600, "email": 86400}


@pytest.fixture(scope="module")
def committed() -> pd.DataFrame:
    """The committed sample as stored (plain pandas, no loader in between)."""
    df = pd.read_parquet(sample.sample_path())
    df["month"] = df["created_at"].dt.to_period("M").astype(str)
    return df


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return sample.generate(3_000, seed=11)


# --- schema and internal consistency -----------------------------------------------------------


def test_columns_are_canonical_and_ordered(small):
    assert list(small.columns) == list(INTERACTION_COLUMNS)


def test_dtypes(small):
    for col in ("created_at", "first_response_at", "resolved_at"):
        assert small[col].dtype == "datetime64[us]", col
        assert small[col].dt.tz is None
    for col in ("answered", "abandoned", "resolved", "reopened", "transferred", "bot_handled"):
        assert small[col].dtype == bool, col
    assert small["contacts"].dtype == np.int64
    for col in ("wait_s", "handle_time_s"):
        assert small[col].dtype == np.float64
    for col in ("csat", "nps", "ces"):
        assert small[col].dtype == "Int64"
    assert small["delivered"].dtype == "boolean"
    for col in ("interaction_id", "channel", "team", "agent", "category"):
        assert pd.api.types.is_string_dtype(small[col]), col


def test_dimension_values(small):
    assert set(small["channel"]) == set(sample.CHANNELS)
    assert set(small["team"]) == set(sample.TEAMS)
    assert set(small["category"]) <= set(sample.CATEGORIES)
    agents = {a for names in sample.AGENTS.values() for a in names}
    assert 35 <= len(agents) <= 45
    assert set(small["agent"].dropna()) <= agents
    # each agent works in exactly one team
    assert (small.dropna(subset=["agent"]).groupby("agent")["team"].nunique() == 1).all()
    for team, names in sample.AGENTS.items():
        rows = small[small["agent"].isin(names)]
        assert (rows["team"] == team).all()


def test_ids_unique_and_sorted_by_creation(small):
    assert small["interaction_id"].is_unique
    assert small["created_at"].is_monotonic_increasing
    assert small["interaction_id"].str.fullmatch(r"C\d{6}-\d{8}").all()


def test_timestamps_ordered_and_inside_span(small):
    start, end = pd.Timestamp(sample.DEFAULT_START), pd.Timestamp(sample.DEFAULT_END)
    assert small["created_at"].min() >= start
    assert small["created_at"].max() < end
    fr, rs = small["first_response_at"], small["resolved_at"]
    assert (fr.dropna() >= small.loc[fr.notna(), "created_at"]).all()
    assert (rs.dropna() >= small.loc[rs.notna(), "created_at"]).all()
    both = fr.notna() & rs.notna()
    assert (rs[both] >= fr[both]).all()
    # the extraction time is `end`: nothing after it
    assert fr.max() < end and rs.max() < end


def test_answered_and_wait_follow_first_response(small):
    assert (small["answered"] == small["first_response_at"].notna()).all()
    assert (small["wait_s"].notna() == small["answered"]).all()
    answered = small[small["answered"]]
    diff = (answered["first_response_at"] - answered["created_at"]).dt.total_seconds()
    np.testing.assert_allclose(answered["wait_s"], diff, rtol=0, atol=1e-6)
    assert (small["handle_time_s"].notna() == small["answered"]).all()
    assert (small["handle_time_s"].dropna() > 0).all()


def test_abandoned_rows(small):
    ab = small[small["abandoned"]]
    assert len(ab) > 0
    assert not ab["answered"].any()
    assert ab["wait_s"].isna().all() and ab["first_response_at"].isna().all()
    assert not ab["resolved"].any() and ab["agent"].isna().all()
    assert not (small["channel"].eq("email") & small["abandoned"]).any()


def test_resolved_follows_resolved_at(small):
    assert (small["resolved"] == small["resolved_at"].notna()).all()
    assert not (small["reopened"] & ~small["resolved"]).any()


def test_bot_rows(small):
    bot = small[small["bot_handled"]]
    assert set(bot["channel"]) <= {"chat", "whatsapp", "instagram"}
    assert not (small["escalated"] & ~small["bot_handled"]).any()
    contained = bot[~bot["escalated"]]
    # bot replies are not first responses
    assert not contained["answered"].any() and contained["agent"].isna().all()
    assert contained["resolved"].mean() > 0.8
    escalated = bot[bot["escalated"]]
    assert escalated["answered"].mean() > 0.8


def test_scores_in_scale_and_answered_by_a_minority(small):
    for col, (low, high), (lo_share, hi_share) in (
        ("csat", (1, 5), (0.15, 0.35)),
        ("nps", (0, 10), (0.05, 0.25)),
        ("ces", (1, 7), (0.05, 0.25)),
    ):
        values = small[col].dropna()
        assert values.between(low, high).all(), col
        assert set(values.unique()) <= set(range(low, high + 1)), col
        assert lo_share < small[col].notna().mean() < hi_share, col
    # nobody who abandoned answers a survey
    assert small.loc[small["abandoned"], ["csat", "nps", "ces"]].isna().all().all()


def test_contacts_and_delivered(small):
    assert (small["contacts"] >= 1).all()
    assert (small["contacts"] > 1).any()
    is_delivery = small["category"] == "delivery"
    assert small.loc[~is_delivery, "delivered"].isna().all()
    assert small.loc[is_delivery, "delivered"].notna().all()


def test_open_tickets_near_the_end(committed):
    last_days = committed["created_at"] >= pd.Timestamp(sample.DEFAULT_END) - pd.Timedelta(days=3)
    open_share_end = (~committed.loc[last_days, "resolved"]).mean()
    open_share_all = (~committed["resolved"]).mean()
    assert open_share_end > 2 * open_share_all


def test_answered_contacts_are_resolved_eventually(committed):
    """Open tickets are recent ones: the backlog of answered contacts does not pile up."""
    old = committed["created_at"] < pd.Timestamp(sample.DEFAULT_END) - pd.Timedelta(days=120)
    assert committed.loc[old & committed["answered"], "resolved"].all()
    # every unresolved contact either abandoned or is still in progress at the end
    unresolved = committed[~committed["resolved"]]
    in_progress = unresolved[~unresolved["abandoned"]]
    assert (in_progress["created_at"] > pd.Timestamp("2026-07-01")).all()


def test_surveys_only_for_resolved_contacts(small):
    answered_any = small[["csat", "nps", "ces"]].notna().any(axis=1)
    assert small.loc[answered_any, "resolved"].all()


# --- volume, size and realism ------------------------------------------------------------------


def test_n_scales_the_volume():
    for n in (500, 20_000):
        df = sample.generate(n, seed=5)
        assert abs(len(df) - n) < 5 * np.sqrt(n)


def test_committed_sample_size(committed):
    assert 40_000 <= len(committed) <= 60_000
    assert sample.sample_path().stat().st_size <= 3_000_000
    assert committed["interaction_id"].is_unique


def test_weekly_and_intraday_seasonality(committed):
    per_dow = committed.groupby(committed["created_at"].dt.day_of_week).size()
    assert per_dow.idxmin() == 6  # Sunday is the quietest day
    assert per_dow[0:5].min() > per_dow[5] > per_dow[6]
    phone = committed[committed["channel"] == "phone"]
    assert phone["created_at"].dt.hour.between(8, 19).all()  # phone lines 08:00-20:00
    hours = committed["created_at"].dt.hour.value_counts()
    assert hours[10] > 5 * hours[3]


def test_holidays_are_quiet(committed):
    daily = committed.groupby(committed["created_at"].dt.normalize()).size()
    weekday = daily[daily.index.day_of_week < 5]
    # 2026-04-21 Tiradentes (Tuesday) and 2025-12-25 Christmas (Thursday)
    for day in ("2026-04-21", "2025-12-25"):
        assert daily[pd.Timestamp(day)] < 0.6 * weekday.median()


def test_channel_response_times(committed):
    med = committed[committed["answered"]].groupby("channel")["wait_s"].median()
    assert med["phone"] < 30
    assert 15 < med["chat"] < 120
    assert 60 < med["whatsapp"] < 600
    assert 600 < med["instagram"] < 7200
    assert med["email"] > 3600
    assert med["phone"] < med["chat"] < med["whatsapp"] < med["instagram"] < med["email"]


def test_phone_service_level_near_target(committed):
    phone = committed[committed["channel"] == "phone"]
    sl = (phone["answered"] & (phone["wait_s"] <= 20)).mean()
    assert 0.72 <= sl <= 0.88


# --- determinism and options -------------------------------------------------------------------


def test_same_seed_same_rows_other_seed_other_rows():
    a = sample.generate(800, seed=42)
    b = sample.generate(800, seed=42)
    c = sample.generate(800, seed=43)
    pd.testing.assert_frame_equal(a, b)
    assert not a["created_at"].equals(c["created_at"])


def test_write_sample_is_byte_identical(tmp_path, monkeypatch):
    # a short span keeps it fast; the defaults go through generate() unchanged
    real_generate = sample.generate
    monkeypatch.setattr(
        sample,
        "generate",
        lambda **kw: real_generate(600, start="2026-01-01", end="2026-03-01", **kw),
    )
    first = sample.write_sample(tmp_path / "a", seed=3)
    second = sample.write_sample(tmp_path / "b", seed=3)
    for key in ("interactions", "operations"):
        assert first[key].read_bytes() == second[key].read_bytes(), key
    ops = pd.read_csv(first["operations"])
    assert list(ops["month"].unique()) == ["2026-01-01", "2026-02-01"]


def test_committed_files_match_the_generator(tmp_path, committed):
    """The committed sample is what `make sample` produces (else: run `make sample`)."""
    paths = sample.write_sample(tmp_path)
    fresh = pd.read_parquet(paths["interactions"])
    pd.testing.assert_frame_equal(fresh, committed.drop(columns="month"))
    assert paths["operations"].read_text() == sample.operations_path().read_text()


def test_write_parquet_matches_generate(tmp_path, monkeypatch):
    monkeypatch.setattr(sample, "_CHUNK_ROWS", 300)  # force several chunks per month
    path = tmp_path / "big.parquet"
    rows = sample.write_parquet(path, 2_000, seed=9, start="2026-01-01", end="2026-03-01")
    expected = sample.generate(2_000, seed=9, start="2026-01-01", end="2026-03-01")
    back = pd.read_parquet(path)
    assert rows == len(expected) == len(back)
    assert back["interaction_id"].is_unique
    pd.testing.assert_series_equal(back["interaction_id"], expected["interaction_id"])
    pd.testing.assert_series_equal(back["created_at"], expected["created_at"])
    import pyarrow.parquet as pq

    assert pq.ParquetFile(path).metadata.num_row_groups > 2


def test_cli_writes_big_file(tmp_path):
    out = tmp_path / "x.parquet"
    assert sample.main(["--rows", "1000", "--out", str(out), "--start", "2026-01-01"]) == 0
    assert abs(len(pd.read_parquet(out)) - 1000) < 200


def test_cli_without_action_errors():
    with pytest.raises(SystemExit):
        sample.main([])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "`n` must be a positive integer"),
        ({"n": 2.5}, "`n` must be a positive integer"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "`start` must be before `end`"),
        ({"start": "not a date"}, "`start` must be a date"),
        ({"end": "2026-01-01 10:00"}, "`end` must be a date without time"),
        ({"seed": -1}, "`seed` must be a non-negative integer"),
        ({"daily_mean": 0}, "`daily_mean` must be a positive number"),
    ],
)
def test_invalid_options(kwargs, message):
    with pytest.raises(OptionError, match=message):
        sample.generate(**kwargs)


@pytest.mark.slow
def test_one_million_rows_in_a_few_seconds():
    t0 = time.perf_counter()
    df = sample.generate(1_000_000, seed=1)
    elapsed = time.perf_counter() - t0
    assert abs(len(df) - 1_000_000) < 10_000
    assert df["interaction_id"].is_unique
    assert elapsed < 15  # about 1.5 s on 2 cores; generous for slow CI


# --- operations --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ops() -> pd.DataFrame:
    return sample.operations()


def test_operations_columns_and_months(ops, committed):
    assert list(ops.columns) == [c for c in OPERATIONS_COLUMNS if c != "channel"]
    assert ops["month"].dtype.kind == "M"
    assert (ops["month"].dt.day == 1).all()
    months = pd.period_range(committed["month"].min(), committed["month"].max(), freq="M")
    assert sorted(ops["month"].dt.to_period("M").unique()) == list(months)
    assert set(ops["team"]) == set(sample.TEAMS)
    assert len(ops) == len(months) * len(sample.TEAMS)
    assert not ops.isna().any().any()


def test_operations_stocks_chain_and_ranges(ops):
    for _, g in ops.sort_values("month").groupby("team"):
        assert (g["headcount_start"].iloc[1:].values == g["headcount_end"].iloc[:-1].values).all()
        assert (g["customers_start"].iloc[1:].values == g["customers_end"].iloc[:-1].values).all()
    assert (ops["leavers"] <= ops["headcount_start"]).all()
    assert (ops["trainings_completed"] <= ops["trainings_assigned"]).all()
    assert (ops["downtime_minutes"] < ops["scheduled_minutes"]).all()
    assert (ops["tech_cost"] < ops["cost_total"]).all()
    assert (ops[["cost_total", "tech_cost", "tech_benefit", "customers_new"]] > 0).all().all()
    assert (ops["customers_end"] - ops["customers_new"] < ops["customers_start"]).all()


def test_operations_do_not_mutate_input(small):
    before = small.copy()
    out = sample.generate_operations(small, seed=2)
    pd.testing.assert_frame_equal(small, before)
    assert len(out) > 0


def test_operations_bad_input():
    with pytest.raises(OptionError, match="'created_at' and 'team'"):
        sample.generate_operations(pd.DataFrame({"team": ["x"]}))
    empty = sample.generate(500, seed=1).iloc[0:0]
    with pytest.raises(OptionError, match="at least one row"):
        sample.generate_operations(empty)


def test_committed_operations_match_regeneration(ops, committed):
    again = sample.generate_operations(pd.read_parquet(sample.sample_path()))
    pd.testing.assert_frame_equal(again, ops, check_dtype=False)


# --- the planted stories (plain pandas on the committed sample) ----------------------------------


def test_story_1_february_drop_is_calendar(committed):
    jan = int((committed["month"] == "2026-01").sum())
    feb = int((committed["month"] == "2026-02").sum())
    assert feb < 0.93 * jan  # a visible drop in the raw count...
    per_day_change = (feb / 28) / (jan / 31) - 1
    assert abs(per_day_change) < 0.03  # ...but not per calendar day
    p_value = stats.poisson_means_test(feb, 28, jan, 31).pvalue
    assert p_value > 0.2  # per-day rates indistinguishable


def _service_level(df: pd.DataFrame) -> pd.Series:
    ok = df["answered"] & (df["wait_s"] <= df["channel"].map(THRESHOLD_S))
    return ok


def test_story_2_whatsapp_drives_the_august_service_level_drop(committed):
    df = committed.assign(ok=_service_level(committed))
    jul, aug = df[df["month"] == "2026-07"], df[df["month"] == "2026-08"]
    total_change = aug["ok"].mean() - jul["ok"].mean()
    assert total_change < -0.05
    # contribution of each channel: its share of the offered volume x its service level
    contrib = aug.groupby("channel")["ok"].sum() / len(aug) - jul.groupby("channel")[
        "ok"
    ].sum() / len(jul)
    assert contrib.sum() == pytest.approx(total_change, abs=1e-12)
    assert contrib.abs().idxmax() == "whatsapp"
    assert contrib["whatsapp"] / total_change > 0.8
    wa = df[df["channel"] == "whatsapp"].groupby("month")["ok"].mean()
    assert wa["2026-08"] < wa["2026-07"] - 0.3
    others = wa.drop("2026-08")
    assert others.min() > wa["2026-08"] + 0.3  # only August is bad
    wa_wait = df[(df["channel"] == "whatsapp") & df["answered"]].groupby("month")["wait_s"].median()
    assert wa_wait["2026-08"] > 3 * wa_wait["2026-07"]


def _top_two(df: pd.DataFrame) -> pd.Series:
    r = df.dropna(subset=["csat"])
    return (r["csat"] >= 4).groupby([r["team"], r["month"] >= "2026-06"]).mean()


def test_story_3_training_lifts_the_csat_of_suporte_tecnico(committed):
    team = sample.STORIES["training"]["team"]
    share = _top_two(committed[committed["month"] != "2026-05"])
    before, after = share[(team, False)], share[(team, True)]
    assert 0.65 <= before <= 0.76
    assert 0.82 <= after <= 0.90
    # other teams stay put
    for other in set(sample.TEAMS) - {team}:
        assert abs(share[(other, True)] - share[(other, False)]) < 0.04, other
    # month by month: every month from June is above every month before May
    r = committed[(committed["team"] == team) & committed["csat"].notna()]
    monthly = (r["csat"] >= 4).groupby(r["month"]).mean()
    assert monthly[monthly.index >= "2026-06"].min() > monthly[monthly.index < "2026-05"].max()


def test_story_3_training_in_operations(ops):
    team = sample.STORIES["training"]["team"]
    g = ops[ops["team"] == team].set_index(
        ops.loc[ops["team"] == team, "month"].dt.strftime("%Y-%m")
    )
    hours_per_agent = g["training_hours"] / ((g["headcount_start"] + g["headcount_end"]) / 2)
    assert hours_per_agent["2026-05"] > 4 * hours_per_agent.drop("2026-05").max()
    assert (
        g.loc["2026-05", "trainings_completed"] > 3 * g["trainings_completed"].drop("2026-05").max()
    )
    assert g.loc["2026-05", "new_technologies"] == 1
    before = g.loc[g.index < "2026-05", "leavers"].mean()
    after = g.loc[g.index > "2026-05", "leavers"].mean()
    assert after < before / 2
    # no other team trains like that
    others = ops[ops["team"] != team]
    other_hours = others["training_hours"] / (
        (others["headcount_start"] + others["headcount_end"]) / 2
    )
    assert other_hours.max() < hours_per_agent["2026-05"] / 4


# --- the planted stories through the package's engine ------------------------------------------


def test_stories_with_compute():
    engine = pytest.importorskip("kpi_helpers.engine")
    path = sample.sample_path()
    vol = engine.compute(path, ["volume", "volume_per_day"], by="month")
    vol = vol.set_index(vol["month"].dt.strftime("%Y-%m"))
    assert vol.loc["2026-02", "volume"] < 0.93 * vol.loc["2026-01", "volume"]
    per_day = vol.loc["2026-02", "volume_per_day"] / vol.loc["2026-01", "volume_per_day"] - 1
    assert abs(per_day) < 0.03

    comps = engine.compute_components(
        path,
        ["service_level"],
        by="channel",
        periods={"a": ("2026-07-01", "2026-08-01"), "b": ("2026-08-01", "2026-09-01")},
    )
    den = comps.groupby("period")["service_level__den"].sum()
    share = comps.set_index(["period", "channel"])["service_level__num"]
    contrib = share["b"] / den["b"] - share["a"] / den["a"]
    assert contrib.abs().idxmax() == "whatsapp"
    assert contrib.sum() < -0.05 and contrib["whatsapp"] / contrib.sum() > 0.8

    csat = engine.compute(path, "csat", by=["team", "month"])
    tech = csat[csat["team"] == sample.STORIES["training"]["team"]].set_index("month")["csat"]
    assert tech[tech.index >= "2026-06-01"].mean() - tech[tech.index < "2026-05-01"].mean() > 0.10


def test_stories_with_compare():
    """Issue 3's "done when" on the sample: Feb vs Jan is calendar, whatsapp drives August."""
    compare = pytest.importorskip("kpi_helpers.compare")
    path = sample.sample_path()
    vol = compare.compare(path, "volume", "2026-01", "2026-02")
    assert vol.pct_change < -0.07
    assert abs(vol.per_day_pct_change) < 0.03
    assert vol.p_value > 0.05
    sl = compare.compare(path, "service_level", "2026-07", "2026-08", by="channel")
    assert sl.change < -0.05 and sl.p_value < 0.001
    drivers = sl.drivers.sort_values("contribution", key=abs, ascending=False)
    assert drivers.iloc[0]["channel"] == "whatsapp"


# --- loading through the package ------------------------------------------------------------------


def test_interactions_loads_with_no_rejected_rows():
    from kpi_helpers.io import load_interactions

    result = load_interactions(sample.sample_path())
    assert len(result.rejected) == 0
    assert len(result.data) == len(pd.read_parquet(sample.sample_path()))
    data = sample.interactions()
    assert list(data.columns) == list(INTERACTION_COLUMNS)
    pd.testing.assert_series_equal(data["interaction_id"], result.data["interaction_id"])


def test_interactions_returns_a_fresh_copy():
    a = sample.interactions()
    a.loc[a.index[0], "channel"] = "changed"
    b = sample.interactions()
    assert b["channel"].iloc[0] != "changed"
    assert 40_000 <= len(b) <= 60_000


def test_paths():
    assert sample.sample_path().name == "interactions.parquet"
    assert sample.sample_path().parent == sample.operations_path().parent
    assert sample.sample_path().exists() and sample.operations_path().exists()
