"""Safe writes of the report runner: staged outputs, run.json last, a lock per job and period.

Failures are injected at the exact write step (the runner's one write helper raising
``ENOSPC``), crashes by really killing a process while it moves its outputs in, and the
lock is contended by real processes. The notebook is a tiny one with its own reports.yml.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from kpi_helpers.report import runner
from kpi_helpers.report.config import load_config

pytestmark = pytest.mark.xdist_group("report_cli")

JOB, PERIOD, STEM = "tiny", "2026-01", "tiny_2026-01"
AS_OF = dt.date(2026, 2, 1)
BUSY = "another kpi-report run of tiny 2026-01 is in progress (pid {pid}); try again when it ends"
WAITING = "waiting for another run of tiny 2026-01 (pid {pid}, at most {seconds} s)"

# a child process that holds the job's lock for argv[2] seconds (the runner's own helpers)
HOLD_LOCK = """
import sys, time
from pathlib import Path
from kpi_helpers.report.runner import _acquire_lock, _release_lock
path = Path(sys.argv[1])
path.parent.mkdir(parents=True, exist_ok=True)
fd = _acquire_lock(path, 0)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
_release_lock(path, fd)
"""

# a child process killed (SIGKILL) right after the first rename of its outputs into place
KILLED_WHILE_MOVING_IN = """
import datetime as dt, os, signal, sys
from pathlib import Path
from kpi_helpers.report import runner
from kpi_helpers.report.config import load_config

cfg = load_config(Path(sys.argv[1]))
plan = runner.plan_job(cfg.jobs["tiny"], cfg, as_of=dt.date(2026, 2, 1),
                       overrides={"note": "from the killed run"})
real_commit, real_replace = runner._commit, os.replace

def replace_then_die(src, dst):
    real_replace(src, dst)
    os.kill(os.getpid(), signal.SIGKILL)

def commit(tmp, out_dir):
    os.replace = replace_then_die
    real_commit(tmp, out_dir)

runner._commit = commit
runner.execute_plan(plan)
print("not killed", flush=True)
"""


# -- helpers -------------------------------------------------------------------------------
def make_workspace(root: Path) -> Path:
    """A tiny notebook and its reports.yml in ``root``; returns the config path."""
    root.mkdir(parents=True, exist_ok=True)
    params = nbformat.v4.new_code_cell('period: str = "2026-01"  # report period\nnote: str = ""')
    params.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell('print(f"Period {period} {note}")')
    nb = nbformat.v4.new_notebook(cells=[params, body])
    nbformat.write(nb, str(root / "tiny.ipynb"))
    config = root / "reports.yml"
    config.write_text(
        "output_dir: out\nlang: en\njobs:\n"
        "  tiny:\n    notebook: tiny.ipynb\n    period: previous_month\n",
        encoding="utf-8",
    )
    return config


def plan_for(config: Path, **overrides):
    cfg = load_config(config)
    return runner.plan_job(cfg.jobs[JOB], cfg, as_of=AS_OF, overrides=overrides or None)


def folder_of(config: Path) -> Path:
    return config.parent / "out" / JOB / PERIOD


def snapshot(folder: Path) -> dict[str, bytes]:
    """The visible files of a report folder and their bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_consistent(folder: Path) -> None:
    """Every record describes files that are there with its content; no half notebook."""
    good = folder / "run.json"
    if good.exists():
        record = json.loads(good.read_text(encoding="utf-8"))
        outputs = record["outputs"]
        assert (folder / outputs["html"]).is_file() and (folder / outputs["notebook"]).is_file()
        assert set(outputs["sha256"]) == {outputs["html"], outputs["notebook"]}
        for name, digest in outputs["sha256"].items():
            assert sha((folder / name).read_bytes()) == digest, f"run.json: {name} differs"
    bad = folder / "run.failed.json"
    if bad.exists():
        record = json.loads(bad.read_text(encoding="utf-8"))
        assert record["status"] == "failed"
        for name, digest in record["outputs"].get("sha256", {}).items():
            assert sha((folder / name).read_bytes()) == digest, f"run.failed.json: {name}"
    for nb in folder.glob("*.failed.ipynb"):
        nbformat.read(str(nb), as_version=4)  # whole, never truncated


