"""Trends that do not cry wolf: named run rules and partial buckets (issue #10).

* the rules, each named where it fires: ``beyond_limits``, ``shift_8``, ``trend_6``;
* partial buckets (the period cuts them or the data does not cover all their days, per segment
  with ``by``) are marked, drawn apart and left out of the limits and of every signal.

Every expected number is computed by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi_helpers import charts, views
from kpi_helpers.coverage import Coverage
from kpi_helpers.i18n import catalog_messages, t
from kpi_helpers.trends import (
    RULE_LIMITS,
    RULE_RUN_ABOVE,
    RULE_RUN_BELOW,
    RULE_TREND_DOWN,
    RULE_TREND_UP,
    SIGNAL_LABELS,
    TREND_COLUMNS,
    bucket_days,
    run_flags,
    trend,
    trend_flags,
)

MONDAY = pd.Timestamp("2026-01-05")  # a Monday


def _contacts(days_counts, *, channel: str = "phone", prefix: str = "") -> pd.DataFrame:
    """``count`` contacts on each ``day`` (10:00 + i minutes)."""
    rows = []
    for k, (day, count) in enumerate(days_counts):
        day = pd.Timestamp(day)
        for i in range(count):
            rows.append((f"{prefix}{channel}-{k}-{i}", day + pd.Timedelta(hours=10, minutes=i)))
    frame = pd.DataFrame(rows, columns=["interaction_id", "created_at"])
    frame["channel"] = channel
    return frame


def _weekly_volumes(counts) -> pd.DataFrame:
    """One week per count, all the count's contacts on its Tuesday, the data declared to
    cover whole weeks with ``_weeks_covered``."""
    return _contacts([(MONDAY + pd.Timedelta(days=7 * w + 1), c) for w, c in enumerate(counts)])


def _weeks_covered(weeks: int) -> Coverage:
    return Coverage(MONDAY, MONDAY + pd.Timedelta(days=7 * weeks - 1))


# -- trend_6: the pure rule -------------------------------------------------------------------
def test_trend_rule_fires_at_the_sixth_rising_point_not_before():
    assert trend_flags(np.array([1.0, 2, 3, 4, 5])).tolist() == [0] * 5  # 5 points: too few
    assert trend_flags(np.array([1.0, 2, 3, 4, 5, 6])).tolist() == [1] * 6
    # a seventh point that falls ends the run and is not part of it
    assert trend_flags(np.array([1.0, 2, 3, 4, 5, 6, 2])).tolist() == [1] * 6 + [0]
    assert trend_flags(np.array([9.0, 8, 7, 6, 5, 4, 4.5])).tolist() == [-1] * 6 + [0]


def test_trend_rule_equal_values_and_gaps_break_the_run():
    # 1 2 3 = 3 4 5 6: the tie ends the first run (3 points); the second run starts AT the tie
    # (3 4 5 6 7: 5 points) -> nothing; one more rising point makes it 6
    assert trend_flags(np.array([1.0, 2, 3, 3, 4, 5, 6, 7])).tolist() == [0] * 8
    assert trend_flags(np.array([1.0, 2, 3, 3, 4, 5, 6, 7, 8])).tolist() == [0] * 3 + [1] * 6
    gap = np.array([1.0, 2, 3, np.nan, 4, 5, 6])
    assert trend_flags(gap).tolist() == [0] * 7


def test_the_issue_backlog_rule():
    # the issue's monthly backlog: 5 increases in a row -> all six points
    backlog = np.array([39.0, 52, 64, 80, 95, 110])
    assert trend_flags(backlog).tolist() == [1] * 6
    assert trend_flags(backlog[:5]).tolist() == [0] * 5


# -- shift_8: the pure rule -------------------------------------------------------------------
def test_shift_rule_eight_on_one_side_and_a_point_on_the_centre_breaks_it():
    centre = np.full(9, 10.0)
    assert run_flags(np.array([11.0] * 7 + [9.0, 9.0]), centre).tolist() == [0] * 9
    assert run_flags(np.array([11.0] * 8 + [9.0]), centre).tolist() == [1] * 8 + [0]
    # the 5th point sits ON the centre line: two runs of 4, no shift
    on_line = np.array([11.0] * 4 + [10.0] + [11.0] * 4)
    assert run_flags(on_line, centre).tolist() == [0] * 9
    # a point on the line before 8 below: the 8 still make a shift
    assert run_flags(np.array([10.0] + [9.0] * 8), centre).tolist() == [0] + [-1] * 8


# -- each rule through trend(), named where it fires ------------------------------------------
def test_beyond_limits_named_only_at_the_point_outside():
    # volumes 10, 11, 10, 11, 10, 30: mean 82/6 = 13.6667; MR 1,1,1,1,20 -> MR̄ 4.8;
    # limits 13.6667 ± 12.768 -> [0.8987, 26.4347]: only 30 is outside
    df = _weekly_volumes([10, 11, 10, 11, 10, 30])
    out = trend(df, "volume", "week", coverage=_weeks_covered(6))
    assert list(out.columns) == list(TREND_COLUMNS)
    assert out["signal"].tolist() == [""] * 5 + ["beyond_limits"]
    assert out["rule"].tolist() == [""] * 5 + [RULE_LIMITS]
    assert out["out_of_control"].tolist() == [False] * 5 + [True]
    assert not out["run_flag"].any() and not out["trend_flag"].any()


def test_shift_8_named_at_the_eight_points_not_at_the_seven():
    # 12 13 12 13 12 13 12 13 | 9 10 9 10 9 10 9: sum 100 + 66 = 166 -> centre 11.0667;
    # MR: seven 1s, 4, six 1s = 17 / 14 = 1.2143 -> ± 3.23 -> [7.836, 14.297]: none outside;
    # the first 8 are above (a shift), the last 7 below (one short); no 6 rising or falling
    df = _weekly_volumes([12, 13] * 4 + [9, 10, 9, 10, 9, 10, 9])
    out = trend(df, "volume", "week", coverage=_weeks_covered(15))
    assert out["center"].iloc[0] == pytest.approx(166 / 15)
    assert out["ucl"].iloc[0] == pytest.approx(166 / 15 + 2.66 * 17 / 14)
    assert out["signal"].tolist() == ["shift_8"] * 8 + [""] * 7
    assert out["rule"].tolist() == [RULE_RUN_ABOVE] * 8 + [""] * 7
    assert out["run_flag"].tolist() == [True] * 8 + [False] * 7
    # an eighth week below makes the second run a shift too (centre 175/16 = 10.9375)
    df = _weekly_volumes([12, 13] * 4 + [9, 10, 9, 10, 9, 10, 9, 10])
    out = trend(df, "volume", "week", coverage=_weeks_covered(16))
    assert out["rule"].tolist() == [RULE_RUN_ABOVE] * 8 + [RULE_RUN_BELOW] * 8


def test_trend_6_named_at_the_six_falling_points():
    # 20 20 18 16 15 13 12 12: the tie at the start and the end breaks the run; points 1-6
    # (20 18 16 15 13 12) fall 5 times. Mean 126/8 = 15.75; MR 0,2,2,1,2,1,0 -> 8/7;
    # limits 15.75 ± 3.04 -> [12.71, 18.79]: 20 and 20 above, 12 and 12 below
    df = _weekly_volumes([20, 20, 18, 16, 15, 13, 12, 12])
    out = trend(df, "volume", "week", coverage=_weeks_covered(8))
    assert out["ucl"].iloc[0] == pytest.approx(15.75 + 2.66 * 8 / 7)
    assert out["trend_flag"].tolist() == [False] + [True] * 6 + [False]
    assert out["signal"].tolist() == [
        "beyond_limits", "beyond_limits,trend_6", "trend_6", "trend_6", "trend_6", "trend_6",
        "beyond_limits,trend_6", "beyond_limits",
    ]  # fmt: skip
    assert out["rule"].iloc[1] == f"{RULE_LIMITS}; {RULE_TREND_DOWN}"
    assert out["rule"].iloc[3] == RULE_TREND_DOWN


def _backlog_data() -> pd.DataFrame:
    """Jan-Jun 2026: 39, 13, 12, 16, 15, 15 contacts that stay open, spread from the 1st to the
    last day of their month (the data covers whole months), plus 5 a month resolved the next
    day (never in a month-end backlog). Open at each month's end: 39, 52, 64, 80, 95, 110."""
    rows = []
    for m, count in enumerate([39, 13, 12, 16, 15, 15]):
        start = pd.Timestamp(2026, m + 1, 1)
        last = start.days_in_month - 1
        for i in range(count):
            created = start + pd.Timedelta(days=i * last // (count - 1), hours=10)
            rows.append((f"open-{m}-{i}", created, pd.NaT))
        for i in range(5):
            created = start + pd.Timedelta(days=1, hours=9 + i)
            rows.append((f"done-{m}-{i}", created, created + pd.Timedelta(days=1)))
    return pd.DataFrame(rows, columns=["interaction_id", "created_at", "resolved_at"])


def test_backlog_rising_six_months_is_flagged_by_the_trend_rule():
    out = trend(_backlog_data(), "backlog", "month")
    assert out["value"].tolist() == [39, 52, 64, 80, 95, 110]
    assert not out["partial"].any()
    assert out["covered_days"].tolist() == out["days"].tolist() == [31, 28, 31, 30, 31, 30]
    # the limits do not see it: centre 440/6 = 73.3333; MR 13,12,16,15,15 -> MR̄ 14.2;
    # ± 37.772 -> [35.5613, 111.1053]; 3 below and 3 above the centre: no shift
    assert out["lcl"].iloc[0] == pytest.approx(440 / 6 - 37.772)
    assert out["ucl"].iloc[0] == pytest.approx(440 / 6 + 37.772)
    assert not out["out_of_control"].any() and not out["run_flag"].any()
    assert out["signal"].tolist() == ["trend_6"] * 6
    assert out["rule"].tolist() == [RULE_TREND_UP] * 6
    # not before the sixth month: January to May rise 4 times only
    five = trend(_backlog_data(), "backlog", "month", period="2026-01..2026-05")
    assert five["value"].tolist() == [39, 52, 64, 80, 95]
    assert five["signal"].tolist() == [""] * 5


# -- partial buckets --------------------------------------------------------------------------
def _one_sunday_then_weeks() -> pd.DataFrame:
    """1 contact on Sunday 4 Jan (the data starts there), five whole weeks of 20, 22, 19, 21,
    18 contacts (Monday to Sunday), then Mon-Wed 9-11 Mar: 9 contacts (the data ends there)."""
    days = [(pd.Timestamp("2026-01-04"), 1)]
    for w, count in enumerate([20, 22, 19, 21, 18]):
        monday = MONDAY + pd.Timedelta(days=7 * w)
        # count contacts over the week's seven days: 3 a day, the rest on Sunday
        days += [(monday + pd.Timedelta(days=d), 3) for d in range(6)]
        days.append((monday + pd.Timedelta(days=6), count - 18))
    days += [(pd.Timestamp("2026-02-09") + pd.Timedelta(days=d), 3) for d in range(3)]
    return _contacts(days)


def test_partial_first_and_last_weeks_are_marked_and_left_out():
    out = trend(_one_sunday_then_weeks(), "volume", "week")
    assert out["period"].tolist()[0] == pd.Timestamp("2025-12-29")
    assert out["value"].tolist() == [1, 20, 22, 19, 21, 18, 9]
    assert out["partial"].tolist() == [True] + [False] * 5 + [True]
    assert out["covered_days"].tolist() == [1, 7, 7, 7, 7, 7, 3]
    assert out["days"].tolist() == [7] * 7
    # limits from the five whole weeks only: mean 100/5 = 20; MR 2,3,2,3 -> 2.5; ± 6.65
    full = out.iloc[1:6]
    assert full["center"].tolist() == pytest.approx([20.0] * 5)
    assert full["lcl"].tolist() == pytest.approx([13.35] * 5)
    assert full["ucl"].tolist() == pytest.approx([26.65] * 5)
    # the lone Sunday (1 < 13.35) and the 3-day week (9) would be "out of control": they
    # are not tested at all
    edges = out.iloc[[0, 6]]
    assert edges["lcl"].isna().all() and edges["ucl"].isna().all()
    assert not (edges["out_of_control"] | edges["run_flag"] | edges["trend_flag"]).any()
    assert edges["signal"].tolist() == ["", ""] and edges["rule"].tolist() == ["", ""]
    assert out["signal"].tolist() == [""] * 7


def test_partial_buckets_break_runs():
    # 1 (partial Sunday), then 2 3 4 5 6 whole weeks rising, then a partial week of 9:
    # with the partial points the run would be 7 rising points; without them, 5: no trend_6
    days = [(pd.Timestamp("2026-01-04"), 1)]
    days += [(MONDAY + pd.Timedelta(days=7 * w), c) for w, c in enumerate([2, 3, 4, 5, 6])]
    days.append((pd.Timestamp("2026-02-10"), 9))  # Tuesday: the week of 9 Feb covers 2 days
    out = trend(_contacts(days), "volume", "week")
    assert out["value"].tolist() == [1, 2, 3, 4, 5, 6, 9]
    assert out["partial"].tolist() == [True] + [False] * 5 + [True]
    assert not out["trend_flag"].any()
    # declaring that the export covers 29 Dec - 15 Feb makes every week whole: now it fires
    # (mean 30/7 = 4.2857, MR 1,1,1,1,1,3 -> 8/6, ± 3.5467 -> [0.739, 7.832]: 9 is outside)
    whole = trend(
        _contacts(days),
        "volume",
        "week",
        coverage=Coverage(pd.Timestamp("2025-12-29"), pd.Timestamp("2026-02-15")),
    )
    assert not whole["partial"].any()
    assert whole["signal"].tolist() == ["trend_6"] * 6 + ["beyond_limits,trend_6"]


def test_partial_by_period_cut_for_a_proportion():
    # contacts every day 5 Jan - 1 Feb (4 whole weeks of data), 10 a day, all answering CSAT:
    # week 0 all 2s, week 1 7/10 top-two a day, week 2 8/10, week 3 all 5s.
    # period 8-27 Jan cuts week 0 (8-11 Jan: 4 of 7 days) and week 3 (26-27 Jan: 2 of 7)
    frames = []
    for w, top in enumerate([0, 7, 8, 10]):
        for d in range(7):
            day = MONDAY + pd.Timedelta(days=7 * w + d)
            f = _contacts([(day, 10)], prefix=f"{w}{d}-")
            f["csat"] = [5.0] * top + [2.0] * (10 - top)
            frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    out = trend(df, "csat", "week", period="2026-01-08..2026-01-27")
    assert out["partial"].tolist() == [True, False, False, True]
    assert out["covered_days"].tolist() == [4, 7, 7, 2]
    assert out["n"].tolist() == [40, 70, 70, 20]
    assert out["value"].tolist() == pytest.approx([0.0, 0.7, 0.8, 1.0])
    # p̄ = (49 + 56) / 140 = 0.75; n = 70: 3·sqrt(0.75·0.25/70) = 0.1552648
    assert out["center"].iloc[0] == pytest.approx(0.75)
    assert out["lcl"].iloc[1:3].tolist() == pytest.approx([0.5947352] * 2, abs=1e-7)
    assert out["ucl"].iloc[1:3].tolist() == pytest.approx([0.9052648] * 2, abs=1e-7)
    # 0% and 100% are far outside those limits, but partial: not tested
    assert out["out_of_control"].tolist() == [False] * 4
    assert math.isnan(out["lcl"].iloc[0]) and math.isnan(out["ucl"].iloc[3])


def test_per_segment_coverage_a_channel_that_stops_midway():
    # phone: 3 a day, 5 Jan - 15 Feb (6 whole weeks of 21); chat: 2 a day 5 Jan - Wed 28 Jan,
    # plus 2 more on 13 Jan and 1 more on 20 Jan -> weeks 14, 16, 15, then 6 (Mon-Wed), 0, 0
    phone = _contacts([(MONDAY + pd.Timedelta(days=d), 3) for d in range(42)], channel="phone")
    chat_days = [(MONDAY + pd.Timedelta(days=d), 2) for d in range(24)]
    chat_days += [(pd.Timestamp("2026-01-13"), 2), (pd.Timestamp("2026-01-20"), 1)]
    chat = _contacts(chat_days, channel="chat", prefix="x")
    out = trend(pd.concat([phone, chat], ignore_index=True), "volume", "week", by="channel")
    c = out.loc[out["channel"] == "chat"].reset_index(drop=True)
    p = out.loc[out["channel"] == "phone"].reset_index(drop=True)
    assert c["value"].tolist() == [14, 16, 15, 6, 0, 0]
    assert c["covered_days"].tolist() == [7, 7, 7, 3, 0, 0]
    assert c["partial"].tolist() == [False] * 3 + [True] * 3
    assert p["partial"].tolist() == [False] * 6 and p["covered_days"].tolist() == [7] * 6
    # chat's limits from its 3 whole weeks: mean 15; MR 2, 1 -> 1.5; ± 3.99 -> [11.01, 18.99]
    assert c["lcl"].iloc[:3].tolist() == pytest.approx([11.01] * 3)
    assert c["ucl"].iloc[:3].tolist() == pytest.approx([18.99] * 3)
    # 6, 0, 0 are below 11.01 -- a channel that stopped, not a collapse: no signal
    assert c["signal"].tolist() == [""] * 6
    assert c["lcl"].iloc[3:].isna().all()


def test_bucket_days_by_hand():
    cov = Coverage(pd.Timestamp("2026-01-31 23:00"), pd.Timestamp("2026-03-02 01:00"))
    starts = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])
    covered, days = bucket_days(starts, "month", cov)
    assert days.tolist() == [31, 28, 31]
    assert covered.tolist() == [1, 28, 2]  # 31 Jan; all February; 1-2 Mar


