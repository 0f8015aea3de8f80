"""kpi_helpers.charts: small specs of aggregates, valid Vega-Lite, localized texts."""

from __future__ import annotations

import ast
import json
import math

import numpy as np
import pandas as pd
import pytest

from kpi_helpers import charts
from kpi_helpers.compare import Comparison
from kpi_helpers.config import PACKAGE_DIR
from kpi_helpers.errors import OptionError
from kpi_helpers.i18n import catalog_messages
from kpi_helpers.periods import parse_period
from kpi_helpers.trends import trend


def _datasets(spec: dict) -> list[list[dict]]:
    """Every inline data set of a spec (Altair consolidates them into ``datasets``)."""
    found = list(spec.get("datasets", {}).values())

    def walk(node):
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and "values" in data:
                found.append(data["values"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in spec.items() if k != "datasets"})
    return found


def _trend_frame(**kw) -> pd.DataFrame:
    """A hand-made trend(): 4 weekly points, the third outside, the last without data."""
    frame = pd.DataFrame(
        {
            "period": pd.date_range("2026-01-05", periods=4, freq="7D"),
            "value": [0.70, 0.72, 0.40, np.nan],
            "n": [100, 120, 90, 0],
            "rolling_mean": [np.nan, np.nan, np.nan, np.nan],
            "center": [0.6, 0.6, 0.6, np.nan],
            "lcl": [0.45, 0.46, 0.45, np.nan],
            "ucl": [0.75, 0.74, 0.75, np.nan],
            "out_of_control": [False, False, True, False],
            "run_flag": [False, False, False, False],
            "rule": ["", "", "outside the control limits", ""],
            "target": [0.8] * 4,
            "partial": [False] * 4,
            **kw,
        }
    )
    frame.attrs = {"metric": "csat", "freq": "week", "by": None, "chart": "p"}
    return frame


def test_trend_chart_one_row_per_point_and_valid():
    frame = _trend_frame()
    before = frame.copy()
    chart = charts.trend_chart(frame, "csat", lang="pt-BR")
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    pd.testing.assert_frame_equal(frame, before)
    data = _datasets(spec)
    assert len(data) == 1 and len(data[0]) == len(frame)
    rows = data[0]
    assert rows[2]["status"] == "fora dos limites de controle"
    assert rows[0]["status"] == "sob controle"
    assert rows[0]["value_text"] == "70,0%"  # pt-BR percentage
    assert rows[0]["n_text"] == "100"
    assert rows[3]["value"] is None and rows[3]["lcl"] is None  # no NaN in JSON
    text = json.dumps(spec, ensure_ascii=False)
    assert "CSAT (duas notas mais altas)" in text  # the KPI label in pt-BR
    assert '"decimal": ","' in text  # Vega number locale


def test_trend_chart_marks_out_of_control_with_shape_and_colour():
    spec = charts.trend_chart(_trend_frame(), "csat", lang="en").to_dict()
    layers = spec["layer"]
    points = [lay for lay in layers if (lay.get("mark") or {}).get("type") == "point"]
    assert len(points) == 1
    enc = points[0]["encoding"]
    assert enc["shape"]["scale"]["domain"][1] == "outside the control limits"
    assert enc["shape"]["scale"]["range"][:2] == ["circle", "triangle-up"]
    assert enc["color"]["scale"]["range"][:2] == [
        charts.PALETTE["blue"],
        charts.PALETTE["vermillion"],
    ]
    fields = {t["field"] for t in enc["tooltip"]}
    assert {"period_text", "value_text", "n_text", "rule_text"} <= fields
    # band + centre + target + line + points
    assert len(layers) == 5
    no_target = charts.trend_chart(_trend_frame(target=[np.nan] * 4), "csat", lang="en")
    assert len(no_target.to_dict()["layer"]) == 4


