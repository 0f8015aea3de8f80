"""compare(): test statistics, calendar normalization, drivers, narratives (by pencil)."""

from __future__ import annotations

import math
import sys
import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kpi_helpers.calendar import BusinessCalendar
from kpi_helpers.compare import (
    Comparison,
    compare,
    compare_many,
    comparison_from_components,
    comparison_table,
    decompose_change,
    poisson_rate_test,
    two_proportion_test,
    welch_test,
)
from kpi_helpers.errors import OptionError, PeriodError
from kpi_helpers.periods import parse_period

Z975 = 1.959963984540054


# -- two-proportion z-test -------------------------------------------------------------------
def test_two_proportion_by_hand():
    # p_a = 0.4, p_b = 0.6, pooled 0.5: SE = sqrt(0.25 * (1/100 + 1/100)) = 0.0707107
    r = two_proportion_test(40, 100, 60, 100)
    assert r.statistic == pytest.approx(0.2 / math.sqrt(0.005), rel=1e-12)  # 2.828427
    assert r.p_value == pytest.approx(0.004678, abs=1e-6)  # 2 * (1 - Phi(2.828427))
    # Newcombe hybrid score: Wilson(40/100) = (0.30940, 0.49800), Wilson(60/100) = (0.50200,
    # 0.69060); low = 0.2 - sqrt(0.0980^2 + 0.0980^2), high = 0.2 + sqrt(0.0906^2 + 0.0906^2)
    assert r.ci_low == pytest.approx(0.06141, abs=1e-4)
    assert r.ci_high == pytest.approx(0.32813, abs=1e-4)
    assert r.test == "two-proportion z-test"


def test_newcombe_interval_matches_published_example():
    # Newcombe (1998), Stat Med 17:873, method 10: 56/70 - 48/80 = 0.2000, CI 0.0524 to 0.3339
    r = two_proportion_test(48, 80, 56, 70)
    assert (round(r.ci_low, 4), round(r.ci_high, 4)) == (0.0524, 0.3339)


def test_two_proportion_degenerate():
    same = two_proportion_test(0, 10, 0, 10)
    assert same.p_value == 1.0 and same.statistic == 0.0
    assert same.ci_low < 0 < same.ci_high
    empty = two_proportion_test(0, 0, 3, 10)
    assert empty.test is None and empty.p_value is None
    assert empty.note == "no data in one of the periods"


# -- Welch -----------------------------------------------------------------------------------
def test_welch_equal_variances_by_hand():
    # a = [1, 2, 3], b = [4, 5, 6]: both variances 1; SE = sqrt(1/3 + 1/3) = 0.816497
    r = welch_test(6, 14, 3, 15, 77, 3)
    assert r.statistic == pytest.approx(3 / math.sqrt(2 / 3), rel=1e-12)  # 3.674235
    assert r.df == pytest.approx(4.0, rel=1e-12)  # (2/3)^2 / (2 * (1/3)^2 / 2)
    assert r.p_value == pytest.approx(0.021312, abs=1e-6)
    half = 2.776445 * math.sqrt(2 / 3)  # t(0.975, 4) * SE = 2.266958
    assert r.ci_low == pytest.approx(3 - half, abs=1e-5)
    assert r.ci_high == pytest.approx(3 + half, abs=1e-5)


def test_welch_unequal_by_hand_and_against_raw_data():
    # a = [1, 2, 3, 4]: sum 10, sumsq 30, var 5/3; b = [2, 4]: sum 6, sumsq 20, var 2
    r = welch_test(10, 30, 4, 6, 20, 2)
    se2 = (5 / 3) / 4 + 2 / 2  # 1.416667
    assert r.statistic == pytest.approx(0.5 / math.sqrt(se2), rel=1e-12)  # 0.420084
    assert r.df == pytest.approx(se2**2 / ((5 / 12) ** 2 / 3 + 1.0), rel=1e-12)  # 1.897155
    raw = stats.ttest_ind([2, 4], [1, 2, 3, 4], equal_var=False)
    assert r.p_value == pytest.approx(raw.pvalue, rel=1e-12)


