"""kpi_helpers: customer-service KPIs on Ibis/DuckDB, for notebooks and scheduled reports."""

from __future__ import annotations

from . import primer
from .calendar import BusinessCalendar, default_calendar
from .charts import comparison_chart, drivers_chart, trend_chart
from .checks import DataCheck, check_data
from .compare import Comparison, compare, compare_many, comparison_table
from .engine import compute, compute_components
from .errors import (
    ConfigError,
    DataError,
    DataWarning,
    KpiError,
    MetricUnavailable,
    OptionError,
    PeriodError,
    ReportError,
    TargetsError,
    UnknownMetricError,
)
from .explore import Explorer, explore
from .io import LoadResult, load_interactions
from .mapping import get_preset, list_presets, register_preset
from .metrics import Metric, catalog, get_metric, list_metrics, register_metric
from .operations import compute_operations, load_operations
from .periods import Period, parse_period, periods_between
from .scorecard import Scorecard, scorecard
from .targets import Targets, load_targets
from .trends import trend

__version__ = "0.1.0"

__all__ = [
    "BusinessCalendar",
    "comparison_chart",
    "drivers_chart",
    "trend",
    "trend_chart",
    "Explorer",
    "explore",
    "primer",
    "Scorecard",
    "Targets",
    "compute_operations",
    "load_operations",
    "load_targets",
    "scorecard",
    "LoadResult",
    "get_preset",
    "list_presets",
    "load_interactions",
    "register_preset",
    "Comparison",
    "Period",
    "compare",
    "compare_many",
    "comparison_table",
    "default_calendar",
    "parse_period",
    "periods_between",
    "ConfigError",
    "DataCheck",
    "DataError",
    "DataWarning",
    "check_data",
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