def test_trend_chart_ticks_on_the_points_and_readable_tooltips():
    spec = charts.trend_chart(_trend_frame(), "csat", lang="pt-BR").to_dict()
    layers = spec["layer"]
    x = layers[0]["encoding"]["x"]
    # weekly points are Mondays: the ticks are the points' own dates, parsed in local time
    assert [(v["year"], v["month"], v["date"]) for v in x["axis"]["values"]] == [
        (2026, 1, 5), (2026, 1, 12), (2026, 1, 19), (2026, 1, 26),
    ]  # fmt: skip
    rows = _datasets(spec)[0]
    assert rows[0]["period"] == "2026-01-05T00:00:00"
    # the y domain is padded so that no point sits on the plot's edge
    assert layers[0]["encoding"]["y"]["scale"]["padding"] > 0
    # an in-control point says so: no empty tooltip row
    assert rows[0]["rule_text"] == "sob controle"
    assert rows[2]["rule_text"] == "fora dos limites de controle"
    assert rows[2]["desc"].startswith("19 de jan. de 2026: 40,0%")
    # helper marks are hidden from screen readers; the chart has a description
    helpers = [lay for lay in layers if lay["mark"]["type"] in ("area", "line")]
    assert helpers and all(lay["mark"]["aria"] is False for lay in helpers)
    assert spec["description"].startswith("Gráfico de controle de CSAT")


def test_trend_chart_shows_why_a_point_is_flagged():
    # 3.514 h against an upper limit of 3.500 h: both read "3,5 h" with one decimal
    frame = _trend_frame(
        value=[9000.0, 9500.0, 12650.0, np.nan],
        center=[9300.0] * 3 + [np.nan],
        lcl=[5800.0] * 3 + [np.nan],
        ucl=[12600.0] * 3 + [np.nan],
        target=[np.nan] * 4,
    )
    rows = _datasets(charts.trend_chart(frame, "asa", lang="pt-BR").to_dict())[0]
    assert rows[2]["value_text"] == "3,51 h" and rows[2]["limits_text"] == "1,61 h – 3,50 h"
    assert rows[0]["value_text"] == "2,5 h"  # other points keep the usual precision
    assert charts.format_limits(0.5, 0.45, 0.75, "ratio", "en") == ("50.0%", "45.0% – 75.0%")
    # a point in a run, just inside a limit that reads the same: which side it is on shows
    assert charts.format_limits(0.7632, 0.668, 0.7634, "ratio", "pt-BR") == (
        "76,32%",
        "66,80% – 76,34%",
    )


def test_trend_chart_with_segments_facets_one_row_per_point(tiny):
    tr = trend(tiny, "volume", "month", by="channel")
    spec = charts.trend_chart(tr, "volume", lang="en").to_dict()
    assert "facet" in spec
    data = _datasets(spec)
    assert len(data) == 1 and len(data[0]) == len(tr) == 9  # 3 channels x 3 months
    assert {r["channel"] for r in data[0]} == {"phone", "chat", "email"}


def test_trend_chart_durations_in_minutes(tiny):
    frame = _trend_frame(
        value=[300.0, 360.0, 900.0, np.nan],
        center=[400.0] * 3 + [np.nan],
        lcl=[100.0] * 3 + [np.nan],
        ucl=[700.0] * 3 + [np.nan],
        target=[np.nan] * 4,
    )
    spec = charts.trend_chart(frame, "asa", lang="en").to_dict()
    rows = _datasets(spec)[0]
    assert rows[0]["value"] == pytest.approx(5.0)  # 300 s plotted as 5 min
    assert rows[0]["value_text"] == "5.0 min"
    assert "(min)" in json.dumps(spec)


def test_trend_chart_rejects_other_frames():
    with pytest.raises(OptionError, match="trend_df"):
        charts.trend_chart(pd.DataFrame({"x": [1]}), "csat")


