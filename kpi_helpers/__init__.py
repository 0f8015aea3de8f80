"""kpi_helpers: customer-service KPIs on Ibis/DuckDB, for notebooks and scheduled reports."""

from __future__ import annotations

from .engine import compute, compute_components
from .errors import (
    ConfigError,
    DataError,
    KpiError,
    MetricUnavailable,
    OptionError,
    PeriodError,
    ReportError,
    TargetsError,
    UnknownMetricError,
)
from .metrics import Metric, catalog, get_metric, list_metrics, register_metric

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "KpiError",
    "Metric",
    "MetricUnavailable",
    "OptionError",
    "PeriodError",
    "ReportError",
    "TargetsError",
    "UnknownMetricError",
    "__version__",
    "catalog",
    "compute",
    "compute_components",
    "get_metric",
    "list_metrics",
    "register_metric",
]
