"""Warnings of a report's kernel, kept for the page instead of lost to stripped stderr.

The report runner sets :data:`ENV_WARNINGS` to a file and its hidden setup cell calls
:func:`install`: every warning issued by ``kpi_helpers`` (a :class:`~kpi_helpers.errors.KpiError`
such as ``DataWarning`` or ``MetricUnavailable``, or any warning raised from the package's
code) is appended to that file as one JSON line, with its text in each language when the
warning can give it. The runner reads them back (:func:`read`) into the page's "Data"
section and ``run.json``. Library chatter (deprecations of pandas, Ibis...) is not kept.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

__all__ = ["ENV_WARNINGS", "install", "read", "localized"]

#: Environment variable naming the JSON-lines file the kernel's warnings go to.
ENV_WARNINGS = "KPI_REPORT_WARNINGS"
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)


def localized(message) -> dict[str, str]:
    """The text of a warning in each language it can give (``{"en": ..., "pt-BR": ...}``)."""
    from ..config import LANGUAGES
    from ..errors import MetricUnavailable
    from ..i18n import t

    out = {}
    for lang in LANGUAGES:
        text = None
        fn = getattr(message, "localized", None) or getattr(message, "message_in", None)
        check = getattr(message, "check", None)
        if fn is None and check is not None and callable(getattr(check, "warning_text", None)):
            fn = check.warning_text
        if callable(fn):
            try:
                text = fn(lang)
            except Exception:  # noqa: BLE001 - fall back to the English text
                text = None
        elif isinstance(message, MetricUnavailable) and message.metric and message.missing:
            from ..metrics import get_metric

            try:
                label = get_metric(message.metric).label(lang)
            except Exception:  # noqa: BLE001
                label = message.metric
            text = t(
                "{kpi} is not shown: it needs the column {columns}.",
                lang,
                kpi=label,
                columns=", ".join(message.missing),
            )
        out[lang] = text if text else str(message)
    return out


def _keep(category, filename: str) -> bool:
    from ..errors import KpiError

    if issubclass(category, KpiError):
        return True
    if issubclass(category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
        return False
    return str(filename).startswith(_PACKAGE_DIR)


def install() -> None:
    """Append the package's warnings to the file named by :data:`ENV_WARNINGS` (if set)."""
    path = os.environ.get(ENV_WARNINGS)
    if not path:
        return
    previous = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if _keep(category, filename):
            record = {"category": category.__name__, "text": localized(message)}
            try:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            except OSError:
                pass
        return previous(message, category, filename, lineno, file, line)

    warnings.showwarning = showwarning
    # a warning repeated by every call still reaches the page once (deduplicated in read())
    warnings.filterwarnings("always", category=UserWarning, module=r"kpi_helpers(\..*)?$")


def read(path: str | Path) -> list[dict]:
    """The warnings recorded in ``path``, each once, in the order they first came."""
    path = Path(path)
    if not path.is_file():
        return []
    seen, out = set(), []
    for line in path.read_text("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        key = json.dumps(record, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(record)
    return out