# -- the chart --------------------------------------------------------------------------------
def _layers(spec: dict) -> list[dict]:
    return spec["layer"] if "layer" in spec else spec["spec"]["layer"]


def _rows(spec: dict) -> list[dict]:
    return next(iter(spec["datasets"].values()))


def test_chart_draws_partial_points_hollow_with_a_dashed_line_and_says_why():
    tr = trend(_one_sunday_then_weeks(), "volume", "week")
    spec = charts.trend_chart(tr, "volume", lang="en").to_dict()
    layers = _layers(spec)
    points = [lay for lay in layers if lay["mark"]["type"] == "point"]
    assert len(points) == 2
    filled, hollow = points
    assert filled["mark"]["filled"] is True
    assert filled["transform"] == [{"filter": "!datum.partial"}]
    assert hollow["mark"]["filled"] is False and hollow["transform"] == [
        {"filter": "datum.partial"}
    ]
    legend = hollow["encoding"]["stroke"]
    assert legend["field"] == "partial_text"
    assert legend["scale"]["domain"] == ["partial bucket (fewer days)"]
    dashed = [lay for lay in layers if lay["mark"].get("strokeDash") == [4, 3]]
    assert len(dashed) == 1 and dashed[0]["encoding"]["detail"]["field"] == "dashed_group"
    # the solid line skips the partial buckets; the dashed one joins them to their neighbours
    solid = [lay for lay in layers if lay["encoding"].get("y", {}).get("field") == "solid"]
    assert len(solid) == 1
    rows = _rows(spec)
    assert [r["partial"] for r in rows] == [True] + [False] * 5 + [True]
    assert [r["solid"] for r in rows] == [None, 20.0, 22.0, 19.0, 21.0, 18.0, None]
    assert [r["dashed_group"] for r in rows] == [0, 0, -1, -1, -1, 1, 1]
    assert rows[0]["coverage_text"] == "partial: 1 of 7 days"
    assert rows[6]["coverage_text"] == "partial: 3 of 7 days"
    assert rows[1]["coverage_text"] == "7 of 7 days"
    assert rows[0]["rule_text"] == "partial bucket: left out of the limits and signals"
    assert "partial: 1 of 7 days" in rows[0]["desc"]
    fields = {tip["field"] for tip in hollow["encoding"]["tooltip"]}
    assert {"coverage_text", "rule_text"} <= fields
    assert "(2 partial, left out of the limits)" in spec["description"]
    pt = _rows(charts.trend_chart(tr, "volume", lang="pt-BR").to_dict())
    assert pt[6]["coverage_text"] == "parcial: 3 de 7 dias"


