"""Shared fixtures: a handful of hand-written rows whose KPIs can be checked with a pencil."""

from __future__ import annotations

import pandas as pd
import pytest

T = pd.Timestamp
NA = pd.NA


def _tiny() -> pd.DataFrame:
    """Six contacts over Jan-Mar 2026 (see tests/test_engine.py for the hand-computed KPIs).

    id channel created            first response  resolved after  contacts csat nps ces
    a  phone   2026-01-05 10:00   +15 s           +2 h            1        5    10  6
    b  phone   2026-01-05 11:00   +60 s           open            2        -    9   -
    c  chat    2026-01-20 09:00   unanswered      open            -        2    3   2
    d  chat    2026-02-02 08:00   +30 s           +24 h exactly   1        4    -   7
    e  phone   2026-03-01 12:00   +10 s           +1 h            3        -    7   -
    f  email   2026-03-02 12:00   unanswered      open            -        3    -   -
    """
    created = [
        T("2026-01-05 10:00"),
        T("2026-01-05 11:00"),
        T("2026-01-20 09:00"),
        T("2026-02-02 08:00"),
        T("2026-03-01 12:00"),
        T("2026-03-02 12:00"),
    ]
    return pd.DataFrame(
        {
            "interaction_id": list("abcdef"),
            "created_at": created,
            "channel": ["phone", "phone", "chat", "chat", "phone", "email"],
            "team": ["n1", "n1", "n2", "n2", "n1", "n2"],
            "first_response_at": [
                created[0] + pd.Timedelta(seconds=15),
                created[1] + pd.Timedelta(seconds=60),
                pd.NaT,
                created[3] + pd.Timedelta(seconds=30),
                created[4] + pd.Timedelta(seconds=10),
                pd.NaT,
            ],
            "resolved_at": [
                created[0] + pd.Timedelta(hours=2),
                pd.NaT,
                pd.NaT,
                created[3] + pd.Timedelta(hours=24),
                created[4] + pd.Timedelta(hours=1),
                pd.NaT,
            ],
            "contacts": pd.array([1, 2, NA, 1, 3, NA], dtype="Int64"),
            "csat": [5.0, None, 2.0, 4.0, None, 3.0],
            "nps": [10.0, 9.0, 3.0, None, 7.0, None],
            "ces": [6.0, None, 2.0, 7.0, None, None],
            "handle_time_s": [300.0, 600.0, None, 400.0, None, None],
            "transferred": pd.array([False, True, False, False, False, False], dtype="boolean"),
            "reopened": pd.array([False, False, False, True, False, False], dtype="boolean"),
            "bot_handled": pd.array([False, False, True, True, False, False], dtype="boolean"),
            "escalated": pd.array([False, False, True, False, NA, False], dtype="boolean"),
            "delivered": pd.array([NA, True, NA, False, True, NA], dtype="boolean"),
        }
    )


@pytest.fixture
def tiny() -> pd.DataFrame:
    return _tiny()