# -- comparison chart -------------------------------------------------------------------------
def _comparison(metric="csat", kind="proportion", unit="ratio", a=0.8, b=0.7, **kw) -> Comparison:
    pa, pb = parse_period("2026-01"), parse_period("2026-02")
    fields = dict(
        metric=metric,
        value_a=a,
        value_b=b,
        change=b - a,
        pct_change=(b - a) / a,
        n_a=400,
        n_b=380,
        p_value=0.001,
        ci_low=-0.16,
        ci_high=-0.04,
        test="two-proportion z-test",
        period_a=pa,
        period_b=pb,
        kind=kind,
        unit=unit,
        higher_is_better=True,
    )
    fields.update(kw)
    return Comparison(**fields)


def test_comparison_chart_one_row_per_kpi_and_valid():
    comps = [
        _comparison(),
        _comparison(
            "volume",
            "count",
            "count",
            3100,
            2827,
            p_value=0.62,
            ci_low=-3.0,
            ci_high=5.0,
            higher_is_better=None,
            per_day_a=100.0,
            per_day_b=101.0,
            per_day_pct_change=0.01,
            days_a=31,
            days_b=28,
        ),
    ]
    spec = charts.comparison_chart(comps, "en").to_dict()
    data = _datasets(spec)
    assert len(data) == 2 and all(len(d) == 1 for d in data)
    csat, volume = data[0][0], data[1][0]
    assert csat["assessment"] == "worse"  # significant drop of a higher-is-better KPI
    assert csat["lo"] == pytest.approx(0.64) and csat["hi"] == pytest.approx(0.76)  # 0.8 + CI
    # counts are shown per calendar day, with the CI of the per-day change
    assert volume["kpi"] == "Volume (contacts offered), per day"
    assert (volume["a"], volume["b"], volume["lo"], volume["hi"]) == (100.0, 101.0, 97.0, 105.0)
    assert volume["assessment"] == "within normal variation"
    assert volume["label_text"] == "+1.0%"


def test_comparison_chart_skips_the_per_day_twin_of_a_count():
    volume = _comparison(
        "volume", "count", "count", 3100, 2827, p_value=0.62, ci_low=-3.0, ci_high=5.0,
        higher_is_better=None, per_day_a=100.0, per_day_b=101.0, per_day_pct_change=0.01,
        days_a=31, days_b=28,
    )  # fmt: skip
    per_day = _comparison(
        "volume_per_day", "per_day", "per_day", 100.0, 101.0, p_value=0.62, ci_low=-3.0,
        ci_high=5.0, higher_is_better=None, per_day_a=100.0, per_day_b=101.0,
        per_day_pct_change=0.01,
    )  # fmt: skip
    spec = charts.comparison_chart([volume, per_day, _comparison()], "pt-BR").to_dict()
    kpis = [d[0]["kpi"] for d in _datasets(spec)]
    assert kpis == ["Volume por dia corrido", "CSAT (duas notas mais altas)"]
    assert "(" not in kpis[0]
    alone = charts.comparison_chart([volume], "pt-BR").to_dict()
    assert _datasets(alone)[0][0]["kpi"] == "Volume (contatos recebidos), por dia"
    assert "Período A (janeiro de 2026)" in spec["description"]


def test_format_p_value_one_convention():
    f = charts.format_p_value
    assert [f(p, "pt-BR") for p in (0.571, 0.031, 0.0042, 0.0004)] == [
        "0,57", "0,03", "0,004", "< 0,001",
    ]  # fmt: skip
    assert f(0.0496, "en") == "0.049"  # never reads 0.05 while significant
    assert f(0.05, "en") == "0.05" and f(None, "en") == "–" and f(math.nan, "en") == "–"
    assert f(0.031, "pt-BR", prefix=True) == "p = 0,03"
    assert f(0.0001, "en", prefix=True) == "p < 0.001"


def test_comparison_chart_without_test_and_empty():
    no_test = _comparison(
        "frt_median",
        "quantile",
        "seconds",
        60.0,
        90.0,
        p_value=None,
        ci_low=math.nan,
        ci_high=math.nan,
        test=None,
        higher_is_better=False,
    )
    row = _datasets(charts.comparison_chart([no_test], "pt-BR").to_dict())[0][0]
    assert row["assessment"] == "sem teste"
    assert row["lo"] is None and row["ci_text"] == "–"
    with pytest.raises(OptionError, match="comparisons"):
        charts.comparison_chart([], "en")


