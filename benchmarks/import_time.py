"""Benchmark: start-up time of ``import kpi_helpers`` and of the ``kpi-report`` command.

Each case runs in a fresh subprocess (nothing cached in ``sys.modules``), once to warm the
file-system and bytecode caches, then ``--repeat`` times; the table gives the median wall
time and its ratio to a bare ``python -c pass`` (the interpreter's own start-up), so the
numbers compare across machines. ``--importtime N`` adds, per case, the N slowest imports
of one ``python -X importtime`` run (cumulative microseconds), to see what a regression
pulled in.

    python benchmarks/import_time.py [--repeat 5] [--importtime 8]

Goal (issue #12): ``import kpi_helpers`` and ``kpi-report --help`` within 0.5 s each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 0.5


def _cli() -> list[str]:
    """The installed ``kpi-report`` script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("kpi-report")
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "kpi_helpers.report"]


def cases() -> list[tuple[str, list[str], bool]]:
    """(label, argv, has a goal) of each measured command."""
    py = sys.executable
    return [
        ("python -c pass (baseline)", [py, "-c", "pass"], False),
        ("import kpi_helpers", [py, "-c", "import kpi_helpers"], True),
        ("kpi-report --help", [*_cli(), "--help"], True),
        ("kpi-report list --as-of 2026-11-01", [*_cli(), "list", "--as-of", "2026-11-01"], False),
        (
            "from kpi_helpers import compute (first use)",
            [py, "-c", "from kpi_helpers import compute"],
            False,
        ),
    ]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def wall_time(argv: list[str], repeat: int) -> float:
    """Median wall time (s) of ``repeat`` fresh runs of ``argv``, after one warm-up run."""
    env = _env()
    subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=True)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def slowest_imports(argv: list[str], top: int) -> list[tuple[int, str]]:
    """The ``top`` top-level imports with the largest cumulative time (us), from -X importtime."""
    argv = [argv[0], "-X", "importtime", *argv[1:]]
    proc = subprocess.run(argv, cwd=ROOT, env=_env(), capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line[len("import time:") :].split("|", 2)
        if not cumulative.strip().isdigit():  # the header line
            continue
        if name.startswith(" " * 3):  # nested import: counted in its parent's cumulative time
            continue
        rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (median)")
    parser.add_argument(
        "--importtime", type=int, default=0, metavar="N", help="show the N slowest imports per case"
    )
    args = parser.parse_args(argv)

    print(f"{sys.executable} ({sys.version.split()[0]}), median of {args.repeat} fresh runs")
    results = [(label, wall_time(cmd, args.repeat), goal, cmd) for label, cmd, goal in cases()]
    baseline = results[0][1]
    width = max(len(label) for label, *_ in results)
    print(f"{'case':<{width}}  {'median s':>8}  {'x baseline':>10}  goal")
    print(f"{'-' * width}  {'-' * 8}  {'-' * 10}  ----")
    for label, seconds, goal, _ in results:
        verdict = ""
        if goal:
            verdict = f"{'ok' if seconds <= GOAL_S else 'OVER'} (<= {GOAL_S} s)"
        print(f"{label:<{width}}  {seconds:8.3f}  {seconds / baseline:10.1f}  {verdict}")
    if args.importtime:
        for label, _, _, cmd in results[1:]:
            print(f"\n{label}: slowest imports (cumulative ms)")
            for micros, name in slowest_imports(cmd, args.importtime):
                print(f"  {micros / 1000:9.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
