"""Every interaction KPI of KPIS.md against values computed by hand on the `tiny` fixture."""

from __future__ import annotations

import math
import warnings

import ibis
import numpy as np
import pandas as pd
import pytest

from kpi_helpers import (
    DataError,
    MetricUnavailable,
    OptionError,
    UnknownMetricError,
    catalog,
    compute,
    compute_components,
    list_metrics,
)

T = pd.Timestamp

# Overall values, by hand (see the table in conftest.py).
# answered: a, b, d, e (4 of 6); waits 15, 60, 30, 10; resolved: a (2 h), d (24 h), e (1 h).
OVERALL = {
    "volume": 6,
    "volume_per_day": 6 / 57,  # 2026-01-05 .. 2026-03-02 inclusive = 27 + 28 + 2 days
    "answered": 4,
    "answer_rate": 4 / 6,
    "abandonment_rate": 2 / 6,  # derived: not answered (c, f)
    "asa": (15 + 60 + 30 + 10) / 4,
    "frt_mean": (15 + 60 + 30 + 10) / 4,  # DESIGN.md's name for the same mean
    "frt_median": (15 + 30) / 2,  # 10, 15, 30, 60
    "frt_p90": 30 + 0.7 * (60 - 30),  # position 0.9 * 3 = 2.7
    "service_level": 3 / 6,  # a (phone 15<=20), d (chat 30<=60), e (phone 10<=20)
    "resolution_rate": 3 / 6,
    "fcr": 2 / 3,  # a, d have contacts == 1
    "resolution_time_mean": (7200 + 86400 + 3600) / 3,
    "resolution_time_median": 7200.0,
    # as-of = latest timestamp = 2026-03-02 12:00 (f created); met: a, d (exactly 24 h), e;
    # open longer than 24 h: b, c; f is open for 0 s -> not judged yet.
    "sla_compliance": 3 / 5,
    "reopen_rate": 1 / 3,
    "transfer_rate": 1 / 4,
    "aht": (300 + 600 + 400) / 3,  # e answered without handle time -> excluded
    "bot_containment": 1 / 2,  # c escalated, d contained
    "backlog": 3,  # b, c, f never resolved
    "delivery_success": 2 / 3,
    "csat": 2 / 4,  # answers 5, 2, 4, 3
    "csat_mean": 14 / 4,
    "nps": 100 * (2 - 1) / 4,  # 10, 9 promoters; 3 detractor; 7 passive
    "ces": (6 + 2 + 7) / 3,
}


def test_every_interaction_kpi_is_checked_by_hand():
    interaction_ids = [m for m in list_metrics() if catalog().set_index("id").loc[m, "perspective"]]
    from kpi_helpers import get_metric

    interaction_ids = [m for m in list_metrics() if get_metric(m).source == "interactions"]
    assert set(interaction_ids) == set(OVERALL)


@pytest.mark.parametrize("metric", sorted(OVERALL))
def test_overall_value(tiny, metric):
    result = compute(tiny, metric)
    assert len(result) == 1
    assert result[metric].iloc[0] == pytest.approx(OVERALL[metric], rel=1e-12)


def test_all_at_once_is_one_row_with_every_column(tiny):
    result = compute(tiny, list(OVERALL))
    assert list(result.columns) == list(OVERALL)
    for metric, expected in OVERALL.items():
        assert result[metric].iloc[0] == pytest.approx(expected, rel=1e-12), metric