def fail_writes(monkeypatch, *calls: int, every: bool = False) -> list[str]:
    """Make the given calls (1-based) of the runner's write helper fail: disk full."""
    real = runner._atomic_write
    seen: list[str] = []

    def write(path, data):
        seen.append(Path(path).name)
        if every or len(seen) in calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(runner, "_atomic_write", write)
    return seen


def spawn(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def hold_lock(folder: Path, seconds: float) -> subprocess.Popen:
    proc = spawn(HOLD_LOCK, str(folder / ".lock"), str(seconds))
    assert proc.stdout.readline().strip() == "locked", proc.stderr.read()
    return proc


# -- the commit protocol, on files (no kernel) ---------------------------------------------
NB_OLD = nbformat.writes(nbformat.v4.new_notebook()).encode("utf-8")
NB_NEW = nbformat.writes(
    nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("new")])
).encode("utf-8")


def _old_and_staged(root: Path) -> tuple[Path, Path]:
    """A folder with a good report (old) and a run folder with a new one staged."""
    out = root / "out"
    out.mkdir(parents=True)
    old = {"r.html": b"old page", "r.ipynb": NB_OLD}
    for name, data in old.items():
        (out / name).write_bytes(data)
    (out / "r.failed.ipynb").write_bytes(NB_OLD)
    (out / "run.failed.json").write_text('{"status": "failed", "outputs": {}}', encoding="utf-8")
    (out / "run.json").write_bytes(runner._json_bytes(_record(old)))
    tmp = out / ".run-new"
    tmp.mkdir()
    new = {"r.html": b"new page", "r.ipynb": NB_NEW}
    files = [*new.items(), ("run.json", runner._json_bytes(_record(new)))]
    runner._stage(tmp, files, ["r.failed.ipynb", "run.failed.json"])
    return out, tmp


def _record(files: dict[str, bytes]) -> dict:
    return {
        "status": "ok",
        "outputs": {
            "html": "r.html",
            "notebook": "r.ipynb",
            "sha256": {name: sha(data) for name, data in files.items()},
        },
    }


class _Killed(BaseException):
    """The process dies here (nothing after it runs, no except clause catches it)."""


