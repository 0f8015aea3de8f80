"""Tests of kpi_helpers.scorecard: statuses, scores, change, renders, and the sample's story.

The tiny fixture (numbers checked by hand):

interactions (team "A&<b>"): February 2026: 4 contacts, csat 5, 4, 2, blank -> 2 of 3 in the
top two boxes = 0.6667; March 2026: 4 contacts, csat 5, 5, 4, 1 -> 3 of 4 = 0.75.
operations: February cost 400, trainings 8/10, downtime 10 of 1000 min, no new technology;
March cost 800, trainings 9/10, downtime 30 of 1000, one new technology.

March: cost_per_interaction 800 / 4 = 200 (target 150, watch 180, lower is better: off target);
csat 0.75 (target 0.80, watch 0.70: watch); volume 4 (no target: no_data);
availability 1 - 30/1000 = 0.97 (target 0.99, watch 0.98: off target);
training_completion 0.9 (target 0.85: on target); innovations 1 (target 1: on target).
Scores: financial 0, customer 0.5, internal 0 (volume excluded), learning 1;
overall = (0 + 0.5 + 0 + 1) / 4 = 0.375.
"""

from __future__ import annotations

import datetime as dt
import math

import altair as alt
import pandas as pd
import pytest

from kpi_helpers import sample
from kpi_helpers.compare import two_proportion_test
from kpi_helpers.config import TARGETS_FILE
from kpi_helpers.errors import DataError, OptionError
from kpi_helpers.scorecard import (
    DEFAULT_KPIS,
    STATUS_SYMBOLS,
    Scorecard,
    _scores,
    _sparkline,
    from_parameters,
    scorecard,
)

T = pd.Timestamp
TEAM = "A&<b>"
API_COLUMNS = ["perspective", "kpi", "label", "value", "target", "status", "change", "p_value", "n"]
TARGETS = {
    "csat": {"target": 0.8, "watch": 0.7},
    "training_completion": {"target": 0.85, "watch": 0.8},
    "availability": {"target": 0.99, "watch": 0.98},
    "cost_per_interaction": {"target": 150, "watch": 180},
    "innovations": {"target": 1},
}
KPIS = [
    "cost_per_interaction",
    "csat",
    "volume",
    "availability",
    "training_completion",
    "innovations",
]


def _data() -> pd.DataFrame:
    created = [
        T("2026-02-03 10:00"),
        T("2026-02-10 10:00"),
        T("2026-02-17 10:00"),
        T("2026-02-24 10:00"),
        T("2026-03-03 10:00"),
        T("2026-03-10 10:00"),
        T("2026-03-17 10:00"),
        T("2026-03-20 10:00"),
    ]
    return pd.DataFrame(
        {
            "interaction_id": list("abcdefgh"),
            "created_at": created,
            "team": [TEAM] * 8,
            "csat": [5, 4, 2, None, 5, 5, 4, 1],
        }
    )


def _ops() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": ["2026-02", "2026-03"],
            "team": [TEAM] * 2,
            "cost_total": [400, 800],
            "trainings_completed": [8, 9],
            "trainings_assigned": [10, 10],
            "scheduled_minutes": [1000, 1000],
            "downtime_minutes": [10, 30],
            "new_technologies": [0, 1],
        }
    )


@pytest.fixture(scope="module")
def sc() -> Scorecard:
    return scorecard(_data(), _ops(), period="2026-03", targets=TARGETS, kpis=KPIS, lang="en")


def _f(sc: Scorecard) -> pd.DataFrame:
    return sc.to_frame().set_index("kpi")


def test_frame_has_the_api_columns_in_order(sc):
    frame = sc.to_frame()
    assert list(frame.columns[: len(API_COLUMNS)]) == API_COLUMNS
    assert list(frame["kpi"]) == KPIS  # sorted by perspective, then as given
    assert set(frame["perspective"]) == {"financial", "customer", "internal", "learning"}


def test_values_targets_and_statuses_hand_computed(sc):
    f = _f(sc)
    expected = {
        "cost_per_interaction": (200.0, 150.0, "off_target"),
        "csat": (0.75, 0.80, "watch"),
        "availability": (0.97, 0.99, "off_target"),
        "training_completion": (0.90, 0.85, "on_target"),
        "innovations": (1.0, 1.0, "on_target"),
    }
    for kpi, (value, target, status) in expected.items():
        assert f.loc[kpi, "value"] == pytest.approx(value), kpi
        assert f.loc[kpi, "target"] == pytest.approx(target), kpi
        assert f.loc[kpi, "status"] == status, kpi
    assert f.loc["volume", "value"] == 4
    assert f.loc["volume", "status"] == "no_data"
    assert math.isnan(f.loc["volume", "target"])
    assert f.loc["volume", "note"] == "no target in the targets file"