def test_by_month_hand_computed(tiny):
    r = compute(
        tiny,
        [
            "volume",
            "answer_rate",
            "asa",
            "service_level",
            "csat",
            "nps",
            "backlog",
            "aht",
            "bot_containment",
            "transfer_rate",
            "volume_per_day",
        ],
        by="month",
    )
    assert list(r["month"]) == [T("2026-01-01"), T("2026-02-01"), T("2026-03-01")]
    assert list(r["volume"]) == [3, 1, 2]
    assert r["answer_rate"].tolist() == pytest.approx([2 / 3, 1.0, 0.5])
    assert r["asa"].tolist() == pytest.approx([37.5, 30.0, 10.0])
    assert r["service_level"].tolist() == pytest.approx([1 / 3, 1.0, 0.5])
    assert r["csat"].tolist() == pytest.approx([0.5, 1.0, 0.0])
    # February has no NPS answer: missing, never 0
    assert r["nps"].iloc[0] == pytest.approx(100 / 3)
    assert math.isnan(r["nps"].iloc[1])
    assert r["nps"].iloc[2] == 0.0
    # stock at each month's end: Jan b, c; Feb b, c (d resolved 2 Feb); Mar b, c, f
    assert list(r["backlog"]) == [2, 2, 3]
    assert r["aht"].iloc[0] == pytest.approx(450.0)
    assert math.isnan(r["aht"].iloc[2])  # e answered but no handle time
    assert r["bot_containment"].iloc[0] == 0.0 and r["bot_containment"].iloc[1] == 1.0
    assert math.isnan(r["bot_containment"].iloc[2])
    assert r["transfer_rate"].tolist() == pytest.approx([0.5, 0.0, 0.0])
    assert r["volume_per_day"].tolist() == pytest.approx([3 / 31, 1 / 28, 2 / 31])


def test_with_n_gives_denominators(tiny):
    r = compute(tiny, ["csat", "nps", "asa", "fcr", "volume", "frt_median"], with_n=True)
    row = r.iloc[0]
    assert row["csat_n"] == 4 and row["nps_n"] == 4 and row["asa_n"] == 4
    assert row["fcr_n"] == 3 and row["volume_n"] == 6 and row["frt_median_n"] == 4


def test_by_channel_and_dimension_list(tiny):
    r = compute(tiny, ["volume", "service_level"], by=["month", "channel"])
    jan_phone = r[(r["month"] == T("2026-01-01")) & (r["channel"] == "phone")].iloc[0]
    assert jan_phone["volume"] == 2 and jan_phone["service_level"] == 0.5
    # every month x channel combination is present; empty ones have volume 0 and NaN rates
    assert len(r) == 3 * 3
    feb_email = r[(r["month"] == T("2026-02-01")) & (r["channel"] == "email")].iloc[0]
    assert feb_email["volume"] == 0 and math.isnan(feb_email["service_level"])
    assert r["volume"].sum() == 6


def test_empty_bucket_inside_the_range_is_filled(tiny):
    jan_mar = tiny[tiny["created_at"].dt.month != 2]
    r = compute(jan_mar, ["volume", "csat", "backlog"], by="month")
    assert list(r["volume"]) == [3, 0, 2]
    assert math.isnan(r["csat"].iloc[1])
    assert list(r["backlog"]) == [2, 2, 3]  # the stock carries through the empty month


def test_week_starts_on_monday(tiny):
    r = compute(tiny, "volume", by="week")
    assert r["week"].iloc[0] == T("2026-01-05")  # a Monday
    assert (r["week"].dt.day_of_week == 0).all()
    assert r["volume"].sum() == 6


def test_service_level_variants_and_thresholds(tiny):
    opts = {"service_level": {"threshold_s": 20}}
    assert compute(tiny, "service_level", options=opts).iloc[0, 0] == pytest.approx(2 / 6)
    opts = {"service_level": {"variant": "answered"}}
    assert compute(tiny, "service_level", options=opts).iloc[0, 0] == pytest.approx(3 / 4)
    opts = {"service_level": {"threshold_s": {"chat": 10}}}
    assert compute(tiny, "service_level", options=opts).iloc[0, 0] == pytest.approx(2 / 6)