@pytest.mark.parametrize("steps", range(7))
def test_a_run_killed_while_moving_in_leaves_a_consistent_folder(tmp_path, monkeypatch, steps):
    """Killed after ``steps`` renames/unlinks of the move: no record ever describes a file it
    did not write, and the next run of the job finishes the move from the journal."""
    out, tmp = _old_and_staged(tmp_path)
    done = []
    real_replace, real_unlink = os.replace, os.unlink

    def step(real):
        def wrapped(*args, **kwargs):
            if len(done) >= steps:
                raise _Killed
            done.append(args)
            return real(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(runner.os, "replace", step(real_replace))
    monkeypatch.setattr(runner.os, "unlink", step(real_unlink))
    try:
        runner._commit(tmp, out)
        finished = True
    except _Killed:
        finished = False
    monkeypatch.undo()
    assert finished == (steps >= 6)  # 1 unlink + 3 renames + 2 unlinks
    assert_consistent(out)
    if 1 <= steps < 4:  # the old record went first, the new one comes last
        assert not (out / "run.json").exists()
    # the next run of the job (holding the lock): completes the move, removes the folder
    runner._clean_stale(out, time.time() + 1)
    assert_consistent(out)
    assert snapshot(out) == {
        "r.html": b"new page",
        "r.ipynb": NB_NEW,
        "run.json": runner._json_bytes(_record({"r.html": b"new page", "r.ipynb": NB_NEW})),
    }
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_stale_run_folders_go_only_when_older_than_the_run(tmp_path):
    out = tmp_path / "out"
    (out / ".run-killed").mkdir(parents=True)
    (out / ".run-killed" / "tiny_2026-01.ipynb").write_text("{trunc", encoding="utf-8")
    (out / ".run-later").mkdir()
    (out / ".tiny_2026-01.html.x1.tmp").write_text("half a page", encoding="utf-8")
    (out / ".lock").write_text("1\n", encoding="utf-8")
    now = time.time()
    for name, when in [
        (".run-killed/tiny_2026-01.ipynb", now - 3600),
        (".run-killed", now - 3600),
        (".run-later", now + 3600),
        (".tiny_2026-01.html.x1.tmp", now - 3600),
    ]:
        os.utime(out / name, (when, when))
    runner._clean_stale(out, now)
    assert sorted(p.name for p in out.iterdir()) == [".lock", ".run-later"]


# -- the lock, with real processes -----------------------------------------------------------
def test_a_second_run_fails_clearly_while_another_holds_the_lock(tmp_path):
    config = make_workspace(tmp_path)
    folder = folder_of(config)
    holder = hold_lock(folder, 120)
    try:
        # in-process, no wait: fails at once, touches nothing
        lines: list[str] = []
        result = runner.execute_plan(plan_for(config), lock_wait=0, on_wait=lines.append)
        assert result.status == "failed" and lines == []
        assert result.message == BUSY.format(pid=holder.pid)
        # the command, waiting 1 s (KPI_REPORT_LOCK_WAIT): one waiting line, then exit 1
        env = {**os.environ, "KPI_REPORT_LOCK_WAIT": "1"}
        env.pop("KPI_REPORT_DEBUG", None)
        proc = subprocess.run(
            [sys.executable, "-m", "kpi_helpers.report", "run", JOB, "--config", str(config),
             "--as-of", AS_OF.isoformat()],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stdout + proc.stderr
        waiting = f"[1/1] tiny 2026-01: {WAITING.format(pid=holder.pid, seconds=1)}"
        assert proc.stdout.count("waiting for another run") == 1
        assert waiting in proc.stdout.splitlines(), proc.stdout
        assert f"✗ {BUSY.format(pid=holder.pid)}" in proc.stderr
        assert "Traceback" not in proc.stderr
        assert sorted(p.name for p in folder.iterdir()) == [".lock"]  # nothing written
    finally:
        holder.kill()
        holder.wait()
    # a killed holder leaves its lock file behind: it does not block the next run
    fd = runner._acquire_lock(folder / ".lock", 0)
    runner._release_lock(folder / ".lock", fd)
    assert not (folder / ".lock").exists()


# -- real runs ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def good_report(tmp_path_factory):
    """One successful run of the tiny job (each kernel run costs seconds)."""
    root = tmp_path_factory.mktemp("writes")
    config = make_workspace(root)
    result = runner.execute_plan(plan_for(config))
    assert result.status == "ok", result.message
    return root


@pytest.fixture
def workspace(good_report, tmp_path) -> Path:
    """A copy of the good report's workspace; returns its config."""
    root = tmp_path / "ws"
    shutil.copytree(good_report, root)
    return root / "reports.yml"


@pytest.mark.slow
def test_ok_run_json_lists_the_sha256_of_the_page_and_the_notebook(workspace):
    folder = folder_of(workspace)
    assert sorted(snapshot(folder)) == ["run.json", f"{STEM}.html", f"{STEM}.ipynb"]
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok"
    assert set(record["outputs"]["sha256"]) == {f"{STEM}.html", f"{STEM}.ipynb"}
    assert_consistent(folder)


@pytest.mark.slow
def test_disk_full_while_writing_the_page_keeps_the_good_report(workspace, monkeypatch, capsys):
    from kpi_helpers.report.cli import main

    folder = folder_of(workspace)
    before = snapshot(folder)
    seen = fail_writes(monkeypatch, 1)  # the first write: the page, in the run folder
    code = main(["run", JOB, "--config", str(workspace), "--as-of", AS_OF.isoformat()])
    err = capsys.readouterr().err
    assert code == 1
    assert seen[:1] == [f"{STEM}.html"]
    assert (
        "✗ tiny 2026-01 failed while writing the report: OSError: [Errno 28] No space left on "
        f"device: '{STEM}.html'. Executed notebook kept as {STEM}.failed.ipynb."
    ) in err
    after = snapshot(folder)
    for name, data in before.items():  # page, notebook and run.json untouched
        assert after[name] == data, name
    assert set(after) == {*before, f"{STEM}.failed.ipynb", "run.failed.json"}
    failed = json.loads((folder / "run.failed.json").read_text(encoding="utf-8"))
    assert failed["error"]["type"] == "OSError" and failed["error"]["step"] == "write"
    assert failed["outputs"]["notebook"] == f"{STEM}.failed.ipynb"
    assert_consistent(folder)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_disk_full_for_the_failed_notebook_too_keeps_no_notebook(workspace, monkeypatch):
    folder = folder_of(workspace)
    (folder / f"{STEM}.failed.ipynb").write_text('{"cells": [', encoding="utf-8")  # an old one
    before = snapshot(folder)
    seen = fail_writes(monkeypatch, 1, 2)  # the page, then the failed notebook
    result = runner.execute_plan(plan_for(workspace))
    assert seen[:3] == [f"{STEM}.html", f"{STEM}.failed.ipynb", "run.failed.json"]
    assert result.status == "failed"
    assert "failed while writing the report" in result.message
    assert "kept" not in result.message
    after = snapshot(folder)
    for name in ("run.json", f"{STEM}.html", f"{STEM}.ipynb"):
        assert after[name] == before[name], name
    assert f"{STEM}.failed.ipynb" not in after  # no notebook the record does not describe
    failed = json.loads((folder / "run.failed.json").read_text(encoding="utf-8"))
    assert failed["outputs"]["notebook"] is None and failed["message"] == result.message
    assert_consistent(folder)


@pytest.mark.slow
def test_disk_full_everywhere_still_reports_the_failure(workspace, monkeypatch):
    folder = folder_of(workspace)
    before = snapshot(folder)
    fail_writes(monkeypatch, every=True)
    result = runner.execute_plan(plan_for(workspace))
    assert result.status == "failed"
    assert result.message.startswith(
        "tiny 2026-01 failed while writing the report: OSError: [Errno 28] No space left on "
        f"device: '{STEM}.html'."
    )
    assert result.message.endswith(
        "The failure could not be recorded in run.failed.json: [Errno 28] No space left on "
        "device: 'run.failed.json'."
    )
    assert snapshot(folder) == before
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_killed_while_moving_in_then_the_next_run_completes(workspace):
    folder = folder_of(workspace)
    child = spawn(KILLED_WHILE_MOVING_IN, str(workspace))
    out, err = child.communicate(timeout=300)
    assert child.returncode == -9, out + err  # SIGKILL, mid-move
    # the new page is in, the old run.json went first, the new one never came
    assert "from the killed run" in (folder / f"{STEM}.html").read_text(encoding="utf-8")
    assert not (folder / "run.json").exists()
    assert_consistent(folder)
    (stale,) = folder.glob(".run-*")
    assert (stale / "commit.json").is_file()
    # the next run of the job: finishes or drops the killed run's folder, then runs
    result = runner.execute_plan(plan_for(workspace))
    assert result.status == "ok", result.message
    assert "from the killed run" not in (folder / f"{STEM}.html").read_text(encoding="utf-8")
    assert_consistent(folder)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_a_second_run_waits_for_the_first_and_clears_stale_folders(workspace):
    folder = folder_of(workspace)
    (folder / ".run-killed").mkdir()
    (folder / ".run-killed" / f"{STEM}.ipynb").write_text('{"cells": [', encoding="utf-8")
    hour_ago = time.time() - 3600
    os.utime(folder / ".run-killed", (hour_ago, hour_ago))
    holder = hold_lock(folder, 3)
    lines: list[str] = []
    t0 = time.monotonic()
    result = runner.execute_plan(plan_for(workspace), lock_wait=120, on_wait=lines.append)
    assert holder.wait(timeout=60) == 0
    assert result.status == "ok", result.message
    assert lines == [WAITING.format(pid=holder.pid, seconds=120)]
    assert time.monotonic() - t0 >= 1
    assert_consistent(folder)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # and no .lock