def test_change_p_value_and_n(sc):
    f = _f(sc)
    assert f.loc["csat", "change"] == pytest.approx(0.75 - 2 / 3)
    assert f.loc["csat", "value_previous"] == pytest.approx(2 / 3)
    assert f.loc["csat", "p_value"] == pytest.approx(two_proportion_test(2, 3, 3, 4).p_value)
    assert f.loc["csat", "n"] == 4  # answers in March
    assert f.loc["cost_per_interaction", "change"] == pytest.approx(200 - 100)
    assert math.isnan(f.loc["cost_per_interaction", "p_value"])  # a ratio: no test
    assert f.loc["training_completion", "change"] == pytest.approx(0.1)
    assert f.loc["availability", "pct_change"] == pytest.approx(-0.02 / 0.99)


def test_scores_hand_computed(sc):
    assert sc.scores["financial"] == 0.0
    assert sc.scores["customer"] == 0.5
    assert sc.scores["internal"] == 0.0
    assert sc.scores["learning"] == 1.0
    assert sc.scores["overall"] == pytest.approx(0.375)
    assert all(0 <= v <= 1 for v in sc.scores.values())


def test_scores_exclude_no_data_and_nan_for_empty_perspectives():
    frame = pd.DataFrame(
        {
            "perspective": ["financial", "financial", "customer", "customer", "customer"],
            "status": ["watch", "no_data", "on_target", "watch", "off_target"],
        }
    )
    s = _scores(frame)
    assert s["financial"] == 0.5
    assert s["customer"] == pytest.approx(1.5 / 3)
    assert math.isnan(s["internal"]) and math.isnan(s["learning"])
    assert s["overall"] == pytest.approx(0.5)  # mean of the two scored perspectives


def test_default_as_of_is_the_day_after_the_latest_contact():
    s = scorecard(_data(), _ops(), period="previous_month", targets=TARGETS, kpis=["csat"])
    assert s.as_of == dt.date(2026, 3, 21)
    assert str(s.period) == "2026-02" and str(s.previous_period) == "2026-01"
    s = scorecard(
        _data(), _ops(), period="previous_month", as_of="2026-04-01", targets=TARGETS, kpis=["csat"]
    )
    assert str(s.period) == "2026-03"


def test_previous_false_leaves_change_empty():
    s = scorecard(_data(), _ops(), period="2026-03", targets=TARGETS, kpis=KPIS, previous=False)
    assert s.previous_period is None
    assert s.to_frame()["change"].isna().all()
    assert s.to_frame()["p_value"].isna().all()
    assert _f(s).loc["csat", "value"] == pytest.approx(0.75)


def test_without_operations_the_operations_kpis_have_no_data_and_say_why():
    s = scorecard(_data(), None, period="2026-03", targets=TARGETS, kpis=KPIS)
    f = _f(s)
    for kpi in ("cost_per_interaction", "availability", "training_completion", "innovations"):
        assert f.loc[kpi, "status"] == "no_data"
        assert "operations" in f.loc[kpi, "note"]
    assert f.loc["csat", "status"] == "watch"
    assert s.scores["customer"] == 0.5 and math.isnan(s.scores["learning"])


def test_missing_columns_are_listed_not_hidden():
    s = scorecard(
        _data(), _ops(), period="2026-03", targets=TARGETS, kpis=["csat", "fcr", "roi_technology"]
    )
    f = _f(s)
    assert f.loc["fcr", "status"] == "no_data" and "needs column" in f.loc["fcr", "note"]
    assert "tech_benefit" in f.loc["roi_technology", "note"]


def test_segment_filter_and_target_overrides():
    targets = {"csat": {"target": 0.9, "watch": 0.85, "by": {"team": {TEAM: {"target": 0.7}}}}}
    s = scorecard(
        _data(), _ops(), period="2026-03", targets=targets, kpis=["csat", "availability"], team=TEAM
    )
    f = _f(s)
    assert s.segment == {"team": TEAM}
    assert f.loc["csat", "target"] == 0.7 and f.loc["csat", "status"] == "on_target"
    assert f.loc["availability", "value"] == pytest.approx(0.97)
    other = scorecard(
        _data(), _ops(), period="2026-03", targets=targets, kpis=["csat"], team="nobody"
    )
    assert _f(other).loc["csat", "status"] == "no_data"