def test_service_level_exclude_short_abandons():
    df = pd.DataFrame(
        {
            "interaction_id": ["1", "2", "3", "4"],
            "created_at": [T("2026-01-01 10:00")] * 4,
            "channel": ["phone"] * 4,
            "answered": [True, False, False, True],
            "abandoned": [False, True, True, False],
            "wait_s": [10.0, 3.0, 40.0, 30.0],
        }
    )
    opts = {"service_level": {"variant": "exclude_short_abandons"}}
    # row 2 abandoned after 3 s (< 5 s) leaves the denominator; row 1 within 20 s
    assert compute(df, "service_level", options=opts).iloc[0, 0] == pytest.approx(1 / 3)
    assert compute(df, "service_level").iloc[0, 0] == pytest.approx(1 / 4)
    assert compute(df, "abandonment_rate").iloc[0, 0] == pytest.approx(2 / 4)


def test_social_channels_default_to_one_hour():
    df = pd.DataFrame(
        {
            "interaction_id": ["1", "2", "3"],
            "created_at": [T("2026-01-01 10:00")] * 3,
            "channel": ["Instagram", "whatsapp", "sms"],
            "wait_s": [3000.0, 250.0, 25.0],
        }
    )
    # instagram 3000 <= 3600, whatsapp 250 <= 300, sms (other) 25 > 20
    assert compute(df, "service_level").iloc[0, 0] == pytest.approx(2 / 3)
    pt = df.assign(channel=["Telefone", "E-mail", "chat"], wait_s=[15.0, 7200.0, 61.0])
    # telefone is phone (15 <= 20), e-mail is email (7200 <= 86400), chat 61 > 60
    assert compute(pt, "service_level").iloc[0, 0] == pytest.approx(2 / 3)


def test_csat_scale_option_top_two_boxes():
    df = pd.DataFrame(
        {
            "interaction_id": list("abcd"),
            "created_at": [T("2026-01-01")] * 4,
            "csat": [10.0, 9.0, 8.0, None],
        }
    )
    r = compute(df, "csat", options={"csat": {"scale": [1, 10]}})
    assert r.iloc[0, 0] == pytest.approx(2 / 3)


def test_nulls_propagate_missing_answers_are_not_no(tiny):
    # csat answered by 4 of 6: the two blanks are not counted as unsatisfied
    assert compute(tiny, "csat", with_n=True)["csat_n"].iloc[0] == 4


def test_zero_denominator_is_nan_not_zero_nor_error():
    df = pd.DataFrame(
        {
            "interaction_id": ["1"],
            "created_at": [T("2026-01-01")],
            "csat": [np.nan],
            "first_response_at": [pd.NaT],
            "resolved_at": [pd.NaT],
            "contacts": [np.nan],
        }
    )
    r = compute(df, ["csat", "asa", "fcr", "frt_median", "resolution_time_mean"])
    assert r.isna().all(axis=None)


def test_missing_columns_are_unavailable_never_zero(tiny):
    with pytest.raises(MetricUnavailable, match="needs column"):
        compute(tiny.drop(columns=["csat"]), "csat")
    with pytest.warns(MetricUnavailable, match="csat: needs column csat"):
        r = compute(tiny.drop(columns=["csat"]), ["volume", "csat"])
    assert r["volume"].iloc[0] == 6 and math.isnan(r["csat"].iloc[0])
    assert r.attrs["unavailable"] == {"csat": "needs column csat"}
    with pytest.raises(MetricUnavailable, match="wait_s or first_response_at"):
        compute(tiny[["interaction_id", "created_at"]], "asa")


def test_explicit_columns_take_precedence_over_derivation():
    df = pd.DataFrame(
        {
            "interaction_id": ["1", "2", "3"],
            "created_at": [T("2026-01-01 10:00")] * 3,
            "first_response_at": [T("2026-01-01 10:00:05"), pd.NaT, pd.NaT],
            "answered": pd.array([True, True, pd.NA], dtype="boolean"),
            "wait_s": [None, 7.0, None],
        }
    )
    # row 2 answered with a given wait of 7 s; row 3 unknown -> derived from the timestamps: no
    r = compute(df, ["answered", "asa"])
    assert r["answered"].iloc[0] == 2
    assert r["asa"].iloc[0] == pytest.approx(6.0)


