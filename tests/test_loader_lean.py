"""The lean CSV path of the loader (issue #11 item 8): NumPy record scan + pyarrow's reader,
compact (categorical) text columns and vectorized parsers give the same results as the
reference reading (the csv module and pandas, value by value)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

import kpi_helpers.io as kio
from kpi_helpers.io import load_interactions

MAPPING = {
    "interaction_id": "Protocolo",
    "created_at": "Data de abertura",
    "channel": "Canal",
    "team": "Equipe",
    "first_response_at": "Primeira resposta",
    "resolved_at": "Encerrado em",
    "wait_s": "Espera (s)",
    "handle_time_s": "TMA",
    "resolved": "Resolvido",
    "transferred": "Transferido",
    "contacts": "Contatos",
    "csat": "Nota CSAT",
}
HEADER = (
    "Protocolo;Data de abertura;Canal;Equipe;Primeira resposta;Encerrado em;Espera (s);TMA;"
    "Resolvido;Transferido;Contatos;Nota CSAT;Observação"
)


def _messy(rows: int = 3000, seed: int = 7) -> str:
    """A pt-BR export with a title line, blank lines, quoted delimiters and line breaks, bad
    values of every kind, a duplicate, a total row and a last line cut off."""
    rng = np.random.default_rng(seed)
    lines = ["Relatório de atendimentos — exportado em 02/01/2026", HEADER]
    for i in range(rows):
        day, hour, minute = 1 + i % 28, 8 + i % 10, i % 60
        created = f"{day:02d}/03/2025 {hour:02d}:{minute:02d}"
        answered = i % 9 != 0
        first = f"{day:02d}/03/2025 {hour:02d}:{minute:02d}:{i % 60:02d}" if answered else ""
        closed = f"{min(day + 1, 28):02d}/03/2025 10:00" if i % 3 else ""
        wait = f"{rng.gamma(1.5, 60.0):.1f}".replace(".", ",") if answered else ""
        tma = f"00:{i % 60:02d}:{(i * 7) % 60:02d}" if answered else ""
        note = ["", "Cliente retornou", '"Aguardando; prazo 48h"', '"linha 1\nlinha 2"'][i % 4]
        cells = [
            f"ATD-{i:06d}",
            created,
            ["Telefone", "WhatsApp", "Chat", "E-mail"][i % 4],
            ["Suporte Nível 1", "Cobrança", "Retenção"][i % 3],
            first,
            closed,
            wait,
            tma,
            "S" if i % 3 else "N",
            "Sim" if i % 10 == 0 else "Não",
            str(1 + i % 3),
            str(1 + i % 5) if i % 2 else "",
            note,
        ]
        if i == 100:
            cells[1] = "31/02/2025 10:00"  # no such day
        if i == 200:
            cells[11] = "7"  # outside the scale
        if i == 300:
            cells[6] = "-12,0"  # negative wait
        if i == 400:
            cells[0] = "ATD-000010"  # duplicate id
        if i == 500:
            cells[0] = ""  # no id
        if i == 600:
            cells[8] = "talvez"  # not a yes/no value
        if i == 700:
            cells[7] = "abc"  # not a duration
        if i == 800:
            cells[1] = "05/03/2025 9h30"  # read by pandas' general reader
        lines.append(";".join(cells))
        if i in (1000, 2000):
            lines.append("")  # blank lines
    lines.append(";".join(["Total"] + [""] * 9 + [str(rows), "", ""]))
    lines.append("ATD-999999;31/03/2025 23:59;Telefone;Cobr")  # cut off
    return "\n".join(lines)


def _write(tmp_path, text: str, name: str = "export.csv", bom: bool = True, enc="utf-8"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(enc))
    return path


def _reference(monkeypatch, *args, **kwargs):
    """load_interactions through the reference reading only (the csv module and pandas,
    plain text columns)."""
    with monkeypatch.context() as m:
        m.setattr(kio, "_read_csv_fast", lambda *a, **k: None)
        return load_interactions(*args, **kwargs)


def _spy_fast(monkeypatch) -> list:
    taken: list = []
    real = kio._read_csv_fast

    def spy(*args, **kwargs):
        got = real(*args, **kwargs)
        taken.append(got is not None)
        return got

    monkeypatch.setattr(kio, "_read_csv_fast", spy)
    return taken


def _same(fast, ref) -> None:
    pd.testing.assert_frame_equal(fast.data, ref.data)
    pd.testing.assert_frame_equal(fast.rejected, ref.rejected)
    pd.testing.assert_frame_equal(fast.issues, ref.issues)
    assert fast.report == ref.report
    assert fast.warnings == ref.warnings


def test_the_fast_path_reads_a_messy_export_as_the_reference_does(tmp_path, monkeypatch):
    path = _write(tmp_path, _messy())
    ref = _reference(monkeypatch, path, MAPPING, as_of="2026-01-01")
    taken = _spy_fast(monkeypatch)
    fast = load_interactions(path, MAPPING, as_of="2026-01-01")
    assert taken == [True]
    _same(fast, ref)
    # what the export holds: row numbers count the title, the header and the blank lines
    rej = fast.rejected.set_index("check")
    assert rej.loc["invalid_timestamp", "row"] == 103  # data row 100 -> line 103
    assert rej.loc["short_row", "row"] == 3000 + 2 + 2 + 2  # title, header, 2 blank, total
    assert rej.loc["short_row", "value"] == "ATD-999999;31/03/2025 23:59;Telefone;Cobr"
    assert rej.loc["total_row", "Protocolo"] == "Total"
    assert fast.report["blank_rows_skipped"] == 2
    notes = fast.rejected.set_index("row")["Observação"]
    quoted = [v for v in notes if isinstance(v, str) and "\n" in v]
    assert set(quoted) <= {"linha 1\nlinha 2"}
    # the compact path was used: the source's repeated columns came as categoricals
    d = fast.data
    assert str(d["created_at"].dtype) == "datetime64[ns]"
    assert d["team"].tolist()[:3] == ["Suporte Nível 1", "Cobrança", "Retenção"]


@pytest.mark.parametrize("on_invalid", ["reject", "null"])
def test_on_invalid_null_is_the_same_on_both_paths(tmp_path, monkeypatch, on_invalid):
    path = _write(tmp_path, _messy(600, seed=3), bom=False)
    ref = _reference(monkeypatch, path, MAPPING, as_of="2026-01-01", on_invalid=on_invalid)
    fast = load_interactions(path, MAPPING, as_of="2026-01-01", on_invalid=on_invalid)
    _same(fast, ref)


def test_hand_computed_rows_with_quotes_line_breaks_and_a_bom(tmp_path, monkeypatch):
    text = (
        "interaction_id;created_at;note\r\n"
        '1;05/01/2025 10:00;"a; b"\r\n'
        '2;05/01/2025 11:00;"two\r\nlines"\r\n'
        "\r\n"
        '3;xx;"say ""hi"""\r\n'
        "4;05/01/2025 12:00\r\n"
        "5;05/01/2025 13:00;ok"
    )
    path = _write(tmp_path, text)
    taken = _spy_fast(monkeypatch)
    res = load_interactions(path)
    assert taken == [True]
    assert res.data["interaction_id"].tolist() == ["1", "2", "5"]
    assert res.data["created_at"].tolist() == [
        pd.Timestamp("2025-01-05 10:00"),
        pd.Timestamp("2025-01-05 11:00"),
        pd.Timestamp("2025-01-05 13:00"),
    ]
    rej = res.rejected
    assert rej["row"].tolist() == [5, 6]  # the blank line counts as a row
    assert rej["check"].tolist() == ["invalid_timestamp", "short_row"]
    assert rej["note"].tolist()[0] == 'say "hi"'
    assert rej["value"].tolist()[1] == "4;05/01/2025 12:00"
    assert res.report["blank_rows_skipped"] == 1
    ref = _reference(monkeypatch, path)
    _same(res, ref)


