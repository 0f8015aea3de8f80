"""``kpi-report check-data``: what an export would load, for a team lead without Python.

It loads the file(s) exactly as a report job would (:mod:`kpi_helpers.report.sources`,
hence :func:`kpi_helpers.load_interactions`) and prints, in the command's language: rows
read / loaded / rejected with the top reasons and the first rows of each, the loader's
warnings, the span of the dates and the months covered (each with its days and contacts),
and which KPIs the data can give and which it cannot, and why ("needs column wait_s").

With ``--suggest-mapping my.yml`` it first writes a starter mapping guessed from the first
file's column names and values (:func:`kpi_helpers.suggest.suggest_mapping`), prints it with
what to review, then reports what that mapping loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..i18n import format_date, format_number, t

__all__ = ["check_export", "kpi_availability", "write_suggested_mapping"]

#: rows listed per rejection reason
_ROWS_PER_REASON = 5


def kpi_availability(columns: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """(KPI ids the columns can give, [(id, missing columns)] of those they cannot).

    Only interaction KPIs: the operations ones need the monthly operations table.
    """
    from ..engine import _missing_requirements
    from ..metrics import get_metric, list_metrics

    ok, missing = [], []
    for mid in list_metrics():
        metric = get_metric(mid)
        if metric.source != "interactions":
            continue
        gaps = _missing_requirements(metric, set(columns))
        if gaps:
            missing.append((mid, ", ".join(gaps)))
        else:
            ok.append(mid)
    return ok, missing


def _months(created: pd.Series, lang: str) -> list[str]:
    from ..periods import parse_period

    lines = []
    counts = created.dt.to_period("M").value_counts().sort_index()
    for month, n in counts.items():
        period = parse_period(str(month))
        in_month = created[created.dt.to_period("M") == month]
        days = in_month.dt.normalize().nunique()
        total = (period.end - period.start).days
        lines.append(
            "  - "
            + t(
                "{month}: {contacts} contacts on {days} of {total} days",
                lang,
                month=period.display(lang),
                contacts=format_number(n, lang, decimals=0),
                days=days,
                total=total,
            )
        )
    return lines


def check_export(
    files: Sequence[str],
    *,
    mapping=None,
    options: dict | None = None,
    lang: str = "en",
    base_dir: Path | None = None,
) -> tuple[str, int]:
    """The report of ``check-data`` and its exit status (0 when some row loads, else 1).

    Raises
    ------
    ReportError
        A file that is missing or cannot be read at all (the loader's message).
    """
    import tempfile

    from .sources import SourceSpec, describe_account, prepare_source

    base_dir = Path(base_dir or Path.cwd())
    spec = SourceSpec("data", tuple(files), mapping, dict(options or {}))
    from ..errors import ReportError

    with tempfile.TemporaryDirectory(prefix="kpi-check-") as tmp:
        try:
            account = prepare_source(
                spec, base_dir=base_dir, cache_dir=Path(tmp), job="check-data", lang=lang
            )
        except ReportError as exc:  # the message without the "Job check-data: " of jobs
            raise ReportError(str(exc).removeprefix("Job check-data: ")) from None
        summary = describe_account(account, lang)
        data = pd.read_parquet(account.path) if account.loaded else pd.DataFrame()
        rejected = (
            pd.read_csv(account.rejected_csv, dtype=str, keep_default_na=False)
            if account.rejected_csv
            else pd.DataFrame()
        )
    lines = [", ".join(summary.files), summary.facts]
    if account.rejected_by_reason:
        lines.append(t("Rejected rows by reason", lang) + ":")
        for label, count in account.rejected_by_reason.items():
            where = ""
            code = _check_code(label)
            if code and "check" in rejected.columns and "row" in rejected.columns:
                codes = rejected["check"].str.split(", ")
                rows = rejected.loc[codes.apply(lambda c, code=code: code in c), "row"]
                shown = [r for r in rows.tolist() if r][:_ROWS_PER_REASON]
                if shown:
                    msg = "row {rows}" if len(shown) == 1 else "rows {rows}"
                    where = " (" + t(msg, lang, rows=", ".join(shown))
                    where += ", …)" if len(rows) > len(shown) else ")"
            lines.append(f"  - {t(label, lang)}: {format_number(count, lang, decimals=0)}{where}")
    if summary.warnings:
        lines.append(t("Warnings", lang) + ":")
        lines += [f"  - {w}" for w in summary.warnings]
    if account.loaded and "created_at" in data.columns:
        created = pd.to_datetime(data["created_at"])
        lines.append(
            t(
                "Dates from {first} to {last}; months covered:",
                lang,
                first=format_date(created.min().date(), lang),
                last=format_date(created.max().date(), lang),
            )
        )
        lines += _months(created, lang)
    ok, missing = kpi_availability(set(data.columns) if account.loaded else set())
    lines.append(
        t("KPIs available ({count}): {ids}", lang, count=len(ok), ids=", ".join(ok) or "–")
    )
    if missing:
        lines.append(t("KPIs not available:", lang))
        lines += [
            "  - " + t("{kpi}: needs column {columns}", lang, kpi=mid, columns=cols)
            for mid, cols in missing
        ]
    if not account.loaded:
        lines.append(t("Nothing loads: fix the mapping or the file (see the reasons above).", lang))
    return "\n".join(lines), 0 if account.loaded else 1


def _check_code(label: str) -> str | None:
    """The loader's check code behind a reason label (the ``check`` column of rejected rows)."""
    from .. import io as _io

    for code, text in getattr(_io, "_LABELS", {}).items():
        if text == label:
            return code
    return None


def write_suggested_mapping(
    files: Sequence[str],
    out: str | Path,
    *,
    options: dict | None = None,
    lang: str = "en",
    base_dir: Path | None = None,
) -> tuple[str, str | None]:
    """Write a starter mapping for the (first) export to ``out``; return what to print (the
    file written, its text and the entries to review) and the mapping to check the export
    with: the file, or ``None`` when every line of it is commented out (no entry: the
    loader looks for canonical column names, as without a mapping).

    Raises
    ------
    ReportError
        A missing file, or ``out`` already exists (a mapping being edited is never replaced).
    DataError
        The export cannot be read (the loader's message).
    """
    from ..errors import ReportError
    from ..suggest import suggest_mapping
    from .sources import SourceSpec, expand_files

    base_dir = Path(base_dir or Path.cwd())
    options = dict(options or {})
    spec = SourceSpec("data", tuple(files), None, options)
    try:
        paths = expand_files(spec, base_dir, lang=lang, job="check-data")
    except ReportError as exc:
        raise ReportError(str(exc).removeprefix("Job check-data: ")) from None
    text, notes = suggest_mapping(
        paths[0],
        lang=lang,
        sheet=options.get("sheet"),
        encoding=options.get("encoding"),
        dayfirst=options.get("dayfirst"),
    )
    target = Path(out).expanduser()
    target = target if target.is_absolute() else base_dir / target
    try:
        with target.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        raise ReportError(
            t(
                "{path} already exists: choose another name or delete it (a mapping is never "
                "overwritten).",
                lang,
                path=str(out),
            )
        ) from None
    except OSError as exc:
        raise ReportError(
            t("Cannot write {path}: {error}", lang, path=str(out), error=exc.strerror or exc)
        ) from None
    lines = [
        t("Wrote {path}, a starter mapping for {file}:", lang, path=str(out), file=paths[0].name)
    ]
    if len(paths) > 1:
        lines.append(
            t(
                "(from the first of {count} files: the others should have the same columns)",
                lang,
                count=len(paths),
            )
        )
    lines += ["", text.rstrip("\n"), ""]
    if notes:
        lines.append(t("Review before using it:", lang))
        lines += [f"  - {note}" for note in notes]
    else:
        lines.append(t("Review it before using it: every line is a guess.", lang))
    lines += ["", t("What this mapping loads:", lang)]
    import yaml

    return "\n".join(lines), str(target.resolve()) if yaml.safe_load(text) else None
