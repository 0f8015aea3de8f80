"""load_interactions on the flaws of real exports: cut-off lines, contradictory dates, a
UTF-8 file with a Windows-1252 line, resolution before the first response, Excel formulas
without a saved value and Excel's blank date. Nothing is lost silently: a row that fails is in
``.rejected`` with its reason, anything else that was assumed is in ``.warnings``.

Every expected value is worked out by hand from the small files written below.
"""

from __future__ import annotations

import pandas as pd
import pytest

from kpi_helpers.errors import DataError
from kpi_helpers.io import load_interactions

T = pd.Timestamp


def _csv(tmp_path, text: str, name: str = "export.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _accounted(res) -> None:
    """read = loaded + rejected, and one line of .rejected per rejected row."""
    r = res.report
    assert r["read"] == r["loaded"] + r["rejected"]
    assert len(res.rejected) == r["rejected"]


# --------------------------------------------------------------------------- 1. cut-off rows

HEADER_12 = (
    "interaction_id,created_at,channel,team,agent,category,first_response_at,resolved_at,"
    "answered,resolved,csat,nps"
)


def test_a_cut_off_last_line_is_rejected_with_its_field_count(tmp_path):
    text = "\n".join(
        [
            HEADER_12,  # row 1
            "1230,2026-10-31 09:00,phone,A,Ana,billing,2026-10-31 09:00:20,"
            "2026-10-31 09:10,Y,Y,5,10",  # row 2
            # row 3: quoted fields with the separator and a line break inside: one record
            '1231,2026-10-31 09:30,chat,A,"Silva, Bia","billing\nand refunds",'
            "2026-10-31 09:31,,Y,N,4,8",
            "",  # row 4: blank line (no fields: a blank row, not a short one)
            "1232,2026-10-31 09:45,phone,B,Caio,tech,,,N,N,,",  # row 5
            "1234,2026-10-31 10:",  # row 6: the download stopped here
        ]
    )
    res = load_interactions(_csv(tmp_path, text), as_of="2026-11-01")
    assert res.data["interaction_id"].tolist() == ["1230", "1231", "1232"]
    assert res.data["agent"].tolist() == ["Ana", "Silva, Bia", "Caio"]
    assert res.data["category"].tolist() == ["billing", "billing\nand refunds", "tech"]
    assert res.report["blank_rows_skipped"] == 1
    assert (res.report["read"], res.report["loaded"], res.report["rejected"]) == (4, 3, 1)
    assert res.report["rejected_by_reason"] == {"short_row": 1}
    rej = res.rejected.iloc[0]
    assert rej["row"] == 6
    assert rej["reason"].startswith("row 6 has 2 of 12 fields")
    assert rej["check"] == "short_row"
    assert rej["value"] == "1234,2026-10-31 10:"
    assert rej["interaction_id"] == "1234" and rej["created_at"] == "2026-10-31 10:"
    # the only reason: not also "unreadable date" or "abandoned call"
    assert res.issues["check"].tolist() == ["short_row"]
    _accounted(res)
    assert "fewer fields than the header (line cut off): 1" in res.summary("en")
    assert "menos campos que o cabeçalho (linha cortada): 1" in res.summary("pt-BR")


def test_a_short_row_in_the_middle_is_rejected_even_with_on_invalid_null(tmp_path):
    text = (
        "interaction_id;created_at;answered;csat\n"
        "a;05/01/2026 10:00;S;5\n"
        "b;05/01/2026 11:00\n"  # row 3: two of four fields
        'c;05/01/2026 12:00;N;"4"\n'
    )
    res = load_interactions(_csv(tmp_path, text), on_invalid="null", as_of="2026-02-01")
    assert res.data["interaction_id"].tolist() == ["a", "c"]
    assert res.data["answered"].tolist() == [True, False]
    assert res.rejected["row"].tolist() == [3]
    assert res.rejected["reason"].iloc[0].startswith("row 3 has 2 of 4 fields")
    assert res.report["nulled"] == 0
    _accounted(res)


def test_a_row_with_too_many_fields_refuses_the_file_naming_the_row(tmp_path):
    # decided: a row with values in extra fields (a text with an unquoted separator) cannot
    # be read safely (which value is extra?), so the file is refused as pandas refuses it,
    # now naming the row; even when it is the first data row (pandas would silently take
    # the first column as the index and shift every value)
    for text, row in (
        ("interaction_id,created_at,agent\n1,2026-01-05 10:00,Ana\n2,2026-01-05,Silva, Bia\n", 3),
        ("interaction_id,created_at,agent\n1,2026-01-05 10:00,Silva, Bia\n2,2026-01-05,Ana\n", 2),
    ):
        with pytest.raises(DataError) as exc:
            load_interactions(_csv(tmp_path, text, "long.csv"))
        msg = str(exc.value)
        assert "long.csv: is not a readable delimited text file." in msg
        assert f"found: row {row} has 4 fields, the header 3" in msg
        assert "quote texts that contain the separator" in msg


def test_separators_at_the_end_of_the_lines_are_not_extra_fields(tmp_path):
    # every data line ends with a separator (pandas would take column 1 as the index)
    text = "interaction_id,created_at,agent\n1,2026-01-05 10:00,Ana,\n2,2026-01-05 11:00,Bia,\n"
    res = load_interactions(_csv(tmp_path, text, "trail.csv"), as_of="2026-02-01")
    assert res.data["interaction_id"].tolist() == ["1", "2"]
    assert res.data["agent"].tolist() == ["Ana", "Bia"]
    assert res.data["created_at"].tolist() == [T("2026-01-05 10:00"), T("2026-01-05 11:00")]
    assert res.report["rejected"] == 0
    # only the header line ends with a separator: its unnamed cell expects no field
    text = "interaction_id,created_at,agent,\n1,2026-01-05 10:00,Ana\n2,2026-01-05 11:00,Bia\n"
    res = load_interactions(_csv(tmp_path, text, "trail2.csv"), as_of="2026-02-01")
    assert res.data["agent"].tolist() == ["Ana", "Bia"]
    assert res.report["rejected"] == 0


# --------------------------------------------------------------------------- 2. dd/mm vs mm/dd


def test_a_date_column_with_both_readings_warns_with_an_example_of_each(tmp_path):
    text = (
        "interaction_id,created_at\n"
        "a,05/01/2026 08:00\n"  # row 2: reads both ways
        "b,13/01/2026 10:00\n"  # row 3: only day-first
        "c,14/01/2026 09:00\n"  # row 4: only day-first
        "d,01/13/2026 11:00\n"  # row 5: only month-first
    )
    res = load_interactions(_csv(tmp_path, text), as_of="2026-02-01")
    # two rows say day-first, one month-first: read day-first
    assert res.data["interaction_id"].tolist() == ["a", "b", "c"]
    assert res.data["created_at"].tolist() == [
        T("2026-01-05 08:00"),
        T("2026-01-13 10:00"),
        T("2026-01-14 09:00"),
    ]
    assert res.warnings == [
        "Dates in 'created_at' contradict each other: '13/01/2026 10:00' (row 3) can only be "
        "day-first (dd/mm/yyyy), '01/13/2026 11:00' (row 5) only month-first (mm/dd/yyyy). "
        "Read day-first; the 1 row(s) that can only be month-first are reported as "
        "unreadable dates. Pass dayfirst=False if most dates are mm/dd/yyyy."
    ]
    # the row that does not fit is still rejected, with its reason
    assert res.rejected["row"].tolist() == [5]
    assert res.rejected["check"].tolist() == ["invalid_timestamp"]
    assert (
        res.rejected["reason"]
        .iloc[0]
        .startswith("created_at: '01/13/2026 11:00' is not a date/time")
    )
    _accounted(res)
    assert "As datas em 'created_at' se contradizem" in res.summary("pt-BR")


def test_contradictory_dates_follow_the_majority_or_the_declared_reading(tmp_path):
    text = (
        "interaction_id,created_at,resolved_at\n"
        "a,01/13/2026,01/13/2026 10:00\n"  # row 2: only month-first
        "b,01/14/2026,\n"  # row 3: only month-first
        "c,13/01/2026,\n"  # row 4: only day-first
    )
    path = _csv(tmp_path, text)
    res = load_interactions(path, as_of="2026-02-01")
    assert res.data["created_at"].tolist() == [T("2026-01-13"), T("2026-01-14")]
    assert res.data["resolved_at"].tolist()[0] == T("2026-01-13 10:00")
    assert res.rejected["row"].tolist() == [4]
    conflict = [w for w in res.warnings if "contradict" in w]
    assert conflict == [
        "Dates in 'created_at' contradict each other: '13/01/2026' (row 4) can only be "
        "day-first (dd/mm/yyyy), '01/13/2026' (row 2) only month-first (mm/dd/yyyy). "
        "Read month-first; the 1 row(s) that can only be day-first are reported as "
        "unreadable dates. Pass dayfirst=True if most dates are dd/mm/yyyy."
    ]
    # declared day-first: the two month-first rows are the ones rejected, still with a warning
    res = load_interactions(path, as_of="2026-02-01", dayfirst=True)
    assert res.data["created_at"].tolist() == [T("2026-01-13")]
    assert res.rejected["row"].tolist() == [2, 3]
    assert any("Read day-first; the 2 row(s)" in w for w in res.warnings)
    _accounted(res)


# --------------------------------------------------------------------------- 3. mixed encodings


def test_a_windows_1252_line_in_a_utf8_file_keeps_its_accents(tmp_path):
    data = (
        b"interaction_id,created_at,agent\n"
        + "1,2026-01-05 10:00,José\n".encode()  # line 2: UTF-8
        + b"2,2026-01-05 11:00,Jo\xe3o\n"  # line 3: Windows-1252 (pasted from another file)
        + "3,2026-01-05 12:00,Conceição\n".encode()  # line 4: UTF-8
        + b"4,2026-01-05 13:00,Ana Ara\xfajo\n"  # line 5: Windows-1252
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    res = load_interactions(path, as_of="2026-02-01")
    assert res.data["agent"].tolist() == ["José", "João", "Conceição", "Ana Araújo"]
    assert res.warnings == [
        "mixed.csv: 2 line(s) are not UTF-8 like the rest of the file (line 3, 5); those were "
        "read as Windows-1252 (cp1252). Check their accented letters, or pass encoding=..."
    ]
    assert "2 linha(s) não estão em UTF-8 como o resto do arquivo (linha 3, 5)" in res.summary(
        "pt-BR"
    )
    _accounted(res)


def test_a_file_all_in_windows_1252_is_still_read_whole_as_before(tmp_path):
    text = "interaction_id,created_at,agent\n1,2026-01-05 10:00,João\n2,2026-01-05 11:00,Zé\n"
    res = load_interactions(_csv(tmp_path, text, "old.csv", "cp1252"), as_of="2026-02-01")
    assert res.data["agent"].tolist() == ["João", "Zé"]
    assert res.warnings == [
        "old.csv: not UTF-8; read as Windows-1252 (cp1252). Pass encoding=... if accented "
        "letters look wrong."
    ]


# --------------------------------------------------------------------------- 4. resolved early


def test_a_resolution_before_the_first_response_is_rejected(tmp_path):
    text = (
        "interaction_id,created_at,first_response_at,resolved_at\n"
        "a,2026-01-05 10:00,2026-01-05 10:05,2026-01-05 11:00\n"  # row 2: fine
        "b,2026-01-05 10:00,2026-01-05 10:05,2026-01-05 10:02\n"  # row 3: resolved first
        "c,2026-01-05 10:00,2026-01-05 10:05,2026-01-05 09:00\n"  # row 4: before the contact
        "d,2026-01-05 10:00,2026-01-05 10:05,2026-01-05 10:05\n"  # row 5: same minute: fine
        "e,2026-01-05 10:00,,2026-01-05 10:30\n"  # row 6: never answered, resolved: fine
    )
    res = load_interactions(_csv(tmp_path, text), as_of="2026-02-01")
    assert res.data["interaction_id"].tolist() == ["a", "d", "e"]
    assert res.rejected["row"].tolist() == [3, 4]
    assert res.rejected["check"].tolist() == ["resolved_before_response", "before_created"]
    assert res.rejected["reason"].tolist() == [
        "resolved_at: 2026-01-05 10:02:00 is before the first response (first_response_at "
        "2026-01-05 10:05:00): resolved before it was answered",
        "resolved_at: 2026-01-05 09:00:00 is before created_at 2026-01-05 10:00:00",
    ]
    assert res.report["rejected_by_reason"] == {
        "resolved_before_response": 1,
        "before_created": 1,
    }
    _accounted(res)
    assert "  - resolution before the first response: 1" in res.summary("en")
    assert "  - resolução antes da primeira resposta: 1" in res.summary("pt-BR")


def test_check_canonical_reports_a_resolution_before_the_first_response():
    from kpi_helpers.validation import check_canonical

    data = pd.DataFrame(
        {
            "interaction_id": ["a", "b"],
            "created_at": [T("2026-01-05 10:00"), T("2026-01-05 10:00")],
            "first_response_at": [T("2026-01-05 10:30"), T("2026-01-05 10:30")],
            "resolved_at": [T("2026-01-05 10:20"), T("2026-01-05 10:40")],
        }
    )
    got = check_canonical(data, scales={}, as_of=None)
    assert got.values.tolist() == [[0, "resolved_at", "resolved_before_response"]]


# --------------------------------------------------------------------------- 5. Excel


def _book(tmp_path, rows: list[list], name: str = "calls.xlsx", date_cols=(2, 3, 4)):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calls"
    for row in rows:
        ws.append(row)
    for r in range(2, len(rows) + 1):
        for c in date_cols:
            ws.cell(r, c).number_format = "yyyy-mm-dd hh:mm"
    path = tmp_path / name
    wb.save(path)
    return path


HEAD = ["interaction_id", "created_at", "first_response_at", "resolved_at", "wait_s", "csat"]


def test_formula_cells_without_a_saved_value_are_reported(tmp_path):
    import datetime as dt

    d = dt.datetime
    path = _book(
        tmp_path,
        [
            HEAD,
            ["a", d(2026, 1, 5, 10), None, None, 30, "=2+3"],  # row 2: csat never calculated
            ["b", d(2026, 1, 5, 11), None, None, "=E2*2", 4],  # row 3: wait_s never calculated
            ["c", d(2026, 1, 5, 12), None, None, "=E3*2", "=F3"],  # row 4: both
        ],
    )
    res = load_interactions(path, as_of="2026-02-01")
    # the values read blank (openpyxl reads the values Excel saved: there are none) ...
    assert res.data["wait_s"].tolist()[0] == 30.0
    assert res.data["wait_s"].isna().tolist() == [False, True, True]
    assert res.data["csat"].isna().tolist() == [True, False, True]
    # ... and that is said, per column, with the rows
    assert res.warnings == [
        "calls.xlsx: 2 formula cell(s) in column 'wait_s' have no saved value (row 3, 4) and "
        "read as blank: the workbook was not calculated and saved by Excel. Open it in "
        "Excel, save it and load it again.",
        "calls.xlsx: 2 formula cell(s) in column 'csat' have no saved value (row 2, 4) and "
        "read as blank: the workbook was not calculated and saved by Excel. Open it in "
        "Excel, save it and load it again.",
    ]
    assert "célula(s) com fórmula na coluna 'csat' não têm valor salvo" in res.summary("pt-BR")
    _accounted(res)


def test_a_workbook_without_formulas_has_no_formula_warning(tmp_path):
    import datetime as dt

    path = _book(tmp_path, [HEAD, ["a", dt.datetime(2026, 1, 5, 10), None, None, 30, 5]])
    res = load_interactions(path, as_of="2026-02-01")
    assert res.warnings == [] and res.data["csat"].tolist() == [5.0]


def test_excel_blank_date_rejects_created_at_and_blanks_the_others(tmp_path):
    # Excel's date 0 ("1900-01-00", a blank date cell); openpyxl reads it as a bare 00:00
    import datetime as dt

    d = dt.datetime
    path = _book(
        tmp_path,
        [
            HEAD,
            ["a", d(2026, 1, 5, 10), d(2026, 1, 5, 10, 1), d(2026, 1, 5, 11), None, 5],  # row 2
            ["b", 0, d(2026, 1, 5, 10, 1), None, None, None],  # row 3: no created_at
            ["c", d(2026, 1, 5, 12), 0, 0, 45, None],  # row 4: blank response, resolution
            ["d", d(2026, 1, 5, 13), d(2026, 1, 5, 13, 2), 0, None, None],  # row 5
        ],
    )
    res = load_interactions(path, as_of="2026-02-01")
    assert res.data["interaction_id"].tolist() == ["a", "c", "d"]
    assert res.rejected["row"].tolist() == [3]
    assert res.rejected["check"].tolist() == ["excel_blank_date"]
    assert res.rejected["reason"].iloc[0] == (
        "created_at: empty Excel date (1899-12-31): '00:00:00' is Excel's date 0, what a "
        "blank date cell holds"
    )
    # optional timestamps: blank (not "before created_at"), with a warning per column
    assert res.data["first_response_at"].isna().tolist() == [False, True, False]
    assert res.data["resolved_at"].isna().tolist() == [False, True, True]
    assert res.data["resolved"].tolist() == [True, False, False]
    assert res.data["answered"].tolist() == [True, True, True]  # c: wait_s 45 says answered
    assert res.warnings == [
        "'first_response_at': 1 empty Excel date(s) (1899-12-31, Excel's date 0: a blank "
        "date cell) read as blank.",
        "'resolved_at': 2 empty Excel date(s) (1899-12-31, Excel's date 0: a blank date "
        "cell) read as blank.",
    ]
    _accounted(res)
    assert "  - data vazia do Excel (31/12/1899): 1" in res.summary("pt-BR")


def test_excel_blank_dates_as_other_readers_give_them(tmp_path):
    # 1899-12-30 (pandas / older openpyxl), 1899-12-31 (xlrd), the text 1900-01-00, serial 0
    import datetime as dt

    raw = pd.DataFrame(
        {
            "interaction_id": ["a", "b", "c", "d", "e"],
            "created_at": [
                dt.datetime(2026, 1, 5, 10),
                dt.datetime(1899, 12, 30),
                dt.datetime(1899, 12, 31),
                "1900-01-00",
                dt.datetime(2026, 1, 5, 11),
            ],
            "resolved_at": [dt.datetime(1899, 12, 31), None, None, None, 0],
        }
    )
    res = load_interactions(raw, as_of="2026-02-01")
    assert res.data["interaction_id"].tolist() == ["a", "e"]
    assert res.data["resolved_at"].isna().tolist() == [True, True]
    assert res.rejected["row"].tolist() == [1, 2, 3]  # 0-based positions of a DataFrame
    assert set(res.rejected["check"]) == {"excel_blank_date"}
    assert res.warnings == [
        "'resolved_at': 2 empty Excel date(s) (1899-12-31, Excel's date 0: a blank date "
        "cell) read as blank."
    ]
    _accounted(res)
