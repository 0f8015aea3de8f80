"""Report jobs on the user's own exports: reports.yml ``data:`` with a mapping, the cache,
the "Data" section, the rejected rows next to the page, coverage and skipped periods."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import kpi_helpers as kh
from kpi_helpers.errors import ConfigError, ReportError
from kpi_helpers.report.config import parse_config
from kpi_helpers.report.sources import (
    Account,
    SourceSpec,
    describe_account,
    job_as_of,
    parse_source,
    prepare_source,
)

pytestmark = pytest.mark.xdist_group("report_cli")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CLI = [sys.executable, "-m", "kpi_helpers.report"]

MAPPING = """\
interaction_id: Protocolo
created_at: Aberto em
channel: Canal
wait_s: Espera (s)
csat: {column: Nota, scale: [1, 5]}
resolved: Resolvido
"""


def dirty_export(path: Path) -> dict:
    """A pt-BR helpdesk export of Sep-Oct 2026 with the mess of real ones.

    Returns what was planted: duplicates, dd/mm dates next to ISO ones, 0-10 scores in a
    column declared 1-5, negative waits, a 2099 typo and a cut-off last line.
    """
    lines = ["Protocolo;Aberto em;Canal;Espera (s);Nota;Resolvido"]
    planted = {"duplicates": 0, "out_of_scale": 0, "negative": 0, "future": 0, "cut": 0}
    for i in range(64):  # Sep 1 09:00 ... Oct 31 18:00
        day = dt.datetime(2026, 9, 1, 9, 0) + dt.timedelta(hours=23 * i)
        when = day.strftime("%d/%m/%Y %H:%M") if i % 3 == 0 else day.strftime("%Y-%m-%d %H:%M")
        channel = ["Telefone", "WhatsApp", "E-mail"][i % 3]
        wait = "" if i % 7 == 0 else str(10 + (i * 17) % 200)
        score = "" if i % 4 == 0 else str(1 + i % 5)
        resolved = "S" if i % 5 else "N"
        if i in (11, 23):
            score = "9"  # a 0-10 answer in a 1-5 column
            planted["out_of_scale"] += 1
        if i in (13, 29):
            wait = "-30"
            planted["negative"] += 1
        lines.append(f"P{i:04d};{when};{channel};{wait};{score};{resolved}")
    lines.append(lines[5])  # the same ticket exported twice
    lines.append(lines[40])
    planted["duplicates"] = 2
    lines.append("P9999;2099-10-05 10:00;Telefone;20;5;S")  # a typo year
    planted["future"] = 1
    lines.append("P9998;2026-10-3")  # a download cut off mid-line
    planted["cut"] = 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the export was written at the end of October, not today
    stamp = dt.datetime(2026, 11, 1, 3, 0).timestamp()
    os.utime(path, (stamp, stamp))
    return planted


def workspace(root: Path, *, job_extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    dirty_export(root / "chamados.csv")
    (root / "meu_mapa.yml").write_text(MAPPING, encoding="utf-8")
    config = root / "reports.yml"
    config.write_text(
        f"""