def test_welch_nps_scale():
    # NPS rows: a = [+1, +1, 0, -1] (NPS 25), b = [+1, +1, +1, 0] (NPS 75)
    r = welch_test(1, 3, 4, 3, 3, 4, scale=100.0)
    var_a, var_b = (3 - 1 / 4) / 3, (3 - 9 / 4) / 3  # 0.916667, 0.25
    se = math.sqrt(var_a / 4 + var_b / 4)
    assert r.statistic == pytest.approx(0.5 / se, rel=1e-12)  # 0.925820
    assert r.df == pytest.approx(4.523077, abs=1e-6)
    half = stats.t.ppf(0.975, r.df) * se
    assert r.ci_low == pytest.approx(100 * (0.5 - half), rel=1e-12)
    assert r.ci_high == pytest.approx(100 * (0.5 + half), rel=1e-12)


def test_welch_not_testable():
    assert welch_test(1, 1, 1, 3, 5, 2).note == "too few observations (fewer than 2 in a period)"
    assert welch_test(4, 8, 2, 6, 18, 2).note == "no variation within the periods"


# -- Poisson ---------------------------------------------------------------------------------
def test_poisson_exact_by_hand():
    # 2 events in 1 day vs 8 in 1 day: k_b ~ Binomial(10, 1/2); P(X >= 8) = (45+10+1)/1024
    r = poisson_rate_test(2, 1, 8, 1)
    assert r.p_value == pytest.approx(112 / 1024, rel=1e-12)
    half = Z975 * math.sqrt(2 + 8)
    assert (r.ci_low, r.ci_high) == (pytest.approx(6 - half), pytest.approx(6 + half))


def test_poisson_exposure_by_hand():
    # 310 in 31 days and 280 in 28 days: both 10 per day -> p = 1, CI symmetric around 0
    r = poisson_rate_test(310, 31, 280, 28)
    assert r.p_value == pytest.approx(1.0)
    half = Z975 * math.sqrt(310 / 31**2 + 280 / 28**2)  # 1.615899
    assert r.ci_low == pytest.approx(-half) and r.ci_high == pytest.approx(half)
    # 0 then 3 in 1 day each: P(X = 3 | n = 3, p = 1/2) = 1/8, two-sided 1/4
    assert poisson_rate_test(0, 1, 3, 1).p_value == pytest.approx(0.25)


def test_poisson_not_testable():
    assert poisson_rate_test(0, 5, 0, 5).note == "no events in either period"
    assert poisson_rate_test(1.5, 5, 2, 5).note == "the counts are not whole numbers"


# -- drivers ---------------------------------------------------------------------------------
def _seg(rows):
    return pd.DataFrame(rows, columns=["channel", "num", "den", "n"]).assign(
        value=lambda d: d["num"] / d["den"]
    )


def test_mix_rate_decomposition_by_hand():
    # a: chat 80/100, whatsapp 30/100 -> 0.55; b: chat 90/100, whatsapp 60/300 -> 0.375
    a = _seg([("chat", 80, 100, 100), ("whatsapp", 30, 100, 100)])
    b = _seg([("chat", 90, 100, 100), ("whatsapp", 60, 300, 300)])
    d = decompose_change(a, b, kind="proportion", segment="channel")
    assert list(d.columns) == [
        "channel",
        "value_a",
        "value_b",
        "n_a",
        "n_b",
        "contribution",
        "mix_effect",
        "rate_effect",
    ]
    chat, wa = d.set_index("channel").loc["chat"], d.set_index("channel").loc["whatsapp"]
    # average overall rate R = (0.55 + 0.375) / 2 = 0.4625
    # chat: rate (0.9-0.8)(0.5+0.25)/2 = 0.0375, mix (0.25-0.5)(0.85-0.4625) = -0.096875
    assert chat["rate_effect"] == pytest.approx(0.0375)
    assert chat["mix_effect"] == pytest.approx(-0.096875)
    assert chat["contribution"] == pytest.approx(-0.059375)
    # whatsapp: rate (0.2-0.3)(0.5+0.75)/2 = -0.0625, mix (0.75-0.5)(0.25-0.4625) = -0.053125
    assert wa["rate_effect"] == pytest.approx(-0.0625)
    assert wa["mix_effect"] == pytest.approx(-0.053125)
    assert wa["contribution"] == pytest.approx(-0.115625)
    assert d["channel"].tolist() == ["whatsapp", "chat"]  # by |contribution|
    assert d["contribution"].sum() == pytest.approx(0.375 - 0.55, abs=1e-12)
    # uncentred: chat mix (0.25-0.5)(0.8+0.9)/2 = -0.2125, whatsapp mix (0.25)(0.25) = 0.0625
    plain = decompose_change(a, b, kind="proportion", segment="channel", center_mix=False)
    plain = plain.set_index("channel")
    assert plain.loc["chat", "mix_effect"] == pytest.approx(-0.2125)
    assert plain.loc["whatsapp", "mix_effect"] == pytest.approx(0.0625)
    assert plain.loc["whatsapp", "contribution"] == pytest.approx(0.0, abs=1e-15)
    assert plain["contribution"].sum() == pytest.approx(-0.175, abs=1e-12)


