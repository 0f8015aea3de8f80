"""Tests of kpi_helpers.operations: loading the operations table and the operations KPIs.

Every expected number is computed by hand from the fixtures below.
"""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

from kpi_helpers import compute, compute_components
from kpi_helpers.errors import DataError, MetricUnavailable, OptionError
from kpi_helpers.operations import OperationsResult, compute_operations, load_operations

T = pd.Timestamp
OPS_IDS = [
    "roi_technology",
    "customer_retention",
    "availability",
    "talent_retention",
    "training_hours_per_agent",
    "training_completion",
    "innovations",
]


def _ops() -> pd.DataFrame:
    """Team A over Jan-Mar 2026, team B in January only.

    month   team cost  tcost tben  cs   ce   cn  hs hend lv hours done asg  sched  down new
    2026-01 A    1000  100   150   100  104  6   10 10   1  20    8    10   10000  100  1
    2026-02 A    1200  100   250   104  106  5   10 12   0  30    9    10   12000  0    0
    2026-03 A    900   200   100   106  100  2   12 11   2  11    5    10   11000  220  0
    2026-01 B    500   0     0     50   50   0   4  4    0  4     0    0    4000   40   0
    """
    return pd.DataFrame(
        {
            "month": ["2026-01", "2026-02", "2026-03", "2026-01"],
            "team": ["A", "A", "A", "B"],
            "cost_total": [1000, 1200, 900, 500],
            "tech_cost": [100, 100, 200, 0],
            "tech_benefit": [150, 250, 100, 0],
            "customers_start": [100, 104, 106, 50],
            "customers_end": [104, 106, 100, 50],
            "customers_new": [6, 5, 2, 0],
            "headcount_start": [10, 10, 12, 4],
            "headcount_end": [10, 12, 11, 4],
            "leavers": [1, 0, 2, 0],
            "training_hours": [20, 30, 11, 4],
            "trainings_completed": [8, 9, 5, 0],
            "trainings_assigned": [10, 10, 10, 0],
            "scheduled_minutes": [10000, 12000, 11000, 4000],
            "downtime_minutes": [100, 0, 220, 40],
            "new_technologies": [1, 0, 0, 0],
        }
    )


def _interactions() -> pd.DataFrame:
    """Team A: 3 contacts in January (2 resolved), 2 in February (1 resolved); B: 1 (resolved)."""
    created = [
        T("2026-01-05 10:00"),
        T("2026-01-06 10:00"),
        T("2026-01-07 10:00"),
        T("2026-02-03 10:00"),
        T("2026-02-04 10:00"),
        T("2026-01-10 10:00"),
    ]
    resolved = [True, True, False, True, False, True]
    return pd.DataFrame(
        {
            "interaction_id": list("abcdef"),
            "created_at": created,
            "team": ["A", "A", "A", "A", "A", "B"],
            "resolved_at": [
                c + pd.Timedelta(hours=1) if r else pd.NaT
                for c, r in zip(created, resolved, strict=True)
            ],
        }
    )


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MetricUnavailable)
        return fn(*args, **kwargs)


def _row(frame: pd.DataFrame, **keys) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for k, v in keys.items():
        mask &= frame[k] == (T(v) if k in ("month", "quarter", "year") else v)
    assert mask.sum() == 1, keys
    return frame[mask].iloc[0]


# ----------------------------------------------------------------------------- monthly KPIs


def test_monthly_values_by_team_hand_computed():
    out = compute_operations(_ops(), OPS_IDS, by=["month", "team"])
    a = _row(out, month="2026-01-01", team="A")
    assert a["roi_technology"] == pytest.approx((150 - 100) / 100)  # 0.5
    assert a["customer_retention"] == pytest.approx((104 - 6) / 100)  # 0.98
    assert a["availability"] == pytest.approx(1 - 100 / 10000)  # 0.99
    assert a["talent_retention"] == pytest.approx(1 - 1 / 10)  # 0.9
    assert a["training_hours_per_agent"] == pytest.approx(20 / 10)
    assert a["training_completion"] == pytest.approx(8 / 10)
    assert a["innovations"] == 1
    # components: value = num / den, "1 - x/y" KPIs as (y - x) / y
    assert (a["availability__num"], a["availability__den"]) == (9900, 10000)
    assert (a["talent_retention__num"], a["talent_retention__den"]) == (9, 10)
    assert (a["customer_retention__num"], a["customer_retention__den"]) == (98, 100)
    # n of a count-based ratio is its denominator (trainings assigned, average headcount)
    assert a["training_completion__n"] == a["training_completion__den"]
    assert a["talent_retention__n"] == 10 and a["customer_retention__n"] == 100


