"""kpi_helpers.trends: p-chart and XmR limits, the run rule, empty and partial periods.

Every expected number is computed by hand in the comments.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi_helpers.coverage import Coverage
from kpi_helpers.errors import OptionError, UnknownMetricError
from kpi_helpers.trends import (
    RULE_LIMITS,
    RULE_RUN_ABOVE,
    RULE_RUN_BELOW,
    TREND_COLUMNS,
    p_chart_limits,
    run_flags,
    trend,
    xmr_limits,
)

MONDAYS = pd.date_range("2026-01-05", periods=20, freq="7D")  # 2026-01-05 is a Monday


def _rows(week: int, count: int, *, channel: str = "phone", csat=None, start: int = 0):
    """``count`` contacts on the Tuesday of week ``week`` (10:00 + i minutes)."""
    day = MONDAYS[week] + pd.Timedelta(days=1, hours=10)
    return pd.DataFrame(
        {
            "interaction_id": [f"{channel}-{week}-{start + i}" for i in range(count)],
            "created_at": [day + pd.Timedelta(minutes=i) for i in range(count)],
            "channel": channel,
            "csat": csat if csat is not None else [np.nan] * count,
        }
    )


def _csat_weeks(spec, channel="phone"):
    """spec: list of (top_two, responses) per week; every contact answers the survey."""
    frames = []
    for week, (top, n) in enumerate(spec):
        scores = [5.0] * top + [2.0] * (n - top)
        frames.append(_rows(week, n, channel=channel, csat=scores))
    return frames


def _volume_weeks(counts, channel="phone"):
    return pd.concat(
        [_rows(w, c, channel=channel) for w, c in enumerate(counts) if c], ignore_index=True
    )


def _whole_weeks(df: pd.DataFrame) -> Coverage:
    """Declare that ``df`` covers whole weeks: Monday of its first contact to Sunday of its last.

    The contacts of these helpers fall on Tuesdays, so the measured coverage would make the
    first and last weeks partial (left out of the limits and signals).
    """
    first, last = df["created_at"].min().normalize(), df["created_at"].max().normalize()
    return Coverage(
        first - pd.Timedelta(days=first.weekday()), last + pd.Timedelta(days=6 - last.weekday())
    )


# -- the pure functions -----------------------------------------------------------------------
def test_p_chart_limits_use_each_points_own_n():
    # p̄ = (50 + 35 + 90) / (100 + 50 + 100) = 175 / 250 = 0.7
    # n = 100: 3·sqrt(0.21/100) = 0.1374773 -> [0.5625227, 0.8374773]
    # n = 50:  3·sqrt(0.21/50)  = 0.1944222 -> [0.5055778, 0.8944222]
    center, lcl, ucl = p_chart_limits(np.array([0.5, 0.7, 0.9]), np.array([100, 50, 100]))
    assert center == pytest.approx(0.7)
    assert lcl == pytest.approx([0.5625227, 0.5055778, 0.5625227], abs=1e-7)
    assert ucl == pytest.approx([0.8374773, 0.8944222, 0.8374773], abs=1e-7)


def test_p_chart_limits_are_clipped_to_0_1_and_nan_for_empty_points():
    # p̄ = (3 + 0) / (4 + 2) = 0.5; n = 4: 3·sqrt(0.25/4) = 0.75 -> [-0.25, 1.25] -> [0, 1]
    center, lcl, ucl = p_chart_limits(np.array([0.75, 0.0, np.nan]), np.array([4, 2, 0]))
    assert center == pytest.approx(0.5)
    assert lcl[0] == 0.0 and ucl[0] == 1.0
    assert math.isnan(lcl[2]) and math.isnan(ucl[2])


def test_xmr_limits_by_hand():
    # centre 12; MR = 2, 1, 4 -> MR̄ = 7/3; 2.66 · 7/3 = 6.2066667
    center, lcl, ucl = xmr_limits(np.array([10.0, 12.0, np.nan, 11.0, 15.0]))
    assert center == pytest.approx(12.0)
    assert lcl == pytest.approx(12.0 - 6.2066667)
    assert ucl == pytest.approx(12.0 + 6.2066667)


def test_xmr_limits_need_two_points():
    assert xmr_limits(np.array([5.0]))[0] == 5.0
    assert math.isnan(xmr_limits(np.array([5.0]))[1])
    assert all(math.isnan(v) for v in xmr_limits(np.array([np.nan])))


def test_run_flags_eight_in_a_row():
    centre = np.zeros(10)
    eight = np.array([1.0] * 8 + [-1.0, -1.0])
    assert run_flags(eight, centre).tolist() == [1] * 8 + [0, 0]
    seven = np.array([-1.0] * 7 + [1.0] * 3)
    assert run_flags(seven, centre).tolist() == [0] * 10
    nine_below = np.array([1.0] + [-2.0] * 9)
    assert run_flags(nine_below, centre).tolist() == [0] + [-1] * 9


def test_run_is_broken_by_a_point_on_the_centre_or_an_empty_point():
    centre = np.zeros(9)
    on_line = np.array([1.0] * 4 + [0.0] + [1.0] * 4)
    assert run_flags(on_line, centre).tolist() == [0] * 9
    gap = np.array([1.0] * 4 + [np.nan] + [1.0] * 4)
    assert run_flags(gap, centre).tolist() == [0] * 9


# -- trend(): p-chart -------------------------------------------------------------------------
def test_trend_p_chart_by_hand():
    # weeks 0-2 as in test_p_chart_limits_use_each_points_own_n; week 3: contacts without a
    # survey answer -> no denominator -> NaN value, NaN limits, never flagged
    frames = _csat_weeks([(50, 100), (35, 50), (90, 100)])
    frames.append(_rows(3, 2))
    df = pd.concat(frames, ignore_index=True)
    before = df.copy()
    out = trend(df, "csat", "week", coverage=_whole_weeks(df))
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert list(out.columns) == list(TREND_COLUMNS)
    assert out.attrs["chart"] == "p" and out.attrs["metric"] == "csat"
    assert out["period"].tolist() == list(MONDAYS[:4])
    assert out["value"].iloc[:3].tolist() == pytest.approx([0.5, 0.7, 0.9])
    assert out["n"].tolist() == [100, 50, 100, 0]
    assert out["center"].iloc[:3].tolist() == pytest.approx([0.7] * 3)
    assert out["lcl"].iloc[:3].tolist() == pytest.approx(
        [0.5625227, 0.5055778, 0.5625227], abs=1e-7
    )
    assert out["ucl"].iloc[:3].tolist() == pytest.approx(
        [0.8374773, 0.8944222, 0.8374773], abs=1e-7
    )
    assert out["out_of_control"].tolist() == [True, False, True, False]
    assert out["rule"].tolist() == [RULE_LIMITS, "", RULE_LIMITS, ""]
    empty = out.iloc[3]
    assert math.isnan(empty["value"]) and math.isnan(empty["lcl"]) and math.isnan(empty["ucl"])
    assert not empty["out_of_control"] and not empty["run_flag"]
    assert not out["run_flag"].any()


def test_trend_p_chart_limits_per_segment():
    # phone: 8/10 and 6/10 -> p̄ = 0.7; chat: 1/10 and 3/10 -> p̄ = 0.2
    # chat n = 10: 3·sqrt(0.2·0.8/10) = 0.3794733 -> [0, 0.5794733]
    phone = _csat_weeks([(8, 10), (6, 10)], channel="phone")
    chat = _csat_weeks([(1, 10), (3, 10)], channel="chat")
    df = pd.concat(phone + chat, ignore_index=True)
    out = trend(df, "csat", "week", by="channel", coverage=_whole_weeks(df))
    assert list(out.columns[:2]) == ["period", "channel"]
    assert out["channel"].tolist() == ["chat", "chat", "phone", "phone"]
    assert out["center"].tolist() == pytest.approx([0.2, 0.2, 0.7, 0.7])
    assert out["lcl"].iloc[0] == 0.0
    assert out["ucl"].iloc[0] == pytest.approx(0.5794733, abs=1e-7)
    # phone: 3·sqrt(0.21/10) = 0.4347413 -> [0.2652587, 1.1347413 -> 1]
    assert out["lcl"].iloc[2] == pytest.approx(0.2652587, abs=1e-7)
    assert out["ucl"].iloc[2] == 1.0


# -- trend(): XmR -----------------------------------------------------------------------------
def test_trend_xmr_on_counts_by_hand():
    # volumes 10, 11, 10, 11, 10, 30: mean 82/6 = 13.666667; MR = 1,1,1,1,20 -> MR̄ = 4.8
    # limits 13.666667 ± 2.66·4.8 = ± 12.768 -> [0.898667, 26.434667]; 30 is outside
    df = _volume_weeks([10, 11, 10, 11, 10, 30])
    out = trend(df, "volume", "week", window=2, coverage=_whole_weeks(df))
    assert out.attrs["chart"] == "xmr"
    assert out["value"].tolist() == [10, 11, 10, 11, 10, 30]
    assert out["n"].tolist() == [10, 11, 10, 11, 10, 30]
    assert out["center"].iloc[0] == pytest.approx(82 / 6)
    assert out["lcl"].iloc[0] == pytest.approx(82 / 6 - 12.768)
    assert out["ucl"].iloc[0] == pytest.approx(82 / 6 + 12.768)
    assert out["out_of_control"].tolist() == [False] * 5 + [True]
    # rolling mean over 2 points: NaN, 10.5, 10.5, 10.5, 10.5, 20
    assert math.isnan(out["rolling_mean"].iloc[0])
    assert out["rolling_mean"].iloc[1:].tolist() == pytest.approx([10.5, 10.5, 10.5, 10.5, 20.0])


def test_trend_xmr_lower_limit_clipped_at_zero_for_counts():
    # volumes 1, 9: mean 5, MR̄ 8 -> 5 ± 21.28 -> lcl -16.28 clipped to 0
    df = _volume_weeks([1, 9])
    out = trend(df, "volume", "week", coverage=_whole_weeks(df))
    assert out["lcl"].tolist() == [0.0, 0.0]
    assert out["ucl"].iloc[0] == pytest.approx(26.28)


def test_trend_xmr_on_a_mean_kpi():
    # aht weekly means 100, 200, 150 (one answered contact each): centre 150,
    # MR = 100, 50 -> MR̄ 75 -> 150 ± 199.5 -> lcl clipped to 0, ucl 349.5
    frames = []
    for week, aht in enumerate([100.0, 200.0, 150.0]):
        f = _rows(week, 1).assign(answered=True, handle_time_s=aht, wait_s=10.0)
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    out = trend(df, "aht", "week", coverage=_whole_weeks(df))
    assert out["value"].tolist() == [100.0, 200.0, 150.0]
    assert out["center"].iloc[0] == pytest.approx(150.0)
    assert out["ucl"].iloc[0] == pytest.approx(349.5)
    assert out["lcl"].iloc[0] == 0.0


def test_trend_run_of_eight_above_the_centre():
    # 8 weeks at 10 then 8 weeks at 12: mean 11; all 16 points are in runs of 8;
    # MR̄ = 2/15 -> limits 11 ± 0.354667: every point is outside too
    df = _volume_weeks([10] * 8 + [12] * 8)
    out = trend(df, "volume", "week", coverage=_whole_weeks(df))
    assert out["run_flag"].all()
    assert out["rule"].iloc[0] == f"{RULE_LIMITS}; {RULE_RUN_BELOW}"
    assert out["rule"].iloc[-1] == f"{RULE_LIMITS}; {RULE_RUN_ABOVE}"


def test_trend_run_of_seven_is_not_flagged():
    # 7 weeks at 12 then alternating 9, 13 -> mean (84 + 9+13+9+13+9) / 12 = 137/12 = 11.4167
    df = _volume_weeks([12] * 7 + [9, 13, 9, 13, 9])
    out = trend(df, "volume", "week", coverage=_whole_weeks(df))
    assert not out["run_flag"].any()


def test_trend_empty_week_in_counts_is_zero_not_missing():
    # the engine fills the gap week with volume 0: a real point of a count
    out = trend(_volume_weeks([5, 0, 5]), "volume", "week")
    assert out["value"].tolist() == [5, 0, 5]


# -- period, partial buckets, target ----------------------------------------------------------
def test_trend_period_marks_partial_buckets_and_leaves_them_out():
    # period 2026-01-07..2026-01-27 (end excluded Jan 28, a Wednesday): weeks of Jan 5
    # (starts before) and Jan 26 (ends after) are partial; the contacts fall on Tuesdays, so
    # Jan 6 (week 0) is outside the period and Jan 27 (week 3) inside.
    df = _volume_weeks([4, 6, 8, 3])
    out = trend(df, "volume", "week", period="2026-01-07..2026-01-27")
    assert out["period"].tolist() == list(MONDAYS[:4])
    assert out["partial"].tolist() == [True, False, False, True]
    assert out["value"].tolist() == [0, 6, 8, 3]
    # centre from the whole weeks only: (6 + 8) / 2 = 7; MR̄ = 2 -> 7 ± 5.32
    full = out.loc[~out["partial"]]
    assert full["center"].tolist() == pytest.approx([7.0, 7.0])
    assert full["ucl"].tolist() == pytest.approx([12.32, 12.32])
    assert out.loc[out["partial"], "lcl"].isna().all()
    assert not out.loc[out["partial"], "out_of_control"].any()
    assert out.attrs["period"].label == "2026-01-07..2026-01-27"


def test_trend_relative_period_needs_as_of():
    from kpi_helpers.errors import PeriodError

    df = _volume_weeks([4, 6])
    with pytest.raises(PeriodError, match="as_of"):
        trend(df, "volume", "week", period="last_28_days")
    out = trend(df, "volume", "week", period="last_14_days", as_of="2026-01-19")
    assert out["value"].tolist() == [4, 6]


def test_trend_target_scalar_and_per_segment():
    df = pd.concat(_csat_weeks([(8, 10)], "phone") + _csat_weeks([(5, 10)], "chat"))
    out = trend(df, "csat", "week", target=0.8)
    assert out["target"].tolist() == [0.8]
    by = trend(df, "csat", "week", by="channel", target={"phone": 0.9, None: 0.75})
    assert by.set_index("channel")["target"].to_dict() == {"chat": 0.75, "phone": 0.9}
    none = trend(df, "csat", "week")
    assert none["target"].isna().all()


# -- errors -----------------------------------------------------------------------------------
def test_trend_errors_name_the_argument():
    df = _volume_weeks([1, 2])
    with pytest.raises(OptionError, match=r"`freq` must be one of .*'week'.*got 'weekly'"):
        trend(df, "volume", "weekly")
    with pytest.raises(OptionError, match="`window`"):
        trend(df, "volume", "week", window=0)
    with pytest.raises(OptionError, match="`by`"):
        trend(df, "volume", "week", by="month")
    with pytest.raises(UnknownMetricError, match="csatt"):
        trend(df, "csatt", "week")
