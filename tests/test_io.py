"""load_interactions: sources, mappings, parsing, rejected rows and DataError messages.

Every expected value below is worked out by hand from the inline fixtures.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from kpi_helpers import compute
from kpi_helpers.errors import DataError, KpiError, OptionError
from kpi_helpers.i18n import t
from kpi_helpers.io import (
    _LABELS,
    _SHEET_SKIP_LABELS,
    _WARNING_MESSAGES,
    LoadResult,
    load_interactions,
)

T = pd.Timestamp
D, TM = dt.date, dt.time


def _csv(tmp_path, text: str, name: str = "export.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _vals(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.tolist()]


# --------------------------------------------------------------------------- the call-centre sheet

# fmt: off
CC_HEADER = [
    "Call Id", "Agent", "Date", "Time", "Topic", "Answered (Y/N)", "Resolved",
    "Speed of answer in seconds", "AvgTalkDuration (hh:mm:ss)", "Satisfaction rating",
]
CC_ROWS = [  # one time typed as text, Y/N in lower case in the last row
    ["ID0001", "Diane", D(2021, 1, 4), TM(9, 12, 58), "Contract related", "Y", "Y", 109, TM(0, 2, 23), 3],  # noqa: E501
    ["ID0002", "Becky", D(2021, 1, 4), TM(9, 47, 31), "Technical Support", "Y", "N", 70, TM(0, 4, 2), 5],  # noqa: E501
    ["ID0003", "Stewart", D(2021, 1, 15), TM(10, 5, 0), "Payment related", "N", "N", None, None, None],  # noqa: E501
    ["ID0004", "Greg", D(2021, 1, 29), TM(17, 59, 59), "Streaming", "Y", "Y", 20, TM(0, 1, 30), None],  # noqa: E501
    ["ID0005", "Jim", D(2021, 1, 31), TM(23, 10, 0), "Admin Support", "Y", "Y", 41, TM(0, 5, 0), 4],  # noqa: E501
    ["ID0006", "Diane", D(2021, 2, 1), TM(8, 0, 0), "Technical Support", "Y", "Y", 15, TM(0, 3, 0), 2],  # noqa: E501
    ["ID0007", "Martha", D(2021, 2, 14), TM(12, 30, 15), "Streaming", "N", "N", None, None, None],  # noqa: E501
    ["ID0008", "Joe", D(2021, 2, 28), "16:45:00", "Payment related", "y", "n", 30, TM(0, 10, 0), 4],  # noqa: E501
]
# fmt: on


@pytest.fixture
def callcentre_xlsx(tmp_path):
    """An Excel call-centre sheet: Excel dates and times (one time typed as text)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calls"
    ws.append(CC_HEADER)
    for row in CC_ROWS:
        ws.append(row)
    notes = wb.create_sheet("Notes")
    notes.append(["Note"])
    notes.append(["exported from the PBX"])
    wb.create_sheet("Empty")
    path = tmp_path / "calls.xlsx"
    wb.save(path)
    return path


def test_callcentre_sheet_loads_value_by_value(callcentre_xlsx):
    res = load_interactions(callcentre_xlsx, "callcenter_excel")
    assert res.report["read"] == 8 and res.report["loaded"] == 8 and res.report["rejected"] == 0
    d = res.data
    assert list(d.columns) == [
        "interaction_id",
        "created_at",
        "channel",
        "agent",
        "category",
        "wait_s",
        "answered",
        "abandoned",
        "resolved",
        "handle_time_s",
        "csat",
    ]
    assert d["interaction_id"].tolist() == [f"ID000{i}" for i in range(1, 9)]
    assert d["created_at"].tolist() == [
        T("2021-01-04 09:12:58"),
        T("2021-01-04 09:47:31"),
        T("2021-01-15 10:05:00"),
        T("2021-01-29 17:59:59"),
        T("2021-01-31 23:10:00"),
        T("2021-02-01 08:00:00"),
        T("2021-02-14 12:30:15"),
        T("2021-02-28 16:45:00"),
    ]
    assert str(d["created_at"].dtype) == "datetime64[ns]"
    assert d["channel"].tolist() == ["phone"] * 8
    assert d["agent"].tolist()[:3] == ["Diane", "Becky", "Stewart"]
    assert d["category"].tolist()[-1] == "Payment related"
    assert _vals(d["wait_s"]) == [109.0, 70.0, None, 20.0, 41.0, 15.0, None, 30.0]
    assert d["answered"].tolist() == [True, True, False, True, True, True, False, True]
    assert d["abandoned"].tolist() == [False, False, True, False, False, False, True, False]
    assert d["resolved"].tolist() == [True, False, False, True, True, True, False, False]
    assert _vals(d["handle_time_s"]) == [143.0, 242.0, None, 90.0, 300.0, 180.0, None, 600.0]
    assert _vals(d["csat"]) == [3.0, 5.0, None, None, 4.0, 2.0, None, 4.0]
    assert str(d["answered"].dtype) == "boolean" and d["wait_s"].dtype == "float64"
    # the Notes sheet (one column of text) and the empty one are skipped, and listed
    assert res.warnings == []
    assert res.report["sheets"] == ["Calls"]
    assert res.report["sheets_skipped"] == {"Notes": "other columns", "Empty": "empty"}
    assert "Abas lidas: 'Calls'" in res.summary() and "'Empty': aba vazia" in res.summary()
    assert res.scales["csat"].low == 1 and res.scales["csat"].high == 5


def test_callcentre_sheet_kpis_by_month(callcentre_xlsx):
    res = load_interactions(callcentre_xlsx, "callcenter_excel")
    ids = [
        "volume",
        "answered",
        "answer_rate",
        "abandonment_rate",
        "asa",
        "aht",
        "resolution_rate",
        "csat",
        "csat_mean",
    ]
    got = compute(res, ids, by="month")
    assert got["month"].tolist() == [T("2021-01-01"), T("2021-02-01")]
    # January: 5 calls, 4 answered (ID0003 not); waits 109, 70, 20, 41 -> 240 / 4 = 60;
    # talk 143, 242, 90, 300 -> 775 / 4 = 193.75; resolved ID0001, 0004, 0005 -> 3 / 5;
    # ratings 3, 5, 4 -> 2 in the top two boxes of 3, mean 12 / 3 = 4.
    # February: 3 calls, 2 answered; waits 15, 30 -> 22.5; talk 180, 600 -> 390;
    # resolved ID0006 -> 1 / 3; ratings 2, 4 -> 1 of 2, mean 3.
    expected = {
        "volume": [5, 3],
        "answered": [4, 2],
        "answer_rate": [4 / 5, 2 / 3],
        "abandonment_rate": [1 / 5, 1 / 3],
        "asa": [60.0, 22.5],
        "aht": [193.75, 390.0],
        "resolution_rate": [3 / 5, 1 / 3],
        "csat": [2 / 3, 1 / 2],
        "csat_mean": [4.0, 3.0],
    }
    for kpi, values in expected.items():
        assert got[kpi].tolist() == pytest.approx(values, rel=1e-12), kpi


def test_wrong_sheet_lists_the_sheets(callcentre_xlsx):
    with pytest.raises(DataError) as exc:
        load_interactions(callcentre_xlsx, "callcenter_excel", sheet="Chamadas")
    msg = str(exc.value)
    assert "calls.xlsx" in msg and "'Chamadas'" in msg and "'Calls', 'Notes', 'Empty'" in msg
    assert "fix: pass sheet=" in msg
    # a sheet name in other case, and a sheet index, are fine
    assert len(load_interactions(callcentre_xlsx, "callcenter_excel", sheet="calls")) == 8
    assert len(load_interactions(callcentre_xlsx, "callcenter_excel", sheet=0)) == 8
    with pytest.raises(DataError, match="no sheet number 5"):
        load_interactions(callcentre_xlsx, "callcenter_excel", sheet=5)


def test_sheet_without_the_mapped_columns(callcentre_xlsx):
    with pytest.raises(DataError) as exc:
        load_interactions(callcentre_xlsx, "callcenter_excel", sheet="Notes")
    msg = str(exc.value)
    assert msg.startswith("calls.xlsx (sheet 'Notes'): the mapping for `interaction_id` names")
    assert "names the column 'Call Id', which is not in the file" in msg
    with pytest.raises(DataError) as exc:
        load_interactions(callcentre_xlsx, "callcenter_excel", sheet="Empty")
    msg = str(exc.value)
    assert msg.startswith("calls.xlsx (sheet 'Empty'): is empty.")
    assert "pick another sheet: sheet='Calls' (sheets: 'Calls', 'Notes', 'Empty')" in msg


