"""The trainer/analyst notebooks (kpi_primer, explore): thin, stripped, run under papermill
with injected parameters (from another working directory) and under nbval in lax mode (the
golden ``# NBVAL_CHECK_OUTPUT`` cells hold the primer's worked numbers).

The golden outputs were computed on the committed sample with the notebooks' defaults
(lang pt-BR); after regenerating the sample, re-execute kpi_primer.ipynb and keep only the
golden cells' outputs.
"""

from __future__ import annotations

import os
import subprocess
import sys

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


def test_primer_golden_cells_hold_the_worked_numbers():
    cells = _code_cells(nbformat.read(NOTEBOOKS_DIR / "kpi_primer.ipynb", as_version=4))
    golden = ["".join(o.get("text", "") for o in c.outputs) for c in cells if c.outputs]
    assert len(golden) == 7  # four perspectives, the story, two checks
    text = "\n".join(golden)
    assert "service_level: 74,3% (n = 3.864)" in text  # January 2026 on the sample
    assert "2026-02 3.461 (28 d, 123,6/d)" in text  # the February story
    assert text.count("(n = ") >= 30


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


@pytest.mark.slow
@pytest.mark.notebook
def test_primer_under_papermill_static_en(tmp_path):
    book = _run("kpi_primer.ipynb", tmp_path, {"lang": "en", "interactive": False})
    cells = _code_cells(book)
    text = "".join(_shown(c) for c in cells)
    for expected in (
        "KPI primer",
        "Learning and growth",
        "Worked example: January 2026",
        "NPS calculator",
        "CSAT calculator",
        "Service level by threshold (phone)",
        "The 25% fewer tickets in February case",
        "Right! Service level",
        "service_level: 74.3% (n = 3,864)",
    ):
        assert expected in text, expected
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
    assert "Nível de serviço" not in text  # one language at a time


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