def test_windows_1252_and_mixed_lines_take_the_fast_path_with_their_warnings(tmp_path, monkeypatch):
    text = "interaction_id;created_at;team\n1;05/01/2025;Cobrança\n2;06/01/2025;Técnico\n"
    path = _write(tmp_path, text, bom=False, enc="cp1252")
    ref = _reference(monkeypatch, path)
    taken = _spy_fast(monkeypatch)
    fast = load_interactions(path)
    assert taken == [True]
    _same(fast, ref)
    assert fast.data["team"].tolist() == ["Cobrança", "Técnico"]
    assert any("Windows-1252" in w for w in fast.warnings)
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(text.encode("utf-8") + "3;07/01/2025;Ação\n".encode("cp1252"))
    _same(load_interactions(mixed), _reference(monkeypatch, mixed))


def test_odd_quoting_goes_to_the_reference_reader(tmp_path, monkeypatch):
    text = 'interaction_id,created_at,note\n1,2025-01-05,a 5" screen\n2,2025-01-06,ok\n'
    path = _write(tmp_path, text, bom=False)
    taken = _spy_fast(monkeypatch)
    fast = load_interactions(path)
    assert taken == [False]  # a quote inside an unquoted field: the csv module reads it
    assert fast.data["interaction_id"].tolist() == ["1", "2"]


