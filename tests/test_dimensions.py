"""Any text (or integer-code) column of the data is a dimension wherever a segment is.

The frame, hand-checked (default thresholds: phone 20 s, social 3600 s; g is unanswered):

    id created      channel       priority queue_id wait   within
    a  2026-01-05   Ligação       High     1        15     yes
    b  2026-01-12   Ligação       High     2        25     no
    c  2026-01-20   Social media  Low      1        1000   yes
    d  2026-02-03   Ligação       High     1        10     yes
    e  2026-02-10   Social media  Low      2        5000   no
    f  2026-02-17   Social media  Low      1        100    yes
    g  2026-02-24   Ligação       Low      2        -      no

By priority: High a b d (volume 3, service level 2/3), Low c e f g (4, 2/4).
January: High 2 (a b), Low 1 (c); February: High 1 (d), Low 3 (e f g).
"""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.engine import DimensionError
from kpi_helpers.errors import DataError, OptionError
from kpi_helpers.explore import data_dimensions, explore, state_from_values

T = pd.Timestamp


@pytest.fixture
def prio() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "interaction_id": list("abcdefg"),
            "created_at": [
                T("2026-01-05 10:00"),
                T("2026-01-12 10:00"),
                T("2026-01-20 10:00"),
                T("2026-02-03 10:00"),
                T("2026-02-10 10:00"),
                T("2026-02-17 10:00"),
                T("2026-02-24 10:00"),
            ],
            "channel": ["Ligação", "Ligação", "Social media", "Ligação"]
            + ["Social media", "Social media", "Ligação"],
            "priority": ["High", "High", "Low", "High", "Low", "Low", "Low"],
            "queue_id": [1, 2, 1, 1, 2, 1, 2],
            "wait_s": [15.0, 25.0, 1000.0, 10.0, 5000.0, 100.0, None],
        }
    )


# ----------------------------------------------------------------------------- compute


def test_compute_by_priority(prio):
    r = kh.compute(prio, ["volume", "service_level"], by="priority")
    assert r["priority"].tolist() == ["High", "Low"]
    assert r["volume"].tolist() == [3, 4]
    assert r["service_level"].tolist() == [pytest.approx(2 / 3), 0.5]


def test_compute_by_month_and_priority_from_a_parquet_file(prio, tmp_path):
    path = tmp_path / "prio.parquet"
    prio.to_parquet(path)
    r = kh.compute(str(path), "volume", by=["month", "priority"])
    got = [(m.strftime("%Y-%m"), p, v) for m, p, v in r.values.tolist()]
    assert got == [
        ("2026-01", "High", 2),
        ("2026-01", "Low", 1),
        ("2026-02", "High", 1),
        ("2026-02", "Low", 3),
    ]


def test_integer_codes_are_a_dimension(prio):
    r = kh.compute(prio, ["volume", "service_level"], by="queue_id")
    assert r["queue_id"].tolist() == ["1", "2"]  # shown as text, like every dimension
    assert r["volume"].tolist() == [4, 3]
    assert r["service_level"].tolist() == [1.0, 0.0]  # a c d f; b e g


def test_unknown_dimension_names_the_valid_ones(prio):
    with pytest.raises(DimensionError) as err:
        kh.compute(prio, "volume", by="priorty")
    assert str(err.value) == (
        "`by`: 'priorty' is not a column of the data; dimensions available: channel, "
        "priority, queue_id, channel_family (time grains: day, week, month, quarter, year). "
        "Did you mean 'priority'?"
    )
    # both an argument error and a data error, as the two former errors were
    assert isinstance(err.value, OptionError) and isinstance(err.value, DataError)
    with pytest.raises(DimensionError, match="'priorty' is not a column of the data"):
        kh.compare(prio, "volume", "2026-01", "2026-02", by="priorty")


def test_a_measure_is_not_a_dimension(prio):
    with pytest.raises(DimensionError, match=r"'wait_s' is not a dimension \(a column of dur"):
        kh.compute(prio, "volume", by="wait_s")


# ----------------------------------------------------------------------------- compare, trend


def test_compare_drivers_by_priority(prio):
    c = kh.compare(prio, "volume", "2026-01", "2026-02", by="priority")
    d = c.drivers.set_index("priority")
    assert d["contribution"].to_dict() == {"Low": 2.0, "High": -1.0}  # 1 -> 3, 2 -> 1
    assert c.drivers["priority"].tolist() == ["Low", "High"]  # by |contribution|
    assert "from priority Low (+2)" in c.narrative("en")


