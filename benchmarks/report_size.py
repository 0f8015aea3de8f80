"""Benchmark: HTML report size and run time against the size of the input data.

Charts receive aggregates, never rows, so a report must stay about the same size whatever
the data size. For each row count (10k and 1M by default) this generates interactions to
Parquet once (cached in benchmarks/.cache, same generator as the sample), runs the
``kpi-report`` jobs of reports.yml on it as a subprocess (the real command), and prints a
table of the HTML size per job and size ratio against the smallest input, measured in the
same run.

    python benchmarks/report_size.py [--rows 10000 1000000] [--jobs scorecard trends ...]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
DEFAULT_JOBS = ("scorecard", "compare_periods", "trends")


def ensure_data(rows: int) -> Path:
    from kpi_helpers import sample

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"interactions_{rows}.parquet"
    if not path.exists():
        print(f"generating {rows:,} rows -> {path} ...", flush=True)
        sample.write_parquet(path, n=rows)
    return path


def run_jobs(data: Path, jobs: list[str], out: Path) -> tuple[float, dict[str, int]]:
    cli = Path(sys.executable).with_name("kpi-report")
    cmd = [str(cli), "run", *jobs, "--out", str(out), "--param", f"data={data}"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"kpi-report failed on {data}:\n{proc.stdout}\n{proc.stderr}")
    sizes = {}
    for job in jobs:
        pages = [p for p in (out / job).rglob("*.html")]
        sizes[job] = sum(p.stat().st_size for p in pages)
    return elapsed, sizes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--jobs", nargs="+", default=list(DEFAULT_JOBS))
    args = parser.parse_args(argv)
    results = []
    for rows in args.rows:
        data = ensure_data(rows)
        out = Path(tempfile.mkdtemp(prefix=f"report_size_{rows}_"))
        try:
            elapsed, sizes = run_jobs(data, args.jobs, out)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        results.append((rows, data.stat().st_size, elapsed, sizes))
    base = results[0][3]
    print()
    header = f"{'rows':>11} {'parquet MB':>11} {'run s':>7}"
    for job in args.jobs:
        header += f" {job + ' KB':>20} {'x':>5}"
    print(header)
    for rows, data_bytes, elapsed, sizes in results:
        line = f"{rows:>11,} {data_bytes / 2**20:>11.1f} {elapsed:>7.1f}"
        for job in args.jobs:
            line += f" {sizes[job] / 1024:>20.0f} {sizes[job] / max(base[job], 1):>5.2f}"
        print(line)
    print("\nx = page size / page size at the smallest input (bounded: close to 1).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
