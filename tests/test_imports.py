"""Cheap imports (issue #12): ``import kpi_helpers`` and ``kpi-report --help`` load no heavy library.

Every check of what gets imported runs in a fresh interpreter (this process has long imported
everything). No wall-clock assertion: ``make benchmark-import`` measures the times.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import kpi_helpers
from kpi_helpers.config import NOTEBOOKS_DIR, PROJ_ROOT

#: Libraries that a bare ``import kpi_helpers`` must not load.
HEAVY = (
    "ibis",
    "duckdb",
    "pandas",
    "numpy",
    "altair",
    "papermill",
    "nbconvert",
    "ipywidgets",
    "great_tables",
    "babel",
)
#: Libraries that ``kpi-report --help`` (and ``list --as-of``) must not load.
HEAVY_CLI = ("papermill", "nbconvert", "nbformat", "altair", "ibis", "great_tables")


def _python(code: str) -> str:
    """Run ``code`` in a fresh interpreter at the project root; its stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _loaded_after(code: str, libraries: tuple[str, ...]) -> dict:
    """Run ``code``, then report which of ``libraries`` ended up in sys.modules."""
    out = _python(
        code
        + textwrap.dedent(
            f"""
            import json as _json, sys as _sys
            _heavy = set({list(libraries)!r})
            print(_json.dumps(sorted({{m.split(".")[0] for m in _sys.modules}} & _heavy)))
            """
        )
    )
    return json.loads(out.strip().splitlines()[-1])


def _declared_imports() -> dict[str, tuple[str, str | None]]:
    """Public name -> (module, attribute), from the ``if TYPE_CHECKING:`` block of __init__.py.

    The attribute is None for ``from . import primer`` (the name is the submodule itself).
    """
    tree = ast.parse(Path(kpi_helpers.__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    found = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.level == 1, ast.unparse(node)
        for alias in node.names:
            if node.module is None:
                found[alias.name] = (f"kpi_helpers.{alias.name}", None)
            else:
                found[alias.name] = (f"kpi_helpers.{node.module}", alias.name)
    return found


def test_import_kpi_helpers_loads_no_heavy_library():
    assert _loaded_after("import kpi_helpers", HEAVY) == []


def test_import_kpi_helpers_report_loads_no_heavy_library():
    assert _loaded_after("import kpi_helpers.report", HEAVY) == []


def test_type_checking_block_declares_every_public_name():
    assert set(_declared_imports()) == set(kpi_helpers.__all__) - {"__version__"}


@pytest.mark.parametrize("name", sorted(set(kpi_helpers.__all__) - {"__version__"}))
def test_public_name_is_the_object_of_its_module(name):
    module, attribute = _declared_imports()[name]
    expected = importlib.import_module(module)
    if attribute is not None:
        expected = getattr(expected, attribute)
    assert getattr(kpi_helpers, name) is expected


def test_version_and_star_import():
    assert kpi_helpers.__version__ == "0.1.0"
    namespace: dict = {}
    exec("from kpi_helpers import *", namespace)
    assert set(kpi_helpers.__all__) <= set(namespace)
    assert namespace["compute"] is kpi_helpers.compute


def test_dir_lists_the_public_names():
    listed = dir(kpi_helpers)
    assert set(kpi_helpers.__all__) <= set(listed)
    assert listed == sorted(listed)


def test_dir_lists_the_public_names_before_any_access():
    out = _python(
        """
        import json, sys, kpi_helpers
        print(json.dumps([dir(kpi_helpers), kpi_helpers.__all__, "ibis" in sys.modules]))
        """
    )
    listed, public, ibis_loaded = json.loads(out)
    assert set(public) <= set(listed)
    assert ibis_loaded is False


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        kpi_helpers.no_such_name  # noqa: B018
    assert not hasattr(kpi_helpers, "no_such_name")
    assert not hasattr(kpi_helpers, "_private_thing")
    with pytest.raises(ImportError):
        exec("from kpi_helpers import no_such_name", {})


def test_functions_named_like_their_module_survive_a_submodule_import():
    """compare/explore/scorecard are functions of the package even when their module
    (kpi_helpers.compare...) was imported first, directly or by another module."""
    out = _python(
        """
        import json, types
        import kpi_helpers
        import kpi_helpers.compare
        from kpi_helpers.explore import Explorer
        from kpi_helpers.scorecard import Scorecard
        from kpi_helpers import compare, explore, scorecard
        names = ("compare", "explore", "scorecard")
        print(json.dumps({
            "attr": [callable(getattr(kpi_helpers, n))
                     and not isinstance(getattr(kpi_helpers, n), types.ModuleType)
                     for n in names],
            "from": [not isinstance(f, types.ModuleType) for f in (compare, explore, scorecard)],
            "same": [getattr(kpi_helpers, n) is getattr(__import__("sys").modules[
                "kpi_helpers." + n], n) for n in names],
        }))
        """
    )
    assert json.loads(out) == {"attr": [True] * 3, "from": [True] * 3, "same": [True] * 3}


def test_submodules_stay_reachable_as_attributes():
    """The eager imports used to bind submodules (kpi_helpers.io, .views...) as a side effect."""
    out = _python(
        """
        import kpi_helpers
        from kpi_helpers import views, sample
        print(kpi_helpers.views is views, kpi_helpers.io.__name__, kpi_helpers.report.runner.__name__)
        """
    )
    assert out.split() == ["True", "kpi_helpers.io", "kpi_helpers.report.runner"]


def test_report_package_public_names():
    import kpi_helpers.report as report
    from kpi_helpers.report import charts_offline, config

    assert set(report.__all__) <= set(dir(report))
    for name in report.__all__:
        module = charts_offline if hasattr(charts_offline, name) else config
        assert getattr(report, name) is getattr(module, name)


def _notebook_imports() -> list[str]:
    lines = []
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            for line in "".join(cell["source"]).splitlines():
                if line.startswith(("import ", "from ")) and "kpi_helpers" in line:
                    lines.append(line)
    return lines


def test_notebook_imports_work():
    lines = _notebook_imports()
    assert "from kpi_helpers import views" in lines
    out = _python("\n".join([*lines, "print(views.__name__, primer.__name__)"]))
    assert out.split() == ["kpi_helpers.views", "kpi_helpers.primer"]


_CLI = """
import sys
from kpi_helpers.report.cli import main
code = main({args!r})
assert code == 0, code
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["run", "--help"], ["list", "--as-of", "2026-11-01"]],
    ids=["help", "run-help", "list-as-of"],
)
def test_cli_without_a_run_loads_no_notebook_machinery(args):
    assert _loaded_after(_CLI.format(args=args), HEAVY_CLI) == []


def test_cli_help_as_python_m_loads_no_notebook_machinery():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kpi_helpers.report", "--help"],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "kpi-report" in proc.stdout
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "kpi_helpers" in imported
    assert imported.isdisjoint(HEAVY_CLI)
