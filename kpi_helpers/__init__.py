"""kpi_helpers: customer-service KPIs on Ibis/DuckDB, for notebooks and scheduled reports.

Importing the package is cheap: every public name of ``__all__`` is resolved on first
access (PEP 562 module ``__getattr__``), so ``import kpi_helpers`` loads neither Ibis,
DuckDB, pandas, Altair nor Babel until a function that needs them is used.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from ._lazy import lazy_attributes as _lazy_attributes

__version__ = "0.1.0"

#: Public name -> submodule that defines it (``None``: the name is the submodule itself).
_LAZY: dict[str, str | None] = {
    "primer": None,
    "BusinessCalendar": "calendar",
    "default_calendar": "calendar",
    "comparison_chart": "charts",
    "drivers_chart": "charts",
    "trend_chart": "charts",
    "channel_families": "channels",
    "DataCheck": "checks",
    "check_data": "checks",
    "Comparison": "compare",
    "compare": "compare",
    "compare_many": "compare",
    "comparison_table": "compare",
    "compute": "engine",
    "compute_components": "engine",
    "ConfigError": "errors",
    "DataError": "errors",
    "DataWarning": "errors",
    "KpiError": "errors",
    "MetricUnavailable": "errors",
    "OptionError": "errors",
    "PeriodError": "errors",
    "ReportError": "errors",
    "TargetsError": "errors",
    "UnknownMetricError": "errors",
    "Explorer": "explore",
    "explore": "explore",
    "LoadResult": "io",
    "load_interactions": "io",
    "get_preset": "mapping",
    "list_presets": "mapping",
    "register_preset": "mapping",
    "Metric": "metrics",
    "catalog": "metrics",
    "get_metric": "metrics",
    "list_metrics": "metrics",
    "register_metric": "metrics",
    "compute_operations": "operations",
    "load_operations": "operations",
    "Period": "periods",
    "parse_period": "periods",
    "periods_between": "periods",
    "Scorecard": "scorecard",
    "scorecard": "scorecard",
    "Targets": "targets",
    "load_targets": "targets",
    "trend": "trends",
}

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
    "channel_families",
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

if TYPE_CHECKING:  # static tools (mypy, pyright, IDEs) see the eager imports
    from . import primer
    from .calendar import BusinessCalendar, default_calendar
    from .channels import channel_families
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


__getattr__, __dir__ = _lazy_attributes(__name__, _LAZY, __all__)


class _Package(types.ModuleType):
    """The package's module type: keeps ``compare``/``explore``/``scorecard`` the functions.

    Importing a submodule binds it as an attribute of its package; three submodules share
    their name with a public function of ``__all__``. The eager imports used to rebind the
    function over the submodule; this keeps it so whatever imports the submodule first.
    """

    def __setattr__(self, name: str, value) -> None:
        if (
            isinstance(value, types.ModuleType)
            and _LAZY.get(name) == name
            and value.__name__ == f"{__name__}.{name}"
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