def test_zero_denominators_give_nan_not_zero():
    out = compute_operations(_ops(), OPS_IDS, by=["month", "team"])
    b = _row(out, month="2026-01-01", team="B")
    assert math.isnan(b["roi_technology"])  # tech_cost 0
    assert math.isnan(b["training_completion"])  # 0 assigned
    assert b["availability"] == pytest.approx(1 - 40 / 4000)
    assert b["talent_retention"] == 1.0
    assert b["training_hours_per_agent"] == pytest.approx(4 / 4)


def test_quarter_sums_flows_and_takes_stocks_at_the_edges():
    out = compute_operations(_ops(), OPS_IDS, by=["quarter", "team"])
    a = _row(out, quarter="2026-01-01", team="A")
    # flows: tech cost 400, benefit 500, new customers 13, leavers 3, hours 61
    assert a["roi_technology"] == pytest.approx((500 - 400) / 400)  # 0.25
    # customers: start of January 100, end of March 100
    assert a["customer_retention"] == pytest.approx((100 - 13) / 100)  # 0.87
    assert a["availability"] == pytest.approx(1 - 320 / 33000)
    # headcount: start of January 10, end of March 11 -> average 10.5
    assert a["talent_retention"] == pytest.approx(1 - 3 / 10.5)
    assert a["talent_retention__den"] == pytest.approx(10.5)
    assert a["training_hours_per_agent"] == pytest.approx(61 / 10.5)
    assert a["training_completion"] == pytest.approx(22 / 30)
    assert a["innovations"] == 1
    assert a["innovations__n"] == 3  # three monthly rows


def test_quarter_over_all_teams_sums_the_team_stocks():
    out = compute_operations(_ops(), OPS_IDS, by="quarter")
    assert list(out["quarter"]) == [T("2026-01-01")]
    r = out.iloc[0]
    # headcount start 10 + 4, end 11 (A, March) + 4 (B, its last month January) -> 14.5
    assert r["talent_retention__den"] == pytest.approx(14.5)
    assert r["talent_retention"] == pytest.approx(1 - 3 / 14.5)
    assert r["training_hours_per_agent"] == pytest.approx(65 / 14.5)
    # customers start 100 + 50, end 100 + 50, new 13
    assert r["customer_retention"] == pytest.approx((150 - 13) / 150)
    assert r["roi_technology"] == pytest.approx((500 - 400) / 400)
    assert r["availability"] == pytest.approx(1 - 360 / 37000)
    assert r["innovations__n"] == 4


def test_ungrouped_equals_the_whole_quarter():
    whole = compute_operations(_ops(), OPS_IDS)
    quarter = compute_operations(_ops(), OPS_IDS, by="quarter")
    for m in OPS_IDS:
        assert whole[m].iloc[0] == pytest.approx(quarter[m].iloc[0], nan_ok=True)


def test_a_blank_edge_stock_gives_nan_never_a_partial_value():
    ops = _ops()
    ops.loc[2, "customers_end"] = None  # team A, March
    out = compute_operations(ops, ["customer_retention"], by=["quarter", "team"])
    assert math.isnan(_row(out, quarter="2026-01-01", team="A")["customer_retention"])
    monthly = compute_operations(ops, ["customer_retention"], by=["month", "team"])
    assert _row(monthly, month="2026-02-01", team="A")["customer_retention"] == pytest.approx(
        (106 - 5) / 104
    )


def test_a_blank_flow_gives_nan_for_its_bucket():
    ops = _ops()
    ops.loc[1, "leavers"] = None  # team A, February
    out = compute_operations(ops, ["talent_retention"], by=["quarter", "team"])
    assert math.isnan(_row(out, quarter="2026-01-01", team="A")["talent_retention"])


# ----------------------------------------------------------------------------- cost KPIs