def test_compare_service_level_drivers_by_priority_add_up(prio):
    c = kh.compare(prio, "service_level", "2026-01", "2026-02", by="priority")
    d = c.drivers.set_index("priority")
    assert d.loc["High", ["value_a", "value_b"]].tolist() == [0.5, 1.0]  # a of a b; d
    assert d.loc["Low", ["value_a", "value_b"]].tolist() == [1.0, pytest.approx(1 / 3)]
    assert c.change == pytest.approx(2 / 4 - 2 / 3)
    assert d["contribution"].sum() == pytest.approx(c.change)


def test_trend_by_priority(prio):
    r = kh.trend(prio, "volume", "month", by="priority")
    got = {(p, m.strftime("%Y-%m")): v for p, m, v in r[["priority", "period", "value"]].values}
    assert got == {
        ("High", "2026-01"): 2,
        ("High", "2026-02"): 1,
        ("Low", "2026-01"): 1,
        ("Low", "2026-02"): 3,
    }


def test_report_comparisons_take_by_priority(prio):
    from kpi_helpers import views

    cs = views.comparisons(
        prio, ["volume"], period_a="2026-01", period_b="2026-02", by="priority", as_of="2026-03-01"
    )
    assert cs.by == "priority"
    html = views.drivers_table(cs.comparisons[0], "en")._repr_html_()
    assert "priority" in html and "Low" in html


# ----------------------------------------------------------------------------- explorer


def test_explorer_splits_and_filters_by_priority(prio):
    ex = explore(
        prio,
        lang="en",
        metrics=["volume"],
        grain="month",
        start="2026-02-01",
        end="2026-03-01",
        split="priority",
    )
    assert ex.split_dimensions == (
        "channel",
        "team",
        "agent",
        "category",
        "priority",
        "queue_id",
        "channel_family",
    )
    assert ex.dimensions["priority"] == ["High", "Low"]
    assert ex.result.table[["priority", "volume"]].values.tolist() == [["High", 1], ["Low", 3]]
    res = ex.update(split="channel_family", filters={"priority": ["Low"]})
    assert res.table[["channel_family", "volume"]].values.tolist() == [["phone", 1], ["social", 2]]
    drill = ex.drill("volume", "2026-02-01", segment="social", mode="all")
    assert drill.rows["interaction_id"].tolist() == ["e", "f"]
    w = ex.widgets
    assert ("priority", "priority") in w["split"].options
    assert w["filter_priority"].options == ("High", "Low")
    assert ("social networks", "social") in w["filter_channel_family"].options


def test_explorer_leaves_out_columns_with_many_values(prio):
    df = prio.assign(subject=list("abcdefg"))  # one value per row
    assert "subject" not in data_dimensions(df, max_values=5)
    assert "subject" in data_dimensions(df, max_values=None)


def test_state_without_data_accepts_the_given_dimensions():
    base = {"metrics": ["volume"], "grain": "week", "start": "2026-02-01", "end": "2026-02-28"}
    with pytest.raises(OptionError, match="`split`.*'priority'"):
        state_from_values(**base, split="priority")
    s = state_from_values(**base, split="priority", dimensions=["channel", "priority"])
    assert s.split == "priority"


# ----------------------------------------------------------------------------- scorecard


def test_scorecard_segment_and_targets_by_priority(prio):
    targets = kh.load_targets(
        {"service_level": {"target": 0.8, "by": {"priority": {"Low": {"target": 0.3}}}}}
    )
    sc = kh.scorecard(
        prio,
        period="2026-02",
        targets=targets,
        segment={"priority": "Low"},
        kpis=["service_level", "volume"],
        previous=False,
        lang="en",
    )
    row = sc.frame.set_index("kpi").loc["service_level"]
    assert row["value"] == pytest.approx(1 / 3)  # f of e f g
    assert (row["target"], row["status"]) == (0.3, "on_target")
    assert sc.segment == {"priority": "Low"}


def test_targets_by_channel_family_apply_to_each_spelling():
    targets = kh.load_targets(
        {
            "service_level": {
                "target": 0.8,
                "by": {
                    "channel_family": {"Social": {"target": 0.6}},
                    "channel": {"Messenger": {"target": 0.5}},
                },
            }
        }
    )
    assert targets.get("service_level", channel="Facebook Messenger").target == 0.6
    assert targets.get("service_level", channel="Messenger").target == 0.5  # its own wins
    assert targets.get("service_level", channel="Ligação").target == 0.8
    assert targets.get("service_level", channel_family="social").target == 0.6
    with pytest.raises(kh.TargetsError, match="'Pigeon' is not a channel family"):
        kh.load_targets({"csat": {"target": 0.8, "by": {"channel_family": {"Pigeon": 0.5}}}})
