"""The explorer: pure callbacks and widget wiring driven without a browser.

Hand-computed on the tiny fixture (tests/conftest.py). Waits (first_response_at - created_at)
and default service-level thresholds (phone 20 s, chat 60 s, email 86400 s):

    id channel month  wait    within threshold
    a  phone   Jan    15 s    yes
    b  phone   Jan    60 s    no
    c  chat    Jan    -       no (unanswered)
    d  chat    Feb    30 s    yes
    e  phone   Mar    10 s    yes
    f  email   Mar    -       no (unanswered)

Selected range Feb-Mar 2026 (previous: Dec 2025-Jan 2026):
volume 3 vs 3; service level 1/3 (Jan: a) vs 2/3 (d, e).
"""

from __future__ import annotations

import datetime as dt
import importlib

import ibis
import numpy as np
import pandas as pd
import pytest

from kpi_helpers.errors import OptionError
from kpi_helpers.explore import (
    dimension_options,
    drill_down,
    drill_modes,
    explore,
    filter_table,
    state_from_values,
)

explore_mod = importlib.import_module("kpi_helpers.explore")
T = pd.Timestamp


@pytest.fixture
def ex(tiny):
    return explore(
        tiny,
        lang="en",
        metrics=["volume", "service_level"],
        grain="month",
        start="2026-02-01",
        end="2026-04-01",
    )


@pytest.fixture
def count_queries(monkeypatch):
    """Count the engine queries the explorer runs (compute_components calls)."""
    calls = []
    real = explore_mod.compute_components

    def counting(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(explore_mod, "compute_components", counting)
    return calls


# ----------------------------------------------------------------------------- state


def test_state_from_values_end_is_inclusive_and_previous_is_month_aligned():
    s = state_from_values(metrics=["volume"], grain="week", start="2026-02-01", end="2026-03-31")
    assert (s.start, s.end) == (dt.date(2026, 2, 1), dt.date(2026, 4, 1))
    assert (s.previous.start, s.previous.end) == (dt.date(2025, 12, 1), dt.date(2026, 2, 1))


def test_state_previous_of_a_day_range_has_the_same_length():
    s = state_from_values(metrics=["volume"], grain="day", start="2026-02-03", end="2026-02-09")
    assert (s.previous.start, s.previous.end) == (dt.date(2026, 1, 27), dt.date(2026, 2, 3))


def test_state_filters_drop_empty_selections_and_sort_values():
    s = state_from_values(
        metrics=["volume"],
        grain="week",
        start="2026-02-01",
        end="2026-02-28",
        filters={"channel": ["phone", "chat"], "team": []},
    )
    assert s.filter_map == {"channel": ("chat", "phone")}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"grain": "weekly"}, ["`grain`", "'week'", "'weekly'"]),
        ({"split": "region"}, ["`split`", "'channel'", "'region'"]),
        ({"metrics": []}, ["`metrics`"]),
        ({"metrics": ["backlog"]}, ["`metrics`", "'backlog'"]),
        ({"start": "2026-03-01", "end": "2026-02-01"}, ["`end`"]),
        ({"filters": {"region": ["x"]}}, ["`filters`", "'region'"]),
    ],
)
def test_state_errors_name_the_argument_and_echo_the_value(kwargs, words):
    base = {"metrics": ["volume"], "grain": "week", "start": "2026-02-01", "end": "2026-02-28"}
    base.update(kwargs)
    with pytest.raises(OptionError) as err:
        state_from_values(**base)
    for w in words:
        assert w in str(err.value)


# ----------------------------------------------------------------------------- queries


def test_dimension_options_one_distinct_query_per_dimension(tiny, monkeypatch):
    calls = []
    real = ibis.Table.to_pandas

    def counting(self, *a, **k):
        calls.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(ibis.Table, "to_pandas", counting)
    opts = dimension_options(tiny)
    assert opts == {"channel": ["chat", "email", "phone"], "team": ["n1", "n2"], "category": []}
    assert len(calls) == 2  # channel and team; category is absent: no query


