"""The canonical tables: column names, kinds and survey scales (see DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "INTERACTION_COLUMNS",
    "REQUIRED_COLUMNS",
    "TIMESTAMP_COLUMNS",
    "BOOL_COLUMNS",
    "DURATION_COLUMNS",
    "DIMENSION_COLUMNS",
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
#: Dimensions that `compute(by=...)` accepts besides the time grains.
DIMENSION_COLUMNS = ("channel", "team", "agent", "category")
#: Time grains that `compute(by=...)` accepts; the result column is named after the grain.
TIME_GRAINS = ("day", "week", "month", "quarter", "year")


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
