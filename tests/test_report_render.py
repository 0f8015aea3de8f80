"""HTML rendering of an executed notebook and the offline chart renderer (no kernel)."""

from __future__ import annotations

import copy
import json
import re

import altair as alt
import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kpi_helpers.errors import ReportError
from kpi_helpers.report.charts_offline import (
    RENDERER_NAME,
    chart_html,
    enable_offline_charts,
    vega_bundle,
    vegalite_version,
)
from kpi_helpers.report.render import (
    DataSource,
    ReportPage,
    clean_notebook,
    network_references,
    render_html,
)

EVIL = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']


def _page(**kw):
    base = dict(
        title="Scorecard <b>X</b>",
        lang="en",
        period_label="2026-10",
        period_display="October 2026",
        period_first_day="Oct 1, 2026",
        period_last_day="Oct 31, 2026",
        data_through="Oct 31, 2026",
        data_source="data/<sample>.parquet",
        notebook="notebooks/x.ipynb",
    )
    base.update(kw)
    return ReportPage(**base)


def _executed_notebook(with_chart=True):
    frame = pd.DataFrame({"channel": EVIL + ["phone"], "contacts": [3, 2, 1]})
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(x="contacts:Q", y="channel:N", tooltip=["channel", "contacts"])
    )
    cells = [
        new_code_cell("period = 'x'", metadata={"tags": ["parameters"]}),
        new_code_cell("period = '2026-10'", metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("## Volume"),
        new_code_cell(
            "frame",
            outputs=[
                new_output(
                    "execute_result",
                    {"text/html": frame.to_html(), "text/plain": "x"},
                    execution_count=3,
                )
            ],
            execution_count=3,
        ),
        new_code_cell(
            "warn()",
            outputs=[
                new_output("stream", name="stderr", text="UserWarning: WARNING-TEXT\n"),
                new_output("stream", name="stdout", text="visible line\n"),
            ],
        ),
        new_code_cell(
            "secret()",
            outputs=[new_output("stream", name="stdout", text="SECRET-CELL\n")],
            metadata={"tags": ["remove"]},
        ),
        new_code_cell(
            "noisy()",
            outputs=[new_output("stream", name="stdout", text="NOISY-OUTPUT\n")],
            metadata={"tags": ["remove-output"]},
        ),
        new_code_cell("x = 1"),  # no output: left out
    ]
    if with_chart:
        html = chart_html(chart.to_dict(), element_id="kpi-vis-test")
        cells.append(
            new_code_cell("chart", outputs=[new_output("display_data", {"text/html": html})])
        )
    nb = new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nbformat.validate(nb)
    return nb


def test_clean_notebook_drops_hidden_things_without_mutating():
    nb = _executed_notebook()
    before = copy.deepcopy(nb)
    clean = clean_notebook(nb)
    assert nb == before
    sources = [c.source for c in clean.cells]
    assert sources == ["## Volume", "frame", "warn()", "chart"]
    assert [o.get("name") for o in clean.cells[2].outputs] == ["stdout"]


def test_render_html_content_escaping_and_offline():
    html = render_html(_executed_notebook(), _page())
    # header, footer, language
    assert '<html lang="en">' in html
    assert "Scorecard &lt;b&gt;X&lt;/b&gt;" in html and "<b>X</b>" not in html
    assert "October 2026" in html and "Oct 31, 2026" in html
    assert "data/&lt;sample&gt;.parquet" in html
    assert "How to read this report" in html
    # no code, no prompts, nothing hidden leaks
    for text in (
        "frame.to_html",
        "secret()",
        "SECRET-CELL",
        "NOISY-OUTPUT",
        "WARNING-TEXT",
        "period = ",
        "In&nbsp;[",
        'jp-InputPrompt">',
    ):
        assert text not in html
    assert "visible line" in html
    # data strings escaped in the table and in the chart's inline JSON
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html
    # the Vega JavaScript exactly once, nothing from the network
    assert html.count("window.vegaEmbed=") == 1
    assert network_references(html) == []
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert not re.search(r"<script[^>]+src=", html)


def test_render_html_title_has_the_period_and_the_header_links_to_the_index():
    html = render_html(_executed_notebook(with_chart=False), _page())
    assert "<title>Scorecard &lt;b&gt;X&lt;/b&gt; — October 2026</title>" in html
    assert '<a href="../../index.html">← All reports</a>' in html
    week = _page(period_label="2026-W43", period_display="2026-W43")
    assert week.document_title == "Scorecard <b>X</b> — 2026-W43 (Oct 1, 2026 – Oct 31, 2026)"
    alone = render_html(_executed_notebook(with_chart=False), _page(index_href=None))
    assert "index.html" not in alone


def test_render_html_lists_every_data_source_escaped():
    sources = (
        DataSource("contatos", "data/<x>.parquet", "dados de amostra"),
        DataSource("metas", "targets.yml"),
    )
    html = render_html(
        _executed_notebook(with_chart=False), _page(lang="pt-BR", data_source=sources)
    )
    assert "Fonte dos dados" in html and "data/&lt;x&gt;.parquet" in html
    assert "(dados de amostra)" in html and "<code>targets.yml</code>" in html
    assert "Todos os relatórios" in html and "sample data" not in html


def test_render_html_is_deterministic_and_pt_br():
    nb = _executed_notebook()
    first = render_html(nb, _page(lang="pt-BR"))
    assert first == render_html(nb, _page(lang="pt-BR"))
    assert '<html lang="pt-BR">' in first
    assert "Como ler este relatório" in first and "Período" in first


def test_render_html_without_charts_has_no_bundle_and_shows_fixed_generation_time():
    html = render_html(_executed_notebook(with_chart=False), _page(generated_at="2026-11-01 06:00"))
    assert "vegaEmbed=" not in html
    assert "Generated" in html and "2026-11-01 06:00" in html
    assert len(html) < 200_000


def test_render_html_refuses_network_resources():
    nb = _executed_notebook(with_chart=False)
    nb.cells.append(
        new_code_cell(
            "c",
            outputs=[
                new_output(
                    "display_data",
                    {"text/html": '<script src="https://cdn.jsdelivr.net/npm/vega@6"></script>'},
                )
            ],
        )
    )
    with pytest.raises(ReportError, match="enable_offline_charts"):
        render_html(nb, _page())


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ('<script src="https://cdn.x/a.js"></script>', ["https://cdn.x/a.js"]),
        ("<link rel=stylesheet href=//fonts.x/css>", ["//fonts.x/css"]),
        ("<style>@import url('http://x/y.css');</style>", ["http://x/y.css"]),
        ('<div style="background:url(https://x/i.png)"></div>', ["https://x/i.png"]),
        ('<img src="data:image/png;base64,AAA">', []),
        ('<a href="https://example.org">link</a>', []),
        ('<script>var s = "https://vega.github.io/schema";</script>', []),
    ],
)
def test_network_references(html, found):
    assert network_references(html) == found


