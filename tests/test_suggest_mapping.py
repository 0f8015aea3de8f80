"""``kpi-report check-data --suggest-mapping``: a starter mapping guessed from an export's
header and values (kpi_helpers.suggest), that loads as written and gives the KPIs computed
here by hand; unsure entries are commented out with the reason."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kpi_helpers as kh
from kpi_helpers.mapping import parse_mapping
from kpi_helpers.suggest import suggest_mapping

CLI = [sys.executable, "-m", "kpi_helpers.report"]

PT_HEADER = ["Protocolo", "Data", "Hora", "Canal", "Atendente", "Espera", "Resolvido", "Nota"]
PT_ROWS = [
    ("20260105001", "05/01/2026", "08:10", "WhatsApp", "Ana", "00:02:00", "Sim", "9"),
    ("20260105002", "05/01/2026", "09:45", "Telefone", "Bruno", "00:00:40", "Sim", "10"),
    ("20260106001", "06/01/2026", "10:05", "E-mail", "Carla", "", "Não", ""),
    ("20260113001", "13/01/2026", "11:30", "WhatsApp", "Ana", "00:05:20", "Não", "9"),
    ("20260114001", "14/01/2026", "14:00", "Telefone", "Bruno", "00:01:00", "Sim", "8"),
    ("20260120001", "20/01/2026", "15:15", "Chat", "Carla", "", "Não", ""),
    ("20260121001", "21/01/2026", "16:20", "WhatsApp", "Ana", "00:03:00", "Sim", "0"),
    ("20260127001", "27/01/2026", "17:05", "E-mail", "Bruno", "00:10:00", "Sim", "7"),
]
EN_HEADER = ["Ticket ID", "Created", "Channel", "Agent", "First response (min)", "Status", "CSAT"]
EN_ROWS = [
    ("T-1001", "01/13/2026 09:15", "Email", "Sam", "12", "Resolved", "5"),
    ("T-1002", "01/13/2026 10:40", "Chat", "Kim", "1.5", "Open", ""),
    ("T-1003", "01/14/2026 08:05", "Phone", "Sam", "", "Pending", ""),
    ("T-1004", "01/20/2026 13:30", "Email", "Lee", "30", "Resolved", "4"),
    ("T-1005", "01/21/2026 16:45", "Chat", "Kim", "0.5", "Resolved", "2"),
    ("T-1006", "01/22/2026 11:00", "Phone", "Lee", "", "Open", ""),
]


def write_csv(path: Path, header, rows, delimiter: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def pt_export(tmp_path) -> Path:
    return write_csv(tmp_path / "chamados.csv", PT_HEADER, PT_ROWS, ";")


@pytest.fixture
def en_export(tmp_path) -> Path:
    return write_csv(tmp_path / "tickets.csv", EN_HEADER, EN_ROWS, ",")


def active(text: str) -> dict:
    """The entries of a suggested mapping that are not commented out."""
    return yaml.safe_load(text) or {}


def line_of(text: str, start: str) -> str:
    found = [line for line in text.splitlines() if line.startswith(start)]
    assert len(found) == 1, (start, text)
    return found[0]


def load_kpis(export: Path, mapping_text: str, tmp_path: Path, metrics: list[str]):
    path = tmp_path / "suggested.yml"
    path.write_text(mapping_text, encoding="utf-8")
    result = kh.load_interactions(export, mapping=path)
    return result, kh.compute(result, metrics).iloc[0]


# -- the pt-BR export -------------------------------------------------------------------------
def test_pt_export_picks_the_columns_and_comments_out_the_unsure_score(pt_export):
    text, notes = suggest_mapping(pt_export, lang="en")
    assert text.startswith("# Starter mapping for chamados.csv (8 rows read)")
    assert active(text) == {
        "dayfirst": True,
        "interaction_id": "Protocolo",
        "created_at": ["Data", "Hora"],
        "channel": "Canal",
        "agent": "Atendente",
        "wait_s": {"column": "Espera", "unit": "hh:mm:ss"},
        "resolved": {"column": "Resolvido", "true_values": ["Sim"], "false_values": ["Não"]},
    }
    assert "'13/01/2026'" in line_of(text, "dayfirst:")  # the value that decided it
    assert "WhatsApp (3), E-mail (2), Telefone (2), Chat (1)" in line_of(text, "channel:")
    # Nota answers 0-10: csat or NPS? written commented out, with the reason
    nota = line_of(text, "# csat:")
    assert nota.startswith("# csat: {column: Nota, scale: [0, 10]}   # values 0-10: is this NPS?")
    assert any(n.startswith("csat (Nota), commented out: values 0-10: is this NPS?") for n in notes)
    assert "Not mapped" not in text  # every column found its field


def test_pt_mapping_loads_as_written_and_gives_the_hand_computed_kpis(pt_export, tmp_path):
    text, _ = suggest_mapping(pt_export, lang="pt-BR")
    metrics = ["volume", "answered", "answer_rate", "asa", "resolution_rate"]
    result, kpis = load_kpis(pt_export, text, tmp_path, metrics)
    assert result.report["loaded"] == 8 and result.report["rejected"] == 0
    waits = [120, 40, 320, 60, 180, 600]  # the non-blank Espera values, in seconds
    assert kpis["volume"] == 8
    assert kpis["answered"] == 6
    assert kpis["answer_rate"] == pytest.approx(6 / 8)
    assert kpis["asa"] == pytest.approx(sum(waits) / 6)
    assert kpis["resolution_rate"] == pytest.approx(5 / 8)
    data = result.data
    assert data.loc[0, "created_at"] == pd.Timestamp("2026-01-05 08:10")
    assert data.loc[3, "created_at"] == pd.Timestamp("2026-01-13 11:30")
    # the README's edit: the 0-10 Nota is NPS -> `nps: Nota` in place of the commented line
    edited = text.replace(line_of(text, "# csat:"), "nps: Nota")
    _, kpis = load_kpis(pt_export, edited, tmp_path, ["nps"])
    promoters, detractors = 3, 1  # 9, 10, 9 / 0 (of 9, 10, 9, 8, 0, 7)
    assert kpis["nps"] == pytest.approx(100 * (promoters - detractors) / 6)


def test_comments_and_notes_speak_pt_br(pt_export):
    text, notes = suggest_mapping(pt_export, lang="pt-BR")
    assert text.startswith("# Mapeamento inicial para chamados.csv (8 linhas lidas)")
    assert "# uma coluna de data + uma coluna de hora" in line_of(text, "created_at:")
    assert "isto é NPS? (então escreva nps: Nota)" in line_of(text, "# csat:")
    assert notes == ["csat (Nota), comentada: valores 0-10: isto é NPS? (então escreva nps: Nota)"]


# -- the English export -----------------------------------------------------------------------
def test_en_export_picks_the_columns_and_lists_the_status_values(en_export, tmp_path):
    text, notes = suggest_mapping(en_export, lang="en")
    assert active(text) == {
        "dayfirst": False,
        "interaction_id": "Ticket ID",
        "created_at": "Created",
        "channel": "Channel",
        "agent": "Agent",
        "wait_s": {"column": "First response (min)", "unit": "minutes"},
        "resolved": {
            "column": "Status",
            "true_values": ["Resolved"],
            "false_values": ["Open", "Pending"],
            "otherwise": False,
        },
        "csat": {"column": "CSAT", "scale": [1, 5]},
    }
    assert "month first" in line_of(text, "dayfirst:")
    status = "check: Resolved read as yes, Open, Pending and any other value as no"
    assert line_of(text, "resolved:").endswith("# " + status)
    assert notes == ["resolved (Status): " + status]
    result, kpis = load_kpis(
        en_export, text, tmp_path, ["volume", "answer_rate", "asa", "resolution_rate", "csat"]
    )
    assert result.report["rejected"] == 0
    assert kpis["volume"] == 6
    assert kpis["answer_rate"] == pytest.approx(4 / 6)
    assert kpis["asa"] == pytest.approx((12 + 1.5 + 30 + 0.5) * 60 / 4)
    assert kpis["resolution_rate"] == pytest.approx(3 / 6)
    assert kpis["csat"] == pytest.approx(2 / 3)  # 5 and 4 of 5, 4, 2
    assert result.data.loc[0, "created_at"] == pd.Timestamp("2026-01-13 09:15")


def test_an_excel_export_with_date_time_and_duration_cells(tmp_path):
    frame = pd.DataFrame(
        {
            "Protocolo": [101, 102, 103, 104],
            "Data de abertura": [dt.datetime(2026, 2, d) for d in (2, 3, 3, 4)],
            "Hora": [dt.time(9, 0), dt.time(10, 30), dt.time(14, 5), dt.time(16, 0)],
            "Fila": ["Suporte", "Vendas", "Suporte", "Suporte"],
            "TMA": [dt.time(0, 5, 0), dt.time(0, 3, 30), dt.time(0, 12, 0), dt.time(0, 1, 0)],
            "Satisfação": [5, 4, None, 2],
        }
    )
    path = tmp_path / "export.xlsx"
    frame.to_excel(path, index=False)
    text, _ = suggest_mapping(path, lang="en")
    assert active(text) == {
        "interaction_id": "Protocolo",
        "created_at": ["Data de abertura", "Hora"],
        "team": "Fila",
        "handle_time_s": {"column": "TMA", "unit": "hh:mm:ss"},
        "csat": {"column": "Satisfação", "scale": [1, 5]},
    }
    result, kpis = load_kpis(path, text, tmp_path, ["volume", "csat_mean"])
    assert result.report["rejected"] == 0
    assert kpis["volume"] == 4
    assert result.data["created_at"].tolist()[1] == pd.Timestamp("2026-02-03 10:30")
    assert result.data["handle_time_s"].tolist() == [300, 210, 720, 60]
    assert kpis["csat_mean"] == pytest.approx(11 / 3)


# -- detection rules on small frames ------------------------------------------------------------
def base(**extra) -> pd.DataFrame:
    n = len(next(iter(extra.values()))) if extra else 4
    return pd.DataFrame(
        {
            "ID": [f"c{i}" for i in range(n)],
            "Created": [f"2026-03-{i + 1:02d} 10:00" for i in range(n)],
            **extra,
        }
    )


def test_durations_without_a_unit_are_commented_out():
    text, notes = suggest_mapping(base(**{"Tempo de espera": ["30", "45", "", "120"]}), lang="en")
    line = line_of(text, "# wait_s:")
    assert line.startswith("# wait_s: {column: Tempo de espera, unit: seconds}   # values 30-120")
    assert "wait_s" not in active(text)
    assert notes[0].startswith("wait_s (Tempo de espera), commented out: values 30-120 and no unit")
    text, _ = suggest_mapping(base(**{"Wait (s)": ["30", "45", "", "120"]}), lang="en")
    assert active(text)["wait_s"] == {"column": "Wait (s)", "unit": "seconds"}
    text, _ = suggest_mapping(base(**{"AHT hrs": ["0,5", "1,25", "2", "0,1"]}), lang="en")
    assert active(text)["handle_time_s"] == {"column": "AHT hrs", "unit": "hours"}


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("Nota", ["1", "5", "4", ""], ("csat", {"column": "Nota", "scale": [1, 5]})),
        ("CSAT", ["1", "10", "7", "8"], ("csat", {"column": "CSAT", "scale": [1, 10]})),
        ("NPS", ["0", "10", "7", "9"], ("nps", "NPS")),
        ("Esforço", ["1", "7", "3", "2"], ("ces", {"column": "Esforço", "scale": [1, 7]})),
    ],
)
def test_scores_get_their_scale_from_the_values(column, values, expected):
    text, _ = suggest_mapping(base(**{column: values}), lang="en")
    target, entry = expected
    assert active(text)[target] == entry


@pytest.mark.parametrize(
    ("column", "values", "target", "entry"),
    [
        ("Atendida", ["Y", "N", "Y", "Y"], "answered", {"column": "Atendida", "true_values": ["Y"], "false_values": ["N"]}),
        ("Resolvido", ["1", "0", "1", "1"], "resolved", {"column": "Resolvido", "true_values": ["1"], "false_values": ["0"]}),
        ("Situação", ["Fechado", "Aberto", "Fechado", "Em andamento"], "resolved", {"column": "Situação", "true_values": ["Fechado"], "false_values": ["Aberto", "Em andamento"], "otherwise": False}),
        ("Reopens", ["0", "2", "0", "1"], "reopened", "Reopens"),
        ("Bot", [True, False, True, True], "bot_handled", "Bot"),  # booleans read as they are
    ],
)  # fmt: skip
def test_flags_list_the_values_seen(column, values, target, entry):
    text, _ = suggest_mapping(base(**{column: values}), lang="en")
    assert active(text)[target] == entry


def test_a_flag_whose_values_say_nothing_is_commented_out_or_left_unmapped():
    text, notes = suggest_mapping(base(Resolvido=["A", "B", "A", "C"]), lang="en")
    line = line_of(text, "# resolved:")
    assert line.startswith(
        "# resolved: {column: Resolvido, true_values: [], false_values: [A, B, C], otherwise: false}"
    )
    assert "which of A, B, C mean yes? move them to true_values" in line
    # uncommented after moving a value, it loads
    fixed = line.removeprefix("# ").replace("true_values: [], false_values: [A, B, C]",
                                            "true_values: [A], false_values: [B, C]")  # fmt: skip
    parse_mapping(yaml.safe_load(text.replace(line, fixed)))
    # a generic "Status" with unknown values is no flag: listed as not mapped
    text, _ = suggest_mapping(base(Status=["A", "B", "A", "C"]), lang="en")
    assert "resolved" not in text
    assert line_of(text, "# Not mapped:") == "# Not mapped: Status"


def test_dates_decide_day_or_month_first_and_a_date_alone_is_flagged():
    ambiguous = pd.DataFrame(
        {"Ticket": ["a", "b", "c"], "Data": ["01/02/2026", "02/02/2026", "03/02/2026"]}
    )
    text, notes = suggest_mapping(ambiguous, lang="en")
    assert active(text)["dayfirst"] is True
    assert "every date reads both ways" in line_of(text, "dayfirst:")
    assert "dates without times: every contact at 00:00" in line_of(text, "created_at:")
    assert len(notes) == 2
    text, _ = suggest_mapping(ambiguous, lang="en", dayfirst=False)
    assert active(text)["dayfirst"] is False


def test_required_columns_by_values_and_missing_ones():
    frame = pd.DataFrame(
        {
            "Código": ["x1", "x2", "x3"],
            "Quando": ["2026-01-05 10:00", "2026-01-06 11:00", "2026-01-07 12:00"],
        }
    )
    text, notes = suggest_mapping(frame, lang="en")
    assert active(text) == {"interaction_id": "Código", "created_at": "Quando"}
    assert "chosen by its values (every value unique): check" in line_of(text, "interaction_id:")
    assert len(notes) == 2
    text, notes = suggest_mapping(pd.DataFrame({"a": ["1", "1"], "b": ["x", "x"]}), lang="en")
    assert line_of(text, "# interaction_id:").startswith("# interaction_id: ?   # no column")
    assert line_of(text, "# created_at:")
    assert line_of(text, "# Not mapped:") == "# Not mapped: a, b"


def test_names_that_yaml_would_misread_are_quoted():
    frame = base(**{"Canal: origem": ["x", "y", "x", "y"], "Agente #": ["a", "b", "a", "b"]})
    text, _ = suggest_mapping(frame, lang="en")
    assert active(text)["channel"] == "Canal: origem"
    assert active(text)["agent"] == "Agente #"


# -- the command ------------------------------------------------------------------------------
def run_cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "Wrote out.yml, a starter mapping for chamados.csv:",
                "created_at: [Data, Hora]   # a date column + a time column",
                "Review before using it:",
                "  - csat (Nota), commented out: values 0-10: is this NPS? (then write nps: Nota)",
                "What this mapping loads:",
                "8 rows read: 8 loaded, 0 rejected.",
                "  - csat: needs column csat",
            ],
        ),
        (
            "pt-BR",
            [
                "Gravado out.yml, um mapeamento inicial para chamados.csv:",
                "created_at: [Data, Hora]   # uma coluna de data + uma coluna de hora",
                "Revise antes de usar:",
                "  - csat (Nota), comentada: valores 0-10: isto é NPS? (então escreva nps: Nota)",
                "O que este mapeamento carrega:",
                "8 linhas lidas: 8 carregadas, 0 rejeitadas.",
                "  - csat: precisa da coluna csat",
            ],
        ),
    ],
)
def test_cli_writes_the_mapping_and_checks_it(pt_export, tmp_path, lang, expected):
    proc = run_cli(
        "check-data", pt_export.name, "--suggest-mapping", "out.yml", "--lang", lang, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = (tmp_path / "out.yml").read_text(encoding="utf-8")
    assert written.startswith("# ")
    assert written.strip() in proc.stdout
    for line in expected:
        assert line in proc.stdout.splitlines(), (line, proc.stdout)
    # the written file is a mapping check-data takes as it is
    again = run_cli(
        "check-data", pt_export.name, "--mapping", "out.yml", "--lang", lang, cwd=tmp_path
    )
    assert again.returncode == 0 and expected[5] in again.stdout.splitlines()
    # never overwritten (the user may be editing it)
    proc = run_cli("check-data", pt_export.name, "--suggest-mapping", "out.yml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "out.yml" in proc.stderr
    assert (tmp_path / "out.yml").read_text(encoding="utf-8") == written


def test_cli_exits_non_zero_when_nothing_loads(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    proc = run_cli(
        "check-data", "x.csv", "--suggest-mapping", "m.yml", "--lang", "en", cwd=tmp_path
    )
    assert proc.returncode == 1
    assert "# interaction_id: ?" in (tmp_path / "m.yml").read_text(encoding="utf-8")
    assert "Wrote m.yml" in proc.stdout
    assert "no column for the required field `interaction_id`" in proc.stderr
    proc = run_cli(
        "check-data", "x.csv", "--suggest-mapping", "n.yml", "--mapping", "m.yml", cwd=tmp_path
    )
    assert proc.returncode == 2
    assert not (tmp_path / "n.yml").exists()


def test_plain_pandas_reading_when_the_loader_reader_is_not_there(pt_export, monkeypatch):
    import kpi_helpers.io as io

    expected, _ = suggest_mapping(pt_export, lang="en")
    monkeypatch.delattr(io, "_read_source")
    assert suggest_mapping(pt_export, lang="en")[0] == expected
