"""Benchmark: ``load_interactions`` of a large, messy CSV export against plain readers.

Generates (seeded, cached in benchmarks/.cache) a realistic pt-BR help-desk export: a UTF-8
BOM, a title line above the header, ``;`` as the delimiter, ``dd/mm/yyyy hh:mm`` dates,
decimal commas, ``hh:mm:ss`` durations, S/N and Sim/Não flags, blanks, quoted comments with
the delimiter (and a few with a line break) inside, blank lines, a few bad rows (unreadable
dates, scores outside the scale, negative durations, duplicate ids, a total row) and a last
line cut off; plus its mapping (YAML). Then, for each size, each reader runs in its own
subprocess (so the peak RSS, VmHWM, is that run's alone):

- ``pandas``: ``pandas.read_csv(dtype=str)`` (text only, no checks);
- ``duckdb``: ``duckdb.read_csv`` with every column as VARCHAR, fetched to Arrow;
- ``loader``: ``kpi_helpers.load_interactions(path, mapping=...)`` (read, parse, check).

It prints the load time and peak RSS of each, with the loader's time over DuckDB's and its
peak over the file size (and its peak above the RSS after the imports, since importing
kpi_helpers alone takes ~250 MB).

    python benchmarks/load.py [--rows 100000 1000000] [--repeat 1] [--only loader]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
READERS = ("pandas", "duckdb", "loader")
SEED = 20260211

MAPPING_YAML = """\
name: benchmark_ptbr
interaction_id: Protocolo
created_at: Data de abertura
channel: Canal
team: Equipe
agent: Atendente
category: Categoria
first_response_at: Primeira resposta
resolved_at: Encerrado em
wait_s: Espera (s)
handle_time_s: TMA
resolved: Resolvido
abandoned: Abandonada
transferred: Transferido
contacts: Contatos
csat: Nota CSAT
nps: NPS
"""


# --------------------------------------------------------------------------- data


def _clock(seconds):
    import numpy as np

    s = np.asarray(seconds, dtype="int64")
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return [
        f"{a:02d}:{b:02d}:{c:02d}"
        for a, b, c in zip(h.tolist(), m.tolist(), sec.tolist(), strict=True)
    ]


def generate(rows: int, path: Path) -> None:
    """Write the messy export (``rows`` data rows) to ``path``."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(SEED + rows)
    n = rows
    start = pd.Timestamp("2025-01-01").value // 10**9
    created = np.sort(start + rng.integers(0, 365 * 86400, n))
    channels = np.array(["Telefone", "WhatsApp", "Chat", "E-mail", "Instagram"])
    teams = np.array(["Suporte Nível 1", "Suporte Nível 2", "Cobrança", "Retenção", "Ouvidoria"])
    first = ["Ana", "Bruno", "Carla", "Diego", "Érica", "Fábio", "Gisele", "Hélio", "Iara"]
    last = ["Souza", "Araújo", "Lima", "Gonçalves", "Pereira", "Conceição", "Melo"]
    agents = np.array([f"{f} {s}" for f in first for s in last])
    cats = np.array(
        ["Cobrança indevida", "2ª via de boleto", "Cancelamento", "Dúvida técnica",
         "Reclamação", "Alteração cadastral", "Portabilidade", "Elogio"]
    )  # fmt: skip
    answered = rng.random(n) < 0.9
    wait = np.round(rng.gamma(1.5, 60.0, n), 1)
    first_resp = created + np.ceil(wait).astype("int64")
    resolved = answered & (rng.random(n) < 0.8)
    closed = first_resp + rng.integers(60, 3 * 86400, n)
    tma = rng.integers(30, 3600, n)

    def stamps(secs, fmt):
        return pd.to_datetime(secs, unit="s").strftime(fmt).to_numpy(dtype=object)

    df = pd.DataFrame(
        {
            "Protocolo": [f"ATD-2025-{i:07d}" for i in range(1, n + 1)],
            "Data de abertura": stamps(created, "%d/%m/%Y %H:%M"),
            "Canal": channels[rng.integers(0, len(channels), n)],
            "Equipe": teams[rng.integers(0, len(teams), n)],
            "Atendente": agents[rng.integers(0, len(agents), n)],
            "Categoria": cats[rng.integers(0, len(cats), n)],
            "E-mail do cliente": [
                f"cliente.{k:06d}@exemplo.com.br" for k in rng.integers(0, 400_000, n).tolist()
            ],
            "Primeira resposta": np.where(answered, stamps(first_resp, "%d/%m/%Y %H:%M:%S"), ""),
            "Encerrado em": np.where(resolved, stamps(closed, "%d/%m/%Y %H:%M"), ""),
            "Espera (s)": np.where(
                answered, pd.Series(wait).map("{:.1f}".format).str.replace(".", ","), ""
            ),
            "TMA": np.where(answered, _clock(tma), ""),
            "Resolvido": np.where(resolved, "S", "N"),
            "Abandonada": np.where(answered, "N", "S"),
            "Transferido": np.where(rng.random(n) < 0.1, "Sim", "Não"),
            "Contatos": rng.choice(["1", "1", "1", "2", "3"], n),
            "Nota CSAT": np.where(rng.random(n) < 0.35, rng.integers(1, 6, n).astype(str), ""),
            "NPS": np.where(rng.random(n) < 0.25, rng.integers(0, 11, n).astype(str), ""),
            "Observação": rng.choice(
                [
                    "",
                    "",
                    "",
                    "Cliente retornou",
                    "Aguardando retorno; prazo de 48h",
                    "Enviado por e-mail",
                    "Protocolo anterior: ATD-2024-0099123",
                ],
                n,
            ),  # fmt: skip
        }
    )
    # a few bad rows (about 1 in 2,000 each kind), always at the same places
    bad = rng.choice(n, size=max(12, n // 2000) * 8, replace=False).reshape(8, -1)
    col = df.columns.get_loc
    df.iloc[bad[0], col("Data de abertura")] = "31/02/2025 10:00"
    df.iloc[bad[1], col("Nota CSAT")] = "7"
    df.iloc[bad[2], col("Espera (s)")] = "-12,0"
    df.iloc[bad[3], col("Protocolo")] = df["Protocolo"].iloc[np.maximum(bad[3] - 5, 0)].to_numpy()
    df.iloc[bad[4], col("Protocolo")] = ""
    df.iloc[bad[5], col("Resolvido")] = "talvez"
    df.iloc[bad[6], col("TMA")] = "abc"
    df.iloc[bad[7], col("Observação")] = "Cliente escreveu:\n“não consigo acessar”; ligar"
    text = df.to_csv(sep=";", index=False, lineterminator="\n")
    lines = text.split("\n")
    # two blank lines in the middle and a total row at the end
    lines.insert(len(lines) // 2, "")
    lines.insert(len(lines) // 3, "")
    total = ";".join(["Total"] + [""] * 13 + [str(n)] + [""] * 3)
    body = "\n".join(lines[:-1] + [total])
    cut = "ATD-2025-9999999;31/12/2025 23:59;Telefone;Cobran"  # a download cut off mid-line
    title = "Relatório de atendimentos — exportado em 02/01/2026 08:00\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(b"\xef\xbb\xbf" + (title + body + "\n" + cut).encode("utf-8"))
    tmp.replace(path)


def ensure_data(rows: int) -> tuple[Path, Path]:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"export_ptbr_{rows}.csv"
    mapping = CACHE / "export_ptbr_mapping.yml"
    if not path.exists():
        print(f"generating {rows:,} rows -> {path} ...", flush=True)
        generate(rows, path)
    if not mapping.exists() or mapping.read_text() != MAPPING_YAML:
        mapping.write_text(MAPPING_YAML, encoding="utf-8")
    return path, mapping


# --------------------------------------------------------------------------- one run


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def child(reader: str, path: str, mapping: str) -> None:
    """One measurement (run in its own process); prints a JSON line."""
    extra: dict = {}
    if reader == "pandas":
        import pandas as pd

        base = _status_kb("VmRSS")
        t0 = time.perf_counter()
        frame = pd.read_csv(
            path, sep=";", dtype=str, keep_default_na=False, skiprows=1, encoding="utf-8-sig"
        )
        rows = len(frame)
    elif reader == "duckdb":
        import duckdb
        import pyarrow  # noqa: F401 - imported before the baseline, as the loader has it

        base = _status_kb("VmRSS")
        t0 = time.perf_counter()
        rel = duckdb.read_csv(  # the cut-off last line is skipped (ignore_errors)
            path, delimiter=";", header=True, skiprows=1, all_varchar=True, ignore_errors=True
        )
        table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        rows = table.num_rows
    else:
        import kpi_helpers

        base = _status_kb("VmRSS")
        t0 = time.perf_counter()
        res = kpi_helpers.load_interactions(path, mapping=mapping)
        rows = res.report["read"]
        extra = {"loaded": res.report["loaded"], "rejected": res.report["rejected"]}
    elapsed = time.perf_counter() - t0
    print(
        json.dumps(
            {"seconds": elapsed, "peak_kb": _status_kb("VmHWM"), "base_kb": base, "rows": rows}
            | extra
        )
    )


def measure(reader: str, path: Path, mapping: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", reader, str(path), str(mapping)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{reader} failed on {path}:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per reader (best time)")
    parser.add_argument("--only", nargs="+", choices=READERS, default=list(READERS))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    table = []
    for rows in args.rows:
        path, mapping = ensure_data(rows)
        size = path.stat().st_size
        got: dict[str, dict] = {}
        for reader in args.only:
            runs = [measure(reader, path, mapping) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            best["peak_kb"] = max(r["peak_kb"] for r in runs)
            got[reader] = best
            print(f"{rows:>9,} {reader:>7}: {json.dumps(best)}", flush=True)
        table.append((rows, size, got))
    print()
    head = f"{'rows':>9} {'file MB':>8} {'reader':>7} {'time s':>7} {'peak MB':>8} {'x file':>7}"
    head += f" {'+MB':>6} {'t/duckdb':>9}"
    print(head)
    for rows, size, got in table:
        duck = got.get("duckdb")
        for reader, r in got.items():
            peak = r["peak_kb"] * 1024
            above = (r["peak_kb"] - r["base_kb"]) / 1024
            ratio = f"{r['seconds'] / duck['seconds']:.1f}" if duck else "-"
            print(
                f"{rows:>9,} {size / 1e6:>8.1f} {reader:>7} {r['seconds']:>7.2f} "
                f"{peak / 1e6:>8.0f} {peak / size:>7.2f} {above:>6.0f} {ratio:>9}"
            )
    print(
        "\npeak MB = peak RSS of the run's process (VmHWM); x file = peak / file size; "
        "+MB = peak above the RSS after the imports; t/duckdb = time / duckdb.read_csv's."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
