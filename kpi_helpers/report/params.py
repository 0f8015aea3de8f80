"""Notebook parameters: read the ``parameters`` cell, type-check values before anything runs.

The declared parameters come from :func:`papermill.inspect_notebook` completed by our own
parse of the cell with :mod:`ast` (papermill's regex misses annotations such as
``str | None``). A value is checked against the annotation (``str``, ``int``, ``float``,
``bool``, ``list[str]``, ``dict``, ``X | None``, ``Optional[X]``...); without an
annotation, against the type of the default.
"""

from __future__ import annotations

import ast
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportError

__all__ = ["ParamSpec", "notebook_parameters", "check_parameters", "parse_cli_value"]

_MISSING = object()


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter: its name, annotation text (or None), default source and help."""

    name: str
    annotation: str | None
    default: str | None
    help: str = ""

    def default_value(self):
        """The default as a Python value when it is a literal, else a sentinel."""
        if self.default is None:
            return _MISSING
        try:
            return ast.literal_eval(self.default)
        except (ValueError, SyntaxError):
            return _MISSING

    def type_text(self) -> str:
        """The annotation, or the default's type name, or ``any``."""
        if self.annotation:
            return self.annotation
        value = self.default_value()
        if value is _MISSING or value is None:
            return "any"
        return type(value).__name__


def _parameters_cell(nb) -> str | None:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get(
            "tags", []
        ):
            src = cell.get("source", "")
            return "".join(src) if isinstance(src, list) else src
    return None


def _ast_parameters(source: str) -> dict[str, ParamSpec]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines()
    out: dict[str, ParamSpec] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets, ann, value = [node.target.id], ast.unparse(node.annotation), node.value
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            ann, value = None, node.value
        else:
            continue
        line = (
            lines[node.end_lineno - 1] if node.end_lineno and node.end_lineno <= len(lines) else ""
        )
        help_text = line.split("#", 1)[1].strip() if "#" in line else ""
        for name in targets:
            out[name] = ParamSpec(
                name, ann, ast.unparse(value) if value is not None else None, help_text
            )
    return out


def notebook_parameters(path: str | Path) -> dict[str, ParamSpec]:
    """The parameters declared in the notebook's ``parameters`` cell, by name.

    Raises
    ------
    ReportError
        When the notebook has no cell tagged ``parameters`` (nothing could be injected).
    """
    import nbformat
    import papermill as pm

    nb = nbformat.read(str(path), as_version=4)
    source = _parameters_cell(nb)
    if source is None:
        raise ReportError(
            f"Notebook {Path(path).name} has no cell tagged 'parameters': tag the cell that "
            "holds the defaults (View > Cell toolbar > Tags in Jupyter)."
        )
    found = _ast_parameters(source)
    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)  # it logs "Unable to parse line" for lines we parse fine
    try:
        inspected = pm.inspect_notebook(str(path))
    except Exception:  # papermill could not parse it: ours is enough
        inspected = {}
    finally:
        logger.setLevel(level)
    for name, info in inspected.items():
        if name not in found:
            typ = info.get("inferred_type_name")
            found[name] = ParamSpec(
                name,
                None if typ in (None, "None") else typ,
                info.get("default"),
                info.get("help", ""),
            )
    return found


# -- type checks ---------------------------------------------------------------------------
def _matches(value, node) -> bool:
    """Does ``value`` fit the annotation AST ``node``? Unknown annotations accept anything."""
    if isinstance(node, ast.Constant) and node.value is None:
        return value is None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _matches(value, node.left) or _matches(value, node.right)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "str" as a string
        try:
            return _matches(value, ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return True
    if isinstance(node, ast.Subscript):
        base = ast.unparse(node.value).split(".")[-1]
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base == "Optional":
            return value is None or _matches(value, args[0])
        if base == "Union":
            return any(_matches(value, a) for a in args)
        if base == "Literal":
            return any(isinstance(a, ast.Constant) and a.value == value for a in args)
        if base in ("list", "List", "Sequence", "tuple", "Tuple"):
            if not isinstance(value, (list, tuple)):
                return False
            inner = (
                args[0] if args and not (len(args) == 2 and ast.unparse(args[1]) == "...") else None
            )
            if base in ("tuple", "Tuple") and len(args) > 1 and ast.unparse(args[1]) != "...":
                return len(value) == len(args) and all(
                    _matches(v, a) for v, a in zip(value, args, strict=True)
                )
            return inner is None or all(_matches(v, inner) for v in value)
        if base in ("dict", "Dict", "Mapping"):
            if not isinstance(value, dict):
                return False
            if len(args) == 2:
                return all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items())
            return True
        return True
    name = ast.unparse(node).split(".")[-1]
    if name == "str":
        return isinstance(value, str)
    if name == "bool":
        return isinstance(value, bool)
    if name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name in ("list", "List", "Sequence"):
        return isinstance(value, (list, tuple))
    if name in ("dict", "Dict", "Mapping"):
        return isinstance(value, dict)
    if name == "None":
        return value is None
    return True  # Any, object, a class we cannot check: accept


def _fits(value, spec: ParamSpec) -> bool:
    if spec.annotation:
        try:
            node = ast.parse(spec.annotation, mode="eval").body
        except SyntaxError:
            return True
        return _matches(value, node)
    default = spec.default_value()
    if default is _MISSING or default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple)) or value is None
    return isinstance(value, type(default)) or value is None


def parse_cli_value(raw: str, spec: ParamSpec | None):
    """The value of ``--param key=RAW`` for a parameter declared as ``spec``.

    ``RAW`` is read as YAML (``3`` -> 3, ``true`` -> True, ``[csat, nps]`` -> a list,
    ``null`` -> None); when that does not fit the declared type but the text itself does
    (a ``str`` parameter), the text is kept as is.

    >>> parse_cli_value("3", ParamSpec("n", "int", "1"))
    3
    >>> parse_cli_value("2026-10", ParamSpec("period", "str", '"x"'))
    '2026-10'
    """
    import yaml

    try:
        parsed = yaml.safe_load(raw) if raw.strip() else raw
    except yaml.YAMLError:
        parsed = raw
    if hasattr(parsed, "isoformat") and not isinstance(parsed, str):
        parsed = parsed.isoformat()
    if spec is None:
        return parsed
    for candidate in (parsed, raw):
        if _fits(candidate, spec):
            return candidate
    return parsed


def check_parameters(values: Mapping, declared: Mapping[str, ParamSpec], *, notebook: str) -> None:
    """Raise :class:`ReportError` for an undeclared parameter or a value of the wrong type.

    The message names the parameter, the notebook, the declared type and echoes the value;
    for an unknown name it lists the declared ones.
    """
    for name, value in values.items():
        spec = declared.get(name)
        if spec is None:
            known = ", ".join(sorted(declared)) or "(none)"
            raise ReportError(
                f"Unknown parameter {name!r} for {notebook}: its parameters cell declares {known}."
            )
        if not _fits(value, spec):
            raise ReportError(
                f"Parameter {name!r} of {notebook} must be {spec.type_text()}, got "
                f"{json.dumps(value, default=str)} ({type(value).__name__})."
            )
