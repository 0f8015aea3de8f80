"""One exception tree: catch :class:`KpiError` to catch them all."""

from __future__ import annotations


class KpiError(Exception):
    """Base class of every error raised by kpi_helpers."""


class DataError(KpiError, ValueError):
    """Input data that cannot be used: the message names the file, column, row and the fix."""


class UnknownMetricError(KpiError, KeyError):
    """A KPI id that is not in the registry; the message lists the known ids."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class MetricUnavailable(KpiError, UserWarning):
    """A KPI whose required columns are absent from the data ("needs column X").

    Raised when none of the requested KPIs can be computed; issued as a warning
    (and the KPI's column left as NaN) when only some of them can.
    """

    def __init__(self, message: str, *, metric: str | None = None, missing: tuple = ()):
        super().__init__(message)
        self.metric = metric
        self.missing = tuple(missing)


class DataWarning(KpiError, UserWarning):
    """Canonical data that computes, but with rows the loader would have rejected.

    Issued once per :func:`kpi_helpers.compute` (or ``compute_components``: compare, trend,
    scorecard) call on a DataFrame, a Parquet/CSV path or an Ibis table, after the row checks
    of :func:`kpi_helpers.checks.check_data` (one aggregate query, cached per source; a
    LoadResult is not checked again). The message lists every failed check with its count
    and column, then what to do::

        data/x.csv: 11 duplicate interaction_id values (counted as separate contacts);
        3 negative wait_s values; 2 first_response_at before created_at (answered before
        the contact); csat answers range from 1 to 10, outside the scale 1-5 in force
        (40 outside); values that could not be read were treated as missing (csat: 1).
        Load the export with kpi_helpers.load_interactions(...) to see and reject these rows.

    ``check`` holds the :class:`~kpi_helpers.checks.DataCheck` (counts per check id,
    ``messages(lang)`` in the report language, coverage).
    """

    def __init__(self, message: str, *, check=None):
        super().__init__(message)
        self.check = check


class OptionError(KpiError, ValueError):
    """An unknown or invalid option for a KPI or function."""


class PeriodError(KpiError, ValueError):
    """A period spec that cannot be parsed; the message lists the accepted forms."""


class TargetsError(KpiError, ValueError):
    """An invalid targets file (unknown KPI, band on the wrong side of the target...)."""


class ReportError(KpiError):
    """A report job that failed or is misconfigured."""


class ConfigError(ReportError, ValueError):
    """An invalid reports.yml: the message names the job and the key."""


class MissingDependencyError(KpiError, ImportError):
    """An optional dependency is missing: the message gives the exact pip install."""