def test_chart_names_the_trend_rule_in_status_and_tooltip():
    tr = trend(_backlog_data(), "backlog", "month")
    spec = charts.trend_chart(tr, "backlog", lang="pt-BR").to_dict()
    layers = _layers(spec)
    assert len([lay for lay in layers if lay["mark"]["type"] == "point"]) == 1  # no partial
    enc = next(lay for lay in layers if lay["mark"]["type"] == "point")["encoding"]
    assert enc["shape"]["scale"]["domain"][3] == "6 pontos seguidos subindo ou caindo"
    assert enc["shape"]["scale"]["range"][3] == "diamond"
    rows = _rows(spec)
    assert {r["status"] for r in rows} == {"6 pontos seguidos subindo ou caindo"}
    assert {r["rule_text"] for r in rows} == {"6 pontos seguidos subindo"}
    assert spec["description"].endswith("sinalizados: 6.")


# -- the views --------------------------------------------------------------------------------
def test_views_name_the_rule_and_count_signals_and_partial_buckets():
    tr = views.trends(
        _backlog_data(), ["backlog", "volume"], freq="month", period="2026-01..2026-06"
    )
    table = views.out_of_control_table(tr.frames["backlog"], "backlog", "pt-BR")
    assert table.frame["Regra"].tolist() == ["6 pontos seguidos subindo"] * 6
    summary = views.trend_summary(tr, "en").frame
    assert summary.columns[-2:].tolist() == ["6+ rising or falling", "Partial"]
    # backlog: 6 points in the trend; volume 44, 18, 17, 21, 20, 20: mean 140/6 = 23.333,
    # MR 26,1,4,1,0 -> 6.4, ucl 23.333 + 17.024 = 40.357: January is outside
    assert summary.iloc[0, -4:].tolist() == ["0", "0", "6", "0"]
    assert summary.iloc[1, -4:].tolist() == ["1", "0", "0", "0"]