def test_cost_kpis_divide_by_interactions_on_the_same_keys():
    out = compute_operations(
        _ops(),
        ["cost_per_interaction", "cost_per_resolution"],
        by=["month", "team"],
        data=_interactions(),
    )
    a1 = _row(out, month="2026-01-01", team="A")
    assert a1["cost_per_interaction"] == pytest.approx(1000 / 3)
    assert a1["cost_per_interaction__n"] == 3
    assert a1["cost_per_resolution"] == pytest.approx(1000 / 2)
    a2 = _row(out, month="2026-02-01", team="A")
    assert a2["cost_per_interaction"] == pytest.approx(1200 / 2)
    assert a2["cost_per_resolution"] == pytest.approx(1200 / 1)
    b1 = _row(out, month="2026-01-01", team="B")
    assert b1["cost_per_interaction"] == pytest.approx(500 / 1)
    a3 = _row(out, month="2026-03-01", team="A")  # no contacts in March: NaN, not inf
    assert math.isnan(a3["cost_per_interaction"])


def test_cost_kpis_over_a_quarter():
    out = compute_operations(
        _ops(), ["cost_per_interaction", "cost_per_resolution"], by="quarter", data=_interactions()
    )
    r = out.iloc[0]
    assert r["cost_per_interaction"] == pytest.approx(3600 / 6)
    assert r["cost_per_resolution"] == pytest.approx(3600 / 4)


def test_cost_kpis_without_interactions_are_unavailable():
    with pytest.warns(MetricUnavailable):
        out = compute_operations(_ops(), ["cost_per_interaction"], by="month")
    assert out["cost_per_interaction"].isna().all()
    assert "interactions" in out.attrs["unavailable"]["cost_per_interaction"]


def test_cost_per_resolution_needs_resolved_in_the_interactions():
    data = _interactions().drop(columns=["resolved_at"])
    out = _quiet(
        compute_operations, _ops(), ["cost_per_interaction", "cost_per_resolution"], data=data
    )
    assert out["cost_per_interaction"].iloc[0] == pytest.approx(3600 / 6)
    assert math.isnan(out["cost_per_resolution"].iloc[0])
    assert "resolved" in out.attrs["unavailable"]["cost_per_resolution"]


# ----------------------------------------------------------------------------- periods, keys


def test_period_keeps_the_months_starting_inside_it():
    out = compute_operations(
        _ops(), ["talent_retention"], by="team", period=(T("2026-02-01"), T("2026-03-01"))
    )
    a = _row(out, team="A")
    assert a["talent_retention"] == pytest.approx(1 - 0 / 11)  # (10 + 12) / 2 = 11
    assert list(out["team"]) == ["A"]


def test_periods_mode_adds_the_label_column():
    periods = {"a": (T("2026-01-01"), T("2026-02-01")), "b": (T("2026-02-01"), T("2026-04-01"))}
    out = compute_operations(_ops(), ["talent_retention", "training_completion"], periods=periods)
    assert list(out["period"]) == ["a", "b"]
    a, b = out.iloc[0], out.iloc[1]
    assert a["talent_retention"] == pytest.approx(1 - 1 / 14)  # (14 + 14) / 2
    assert b["talent_retention"] == pytest.approx(1 - 2 / 10.5)  # A only: (10 + 11) / 2
    assert b["training_completion"] == pytest.approx(14 / 20)
    assert out.attrs["keys"] == ("period",)


def test_month_keys_are_datetime64ns_bucket_starts():
    out = compute_operations(_ops(), ["innovations"], by="month")
    assert str(out["month"].dtype) == "datetime64[ns]"
    assert list(out["month"]) == [T("2026-01-01"), T("2026-02-01"), T("2026-03-01")]
    assert list(out["innovations"]) == [1, 0, 0]


def test_day_or_week_grain_is_unavailable():
    with pytest.warns(MetricUnavailable):
        out = compute_operations(_ops(), ["innovations"], by="week")
    assert "monthly" in out.attrs["unavailable"]["innovations"]
    assert list(out.columns[:1]) == ["week"]


def test_missing_columns_make_a_kpi_unavailable_not_zero():
    ops = _ops().drop(columns=["tech_cost"])
    with pytest.warns(MetricUnavailable, match="tech_cost"):
        out = compute_operations(ops, ["roi_technology", "innovations"], by="month")
    assert out["roi_technology"].isna().all()
    assert out.attrs["unavailable"] == {"roi_technology": "needs column tech_cost"}
    assert list(out["innovations"]) == [1, 0, 0]


