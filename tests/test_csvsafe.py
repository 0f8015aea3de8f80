"""CSV files the project writes cannot run formulas in a spreadsheet (OWASP CSV injection)."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from kpi_helpers import sample
from kpi_helpers.csvsafe import safe_cell, safe_csv_frame, write_csv
from kpi_helpers.explore import DrillResult, explore

HOSTILE = [
    '=HYPERLINK("http://x")',
    "@SUM(A1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\rA1+1",
]


def _cells(path) -> list[list[str]]:
    """The cells as a spreadsheet gets them (quotes removed, text as written)."""
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["-3.5", "+10", "-1,5", "1e5", "-2.5E-3", "42", "", "a=b", "ok", "'=already"]
)
def test_numbers_and_plain_text_stay(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-3.5, -2, np.float64(-1.0), None, np.nan, pd.NaT, True])
def test_non_text_values_stay(value):
    assert safe_cell(value) is value


def test_a_lone_carriage_return_starts_a_cell_too():
    # the CSV writer leaves "x\r=1" unquoted, and a spreadsheet may read "=1" as a new row
    assert safe_cell("x\r=HYPERLINK(1)") == "x\r'=HYPERLINK(1)"
    assert safe_cell("x\r\n=1") == "x\r\n=1"  # quoted by the writer: one cell


def test_safe_csv_frame_keeps_numbers_dtypes_and_the_input():
    df = pd.DataFrame(
        {
            "text": [*HOSTILE, "-3.5", None],
            "number": [-3.5, -2.0, 1.0, 2.0, 3.0, 4.0, 5.0, np.nan],
            "string": pd.array(["=1", "b", None, "-1", "-x", "ok", "@", "+"], dtype="string"),
            "cat": pd.Categorical(["=1", "b"] * 4),
        }
    )
    df["=1+1"] = 0  # a column label is a cell too
    before = df.copy()
    out = safe_csv_frame(df)
    pd.testing.assert_frame_equal(df, before)  # the input is not modified
    assert out["text"].tolist()[:-1] == ["'" + t for t in HOSTILE] + ["-3.5"]
    assert pd.isna(out["text"].iloc[-1])
    assert out["number"].dtype == np.float64 and out["number"].iloc[0] == -3.5
    assert out["string"].dtype == df["string"].dtype
    assert out["string"].tolist()[:2] == ["'=1", "b"]
    assert out["string"].tolist()[3:] == ["-1", "'-x", "ok", "'@", "'+"]
    assert out["string"].isna().tolist()[2]
    assert list(out["cat"].cat.categories) == ["'=1", "b"]
    assert list(out.columns) == ["text", "number", "string", "cat", "'=1+1"]


def test_safe_csv_frame_with_duplicate_labels_and_text_index():
    df = pd.DataFrame([["=a", "=b"]], columns=["c", "c"], index=["@i"])
    out = safe_csv_frame(df)
    assert out.to_numpy().tolist() == [["'=a", "'=b"]]
    assert list(out.index) == ["'@i"]


def test_write_csv_neutralises_text_and_writes_numbers_as_numbers(tmp_path):
    df = pd.DataFrame({"cell": HOSTILE[:4] + ["plain"], "value": [-3.5, 1.0, 2.0, 3.0, 4.0]})
    path = write_csv(df, tmp_path / "out.csv")
    rows = _cells(path)
    assert rows[0] == ["cell", "value"]  # no index column by default
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE[:4]] + ["plain"]
    assert rows[1][1] == "-3.5"  # a real number: no quote
    back = pd.read_csv(path)
    assert back["value"].tolist() == [-3.5, 1.0, 2.0, 3.0, 4.0]


def test_explorer_export_neutralises_formula_cells(tiny, tmp_path):
    """Both paths of DrillResult.to_csv: the rows shown, and every row from the engine."""
    data = tiny.assign(team=[HOSTILE[i % 4] for i in range(len(tiny))])
    ex = explore(data, lang="en", metrics=["volume"], grain="month", start="2026-01-01",
                 end="2026-03-31")  # fmt: skip
    from kpi_helpers.explore import drill_down

    d = drill_down(ex._table, ex.state, "volume", "2026-01-01", mode="all", limit=1, lang="en")
    assert d.truncated  # so to_csv reads every row from the engine
    for path in (d.to_csv(tmp_path / "all.csv"), d.to_csv(tmp_path / "shown.csv", all_rows=False)):
        rows = _cells(path)
        col = rows[0].index("team")
        teams = [r[col] for r in rows[1:]]
        assert teams and all(t.startswith("'") for t in teams), teams
        assert {t[1:] for t in teams} <= set(HOSTILE)
    assert len(_cells(tmp_path / "all.csv")) == 1 + 3  # a, b, c in January

    rows = pd.DataFrame({"interaction_id": HOSTILE[:4], "handle_time_s": [-3.5, 1.0, 2.0, 3.0]})
    path = DrillResult(rows=rows, total=4, metric="aht", mode="all").to_csv(tmp_path / "d.csv")
    cells = _cells(path)
    assert [r[0] for r in cells[1:]] == [
        '\'=HYPERLINK("http://x")',
        "'@SUM(A1)",
        "'+cmd|' /C calc'!A0",
        "'-2+3",
    ]
    assert cells[1][1] == "-3.5"


def test_sample_operations_writer_neutralises_formula_cells(tmp_path, monkeypatch):
    real_generate = sample.generate
    real_operations = sample.generate_operations
    monkeypatch.setattr(
        sample,
        "generate",
        lambda **kw: real_generate(300, start="2026-01-01", end="2026-02-01", **kw),
    )

    def hostile_operations(data, **kw):
        ops = real_operations(data, **kw)
        return ops.assign(team=[HOSTILE[i % len(HOSTILE)] for i in range(len(ops))])

    monkeypatch.setattr(sample, "generate_operations", hostile_operations)
    paths = sample.write_sample(tmp_path, seed=3)
    rows = _cells(paths["operations"])
    col = rows[0].index("team")
    assert all(r[col].startswith("'") for r in rows[1:])
    ops = pd.read_csv(paths["operations"])
    assert ops["cost_total"].dtype == np.float64  # numbers stay numbers
    assert ops["month"].tolist()[0] == "2026-01-01"
