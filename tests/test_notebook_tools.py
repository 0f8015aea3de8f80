"""The committed notebooks are clean and thin; `make strip` keeps only golden outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kpi_helpers.config import NOTEBOOKS_DIR
from kpi_helpers.notebook_tools import notebook_problems, strip_notebook

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _nb(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _code(source, outputs=(), tags=()):
    return {
        "cell_type": "code",
        "source": source,
        "outputs": list(outputs),
        "execution_count": 3 if outputs else None,
        "metadata": {"tags": list(tags)},
    }


def test_strip_keeps_golden_outputs_only():
    out = [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    nb = _nb(
        [_code("x = 1", out, tags=["parameters"]), _code("# NBVAL_CHECK_OUTPUT\nprint(1)", out)]
    )
    stripped = strip_notebook(nb)
    assert stripped["cells"][0]["outputs"] == [] and stripped["cells"][0]["execution_count"] is None
    assert stripped["cells"][1]["outputs"] == out
    assert nb["cells"][0]["outputs"] == out  # input untouched
    assert notebook_problems(stripped) == []


def test_problems_are_named():
    nb = _nb(
        [_code("def f():\n    pass", [{"output_type": "stream", "name": "stdout", "text": "x"}])]
    )
    problems = notebook_problems(nb)
    assert "no cell tagged `parameters`" in problems
    assert any("outputs" in p for p in problems) and any("'def'" in p for p in problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebooks_are_clean(path):
    assert notebook_problems(json.loads(path.read_text(encoding="utf-8"))) == []


def test_check_command_exit_status(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text(json.dumps(_nb([_code("x = 1")])))
    cmd = [sys.executable, "-m", "kpi_helpers.notebook_tools", "check", str(bad)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 1 and "parameters" in result.stdout
    subprocess.run(
        [sys.executable, "-m", "kpi_helpers.notebook_tools", "strip", str(bad)], check=True
    )