def test_a_dimension_absent_from_operations_is_unavailable():
    with pytest.warns(MetricUnavailable, match="channel"):
        out = compute_operations(_ops(), ["innovations"], by="channel")
    assert out.empty and "channel" in out.columns


def test_non_operations_kpi_is_rejected():
    with pytest.raises(OptionError, match="operations KPIs"):
        compute_operations(_ops(), ["csat"])


def test_input_is_not_mutated():
    ops = _ops()
    before = ops.copy()
    compute_operations(ops, OPS_IDS, by=["quarter", "team"])
    pd.testing.assert_frame_equal(ops, before)


# ----------------------------------------------------------------------------- engine routing


def test_compute_routes_operations_kpis_and_merges_on_the_keys():
    out = compute(_interactions(), ["volume", "talent_retention"], by="month", operations=_ops())
    assert list(out.columns) == ["month", "volume", "talent_retention"]
    jan = _row(out, month="2026-01-01")
    assert jan["volume"] == 4
    assert jan["talent_retention"] == pytest.approx(1 - 1 / 14)
    mar = _row(out, month="2026-03-01")  # in operations only
    assert mar["talent_retention"] == pytest.approx(1 - 2 / 11.5)


def test_compute_components_with_periods_and_operations():
    periods = {"a": (T("2026-01-01"), T("2026-02-01")), "b": (T("2026-02-01"), T("2026-03-01"))}
    out = compute_components(
        _interactions(), ["volume", "cost_per_interaction"], periods=periods, operations=_ops()
    )
    assert list(out["period"]) == ["a", "b"]
    assert list(out["cost_per_interaction"]) == pytest.approx([1500 / 4, 1200 / 2])
    assert list(out["cost_per_interaction__den"]) == [4, 2]


# ----------------------------------------------------------------------------- loading


def test_load_operations_understands_portuguese_exports():
    raw = pd.DataFrame(
        {
            "Mês": ["01/2026", "2026-02", "2026-03-15"],
            "Equipe": ["A", "A", "A"],
            "Custo total": ["1.000,50", "2.000,00", "300,25"],
            "Desligamentos": ["1", "0", ""],
        }
    )
    res = load_operations(raw)
    assert isinstance(res, OperationsResult)
    assert res.rejected.empty
    assert list(res.data["month"]) == [T("2026-01-01"), T("2026-02-01"), T("2026-03-01")]
    assert list(res.data["cost_total"]) == [1000.5, 2000.0, 300.25]
    assert res.data["leavers"].isna().tolist() == [False, False, True]
    assert res.mapping["cost_total"] == "Custo total"


def test_load_operations_quarantines_bad_rows_with_reasons():
    raw = pd.DataFrame(
        {
            "month": ["2026-01", "janeiro", "2026-02", "2026-03", "2026-01", "2026-04"],
            "cost_total": ["10", "10", "abc", "-5", "20", "10"],
            "scheduled_minutes": [100, 100, 100, 100, 100, 100],
            "downtime_minutes": [1, 1, 1, 1, 1, 150],
        }
    )
    res = load_operations(raw)
    assert list(res.data["month"]) == [T("2026-01-01")]
    # rows as for load_interactions: 0-based positions for a DataFrame
    reasons = dict(zip(res.rejected["row"], res.rejected["reason"], strict=True))
    assert reasons == {
        1: "month: 'janeiro' is not a month (expected e.g. 2026-02, 02/2026, fev/2026, "
        "fevereiro de 2026, 202602 or a date)",
        2: "cost_total: 'abc' is not a number",
        3: "cost_total: -5 is negative",
        4: "duplicate row (month=2026-01): already in row 0",
        5: "downtime_minutes: 150 is above the scheduled minutes 100",
    }
    assert res.rejected["check"].tolist() == [
        "invalid_month",
        "invalid_number",
        "negative",
        "duplicate_row",
        "downtime_above_scheduled",
    ]
    assert res.summary("en").splitlines()[0] == (
        "DataFrame: 1 of 6 operations rows loaded, 5 rejected."
    )
    assert "  - mês/segmento duplicado: 1" in res.summary()  # pt-BR by default