output_dir: out
lang: en
jobs:
  cmp:
    title: Period comparison
    notebook: {json.dumps(str(NOTEBOOKS / "compare_periods.ipynb"))}
    period: previous_month
    schedule: {{monthly: 1}}
    lang: en
    data:
      files: chamados.csv
      mapping: meu_mapa.yml
    parameters:
      period_a: "{{previous}}"
      period_b: "{{period}}"
      metrics: [volume, csat, asa]
      by: channel
{job_extra}
""",
        encoding="utf-8",
    )
    return config


def run_cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


# -- configuration ---------------------------------------------------------------------------
def test_parse_source_forms():
    assert parse_source("a.csv", kind="data", where="j").files == ("a.csv",)
    assert parse_source(["a.csv", "b.csv"], kind="data", where="j").files == ("a.csv", "b.csv")
    spec = parse_source(
        {"path": "x_*.xlsx", "mapping": "helpdesk_ptbr", "dayfirst": True, "sheet": "all"},
        kind="data",
        where="j",
    )
    assert spec == SourceSpec(
        "data", ("x_*.xlsx",), "helpdesk_ptbr", {"sheet": "all", "dayfirst": True}
    )
    with pytest.raises(ConfigError, match="unknown key 'dayfirts'"):
        parse_source({"files": "a.csv", "dayfirts": True}, kind="data", where="j")
    with pytest.raises(ConfigError, match="on_invalid"):
        parse_source({"files": "a.csv", "on_invalid": "drop"}, kind="data", where="j")
    with pytest.raises(ConfigError, match="unknown key 'dayfirst'"):
        parse_source({"files": "o.csv", "dayfirst": True}, kind="operations", where="j")


def test_job_data_key_and_parameter_data_do_not_mix(tmp_path):
    nb = str(NOTEBOOKS / "trends.ipynb")
    raw = {
        "defaults": {"data": {"files": "a.csv", "mapping": "m.yml"}},
        "jobs": {
            "own": {"notebook": nb, "parameters": {"data": "b.parquet"}},
            "inherits": {"notebook": nb},
        },
    }
    cfg = parse_config(raw, base_dir=tmp_path)
    assert cfg.jobs["own"].data is None and cfg.jobs["own"].parameters["data"] == "b.parquet"
    assert cfg.jobs["inherits"].data.files == ("a.csv",)
    with pytest.raises(ConfigError, match="both as a job key and in 'parameters'"):
        parse_config(
            {"jobs": {"x": {"notebook": nb, "data": "a.csv", "parameters": {"data": "b.csv"}}}},
            base_dir=tmp_path,
        )


# -- loading, cache, accounting -----------------------------------------------------------------
def test_prepare_source_equals_load_interactions_and_is_cached(tmp_path):
    planted = dirty_export(tmp_path / "chamados.csv")
    (tmp_path / "m.yml").write_text(MAPPING, encoding="utf-8")
    spec = SourceSpec("data", ("chamados.csv",), "m.yml")
    cache = tmp_path / "cache"
    account = prepare_source(spec, base_dir=tmp_path, cache_dir=cache, job="j")
    res = kh.load_interactions(tmp_path / "chamados.csv", mapping=str(tmp_path / "m.yml"))
    assert (account.read, account.loaded, account.rejected) == (
        res.report["read"],
        res.report["loaded"],
        res.report["rejected"],
    )
    assert account.rejected >= sum(planted.values())
    assert sum(account.rejected_by_reason.values()) == account.rejected
    # the cached canonical table gives the same numbers as the LoadResult
    oct_ = ("2026-10-01", "2026-11-01")
    ids = ["volume", "csat", "asa", "answer_rate"]
    a = kh.compute(res, ids, by="channel", period=oct_, with_n=True)
    b = kh.compute(account.path, ids, by="channel", period=oct_, with_n=True)
    pd.testing.assert_frame_equal(a, b)
    # rejected rows are kept, one line each, formula cells neutralised
    rejected = pd.read_csv(account.rejected_csv, dtype=str)
    assert len(rejected) == account.rejected
    # the 2099 typo is rejected as in the future and does not move the last contact
    assert account.last_contact.startswith("2026-10")
    # a second preparation reads the cache (the loader is not called again)
    meta = next(cache.glob("*.json"))
    before = meta.stat().st_mtime_ns
    time.sleep(0.01)
    again = prepare_source(spec, base_dir=tmp_path, cache_dir=cache, job="j")
    assert again == account and meta.stat().st_mtime_ns == before
    # a changed file is loaded anew
    with (tmp_path / "chamados.csv").open("a", encoding="utf-8") as fh:
        fh.write("P7777;2026-10-20 10:00;Telefone;15;4;S\n")
    stamp = dt.datetime(2026, 11, 1, 3, 0).timestamp()
    os.utime(tmp_path / "chamados.csv", (stamp, stamp))
    third = prepare_source(spec, base_dir=tmp_path, cache_dir=cache, job="j")
    assert third.read == account.read + 1


def test_several_files_by_glob_reject_a_ticket_exported_twice(tmp_path):
    (tmp_path / "exports").mkdir()
    head = "interaction_id,created_at,channel,wait_s\n"
    (tmp_path / "exports" / "2026-09.csv").write_text(
        head + "a,2026-09-10 10:00,phone,10\nb,2026-09-30 23:00,phone,20\n", encoding="utf-8"
    )
    (tmp_path / "exports" / "2026-10.csv").write_text(
        head + "b,2026-09-30 23:00,phone,20\nc,2026-10-02 09:00,chat,30\n", encoding="utf-8"
    )
    spec = parse_source("exports/2026-*.csv", kind="data", where="j")
    account = prepare_source(spec, base_dir=tmp_path, cache_dir=tmp_path / "c", job="j")
    assert [f["path"] for f in account.files] == ["exports/2026-09.csv", "exports/2026-10.csv"]
    assert (account.read, account.loaded, account.rejected) == (4, 3, 1)
    assert account.rejected_by_reason == {"duplicate id in another file of the data": 1}
    rejected = pd.read_csv(account.rejected_csv, dtype=str)
    assert rejected.loc[0, "file"] == "exports/2026-10.csv"
    assert rejected.loc[0, "interaction_id"] == "b"
    assert kh.compute(account.path, "volume")["volume"].iloc[0] == 3
    assert account.coverage().segment("channel", "chat").first_day == dt.date(2026, 10, 2)
    with pytest.raises(ReportError, match="no file matches"):
        prepare_source(
            parse_source("nope/*.csv", kind="data", where="j"),
            base_dir=tmp_path,
            cache_dir=tmp_path / "c",
            job="j",
        )


def test_declared_scale_travels_with_the_cached_table(tmp_path):
    """A csat declared 1-10 stays 1-10 in the notebook: top-two-box is 9-10, not 4-5."""
    (tmp_path / "e.csv").write_text(
        "id,when,score\n1,2026-10-01 10:00,10\n2,2026-10-02 10:00,9\n3,2026-10-03 10:00,5\n"
        "4,2026-10-04 10:00,4\n",
        encoding="utf-8",
    )
    mapping = {
        "interaction_id": "id",
        "created_at": "when",
        "csat": {"column": "score", "scale": [1, 10]},
    }
    spec = SourceSpec("data", ("e.csv",), mapping)
    account = prepare_source(spec, base_dir=tmp_path, cache_dir=tmp_path / "c", job="j")
    assert kh.compute(account.path, "csat")["csat"].iloc[0] == pytest.approx(2 / 4)


def test_canonical_parquet_is_checked_not_copied_and_future_rows_do_not_move_as_of(tmp_path):
    df = pd.DataFrame(
        {
            "interaction_id": ["a", "b", "c", "c"],
            "created_at": pd.to_datetime(
                ["2026-10-01 10:00", "2026-10-15 10:00", "2026-10-31 18:00", "2099-01-05 10:00"]
            ),
            "channel": ["phone", "chat", "chat", "chat"],
        }
    )
    path = tmp_path / "d.parquet"
    df.to_parquet(path, index=False)
    stamp = dt.datetime(2026, 11, 1, 12, 0).timestamp()
    os.utime(path, (stamp, stamp))
    account = prepare_source(
        SourceSpec("data", ("d.parquet",)), base_dir=tmp_path, cache_dir=tmp_path / "c", job="j"
    )
    assert account.loaded_by == "canonical" and account.path == str(path.resolve())
    assert not (tmp_path / "c").exists()
    assert account.last_contact.startswith("2026-10-31")
    en = describe_account(account, "en").warnings
    pt = describe_account(account, "pt-BR").warnings
    assert any("1 contacts are dated after the file was written" in w for w in en)
    # the row checks of compute() on canonical data, in the page's language
    assert any("1 duplicate interaction_id value" in w for w in en), en
    assert any("interaction_id duplicado" in w for w in pt), pt
    cfg = parse_config(
        {"jobs": {"j": {"notebook": str(NOTEBOOKS / "trends.ipynb"), "data": "d.parquet"}}},
        base_dir=tmp_path,
    )
    assert job_as_of(cfg.jobs["j"], cfg) == dt.date(2026, 11, 1)


def test_describe_account_in_both_languages():
    account = Account(
        role="data",
        files=[{"path": "x.csv"}],
        path="x.parquet",
        read=1234,
        loaded=1200,
        rejected=34,
        rejected_by_reason={"duplicate id": 30, "not a number": 4},
        first_contact="2026-10-01T08:00:00",
        last_contact="2026-10-31T17:00:00",
    )
    en = describe_account(account, "en", rejected_href="r.csv")
    pt = describe_account(account, "pt-BR", rejected_href="r.csv")
    assert en.facts == "1,234 rows read: 1,200 loaded, 34 rejected."
    assert pt.facts == "1.234 linhas lidas: 1.200 carregadas, 34 rejeitadas."
    assert pt.span == "Primeiro contato em 1 de out. de 2026, último contato em 31 de out. de 2026."
    assert en.rejected_href == "r.csv" and en.attention


# -- the command --------------------------------------------------------------------------------
@pytest.mark.slow
def test_dirty_export_scheduled_through_reports_yml(tmp_path):
    config = workspace(tmp_path)
    proc = run_cli("run", "cmp", "--config", str(config), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "out" / "cmp" / "2026-10"
    record = json.loads((out / "run.json").read_text("utf-8"))
    res = kh.load_interactions(tmp_path / "chamados.csv", mapping=str(tmp_path / "meu_mapa.yml"))
    # the report is for October (the 2099 typo did not make it December 2098)
    assert record["period"]["label"] == "2026-10"
    (data,) = [a for a in record["data"] if a["role"] == "data"]
    assert (data["read"], data["loaded"], data["rejected"]) == (
        res.report["read"],
        res.report["loaded"],
        res.report["rejected"],
    )
    # the numbers of the page are those of load_interactions + compute
    period = ("2026-10-01", "2026-11-01")
    ids = ["volume", "csat", "asa"]
    expected = kh.compute(res, ids, period=period)
    page_data = kh.compute(data["path"], ids, period=period)
    pd.testing.assert_frame_equal(expected, page_data)
    html = (out / "cmp_2026-10.html").read_text("utf-8")
    n_read, n_loaded, n_rej = (f"{x:,}" for x in (data["read"], data["loaded"], data["rejected"]))
    assert f"{n_read} rows read: {n_loaded} loaded, {n_rej} rejected." in html
    for reason in res.report["rejected_by_reason"]:
        from kpi_helpers.report.sources import _reason_label

        assert _reason_label(reason) in html
    # the rejected rows next to the page, one line each
    rejected = pd.read_csv(out / "cmp_2026-10.rejected.csv", dtype=str)
    assert len(rejected) == res.report["rejected"]
    assert 'href="cmp_2026-10.rejected.csv"' in html
    # the index marks the report
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert f"{data['rejected']} rows rejected" in index


def test_due_on_the_sample_skips_a_month_without_data(tmp_path):
    """The README's `kpi-report due --as-of 2026-12-01`: no November page, one clear line."""
    proc = run_cli("due", "--as-of", "2026-12-01", "--out", str(tmp_path), "--lang", "en", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for job in ("scorecard", "compare_periods"):
        line = f"{job} 2026-11: skipped: no data for November 2026: the data ends on Oct 31, 2026"
        assert line in proc.stdout
        folder = tmp_path / job / "2026-11"
        assert not list(folder.glob("*.html"))
        record = json.loads((folder / "run.skipped.json").read_text("utf-8"))
        assert record["status"] == "skipped"
        assert record["messages"]["pt-BR"].startswith("sem dados para novembro de 2026")
    index = (tmp_path / "index.html").read_text("utf-8")
    assert index.count('class="status-skipped"') == 2
    assert "Volume" not in index and "p &lt;" not in index
    # the dry run says so in advance; `run` of that one job exits non-zero
    dry = run_cli(
        "run",
        "scorecard",
        "--as-of",
        "2026-12-01",
        "--dry-run",
        "--out",
        str(tmp_path),
        "--lang",
        "en",
        cwd=ROOT,
    )
    assert dry.returncode == 1
    assert "scorecard 2026-11: would be skipped: no data for November 2026" in dry.stdout
    run = run_cli(
        "run",
        "scorecard",
        "--as-of",
        "2026-12-01",
        "--out",
        str(tmp_path),
        "--lang",
        "en",
        cwd=ROOT,
    )
    assert run.returncode == 1
    assert "skipped (no data for their period)" in run.stdout


# -- kpi-report check-data ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "68 rows read: 60 loaded, 8 rejected.",
                "  - duplicate interaction_id: 2 (rows 66, 67)",
                "  - date in the future: 1 (row 68)",
                "  - September 2026: 27 contacts on 26 of 30 days",
                "  - aht: needs column handle_time_s",
            ],
        ),
        (
            "pt-BR",
            [
                "68 linhas lidas: 60 carregadas, 8 rejeitadas.",
                "  - interaction_id duplicado: 2 (linhas 66, 67)",
                "  - data no futuro: 1 (linha 68)",
                "  - setembro de 2026: 27 contatos em 26 de 30 dias",
                "  - aht: precisa da coluna handle_time_s",
            ],
        ),
    ],
)
def test_check_data_prints_what_would_load(tmp_path, lang, expected):
    (tmp_path / "m.yml").write_text(MAPPING, encoding="utf-8")
    export = tmp_path / "chamados.csv"
    dirty_export(export)
    proc = run_cli("check-data", "chamados.csv", "--mapping", "m.yml", "--lang", lang, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for line in expected:
        assert line in proc.stdout.splitlines(), (line, proc.stdout)


def test_check_data_exits_non_zero_when_nothing_loads(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    proc = run_cli("check-data", "x.csv", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1
    assert "no column for the required field `interaction_id`" in proc.stderr
    assert "Job check-data" not in proc.stderr
    # every row rejected: a report of why, and exit 1
    (tmp_path / "y.csv").write_text(
        "interaction_id,created_at\n1,not a date\n2,\n", encoding="utf-8"
    )
    proc = run_cli("check-data", "y.csv", "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 rows read: 0 loaded, 2 rejected." in proc.stdout
    assert "Nothing loads" in proc.stdout


def test_rejected_rows_csv_neutralises_formula_cells(tmp_path):
    """A rejected row keeps its original values, but a spreadsheet must not run them."""
    (tmp_path / "e.csv").write_text(
        "interaction_id,created_at,channel\n"
        "a,2026-10-01 10:00,phone\n"
        '=HYPERLINK("http://x"),not a date,@SUM(A1)\n'
        "b,2026-10-02 10:00,phone\n",
        encoding="utf-8",
    )
    account = prepare_source(
        SourceSpec("data", ("e.csv",)), base_dir=tmp_path, cache_dir=tmp_path / "c", job="j"
    )
    assert (account.loaded, account.rejected) == (2, 1)
    text = Path(account.rejected_csv).read_text("utf-8")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert "\n=HYPERLINK" not in text and ",@SUM" not in text


@pytest.mark.slow
def test_canonical_data_with_bad_rows_is_said_once_on_the_page(tmp_path):
    """A canonical Parquet job: the row checks are listed under the source, in the page's
    language, and the kernel's DataWarning does not repeat them; nothing reaches stderr only."""
    days = pd.date_range("2026-09-01 09:00", "2026-10-31 09:00", freq="D")
    df = pd.DataFrame(
        {
            "interaction_id": [f"t{i}" for i in range(len(days))],
            "created_at": days,
            "channel": "phone",
            "wait_s": 30.0,
        }
    )
    df.loc[5, "interaction_id"] = "t4"  # a duplicate id
    df.loc[7, "wait_s"] = -10.0  # a negative wait
    df.to_parquet(tmp_path / "canon.parquet", index=False)
    stamp = dt.datetime(2026, 11, 1, 12, 0).timestamp()
    os.utime(tmp_path / "canon.parquet", (stamp, stamp))
    (tmp_path / "reports.yml").write_text(
        f"""
output_dir: out
lang: pt-BR
jobs:
  cmp:
    notebook: {json.dumps(str(NOTEBOOKS / "compare_periods.ipynb"))}
    period: previous_month
    data: canon.parquet
    parameters:
      period_a: "{{previous}}"
      period_b: "{{period}}"
      metrics: [volume, asa]
""",
        encoding="utf-8",
    )
    proc = run_cli("run", "cmp", "--config", "reports.yml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (tmp_path / "out" / "cmp" / "2026-10" / "cmp_2026-10.html").read_text("utf-8")
    assert html.count("1 interaction_id duplicado (contado como um contato à parte)") == 1
    assert html.count("1 valor negativo em wait_s") == 1
    assert "Avisos da análise" not in html
    record = json.loads((tmp_path / "out" / "cmp" / "2026-10" / "run.json").read_text("utf-8"))
    assert record["data"][0]["loaded_by"] == "canonical"
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "avisos sobre os dados" in index
