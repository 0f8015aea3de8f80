"""The kpi-report command, run as a subprocess on small test notebooks (tests/notebooks/)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.xdist_group("report_cli")

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
EVIL = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>']


def make_workspace(root: Path, *, extra_jobs: str = "") -> Path:
    """A folder with hostile sample data (Jan 2026) and a reports.yml; returns the config path."""
    root.mkdir(parents=True, exist_ok=True)
    channels = ["phone", "chat", *EVIL]
    rows = [
        {
            "interaction_id": f"i{i}",
            "created_at": pd.Timestamp("2026-01-01 08:00") + pd.Timedelta(hours=12 * i),
            "channel": channels[i % 4],
            "answered": i % 3 != 0,
        }
        for i in range(62)  # Jan 1 08:00 ... Jan 31 20:00 -> as-of 2026-02-01
    ]
    pd.DataFrame(rows).to_parquet(root / "interactions.parquet", index=False)
    good, failing, slow = (NOTEBOOKS / f"{n}.ipynb" for n in ("good", "failing", "slow"))
    config = root / "reports.yml"
    config.write_text(
        f"""
output_dir: out
lang: en
defaults:
  parameters:
    data: interactions.parquet
jobs:
  good:
    title: "Contacts <script>alert(1)</script>"
    notebook: {json.dumps(str(good))}
    period: previous_month
    schedule: {{monthly: 1}}
  weekly:
    notebook: {json.dumps(str(good))}
    period: previous_week
    schedule: {{weekly: monday}}
  daily:
    notebook: {json.dumps(str(good))}
    period: previous_day
    schedule: daily
  broken:
    notebook: {json.dumps(str(failing))}
    period: previous_month
  slow:
    notebook: {json.dumps(str(slow))}
    period: previous_month
{extra_jobs}""",
        encoding="utf-8",
    )
    return config


def run_cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in ("KPI_REPORT_RENDER", "KPI_REPORT_DEBUG")
    }
    return subprocess.run(
        [sys.executable, "-m", "kpi_helpers.report", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _out(proc) -> str:
    return proc.stdout + proc.stderr


def _main(capsys, *args: str) -> tuple[int, str, str]:
    """The command in-process (cheaper than a subprocess) for help and usage checks."""
    from kpi_helpers.report.cli import main

    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    """One successful run of the good job (shared: each kernel run costs seconds)."""
    root = tmp_path_factory.mktemp("report_ws")
    config = make_workspace(root)
    proc = run_cli("run", "good", "--config", str(config), cwd=root)
    return root, config, proc


# -- fast: no kernel -------------------------------------------------------------------------
def test_help_as_a_subprocess(tmp_path):
    proc = run_cli("--help", cwd=tmp_path)
    assert proc.returncode == 0, _out(proc)
    assert "Usage: kpi-report" in proc.stdout and "due" in proc.stdout
    # each command's one-line help is whole (no "Run jobs (JOB ..." cut at a false sentence end)
    assert "Run jobs (names or --all) and refresh index.html." in proc.stdout
    assert "(JOB ..." not in proc.stdout


@pytest.mark.parametrize("command", [["run"], ["list"], ["due"], ["index"]])
def test_help_everywhere(capsys, command):
    code, out, _err = _main(capsys, *command, "--help")
    assert code == 0
    assert f"Usage: kpi-report {command[0]}" in out


def test_list_shows_resolved_periods(tmp_path, capsys):
    config = make_workspace(tmp_path)
    code, out, err = _main(capsys, "list", "--config", str(config))
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "previous_month = 2026-01" in lines["good"] and "2026-02-01" in lines["good"]
    assert "previous_week = 2026-W04" in lines["weekly"]  # Jan 26-Feb 1 is not complete
    assert "weekly: monday" in lines["weekly"]


def test_bad_config_names_job_and_key(tmp_path):
    config = make_workspace(
        tmp_path, extra_jobs="  oops:\n    notebook: x.ipynb\n    schedule: {weekly: funday}\n"
    )
    proc = run_cli("run", "--all", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 2
    assert "'oops'" in proc.stderr and "'schedule'" in proc.stderr and "funday" in proc.stderr
    assert "Traceback" not in _out(proc)
    assert not (tmp_path / "out").exists()  # nothing ran


def test_bad_parameters_fail_before_running(tmp_path):
    config = make_workspace(tmp_path)
    t0 = time.monotonic()
    unknown = run_cli("run", "good", "--config", str(config), "--param", "topp=3", cwd=tmp_path)
    mistyped = run_cli("run", "good", "--config", str(config), "--param", "top=ten", cwd=tmp_path)
    assert unknown.returncode == 1 and mistyped.returncode == 1
    assert "unknown parameter 'topp'" in unknown.stderr and "top" in unknown.stderr
    assert "Parameter 'top'" in mistyped.stderr and "must be int" in mistyped.stderr
    assert "'ten'" in mistyped.stderr or '"ten"' in mistyped.stderr
    for proc in (unknown, mistyped):
        assert "Traceback" not in _out(proc)
    assert not (tmp_path / "out" / "good").exists()  # no kernel was started, nothing written
    assert time.monotonic() - t0 < 60


def test_bad_parameter_in_config(tmp_path):
    config = make_workspace(
        tmp_path,
        extra_jobs=f"  typo:\n    notebook: {json.dumps(str(NOTEBOOKS / 'good.ipynb'))}\n"
        "    parameters: {top: many}\n",
    )
    proc = run_cli("run", "typo", "--config", str(config), "--dry-run", cwd=tmp_path)
    assert proc.returncode == 1
    assert "Job typo" in proc.stderr and "Parameter 'top'" in proc.stderr


def test_missing_notebook_is_a_clear_failure(tmp_path):
    config = make_workspace(tmp_path, extra_jobs="  ghost:\n    notebook: notebooks/ghost.ipynb\n")
    proc = run_cli("run", "ghost", "--config", str(config), cwd=tmp_path)
    assert proc.returncode == 1
    assert "Job ghost: notebook not found: notebooks/ghost.ipynb." in proc.stderr
    assert "Traceback" not in _out(proc)
    assert (tmp_path / "out" / "index.html").is_file()  # the index is still refreshed


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-11-02", ["weekly", "daily"]),  # a Monday, not the 1st
        ("2026-12-01", ["good", "daily"]),  # a Tuesday, the 1st
        ("2026-11-04", ["daily"]),  # a Wednesday
        ("2027-02-01", ["good", "weekly", "daily"]),  # a Monday and the 1st
    ],
)
def test_due_on_several_dates(tmp_path, day, expected):
    config = make_workspace(tmp_path)
    proc = run_cli("due", "--as-of", day, "--config", str(config), "--dry-run", cwd=tmp_path)
    assert proc.returncode == 0, _out(proc)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("Due on"))
    assert line == f"Due on {day}: {', '.join(expected)}"
    # the data ends on 31 Jan 2026: every due job is skipped, said in advance, exit 0
    skipped = [x.split()[0] for x in proc.stdout.splitlines() if "would be skipped" in x]
    assert skipped == expected
    assert "would run" not in proc.stdout
    assert "the data ends on Jan 31, 2026" in proc.stdout
    assert not (tmp_path / "out").exists()


def test_dry_run_backfill_and_param_placeholders(tmp_path):
    config = make_workspace(tmp_path)
    proc = run_cli(
        "run",
        "good",
        "--config",
        str(config),
        "--dry-run",
        "--from",
        "2025-11",
        "--to",
        "2026-01",
        "--param",
        "note=prev {previous}",
        cwd=tmp_path,
    )
    # the data starts on 1 Jan 2026: the two earlier months are skipped (said in advance)
    assert proc.returncode == 1, _out(proc)
    planned = [x.split()[1].rstrip(":") for x in proc.stdout.splitlines() if "would run" in x]
    assert planned == ["2026-01"]
    skipped = [
        x.split()[1].rstrip(":") for x in proc.stdout.splitlines() if "would be skipped" in x
    ]
    assert skipped == ["2025-11", "2025-12"]
    assert "no data for November 2025: the data starts on Jan 1, 2026" in proc.stdout
    assert "note = 'prev 2025-12'" in proc.stdout
    assert (
        "period_start = '2026-01-01'" in proc.stdout and "period_end = '2026-02-01'" in proc.stdout
    )


def test_usage_errors(tmp_path, capsys):
    config = make_workspace(tmp_path)
    for args, words in [
        (["run"], "--all"),
        (["run", "nope"], "Unknown job 'nope'"),
        (["run", "good", "--as-of", "yesterday"], "--as-of must be a date"),
        (["run", "good", "--from", "2026-01"], "--from and --to"),
        (["run", "good", "--param", "novalue"], "--param must be key=value"),
    ]:
        code, out, err = _main(capsys, *args, "--config", str(config))
        assert code == 2, (args, out, err)
        assert words in err, (args, err)
        assert "Traceback" not in out + err


def test_pt_br_messages(tmp_path, capsys):
    config = make_workspace(tmp_path)
    args = ("due", "--as-of", "2026-11-04", "--config", str(config), "--dry-run", "--lang", "pt-BR")
    code, out, _err = _main(capsys, *args)
    assert code == 0
    assert "Previstos para 2026-11-04: daily" in out
    assert "Simulação" in out


# -- slow: kernels -------------------------------------------------------------------------
@pytest.mark.slow
def test_run_success_outputs(workspace):
    root, _config, proc = workspace
    assert proc.returncode == 0, _out(proc)
    assert "[1/1] good 2026-01: running" in proc.stdout and "done in" in proc.stdout
    assert "1 of 1 reports succeeded." in proc.stdout
    # not a terminal: a start and an end line per job, no "cell N/M" line per cell
    job_lines = [line for line in proc.stdout.splitlines() if line.startswith("[1/1]")]
    assert len(job_lines) == 2 and "cell" not in proc.stdout, proc.stdout
    folder = root / "out" / "good" / "2026-01"
    names = {p.name for p in folder.iterdir()}
    assert {"good_2026-01.html", "good_2026-01.ipynb", "run.json"} <= names
    assert not [n for n in names if n.startswith(".")]  # no temp file or folder left
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "ok" and run["job"] == "good"
    assert run["period"] == {
        "label": "2026-01",
        "spec": "previous_month",
        "kind": "month",
        "start": "2026-01-01",
        "end": "2026-02-01",
    }
    assert run["as_of"] == "2026-02-01"
    assert run["parameters"] == {
        "data": "interactions.parquet",
        "period": "2026-01",
        "period_start": "2026-01-01",
        "period_end": "2026-02-01",
        "lang": "en",
    }
    digest = hashlib.sha256((root / "interactions.parquet").read_bytes()).hexdigest()
    assert run["inputs"]["data"]["sha256"] == digest
    assert {"python", "pandas", "ibis-framework", "duckdb", "altair", "vega-lite"} <= set(
        run["versions"]
    )
    assert run["duration_s"] > 0 and run["generated_at"]
    html = (folder / "good_2026-01.html").read_text(encoding="utf-8")
    assert "January 2026" in html and "Jan 31, 2026" in html
    assert "Period 2026-01: 62 contacts" in html
    assert "SECRET-REMOVED-CELL" not in html and "must not reach the report" not in html
    assert "read_parquet" not in html and "enable_offline_charts" not in html
    assert html.count("window.vegaEmbed=") == 1
    index = (root / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="good/2026-01/good_2026-01.html"' in index


@pytest.mark.slow
def test_one_language_per_command_and_the_index_follows_its_reports(tmp_path):
    import re

    config = make_workspace(tmp_path)  # reports.yml: lang en
    out = tmp_path / "pt"
    proc = run_cli(
        "run", "good", "--config", str(config), "--param", "lang=pt-BR", "--out", str(out),
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, _out(proc)
    # every message in the command's language (reports.yml's en), whatever the report's
    assert "running" in proc.stdout and re.search(r"done in \d+\.\d s", proc.stdout)
    assert "executando" not in proc.stdout and "concluído" not in proc.stdout
    assert "1 of 1 reports succeeded." in proc.stdout
    # the index of a folder whose reports are all in pt-BR is in pt-BR
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in index and "Relatórios" in index and "pronto" in index
    page = next(out.glob("good/*/*.html")).read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in page and "Todos os relatórios" in page
    # --lang sets both: messages (numbers per locale too) and the index
    other = tmp_path / "en"
    again = run_cli(
        "run", "good", "--config", str(config), "--lang", "pt-BR", "--out", str(other),
        cwd=tmp_path,
    )  # fmt: skip
    assert again.returncode == 0, _out(again)
    assert re.search(r"concluído em \d+,\d s", again.stdout), again.stdout
    assert "running" not in again.stdout and "done in" not in again.stdout
    assert "1 de 1 relatórios gerados com sucesso." in again.stdout
    assert '<html lang="pt-BR">' in (other / "index.html").read_text(encoding="utf-8")
    page = next(other.glob("good/*/*.html")).read_text(encoding="utf-8")
    assert '<html lang="en">' in page  # the report keeps its job's language


@pytest.mark.slow
def test_report_escapes_data_strings(workspace):
    root, _config, proc = workspace
    assert proc.returncode == 0, _out(proc)
    html = (root / "out" / "good" / "2026-01" / "good_2026-01.html").read_text(encoding="utf-8")
    index = (root / "out" / "index.html").read_text(encoding="utf-8")
    for page in (html, index):
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\\u003cimg src=x onerror=alert(2)\\u003e" in html  # inside the chart's JSON


@pytest.mark.slow
def test_rerun_is_byte_identical(workspace):
    root, config, proc = workspace
    assert proc.returncode == 0, _out(proc)
    page = root / "out" / "good" / "2026-01" / "good_2026-01.html"
    before = page.read_bytes()
    again = run_cli("run", "good", "--config", str(config), "--as-of", "2026-02-01", cwd=root)
    assert again.returncode == 0, _out(again)
    assert page.read_bytes() == before


@pytest.mark.slow
def test_failures_keep_good_report_and_failed_notebook(workspace):
    root, config, proc = workspace
    assert proc.returncode == 0, _out(proc)
    folder = root / "out" / "good" / "2026-01"
    good_page = (folder / "good_2026-01.html").read_bytes()
    good_run = (folder / "run.json").read_bytes()
    # a missing data file is found before any notebook runs: nothing is written
    missing = run_cli(
        "run",
        "good",
        "--config",
        str(config),
        "--as-of",
        "2026-02-01",
        "--param",
        "data=missing.parquet",
        cwd=root,
    )
    assert missing.returncode == 1
    assert "Job good: data file not found: missing.parquet" in missing.stderr
    assert (folder / "run.json").read_bytes() == good_run
    assert not (folder / "run.failed.json").exists()
    # the good job again, made to fail in its 4th cell by data without a channel column; and
    # a notebook that raises
    rows = pd.read_parquet(root / "interactions.parquet").drop(columns=["channel"])
    rows.to_parquet(root / "nochannel.parquet", index=False)
    bad = run_cli(
        "run",
        "good",
        "broken",
        "--config",
        str(config),
        "--as-of",
        "2026-02-01",
        "--param",
        "data=nochannel.parquet",
        cwd=root,
    )
    out = _out(bad)
    assert bad.returncode == 1, out
    assert "Traceback" not in out and "---->" not in out
    assert "good 2026-01 failed in cell 4 of" in bad.stderr
    assert "(`rows = pd.read_parquet(data)`), line 3: KeyError" in bad.stderr
    assert "Executed notebook kept as good_2026-01.failed.ipynb." in bad.stderr
    assert "broken 2026-01 failed in cell 3 of" in bad.stderr
    assert "line 3: ValueError: no rows for 2026-01: check the data file." in bad.stderr
    assert "2 of 2 reports failed." in bad.stderr
    # the good report is untouched, the failed notebook is kept next to it
    assert (folder / "good_2026-01.html").read_bytes() == good_page
    assert (folder / "run.json").read_bytes() == good_run
    assert (folder / "good_2026-01.failed.ipynb").is_file()
    failed = json.loads((folder / "run.failed.json").read_text(encoding="utf-8"))
    assert failed["status"] == "failed" and failed["error"]["type"] == "KeyError"
    assert not list(folder.glob(".run-*"))  # temp folder cleaned
    broken = root / "out" / "broken" / "2026-01"
    assert (broken / "broken_2026-01.failed.ipynb").is_file()
    assert not (broken / "broken_2026-01.html").exists()
    index = (root / "out" / "index.html").read_text(encoding="utf-8")
    assert "last rerun failed; showing the previous good report" in index
    assert "broken/2026-01/broken_2026-01.failed.ipynb" in index


@pytest.mark.slow
def test_timeout_is_a_failure(tmp_path):
    config = make_workspace(tmp_path)
    t0 = time.monotonic()
    proc = run_cli(
        "run",
        "slow",
        "--config",
        str(config),
        "--as-of",
        "2026-02-01",
        "--timeout",
        "2",
        cwd=tmp_path,
    )
    assert proc.returncode == 1, _out(proc)
    assert "slow 2026-01 failed in cell 3" in proc.stderr
    assert "(`time.sleep(seconds)`)" in proc.stderr
    assert "Timeout: the notebook ran longer than 2 s (--timeout)" in proc.stderr
    assert "Timeout waiting" not in _out(proc)  # no library log noise
    assert (tmp_path / "out" / "slow" / "2026-01" / "slow_2026-01.failed.ipynb").is_file()
    assert time.monotonic() - t0 < 55  # the 60 s sleep was cut short