def test_default_kpis_cover_all_four_perspectives_and_the_targets_file():
    s = scorecard(_data(), _ops(), period="2026-03", targets={"ces": {"target": 5}})
    ids = list(s.to_frame()["kpi"])
    for kpis in DEFAULT_KPIS.values():
        assert set(kpis) <= set(ids)
    assert "ces" in ids  # added from the targets
    assert (s.to_frame()["status"] == "no_data").all()  # only ces has a target; no ces data
    assert s.to_frame().set_index("kpi").loc["ces", "note"]  # ces: no data in the period


def test_inputs_are_not_mutated():
    data, ops, targets = _data(), _ops(), {"csat": {"target": 0.8}}
    before = (data.copy(), ops.copy(), repr(targets))
    scorecard(data, ops, period="2026-03", targets=targets, kpis=["csat", "availability"])
    pd.testing.assert_frame_equal(data, before[0])
    pd.testing.assert_frame_equal(ops, before[1])
    assert repr(targets) == before[2]


def test_to_frame_is_a_copy(sc):
    f = sc.to_frame()
    f.loc[:, "value"] = 0
    assert sc.to_frame()["value"].iloc[0] == 200


def test_argument_errors():
    with pytest.raises(DataError, match="`data`"):
        scorecard(None, period="2026-03", targets=TARGETS)
    with pytest.raises(OptionError, match="history_months"):
        scorecard(_data(), period="2026-03", targets=TARGETS, history_months=0)
    with pytest.raises(OptionError, match="period_start"):
        from_parameters(period_start="2026-01-01")


# ----------------------------------------------------------------------------- renders


def test_html_table_groups_symbols_locale_and_escaping():
    s = scorecard(
        _data(), _ops(), period="2026-03", targets=TARGETS, kpis=KPIS, team=TEAM, lang="pt-BR"
    )
    html = s.to_html()
    for symbol in STATUS_SYMBOLS.values():
        assert symbol in html
    assert "Financeira" in html and "Aprendizado e crescimento" in html
    assert "Custo por atendimento" in html
    assert "R$\xa0200,00" in html or "R$ 200,00" in html  # pt-BR currency
    assert "75,0%" in html  # csat, pt-BR percent
    assert "na meta" in html and "fora da meta" in html
    assert "A&amp;&lt;b&gt;" in html and "A&<b>" not in html  # team name from the data
    assert "kpi-sparkline" in html
    assert s.to_html(lang="en").count("R$200.00") >= 1
    assert "Custo por atendimento" in s.to_html("financial")
    assert "Disponibilidade" not in s.to_html("financial")
    with pytest.raises(OptionError, match="perspective"):
        s.to_html("people")


def test_status_colours_are_applied(sc):
    html = sc.to_html()
    assert "#f8d7da" in html  # off target
    assert "#d1e7dd" in html  # on target


def test_sparkline_is_numbers_only_svg():
    svg = _sparkline([1.0, 2.0, float("nan"), 3.0])
    assert svg.startswith("<svg") and svg.count(",") == 3  # three points
    assert _sparkline([]) == ""
    assert "<polyline" in _sparkline([5.0])


def test_overview_chart_has_the_perspective_scores(sc):
    chart = sc.overview_chart()
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [v["score"] for v in values] == [0.0, 0.5, 0.0, 1.0]
    assert [v["perspective"] for v in values] == [
        "Financial",
        "Customer",
        "Internal processes",
        "Learning and growth",
    ]


def test_summary_one_paragraph_per_perspective_with_the_gaps(sc):
    text = sc.summary()
    paras = text.split("\n\n")
    assert len(paras) == 4
    assert paras[0] == (
        "Financial: score 0%; 0 of 1 KPIs on target, 0 on watch, 1 off target. Off target: "
        "Cost per interaction at R$200.00 against a target of R$150.00 (R$50.00, 33.3% away)."
    )
    assert "On watch: CSAT (top-two-box) at 75.0% (target 80.0%)." in paras[1]
    assert "Service availability at 97.0% against a target of 99.0% (2.0 p.p. away)" in paras[2]
    assert "Without data or target: Volume (contacts offered)." in paras[2]
    assert "Every KPI with data and a target is on target." in paras[3]
    pt = sc.summary("pt-BR")
    assert pt.startswith("Financeira: pontuação 0%")
    assert "<p>" in text._repr_html_()


def test_summary_html_escapes():
    from kpi_helpers.scorecard import _Text

    assert _Text("a <b> & c")._repr_html_() == "<p>a &lt;b&gt; &amp; c</p>"