def test_absent_segment_takes_the_other_rate():
    # a: chat 8/10 (0.8); b: chat 9/10, email 1/10 -> 0.5; change -0.3
    a = _seg([("chat", 8, 10, 10)])
    b = _seg([("chat", 9, 10, 10), ("email", 1, 10, 10)])
    d = decompose_change(a, b, kind="proportion", segment="channel").set_index("channel")
    # R = (0.8 + 0.5) / 2 = 0.65; chat: rate 0.1 * 1.5/2 = 0.075, mix -0.5 (0.85 - 0.65) = -0.1
    # email (rate 0.1 in both): rate 0, mix 0.5 (0.1 - 0.65) = -0.275: the new low-rate segment
    assert d.loc["chat", "contribution"] == pytest.approx(-0.025)
    assert d.loc["email", "rate_effect"] == 0.0
    assert d.loc["email", "mix_effect"] == pytest.approx(-0.275)
    assert math.isnan(d.loc["email", "value_a"]) and d.loc["email", "n_a"] == 0
    assert d["contribution"].sum() == pytest.approx(-0.3, abs=1e-12)


def test_count_and_quantile_drivers():
    a = pd.DataFrame({"team": ["x", "y"], "value": [10.0, 5.0], "n": [10, 5]})
    b = pd.DataFrame({"team": ["x", "z"], "value": [4.0, 2.0], "n": [4, 2]})
    d = decompose_change(a, b, kind="count", segment="team").set_index("team")
    assert d["contribution"].to_dict() == {"x": -6.0, "y": -5.0, "z": 2.0}
    assert d["mix_effect"].isna().all() and d["rate_effect"].isna().all()
    q = decompose_change(a, b, kind="quantile", segment="team")
    assert q["contribution"].isna().all()
    assert q["team"].iloc[0] == "x"  # |4 - 10| is the largest difference


_segments = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.integers(0, 1000),
        st.integers(0, 1000),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda x: x[0],
)


@settings(max_examples=60, deadline=None)
@given(seg_a=_segments, seg_b=_segments, scale=st.sampled_from([1.0, 100.0]), centre=st.booleans())
def test_contributions_add_up_to_the_change(seg_a, seg_b, scale, centre):
    def frame(rows):
        return pd.DataFrame(
            [(s, min(x, n), n, n) for s, x, n in rows], columns=["channel", "num", "den", "n"]
        ).assign(value=lambda d: scale * d["num"] / d["den"].where(d["den"] > 0))

    a, b = frame(seg_a), frame(seg_b)
    if a["den"].sum() == 0 or b["den"].sum() == 0:
        return
    change = scale * (b["num"].sum() / b["den"].sum() - a["num"].sum() / a["den"].sum())
    before = a.copy()
    d = decompose_change(a, b, kind="proportion", segment="channel", scale=scale, center_mix=centre)
    pd.testing.assert_frame_equal(a, before)  # inputs not mutated
    assert math.fsum(d["contribution"]) == pytest.approx(change, abs=1e-12 * max(1.0, scale))
    assert np.allclose(d["contribution"], d["mix_effect"] + d["rate_effect"], rtol=0, atol=1e-15)


_mean_segments = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.floats(0, 1e5, allow_nan=False),
        st.integers(0, 500),
    ),
    min_size=1,
    max_size=5,
    unique_by=lambda x: x[0],
)