def test_filter_table_is_an_ibis_filter_and_does_not_mutate(tiny):
    before = tiny.copy()
    table = filter_table(tiny, {"channel": ["phone"], "team": []})
    assert isinstance(table, ibis.Table)
    assert table.count().to_pandas() == 3
    pd.testing.assert_frame_equal(tiny, before)


def test_filter_table_unknown_column_is_named(tiny):
    with pytest.raises(OptionError, match="'category'"):
        filter_table(tiny, {"category": ["billing"]})


# ----------------------------------------------------------------------------- results


def test_explore_table_with_n(ex):
    table = ex.result.table
    assert list(table["month"]) == [T("2026-02-01"), T("2026-03-01")]
    assert list(table["volume"]) == [1, 2]
    assert list(table["volume_n"]) == [1, 2]
    assert table["service_level"].tolist() == pytest.approx([1.0, 0.5])
    assert list(table["service_level_n"]) == [1, 2]


def test_explore_comparison_against_previous_period(ex):
    vol = ex.result.comparisons["volume"]
    assert (vol.value_a, vol.value_b, vol.change) == (3.0, 3.0, 0.0)
    assert (str(vol.period_a), str(vol.period_b)) == (
        "2025-12-01..2026-01-31",
        "2026-02-01..2026-03-31",
    )
    sl = ex.result.comparisons["service_level"]
    assert sl.value_a == pytest.approx(1 / 3)
    assert sl.value_b == pytest.approx(2 / 3)
    assert sl.change == pytest.approx(1 / 3)
    assert (sl.n_a, sl.n_b) == (3, 3)
    frame = ex.result.comparison_frame()
    assert frame["metric"].tolist() == ["volume", "service_level"]


def test_explore_split_fills_empty_segments_and_gives_drivers(ex):
    res = ex.update(split="channel")
    t = res.table
    assert len(t) == 6  # 2 months x 3 channels of the selected period
    feb = t[t["month"] == T("2026-02-01")].set_index("channel")
    assert feb.loc["chat", "volume"] == 1 and feb.loc["phone", "volume"] == 0
    assert np.isnan(feb.loc["phone", "service_level"])  # no contact: missing, never 0
    drivers = res.comparisons["service_level"].drivers
    assert set(drivers["channel"]) == {"chat", "email", "phone"}
    assert drivers["contribution"].sum() == pytest.approx(1 / 3)


def test_per_day_values_use_the_bucket_days(tiny):
    ex = explore(
        tiny,
        lang="en",
        metrics=["volume_per_day"],
        grain="month",
        start="2026-01-01",
        end="2026-03-01",
    )
    t = ex.result.table
    assert t["volume_per_day"].tolist() == pytest.approx([3 / 31, 1 / 28])


def test_week_bucket_cut_by_the_range_is_kept_with_its_rows(tiny):
    # 2026-02-02 (d) is a Monday; the range starts on Sunday 2026-02-01 -> first week Jan 26
    ex = explore(
        tiny, lang="en", metrics=["volume"], grain="week", start="2026-02-01", end="2026-02-09"
    )
    t = ex.result.table
    assert t["week"].tolist() == [T("2026-01-26"), T("2026-02-02")]
    assert t["volume"].tolist() == [0, 1]


def test_quantile_kpi_comparison_is_missing_with_a_note(ex):
    res = ex.update(metrics=("frt_median",))
    c = res.comparisons["frt_median"]
    assert np.isnan(c.value_a) and np.isnan(c.value_b)
    assert res.table["frt_median"].tolist() == pytest.approx([30.0, 10.0])
    assert "quantile" in explore_mod.comparison_html(res, "en")


def test_update_runs_exactly_one_engine_query(ex, count_queries):
    ex.update(grain="week", split="channel", filters={"channel": ["phone"]})
    assert len(count_queries) == 1
    (args, kwargs) = count_queries[0]
    assert isinstance(args[0], ibis.Table)  # filtered in Ibis, not in pandas
    assert set(kwargs["periods"]) == {"a", "b"}


