"""The canonical tables: column names, kinds and survey scales (see DESIGN.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "INTERACTION_COLUMNS",
    "REQUIRED_COLUMNS",
    "TIMESTAMP_COLUMNS",
    "BOOL_COLUMNS",
    "DURATION_COLUMNS",
    "DIMENSION_COLUMNS",
    "DERIVED_DIMENSIONS",
    "is_dimension_type",
    "dimension_columns",
    "SCORE_COLUMNS",
    "Scale",
    "DEFAULT_SCALES",
    "TIME_GRAINS",
    "OPERATIONS_COLUMNS",
]

#: Canonical interaction columns and their kind.
INTERACTION_COLUMNS: dict[str, str] = {
    "interaction_id": "string",
    "created_at": "timestamp",
    "channel": "string",
    "team": "string",
    "agent": "string",
    "category": "string",
    "first_response_at": "timestamp",
    "wait_s": "duration",
    "answered": "bool",
    "abandoned": "bool",
    "resolved_at": "timestamp",
    "resolved": "bool",
    "contacts": "int",
    "reopened": "bool",
    "transferred": "bool",
    "bot_handled": "bool",
    "escalated": "bool",
    "handle_time_s": "duration",
    "csat": "score",
    "nps": "score",
    "ces": "score",
    "delivered": "bool",
}

REQUIRED_COLUMNS = ("interaction_id", "created_at")
TIMESTAMP_COLUMNS = tuple(c for c, k in INTERACTION_COLUMNS.items() if k == "timestamp")
BOOL_COLUMNS = tuple(c for c, k in INTERACTION_COLUMNS.items() if k == "bool")
DURATION_COLUMNS = tuple(c for c, k in INTERACTION_COLUMNS.items() if k == "duration")
SCORE_COLUMNS = ("csat", "nps", "ces")
#: The canonical dimensions (segments). ``by=`` accepts these and any other text (or
#: integer-code) column of the data: priority, queue, product, region, store...
#: (:func:`dimension_columns`).
DIMENSION_COLUMNS = ("channel", "team", "agent", "category")
#: Dimensions computed in the query from a column of the data (derived -> source column):
#: ``channel_family`` is the family of the channel value (kpi_helpers.channels).
DERIVED_DIMENSIONS: dict[str, str] = {"channel_family": "channel"}
#: Time grains that `compute(by=...)` accepts; the result column is named after the grain.
TIME_GRAINS = ("day", "week", "month", "quarter", "year")


#: Key names the analysis adds to its results: never a dimension of the data.
_RESERVED_KEYS = ("period", "interaction_id")


def is_dimension_type(dtype) -> bool:
    """Whether a column of this Ibis type can be a dimension: text, integer codes, or a
    column of blanks only (every value ``"unknown"``)."""
    return bool(dtype.is_string() or dtype.is_integer() or dtype.is_null())


def dimension_columns(schema: Mapping[str, Any], *, derived: bool = True) -> list[str]:
    """The dimensions of a table with this schema (column name -> Ibis type), in order:
    the canonical ones present (channel, team, agent, category), then the other text or
    integer-code columns in the data's order (canonical measures, flags, timestamps,
    ``interaction_id``, the time grains' names and names starting with ``_`` are not
    dimensions), then the derived ones whose source column is present (``channel_family``).
    """
    names = list(schema)
    out = [d for d in DIMENSION_COLUMNS if d in schema]
    for name in names:
        if (
            name in out
            or name in INTERACTION_COLUMNS
            or name in TIME_GRAINS
            or name in _RESERVED_KEYS
            or str(name).startswith("_")
        ):
            continue
        if is_dimension_type(schema[name]):
            out.append(name)
    if derived:
        out += [d for d, src in DERIVED_DIMENSIONS.items() if src in schema and d not in out]
    return out


@dataclass(frozen=True)
class Scale:
    """A survey scale: answers are numbers in ``[low, high]``."""

    low: float
    high: float

    def __post_init__(self):
        if not self.low < self.high:
            raise ValueError(f"a scale needs low < high, got {self.low}..{self.high}")

    @property
    def top_two_min(self) -> float:
        """Smallest answer in the top two boxes (4 on 1-5, 9 on 0-10)."""
        return self.high - 1


DEFAULT_SCALES: dict[str, Scale] = {
    "csat": Scale(1, 5),
    "nps": Scale(0, 10),
    "ces": Scale(1, 7),
}

#: Canonical operations columns (one row per month, optionally per team/channel).
OPERATIONS_COLUMNS: dict[str, str] = {
    "month": "date",
    "team": "string",
    "channel": "string",
    "cost_total": "number",
    "tech_cost": "number",
    "tech_benefit": "number",
    "customers_start": "number",
    "customers_end": "number",
    "customers_new": "number",
    "headcount_start": "number",
    "headcount_end": "number",
    "leavers": "number",
    "training_hours": "number",
    "trainings_completed": "number",
    "trainings_assigned": "number",
    "scheduled_minutes": "number",
    "downtime_minutes": "number",
    "new_technologies": "number",
}
