"""kpi_helpers.coverage: the days a period has data for, and where segments start and stop."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kpi_helpers.coverage import Coverage, data_coverage
from kpi_helpers.periods import parse_period


def test_period_coverage_counts_days_and_says_what_is_missing():
    cov = Coverage(pd.Timestamp("2026-09-03 14:00"), pd.Timestamp("2026-10-12 09:00"), 100)
    octo = cov.of_period(parse_period("2026-10"))
    assert (octo.covered_days, octo.total_days) == (12, 31) and octo.partial
    assert (octo.covered_start, octo.covered_end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 13))
    assert octo.text("en", "October 2026") == "October 2026: 12 of 31 days covered"
    assert octo.text("pt-BR", "outubro de 2026") == "outubro de 2026: 12 de 31 dias cobertos"
    sept = cov.of_period(parse_period("2026-09"))
    assert sept.covered_days == 28 and sept.covered_start == dt.date(2026, 9, 3)
    nov = cov.of_period(parse_period("2026-11"))
    assert nov.none and nov.covered_start is None
    assert nov.text("en", "November 2026") == (
        "no data for November 2026: the data ends on Oct 12, 2026"
    )
    aug = cov.of_period(parse_period("2026-08"))
    assert (
        aug.text("en", "August 2026") == "no data for August 2026: the data starts on Sep 3, 2026"
    )
    assert cov.of_period(("2026-09-10", "2026-09-20")).full
    assert cov.of_period(("2026-09-10", "2026-09-20")).text("en") is None
    empty = Coverage(None, None, 0).of_period(parse_period("2026-01"))
    assert empty.text("en", "January 2026") == (
        "no data for January 2026: the data has no contacts"
    )


def test_segment_coverage_by_hand():
    df = pd.DataFrame(
        {
            "interaction_id": list("abcd"),
            "created_at": pd.to_datetime(
                ["2026-01-03 10:00", "2026-01-10 09:00", "2026-01-05 08:00", "2026-02-01 00:30"]
            ),
            "channel": ["chat", "chat", "phone", None],
        }
    )
    cov = data_coverage(df, by="channel")
    assert (cov.first_day, cov.last_day, cov.rows) == (
        dt.date(2026, 1, 3),
        dt.date(2026, 2, 1),
        4,
    )
    chat = cov.segment("channel", "chat")
    assert (chat.first_day, chat.last_day, chat.rows) == (
        dt.date(2026, 1, 3),
        dt.date(2026, 1, 10),
        2,
    )
    assert cov.segment("channel", "unknown").rows == 1
    assert cov.segment("channel", "email").empty
    assert chat.covered_days(parse_period("2026-01")) == 8