def test_load_operations_reads_a_csv_file(tmp_path):
    path = tmp_path / "ops.csv"
    path.write_text(
        "month,team,trainings_completed,trainings_assigned\n2026-01,A,8,10\n", encoding="utf-8"
    )
    res = load_operations(path)
    assert res.source == "ops.csv"
    out = compute_operations(res, ["training_completion"])
    assert out["training_completion"].iloc[0] == pytest.approx(0.8)


def test_load_operations_with_an_explicit_mapping():
    raw = pd.DataFrame({"Competência X": ["2026-01"], "Horas": [12]})
    res = load_operations(raw, mapping={"month": "Competência X", "training_hours": "Horas"})
    assert res.data["training_hours"].tolist() == [12.0]


def test_load_operations_errors_name_the_problem():
    with pytest.raises(DataError, match="needs a month column"):
        load_operations(pd.DataFrame({"cost_total": [1]}))
    with pytest.raises(OptionError, match="not an operations column"):
        load_operations(pd.DataFrame({"month": ["2026-01"]}), mapping={"cost": "x"})
    with pytest.raises(DataError, match="'Custo' which is not in the file|not in the file"):
        load_operations(pd.DataFrame({"month": ["2026-01"]}), mapping={"cost_total": "Custo"})
    with pytest.raises(DataError, match="not found"):
        load_operations("no/such/file.csv")
    with pytest.raises(DataError, match="must be a pandas DataFrame"):
        load_operations(42)


def test_raw_operations_with_bad_rows_warn_in_compute():
    raw = _ops()
    raw.loc[0, "month"] = "??"
    with pytest.warns(UserWarning, match="1 rows rejected"):
        out = compute_operations(raw, ["innovations"], by="month")
    # team A's January row (new_technologies 1) is out; team B's January row stays
    assert list(out["innovations"]) == [0, 0, 0]


def test_ungrouped_result_always_has_one_row():
    with pytest.warns(MetricUnavailable):
        out = compute_operations(_ops().drop(columns=["new_technologies"]), ["innovations"])
    assert len(out) == 1 and math.isnan(out["innovations"].iloc[0])
    out = compute_operations(_ops(), ["innovations"], period=(T("2027-01-01"), T("2027-02-01")))
    assert len(out) == 1 and math.isnan(out["innovations"].iloc[0])


def test_load_operations_reads_money_months_and_thousands_from_a_file(tmp_path):
    # regression: "R$ 1.234,56" and "fev/2026" were rejected; "43,200" minutes read as 43.2;
    # row numbers counted the first data line as 1 (interactions: the header is row 1)
    path = tmp_path / "ops.csv"
    path.write_bytes(
        (
            "Relatório de operações\n"
            "Mês;Custo total;Minutos programados;Minutos indisponíveis\n"
            "jan/2026;R$ 1.234,56;43.200;60\n"
            "fevereiro de 2026;R$1.000,00;40.320;0\n"
            "202603;1.500;1;0\n"
            "abr 2026;US$ 10,5;5;0\n"
            "mai;10;5;0\n"
            "Total;R$ 2.234,56;;\n"
        ).encode("cp1252")
    )
    res = load_operations(path)
    assert res.data["month"].tolist() == [
        T("2026-01-01"),
        T("2026-02-01"),
        T("2026-03-01"),
        T("2026-04-01"),
    ]
    assert res.data["cost_total"].tolist() == [1234.56, 1000.0, 1500.0, 10.5]
    assert res.data["scheduled_minutes"].tolist() == [43200.0, 40320.0, 1.0, 5.0]
    assert res.rejected[["row", "check"]].values.tolist() == [
        [7, "invalid_month"],
        [8, "total_row"],
    ]
    assert res.rejected["reason"].iloc[1] == "Mês: 'Total' looks like a total row, not a month"
    assert res.warnings[0].startswith("ops.csv: not UTF-8; read as Windows-1252")
    assert any("the column names are on row 2" in w for w in res.warnings)
    en = load_operations(path).summary("en")
    assert "Rejected rows by reason:" in en and "  - total row: 1" in en
    # a comma file: the money column tells that "43,200" is a thousands separator
    path = tmp_path / "ops_en.csv"
    path.write_text(
        'month,cost_total,scheduled_minutes\n2026-01,"1,234.56","43,200"\n02/2026,10,"40,320"\n',
        encoding="utf-8",
    )
    res = load_operations(path)
    assert res.data["scheduled_minutes"].tolist() == [43200.0, 40320.0]
    assert res.warnings == [
        "'scheduled_minutes': numbers such as '43,200' read as 43200, with '.' as the decimal "
        'mark like the rest of the file; if that is wrong, declare it in the mapping (decimal: ",").'
    ]
    declared = load_operations(path, decimal=",")  # "1,234.56" then contradicts it: rejected
    assert declared.data["scheduled_minutes"].tolist() == [40.32]
    assert declared.rejected["reason"].tolist() == ["cost_total: '1,234.56' is not a number"]


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("jan/2026", "2026-01"), ("fev/2026", "2026-02"), ("mar/2026", "2026-03"),
        ("abr/2026", "2026-04"), ("mai/2026", "2026-05"), ("jun/2026", "2026-06"),
        ("jul/2026", "2026-07"), ("ago/2026", "2026-08"), ("set/2026", "2026-09"),
        ("out/2026", "2026-10"), ("nov/2026", "2026-11"), ("dez/2026", "2026-12"),
        ("Fevereiro de 2026", "2026-02"), ("março 2026", "2026-03"), ("Feb 2026", "2026-02"),
        ("Jan-26", "2026-01"), ("2026-02", "2026-02"), ("02/2026", "2026-02"),
        ("2026/2", "2026-02"), ("202602", "2026-02"), ("2026-02-15", "2026-02"),
        ("15/02/2026", "2026-02"), ("46023", "2026-01"), ("2026 fev", "2026-02"),
    ],
)  # fmt: skip
def test_month_spellings(text, month):
    res = load_operations(pd.DataFrame({"month": [text], "cost_total": ["1"]}))
    assert res.data["month"].tolist() == [T(month + "-01")], res.rejected["reason"].tolist()