# -- drivers waterfall ------------------------------------------------------------------------
def _with_drivers(n_segments=3) -> Comparison:
    # service level 0.70 -> 0.60; contributions -0.12 (whatsapp), +0.015, +0.005 (sum -0.10)
    names = ["whatsapp", "phone", "chat", "email", "instagram"][:n_segments]
    contrib = [-0.12, 0.015, 0.005, 0.0, 0.0][:n_segments]
    drivers = pd.DataFrame(
        {
            "channel": names,
            "value_a": [0.68, 0.80, 0.70, 0.8, 0.6][:n_segments],
            "value_b": [0.26, 0.81, 0.71, 0.8, 0.6][:n_segments],
            "contribution": contrib,
            "mix_effect": [0.0] * n_segments,
            "rate_effect": contrib,
        }
    )
    return _comparison(
        "service_level", a=0.70, b=0.70 + sum(contrib), by="channel", drivers=drivers
    )


def test_drivers_chart_waterfall_steps_add_up():
    c = _with_drivers()
    drivers_before = c.drivers.copy()
    spec = charts.drivers_chart(c, "en").to_dict()
    pd.testing.assert_frame_equal(c.drivers, drivers_before)
    rows = _datasets(spec)[0]
    assert len(rows) == 3 + 2  # A, 3 segments, B
    assert [r["step"] for r in rows] == [
        "A: January 2026",
        "whatsapp",
        "phone",
        "chat",
        "B: February 2026",
    ]
    assert rows[1]["start"] == pytest.approx(0.70) and rows[1]["end"] == pytest.approx(0.58)
    assert rows[3]["end"] == pytest.approx(0.60)  # last step ends at B
    assert rows[4]["end"] == pytest.approx(0.60)
    assert rows[1]["kind"] == "lowers the KPI" and rows[2]["kind"] == "raises the KPI"
    assert rows[1]["value_text"] == "−12.0 pp"


def test_drivers_chart_groups_the_small_segments():
    spec = charts.drivers_chart(_with_drivers(5), "pt-BR", top=2).to_dict()
    rows = _datasets(spec)[0]
    # canonical channel names are shown in the report language
    assert [r["step"] for r in rows][1:4] == ["WhatsApp", "telefone", "Outros (3)"]
    assert rows[3]["end"] == pytest.approx(0.60)


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer") or spec.get("spec", {}).get("layer", [])


def test_drivers_chart_totals_have_their_own_tooltip():
    spec = charts.drivers_chart(_with_drivers(), "pt-BR").to_dict()
    bars = [lay for lay in _layers(spec) if "tooltip" in lay.get("encoding", {})]
    assert len(bars) == 2
    by_filter = {lay["transform"][0]["filter"]: lay["encoding"]["tooltip"] for lay in bars}
    totals = by_filter["datum.is_total"]
    assert [t["field"] for t in totals] == ["step", "value_text"]
    assert [t["title"] for t in totals] == ["Período", "Nível de serviço"]
    steps = [t["field"] for t in by_filter["!datum.is_total"]]
    assert steps[:4] == ["step", "value_text", "detail_a", "detail_b"]
    rows = _datasets(spec)[0]
    assert rows[0]["value_text"] == "70,0%" and rows[1]["value_text"] == "−12,0 p.p."
    assert all(r["desc"] for r in rows)  # what a screen reader announces for each bar
    # the helper text marks stay out of the accessibility tree
    texts = [lay for lay in _layers(spec) if (lay.get("mark") or {}).get("type") == "text"]
    assert texts and all(lay["mark"]["aria"] is False for lay in texts)
    assert "Cascata de Nível de serviço" in spec["description"]


