"""The scorecard notebook: runs under papermill with injected parameters and under nbval.

The committed notebook keeps only the golden cell's output (``# NBVAL_CHECK_OUTPUT``: the
table's key numbers on the committed sample); nbval (``--nbval-lax``) re-executes it and
compares that output. After regenerating the sample or changing targets.yml, refresh the
golden output by executing the notebook and keeping only that cell's output.
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from kpi_helpers.config import NOTEBOOKS_DIR, PROJ_ROOT, TARGETS_FILE

NOTEBOOK = NOTEBOOKS_DIR / "scorecard.ipynb"
PARAMETERS = (
    "data",
    "operations",
    "targets",
    "period",
    "lang",
    "as_of",
    "period_start",
    "period_end",
)

pytestmark = pytest.mark.notebook


def test_notebook_is_thin_stripped_and_declares_the_parameters():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in PARAMETERS:
        assert f"{name}: str = " in params[0].source, name
    assert 'period: str = "previous_month"' in params[0].source
    assert 'lang: str = "pt-BR"' in params[0].source
    golden = [c for c in code if "NBVAL_CHECK_OUTPUT" in c.source]
    assert len(golden) == 1 and golden[0].outputs, "the golden cell keeps its output"
    for cell in code:
        if cell is not golden[0]:
            assert cell.outputs == [] and cell.execution_count is None
        assert "def " not in cell.source and "class " not in cell.source
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_papermill_with_injected_parameters(tmp_path):
    import papermill as pm

    out = tmp_path / "scorecard_out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={
            "lang": "en",
            "period": "2026-06",
            "period_start": "2026-06-01",
            "period_end": "2026-07-01",
            "as_of": "2026-07-01",
            "targets": str(TARGETS_FILE),
        },
        kernel_name="python3",
        cwd=str(tmp_path),  # nothing may depend on the working directory
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    texts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o
            texts.append(o.get("text", ""))
            texts.extend(str(v) for v in o.get("data", {}).values())
    blob = "\n".join(texts)
    assert "Balanced Scorecard: June 2026" in blob
    assert "change against May 2026" in blob
    for heading in ("Financial", "Customer", "Internal processes", "Learning and growth"):
        assert heading in blob
    assert "Financial: score" in blob  # the summary
    assert "kpi-sparkline" in blob
    assert "vega" in blob.lower()  # the overview chart


@pytest.mark.slow
def test_nbval_lax_with_the_golden_cell():
    env = dict(os.environ)
    env.pop("PYTEST_XDIST_WORKER", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            str(NOTEBOOK),
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-o",
            "addopts=",
        ],
        cwd=str(PROJ_ROOT),
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
