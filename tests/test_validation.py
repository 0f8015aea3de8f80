"""Value parsers and row checks (kpi_helpers.validation), each on hand-written values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpi_helpers.schema import Scale
from kpi_helpers.validation import (
    blank_mask,
    check_canonical,
    day_fraction_column,
    detect_dayfirst,
    number_evidence,
    parse_bool,
    parse_duration,
    parse_int,
    parse_number,
    parse_string,
    parse_time_of_day,
    parse_timestamp,
    resolve_number_format,
)

T = pd.Timestamp


def _vals(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


# --------------------------------------------------------------------------- blanks, strings


def test_blank_mask_tokens():
    s = pd.Series(["", "  ", "N/A", "null", "-", None, np.nan, "0", "x"], dtype=object)
    assert blank_mask(s).tolist() == [True] * 7 + [False, False]


def test_parse_string_strips_and_turns_excel_floats_into_ids():
    s = pd.Series([" ID1 ", 1001.0, 7, "", None, "Phone"], dtype=object)
    assert _vals(parse_string(s)) == ["ID1", "1001", "7", None, None, "Phone"]
    assert _vals(parse_string(s, lower=True))[-1] == "phone"


# --------------------------------------------------------------------------- booleans


@pytest.mark.parametrize(
    "token",
    [
        "Y",
        "y",
        "yes",
        "YES",
        "S",
        "s",
        "Sim",
        "SIM",
        "true",
        "True",
        "T",
        "1",
        "x",
        "X",
        "V",
        "verdadeiro",
        1,
        1.0,
        True,
        np.True_,
    ],
)
def test_parse_bool_true_tokens(token):
    values, bad = parse_bool(pd.Series([token], dtype=object))
    assert values.tolist() == [True] and bad.tolist() == [False]


@pytest.mark.parametrize(
    "token",
    ["N", "n", "no", "NO", "Não", "NÃO", "nao", "Nao", "false", "F", "0", "falso", 0, 0.0, False],
)
def test_parse_bool_false_tokens(token):
    values, bad = parse_bool(pd.Series([token], dtype=object))
    assert values.tolist() == [False] and bad.tolist() == [False]


def test_parse_bool_unrecognised_and_blank():
    values, bad = parse_bool(pd.Series(["talvez", "2", "", None, " s "], dtype=object))
    assert _vals(values) == [None, None, None, None, True]
    assert bad.tolist() == [True, True, False, False, False]


def test_parse_bool_checkbox_column_blank_is_false():
    values, bad = parse_bool(pd.Series(["x", "", None, "X"], dtype=object))
    assert values.tolist() == [True, False, False, True]
    assert not bad.any()
    # with an explicit "no" token a blank stays unknown
    values, _ = parse_bool(pd.Series(["x", "", "n"], dtype=object))
    assert _vals(values) == [True, None, False]


def test_parse_bool_custom_values_and_bool_dtype():
    values, bad = parse_bool(
        pd.Series(["Resolvido", "Pendente", "Y"]),
        true_values=["resolvido"],
        false_values=["PENDENTE"],
    )
    assert values.tolist() == [True, False, True] and not bad.any()
    values, bad = parse_bool(pd.Series([True, False]))
    assert str(values.dtype) == "boolean" and values.tolist() == [True, False]


# --------------------------------------------------------------------------- numbers


def test_parse_number_decimal_comma_and_thousands():
    s = pd.Series(
        ["4,5", "4.5", "1.234,5", "1,234.5", "1.234.567", " 3 ", 7, 2.25, "abc", "", "inf", True],
        dtype=object,
    )
    values, bad = parse_number(s)
    assert _vals(values) == [
        4.5,
        4.5,
        1234.5,
        1234.5,
        1234567.0,
        3.0,
        7.0,
        2.25,
        None,
        None,
        None,
        None,
    ]
    assert bad.tolist() == [False] * 8 + [True, False, True, True]


def test_parse_number_numeric_dtype_passes_through():
    values, bad = parse_number(pd.Series([1, 2, 3]))
    assert values.tolist() == [1.0, 2.0, 3.0] and values.dtype == "float64" and not bad.any()


def test_parse_int():
    values, bad = parse_int(pd.Series(["1", "2,0", "1.5", "", 3.0], dtype=object))
    assert str(values.dtype) == "Int64"
    assert _vals(values) == [1, 2, None, None, 3]
    assert bad.tolist() == [False, False, True, False, False]


# --------------------------------------------------------------------------- durations


def test_parse_duration_forms():
    s = pd.Series(
        [
            "00:03:05",
            "1:00:00",
            "03:05",
            "75",
            "7,5",
            dt.time(0, 1, 2, 500000),
            dt.timedelta(hours=30),
            pd.Timedelta(seconds=90),
            "1 day, 06:00:00",
            dt.datetime(1899, 12, 31, 6, 0),
            "-00:00:10",
            "00:61:00",
            "abc",
            "",
            12,
        ],
        dtype=object,
    )
    values, bad = parse_duration(s)
    assert _vals(values) == [
        185.0,
        3600.0,
        185.0,
        75.0,
        7.5,
        62.5,
        108000.0,
        90.0,
        108000.0,
        108000.0,
        -10.0,
        None,
        None,
        None,
        12.0,
    ]
    assert bad.tolist() == [False] * 11 + [True, True, False, False]


def test_parse_duration_units():
    s = pd.Series([1.5, "2"], dtype=object)
    assert parse_duration(s, unit="minutes")[0].tolist() == [90.0, 120.0]
    assert parse_duration(s, unit="hours")[0].tolist() == [5400.0, 7200.0]
    # an hh:mm:ss column that holds plain numbers holds Excel fractions of a day
    frac = pd.Series([0.5, 1 / 1440], dtype=object)
    assert parse_duration(frac, unit="hh:mm:ss")[0].round(9).tolist() == [43200.0, 60.0]
    assert parse_duration(pd.Series(["01:30"]), unit="hh:mm")[0].tolist() == [5400.0]
    assert parse_duration(pd.Series([30, 45]), unit="minutes")[0].tolist() == [1800.0, 2700.0]
    td = pd.Series(pd.to_timedelta(["00:00:01.5", "00:02:00"]))
    assert parse_duration(td)[0].tolist() == [1.5, 120.0]


def test_parse_time_of_day():
    s = pd.Series(
        [
            dt.time(9, 12, 58),
            "14:05",
            "14:05:09",
            "2:05 PM",
            "12:00 am",
            0.5,
            45292.75,
            dt.datetime(2025, 1, 1, 8, 30),
            dt.timedelta(hours=1),
            "9h30",
            "25:00",
            "noon",
            "",
        ],
        dtype=object,
    )
    values, bad = parse_time_of_day(s)
    assert _vals(values) == [
        33178.0,
        50700.0,
        50709.0,
        50700.0,
        0.0,
        43200.0,
        64800.0,
        30600.0,
        3600.0,
        34200.0,
        None,
        None,
        None,
    ]
    assert bad.tolist() == [False] * 10 + [True, True, False]


# --------------------------------------------------------------------------- timestamps


def test_parse_timestamp_iso_with_microseconds_and_offsets():
    s = pd.Series(
        [
            "2025-01-05 10:00",
            "2025-01-05T10:00:00.123456",
            "2025-01-05T10:00:00-03:00",
            "2025-01-05T13:00:00Z",
            "2025-07-05 13:00:00+0100",
            "2025-02-30 10:00",
            "",
        ],
        dtype=object,
    )
    values, bad, info = parse_timestamp(s, timezone="America/Sao_Paulo")
    assert str(values.dtype) == "datetime64[ns]"
    assert _vals(values) == [
        T("2025-01-05 10:00"),
        T("2025-01-05 10:00:00.123456"),
        T("2025-01-05 10:00"),  # -03:00 is Sao Paulo time
        T("2025-01-05 10:00"),  # 13:00 UTC = 10:00 in Sao Paulo (UTC-3)
        T("2025-07-05 09:00"),  # 12:00 UTC
        None,
        None,
    ]
    assert bad.tolist() == [False] * 5 + [True, False]
    assert info["aware"] == 3 and info["naive"] == 2


def test_parse_timestamp_day_first_and_month_first():
    s = pd.Series(["05/01/2025 10:00", "31/12/2025", "01.02.25 08:30:15", "31/02/2025"])
    values, bad, _ = parse_timestamp(s, dayfirst=True)
    assert _vals(values) == [T("2025-01-05 10:00"), T("2025-12-31"), T("2025-02-01 08:30:15"), None]
    assert bad.tolist() == [False, False, False, True]
    values, bad, _ = parse_timestamp(
        pd.Series(["01/05/2025 2:30 PM", "12/31/2025"]), dayfirst=False
    )
    assert _vals(values) == [T("2025-01-05 14:30"), T("2025-12-31")]


def test_parse_timestamp_excel_serials_objects_and_compact():
    s = pd.Series(
        [
            45292,
            45292.5,
            "45292.75",
            dt.datetime(2025, 3, 1, 9, 0),
            dt.date(2025, 3, 2),
            "20250105",
            -5,
            True,
        ],
        dtype=object,
    )
    values, bad, _ = parse_timestamp(s)
    assert _vals(values) == [
        T("2024-01-01"),
        T("2024-01-01 12:00"),
        T("2024-01-01 18:00"),
        T("2025-03-01 09:00"),
        T("2025-03-02"),
        T("2025-01-05"),
        None,
        None,
    ]
    assert bad.tolist() == [False] * 6 + [True, True]


def test_parse_timestamp_explicit_format_and_unix():
    values, bad, _ = parse_timestamp(pd.Series(["2025|01|05 10h00", "x"]), format="%Y|%m|%d %Hh%M")
    assert _vals(values) == [T("2025-01-05 10:00"), None] and bad.tolist() == [False, True]
    values, _, _ = parse_timestamp(pd.Series([0, 3600]), format="unix", timezone="UTC")
    assert _vals(values) == [T("1970-01-01 00:00"), T("1970-01-01 01:00")]


def test_parse_timestamp_typed_columns():
    aware = pd.Series(pd.to_datetime(["2025-01-05 13:00"]).tz_localize("UTC"))
    values, bad, info = parse_timestamp(aware, timezone="America/Sao_Paulo")
    assert values.tolist() == [T("2025-01-05 10:00")] and str(values.dtype) == "datetime64[ns]"
    naive = pd.Series(pd.to_datetime(["2025-01-05 13:00:00.000001"]))
    assert parse_timestamp(naive)[0].tolist() == [T("2025-01-05 13:00:00.000001")]


def test_parse_timestamp_first_value_does_not_fix_the_format():
    # pandas infers a format from the first value unless told otherwise: we never let it
    s = pd.Series(["2025-01-05", "2025-01-06 10:00:00", "2025-01-07T11:00:00.5"])
    values, bad, _ = parse_timestamp(s)
    assert _vals(values) == [T("2025-01-05"), T("2025-01-06 10:00"), T("2025-01-07 11:00:00.5")]
    assert not bad.any()


def test_detect_dayfirst():
    assert detect_dayfirst(pd.Series(["05/01/2025", "25/01/2025"])) == "day"
    assert detect_dayfirst(pd.Series(["05/01/2025", "01/25/2025"])) == "month"
    assert detect_dayfirst(pd.Series(["05/01/2025", "01/02/2025"])) == "ambiguous"
    assert detect_dayfirst(pd.Series(["25/01/2025", "01/25/2025"])) == "conflict"
    assert detect_dayfirst(pd.Series(["2025-01-05"])) is None


# --------------------------------------------------------------------------- checks


def test_check_canonical_reports_each_problem_once():
    data = pd.DataFrame(
        {
            "interaction_id": ["a", "b", "a", None, "c"],
            "created_at": pd.to_datetime(
                ["2025-01-01 10:00", "2025-01-01 10:00", None, "2025-01-01", "2026-01-01"],
                format="ISO8601",
            ),
            "first_response_at": pd.to_datetime(
                ["2025-01-01 10:01", "2025-01-01 09:59", None, None, None]
            ),
            "wait_s": [60.0, -1.0, None, None, None],
            "csat": [5.0, 6.0, 0.5, None, 3.0],
            "nps": [10.0, 7.5, None, None, None],
            "contacts": pd.array([1, 0, None, None, 2], dtype="Int64"),
        }
    )
    scales = {"csat": Scale(1, 5), "nps": Scale(0, 10), "ces": Scale(1, 7)}
    got = check_canonical(data, scales=scales, as_of=T("2025-06-30"))
    found = sorted(zip(got["index"], got["field"], got["check"], strict=True))
    assert found == [
        (1, "contacts", "invalid_contacts"),
        (1, "csat", "out_of_scale"),
        (1, "first_response_at", "before_created"),
        (1, "nps", "not_integer"),
        (1, "wait_s", "negative_duration"),
        (2, "created_at", "missing_value"),
        (2, "csat", "out_of_scale"),
        (2, "interaction_id", "duplicate_id"),
        (3, "interaction_id", "missing_value"),
        (4, "created_at", "future_timestamp"),
    ]


def test_check_canonical_clean_frame_has_no_rows():
    data = pd.DataFrame({"interaction_id": ["a"], "created_at": [T("2025-01-01")]})
    got = check_canonical(data, scales={}, as_of=None)
    assert len(got) == 0 and list(got.columns) == ["index", "field", "check"]


def test_parse_timestamp_out_of_range_objects_are_bad():
    s = pd.Series([dt.datetime(1, 1, 1), dt.datetime(2025, 1, 1, 10, 0, 0, 5)], dtype=object)
    values, bad, _ = parse_timestamp(s)
    assert _vals(values) == [None, T("2025-01-01 10:00:00.000005")]
    assert bad.tolist() == [True, False]


def test_parse_duration_clock_unit_mixed_seconds_and_fractions():
    # regression: an hh:mm:ss column mixing "0:05:30" text with plain seconds (300) read the
    # 300 as 300 days (25,920,000 s). Whole numbers >= 1 are seconds; fractions are days.
    mixed = pd.Series(["0:05:30", 300, 0.25, dt.time(0, 1, 0)], dtype=object)
    assert parse_duration(mixed, unit="hh:mm:ss")[0].tolist() == [330.0, 300.0, 21600.0, 60.0]
    numeric = pd.Series([90.0, 0.5])
    assert parse_duration(numeric, unit="hh:mm:ss")[0].tolist() == [90.0, 43200.0]
    assert parse_duration(pd.Series(["300"]), unit="hh:mm:ss")[0].tolist() == [300.0]


def test_parse_timestamp_years_beyond_2262_are_bad_with_their_year():
    # regression: dd/mm/yyyy with a year > 2262, Excel numbers 106000-2900000 and yyyymm texts
    # in a date column raised pandas' OutOfBoundsDatetime instead of being bad values
    texts = pd.Series(
        ["05/01/3026 10:00", "3026-01-05", "202601", "150000", "30260105", "x", "2026-01-05"]
    )
    values, bad, info = parse_timestamp(texts)
    assert bad.tolist() == [True] * 6 + [False]
    assert _vals(values)[-1] == T("2026-01-05")
    assert _vals(info["out_of_range"]) == [3026.0, 3026.0, 2454.0, 2310.0, 3026.0, None, None]
    cells = pd.Series([dt.datetime(2300, 1, 1), 300000, 106000, 45292.5], dtype=object)
    values, bad, info = parse_timestamp(cells)
    # 106000 is 2190-03-19: a real (future) date, left to the future check
    assert _vals(values) == [None, None, T("2190-03-19"), T("2024-01-01 12:00")]
    assert _vals(info["out_of_range"]) == [2300.0, 2721.0, None, None]
    typed = pd.Series(pd.to_datetime(["2026-01-05", "2300-01-01"]).as_unit("us"))
    values, bad, info = parse_timestamp(typed)
    assert bad.tolist() == [False, True] and _vals(info["out_of_range"]) == [None, 2300.0]


def test_thousands_or_decimal_is_decided_per_column():
    # regression: "1,200" read as 1.2 and "1.000" (in a decimal-comma column) as 1.0
    cases = [
        # a value with both separators decides; "1.234.567" repeats the dot: thousands
        (["1,200", "86,400", "1.234.567", "1,234.5"], [1200.0, 86400.0, 1234567.0, 1234.5]),
        # "1,5" (not three digits) makes the comma the decimal mark, "3,600" follows
        (["3,600", "1,5", "100"], [3.6, 1.5, 100.0]),
        # a decimal comma makes "1.000" a thousand
        (["0,5", "1,25", "1.000"], [0.5, 1.25, 1000.0]),
        (["R$ 1.234,56", "R$1.000,00", "-R$ 10,5", "12.34.5"], [1234.56, 1000.0, -10.5, None]),
    ]
    for texts, expected in cases:
        assert _vals(parse_number(pd.Series(texts, dtype=object))[0]) == expected, texts
    ev = number_evidence(pd.Series(["43,200", "40,320", "1"]))
    assert ev.roles == {",": set(), ".": set()} and ev.ambiguous[","] == "43,200"
    # nothing in the column decides: the file's convention, else the thousands reading
    fmt, guessed = resolve_number_format(ev, file_decimal=",")
    assert fmt.comma == "decimal" and guessed == ["43,200"]
    assert _vals(parse_number(pd.Series(["43,200"]), decimal=fmt)[0]) == [43.2]
    fmt, guessed = resolve_number_format(ev)
    assert _vals(parse_number(pd.Series(["43,200"]), decimal=fmt)[0]) == [43200.0]
    fmt, guessed = resolve_number_format(ev, decimal=".")
    assert fmt.strict and guessed == []
    # a declared decimal mark: a contradicting value is bad, not misread
    values, bad = parse_number(pd.Series(["1.234,5", "1,5", "1.5", "1.000"]), decimal=",")
    assert _vals(values) == [1234.5, 1.5, None, 1000.0] and bad.tolist() == [0, 0, 1, 0]
    assert number_evidence(pd.Series(["4,5", "4.5"])).decimal_votes() == {",", "."}
    assert parse_duration(pd.Series(["1.000", "0,5"]), unit="minutes")[0].tolist() == [
        60000.0,
        30.0,
    ]


def test_day_fraction_column():
    assert day_fraction_column(pd.Series([0.0038194, 0.25, 0.0]))
    assert day_fraction_column(pd.Series(["0:05:30", 0.0038194, dt.time(0, 1)], dtype=object))
    assert day_fraction_column(pd.Series(["0,5", ""], dtype=object))
    assert not day_fraction_column(pd.Series([0.0, 0.0]))
    assert not day_fraction_column(pd.Series([0.5, 30]))
    assert not day_fraction_column(pd.Series(["00:05:00", "1:00"], dtype=object))


def test_parse_bool_reads_a_count_column():
    # Zendesk "Reopens": a count; above 0 means it happened
    values, bad = parse_bool(pd.Series(["0", "1", "2", "", "5"]))
    assert _vals(values) == [False, True, True, None, True] and not bad.any()
    values, bad = parse_bool(pd.Series([0, 3, 1]))
    assert values.tolist() == [False, True, True]
    # not a count: a 2 among Y/N stays bad, a negative or fractional number too
    assert parse_bool(pd.Series(["Y", "2"]))[1].tolist() == [False, True]
    assert parse_bool(pd.Series(["0", "-2"]))[1].tolist() == [False, True]
    assert parse_bool(pd.Series(["0", "2.5"]))[1].tolist() == [False, True]
