"""The trainer/analyst notebooks (kpi_primer, explore): thin, stripped, run under papermill
with injected parameters (from another working directory) and under nbval in lax mode (the
golden ``# NBVAL_CHECK_OUTPUT`` cells hold the primer's worked numbers).

The golden outputs were computed on the committed sample with the notebooks' defaults
(lang pt-BR, worked examples in the last whole month of the data: October 2026); after
regenerating the sample, refresh them with
``python -m kpi_helpers.notebook_tools refresh notebooks/kpi_primer.ipynb``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import escape as html_escape
from html import unescape

import nbformat
import pytest

from kpi_helpers.config import NOTEBOOKS_DIR, PROJ_ROOT

NOTEBOOKS = ("kpi_primer.ipynb", "explore.ipynb")
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _code_cells(book) -> list:
    return [c for c in book.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_thin_and_stripped(name):
    cells = _code_cells(nbformat.read(NOTEBOOKS_DIR / name, as_version=4))
    params = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and cells[0] is params[0]
    for c in cells:
        src = c.source
        assert "def " not in src and "class " not in src and "for " not in src
        assert "../" not in src and "today" not in src and "now()" not in src
        golden = "NBVAL_CHECK_OUTPUT" in src
        assert bool(c.outputs) == golden, f"{name}: only golden cells keep outputs"
        assert (c.execution_count is not None) == golden
    lines = [ln for ln in params[0].source.splitlines() if ln.strip()]
    assert all(":" in ln.split("=")[0] and "#" in ln for ln in lines), "typed, with help"
    assert "interactive: bool" in params[0].source


def _plain(cell) -> str:
    """A cell's text as nbval compares it: stdout and the text/plain of displays."""
    parts = []
    for o in cell.outputs:
        parts.append(o.get("text", ""))
        data = o.get("data", {})
        parts.append(data.get("text/plain", "") if isinstance(data, dict) else "")
    return "".join(parts)


def test_primer_golden_cells_hold_the_worked_numbers():
    cells = _code_cells(nbformat.read(NOTEBOOKS_DIR / "kpi_primer.ipynb", as_version=4))
    golden = [c for c in cells if c.outputs]
    assert len(golden) == 7  # four perspectives, the story, two checks
    text = "\n".join(_plain(c) for c in golden)
    # the last whole month of the sample, the report's default period (previous_month)
    assert text.count("Exemplo resolvido: outubro de 2026") == 4
    assert "Nível de serviço: 71,6% (n = 3.871 contatos)" in text
    assert "NPS (Net Promoter Score): 41,1 (n = 418 respostas da pesquisa)" in text
    assert "Tickets caíram 10,4% em fevereiro de 2026: culpa da equipe?" in text
    assert "fevereiro de 2026: 3.461 contatos em 28 dias (123,6 por dia)" in text
    assert text.count("(n = ") >= 30
    # what nbval compares is what the page shows: tables with labels, never raw ids
    for c in golden:
        shown = "".join(o.get("data", {}).get("text/html", "") for o in c.outputs)
        if "primer.check(" in c.source:
            assert "remove-cell" in c.metadata.get("tags", []), "check() gives answers away"
        else:
            assert "<table" in shown and "service_level:" not in shown


def test_primer_texts_come_from_the_registry_not_the_notebook():
    from kpi_helpers.metrics import get_metric, list_metrics

    book = nbformat.read(NOTEBOOKS_DIR / "kpi_primer.ipynb", as_version=4)
    sources = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    for mid in list_metrics():
        m = get_metric(mid)
        for lang in ("en", "pt-BR"):
            assert m.description(lang) not in sources
            assert m.formula(lang) not in sources or len(m.formula(lang)) < 12


def _run(name: str, tmp_path, parameters: dict):
    import papermill as pm

    out = tmp_path / f"{name}.out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / name), str(out), parameters=parameters, kernel_name="python3",
        cwd=str(tmp_path), progress_bar=False,
    )  # fmt: skip
    return nbformat.read(out, as_version=4)


def _shown(cell) -> str:
    parts = []
    for o in cell.outputs:
        parts.append(o.get("text", ""))
        data = o.get("data", {})
        parts.append(data.get("text/html", "") if isinstance(data, dict) else "")
    return "".join(parts)