def test_chart_html_ids_deterministic_and_escaped():
    spec = {"mark": "bar", "data": {"values": [{"a": EVIL[0]}, {"a": "</script><!--"}]}}
    one, two = chart_html(spec), chart_html(copy.deepcopy(spec))
    id1 = re.search(r'id="(kpi-vis-[0-9a-f]{12})"', one).group(1)
    assert re.search(r'id="(kpi-vis-[0-9a-f]{12}-\d+)"', two).group(1).startswith(id1)  # repeat
    assert one.count("</script>") == 2  # only the two script elements' own end tags
    assert "<!--" not in one
    payload = re.search(r'type="application/json"[^>]*>(.*?)</script>', one, re.S).group(1)
    assert json.loads(payload) == spec  # \u003c escapes are still the same JSON


def test_enable_offline_charts_only_in_reports(monkeypatch):
    previous = alt.renderers.active
    try:
        alt.renderers.enable("default")
        monkeypatch.delenv("KPI_REPORT_RENDER", raising=False)
        assert enable_offline_charts() is None
        assert alt.renderers.active == "default"  # interactive use: untouched
        monkeypatch.setenv("KPI_REPORT_RENDER", "1")
        enable_offline_charts()
        assert alt.renderers.active == RENDERER_NAME
        bundle = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a")._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert list(data) == ["text/html"] and "kpi-chart" in data["text/html"]
    finally:
        alt.renderers.enable(previous)


def test_vega_bundle_matches_altair():
    assert vegalite_version() == ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    js = vega_bundle()
    assert "window.vegaEmbed=" in js and "</script" not in js.lower()


def test_great_tables_random_ids_are_made_stable():
    gt_html = (
        '<div id="qwertyuiop" style="padding-left:0px;padding-right:0px;padding-top:10px;">'
        "<style>#qwertyuiop table { color: red; } #qwertyuiop .gt_col { x: 1; }</style>"
        '<table class="gt_table">qwertyuiop-text</table></div>'
    )
    nb = new_notebook(
        cells=[new_code_cell("t", outputs=[new_output("display_data", {"text/html": gt_html})])]
    )
    before = copy.deepcopy(nb)
    html = clean_notebook(nb).cells[0].outputs[0]["data"]["text/html"]
    assert nb == before
    assert html.count("kpi-gt-1") == 3  # the div id and both CSS selectors
    assert html.count("qwertyuiop") == 1 and "qwertyuiop-text" in html  # not an id: kept