def test_a_long_row_is_refused_with_the_same_message(tmp_path, monkeypatch):
    text = "interaction_id;created_at\n1;2025-01-05\n2;2025-01-06;extra\n3;2025-01-07;more\n"
    path = _write(tmp_path, text, bom=False)
    with pytest.raises(Exception) as fast:
        load_interactions(path)
    with pytest.raises(Exception) as ref:
        _reference(monkeypatch, path)
    assert str(fast.value) == str(ref.value)
    assert "row 3 has 3 fields, the header 2 (and 1 more row(s)" in str(fast.value)


@pytest.mark.parametrize(
    "text",
    [
        'a;b;c\n1;"x;y";3\n\n4;5\n"6\n7";8;9\n',
        'a;b\r\n"";""\r\n"q""";x\r\n;\r\n',
        "a;b;c\n1;2;3",
        'a;b\n"x\ny";"z"\n\n\n1;2\n',
    ],
)
def test_the_record_scan_counts_fields_as_the_csv_module(text):
    recs = kio._scan_records(text.encode(), ";")
    want = [len(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=";")]
    assert recs.counts.tolist() == want


def test_the_record_scan_leaves_odd_quoting_and_bare_cr_to_the_csv_module():
    assert kio._scan_records(b'a;b\n1;x"y\n', ";") is None
    assert kio._scan_records(b'a;b\n1;"open\n', ";") is None
    assert kio._scan_records(b"a;b\r1;2\r", ";") is None


def test_dates_cut_by_position_read_as_the_reference_reader():
    from kpi_helpers.validation import _dmy_arrow, _dmy_pieces

    texts = [
        "05/01/2025 10:00",
        "5/1/25",
        "31/02/2025 10:00:05,5 PM",
        "12/13/2025",
        "29/02/2024 23:59:59.123456",
        "01/02/3026",
        "1/2/2025 12:00 am",
        "13/01/2025 13:00 PM",
        "31/04/2025",
        "29/02/2023 10:00:00",
        "10.11.2024 23:59",
    ]
    for dayfirst in (True, False):
        fast = _dmy_arrow(pd.Series(texts, dtype="str"), dayfirst)
        ref = _dmy_pieces(pd.Series(texts, dtype=object), dayfirst)
        assert fast[0].astype("int64").tolist() == ref[0].astype("int64").tolist()
        assert fast[1].tolist() == ref[1].tolist()
        np.testing.assert_array_equal(fast[2], ref[2])
