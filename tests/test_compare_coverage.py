"""compare() reads the data's coverage: no change for a period the data does not cover,
per-day figures over the covered days of a partly covered one, segments that stop."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from kpi_helpers import checks
from kpi_helpers.compare import compare, compare_many, comparison_table
from kpi_helpers.coverage import Coverage


def _daily(first: str, last: str, per_day: int, channel: str = "phone") -> pd.DataFrame:
    days = pd.date_range(first, last, freq="D")
    created = [d + pd.Timedelta(hours=9 + i) for d in days for i in range(per_day)]
    return pd.DataFrame(
        {
            "interaction_id": [f"{channel}-{i}" for i in range(len(created))],
            "created_at": created,
            "channel": channel,
            "first_response_at": [c + pd.Timedelta(seconds=30) for c in created],
        }
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    checks.clear_cache()
    yield


@pytest.fixture
def to_october() -> pd.DataFrame:
    """Two contacts a day, 1 Sep to 31 Oct 2026: September 60, October 62."""
    return _daily("2026-09-01", "2026-10-31", 2)


def test_a_month_after_the_data_is_no_change(to_october):
    c = compare(to_october, "volume", "2026-10", "2026-11")
    assert c.value_a == 62 and math.isnan(c.value_b)
    assert math.isnan(c.change) and math.isnan(c.pct_change)
    assert c.p_value is None and c.test is None and c.significant is None
    assert math.isnan(c.per_day_pct_change)
    assert c.no_data and c.coverage_b.none and c.coverage_a.full
    assert (c.coverage_b.covered_days, c.coverage_b.total_days) == (0, 30)
    assert c.narrative("en") == (
        "Volume (contacts offered) cannot be compared: no data for November 2026: "
        "the data ends on Oct 31, 2026."
    )
    pt = c.narrative("pt-BR")
    assert "não pode ser comparado: sem dados para novembro de 2026" in pt
    assert "os dados terminam em 31 de out. de 2026" in pt
    assert "%" not in pt and "p <" not in pt
    table = comparison_table([c], "en")
    row = table.iloc[0]
    assert row["B"] == "no data" and row["Change"] == "–" and row["Change (%)"] == "–"
    assert row["p-value"] == "–" and row["Significant?"] == "–"
    assert comparison_table([c], "pt-BR").iloc[0]["B"] == "sem dados"
    raw = c.to_frame().iloc[0]
    assert raw["covered_days_b"] == 0 and math.isnan(raw["p_value"])


def test_the_readme_report_cannot_say_volume_fell_100_percent(to_october):
    # kpi-report due --as-of 2026-12-01: previous month (November) against October
    for c in compare_many(
        to_october, ["volume", "answer_rate"], "2026-10", "previous_month", as_of="2026-12-01"
    ):
        assert c.p_value is None and math.isnan(c.change)
        text = c.narrative("pt-BR")
        assert "100,0%" not in text and "caiu" not in text and "sem dados" in text


def test_a_period_before_the_data_starts(to_october):
    c = compare(to_october, "volume", "2026-08", "2026-09")
    assert math.isnan(c.value_a) and c.value_b == 60 and c.p_value is None
    assert c.coverage_a.none and not c.coverage_b.none
    assert c.narrative("en").endswith("no data for August 2026: the data starts on Sep 1, 2026.")
    assert "os dados começam em 1 de set. de 2026" in c.narrative("pt-BR")


def test_a_half_covered_month_counts_per_covered_day():
    # three a day, 1 Sep to 15 Oct 2026: September 90 in 30 days, October 45 in 15 of 31
    df = _daily("2026-09-01", "2026-10-15", 3)
    c = compare(df, "volume", "2026-09", "2026-10")
    assert (c.value_a, c.value_b, c.change) == (90, 45, -45)  # the counts as they are
    assert c.coverage_b.partial and (c.coverage_b.covered_days, c.coverage_b.total_days) == (
        15,
        31,
    )
    assert c.days_b == 31  # the period's length is still the period's
    assert c.per_day_a == 3.0 and c.per_day_b == 3.0 and c.per_day_pct_change == 0.0
    # business days: September 2026 has 22 weekdays minus 7 Sep = 21; 1-15 Oct has 11
    # weekdays minus 12 Oct (Nossa Senhora Aparecida) = 10
    assert c.per_business_day_a == pytest.approx(90 / 21)
    assert c.per_business_day_b == pytest.approx(45 / 10)
    # the rate test's exposure is the covered days: 45 of 135 with p0 = 15 / 45
    expected = stats.binomtest(45, 135, 15 / 45).pvalue
    assert c.p_value == pytest.approx(expected) and c.p_value == pytest.approx(1.0)
    en = c.narrative("en")
    assert "October 2026: 15 of 31 days covered." in en
    assert "Per covered day the change is +0.0% (3.00 → 3.00 per day), within normal" in en
    assert "calendar day" not in en
    pt = c.narrative("pt-BR")
    assert "outubro de 2026: 15 de 31 dias cobertos" in pt.lower()
    assert "Por dia coberto, a variação é de +0,0%" in pt


def test_volume_per_day_keeps_its_definition_but_compare_tests_covered_days():
    df = _daily("2026-09-01", "2026-10-15", 3)
    c = compare(df, "volume_per_day", "2026-09", "2026-10")
    assert c.value_a == 3.0 and c.value_b == pytest.approx(45 / 31)  # KPIS.md: calendar days
    assert c.per_day_b == 3.0 and c.p_value == pytest.approx(1.0)


def test_a_proportion_in_a_partly_covered_month_says_so():
    df = _daily("2026-09-01", "2026-10-15", 2)
    c = compare(df, "answer_rate", "2026-09", "2026-10")
    assert c.value_a == c.value_b == 1.0
    assert "October 2026: 15 of 31 days covered." in c.narrative("en")


def test_a_segment_that_stops_is_named_in_the_drivers():
    # phone every day through October; chat stops after 10 Oct
    df = pd.concat(
        [_daily("2026-09-01", "2026-10-31", 2), _daily("2026-09-01", "2026-10-10", 1, "chat")],
        ignore_index=True,
    )
    c = compare(df, "volume", "2026-09", "2026-10", by="channel")
    assert (c.value_a, c.value_b) == (90, 72)  # 60 + 30 -> 62 + 10
    assert c.coverage_b.full  # the data as a whole covers October
    d = c.drivers.set_index("channel")
    assert d.loc["chat", "covered_days_a"] == 30 and d.loc["chat", "covered_days_b"] == 10
    assert d.loc["phone", "covered_days_b"] == 31 and d.loc["phone", "segment_note"] is None
    which, day, side, covered, total = d.loc["chat", "segment_note"]
    assert (which, day.isoformat(), side, covered, total) == ("ends", "2026-10-10", "b", 10, 31)
    en = c.narrative("en")
    assert "Most of the change came from channel chat (−20)." in en
    assert (
        "The data from channel chat ends on Oct 10, 2026 (10 of 31 days of October 2026 "
        "covered)." in en
    )
    assert "Os dados do canal chat terminam em 10 de out. de 2026" in c.narrative("pt-BR")


def test_a_segment_that_starts_later():
    df = pd.concat(
        [_daily("2026-09-01", "2026-10-31", 2), _daily("2026-10-21", "2026-10-31", 1, "chat")],
        ignore_index=True,
    )
    c = compare(df, "volume", "2026-09", "2026-10", by="channel")
    note = c.drivers.set_index("channel").loc["chat", "segment_note"]
    assert note[0] == "starts" and note[2] == "b" and note[3] == 11
    assert "The data from channel chat starts on Oct 21, 2026" in c.narrative("en")


def test_a_sparse_segment_quiet_for_two_days_has_not_stopped():
    """email: one contact every 5 days (Sep 1 ... Oct 26): five quiet days at the end are
    expected at that rate (1 contact expected, under the 4.6 that would make it 'stopped');
    chat: 3 a day until Oct 25, then six silent days (18 expected): it stopped."""
    email = pd.DataFrame(
        {
            "interaction_id": [f"e{i}" for i in range(12)],
            "created_at": pd.date_range("2026-09-01 10:00", periods=12, freq="5D"),
            "channel": "email",
        }
    )
    df = pd.concat(
        [
            _daily("2026-09-01", "2026-10-31", 2),
            _daily("2026-09-01", "2026-10-25", 3, "chat"),
            email,
        ],
        ignore_index=True,
    )
    assert email["created_at"].max() == pd.Timestamp("2026-10-26 10:00")
    c = compare(df, "volume", "2026-09", "2026-10", by="channel")
    d = c.drivers.set_index("channel")
    assert d.loc["email", "segment_note"] is None
    assert d.loc["chat", "segment_note"][0] == "ends"
    en = c.narrative("en")
    assert "channel email ends" not in en and "channel chat ends on Oct 25, 2026" in en


def test_coverage_can_be_given_to_comparison_from_components(to_october):
    from kpi_helpers.compare import comparison_from_components
    from kpi_helpers.engine import compute_components

    comps = compute_components(
        to_october,
        "volume",
        periods={"a": ("2026-10-01", "2026-11-01"), "b": ("2026-11-01", "2026-12-01")},
    )
    assert isinstance(comps.attrs["coverage"], Coverage)
    unknown = comparison_from_components(comps.copy(), "volume", "2026-10", "2026-11")
    assert unknown.no_data  # read from the frame's attrs
    comps.attrs.pop("coverage")
    blind = comparison_from_components(comps, "volume", "2026-10", "2026-11")
    assert blind.coverage_b is None and blind.change == -62  # unknown coverage: as before