def _month_sheets(path, extra: bool = True):
    """Jan and Feb sheets of the same export (Feb with a title row and a bad date), plus a
    pivot-like sheet with other columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Jan"
    ws.append(["interaction_id", "created_at", "channel"])
    ws.append(["J1", dt.datetime(2026, 1, 5, 9), "phone"])
    ws.append(["J2", dt.datetime(2026, 1, 6, 9), "phone"])
    ws = wb.create_sheet("Feb")
    ws.append(["February export"])
    ws.append(["Interaction ID", "Created At", "Channel"])  # same columns, other spelling
    ws.append(["F1", dt.datetime(2026, 2, 5, 9), "chat"])
    ws.append(["F2", "never", "chat"])
    ws.append(["J1", dt.datetime(2026, 2, 7, 9), "chat"])
    if extra:
        ws = wb.create_sheet("Pivot")
        ws.append(["channel", "calls"])
        ws.append(["phone", 2])
        wb.create_sheet("Blank")
    wb.save(path)
    return path


def test_default_reads_every_sheet_with_the_same_columns(tmp_path):
    # regression: only the first sheet was read; the other months vanished silently
    path = _month_sheets(tmp_path / "months.xlsx")
    res = load_interactions(path, as_of="2026-12-31")
    assert res.data["interaction_id"].tolist() == ["J1", "J2", "F1"]
    assert res.data["channel"].tolist() == ["phone", "phone", "chat"]
    assert res.report["sheets"] == ["Jan", "Feb"]
    assert res.report["sheets_skipped"] == {"Pivot": "other columns", "Blank": "empty"}
    # rejected rows say which sheet and which spreadsheet row (Feb: title on row 1)
    assert res.rejected[["sheet", "row", "check"]].values.tolist() == [
        ["Feb", 4, "invalid_timestamp"],
        ["Feb", 5, "duplicate_id"],
    ]
    assert res.rejected["reason"].iloc[1] == (
        "interaction_id: 'J1' already appears in row 2 (sheet 'Jan')"
    )
    assert res.issues["sheet"].tolist() == ["Feb", "Feb"]
    assert res.warnings == [  # Feb's header is found below its title by Jan's columns
        "months.xlsx: sheet 'Pivot' skipped: its columns ('channel', 'calls') differ from those "
        "of sheet 'Jan'. Pass sheet=[...] with the sheets to read.",
    ]
    summary = res.summary("en")
    assert "Sheets read: 'Jan', 'Feb'" in summary
    assert "  - 'Pivot': columns differ from the first sheet read" in summary


def test_sheet_accepts_a_name_an_index_a_list_or_all(tmp_path):
    path = _month_sheets(tmp_path / "months.xlsx", extra=False)
    ids = {
        "Feb": ["F1", "J1"],
        1: ["F1", "J1"],
        "jan": ["J1", "J2"],
        ("Jan", "Feb"): ["J1", "J2", "F1"],
        ("Feb", "Jan"): ["F1", "J1", "J2"],
        "all": ["J1", "J2", "F1"],
    }
    for sheet, expected in ids.items():
        sel = list(sheet) if isinstance(sheet, tuple) else sheet
        res = load_interactions(path, sheet=sel, as_of="2026-12-31")
        assert res.data["interaction_id"].tolist() == expected, sheet
    res = load_interactions(path, sheet=["Jan", "Feb"], as_of="2026-12-31")
    assert res.report["sheets"] == ["Jan", "Feb"] and "sheet" in res.rejected
    res = load_interactions(path, sheet="Feb", as_of="2026-12-31")
    assert "sheet" not in res.rejected and res.rejected["row"].tolist() == [4]
    with pytest.raises(DataError, match="has no sheet named 'Mar'"):
        load_interactions(path, sheet=["Jan", "Mar"])
    with pytest.raises(OptionError, match="`sheet` must name at least one sheet"):
        load_interactions(path, sheet=[])


def test_stacked_sheets_keep_columns_that_fold_alike_apart(tmp_path):
    wb = openpyxl.Workbook()
    for title in ("A", "B"):
        ws = wb.active if title == "A" else wb.create_sheet(title)
        ws.title = title
        ws.append(["interaction_id", "created_at", "Note", "note"])
        ws.append([f"{title}1", dt.datetime(2026, 1, 5), "x", "y"])
    wb.save(tmp_path / "two.xlsx")
    res = load_interactions(tmp_path / "two.xlsx", as_of="2026-12-31")
    assert res.data["interaction_id"].tolist() == ["A1", "B1"]


def test_title_rows_above_the_header_and_header_row(tmp_path):
    # regression: a PBX workbook with a title above the header could not be loaded
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Call report January 2026"])
    ws.append([])
    ws.append(["Call Id", "Date", "Answered (Y/N)"])
    ws.append(["C1", dt.datetime(2026, 1, 5, 9), "Y"])
    ws.append(["C2", dt.datetime(2026, 1, 5, 10), "N"])
    wb.save(tmp_path / "titled.xlsx")
    mapping = {"interaction_id": "Call Id", "created_at": "Date", "answered": "Answered (Y/N)"}
    res = load_interactions(tmp_path / "titled.xlsx", mapping, as_of="2026-12-31")
    assert res.data["interaction_id"].tolist() == ["C1", "C2"]
    assert res.warnings == [
        "titled.xlsx: the column names are on row 3; the 2 row(s) above them were skipped "
        "(a title?). Pass header_row=... to pick another row."
    ]
    res = load_interactions(tmp_path / "titled.xlsx", mapping, header_row=3, as_of="2026-12-31")
    assert res.data["answered"].tolist() == [True, False] and res.warnings == []
    # a CSV with a title line (and a ';' delimiter the title does not hide)
    text = "Relatório de chamadas\nCall Id;Date;Answered (Y/N)\nC1;05/01/2026;S\nC2;x;N\n"
    res = load_interactions(_csv(tmp_path, text, "titled.csv"), mapping, as_of="2026-12-31")
    assert res.data["interaction_id"].tolist() == ["C1"]
    assert res.rejected["row"].tolist() == [4]  # spreadsheet rows: title 1, header 2
    # nothing found: the error says how to point at the header
    with pytest.raises(DataError) as exc:
        load_interactions(tmp_path / "titled.xlsx", {**mapping, "interaction_id": "Ticket"})
    assert "pass header_row=<row number>" in str(exc.value)
    with pytest.raises(DataError, match="has no row 9 to take the column names from"):
        load_interactions(tmp_path / "titled.csv", mapping, header_row=9)
    with pytest.raises(OptionError, match="`header_row` must be 1 or more"):
        load_interactions(tmp_path / "titled.csv", mapping, header_row=0)
    with pytest.raises(OptionError, match="`header_row` applies to CSV and Excel files"):
        load_interactions(pd.DataFrame({"a": [1]}), header_row=2)


def test_files_with_the_wrong_extension_are_read_as_what_they_are(tmp_path):
    # regression: a CSV saved as .xls/.xlsx gave "Excel file format cannot be determined"
    text = "interaction_id,created_at\n1,2026-01-05\n"
    for ext in ("xls", "xlsx"):
        res = load_interactions(_csv(tmp_path, text, f"calls.{ext}"), as_of="2026-12-31")
        assert res.data["interaction_id"].tolist() == ["1"]
        assert res.warnings == [f"calls.{ext}: has an Excel extension but holds text; read as CSV."]
    wb = openpyxl.Workbook()
    wb.active.append(["interaction_id", "created_at"])
    wb.active.append(["1", "2026-01-05"])
    wb.save(tmp_path / "book.csv")
    res = load_interactions(tmp_path / "book.csv", as_of="2026-12-31")
    assert len(res) == 1 and "holds an Excel workbook (.xlsx)" in res.warnings[0]
    html = "<html><body><table><tr><th>interaction_id</th></tr><tr><td>1</td></tr></table>"
    (tmp_path / "web.xls").write_text(html, encoding="utf-8")
    try:
        res = load_interactions(tmp_path / "web.xls")
    except DataError as exc:  # no HTML parser installed: say what the file is and the fix
        msg = str(exc)
        assert msg.startswith("web.xls: is a web page (an HTML table saved with an Excel")
        assert "save it as .xlsx (or CSV)" in msg and "pip install lxml" in msg
    else:  # pragma: no cover - lxml or html5lib installed
        assert "is a web page (an HTML table)" in res.warnings[0]
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(KpiError, match=r"old.xls: reading .xls files needs xlrd: pip install"):
        load_interactions(tmp_path / "old.xls")


def test_workbooks_are_closed(tmp_path):
    # regression: pd.ExcelFile was never closed (ResourceWarning; a locked file on Windows)
    import gc
    import warnings

    path = _month_sheets(tmp_path / "months.xlsx")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_interactions(path, as_of="2026-12-31")
        load_interactions(path, sheet="Feb", as_of="2026-12-31")
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_combine_keeps_a_date_time_when_the_time_cell_is_blank():
    raw = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "Dia": ["2025-01-05 10:30", "2025-01-05", "2025-01-06", ""],
            "Hora": ["", "", "25:00", "10:00"],
        }
    )
    res = load_interactions(
        raw, {"interaction_id": "id", "created_at": ["Dia", "Hora"]}, as_of="2025-12-31"
    )
    assert res.data["created_at"].tolist() == [T("2025-01-05 10:30"), T("2025-01-05 00:00")]
    assert "1 row(s) have a date but no time in 'Hora'; taken as 00:00." in res.warnings
    assert list(
        zip(res.rejected["row"], res.rejected["column"], res.rejected["check"], strict=True)
    ) == [
        (2, "Hora", "invalid_time"),
        (3, "Dia + Hora", "missing_value"),
    ]


def test_excel_serials_and_fractions_combine(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Id", "Dia", "Hora", "Duração"])
    ws.append([1, 45292, 0.5, 0.25])  # 2024-01-01, 12:00, 6 h
    ws.append([2.0, dt.datetime(2024, 1, 2), "08:15", "00:01:30"])
    ws.append([3, "03/01/2024", dt.time(23, 59, 59), dt.timedelta(hours=30)])
    path = tmp_path / "serials.xlsx"
    wb.save(path)
    mapping = {
        "interaction_id": "Id",
        "created_at": ["Dia", "Hora"],
        "handle_time_s": {"column": "Duração", "unit": "hh:mm:ss"},
    }
    res = load_interactions(path, mapping)
    assert res.data["interaction_id"].tolist() == ["1", "2", "3"]
    assert res.data["created_at"].tolist() == [
        T("2024-01-01 12:00"),
        T("2024-01-02 08:15"),
        T("2024-01-03 23:59:59"),
    ]
    assert res.data["handle_time_s"].tolist() == [21600.0, 90.0, 108000.0]
    assert any("assumed day-first" in w for w in res.warnings)


def test_day_fractions_in_a_duration_column_without_unit(tmp_path):
    # regression: an Excel time stored as a number (0.0038194 = 5 min 30 s) read as 0.0038 s
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Id", "Dia", "Talk"])
    ws.append([1, dt.datetime(2026, 1, 5), 0.0038194444444])
    ws.append([2, dt.datetime(2026, 1, 5), "0:01:00"])
    ws.append([3, dt.datetime(2026, 1, 5), None])
    wb.save(tmp_path / "talk.xlsx")
    mapping = {"interaction_id": "Id", "created_at": "Dia", "handle_time_s": "Talk"}
    res = load_interactions(tmp_path / "talk.xlsx", mapping, as_of="2026-12-31")
    assert _vals(res.data["handle_time_s"].round(6)) == [330.0, 60.0, None]
    assert res.warnings == [
        "'Talk': every number is between 0 and 1, so they are read as fractions of a day "
        "(Excel times: 0.25 = 6 h); declare the unit in the mapping (unit: seconds) if they "
        "are seconds."
    ]
    declared = {**mapping, "handle_time_s": {"column": "Talk", "unit": "seconds"}}
    res = load_interactions(tmp_path / "talk.xlsx", declared, as_of="2026-12-31")
    assert res.data["handle_time_s"].round(4).tolist()[0] == 0.0038 and res.warnings == []


# --------------------------------------------------------------------------- every reason, row by row

PROBLEMS = """\
interaction_id;created_at;first_response_at;resolved_at;wait_s;handle_time_s;answered;csat;nps;contacts
a;05/01/2025 10:00;05/01/2025 10:00:30;05/01/2025 12:00;;00:05:00;S;4,5;9;1
b;05/01/2025 11:00;05/01/2025 10:59;;;;;;;
a;06/01/2025 09:00;;;;;;;;
c;ontem;;;;;;;;
d;07/01/2025 09:00;;;-5;;;;;
e;07/01/2025 09:00;;;;;talvez;6;11;0
;07/01/2025 09:00;;;;;;;;
f;31/12/2030 09:00;;;;;;;;
g;08/01/2025 09:00;;08/01/2025 08:00;;;N;;;
h;08/01/2025 09:00;;;;abc;;;7,5;
i;25/01/2025 09:00;;;12;;;;;2
"""


def test_every_rejection_reason_with_its_row(tmp_path):
    path = _csv(tmp_path, PROBLEMS, "problems.csv")
    res = load_interactions(path, as_of="2025-06-30")
    # .issues: one line per problem
    lines = list(zip(res.issues["row"], res.issues["field"], res.issues["check"], strict=True))
    assert lines == [
        (3, "first_response_at", "before_created"),
        (4, "interaction_id", "duplicate_id"),
        (5, "created_at", "invalid_timestamp"),
        (6, "wait_s", "negative_duration"),
        (7, "answered", "invalid_bool"),
        (7, "contacts", "invalid_contacts"),
        (7, "csat", "out_of_scale"),
        (7, "nps", "out_of_scale"),
        (8, "interaction_id", "missing_value"),
        (9, "created_at", "future_timestamp"),
        (10, "resolved_at", "before_created"),
        (11, "handle_time_s", "invalid_duration"),
        (11, "nps", "not_integer"),
    ]
    r = res.report
    assert (r["read"], r["loaded"], r["rejected"]) == (11, 2, 9)
    assert r["read"] == r["loaded"] + r["rejected"]
    assert r["rejected_by_reason"] == {
        "before_created": 2,
        "duplicate_id": 1,
        "invalid_timestamp": 1,
        "negative_duration": 1,
        "invalid_bool": 1,
        "invalid_contacts": 1,
        "out_of_scale": 1,
        "missing_value": 1,
        "future_timestamp": 1,
        "invalid_duration": 1,
        "not_integer": 1,
    }
    reasons = dict(
        zip(
            zip(res.issues["row"], res.issues["field"], strict=True),
            res.issues["reason"],
            strict=True,
        )
    )
    assert reasons[(4, "interaction_id")] == "interaction_id: 'a' already appears in row 2"
    assert reasons[(5, "created_at")].startswith("created_at: 'ontem' is not a date/time")
    assert reasons[(7, "answered")].startswith("answered: 'talvez' is not a yes/no value")
    assert reasons[(7, "csat")] == (
        "csat: 6 is outside its scale 1-5 (if the scale is another one, declare it: mapping "
        "`csat: {column: csat, scale: [1, 10]}` or scales={'csat': (1, 10)})"
    )
    assert reasons[(7, "nps")].startswith("nps: 11 is outside its scale 0-10 (if the scale")
    assert "scale: [0, 100]" in reasons[(7, "nps")]
    assert reasons[(3, "first_response_at")] == (
        "first_response_at: 2025-01-05 10:59:00 is before created_at 2025-01-05 11:00:00"
    )
    assert "after the as-of time 2025-06-30" in reasons[(9, "created_at")]
    assert set(res.issues["action"]) == {"rejected"}
    # .rejected: one line per rejected row, as many as report["rejected"], with all its
    # reasons and the original source columns
    assert len(res.rejected) == r["rejected"] == 9
    assert res.rejected["row"].tolist() == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert res.rejected.columns[:6].tolist() == [
        "row",
        "reason",
        "check",
        "column",
        "field",
        "value",
    ]
    row7 = res.rejected[res.rejected["row"] == 7].iloc[0]
    assert row7["check"] == "invalid_bool, invalid_contacts, out_of_scale"
    assert (
        row7["reason"] == "; ".join(res.issues.loc[res.issues["row"] == 7, "reason"])
        and row7["reason"].count("; ") == 3
    )
    assert (row7["field"], row7["value"], row7["answered"], row7["csat"]) == (
        "answered",
        "talvez",
        "talvez",
        "6",
    )

    d = res.data
    assert d["interaction_id"].tolist() == ["a", "i"]
    assert d["created_at"].tolist() == [T("2025-01-05 10:00"), T("2025-01-25 09:00")]
    assert _vals(d["first_response_at"]) == [T("2025-01-05 10:00:30"), None]
    assert _vals(d["wait_s"]) == [30.0, 12.0]  # derived from the timestamps; given
    assert d["answered"].tolist() == [True, True]  # given S; blank filled from wait_s
    assert d["abandoned"].tolist() == [False, False]
    assert d["resolved"].tolist() == [True, False]  # derived from resolved_at
    assert _vals(d["handle_time_s"]) == [300.0, None]
    assert _vals(d["csat"]) == [4.5, None]
    assert _vals(d["nps"]) == [9.0, None]
    assert _vals(d["contacts"]) == [1, 2] and str(d["contacts"].dtype) == "Int64"
    assert d["channel"].tolist() == ["unknown", "unknown"]


def test_on_invalid_null_keeps_rows_and_blanks_values(tmp_path):
    path = _csv(tmp_path, PROBLEMS, "problems.csv")
    res = load_interactions(path, as_of="2025-06-30", on_invalid="null")
    r = res.report
    # rows without a usable id/created_at, and the duplicate, are still rejected
    assert sorted(set(res.rejected["row"])) == [4, 5, 8, 9]
    assert (r["read"], r["loaded"], r["rejected"]) == (11, 7, 4)
    assert r["nulled"] == 9
    assert r["nulled_by_reason"] == {
        "before_created": 2,
        "out_of_scale": 2,
        "negative_duration": 1,
        "invalid_bool": 1,
        "invalid_contacts": 1,
        "invalid_duration": 1,
        "not_integer": 1,
    }
    d = res.data.set_index("interaction_id")
    assert list(d.index) == ["a", "b", "d", "e", "g", "h", "i"]
    assert pd.isna(d.at["b", "first_response_at"]) and pd.isna(d.at["b", "wait_s"])
    # a response time was there (before created_at, so blanked): the contact was answered
    assert d.at["b", "answered"] and not d.at["b", "abandoned"]
    assert pd.isna(d.at["d", "wait_s"])
    assert (
        pd.isna(d.at["e", "csat"]) and pd.isna(d.at["e", "nps"]) and pd.isna(d.at["e", "contacts"])
    )
    assert pd.isna(d.at["g", "resolved_at"]) and d.at["g", "resolved"]  # it was resolved
    assert not d.at["g", "answered"]  # N in the file
    assert pd.isna(d.at["h", "handle_time_s"]) and pd.isna(d.at["h", "nps"])
    nulled = res.issues[res.issues["action"] == "nulled"]
    assert len(nulled) == 9 and set(res.issues["action"]) == {"nulled", "rejected"}
    notes = dict(zip(nulled["row"], nulled["reason"], strict=False))
    assert notes[3].endswith(" (blanked, but the contact counts as answered)")
    assert notes[10].endswith(" (blanked, but the contact counts as resolved)")
    assert notes[6] == "wait_s: negative duration -5 (blanked, but the contact counts as answered)"
    assert d.at["d", "answered"]


def test_on_invalid_null_a_rejected_row_lists_all_its_problems():
    raw = pd.DataFrame(
        {"interaction_id": ["1", "2"], "created_at": ["never", "2025-01-05"], "csat": [9, 9]}
    )
    res = load_interactions(raw, on_invalid="null", as_of="2025-12-31")
    assert list(zip(res.rejected["row"], res.rejected["check"], strict=True)) == [
        (0, "invalid_timestamp, out_of_scale"),
    ]
    assert res.issues[["row", "check", "action"]].values.tolist() == [
        [0, "invalid_timestamp", "rejected"],
        [0, "out_of_scale", "rejected"],
        [1, "out_of_scale", "nulled"],
    ]
    assert res.report["rejected_by_reason"] == {"invalid_timestamp": 1, "out_of_scale": 1}
    assert res.report["nulled_by_reason"] == {"out_of_scale": 1}
    assert _vals(res.data["csat"]) == [None]


# --------------------------------------------------------------------------- bad inputs of the issue


def test_empty_file(tmp_path):
    for text in ("", "  \n\n"):
        with pytest.raises(DataError) as exc:
            load_interactions(_csv(tmp_path, text, "empty.csv"))
        msg = str(exc.value)
        assert msg.startswith("empty.csv: is empty.") and "fix:" in msg


def test_header_only(tmp_path):
    with pytest.raises(DataError) as exc:
        load_interactions(_csv(tmp_path, "interaction_id,created_at\n", "header.csv"))
    msg = str(exc.value)
    assert "header.csv: has a header but no data rows" in msg
    assert "'interaction_id', 'created_at'" in msg
    # blank lines below the header are no data either
    with pytest.raises(DataError, match="no data rows"):
        load_interactions(_csv(tmp_path, "interaction_id,created_at\n,\n\n", "blank.csv"))


def test_missing_required_column_suggests_the_closest(tmp_path):
    path = _csv(tmp_path, "Ticket,Data de abertura,Canal\n1,05/01/2025,Phone\n", "tickets.csv")
    with pytest.raises(DataError) as exc:
        load_interactions(path)
    msg = str(exc.value)
    assert msg.startswith("tickets.csv: no column for the required field `interaction_id`.")
    assert "found: columns 'Ticket', 'Data de abertura', 'Canal'; closest: 'Ticket'" in msg
    assert "YAML line `interaction_id: Ticket`" in msg
    path = _csv(tmp_path, "interaction_id,Date,Channel\n1,05/01/2025,Phone\n", "calls.csv")
    with pytest.raises(DataError) as exc:
        load_interactions(path)
    msg = str(exc.value)
    assert "required field `created_at`" in msg and "closest: 'Date'" in msg
    assert "`created_at: [Date, Time]`" in msg


def test_mapping_naming_a_missing_column(tmp_path):
    path = _csv(tmp_path, "Protocolo,Aberto em,Atendentes\n1,05/01/2025,Ana\n", "pt.csv")
    mapping = {"interaction_id": "Protocolo", "created_at": "Aberto em", "agent": "Atendente"}
    with pytest.raises(DataError) as exc:
        load_interactions(path, mapping)
    msg = str(exc.value)
    assert "pt.csv: the mapping for `agent` names the column 'Atendente'" in msg
    assert "closest: 'Atendentes'" in msg and "`agent: Atendentes`" in msg


def test_unparseable_dates_are_rejected_with_their_rows(tmp_path):
    text = "id,created_at\n1,2025-01-05 10:00\n2,2025-13-45\n3,soon\n4,2025-01-06T08:00\n"
    res = load_interactions(
        _csv(tmp_path, text), {"interaction_id": "id", "created_at": "created_at"}
    )
    assert res.rejected["row"].tolist() == [3, 4]
    assert res.rejected["value"].tolist() == ["2025-13-45", "soon"]
    assert res.report["rejected_by_reason"] == {"invalid_timestamp": 2}
    assert res.data["created_at"].tolist() == [T("2025-01-05 10:00"), T("2025-01-06 08:00")]


def test_years_out_of_range_are_rejected_not_a_crash(tmp_path):
    # regression: OutOfBoundsDatetime tracebacks for year 3026, 202601 and 150000
    text = (
        "interaction_id,created_at\n"
        "1,05/01/2026 10:00\n2,05/01/3026 10:00\n3,3026-01-05\n4,202601\n5,2100-01-01\n"
    )
    res = load_interactions(_csv(tmp_path, text), as_of="2026-06-30")
    assert res.data["interaction_id"].tolist() == ["1"]
    lines = res.issues[["row", "check"]].values.tolist()
    assert lines == [
        [3, "year_out_of_range"],
        [4, "year_out_of_range"],
        [5, "year_out_of_range"],
        [6, "future_timestamp"],  # a storable far-future year stays "in the future"
    ]
    reasons = res.issues["reason"].tolist()
    assert reasons[0] == (
        "created_at: '05/01/3026 10:00': year 3026 is out of range (dates must fall in the "
        "years 1678-2261; a typo?)"
    )
    assert reasons[2].startswith("created_at: '202601' (read as an Excel date number): year 2454")
    assert res.report["rejected_by_reason"] == {"year_out_of_range": 3, "future_timestamp": 1}
    wb = openpyxl.Workbook()
    wb.active.append(["interaction_id", "created_at"])
    wb.active.append(["E1", dt.datetime(2026, 1, 5, 9)])
    wb.active.append(["E2", 300000])
    wb.save(tmp_path / "cells.xlsx")
    res = load_interactions(tmp_path / "cells.xlsx")
    assert res.issues["check"].tolist() == ["year_out_of_range"]
    assert "year 2721 is out of range" in res.issues["reason"].iloc[0]


def test_all_rows_bad_gives_an_empty_result_not_a_crash(tmp_path):
    res = load_interactions(_csv(tmp_path, "interaction_id,created_at\n1,never\n2,later\n"))
    assert len(res) == 0 and res.report["rejected"] == 2
    assert res.warnings[-1] == "No rows loaded: all 2 rows were rejected."


def test_duplicate_ids_keep_the_first(tmp_path):
    text = "interaction_id,created_at,agent\n7,2025-01-05,ana\n8,2025-01-05,bia\n7,2025-01-06,caio\n7,2025-01-07,davi\n"
    res = load_interactions(_csv(tmp_path, text))
    assert res.data["agent"].tolist() == ["ana", "bia"]
    assert res.rejected["row"].tolist() == [4, 5]
    assert res.rejected["reason"].tolist() == ["interaction_id: '7' already appears in row 2"] * 2


def test_a_good_duplicate_is_kept_when_the_first_copy_was_bad(tmp_path):
    # regression: D1's good second copy was rejected as a duplicate of its unusable first copy
    text = (
        "interaction_id,created_at,csat\n"
        "D1,2026-01-45 09:00,5\nD1,2026-01-05 09:00,5\nD2,2026-01-05 10:00,4\n"
        "D2,2026-01-06 10:00,3\n"
    )
    res = load_interactions(_csv(tmp_path, text), as_of="2026-12-31")
    assert res.data["interaction_id"].tolist() == ["D1", "D2"]
    assert res.data["created_at"].tolist() == [T("2026-01-05 09:00"), T("2026-01-05 10:00")]
    assert list(zip(res.rejected["row"], res.rejected["check"], strict=True)) == [
        (2, "invalid_timestamp"),
        (5, "duplicate_id"),
    ]
    assert res.rejected["reason"].iloc[1] == "interaction_id: 'D2' already appears in row 4"
    # with on_invalid="null" a row whose bad value is only blanked is valid: it counts
    text = "interaction_id,created_at,csat\nA,2026-01-05,9\nA,2026-01-06,5\n"
    res = load_interactions(_csv(tmp_path, text, "n.csv"), on_invalid="null", as_of="2026-12-31")
    assert res.data["created_at"].tolist() == [T("2026-01-05")]
    assert res.rejected["check"].tolist() == ["duplicate_id"]


def test_total_rows_are_rejected_as_such_and_rejected_has_one_line_per_row(tmp_path):
    # regression: a "Total" row with a date loaded as a contact; a total row without one
    # gave three lines in .rejected but 1 in report["rejected"]
    text = (
        "interaction_id,created_at,channel,wait_s,csat\n"
        "R1,2026-01-05 09:00,phone,10,5\n"
        "R2,2026-01-05 10:00,phone,20,4\n"
        "Total,2026-01-05 11:00,phone,30,\n"
        "GRAND TOTAL:,,,60,9\n"
        ",,,60,4\n"
    )
    res = load_interactions(_csv(tmp_path, text), as_of="2026-12-31")
    assert res.data["interaction_id"].tolist() == ["R1", "R2"]
    assert len(res.rejected) == res.report["rejected"] == 3
    assert res.rejected["check"].tolist() == ["total_row", "total_row", "missing_value"]
    assert res.rejected["reason"].iloc[0] == (
        "interaction_id: 'Total' looks like a total row, not a contact"
    )
    assert res.report["rejected_by_reason"] == {"total_row": 2, "missing_value": 1}
    assert "  - linha de total: 2" in res.summary()
    # blank id with "Soma" in the first column (a sheet whose first column is not the id)
    raw = pd.DataFrame(
        {"Equipe": ["N1", "Soma"], "Id": ["x1", None], "Quando": ["2026-01-05", "2026-01-05"]}
    )
    res = load_interactions(
        raw, {"interaction_id": "Id", "created_at": "Quando"}, on_invalid="null"
    )
    assert res.rejected["check"].tolist() == ["total_row"] and len(res) == 1


def test_declared_scales_ride_along_in_the_data_attrs(tmp_path):
    text = "interaction_id,created_at,csat\n1,2026-01-05,9\n"
    res = load_interactions(_csv(tmp_path, text), scales={"csat": (1, 10)}, as_of="2026-12-31")
    assert res.data.attrs["scales"] == {"csat": [1.0, 10.0], "nps": [0.0, 10.0], "ces": [1.0, 7.0]}
    assert all(type(v) is list for v in res.data.attrs["scales"].values())


def test_scores_out_of_scale_and_declared_scales(tmp_path):
    text = (
        "interaction_id,created_at,csat,ces\n1,2025-01-05,6,7\n2,2025-01-05,0,8\n3,2025-01-05,5,1\n"
    )
    path = _csv(tmp_path, text)
    res = load_interactions(path)
    assert res.issues["row"].tolist() == [2, 3, 3]
    assert res.issues["field"].tolist() == ["csat", "csat", "ces"]
    assert res.rejected["row"].tolist() == [2, 3]
    res = load_interactions(path, scales={"csat": (0, 10), "ces": [1, 10]})
    assert len(res.rejected) == 0 and res.data["csat"].tolist() == [6.0, 0.0, 5.0]
    assert res.scales["csat"].high == 10 and res.scales["nps"].high == 10
    res = load_interactions(
        path,
        {
            "interaction_id": "interaction_id",
            "created_at": "created_at",
            "csat": {"column": "csat", "scale": [0, 10]},
        },
    )
    assert res.rejected["field"].tolist() == ["ces"]


def test_negative_durations(tmp_path):
    text = "interaction_id,created_at,wait_s,handle_time_s\n1,2025-01-05,-5,00:01:00\n2,2025-01-05,5,-00:00:01\n3,2025-01-05,0,0\n"
    res = load_interactions(_csv(tmp_path, text))
    assert list(zip(res.rejected["row"], res.rejected["field"], strict=True)) == [
        (2, "wait_s"),
        (3, "handle_time_s"),
    ]
    assert res.data["wait_s"].tolist() == [0.0] and res.data["handle_time_s"].tolist() == [0.0]


def test_response_and_resolution_before_creation(tmp_path):
    text = (
        "interaction_id,created_at,first_response_at,resolved_at\n"
        "1,2025-01-05 10:00,2025-01-05 09:59:59,\n"
        "2,2025-01-05 10:00,2025-01-05 10:00:00,2025-01-05 09:00\n"
        "3,2025-01-05 10:00,2025-01-05 10:00:00,2025-01-05 10:00\n"
    )
    res = load_interactions(_csv(tmp_path, text))
    assert list(zip(res.rejected["row"], res.rejected["field"], strict=True)) == [
        (2, "first_response_at"),
        (3, "resolved_at"),
    ]
    # equal timestamps are fine: a zero wait, answered, resolved
    assert res.data["wait_s"].tolist() == [0.0]
    assert res.data["answered"].tolist() == [True] and res.data["resolved"].tolist() == [True]


def test_mixed_time_zones(tmp_path):
    text = (
        "interaction_id,created_at\n"
        "1,2025-01-05T10:00:00-03:00\n"
        "2,2025-01-05T13:00:00Z\n"
        "3,2025-01-05T10:00:00+01:00\n"
        "4,2025-01-05 10:00\n"
        "5,2025-07-05T12:00:00.250000+00:00\n"
    )
    res = load_interactions(_csv(tmp_path, text))
    # Sao Paulo is UTC-3 all year (no daylight saving since 2019)
    assert res.data["created_at"].tolist() == [
        T("2025-01-05 10:00"),
        T("2025-01-05 10:00"),
        T("2025-01-05 06:00"),
        T("2025-01-05 10:00"),
        T("2025-07-05 09:00:00.25"),
    ]
    assert any("mixes values with and without a time zone" in w for w in res.warnings)
    res = load_interactions(_csv(tmp_path, text), timezone="UTC")
    assert res.data["created_at"].tolist()[:3] == [
        T("2025-01-05 13:00"),
        T("2025-01-05 13:00"),
        T("2025-01-05 09:00"),
    ]


def test_non_utf8_csv_falls_back_to_cp1252(tmp_path):
    text = "interaction_id;created_at;agent;category\n1;05/01/2025 10:00;João;Cobrança – 2ª via\n"
    path = _csv(tmp_path, text, "latin.csv", encoding="cp1252")
    res = load_interactions(path)
    assert res.data["agent"].tolist() == ["João"]
    assert res.data["category"].tolist() == ["Cobrança – 2ª via"]
    assert res.warnings[0].startswith("latin.csv: not UTF-8; read as Windows-1252")
    assert len(load_interactions(path, encoding="cp1252").warnings) == 1  # only day-first
    with pytest.raises(DataError) as exc:
        load_interactions(path, encoding="utf-8")
    assert "latin.csv: cannot be decoded as utf-8" in str(exc.value)


def test_utf8_bom_and_tabs(tmp_path):
    text = "\ufeffinteraction_id\tcreated_at\tagent\n1\t2025-01-05\tAna Júlia\n"
    res = load_interactions(_csv(tmp_path, text, "tabs.tsv"))
    assert res.data["agent"].tolist() == ["Ana Júlia"] and res.warnings == []
    res = load_interactions(_csv(tmp_path, text, "tabs.txt"))
    assert res.data["interaction_id"].tolist() == ["1"]


def test_two_row_files(tmp_path):
    res = load_interactions(_csv(tmp_path, "interaction_id,created_at\nx1,2025-01-05 10:00\n"))
    assert len(res) == 1 and res.data["interaction_id"].tolist() == ["x1"]
    assert list(res.data.columns) == ["interaction_id", "created_at", "channel"]
    res = load_interactions(
        _csv(tmp_path, "interaction_id,created_at\nx1,2025-01-05\nx2,2025-01-06\n")
    )
    assert len(res) == 2 and res.report["rejected"] == 0


def test_missing_unreadable_and_unsupported_files(tmp_path):
    with pytest.raises(DataError) as exc:
        load_interactions(tmp_path / "nope.csv")
    assert "nope.csv: cannot be read: the file does not exist." in str(exc.value)
    _csv(tmp_path, "interaction_id,created_at\n", "calls_2025.csv")
    with pytest.raises(DataError) as exc:
        load_interactions(tmp_path / "calls-2025.csv")
    assert "similar names there: 'calls_2025.csv'" in str(exc.value)
    with pytest.raises(DataError, match="no folder"):
        load_interactions(tmp_path / "nowhere" / "calls.csv")
    with pytest.raises(DataError, match="nope.json: has a file type the loader does not read"):
        load_interactions(tmp_path / "nope.json")
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"\x00\x01 not a workbook")
    with pytest.raises(DataError, match="fake.xlsx: is not a readable Excel workbook"):
        load_interactions(fake)
    fake = tmp_path / "fake.parquet"
    fake.write_text("not parquet")
    with pytest.raises(DataError, match="fake.parquet: is not a readable Parquet file"):
        load_interactions(fake)
    with pytest.raises(DataError, match="ragged.csv: is not a readable delimited text file"):
        load_interactions(_csv(tmp_path, "a,b\n1,2\n1,2,3,4\n", "ragged.csv"))
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(DataError, match="folder.csv: cannot be read: it is not a file"):
        load_interactions(tmp_path / "folder.csv")


def test_errors_never_leak_a_pandas_traceback(tmp_path):
    for text in ("\x00\x01\x02", '"unclosed,quote\n1,2\n', "a\n"):
        path = _csv(tmp_path, text, "odd.csv")
        with pytest.raises(DataError):
            load_interactions(path)


# --------------------------------------------------------------------------- parsing in context


def test_semicolons_decimal_comma_and_day_first(tmp_path):
    text = "Protocolo;Data de abertura;Canal;Nota CSAT;Resolvido (S/N)\nP1;25/01/2025 08:00;WhatsApp ;4,0;S\nP2;03/02/2025 09:30;;5;Não\n"
    res = load_interactions(_csv(tmp_path, text), "helpdesk_ptbr")
    d = res.data
    assert d["created_at"].tolist() == [T("2025-01-25 08:00"), T("2025-02-03 09:30")]
    assert d["channel"].tolist() == ["whatsapp", "unknown"]
    assert d["csat"].tolist() == [4.0, 5.0]
    assert d["resolved"].tolist() == [True, False]
    assert "team" not in d and "agent" not in d
    assert sum("Optional column" in w for w in res.warnings) == 6


def test_thousands_separators_per_column_and_like_the_rest_of_the_file(tmp_path):
    # regression: "1,200" s read as 1.2 s; "1.000" minutes in a decimal-comma file as 60 s
    text = (
        "interaction_id,created_at,wait_s,handle_time_s\n"
        '1,2025-01-05,"1,200","3,600"\n'
        '2,2025-01-05,"1.234.567","1,5"\n'
        '3,2025-01-05,"1,234.5",100\n'
    )
    res = load_interactions(_csv(tmp_path, text, "k.csv"), as_of="2025-12-31")
    assert res.data["wait_s"].tolist() == [1200.0, 1234567.0, 1234.5]
    assert res.data["handle_time_s"].tolist() == [3.6, 1.5, 100.0]  # "1,5": decimal comma
    assert res.warnings == []
    text = "Id;Quando;Espera (min);Nota\nA1;2025-01-05;0,5;4,5\nA2;2025-01-05;1.000;5\n"
    mapping = {
        "interaction_id": "Id",
        "created_at": "Quando",
        "wait_s": {"column": "Espera (min)", "unit": "minutes"},
        "csat": "Nota",
    }
    res = load_interactions(_csv(tmp_path, text, "pt.csv"), mapping, as_of="2025-12-31")
    assert res.data["wait_s"].tolist() == [30.0, 60000.0]
    # a column where every value reads both ways follows the rest of the file, with a warning
    text = 'Id,Quando,Custo,Espera\nA1,2025-01-05,"1,234.50","1,200"\nA2,2025-01-05,"10.5",30\n'
    mapping = {"interaction_id": "Id", "created_at": "Quando", "wait_s": "Espera"}
    res = load_interactions(_csv(tmp_path, text, "f.csv"), mapping, as_of="2025-12-31")
    assert res.data["wait_s"].tolist() == [1200.0, 30.0]
    assert res.warnings == [
        "'Espera': numbers such as '1,200' read as 1200, with '.' as the decimal mark like "
        'the rest of the file; if that is wrong, declare it in the mapping (decimal: ",").'
    ]
    # ... the ';' of a decimal-comma export, or nothing (the thousands reading)
    text = "Id;Quando;Espera\nA1;2025-01-05;1,200\n"
    res = load_interactions(_csv(tmp_path, text, "s.csv"), mapping, as_of="2025-12-31")
    assert res.data["wait_s"].tolist() == [1.2] and "with ',' as the decimal" in res.warnings[0]
    text = 'Id,Quando,Espera\nA1,2025-01-05,"1,200"\n'
    res = load_interactions(_csv(tmp_path, text, "g.csv"), mapping, as_of="2025-12-31")
    assert res.data["wait_s"].tolist() == [1200.0]
    assert res.warnings == [
        "'Espera': numbers such as '1,200' can be read two ways; read as 1200 (',' as the "
        "thousands separator); if that is wrong, declare the decimal mark in the mapping "
        '(decimal: ",").'
    ]
    assert '(decimal: ",")' in res.summary("pt-BR") and "separador de milhar" in res.summary()
    # declared: top level, argument, per column (the column wins)
    for kwargs, expected in (
        ({"mapping": {**mapping, "decimal": ","}}, 1.2),
        ({"mapping": mapping, "decimal": ","}, 1.2),
        (
            {
                "mapping": {
                    **mapping,
                    "decimal": ",",
                    "wait_s": {"column": "Espera", "decimal": "."},
                }
            },
            1200.0,
        ),
    ):
        res = load_interactions(tmp_path / "g.csv", as_of="2025-12-31", **kwargs)
        assert res.data["wait_s"].tolist() == [expected] and res.warnings == [], kwargs
    with pytest.raises(OptionError, match="`decimal` must be None, ',' or '.'"):
        load_interactions(tmp_path / "g.csv", mapping, decimal=";")


def test_day_first_ambiguity_warns_and_dayfirst_false_reads_month_first(tmp_path):
    text = "interaction_id,created_at\n1,01/02/2025\n2,03/04/2025 10:00\n"
    path = _csv(tmp_path, text)
    res = load_interactions(path)
    assert res.data["created_at"].tolist() == [T("2025-02-01"), T("2025-04-03 10:00")]
    assert res.warnings == [
        "Dates in 'created_at' read both ways (dd/mm and mm/dd); assumed day-first "
        "(dd/mm/yyyy). Pass dayfirst=False if they are mm/dd/yyyy."
    ]
    res = load_interactions(path, dayfirst=False)
    assert res.data["created_at"].tolist() == [T("2025-01-02"), T("2025-03-04 10:00")]
    assert res.warnings == []
    # a value above 12 in the second place decides month-first for the whole file
    text = "interaction_id,created_at,resolved_at\n1,01/02/2025,01/25/2025\n"
    res = load_interactions(_csv(tmp_path, text, "us.csv"))
    assert res.data["created_at"].tolist() == [T("2025-01-02")]
    assert res.data["resolved_at"].tolist() == [T("2025-01-25")] and res.warnings == []


def test_ambiguous_dates_take_the_reading_that_keeps_them_together(tmp_path):
    # mm/dd/yyyy with every day <= 12: day-first spread 5 contacts over 7 months
    days = ["01/05/2026", "01/06/2026", "01/08/2026", "02/02/2026", "02/04/2026"]
    text = "interaction_id,created_at\n" + "".join(f"{i},{d}\n" for i, d in enumerate(days))
    path = _csv(tmp_path, text)
    res = load_interactions(path, as_of="2026-12-31")
    assert res.data["created_at"].dt.month.tolist() == [1, 1, 1, 2, 2]
    assert res.warnings == [
        "Dates in 'created_at' read both ways (dd/mm and mm/dd); assumed month-first "
        "(mm/dd/yyyy), the reading that keeps them within a shorter period. Pass dayfirst=True "
        "if they are dd/mm/yyyy."
    ]
    res = load_interactions(path, as_of="2026-12-31", dayfirst=True)
    assert res.data["created_at"].dt.month.tolist() == [5, 6, 8, 2, 4] and res.warnings == []


def test_microsecond_wait_and_derived_columns(tmp_path):
    text = (
        "interaction_id,created_at,first_response_at,channel\n"
        "1,2025-01-05 10:00:00.000001,2025-01-05 10:00:01,Phone\n"
        "2,2025-01-05 10:00:00,,\n"
    )
    res = load_interactions(_csv(tmp_path, text))
    d = res.data
    assert d["wait_s"].tolist()[0] == pytest.approx(0.999999, abs=1e-12)
    assert pd.isna(d["wait_s"].iloc[1])
    assert d["answered"].tolist() == [True, False]
    assert d["abandoned"].tolist() == [False, True]
    assert d["channel"].tolist() == ["phone", "unknown"]
    assert "resolved" not in d and "csat" not in d and "team" not in d


def test_no_response_columns_means_no_answered_column(tmp_path):
    res = load_interactions(
        _csv(tmp_path, "interaction_id,created_at,resolved\n1,2025-01-05,sim\n")
    )
    assert "answered" not in res.data and "abandoned" not in res.data and "wait_s" not in res.data
    assert res.data["resolved"].tolist() == [True]


def test_blank_rows_skipped_and_row_numbers_kept(tmp_path):
    text = "interaction_id,created_at\n1,2025-01-05\n\n,\n2,someday\n"
    res = load_interactions(_csv(tmp_path, text))
    assert res.rejected["row"].tolist() == [5]  # rows 3 and 4 are blank
    assert res.report["blank_rows_skipped"] == 2 and res.report["read"] == 2
    assert "2 blank row(s) skipped." in res.warnings


def test_column_names_match_loosely_and_extra_columns_are_dropped(tmp_path):
    text = "Interaction ID,Created At,Handle Time S,Notes\n1,2025-01-05,00:02:00,hello\n"
    res = load_interactions(_csv(tmp_path, text))
    assert list(res.data.columns) == ["interaction_id", "created_at", "channel", "handle_time_s"]
    assert res.data["handle_time_s"].tolist() == [120.0]


# --------------------------------------------------------------------------- DataFrame and Parquet


def test_dataframe_source_is_not_modified_and_rows_are_positions():
    raw = pd.DataFrame(
        {
            "Ticket": ["A", "B", "C"],
            "Opened": ["2025-01-05 10:00", "2025-01-05 11:00", "bad"],
            "Done": ["Y", "N", "Y"],
            "Score": ["4,5", "9", "3"],
        },
        index=[10, 20, 30],
    )
    before = raw.copy(deep=True)
    mapping = {
        "interaction_id": "Ticket",
        "created_at": "Opened",
        "resolved": "Done",
        "csat": "Score",
    }
    res = load_interactions(raw, mapping, as_of="2025-12-31")
    pd.testing.assert_frame_equal(raw, before)
    assert res.source == "DataFrame"
    assert res.rejected["row"].tolist() == [1, 2]  # 0-based positions
    assert res.data["csat"].tolist() == [4.5]


def test_dataframe_with_duplicate_column_names():
    raw = pd.DataFrame(
        [[1, "2025-01-05", 3]], columns=["interaction_id", "created_at", "created_at"]
    )
    with pytest.raises(DataError, match="duplicate column names"):
        load_interactions(raw)


def test_parquet_with_typed_and_tz_aware_columns(tmp_path):
    frame = pd.DataFrame(
        {
            "interaction_id": [1, 2],
            "created_at": pd.to_datetime(["2025-01-05 13:00", "2025-01-05 14:00"]).tz_localize(
                "UTC"
            ),
            "answered": [True, False],
            "wait_s": [12, None],
            "contacts": [1, 2],
        }
    )
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path)
    res = load_interactions(path)
    d = res.data
    assert d["interaction_id"].tolist() == ["1", "2"]
    assert d["created_at"].tolist() == [T("2025-01-05 10:00"), T("2025-01-05 11:00")]
    assert d["answered"].tolist() == [True, False] and d["abandoned"].tolist() == [False, True]
    assert _vals(d["wait_s"]) == [12.0, None] and d["contacts"].tolist() == [1, 2]


def test_future_is_relative_to_the_file_and_as_of(tmp_path):
    path = _csv(tmp_path, "interaction_id,created_at\n1,2025-01-05\n2,2099-01-01\n")
    assert load_interactions(path).rejected["check"].tolist() == ["future_timestamp"]
    assert load_interactions(path, as_of="2100-01-01").report["rejected"] == 0
    aware = pd.Timestamp("2025-01-05 03:00", tz="UTC")  # = 2025-01-05 00:00 in Sao Paulo
    assert load_interactions(path, as_of=aware).report["rejected"] == 1


# --------------------------------------------------------------------------- presets in use


def test_zendesk_preset(tmp_path):
    text = (
        "Id,Created at,Via,Group,Assignee,Solved at,First reply time in minutes,Satisfaction Score\n"
        "101,2025-03-03 09:00:00 -0300,Email,Tier 1,Ana,2025-03-03 11:00:00 -0300,12,Good\n"
        "102,2025-03-03 10:00:00 -0300,Web form,Tier 2,Bia,,,Offered\n"
        "103,2025-03-04 08:00:00 -0300,Chat,Tier 1,Ana,,1.5,Bad\n"
    )
    res = load_interactions(_csv(tmp_path, text, "zendesk.csv"), "zendesk_tickets")
    d = res.data
    assert d["created_at"].tolist() == [
        T("2025-03-03 09:00"),
        T("2025-03-03 10:00"),
        T("2025-03-04 08:00"),
    ]
    assert d["channel"].tolist() == ["email", "email", "chat"]  # a web form is asynchronous
    assert _vals(d["wait_s"]) == [720.0, None, 90.0]
    assert d["answered"].tolist() == [True, False, True]
    assert d["resolved"].tolist() == [True, False, False]
    assert _vals(d["csat"]) == [5.0, None, 1.0]
    assert "category" not in d


def test_zendesk_preset_real_satisfaction_channels_and_reopens(tmp_path):
    # regression: "Good with comment", "Not Offered"... were rejected; "Mail" / "Web Form"
    # stayed apart from email; Reopens was ignored
    text = (
        "Id,Created at,Via,Satisfaction Score,Reopens,Solved at\n"
        "1,2026-01-05 09:00,Web Form,Good with comment,0,2026-01-05 09:30\n"
        "2,2026-01-05 10:00,Mail,Bad with comment,2,2026-01-05 10:30\n"
        "3,2026-01-05 11:00,Chat,Not Offered,1,2026-01-05 11:30\n"
        "4,2026-01-05 12:00,Phone call (incoming),Unoffered,0,2026-01-05 12:30\n"
        "5,2026-01-05 13:00,API,bad,0,\n"
    )
    res = load_interactions(_csv(tmp_path, text, "z.csv"), "zendesk_tickets", as_of="2026-12-31")
    d = res.data
    assert res.report["rejected"] == 0
    assert _vals(d["csat"]) == [5.0, 1.0, None, None, 1.0]
    assert d["channel"].tolist() == ["email", "email", "chat", "phone", "api"]
    assert d["reopened"].tolist() == [False, True, True, False, False]
    got = compute(res, ["csat", "reopen_rate"])
    assert got["csat"].iloc[0] == pytest.approx(1 / 3)  # 1 good of 3 rated
    assert got["reopen_rate"].iloc[0] == pytest.approx(2 / 4)  # of the 4 resolved


def test_preset_alternatives_for_export_variants(tmp_path):
    # regression: callcenter_excel wanted "AvgTalkDuration (hh:mm:ss)"; helpdesk_ptbr "Assunto"
    wb = openpyxl.Workbook()
    wb.active.append(
        ["Call Id", "Agent", "Date", "Time", "Topic", "Answered (Y/N)", "Resolved",
         "Speed of answer in seconds", "AvgTalkDuration", "Satisfaction rating"]
    )  # fmt: skip
    wb.active.append(
        ["C1", "Ana", D(2026, 1, 5), TM(9, 0), "Billing", "Y", "Y", 10, TM(0, 5, 30), 5]
    )
    wb.save(tmp_path / "cc.xlsx")
    res = load_interactions(tmp_path / "cc.xlsx", "callcenter_excel", as_of="2026-12-31")
    assert res.data["handle_time_s"].tolist() == [330.0]
    text = "Protocolo;Data de abertura;Canal;Categoria\nP1;05/01/2026 08:10;Telefone;Cobrança\n"
    res = load_interactions(_csv(tmp_path, text, "hd.csv"), "helpdesk_ptbr", as_of="2026-12-31")
    assert res.data["category"].tolist() == ["Cobrança"]
    # neither alternative: the error (or the optional warning) names both
    res = load_interactions(
        _csv(tmp_path, "Protocolo;Data de abertura;Canal\nP1;05/01/2026;Chat\n", "h2.csv"),
        "helpdesk_ptbr",
        as_of="2026-12-31",
    )
    assert (
        "Optional column 'Assunto' (or 'Categoria') (for category) not found; category left out."
        in res.warnings
    )
    with pytest.raises(DataError, match=r"names the column 'A' \(or 'B'\), which is not in"):
        load_interactions(
            tmp_path / "h2.csv",
            {
                "interaction_id": "Protocolo",
                "created_at": "Data de abertura",
                "agent": {"any_of": ["A", "B"]},
            },
        )


def test_a_date_column_at_midnight_next_to_a_time_column_gets_a_hint(tmp_path):
    text = "Id,Date,Time\n1,2026-01-05,09:00\n2,2026-01-06,10:30\n"
    path = _csv(tmp_path, text)
    res = load_interactions(
        path, {"interaction_id": "Id", "created_at": "Date"}, as_of="2026-12-31"
    )
    assert res.warnings == [
        "created_at comes from 'Date' alone and every value is at 00:00, while the file has a "
        "time column 'Time'; to combine them, map `created_at: [Date, Time]`."
    ]
    res = load_interactions(path, {"interaction_id": "Id", "created_at": ["Date", "Time"]})
    assert res.warnings == [] and res.data["created_at"].tolist()[0] == T("2026-01-05 09:00")


def test_mapping_file_warnings_reach_the_load_result(tmp_path):
    (tmp_path / "ansi.yml").write_bytes(
        "interaction_id: Nº\ncreated_at: Criação\nanswered: {column: Atendida, "
        "true_values: [yes, on], false_values: [no, off]}\n".encode("cp1252")
    )
    text = "Nº,Criação,Atendida\n1,2026-01-05 09:00,on\n2,2026-01-05 10:00,off\n"
    res = load_interactions(_csv(tmp_path, text), tmp_path / "ansi.yml", as_of="2026-12-31")
    assert res.data["answered"].tolist() == [True, False]
    assert res.warnings == [
        "Mapping file 'ansi.yml': not UTF-8; read as Windows-1252 (cp1252). Save it as UTF-8 "
        "if accented letters look wrong."
    ]


def test_optional_and_unknown_arguments(tmp_path):
    path = _csv(tmp_path, "interaction_id,created_at\n1,2025-01-05\n")
    with pytest.raises(
        OptionError, match="`on_invalid` must be one of 'reject', 'null', got 'drop'"
    ):
        load_interactions(path, on_invalid="drop")
    with pytest.raises(OptionError, match="`timezone` must be an IANA time zone"):
        load_interactions(path, timezone="Brasilia")
    with pytest.raises(OptionError, match="`as_of` must be a date/time"):
        load_interactions(path, as_of="yesterday-ish")
    with pytest.raises(OptionError, match="`source` must be a file path"):
        load_interactions(42)
    with pytest.raises(OptionError, match="`encoding` must be a Python codec name"):
        load_interactions(path, encoding="klingon")


# --------------------------------------------------------------------------- the result object


def test_result_repr_len_and_summary(tmp_path):
    text = "interaction_id,created_at,csat\n1,2025-01-05,5\n2,2025-01-05,9\n3,2025-01-05,\n"
    res = load_interactions(_csv(tmp_path, text, "s.csv"))
    assert isinstance(res, LoadResult) and len(res) == 2
    assert repr(res) == "LoadResult(source='s.csv', read=3, loaded=2, rejected=1)"
    assert res.summary("en") == (
        "s.csv: 2 of 3 rows loaded, 1 rejected.\n"
        "Rejected rows by reason:\n"
        "  - score outside its scale: 1"
    )
    assert res.summary() == (
        "s.csv: 2 de 3 linhas carregadas, 1 rejeitadas.\n"
        "Linhas rejeitadas por motivo:\n"
        "  - nota fora da escala: 1"
    )


def test_summary_translates_warnings(tmp_path):
    text = "interaction_id,created_at\n1,01/02/2025\n"
    res = load_interactions(_csv(tmp_path, text, "w.csv", encoding="cp1252"))
    assert "Avisos:" in res.summary("pt-BR") and "assumido dia primeiro" in res.summary("pt-BR")


def test_every_message_has_a_pt_br_translation():
    for msg in [
        *_LABELS.values(),
        *_WARNING_MESSAGES,
        *_SHEET_SKIP_LABELS.values(),
        "{source}: {loaded} of {read} rows loaded, {rejected} rejected.",
        "Rejected rows by reason:",
        "Values blanked (row kept) by reason:",
        "Warnings:",
    ]:
        assert t(msg, "pt-BR") != msg, msg


# --------------------------------------------------------------------------- junk never crashes

_JUNK = [
    "",
    " ",
    "1",
    "0",
    "-3",
    "4,5",
    "11",
    "S",
    "não",
    "x",
    "talvez",
    "2025-01-05 10:00",
    "05/01/2025",
    "13/13/2025",
    "2025-01-05T10:00:00Z",
    "00:01:30",
    "NaN",
    "N/A",
    "9999-12-31",
    "1e400",
    "01/25/2025 2:00 PM",
    None,
    45292.5,
    3,
    True,
]


@pytest.mark.parametrize("seed", range(12))
def test_random_junk_counts_add_up_and_input_is_untouched(seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 15))
    cols = [
        "interaction_id",
        "created_at",
        "first_response_at",
        "csat",
        "nps",
        "answered",
        "wait_s",
        "handle_time_s",
        "contacts",
        "channel",
    ]
    raw = pd.DataFrame(
        {c: [_JUNK[i] for i in rng.integers(0, len(_JUNK), n)] for c in cols}, dtype=object
    )
    raw["interaction_id"] = [f"id{i % 5}" if rng.random() < 0.8 else None for i in range(n)]
    before = raw.copy(deep=True)
    for mode in ("reject", "null"):
        res = load_interactions(raw, on_invalid=mode, as_of="2030-01-01")
        r = res.report
        assert r["read"] == n == r["loaded"] + r["rejected"]
        assert set(res.rejected["row"]) <= set(range(n))
        assert len(set(res.rejected["row"])) == r["rejected"]
        assert res.data["interaction_id"].is_unique and res.data["created_at"].notna().all()
        assert str(res.data["created_at"].dtype) == "datetime64[ns]"
        assert res.data["csat"].dropna().between(1, 5).all()
        assert (res.data["wait_s"].dropna() >= 0).all()
    pd.testing.assert_frame_equal(raw, before)


def test_mapping_level_options_and_yaml_file(tmp_path):
    path = _csv(tmp_path, "Ticket;Quando;Atendida\nT1;2025-01-05T13:00:00Z;ok\nT2;02/01/2025;nok\n")
    yml = tmp_path / "crm.yml"
    yml.write_text(
        "interaction_id: Ticket\n"
        "created_at: Quando\n"
        "answered: {column: Atendida, true_values: [ok], false_values: [nok]}\n"
        "timezone: UTC\n"
        "dayfirst: false\n",
        "utf-8",
    )
    res = load_interactions(path, yml)
    assert res.data["created_at"].tolist() == [T("2025-01-05 13:00"), T("2025-02-01")]
    assert res.data["answered"].tolist() == [True, False]
    assert res.data["abandoned"].tolist() == [False, True]
    # an explicit dayfirst wins over the mapping's; another timezone too (the default one
    # cannot: a timezone argument left at its default lets the mapping's apply)
    res = load_interactions(path, yml, dayfirst=True)
    assert res.data["created_at"].tolist() == [T("2025-01-05 13:00"), T("2025-01-02")]
    res = load_interactions(path, yml, timezone="Europe/Lisbon")
    assert res.data["created_at"].tolist()[0] == T("2025-01-05 13:00")  # Lisbon = UTC in Jan
    res = load_interactions(path, yml, timezone="Asia/Tokyo")
    assert res.data["created_at"].tolist()[0] == T("2025-01-05 22:00")