def test_microsecond_precision_of_durations():
    df = pd.DataFrame(
        {
            "interaction_id": ["1", "2"],
            "created_at": [T("2026-01-01 10:00:00.999999"), T("2026-01-01 10:00:00")],
            "first_response_at": [T("2026-01-01 10:00:01.000001"), T("2026-01-01 10:00:00.5")],
        }
    )
    r = compute(df, "asa")
    assert r.iloc[0, 0] == pytest.approx((0.000002 + 0.5) / 2, abs=1e-9)


def test_period_filter_is_half_open(tiny):
    r = compute(tiny, "volume", period=(T("2026-01-05 11:00"), T("2026-02-02 08:00")))
    assert r.iloc[0, 0] == 2  # b and c; d at the end is excluded


def test_backlog_at_period_end_includes_older_contacts(tiny):
    r = compute(tiny, "backlog", period=("2026-02-01", "2026-03-01"))
    assert r.iloc[0, 0] == 2  # b and c, created in January, still open on 1 March


def test_components_in_periods_mode(tiny):
    comp = compute_components(
        tiny,
        ["csat", "nps", "volume"],
        periods={"a": ("2026-01-01", "2026-02-01"), "b": ("2026-02-01", "2026-04-01")},
    )
    a = comp[comp["period"] == "a"].iloc[0]
    b = comp[comp["period"] == "b"].iloc[0]
    assert (a["csat__num"], a["csat__den"]) == (1, 2)
    assert (b["csat__num"], b["csat__den"]) == (1, 2)  # d 4 yes, f 3 no
    assert (a["nps__num"], a["nps__den"], a["nps__sumsq"]) == (1, 3, 3)
    assert a["volume"] == 3 and b["volume"] == 3


def test_overlapping_periods_count_rows_in_both(tiny):
    comp = compute_components(
        tiny,
        "volume",
        periods={"q1": ("2026-01-01", "2026-04-01"), "jan": ("2026-01-01", "2026-02-01")},
    )
    assert dict(zip(comp["period"], comp["volume"], strict=True)) == {"jan": 3, "q1": 6}


def test_unknown_metric_lists_known_ids(tiny):
    with pytest.raises(UnknownMetricError, match="Known ids: .*csat"):
        compute(tiny, "cast")
    with pytest.raises(UnknownMetricError, match="Did you mean 'csat'"):
        compute(tiny, "cast")


def test_bad_by_and_options_name_the_argument(tiny):
    # the message names the valid dimensions of the data (and the closest name)
    with pytest.raises(OptionError, match="`by`: 'weekly' is not a column.*Did you mean 'week'"):
        compute(tiny, "volume", by="weekly")
    with pytest.raises(OptionError, match="unknown option 'treshold_s'"):
        compute(tiny, "service_level", options={"service_level": {"treshold_s": 3}})
    with pytest.raises(OptionError, match="variant"):
        compute(tiny, "service_level", options={"service_level": {"variant": "x"}})
    with pytest.raises(DataError, match="team"):
        compute(tiny.drop(columns=["team"]), "volume", by="team")


def test_missing_created_at_is_a_clear_error(tiny):
    with pytest.raises(DataError, match="created_at"):
        compute(tiny.drop(columns=["created_at"]), "volume")


def test_input_frame_is_not_mutated(tiny):
    before = tiny.copy(deep=True)
    compute(tiny, list(OVERALL), by=["month", "channel"])
    pd.testing.assert_frame_equal(tiny, before)


def test_timezone_aware_timestamps_are_converted_to_local_time(tiny):
    aware = tiny.copy()
    # 13:30 UTC is 10:30 in Sao Paulo (UTC-3): still 2026-01-31 locally
    aware["created_at"] = pd.to_datetime(["2026-01-31 23:30"] * 6).tz_localize("UTC")
    aware = aware.drop(columns=["first_response_at", "resolved_at"])
    r = compute(aware, "volume", by="day")
    assert r["day"].iloc[0] == T("2026-01-31")