# ----------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample_ops():
    return sample.operations()


@pytest.mark.slow
def test_sample_latest_full_month_shows_all_four_perspectives(sample_ops):
    s = scorecard(
        sample.sample_path(),
        sample_ops,
        period="previous_month",
        targets=TARGETS_FILE,
        lang="pt-BR",
    )
    assert str(s.period) == "2026-10"
    f = s.to_frame()
    assert set(f["perspective"]) == {"financial", "customer", "internal", "learning"}
    assert f["value"].notna().all(), f.loc[f["value"].isna(), "kpi"].tolist()
    assert f["target"].notna().all()
    assert (f["status"] != "no_data").all()
    assert all(
        0 <= s.scores[k] <= 1 for k in ("financial", "customer", "internal", "learning", "overall")
    )
    assert not s.history.empty


@pytest.mark.slow
def test_sample_training_story_learning_then_team_csat(sample_ops):
    """May 2026: the training programme lifts learning and growth; from June, Suporte
    Técnico's CSAT rises (about 0.70 -> 0.85) significantly."""
    apr = scorecard(sample.sample_path(), sample_ops, period="2026-04", targets=TARGETS_FILE)
    may = scorecard(sample.sample_path(), sample_ops, period="2026-05", targets=TARGETS_FILE)
    assert may.scores["learning"] > apr.scores["learning"]
    hours_apr = _f(apr).loc["training_hours_per_agent", "value"]
    hours_may = _f(may).loc["training_hours_per_agent", "value"]
    assert hours_may > 2 * hours_apr
    assert _f(may).loc["training_hours_per_agent", "status"] == "on_target"

    team = "Suporte Técnico"
    t_may = scorecard(
        sample.sample_path(), sample_ops, period="2026-05", team=team, targets=TARGETS_FILE
    )
    t_jun = scorecard(
        sample.sample_path(), sample_ops, period="2026-06", team=team, targets=TARGETS_FILE
    )
    assert _f(t_may).loc["training_hours_per_agent", "value"] > 25  # the spike
    csat_may, csat_jun = _f(t_may).loc["csat", "value"], _f(t_jun).loc["csat", "value"]
    assert csat_may < 0.76 and csat_jun > 0.80
    assert _f(t_jun).loc["csat", "change"] > 0.08
    assert _f(t_jun).loc["csat", "p_value"] < 0.01
    assert _f(t_may).loc["csat", "status"] == "off_target"
    assert _f(t_jun).loc["csat", "status"] in ("on_target", "watch")


def test_every_message_of_the_module_has_a_pt_br_translation():
    import ast
    import inspect

    from kpi_helpers.i18n import catalog_messages
    from kpi_helpers.scorecard import _NOTES, _PERSPECTIVE_TEXT, _STATUS_TEXT

    module = inspect.getmodule(scorecard)
    tree = ast.parse(inspect.getsource(module))
    ids = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "t"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    ids |= set(_NOTES.values()) | set(_PERSPECTIVE_TEXT.values()) | set(_STATUS_TEXT.values())
    missing = sorted(i for i in ids if i not in catalog_messages("pt-BR"))
    assert not missing


def test_kpi_options_of_the_targets_file_reach_the_engine(tiny):
    # tiny: open at the end of March 2026 are b, c, f; c and f were abandoned (unanswered)
    targets = {"backlog": {"target": 2, "options": {"exclude_abandoned": True}}}
    s = scorecard(tiny, period="2026-03", targets=targets, kpis=["backlog"], lang="en")
    assert _f(s).loc["backlog", "value"] == 1 and _f(s).loc["backlog", "status"] == "on_target"
    as_written = scorecard(
        tiny,
        period="2026-03",
        targets=targets,
        kpis=["backlog"],
        options={"backlog": {"exclude_abandoned": False}},
    )
    assert _f(as_written).loc["backlog", "value"] == 3
    assert _f(as_written).loc["backlog", "status"] == "off_target"


def test_tables_of_the_perspectives_line_up_and_no_change_has_no_sign(sc):
    # one fixed layout for every perspective table, so the four tables align on the page
    htmls = [sc.to_html(p) for p in ("financial", "customer", "internal", "learning")]
    for html in htmls:
        assert "table-layout: fixed" in html and "width: 100%" in html
    from kpi_helpers.scorecard import _fmt_change

    assert _fmt_change(0.0, "count", "en") == "0"
    assert _fmt_change(-2.0, "count", "pt-BR") == "−2"
    assert _fmt_change(0.014, "ratio", "pt-BR") == "+1,4 p.p."
