"""Edge cases of KPIS.md checked against hand-computed values (an independent reading of the spec).

Every expected number below is computed by pencil from the inline fixture. The last tests
are regressions for discrepancies this independent reading found (and that were fixed).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from kpi_helpers import compute
from kpi_helpers.errors import MetricUnavailable


def _ts(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="%Y-%m-%d %H:%M"))


def _one(frame: pd.DataFrame, metric: str, **kwargs) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = compute(frame, [metric], **kwargs)
    assert len(result) == 1
    return float(result[metric].iloc[0])


# ------------------------------------------------------------------ service level


@pytest.fixture
def sl_frame() -> pd.DataFrame:
    channels = [
        "phone",
        "phone",
        "chat",
        "chat",
        "whatsapp",
        "instagram",
        "email",
        None,
        "unknown",
        "phone",
    ]
    waits = [20.0, 21.0, 60.0, 61.0, 300.0, 3600.0, 86400.0, 20.0, 21.0, np.nan]
    return pd.DataFrame(
        {
            "created_at": pd.Timestamp("2026-01-05 10:00"),
            "channel": pd.Series(channels, dtype=object),
            "wait_s": waits,
        }
    )


def test_service_level_default_thresholds_per_channel(sl_frame):
    # within T: phone 20, chat 60, whatsapp 300, instagram (social) 3600, email 86400,
    # None 20 (anything else 20 s) -> 6 of 10 offered; the unanswered phone row counts in volume
    assert _one(sl_frame, "service_level") == pytest.approx(0.6)
    variant = {"service_level": {"variant": "answered"}}
    assert _one(sl_frame, "service_level", options=variant) == pytest.approx(6 / 9)


def test_service_level_threshold_number_and_mapping(sl_frame):
    # T = 60 everywhere: 20, 21, 60, 20 (None), 21 (unknown) -> 5 of 10
    opt = {"service_level": {"threshold_s": 60}}
    assert _one(sl_frame, "service_level", options=opt) == pytest.approx(0.5)
    # phone 10 s, others their default: chat 60, whatsapp, instagram, email, None -> 5 of 10
    opt = {"service_level": {"threshold_s": {"phone": 10}}}
    assert _one(sl_frame, "service_level", options=opt) == pytest.approx(0.5)


def test_service_level_exclude_short_abandons():
    frame = pd.DataFrame(
        {
            "created_at": pd.Timestamp("2026-01-05 10:00"),
            "channel": ["phone", "phone", "chat", "phone"],
            "wait_s": [20.0, 21.0, 3.0, 4.0],
            "answered": [True, True, True, False],
            "abandoned": [False, False, False, True],
        }
    )
    opt = {"service_level": {"variant": "exclude_short_abandons"}}
    # 2 within T (20 s phone, 3 s chat); denominator 4 - 1 abandoned under 5 s = 3
    assert _one(frame, "service_level", options=opt) == pytest.approx(2 / 3)
    # a 5 s abandon is not "under" 5 s: denominator stays 4
    assert _one(
        frame.assign(wait_s=[20.0, 21.0, 3.0, 5.0]), "service_level", options=opt
    ) == pytest.approx(0.5)
    opt10 = {"service_level": {"variant": "exclude_short_abandons", "short_abandon_s": 10}}
    assert _one(
        frame.assign(wait_s=[20.0, 21.0, 3.0, 9.0]), "service_level", options=opt10
    ) == pytest.approx(2 / 3)


# ------------------------------------------------------------------ derivations


def test_answered_abandoned_derived_and_given():
    frame = pd.DataFrame(
        {
            "created_at": pd.Timestamp("2026-01-05 10:00"),
            "first_response_at": _ts("2026-01-05 10:01", None, "2026-01-05 10:03", None),
        }
    )
    out = compute(frame, ["volume", "answered", "answer_rate", "abandonment_rate", "asa"])
    assert out["volume"].iloc[0] == 4
    assert out["answered"].iloc[0] == 2
    assert out["answer_rate"].iloc[0] == pytest.approx(0.5)
    assert out["abandonment_rate"].iloc[0] == pytest.approx(0.5)  # derived: not answered
    assert out["asa"].iloc[0] == pytest.approx(120.0)  # (60 + 180) / 2
    explicit = frame.assign(abandoned=[False, True, False, False])
    assert _one(explicit, "abandonment_rate") == pytest.approx(0.25)


def test_quantiles_linear_interpolation():
    frame = pd.DataFrame(
        {
            "created_at": pd.Timestamp("2026-01-05 10:00"),
            "wait_s": [10.0, 20.0, 30.0, 100.0, np.nan],
        }
    )
    assert _one(frame, "frt_median") == pytest.approx(25.0)
    # p90 of 10, 20, 30, 100: position 0.9 * 3 = 2.7 -> 30 + 0.7 * 70 = 79
    assert _one(frame, "frt_p90") == pytest.approx(79.0)


def test_business_hours_with_holiday():
    frame = pd.DataFrame(
        {
            # Fri 17:00 -> Mon 09:00: 1 h + 1 h; Mon 17:30 -> Wed 08:30 over Tiradentes (Tue 21 Apr)
            "created_at": _ts("2026-04-17 17:00", "2026-04-20 17:30"),
            "first_response_at": _ts("2026-04-20 09:00", "2026-04-22 08:30"),
        }
    )
    biz = {m: {"hours": "business"} for m in ("asa", "frt_median", "frt_p90")}
    assert _one(frame, "asa", options=biz) == pytest.approx(5400.0)  # (7200 + 3600) / 2
    assert _one(frame, "frt_p90", options=biz) == pytest.approx(6840.0)  # 3600 + 0.9 * 3600
    assert _one(frame, "asa") == pytest.approx((64 * 3600 + 39 * 3600) / 2)


# ------------------------------------------------------------------ resolution


def test_resolution_fcr_reopen_sla():
    frame = pd.DataFrame(
        {
            "created_at": _ts(
                "2026-01-05 10:00", "2026-01-05 10:00", "2026-01-09 23:30", "2026-01-09 10:00"
            ),
            "resolved_at": _ts("2026-01-05 10:30", "2026-01-05 12:00", None, None),
            "contacts": [1, 2, 1, 1],
            "reopened": pd.Series([None, True, True, None], dtype=object),
        }
    )
    out = compute(frame, ["resolution_rate", "fcr", "reopen_rate", "resolution_time_mean"])
    assert out["resolution_rate"].iloc[0] == pytest.approx(0.5)
    assert out["fcr"].iloc[0] == pytest.approx(0.5)
    # literally count(reopened) / count(resolved): 2 reopened rows (one still open) / 2 resolved
    assert out["reopen_rate"].iloc[0] == pytest.approx(1.0)
    assert out["resolution_time_mean"].iloc[0] == pytest.approx(4500.0)  # (1800 + 7200) / 2
    # R = 1 h, as-of Jan 10 00:00: resolved 1800 s (in), 7200 s (out), open 30 min (not counted),
    # open 14 h (counted) -> 1 / 3
    opt = {"sla_compliance": {"resolution_target_s": 3600, "as_of": "2026-01-10 00:00"}}
    assert _one(frame, "sla_compliance", options=opt) == pytest.approx(1 / 3)


def test_backlog_stock_per_month_including_empty_month():
    frame = pd.DataFrame(
        {
            "created_at": _ts("2026-01-05 10:00", "2026-01-20 00:00", "2026-03-02 00:00"),
            "resolved_at": _ts("2026-02-01 00:00", None, "2026-03-03 00:00"),
        }
    )
    out = compute(frame, ["backlog", "volume"], by="month")
    assert list(out["month"]) == list(pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]))
    # Jan end: resolved_at == end still counts (>= end) -> 2; Feb: 1; Mar: 1
    assert out["backlog"].tolist() == [2, 1, 1]
    assert out["volume"].tolist() == [2, 0, 1]
    quarter = compute(frame, ["backlog"], by="quarter")
    assert quarter["backlog"].tolist() == [1]


# ------------------------------------------------------------------ time buckets


def test_timezone_aware_converted_to_sao_paulo():
    frame = pd.DataFrame({"created_at": pd.to_datetime(["2026-02-01 02:30"]).tz_localize("UTC")})
    original = frame.copy(deep=True)
    month = compute(frame, ["volume"], by="month")
    assert month["month"].iloc[0] == pd.Timestamp("2026-01-01")
    day = compute(frame, ["volume"], by="day")
    assert day["day"].iloc[0] == pd.Timestamp("2026-01-31")
    pd.testing.assert_frame_equal(frame, original)


def test_iso_week_starts_monday_and_volume_per_day():
    frame = pd.DataFrame(
        {"created_at": _ts("2026-01-11 23:00", "2026-01-12 00:00", "2026-01-12 11:00")}
    )
    out = compute(frame, ["volume", "volume_per_day"], by="week")
    assert list(out["week"]) == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-12")]
    assert out["volume_per_day"].tolist() == pytest.approx([1 / 7, 2 / 7])
    # ungrouped: 3 contacts over the 2 calendar days Jan 11-12
    assert _one(frame, "volume_per_day") == pytest.approx(1.5)
    quarter = compute(frame, ["volume_per_day"], by="quarter")
    assert quarter["volume_per_day"].iloc[0] == pytest.approx(3 / 90)


def test_result_shape_sorted_keys():
    frame = pd.DataFrame(
        {
            "created_at": _ts("2026-02-03 10:00", "2026-01-03 10:00", "2026-01-04 10:00"),
            "channel": ["phone", "phone", "chat"],
        }
    )
    out = compute(frame, ["volume"], by=["month", "channel"])
    assert list(out.columns[:2]) == ["month", "channel"]
    assert pd.api.types.is_datetime64_any_dtype(out["month"])
    # sorted by keys; the empty (Feb, chat) cell is kept with volume 0 (empty groups shown)
    assert list(zip(out["month"].dt.month, out["channel"], out["volume"], strict=True)) == [
        (1, "chat", 1),
        (1, "phone", 1),
        (2, "chat", 0),
        (2, "phone", 1),
    ]


# ------------------------------------------------------------------ surveys


def test_csat_scales_nps_ces():
    frame = pd.DataFrame(
        {
            "created_at": pd.Timestamp("2026-01-05 10:00"),
            "csat": [5.0, 4.0, 3.0, 1.0, np.nan],
            "nps": [10.0, 9.0, 7.0, 6.0, 0.0],
            "ces": [1.0, 2.0, np.nan, np.nan, 6.0],
        }
    )
    out = compute(frame, ["csat", "csat_mean", "nps", "ces"], with_n=True)
    assert out["csat"].iloc[0] == pytest.approx(0.5)
    assert out["csat_n"].iloc[0] == 4
    assert out["csat_mean"].iloc[0] == pytest.approx(3.25)
    assert out["nps"].iloc[0] == pytest.approx(0.0)  # 100 * (2 - 2) / 5
    assert out["ces"].iloc[0] == pytest.approx(3.0)
    ten = frame.assign(csat=[10.0, 9.0, 8.0, 1.0, np.nan])
    assert _one(ten, "csat", options={"csat": {"scale": [1, 10]}}) == pytest.approx(0.5)


def test_all_null_survey_is_nan_not_zero():
    frame = pd.DataFrame(
        {"created_at": [pd.Timestamp("2026-01-05 10:00")], "csat": [np.nan], "nps": [np.nan]}
    )
    out = compute(frame, ["csat", "nps"], with_n=True)
    assert np.isnan(out["csat"].iloc[0]) and np.isnan(out["nps"].iloc[0])
    assert out["csat_n"].iloc[0] == 0


# ------------------------------------------------------------------ unavailable


def test_missing_columns_unavailable_never_zero():
    frame = pd.DataFrame({"created_at": _ts("2026-01-05 10:00")})
    with pytest.raises(MetricUnavailable):
        compute(frame, ["asa"])
    with pytest.warns(MetricUnavailable):
        out = compute(frame, ["volume", "csat"])
    assert out["volume"].iloc[0] == 1
    assert np.isnan(out["csat"].iloc[0])
    assert "needs column csat" in out.attrs["unavailable"]["csat"]


# ------------------------------------------------------------------ operations


def test_operations_quarter_sums_and_stocks():
    ops = pd.DataFrame(
        {
            "month": ["2026-01", "2026-02", "2026-03"],
            "cost_total": [1000.0, 1000.0, 1000.0],
            "tech_cost": [100.0, 100.0, 100.0],
            "tech_benefit": [150.0, 50.0, 200.0],
            "customers_start": [100.0, 110.0, 120.0],
            "customers_end": [110.0, 120.0, 125.0],
            "customers_new": [20.0, 15.0, 10.0],
            "headcount_start": [10.0, 12.0, 11.0],
            "headcount_end": [12.0, 11.0, 13.0],
            "leavers": [1.0, 0.0, 2.0],
            "training_hours": [10.0, 20.0, 30.0],
            "trainings_completed": [1.0, 2.0, 3.0],
            "trainings_assigned": [2.0, 2.0, 4.0],
            "scheduled_minutes": [1000.0, 1000.0, 1000.0],
            "downtime_minutes": [10.0, 0.0, 20.0],
            "new_technologies": [1.0, 0.0, 1.0],
        }
    )
    data = pd.DataFrame(
        {
            "created_at": _ts(
                "2026-01-05 10:00", "2026-02-05 10:00", "2026-03-05 10:00", "2026-03-06 10:00"
            ),
            "resolved_at": _ts("2026-01-05 11:00", None, "2026-03-05 12:00", None),
        }
    )
    ids = [
        "cost_per_interaction",
        "cost_per_resolution",
        "roi_technology",
        "customer_retention",
        "availability",
        "talent_retention",
        "training_hours_per_agent",
        "training_completion",
        "innovations",
    ]
    q = compute(data, ids, by="quarter", operations=ops).iloc[0]
    assert q["cost_per_interaction"] == pytest.approx(750.0)  # 3000 / 4
    assert q["cost_per_resolution"] == pytest.approx(1500.0)  # 3000 / 2
    assert q["roi_technology"] == pytest.approx(1 / 3)  # (400 - 300) / 300
    assert q["customer_retention"] == pytest.approx(0.8)  # (125 - 45) / 100
    assert q["availability"] == pytest.approx(0.99)  # 1 - 30 / 3000
    assert q["talent_retention"] == pytest.approx(1 - 3 / 11.5)  # avg headcount (10 + 13) / 2
    assert q["training_hours_per_agent"] == pytest.approx(60 / 11.5)
    assert q["training_completion"] == pytest.approx(0.75)
    assert q["innovations"] == pytest.approx(2.0)
    m = compute(data, ["talent_retention"], by="month", operations=ops)
    assert m["talent_retention"].tolist() == pytest.approx([1 - 1 / 11, 1.0, 1 - 2 / 12])


# ---------------------------------------------- discrepancies found and fixed (regressions)


def test_nanosecond_timestamps_accepted():
    frame = pd.DataFrame(
        {"created_at": pd.to_datetime(["2026-01-05 10:00:00.000000001"]), "wait_s": [3.0]}
    )
    assert _one(frame, "asa") == pytest.approx(3.0)


def test_bot_containment_null_escalated_is_not_escalated():
    frame = pd.DataFrame(
        {
            "created_at": pd.Timestamp("2026-01-05 10:00"),
            "bot_handled": [True, True],
            "escalated": pd.Series([None, False], dtype=object),
            "resolved": [True, True],
        }
    )
    assert _one(frame, "bot_containment") == pytest.approx(1.0)


def test_service_level_all_null_channel_uses_default_threshold():
    frame = pd.DataFrame(
        {
            "created_at": _ts("2026-01-05 10:00", "2026-01-06 10:00"),
            "channel": pd.Series([None, None], dtype=object),
            "wait_s": [10.0, 30.0],
        }
    )
    # anything else 20 s: 10 within, 30 not -> 1 / 2
    assert _one(frame, "service_level") == pytest.approx(0.5)


def test_all_none_resolved_at_means_nothing_resolved():
    frame = pd.DataFrame(
        {
            "created_at": _ts("2026-01-05 10:00", "2026-01-06 10:00"),
            "resolved_at": pd.Series([None, None], dtype=object),
        }
    )
    out = compute(frame, ["resolution_rate", "backlog"], by="month")
    assert out["resolution_rate"].tolist() == [0.0]
    assert out["backlog"].tolist() == [2]


# ------------------------------------------------- regressions of a second independent reading

T = pd.Timestamp


def test_business_hours_wait_that_ends_after_every_timestamp_of_the_data():
    # a: Mon 2026-01-12 10:00 + 5 days -> Sat 10:00: Mon 10-18 (8 h) + Tue..Fri 4 x 10 h
    # = 48 h = 172800 business seconds; b: 60 s. Both count: n = 2.
    df = pd.DataFrame(
        {
            "interaction_id": ["a", "b"],
            "created_at": [T("2026-01-12 10:00"), T("2026-01-12 11:00")],
            "wait_s": [432000.0, 60.0],
        }
    )
    r = compute(df, ["asa"], options={"asa": {"hours": "business"}}, with_n=True)
    assert r["asa"].iloc[0] == pytest.approx((172800 + 60) / 2)
    assert r["asa_n"].iloc[0] == 2


def test_backlog_by_segment_in_a_period_keeps_segments_without_new_contacts():
    # email's January contact is still open at the end of February: 1 in email and 1 in phone
    df = pd.DataFrame(
        {
            "interaction_id": ["a", "b"],
            "created_at": [T("2026-01-10"), T("2026-02-10")],
            "resolved_at": [pd.NaT, pd.NaT],
            "channel": ["email", "phone"],
        }
    )
    feb = ("2026-02-01", "2026-03-01")
    r = compute(df, ["backlog"], by=["month", "channel"], period=feb)
    assert r[["channel", "backlog"]].values.tolist() == [["email", 1], ["phone", 1]]
    r = compute(df, ["backlog", "volume"], by="channel", period=feb)
    assert r[["channel", "backlog", "volume"]].values.tolist() == [["email", 1, 0], ["phone", 1, 1]]


def test_csv_path_with_utc_offsets_is_bucketed_in_local_time(tmp_path):
    # 01:00Z on 1 Feb is 22:00 on 31 Jan in Sao Paulo (UTC-3); 04:00Z is 01:00 on 1 Feb
    path = tmp_path / "tz.csv"
    path.write_text(
        "interaction_id,created_at,first_response_at,resolved_at\n"
        "a,2026-02-01T01:00:00Z,2026-02-01T01:00:30Z,\n"
        "b,2026-02-01T04:00:00+00:00,,2026-02-02T04:00:00+00:00\n"
        "c,2026-02-01 09:00:00,,\n",
        encoding="utf-8",
    )
    r = compute(path, ["volume", "asa", "resolution_time_mean"], by="day")
    assert r["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-31", "2026-02-01"]
    assert r["volume"].tolist() == [1, 2]  # the naive 09:00 stays as it is
    assert r["asa"].tolist()[0] == pytest.approx(30.0)
    assert r["resolution_time_mean"].tolist()[1] == pytest.approx(86400.0)


def test_parquet_with_aware_nanosecond_timestamps_and_the_timezone_argument(tmp_path):
    path = tmp_path / "p.parquet"
    created = pd.to_datetime(["2026-02-01 01:00"]).tz_localize("UTC").as_unit("ns")
    pd.DataFrame({"interaction_id": ["a"], "created_at": created}).to_parquet(path)
    local = compute(path, "volume", by="day")
    assert local["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-01-31"]
    utc = compute(path, "volume", by="day", timezone="UTC")
    assert utc["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-01"]


def test_a_threshold_mapping_reaches_the_other_spellings_of_its_channel():
    df = pd.DataFrame(
        {
            "interaction_id": list("abcd"),
            "created_at": [T("2026-01-12 10:00")] * 4,
            "wait_s": [100.0] * 4,
            "channel": ["web", "e-mail", "mail", "instagram"],
        }
    )
    default = compute(df, "service_level", by="channel").set_index("channel")["service_level"]
    # "web" is "anything else" (20 s); e-mail/mail are e-mail (24 h); instagram social (1 h)
    assert default.to_dict() == {"e-mail": 1.0, "instagram": 1.0, "mail": 1.0, "web": 0.0}
    opts = {"service_level": {"threshold_s": {"email": 50, "social": 50}}}
    given = compute(df, "service_level", by="channel", options=opts)
    assert given["service_level"].tolist() == [0.0, 0.0, 0.0, 0.0]