def _visible(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _render(book, lang: str, period) -> str:
    from kpi_helpers.report.render import ReportPage, render_html

    page = ReportPage(
        title="KPI primer", lang=lang, period_label=period.label,
        period_display=period.display(lang), period_first_day="", period_last_day="",
        data_through="", data_source="sample", notebook="notebooks/kpi_primer.ipynb",
    )  # fmt: skip
    return render_html(book, page)


_PRIMER_RUNS = {
    # a report passes its period and as-of date: the worked examples follow them
    "en": ({"lang": "en", "interactive": False, "period": "2026-03", "as_of": "2026-04-01"},
           "2026-03"),
    # the defaults: the last whole month in the data
    "pt-BR": ({"lang": "pt-BR", "interactive": False}, "2026-10"),
}  # fmt: skip
_PRIMER_EXPECTED = {
    "en": (
        "KPI primer",
        "Learning and growth",
        "The worked examples use March 2026: the period of this report.",
        "Worked example: March 2026",
        "NPS calculator",
        "CSAT calculator",
        "Service level by threshold: phone, March 2026",
        "Tickets fell 10.4% in February 2026: the team's fault?",
        "Drivers: the largest contribution came from email (−107).",
        "<summary>Answer</summary>",
    ),
    "pt-BR": (
        "Introdução aos KPIs",
        "Os exemplos resolvidos usam outubro de 2026: o último mês completo nos dados.",
        "Exemplo resolvido: outubro de 2026",
        "Nível de serviço por limite: telefone, outubro de 2026",
        "Tickets caíram 10,4% em fevereiro de 2026: culpa da equipe?",
        "<summary>Resposta</summary>",
    ),
}


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_primer_under_papermill_static_and_its_report(tmp_path, lang):
    from kpi_helpers.i18n import catalog_messages
    from kpi_helpers.periods import parse_period
    from kpi_helpers.report.charts_offline import CHART_MARKER

    parameters, period = _PRIMER_RUNS[lang]
    book = _run("kpi_primer.ipynb", tmp_path, parameters)
    cells = _code_cells(book)
    text = "".join(_shown(c) for c in cells)
    for expected in _PRIMER_EXPECTED[lang]:
        assert html_escape(expected) in text or expected in text, expected
    # no widget left blank: every cell after the imports shows something, never a widget
    shown = [
        c
        for c in cells
        if not {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))
        and not c.source.startswith("from kpi_helpers")
    ]
    assert len(shown) == 17
    for c in shown:
        assert c.outputs, c.source
        for o in c.outputs:
            assert _WIDGET_MIME not in o.get("data", {}), c.source

    page = _render(book, lang, parse_period(period))
    visible = _visible(page)
    # a static handout: no Python calls, no exercise ids, no orphan check() outputs
    for leftover in ("check(", "nps_basic", "sl_abandoned", "Right!", "Certo!", "Not quite",
                     "Ainda não", "NBVAL", "cost_per_interaction:", "2026-01 3"):  # fmt: skip
        assert leftover not in visible, leftover
    assert CHART_MARKER in page and "vegaEmbed" in page  # "charts are interactive" holds
    assert visible.count("NaN") == 1  # the zero-denominator rule, said once
    assert not re.search(r"\b\d+00 s\b", visible)  # 3600 s, 86400 s: written for people
    ours = "".join(_shown(c) for c in shown if "perspective_section" not in c.source)
    assert not re.search(r"(?<![\d(])-\d", _visible(ours))  # the minus sign, never "-"
    # one language at a time
    pairs = [
        (en, pt)
        for en, pt in catalog_messages("pt-BR").items()
        if en != pt and len(en) >= 12 and "{" not in en and "{" not in pt
    ]
    other = [pt for _, pt in pairs] if lang == "en" else [en for en, _ in pairs]
    assert [x for x in other if x in visible] == []
    assert ("Nível de serviço" in visible) == (lang == "pt-BR")
    assert ("telefone" in visible) == (lang == "pt-BR")


@pytest.mark.slow
@pytest.mark.notebook
def test_explore_under_papermill_static(tmp_path):
    book = _run(
        "explore.ipynb", tmp_path, {"lang": "en", "interactive": False, "period": "2026-02"}
    )
    text = "".join(_shown(c) for c in _code_cells(book))
    assert "KPIs in February 2026" in text
    assert "Against the previous period" in text and "January 2026" in text
    assert "vegaEmbed" in text or "application/vnd.vegalite" in str(book.cells[-1].outputs)


@pytest.mark.slow
@pytest.mark.notebook
def test_trainer_notebooks_under_nbval_lax():
    """nbval in lax mode: every cell runs; the golden cells must match their outputs."""
    paths = [str(NOTEBOOKS_DIR / n) for n in NOTEBOOKS]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-p",
         "no:xdist", "-o", "addopts=", "-q", *paths],
        cwd=str(PROJ_ROOT), env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "passed" in proc.stdout