@settings(max_examples=40, deadline=None)
@given(seg_a=_mean_segments, seg_b=_mean_segments)
def test_mean_contributions_add_up_in_seconds(seg_a, seg_b):
    """Means of durations (values up to 1e5 s): the sum matches to 1e-12 relative."""

    def frame(rows):
        return pd.DataFrame(
            [(s, mean * n, n, n) for s, mean, n in rows], columns=["team", "num", "den", "n"]
        ).assign(value=lambda d: d["num"] / d["den"].where(d["den"] > 0))

    a, b = frame(seg_a), frame(seg_b)
    if a["den"].sum() == 0 or b["den"].sum() == 0:
        return
    v_a, v_b = a["num"].sum() / a["den"].sum(), b["num"].sum() / b["den"].sum()
    d = decompose_change(a, b, kind="mean", segment="team")
    total = math.fsum(d["contribution"])
    assert total == pytest.approx(v_b - v_a, abs=1e-12 * max(1.0, abs(v_a), abs(v_b)))


# -- Comparison from component frames --------------------------------------------------------
def _volume_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["a", "a", "b", "b"],
            "channel": ["chat", "whatsapp", "chat", "whatsapp"],
            "volume": [1600, 1500, 1570, 1257],
            "volume__num": [1600, 1500, 1570, 1257],
            "volume__den": [1, 1, 1, 1],
            "volume__n": [1600, 1500, 1570, 1257],
        }
    )


def test_count_normalization_by_hand():
    frame = _volume_frame()
    before = frame.copy()
    c = comparison_from_components(frame, "volume", "2026-01", "2026-02", by="channel")
    pd.testing.assert_frame_equal(frame, before)  # input not mutated
    assert (c.value_a, c.value_b, c.change) == (3100.0, 2827.0, -273.0)
    assert c.pct_change == pytest.approx(-273 / 3100)  # -8.8%
    assert (c.days_a, c.days_b) == (31, 28)
    # Jan 2026: 22 weekdays - New Year = 21; Feb 2026: 20 (Carnival is optional)
    assert (c.business_days_a, c.business_days_b) == (21, 20)
    assert c.per_day_a == 100.0
    assert c.per_day_b == pytest.approx(2827 / 28)  # 100.964
    assert c.per_day_pct_change == pytest.approx(2827 / 28 / 100 - 1)  # +0.96%
    assert c.per_business_day_pct_change == pytest.approx((2827 / 20) / (3100 / 21) - 1)
    assert c.test == "Poisson rate test (exact conditional)"
    assert c.p_value == pytest.approx(stats.binomtest(2827, 5927, 28 / 59).pvalue)
    assert c.p_value > 0.05
    assert (c.n_a, c.n_b) == (3100, 2827)
    assert c.drivers["channel"].tolist() == ["whatsapp", "chat"]
    assert c.drivers["contribution"].tolist() == [-243.0, -30.0]
    carnival = comparison_from_components(
        frame, "volume", "2026-01", "2026-02", calendar=BusinessCalendar(carnival=True)
    )
    assert carnival.business_days_b == 18
    assert carnival.per_business_day_pct_change == pytest.approx((2827 / 18) / (3100 / 21) - 1)


def test_pct_change_nan_not_inf_when_a_is_zero():
    frame = pd.DataFrame(
        {
            "period": ["a", "b"],
            "volume": [0, 5],
            "volume__num": [0, 5],
            "volume__den": [1, 1],
            "volume__n": [0, 5],
        }
    )
    c = comparison_from_components(frame, "volume", "2026-01", "2026-02")
    assert c.change == 5.0 and math.isnan(c.pct_change)
    assert c.per_day_a == 0.0 and math.isnan(c.per_day_pct_change)
    assert "went from 0 to 5" in c.narrative("en")
    # a period with no rows at all: count 0
    only_b = frame.iloc[[1]]
    assert comparison_from_components(only_b, "volume", "2026-01", "2026-02").value_a == 0.0


