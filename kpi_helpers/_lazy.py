"""Lazy public names for a package (PEP 562): one ``__getattr__``/``__dir__`` pair.

``kpi_helpers`` and ``kpi_helpers.report`` import their public names on first access, so
``import kpi_helpers`` stays cheap (no ibis, pandas or altair until a name is used).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping


def lazy_attributes(
    package: str, table: Mapping[str, str | None], public: Iterable[str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``.

    ``table`` maps a public name to the submodule that defines it (``None``: the name is a
    submodule itself); a resolved name is cached in the package's namespace. Other
    lower-case names load the submodule of that name (what eager imports used to load as a
    side effect); anything else is an AttributeError.
    """
    public = tuple(public)

    def __getattr__(name: str):
        namespace = sys.modules[package].__dict__
        if name in table:
            module_name = table[name]
            if module_name is None:
                value = importlib.import_module(f"{package}.{name}")
            else:
                value = getattr(importlib.import_module(f"{package}.{module_name}"), name)
            namespace[name] = value
            return value
        if not name.startswith("_"):
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(sys.modules[package].__dict__) | set(public))

    return __getattr__, __dir__