def test_explore_does_not_mutate_the_input(tiny):
    before = tiny.copy()
    ex = explore(tiny, lang="en", metrics=["volume"], start="2026-01-01", end="2026-04-01")
    ex.update(split="team", filters={"channel": ["phone"]})
    pd.testing.assert_frame_equal(tiny, before)


def test_explore_default_range_and_period_spec(tiny):
    ex = explore(tiny, lang="en", metrics=["volume"])
    # last contact 2026-03-02 -> end 2026-03-03, start = first of the month two months before
    assert (ex.state.start, ex.state.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 3))
    ex2 = explore(tiny, lang="en", metrics=["volume"], period="previous_month", as_of="2026-03-01")
    assert (ex2.state.start, ex2.state.end) == (dt.date(2026, 2, 1), dt.date(2026, 3, 1))


def test_unavailable_kpi_is_missing_never_zero(tiny):
    data = tiny.drop(columns=["first_response_at", "csat"])
    with pytest.warns(Warning):
        ex = explore(
            data,
            lang="en",
            metrics=["volume", "answered", "csat"],
            grain="month",
            start="2026-02-01",
            end="2026-04-01",
        )
    t = ex.result.table
    assert t["volume"].tolist() == [1, 2]
    assert t["answered"].isna().all() and t["csat"].isna().all()
    assert set(ex.result.unavailable) == {"answered", "csat"}
    html = explore_mod.comparison_html(ex.result, "en")
    assert "Answered contacts: unavailable in this data (needs column" in html


def test_update_rejects_unknown_fields(ex):
    with pytest.raises(OptionError, match="colour"):
        ex.update(colour="red")


# ----------------------------------------------------------------------------- drill-down


def test_drill_down_rows_that_missed_the_service_level(ex):
    d = ex.drill("service_level", "2026-03-01")
    assert d.mode == "against"
    assert d.total == 1
    assert d.rows["interaction_id"].tolist() == ["f"]
    assert list(d.rows.columns)[:3] == ["interaction_id", "created_at", "channel"]
    assert "missed the service level" in d.description


def test_drill_down_all_rows_limit_and_segment(ex, tmp_path):
    state = ex.update(split="channel").state
    d = drill_down(ex._table, state, "volume", "2026-03-01", mode="all", limit=1, lang="en")
    assert (d.total, len(d.rows), d.truncated) == (2, 1, True)
    assert d.rows["interaction_id"].tolist() == ["e"]
    full = d.to_csv(tmp_path / "all.csv")
    shown = d.to_csv(tmp_path / "shown.csv", all_rows=False)
    assert pd.read_csv(full)["interaction_id"].tolist() == ["e", "f"]
    assert pd.read_csv(shown)["interaction_id"].tolist() == ["e"]
    seg = drill_down(ex._table, state, "volume", "2026-03-01", segment="email", mode="all")
    assert seg.rows["interaction_id"].tolist() == ["f"]


@pytest.mark.parametrize(
    ("metric", "point", "ids"),
    [
        ("csat", "2026-01-01", ["c"]),  # answers 5 (a) and 2 (c): c is below 4
        ("fcr", "2026-03-01", ["e"]),  # e resolved in 3 contacts
        ("nps", "2026-01-01", ["c"]),  # 3 is a detractor
        ("answer_rate", "2026-01-01", ["c"]),
        ("transfer_rate", "2026-01-01", ["b"]),
    ],
)
def test_drill_down_against_rules(tiny, metric, point, ids):
    ex = explore(
        tiny, lang="en", metrics=[metric], grain="month", start="2026-01-01", end="2026-04-01"
    )
    assert ex.drill(metric, point).rows["interaction_id"].tolist() == ids


def test_drill_down_errors(ex):
    assert drill_modes("volume") == ("all",)
    with pytest.raises(OptionError, match="`mode`"):
        ex.drill("volume", "2026-03-01", mode="against")
    with pytest.raises(OptionError, match="`point`"):
        ex.drill("volume", "2025-06-01")
    with pytest.raises(OptionError, match="`metric`"):
        ex.drill("csat", "2026-03-01")
    with pytest.raises(OptionError, match="`to_csv`"):
        ex.to_csv("never.csv")