def test_proportion_comparison_and_missing_denominator():
    frame = pd.DataFrame(
        {
            "period": ["a", "b"],
            "csat": [0.4, 0.6],
            "csat__num": [40, 60],
            "csat__den": [100, 100],
            "csat__n": [100, 100],
        }
    )
    c = comparison_from_components(frame, "csat", "2026-01", "2026-02")
    assert c.change == pytest.approx(0.2) and c.pct_change == pytest.approx(0.5)
    assert c.p_value == pytest.approx(0.004678, abs=1e-6)
    assert c.ci_low == pytest.approx(0.06141, abs=1e-4)
    assert math.isnan(c.per_day_a) and math.isnan(c.per_business_day_pct_change)
    empty = frame.assign(csat__num=[0, 60], csat__den=[0, 100], csat=[np.nan, 0.6])
    e = comparison_from_components(empty, "csat", "2026-01", "2026-02")
    assert math.isnan(e.value_a) and math.isnan(e.pct_change) and e.p_value is None
    assert e.note == "no data in one of the periods"


def test_mean_comparison_nps():
    frame = pd.DataFrame(
        {
            "period": ["a", "b"],
            "nps": [25.0, 75.0],
            "nps__num": [1, 3],
            "nps__den": [4, 4],
            "nps__sumsq": [3, 3],
            "nps__n": [4, 4],
        }
    )
    c = comparison_from_components(frame, "nps", "2026-01", "2026-02")
    assert (c.value_a, c.value_b, c.change) == (25.0, 75.0, 50.0)
    assert c.test == "Welch's t-test"
    assert c.p_value == pytest.approx(welch_test(1, 3, 4, 3, 3, 4).p_value)
    assert c.ci_low < 50 < c.ci_high


@pytest.mark.parametrize(
    ("kind", "note"),
    [
        ("quantile", "quantiles have no test on aggregated data (a bootstrap needs the raw rows)"),
        ("ratio", "a ratio of sums of non-binary quantities has no simple sampling model"),
        ("stock", "a stock (backlog at the period's end) is a snapshot, not a count of events"),
    ],
)
def test_kinds_without_a_test(kind, note):
    frame = pd.DataFrame(
        {
            "period": ["a", "b"],
            "m": [10.0, 12.0],
            "m__num": [10.0, 12.0],
            "m__den": [1.0, 1.0],
            "m__n": [50, 60],
        }
    )
    c = comparison_from_components(
        frame,
        "m",
        "2026-01",
        "2026-02",
        kind=kind,
        unit="count" if kind == "stock" else "seconds",
        scale=1.0,
    )
    assert c.test is None and c.p_value is None and c.note == note
    assert c.change == pytest.approx(2.0) and (c.n_a, c.n_b) == (50, 60)
    assert math.isnan(c.per_day_pct_change)


def test_quantile_drivers_need_totals():
    comps = pd.DataFrame(
        {
            "period": ["a", "a", "b", "b"],
            "channel": ["x", "y", "x", "y"],
            "frt_median": [10.0, 30.0, 12.0, 20.0],
            "frt_median__n": [5, 5, 6, 4],
        }
    )
    totals = pd.DataFrame(
        {"period": ["a", "b"], "frt_median": [20.0, 15.0], "frt_median__n": [10, 10]}
    )
    c = comparison_from_components(
        comps, "frt_median", "2026-01", "2026-02", by="channel", totals=totals
    )
    assert (c.value_a, c.value_b, c.change, c.n_a) == (20.0, 15.0, -5.0, 10.0)
    assert c.drivers["channel"].tolist() == ["y", "x"] and c.drivers["contribution"].isna().all()
    assert c.p_value is None


def test_unavailable_metric():
    frame = pd.DataFrame({"period": ["a", "b"], "volume": [1, 2]})
    frame.attrs["unavailable"] = {"csat": "needs column csat"}
    c = comparison_from_components(frame, "csat", "2026-01", "2026-02")
    assert (
        math.isnan(c.value_a)
        and c.note == "the KPI is unavailable in this data (needs column csat)"
    )
    assert "não está disponível" in c.narrative("pt-BR")