def test_timezone_aware_inputs_of_every_kind(tmp_path):
    df = pd.DataFrame(
        {
            "interaction_id": ["1", "2"],
            # 01:30 UTC is 22:30 on 31 January in Sao Paulo; 04:00 UTC is 01:00 on 1 February
            "created_at": pd.to_datetime(["2026-02-01 01:30", "2026-02-01 04:00"]).tz_localize(
                "UTC"
            ),
        }
    )
    path = tmp_path / "tz.parquet"
    df.to_parquet(path)
    for data in (df, path, ibis.memtable(df)):
        r = compute(data, "volume", by="day")
        assert r["day"].tolist() == [T("2026-01-31"), T("2026-02-01")], type(data)


def test_parquet_csv_and_ibis_inputs_match(tiny, tmp_path):
    metrics = ["volume", "answer_rate", "asa", "csat", "nps", "fcr", "backlog", "frt_p90"]
    expected = compute(tiny, metrics, by="month")
    pq = tmp_path / "x.parquet"
    tiny.to_parquet(pq)
    pd.testing.assert_frame_equal(compute(pq, metrics, by="month"), expected, check_dtype=False)
    pd.testing.assert_frame_equal(
        compute(ibis.memtable(tiny), metrics, by="month"), expected, check_dtype=False
    )
    csv = tmp_path / "x.csv"
    tiny.to_csv(csv, index=False)
    pd.testing.assert_frame_equal(compute(csv, metrics, by="month"), expected, check_dtype=False)


def test_approx_quantiles_run(tiny):
    r = compute(tiny, "frt_median", quantiles="approx")
    assert 10 <= r.iloc[0, 0] <= 60


def test_catalog_has_both_languages():
    en, pt = catalog("en"), catalog("pt-BR")
    assert list(en.columns) == [
        "id",
        "perspective",
        "unit",
        "higher_is_better",
        "label",
        "description",
        "formula",
        "requires",
    ]
    assert en["id"].tolist() == pt["id"].tolist()
    assert (en["label"] != "").all() and (pt["description"] != "").all()
    assert pt.set_index("id").loc["fcr", "label"] == "Resolução no primeiro contato (FCR)"
    assert set(en["perspective"]) == {"financial", "customer", "internal", "learning"}


def test_warnings_do_not_leak_for_available_metrics(tiny):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compute(tiny, list(OVERALL), by="month")
    assert [w for w in caught if issubclass(w.category, MetricUnavailable)] == []
    assert [str(w.message) for w in caught if "kpi_helpers" in w.filename] == []


def test_business_hours_durations():
    # Mon-Fri 08:00-18:00, Brazilian national holidays (1 Jan 2026 is a Thursday holiday)
    df = pd.DataFrame(
        {
            "interaction_id": ["1", "2", "3", "4"],
            "created_at": [
                T("2026-01-02 17:00"),  # Friday 17:00
                T("2026-01-03 10:00"),  # Saturday
                T("2026-01-01 09:00"),  # holiday
                T("2026-01-05 07:00"),  # Monday before opening
            ],
            "first_response_at": [
                T("2026-01-05 08:30"),  # 1 h Friday + 30 min Monday = 5400 s
                T("2026-01-05 09:00"),  # 3600 s
                T("2026-01-02 08:00:30"),  # 30 s
                T("2026-01-05 08:00:10"),  # 10 s
            ],
            "resolved_at": [
                T("2026-01-06 17:00"),  # 1 h Fri + 10 h Mon + 9 h Tue = 72000 s
                pd.NaT,
                T("2026-01-02 10:00"),  # 7200 s
                T("2026-01-05 09:00"),  # 3600 s
            ],
        }
    )
    r = compute(
        df,
        ["asa", "frt_median", "resolution_time_mean", "sla_compliance"],
        options={"hours": "business"},
    )
    assert r["asa"].iloc[0] == pytest.approx((5400 + 3600 + 30 + 10) / 4)
    assert r["frt_median"].iloc[0] == pytest.approx((30 + 3600) / 2)
    assert r["resolution_time_mean"].iloc[0] == pytest.approx((72000 + 7200 + 3600) / 3)
    # row 2 open 19 business hours at the as-of time (Tue 17:00): not judged yet
    assert r["sla_compliance"].iloc[0] == 1.0
    calendar_hours = compute(df, "asa")
    assert calendar_hours.iloc[0, 0] > 60000  # the weekend counts in calendar time
    only_asa = compute(df, ["asa", "frt_median"], options={"asa": {"hours": "business"}})
    assert only_asa["asa"].iloc[0] == pytest.approx(2260.0)
    assert only_asa["frt_median"].iloc[0] > 60000


