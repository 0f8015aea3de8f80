"""Keep committed notebooks clean: outputs stripped except the golden cells nbval checks.

python -m kpi_helpers.notebook_tools strip notebooks/*.ipynb   # rewrite in place
python -m kpi_helpers.notebook_tools check notebooks/*.ipynb   # exit 1 if not clean
python -m kpi_helpers.notebook_tools refresh notebooks/x.ipynb # re-run, keep new goldens
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

GOLDEN_MARK = "NBVAL_CHECK_OUTPUT"

__all__ = ["strip_notebook", "notebook_problems", "refresh_golden", "main"]


def _is_golden(cell: dict) -> bool:
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    return GOLDEN_MARK in source


def strip_notebook(nb: dict) -> dict:
    """A copy of ``nb`` with outputs and execution counts removed (golden cells keep outputs)."""
    out = json.loads(json.dumps(nb))
    for cell in out.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if not _is_golden(cell):
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
        cell.get("metadata", {}).pop("papermill", None)
    out.get("metadata", {}).pop("papermill", None)
    return out


def notebook_problems(nb: dict) -> list[str]:
    """What keeps ``nb`` from being a clean, thin, committed notebook."""
    problems = []
    cells = nb.get("cells", [])
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells):
        problems.append("no cell tagged `parameters`")
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("outputs") and not _is_golden(cell):
            problems.append(f"cell {i} has outputs (strip them: make strip)")
        for bad in ("sys.path", "%autoreload", "\ndef ", "\nclass "):
            if bad in "\n" + source:
                problems.append(f"cell {i} contains {bad.strip()!r}: logic belongs in kpi_helpers")
    return problems


def refresh_golden(path: Path) -> int:
    """Execute ``path`` with its default parameters and store the new golden outputs.

    Returns the number of golden cells refreshed; every other output stays stripped.
    """
    import tempfile

    import papermill as pm

    nb = json.loads(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        pm.execute_notebook(
            str(path), str(out), kernel_name="python3", cwd=str(path.parent), progress_bar=False
        )
        executed = json.loads(out.read_text(encoding="utf-8"))
    sources = {
        "".join(c.get("source", ""))
        if isinstance(c.get("source"), list)
        else c.get("source", ""): c
        for c in executed["cells"]
    }
    refreshed = 0
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code" and _is_golden(cell):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            new = sources[source]
            cell["outputs"] = new.get("outputs", [])
            cell["execution_count"] = new.get("execution_count") or 1
            refreshed += 1
    text = json.dumps(strip_notebook(nb), indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return refreshed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["strip", "check", "refresh"])
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if args.command == "refresh":
            print(f"{path}: {refresh_golden(path)} golden cells refreshed")
            continue
        if args.command == "strip":
            text = json.dumps(strip_notebook(nb), indent=1, ensure_ascii=False) + "\n"
            path.write_text(text, encoding="utf-8")
            print(f"stripped {path}")
        else:
            for problem in notebook_problems(nb):
                print(f"{path}: {problem}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