def test_views_say_how_many_partial_buckets_were_left_out():
    tr = views.trends(
        _one_sunday_then_weeks(), ["volume"], freq="week", period="2025-12-29..2026-02-15"
    )
    frame = tr.frames["volume"]
    assert frame["partial"].tolist() == [True] + [False] * 5 + [True]
    note = views.out_of_control_table(frame, "volume", "en")
    assert isinstance(note, views.Note) and note.text.startswith("No signal:")
    assert note.text.endswith(" 2 partial bucket(s) left out of the limits and signals.")
    summary = views.trend_summary(tr, "pt-BR").frame
    assert summary["Parciais"].tolist() == ["2"]
    assert summary["Linha central"].tolist() == ["20"]  # from the 5 whole weeks


# -- every label in both languages ------------------------------------------------------------
def test_rule_and_signal_labels_are_translated():
    expected = {
        RULE_LIMITS: "fora dos limites de controle",
        RULE_RUN_ABOVE: "8 pontos seguidos acima da linha central",
        RULE_RUN_BELOW: "8 pontos seguidos abaixo da linha central",
        RULE_TREND_UP: "6 pontos seguidos subindo",
        RULE_TREND_DOWN: "6 pontos seguidos caindo",
        SIGNAL_LABELS["shift_8"]: "8 pontos seguidos do mesmo lado da linha central",
        SIGNAL_LABELS["trend_6"]: "6 pontos seguidos subindo ou caindo",
    }
    for english, portuguese in expected.items():
        assert t(english, "pt-BR") == portuguese
        assert t(english, "en") == english
    assert set(SIGNAL_LABELS) == {"beyond_limits", "shift_8", "trend_6"}
    messages = catalog_messages("pt-BR")
    for status in (charts._STATUS_TREND, charts._STATUS_PARTIAL, charts._LEGEND_PARTIAL):
        assert messages.get(status)