def test_months_out_of_range_are_rejected_not_a_crash():
    # regression: "209913" / Excel numbers as months raised OutOfBoundsDatetime
    raw = pd.DataFrame({"month": ["300000", "3026-01", "2026-13", ""], "cost_total": [1, 1, 1, 1]})
    res = load_operations(raw)
    assert res.data.empty
    assert res.rejected["check"].tolist() == [
        "year_out_of_range",
        "year_out_of_range",
        "invalid_month",
        "missing_month",
    ]
    assert res.rejected["reason"].iloc[0] == "month: '300000': year 2721 is out of range"
    assert res.rejected["reason"].iloc[1] == "month: '3026-01': year 3026 is out of range"


def test_operations_summary_speaks_both_languages():
    res = load_operations(pd.DataFrame({"month": ["2026-01", "x"], "cost_total": [1, -1]}))
    assert res.summary("en") == (
        "DataFrame: 1 of 2 operations rows loaded, 1 rejected.\n"
        "Rejected rows by reason:\n"
        "  - not a month: 1\n"
        "  - negative value: 1"
    )
    assert res.summary() == (
        "DataFrame: 1 de 2 linhas de operações carregadas, 1 rejeitadas.\n"
        "Linhas rejeitadas por motivo:\n"
        "  - não é um mês: 1\n"
        "  - valor negativo: 1"
    )
    assert len(res.rejected) == 1 and res.rejected["check"].iloc[0] == "invalid_month, negative"


def test_operations_and_interactions_read_xls_alike(tmp_path):
    # regression: "pip install xlrd" for interactions, "python-calamine" for operations
    from kpi_helpers.errors import MissingDependencyError

    path = tmp_path / "legacy.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(MissingDependencyError, match="pip install xlrd"):
        load_operations(path)


def test_an_empty_operations_table_gives_unavailable_kpis_not_a_crash():
    # regression: ValueError "Length of values (2) does not match length of index (0)"
    empty = load_operations(pd.DataFrame({"month": ["x", "y"], "cost_total": [1, 2]}))
    assert empty.data.empty and len(empty.rejected) == 2
    with pytest.warns(MetricUnavailable, match="the operations table has no rows"):
        out = compute(
            _interactions(), ["volume", "cost_per_interaction"], by="month", operations=empty
        )
    assert out["volume"].tolist() == [4, 2]
    assert out["cost_per_interaction"].isna().all()