def test_text_columns_are_parsed_and_unreadable_values_reported():
    df = pd.DataFrame(
        {
            "interaction_id": ["1", "2", "3"],
            "created_at": ["2026-01-05 10:00:00", "2026-01-05 11:00:00", "2026-01-06 09:00:00"],
            "wait_s": ["00:00:30", "1:30", None],
            "handle_time_s": [pd.Timedelta(minutes=5), pd.Timedelta(seconds=90), pd.NaT],
            "answered": ["Y", "y", "N"],
            "csat": ["5", "4,0", "oops"],
        }
    )
    with pytest.warns(UserWarning, match="csat: 1"):
        r = compute(df, ["asa", "aht", "answered", "csat_mean"])
    assert r["asa"].iloc[0] == pytest.approx((30 + 90) / 2)
    assert r["aht"].iloc[0] == pytest.approx((300 + 90) / 2)
    assert r["answered"].iloc[0] == 2
    assert r["csat_mean"].iloc[0] == pytest.approx(4.5)


def test_backlog_and_sla_can_leave_abandoned_contacts_out(tiny):
    # abandoned (derived: unanswered) = c, f; open at the end of Jan: b, c; Feb: b, c;
    # Mar: b, c, f. Without them only b is open work. SLA: met a, d, e; late open b, c.
    opts = {"exclude_abandoned": True}
    spec = compute(tiny, ["backlog", "sla_compliance"])
    assert spec[["backlog", "sla_compliance"]].iloc[0].tolist() == [3, pytest.approx(3 / 5)]
    out = compute(
        tiny, ["backlog", "sla_compliance"], options={"backlog": opts, "sla_compliance": opts}
    )
    assert out[["backlog", "sla_compliance"]].iloc[0].tolist() == [1, pytest.approx(3 / 4)]
    monthly = compute(tiny, "backlog", by="month", options={"backlog": opts})
    assert monthly["backlog"].tolist() == [1, 1, 1]
    assert compute(tiny, "backlog", by="month")["backlog"].tolist() == [2, 2, 3]
    with pytest.raises(OptionError, match="exclude_abandoned"):
        compute(tiny, "backlog", options={"backlog": {"exclude_abandoned": "yes"}})


def test_survey_scale_from_the_frame_attrs_and_a_warning_outside_the_scale():
    df = pd.DataFrame(
        {
            "interaction_id": list("abcd"),
            "created_at": pd.to_datetime(["2026-01-05"] * 4),
            "csat": [10.0, 8.0, 3.0, None],
        }
    )
    with pytest.warns(UserWarning, match=r"csat answers range from 3 to 10, outside the scale 1-5"):
        assumed = compute(df, "csat")
    assert assumed["csat"].iloc[0] == pytest.approx(2 / 3)  # 10 and 8 are >= 4 on "1-5"
    df.attrs["scales"] = {"csat": [1, 10]}  # what load_interactions leaves on result.data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        declared = compute(df, ["csat", "csat_mean"])
    assert declared["csat"].iloc[0] == pytest.approx(1 / 3)  # top two of 1-10: 9 and 10
    assert declared["csat_mean"].iloc[0] == pytest.approx(7.0)