# -- narratives and tables -------------------------------------------------------------------
def test_narrative_counts_en_and_pt():
    c = comparison_from_components(_volume_frame(), "volume", "2026-01", "2026-02", by="channel")
    en = c.narrative("en")
    label_en, label_pt = c.label("en"), c.label("pt-BR")
    assert en == (
        f"{label_en} fell 8.8% (3,100 → 2,827). February 2026 had 3 fewer calendar days than "
        "January 2026; per day the change is +1.0% (100.0 → 101.0 per day), within normal "
        "variation (p = 0.72). Most of the change came from channel whatsapp (−243)."
    )
    pt = c.narrative("pt-BR")
    assert pt == (
        f"{label_pt} caiu 8,8% (3.100 → 2.827). Fevereiro de 2026 teve 3 dias corridos a menos "
        "que janeiro de 2026; por dia a variação é de +1,0% (100,0 → 101,0 por dia), dentro da "
        "variação normal (p = 0,72). A maior parte da variação veio do canal WhatsApp (−243)."
    )


def test_narrative_rates_in_percentage_points():
    comps = pd.DataFrame(
        {
            "period": ["a", "a", "b", "b"],
            "channel": ["chat", "whatsapp"] * 2,
            "service_level": [0.8, 0.3, 0.9, 0.2],
            "service_level__num": [80, 30, 90, 60],
            "service_level__den": [100, 100, 100, 300],
            "service_level__n": [100, 100, 100, 300],
        }
    )
    c = comparison_from_components(comps, "service_level", "2026-07", "2026-08", by="channel")
    # 110/200 = 55.0% -> 150/400 = 37.5%; z-test p < 0.001; whatsapp contributes -11.6 pp
    label = c.label("en")
    assert c.narrative("en") == (
        f"{label} fell 17.5 pp (55.0% → 37.5%). The change is statistically significant "
        "(p < 0.001). Most of the change came from channel whatsapp (−11.6 pp)."
    )
    assert "caiu 17,5 p.p. (55,0% → 37,5%)" in c.narrative("pt-BR")
    assert "A variação é estatisticamente significativa (p < 0,001)" in c.narrative("pt-BR")


def test_comparison_table_and_to_frame():
    c = comparison_from_components(_volume_frame(), "volume", "2026-01", "2026-02")
    row = c.to_frame()
    assert row.shape[0] == 1 and row.loc[0, "value_b"] == 2827.0
    assert row.loc[0, "period_a"] == "2026-01" and row.loc[0, "days_b"] == 28
    table = comparison_table([c], "pt-BR")
    assert list(table.columns) == [
        "KPI",
        "Período A",
        "A",
        "Período B",
        "B",
        "Variação",
        "Variação (%)",
        "Por dia (%)",
        "valor-p",
        "Significativa?",
    ]
    assert table.iloc[0, 1:].tolist() == [
        "janeiro de 2026",
        "3.100",
        "fevereiro de 2026",
        "2.827",
        "−273",
        "−8,8%",
        "+1,0%",
        "0,72",
        "não",
    ]
    raw = comparison_table([c, c], formatted=False)
    assert raw.shape[0] == 2 and "per_day_pct_change" in raw.columns
    assert list(comparison_table([], formatted=False).columns) == list(row.columns)


# -- compare() and the engine ----------------------------------------------------------------
def test_compare_many_makes_one_engine_call(monkeypatch):
    calls = []

    def fake(data, metrics, by=None, *, options=None, periods=None):
        calls.append((metrics, by, options, periods))
        return _volume_frame()

    fake_engine = types.ModuleType("kpi_helpers.engine")
    fake_engine.compute_components = fake
    monkeypatch.setitem(sys.modules, "kpi_helpers.engine", fake_engine)
    out = compare_many(
        "ignored",
        ["volume"],
        "previous_month",
        "2026-02",
        by="channel",
        as_of="2026-02-01",
        options={"x": 1},
    )
    assert len(calls) == 1
    metrics, by, options, periods = calls[0]
    assert metrics == ["volume"] and by == "channel" and options == {"x": 1}
    assert [(p.start, p.end) for p in periods.values()] == [
        (parse_period("2026-01").start, parse_period("2026-01").end),
        (parse_period("2026-02").start, parse_period("2026-02").end),
    ]
    assert list(periods) == ["a", "b"]
    assert isinstance(out[0], Comparison) and out[0].change == -273.0
    carnival = BusinessCalendar(carnival=True)
    out = compare_many("ignored", "volume", "2026-01", "2026-02", calendar=carnival)
    assert calls[-1][2] == {"calendar": carnival}  # same calendar for business hours
    assert out[0].business_days_b == 18
    out = compare_many("ignored", "volume", "2026-01", "2026-02", options={"calendar": carnival})
    assert out[0].business_days_b == 18