# ----------------------------------------------------------------------------- presentation


def test_chart_plots_the_aggregated_table(ex):
    spec = ex.chart().to_dict()
    values = [v for data in spec["datasets"].values() for v in data]
    assert len(values) == 4  # 2 KPIs x 2 months, never raw rows
    vol = sorted(
        (v["month"][:10], v["value"], v["n"])
        for v in values
        if v["kpi"] == "Volume (contacts offered)"
    )
    assert vol == [("2026-02-01", 1.0, 1), ("2026-03-01", 2.0, 2)]


def test_static_view_pt_br_and_escaping(tiny):
    df = tiny.assign(channel=tiny["channel"].replace({"email": "<b>mail</b>"}))
    ex = explore(
        df,
        lang="pt-BR",
        metrics=["volume", "service_level"],
        grain="month",
        start="2026-02-01",
        end="2026-04-01",
        split="channel",
    )
    html = ex.static_view().html
    assert "&lt;b&gt;mail&lt;/b&gt;" in html and "<b>mail</b>" not in html
    assert "Período" in html and "Nível de serviço" in html
    assert "66,7%" in html  # service level Feb-Mar in pt-BR
    assert "+33,3 p.p." in html


# ----------------------------------------------------------------------------- widgets


def test_widgets_are_built_only_on_demand(ex):
    assert ex._widgets is None
    box = ex.widget
    assert ex._widgets is not None and box is ex.widget


def test_widget_changes_drive_one_query_each(ex, count_queries):
    w = ex.widgets
    w["grain"].value = "week"
    assert len(count_queries) == 1
    assert ex.state.grain == "week"
    assert "week" in ex.result.table.columns
    w["metrics"].value = ("volume",)
    assert len(count_queries) == 2
    assert ex.result.state.metrics == ("volume",)


def test_widget_filters_and_split_update_the_outputs(ex):
    w = ex.widgets
    assert w["filter_channel"].options == ("chat", "email", "phone")
    w["filter_channel"].value = ("phone",)
    assert ex.result.table["volume"].tolist() == [0, 1]  # Feb none, Mar e
    assert ex.result.comparisons["volume"].value_a == 2  # Dec-Jan: a, b
    assert "Against the previous period" in w["comparison"].value
    w["split"].value = "team"
    assert "team" in ex.result.table.columns
    assert "Team" in w["table"].value
    spec = ex.current_chart.to_dict()
    assert spec["vconcat"][0]["encoding"]["color"]["field"] == "team"


def test_widget_date_range_end_is_inclusive(ex):
    w = ex.widgets
    assert w["end"].value == dt.date(2026, 3, 31)
    w["end"].value = dt.date(2026, 2, 28)
    assert ex.state.end == dt.date(2026, 3, 1)
    assert ex.result.table["volume"].tolist() == [1]


def test_widget_bad_range_shows_an_error_and_keeps_the_state(ex, count_queries):
    w = ex.widgets
    w["start"].value = dt.date(2026, 5, 1)
    assert "`end`" in w["status"].value
    assert ex.state.start == dt.date(2026, 2, 1)
    assert count_queries == []


def test_widget_drill_down_and_csv_export(ex, tmp_path):
    w = ex.widgets
    assert [v for _, v in w["drill_point"].options] == [T("2026-02-01"), T("2026-03-01")]
    w["drill_metric"].value = "service_level"
    assert w["drill_mode"].value == "against"
    w["drill_point"].value = T("2026-03-01")
    w["drill_button"].click()
    assert ex.drill_result.rows["interaction_id"].tolist() == ["f"]
    assert "1 rows" in w["drill_table"].value
    path = tmp_path / "out" / "missed.csv"
    w["csv_path"].value = str(path)
    w["csv_button"].click()
    assert pd.read_csv(path)["interaction_id"].tolist() == ["f"]
    assert "Written" in w["csv_status"].value


