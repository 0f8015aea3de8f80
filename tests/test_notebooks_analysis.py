"""The analysis notebooks (trends, compare_periods), their views, and the sample's stories.

* kpi_helpers.views: parameter resolution (as_of from the data, periods from the report
  runner), escaped HTML, the one-call views;
* the issue's "Done when" on the committed sample: February vs January is the calendar, and
  WhatsApp drives the service-level drop of August 2026;
* both notebooks under papermill (injected parameters, run from another directory) and
  under nbval in lax mode (the golden ``# NBVAL_CHECK_OUTPUT`` cells are compared).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from kpi_helpers import views
from kpi_helpers.config import NOTEBOOKS_DIR, PROJ_ROOT
from kpi_helpers.errors import DataError, OptionError
from kpi_helpers.periods import parse_period

NOTEBOOKS = ("trends.ipynb", "compare_periods.ipynb")


@pytest.fixture(scope="module")
def sample_df() -> pd.DataFrame:
    from kpi_helpers import sample

    return sample.interactions()


# -- parameter resolution ---------------------------------------------------------------------
def test_resolve_as_of_is_the_day_after_the_latest_contact(tiny):
    before = tiny.copy()
    # latest created_at in the tiny fixture: 2026-03-02 12:00 -> as_of 2026-03-03
    assert views.resolve_as_of(tiny, "") == dt.date(2026, 3, 3)
    assert views.resolve_as_of(tiny, None) == dt.date(2026, 3, 3)
    pd.testing.assert_frame_equal(tiny, before)
    assert views.resolve_as_of(tiny, "2026-02-01") == dt.date(2026, 2, 1)
    with pytest.raises(OptionError, match="`as_of`"):
        views.resolve_as_of(tiny, "yesterday")
    with pytest.raises(DataError, match="created_at"):
        views.resolve_as_of(tiny.drop(columns=["created_at"]), "")


def test_resolve_as_of_of_the_sample():
    # the committed sample ends on 2026-10-31 (extraction at 2026-11-01 00:00)
    assert views.resolve_as_of("", "") == dt.date(2026, 11, 1)


def test_resolve_data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths: tried from here, then from the project root
    assert views.resolve_data("").endswith("interactions.parquet")
    relative = os.path.relpath(PROJ_ROOT / "data" / "sample" / "interactions.parquet", PROJ_ROOT)
    assert views.resolve_data(relative) == str(PROJ_ROOT / relative)
    with pytest.raises(DataError, match="`data`"):
        views.resolve_data(str(tmp_path / "missing.parquet"))
    frame = pd.DataFrame({"created_at": []})
    assert views.resolve_data(frame) is frame


def test_resolve_period_report_bounds_override_the_spec():
    assert str(views.resolve_period("last_90_days", as_of="2026-11-01")) == "2026-08-03..2026-10-31"
    # the report runner passes a half-open period: recognised as the month it is
    p = views.resolve_period("last_90_days", period_start="2026-02-01", period_end="2026-03-01")
    assert (p.kind, str(p)) == ("month", "2026-02")
    w = views.resolve_period("", period_start="2026-02-09", period_end="2026-02-16")
    assert str(w) == "2026-W07"
    r = views.resolve_period("", period_start="2026-02-10", period_end="2026-02-20")
    assert (r.kind, r.days) == ("range", 10)
    with pytest.raises(OptionError, match="period_end"):
        views.resolve_period("", period_start="2026-02-10", period_end="")
    with pytest.raises(OptionError, match="must be after"):
        views.resolve_period("", period_start="2026-02-10", period_end="2026-02-10")
    with pytest.raises(OptionError, match="`period`"):
        views.resolve_period("")


def test_resolve_comparison_periods():
    a, b = views.resolve_comparison_periods(as_of="2026-11-01")
    assert (str(a), str(b)) == ("2026-09", "2026-10")
    a, b = views.resolve_comparison_periods(period_start="2026-03-01", period_end="2026-04-01")
    assert (str(a), str(b)) == ("2026-02", "2026-03")
    a, b = views.resolve_comparison_periods("2026-01", "2026-02")
    assert (str(a), str(b)) == ("2026-01", "2026-02")
    a, b = views.resolve_comparison_periods("", "2026-Q2")
    assert str(a) == "2026-Q1"
    a, b = views.resolve_comparison_periods("", "2026-02-10..2026-02-19")
    assert (a.start, a.end) == (dt.date(2026, 1, 31), dt.date(2026, 2, 10))


# -- escaped display objects ------------------------------------------------------------------
def test_html_table_and_note_escape_data_strings():
    frame = pd.DataFrame({"<b>channel</b>": ["<script>alert(1)</script>", None]})
    table = views.HtmlTable(frame, caption="A & B")
    html = table._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;channel&lt;/b&gt;" in html and "A &amp; B" in html
    assert "<td>–</td>" in html  # missing cell
    assert "<script>alert(1)</script>" in repr(table)  # plain text stays plain
    assert views.Note("<i>x</i>", 3)._repr_html_() == "<h3>&lt;i&gt;x&lt;/i&gt;</h3>"
    with pytest.raises(OptionError, match="`level`"):
        views.Note("x", 1)


def test_views_on_tiny_data_escape_segment_names(tiny):
    data = tiny.assign(channel=["<img src=x>"] * 3 + ["chat"] * 3)
    before = data.copy()
    cs = views.comparisons(data, ["volume", "csat"], period_a="2026-01", period_b="2026-02")
    pd.testing.assert_frame_equal(data, before)
    assert (str(cs.period_a), str(cs.period_b), cs.as_of) == (
        "2026-01",
        "2026-02",
        dt.date(2026, 3, 3),
    )
    section = views.show_drivers(cs, "en")
    html = "".join(i._repr_html_() for i in section.items if hasattr(i, "_repr_html_"))
    assert "<img" not in html and "&lt;img src=x&gt;" in html
    table = views.comparison_table_view(cs, "en")
    assert len(table) == 2 and "Volume (contacts offered)" in table._repr_html_()


def test_views_show_channels_in_the_report_language(tiny):
    cs = views.comparisons(tiny, ["volume", "csat"], period_a="2026-01", period_b="2026-02")
    drivers = views.drivers_table(cs.comparisons[0], "pt-BR").frame
    assert set(drivers.iloc[:, 0]) == {"telefone", "chat"}
    assert set(views.drivers_table(cs.comparisons[0], "en").frame.iloc[:, 0]) == {"phone", "chat"}
    # the header's date is the last day of data (as in the page header), not the half-open end
    header = repr(views.show_header(cs, "pt-BR"))
    assert "dados até 2 de mar. de 2026;" in header and "exclusive" not in header
    assert "data through Mar 2, 2026;" in repr(views.show_header(cs, "en"))


def test_comparison_table_p_values_follow_the_shared_convention(tiny):
    from kpi_helpers.charts import format_p_value

    cs = views.comparisons(tiny, ["volume", "csat"], period_a="2026-01", period_b="2026-02")
    table = views.comparison_table_view(cs, "pt-BR").frame
    assert table["valor-p"].tolist() == [format_p_value(c.p_value, "pt-BR") for c in cs]


def test_flagged_points_table_in_the_report_language_with_enough_precision():
    from kpi_helpers.trends import RULE_LIMITS

    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-10-12", "2026-10-12"]),
            "channel": ["phone", "Ana <b>"],
            "value": [12650.0, 9000.0],
            "n": [723, 700],
            "rolling_mean": [float("nan")] * 2,
            "center": [9300.0] * 2,
            "lcl": [5800.0] * 2,
            "ucl": [12600.0, 8000.0],
            "out_of_control": [True, True],
            "run_flag": [False] * 2,
            "rule": [RULE_LIMITS] * 2,
            "target": [float("nan")] * 2,
            "partial": [False] * 2,
        }
    )
    table = views.out_of_control_table(frame, "asa", "pt-BR")
    rows = table.frame.values.tolist()
    assert rows[0][1:3] == ["telefone", "3,51 h"] and rows[0][5] == "1,61 h – 3,50 h"
    assert rows[1][1:3] == ["Ana <b>", "2,5 h"]  # data values unchanged (escaped in HTML)
    assert "Ana &lt;b&gt;" in table._repr_html_()


def test_comparisons_without_drivers(tiny):
    cs = views.comparisons(tiny, ["volume"], period_a="2026-01", period_b="2026-02", by="")
    assert cs.by is None and len(cs) == 1
    items = views.show_drivers(cs, "en").items
    assert [type(i).__name__ for i in items] == ["Note", "Note"]
    assert "No breakdown by segment" in items[1].text
    assert len(views.show_comparison(cs, "en")) == 5


def test_trends_view_on_tiny_data(tiny):
    tr = views.trends(tiny, ["volume", "csat"], freq="month", period="2026-01..2026-03")
    assert list(tr.frames) == ["volume", "csat"]
    assert tr.as_of == dt.date(2026, 3, 3)
    summary = views.trend_summary(tr, "en").frame
    # volumes 3, 1, 2; the data runs 5 Jan - 2 Mar, so January and March are partial (left
    # out of the limits): the centre is February's 1; the latest whole month is February (1),
    # not March's 2 contacts in two days; 2 partial buckets
    assert summary.iloc[0].tolist()[:5] == ["Volume (contacts offered)", "XmR chart", "3", "1", "1"]
    assert summary.iloc[0].tolist()[-1] == "2"
    header = repr(views.show_header(tr, "pt-BR"))
    assert "Tendências dos KPIs" in header and "mensal" in header
    shown = views.show_trends(tr, "en")
    assert len(shown) == 6  # heading, chart, flagged points per KPI


def test_trends_view_lists_unavailable_kpis(tiny):
    tr = views.trends(
        tiny.drop(columns=["csat"]), ["volume", "csat"], freq="month", period="2026-01..2026-03"
    )
    assert "csat" in tr.unavailable and list(tr.frames) == ["volume"]
    assert views.trend_summary(tr, "en").frame.iloc[1, 1] == "unavailable"


def test_out_of_control_table_newest_first_and_limited():
    from kpi_helpers.trends import RULE_LIMITS

    frame = pd.DataFrame(
        {
            "period": pd.date_range("2026-01-05", periods=3, freq="7D"),
            "value": [0.5, 0.7, 0.9],
            "n": [100, 50, 100],
            "rolling_mean": [float("nan")] * 3,
            "center": [0.7] * 3,
            "lcl": [0.56, 0.51, 0.56],
            "ucl": [0.84, 0.89, 0.84],
            "out_of_control": [True, False, True],
            "run_flag": [False] * 3,
            "rule": [RULE_LIMITS, "", RULE_LIMITS],
            "target": [float("nan")] * 3,
            "partial": [False] * 3,
        }
    )
    table = views.out_of_control_table(frame, "csat", "pt-BR", limit=1)
    assert table.frame.iloc[0].tolist() == [
        "19 de jan. de 2026", "90,0%", "100", "70,0%", "56,0% – 84,0%",
        "fora dos limites de controle",
    ]  # fmt: skip
    assert "(mais 1 não exibidos)" in table.caption
    calm = views.out_of_control_table(frame.assign(out_of_control=False), "csat", "en")
    assert isinstance(calm, views.Note)


# -- the "Done when" on the committed sample ------------------------------------------
def test_february_drop_is_the_calendar(sample_df):
    from kpi_helpers.compare import compare

    # February 2026 has the fewest days of the sample's months; January is the month before
    c = compare(sample_df, "volume", "2026-01", "2026-02", by="channel")
    assert (c.days_a, c.days_b) == (31, 28)
    assert c.pct_change < -0.08  # about -10% in contacts ...
    assert abs(c.per_day_pct_change) < 0.02  # ... but about -1% per calendar day
    assert c.p_value > 0.05  # ... within normal variation
    assert abs(c.per_day_pct_change) < abs(c.pct_change) / 4  # mostly calendar


def test_whatsapp_drives_the_service_level_drop_of_august(sample_df):
    from kpi_helpers.compare import compare

    c = compare(sample_df, "service_level", "2026-07", "2026-08", by="channel")
    assert c.change < -0.05 and c.p_value < 0.001
    top = c.drivers.iloc[0]
    assert top["channel"] == "whatsapp"
    assert top["contribution"] < 0 and abs(top["contribution"]) > abs(c.change)
    assert c.drivers["contribution"].sum() == pytest.approx(c.change, abs=1e-12)
    assert top["rate_effect"] == pytest.approx(top["contribution"], abs=0.005)  # rate, not mix


def test_trend_flags_august_service_level(sample_df):
    from kpi_helpers.trends import trend

    tr = trend(sample_df, "service_level", "month", by="channel")
    whatsapp = tr.loc[tr["channel"] == "whatsapp"].set_index("period")
    august = whatsapp.loc[pd.Timestamp("2026-08-01")]
    assert august["out_of_control"] and august["value"] < august["lcl"]
    phone = tr.loc[(tr["channel"] == "phone") & (tr["period"] == pd.Timestamp("2026-08-01"))]
    assert not phone["out_of_control"].iloc[0]


# -- the notebooks ----------------------------------------------------------------------------
def _code_cells(name: str) -> list:
    book = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    return [c for c in book.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_thin_and_stripped(name):
    cells = _code_cells(name)
    params = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and cells[0] is params[0]
    for c in cells:
        src = c.source
        assert "def " not in src and "class " not in src and "for " not in src
        assert "../" not in src and "today" not in src and "now()" not in src
        golden = "NBVAL_CHECK_OUTPUT" in src
        assert bool(c.outputs) == golden, f"{name}: only golden cells keep outputs"
        # nbval skips a reference cell without an execution count: golden cells keep theirs
        assert (c.execution_count is not None) == golden
    lines = [ln for ln in params[0].source.splitlines() if ln.strip()]
    assert all(":" in ln.split("=")[0] and "#" in ln for ln in lines), "typed, with help"


@pytest.mark.slow
@pytest.mark.notebook
def test_trends_notebook_under_papermill(tmp_path):
    import papermill as pm

    out = tmp_path / "trends.out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "trends.ipynb"),
        str(out),
        parameters={
            "lang": "en",
            "freq": "month",
            "period": "2026-01..2026-09",
            "metrics": ["volume", "service_level"],
            "by": "channel",
        },
        kernel_name="python3",
        cwd=str(tmp_path),  # the notebook must not depend on the working directory
        progress_bar=False,
    )
    text = out.read_text(encoding="utf-8")
    assert "KPI trends" in text and "Service level" in text
    assert "outside the control limits" in text  # whatsapp, August 2026
    assert "vegaEmbed" in text or "application/vnd.vegalite" in text  # the charts


@pytest.mark.slow
@pytest.mark.notebook
def test_compare_notebook_under_papermill(tmp_path):
    import papermill as pm

    out = tmp_path / "compare.out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "compare_periods.ipynb"),
        str(out),
        parameters={"lang": "en", "period_start": "2026-08-01", "period_end": "2026-09-01"},
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    text = out.read_text(encoding="utf-8")
    assert "A: July 2026; B: August 2026" in text
    assert "What drove the change: Service level" in text
    assert "whatsapp" in text


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_under_nbval_lax(name):
    """nbval in lax mode: every cell must run; the golden cells must match their outputs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
         "--nbval-kernel-startup-timeout=180", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-o", "addopts=", "-q", str(NOTEBOOKS_DIR / name)],
        cwd=str(PROJ_ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout


def test_nbval_golden_cells_are_the_expected_ones():
    trends = [c.source for c in _code_cells("trends.ipynb") if c.outputs]
    compare = [c.source for c in _code_cells("compare_periods.ipynb") if c.outputs]
    assert trends == ["# NBVAL_CHECK_OUTPUT\nviews.trend_summary(tr, lang)"]
    assert compare == ["# NBVAL_CHECK_OUTPUT\nviews.comparison_table_view(cmp, lang)"]
    golden = _code_cells("compare_periods.ipynb")
    html = next(c for c in golden if c.outputs).outputs[0]["data"]["text/html"]
    assert "setembro de 2026" in html and "outubro de 2026" in html


def test_sample_period_for_notebook_defaults_is_stable():
    # the golden outputs were computed with these resolved defaults
    assert str(parse_period("last_90_days", as_of="2026-11-01")) == "2026-08-03..2026-10-31"