def test_compare_argument_errors():
    with pytest.raises(PeriodError, match="overlap"):
        compare(None, "volume", "2026-Q1", "2026-02")
    with pytest.raises(OptionError, match="`by` must be a dimension.*'month'"):
        compare(None, "volume", "2026-01", "2026-02", by="month")
    with pytest.raises(OptionError, match="`by` must be one dimension"):
        compare(None, "volume", "2026-01", "2026-02", by=["channel", "team"])
    with pytest.raises(PeriodError, match="needs an explicit `as_of`"):
        compare(None, "volume", "previous_month", "2026-02")


def test_sample_february_is_the_calendar():
    """Done-when: the shortest month against the month before: the drop is the calendar."""
    from kpi_helpers.sample import sample_path

    vol = compare(sample_path(), "volume", "2026-01", "2026-02", by="channel")
    assert (vol.value_a, vol.value_b) == (3864.0, 3461.0)  # README: -10.4%
    assert abs(vol.per_day_pct_change) < 0.02  # 124.6 vs 123.6 per day
    assert vol.p_value > 0.05
    assert math.fsum(vol.drivers["contribution"]) == vol.change


def test_sample_whatsapp_drives_the_service_level_drop():
    """Done-when: the planted WhatsApp degradation is the top driver (July -> August 2026)."""
    from kpi_helpers.sample import sample_path

    c = compare(sample_path(), "service_level", "2026-07", "2026-08", by="channel")
    assert c.change == pytest.approx(-0.106, abs=0.001) and c.p_value < 0.001
    top = c.drivers.iloc[0]
    assert top["channel"] == "whatsapp" and top["contribution"] == pytest.approx(-0.120, abs=0.001)
    assert math.fsum(c.drivers["contribution"]) == pytest.approx(c.change, abs=1e-12)
    assert "WhatsApp" in c.narrative("pt-BR") and "whatsapp" in c.narrative("en")


def test_every_message_is_translated():
    """Every t() id of compare.py (and every test note) has a pt-BR entry in analysis.po."""
    import ast
    import importlib
    import inspect

    module = importlib.import_module("kpi_helpers.compare")
    from kpi_helpers.i18n import catalog_messages

    tree = ast.parse(inspect.getsource(module))
    ids = set(module._SOURCES.values()) | {module._NOTE_UNAVAILABLE}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("t", "_no_test"):
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                ids.add(arg.value)
        if isinstance(node, ast.IfExp):
            for branch in (node.body, node.orelse):
                if isinstance(branch, ast.Constant) and "{" in str(branch.value):
                    ids.add(branch.value)
    pt = catalog_messages("pt-BR")
    missing = sorted(i for i in ids if i not in pt)
    assert not missing
    assert len(ids) > 40


def test_narrative_names_the_driver_in_the_direction_of_the_change():
    # volume 10 -> 12: phone +4, chat -2. The top driver must be phone (same direction as the
    # change), and chat is named as pulling the other way; channel names in the report language.
    def rows(n_phone, n_chat, day):
        n = n_phone + n_chat
        return pd.DataFrame(
            {
                "interaction_id": [f"{day}-{i}" for i in range(n)],
                "created_at": pd.Timestamp(day),
                "channel": ["phone"] * n_phone + ["chat"] * n_chat,
            }
        )

    df = pd.concat([rows(4, 6, "2026-01-10"), rows(8, 4, "2026-02-10")], ignore_index=True)
    c = compare(df, "volume", "2026-01-10..2026-01-10", "2026-02-10..2026-02-10", by="channel")
    assert c.change == 2
    text = c.narrative("en")
    assert "Most of the change came from channel phone (+4)" in text
    assert "In the other direction, the largest contribution came from channel chat (−2)" in text
    assert "do canal telefone (+4)" in c.narrative("pt-BR")