def test_view_switches_between_widgets_and_static(ex):
    import ipywidgets

    assert isinstance(ex.view(True), ipywidgets.VBox)
    assert "<table" in ex.view(False)._repr_html_()


def test_notebook_data_resolves_the_sample_and_relative_paths(tmp_path, monkeypatch):
    from kpi_helpers.config import PROJ_ROOT

    monkeypatch.chdir(tmp_path)
    assert len(explore_mod.notebook_data("")) > 1000
    path = explore_mod.notebook_data("data/sample/interactions.parquet")
    assert path == str(PROJ_ROOT / "data" / "sample" / "interactions.parquet")
    frame = pd.DataFrame({"created_at": []})
    assert explore_mod.notebook_data(frame) is frame


def test_explore_on_a_parquet_path(tiny, tmp_path):
    path = tmp_path / "tiny.parquet"
    tiny.to_parquet(path)
    ex = explore(
        str(path),
        lang="en",
        metrics=["volume"],
        grain="month",
        start="2026-01-01",
        end="2026-04-01",
        filters={"team": ["n2"]},
    )
    assert ex.result.table["volume"].tolist() == [1, 1, 1]  # c; d; f
    assert ex.dimensions["team"] == ["n1", "n2"]
    assert ex.drill("volume", "2026-03-01").rows["interaction_id"].tolist() == ["f"]


# ----------------------------------------------------------------------------- real widgets


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_real_widgets_in_headless_jupyterlab(tiny, tmp_path):
    """JupyterLab + headless Chromium: the widgets render, a grain change re-renders the
    table, the drill-down button shows the rows and the CSV button writes the file."""
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    import nbformat

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (make browser)")
    sync_api = pytest.importorskip("playwright.sync_api")
    tiny.to_parquet(tmp_path / "tiny.parquet")
    source = (
        "from kpi_helpers.explore import explore\n"
        "ex = explore('tiny.parquet', lang='en', metrics=['service_level'], grain='month',\n"
        "             start='2026-01-01', end='2026-04-01')\n"
        "ex"
    )
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(book, tmp_path / "ex.ipynb")
    port = _free_port()
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={tmp_path}",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", "--allow-root"],
        stdout=log, stderr=subprocess.STDOUT, cwd=str(tmp_path),
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/lab", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(url + "/lab/tree/ex.ipynb")
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000
            )
            page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=90_000)
            for attempt in range(4):  # a run sent before the kernel is connected is lost
                page.locator(".jp-Cell .jp-InputArea-editor").first.click()
                page.keyboard.press("Control+Enter")
                try:
                    page.wait_for_selector(".widget-select-multiple", timeout=30_000)
                    break
                except sync_api.TimeoutError:
                    if attempt == 3:
                        page.screenshot(path=str(tmp_path / "fail.png"), full_page=True)
                        raise
            table = page.locator("table.kpi-explore").first
            assert "Mar 1, 2026" in table.inner_text() and "50.0%" in table.inner_text()
            grain = page.locator(".widget-dropdown", has_text="Time grain").locator("select")
            grain.select_option(label="week")
            page.wait_for_function(
                "() => document.querySelector('table.kpi-explore').innerText"
                ".includes('Mar 2, 2026')",
                timeout=60_000,
            )
            point = page.locator(".widget-dropdown", has_text="Point").locator("select")
            point.select_option(label="Mar 2, 2026")
            page.get_by_role("button", name="Show rows").click()
            caption = page.locator("caption", has_text="contacts that missed the service level")
            caption.wait_for(timeout=60_000)
            assert "1 rows" in caption.inner_text()
            csv = page.locator(".widget-text", has_text="CSV file").locator("input")
            csv.fill("missed.csv")
            csv.press("Enter")
            page.get_by_role("button", name="Export CSV").click()
            page.wait_for_selector("text=Written", timeout=60_000)
            browser.close()
        assert pd.read_csv(tmp_path / "missed.csv")["interaction_id"].tolist() == ["f"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