def test_drivers_chart_axis_from_zero_or_explicitly_zoomed():
    # 0.70 -> 0.60 with steps of 0.12: readable from zero
    spec = charts.drivers_chart(_with_drivers(), "en").to_dict()
    y = next(lay for lay in _layers(spec) if "tooltip" in lay["encoding"])["encoding"]["y"]
    assert y["scale"]["domain"][0] == 0
    assert "not at zero" not in json.dumps(spec)
    # volume 3697 -> 3871 (+4.7%): zoomed, said in the subtitle, total bars cut by a gap
    drivers = pd.DataFrame(
        {
            "channel": ["whatsapp", "chat"],
            "value_a": [1012.0, 654.0],
            "value_b": [1200.0, 640.0],
            "contribution": [188.0, -14.0],
            "mix_effect": [math.nan, math.nan],
            "rate_effect": [math.nan, math.nan],
        }
    )
    c = _comparison(
        "volume", "count", "count", 3697.0, 3871.0, by="channel", drivers=drivers,
        higher_is_better=None,
    )  # fmt: skip
    spec = charts.drivers_chart(c, "pt-BR").to_dict()
    layers = _layers(spec)
    y = next(lay for lay in layers if "tooltip" in lay["encoding"])["encoding"]["y"]
    assert 3000 < y["scale"]["domain"][0] < 3697
    assert "O eixo começa em 3.6" in json.dumps(spec, ensure_ascii=False)
    gaps = [lay for lay in layers if lay["encoding"].get("y", {}).get("field") == "gap_lo"]
    assert len(gaps) == 1
    rows = _datasets(spec)[0]
    assert [r["step"] for r in rows][1:3] == ["WhatsApp", "chat"]
    # no mix/rate split for a count: no blank tooltip rows for it
    steps = next(
        lay for lay in layers if lay.get("transform", [{}])[0].get("filter") == "!datum.is_total"
    )
    assert "mix" not in [t["field"] for t in steps["encoding"]["tooltip"]]


def test_drivers_chart_needs_drivers():
    with pytest.raises(OptionError, match="by="):
        charts.drivers_chart(_comparison(), "en")
    with pytest.raises(OptionError, match="`top`"):
        charts.drivers_chart(_with_drivers(), "en", top=0)


# -- formatting and catalogs ------------------------------------------------------------------
def test_format_change_and_vega_locale():
    assert charts.format_change(-0.12, "ratio", "pt-BR") == "−12,0 p.p."
    assert charts.format_change(1234, "count", "pt-BR") == "+1.234"
    assert charts.format_change(-0.2, "seconds", "en") == "0 s"  # rounds to zero: no sign
    assert charts.format_change(float("nan"), "count", "en") == "–"
    loc = charts.vega_locale("pt-BR")
    assert loc["number"]["thousands"] == "."
    assert loc["time"]["months"][1] == "fevereiro"
    assert loc["time"]["days"][0] == "domingo"  # d3: Sunday first
    assert charts.vega_locale("en")["number"]["decimal"] == "."


def _message_ids(path) -> set[str]:
    ids = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "t"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            ids.add(node.args[0].value)
    return ids


def test_every_message_is_translated_to_pt_br():
    from kpi_helpers import trends, views

    ids = set()
    for name in ("trends.py", "charts.py", "views.py"):
        ids |= _message_ids(PACKAGE_DIR / name)
    # ids passed through constants
    ids |= {trends.RULE_LIMITS, trends.RULE_RUN_ABOVE, trends.RULE_RUN_BELOW}
    ids |= {charts._STATUS_IN, charts._STATUS_OUT, charts._STATUS_RUN}
    ids |= {charts._ASSESS_BETTER, charts._ASSESS_WORSE, charts._ASSESS_CHANGED}
    ids |= {charts._ASSESS_NOISE, charts._ASSESS_NONE}
    ids |= set(views._FREQ_TEXT.values()) | set(views._DIMENSION_TEXT.values())
    translated = catalog_messages("pt-BR")
    missing = sorted(i for i in ids if i not in translated)
    assert not missing, f"add to kpi_helpers/locales/pt_BR/LC_MESSAGES/charts.po: {missing}"
