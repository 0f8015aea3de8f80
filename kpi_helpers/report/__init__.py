"""Scheduled HTML reports: the ``kpi-report`` command (papermill + nbconvert).

Notebook side, in the imports cell::

    from kpi_helpers.report import enable_offline_charts
    enable_offline_charts()   # Altair charts render offline inside kpi-report runs

Everything else is the command (``kpi-report --help``) and its modules:
:mod:`.config` (reports.yml), :mod:`.runner` (papermill, atomic outputs),
:mod:`.render` (HTML), :mod:`.index` (index.html), :mod:`.charts_offline`.
Importing this package is cheap: papermill and nbconvert load only when a job runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes as _lazy_attributes

#: Public name -> submodule that defines it, imported on first access (PEP 562).
_LAZY = {
    "Job": "config",
    "ReportConfig": "config",
    "Schedule": "config",
    "chart_html": "charts_offline",
    "enable_offline_charts": "charts_offline",
    "load_config": "config",
}

__all__ = [
    "Job",
    "ReportConfig",
    "Schedule",
    "chart_html",
    "enable_offline_charts",
    "load_config",
]

if TYPE_CHECKING:
    from .charts_offline import chart_html, enable_offline_charts
    from .config import Job, ReportConfig, Schedule, load_config


__getattr__, __dir__ = _lazy_attributes(__name__, _LAZY, __all__)
