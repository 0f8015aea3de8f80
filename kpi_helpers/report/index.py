"""``reports/index.html``: every report, newest first per job, with relative links.

Built from the ``run.json`` (and ``run.failed.json``) files under the output folder, so it
also lists reports of jobs no longer in ``reports.yml``. Links are relative and URL-quoted,
every name is HTML-escaped, nothing is loaded from the network: the folder works from a
file share or a zip.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..i18n import format_date, t

__all__ = ["IndexEntry", "collect_reports", "render_index", "write_index"]


@dataclass(frozen=True)
class IndexEntry:
    """One period folder of one job."""

    job: str
    title: str
    period: str
    period_start: str
    period_end: str
    status: str  # "ok", "failed" (no good report) or "stale" (good report, last rerun failed)
    href: str | None
    generated_at: str | None
    as_of: str | None
    message: str | None = None
    failed_href: str | None = None


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _href(root: Path, path: Path) -> str:
    return "/".join(quote(part) for part in path.relative_to(root).parts)


def collect_reports(root: Path) -> dict[str, list[IndexEntry]]:
    """Reports found under ``root``: job folder name -> entries, newest period first."""
    root = Path(root)
    jobs: dict[str, list[IndexEntry]] = {}
    if not root.is_dir():
        return jobs
    for job_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        entries = []
        for period_dir in sorted(
            p for p in job_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
        ):
            good = _read(period_dir / "run.json")
            bad = _read(period_dir / "run.failed.json")
            if good is None and bad is None:
                continue
            main = good or bad
            period = main.get("period") or {}
            html = None
            if good is not None and (good.get("outputs") or {}).get("html"):
                page = period_dir / good["outputs"]["html"]
                if page.is_file():
                    html = _href(root, page)
            failed_href = None
            if bad is not None:
                nb_name = (bad.get("outputs") or {}).get("notebook")
                if nb_name and (period_dir / nb_name).is_file():
                    failed_href = _href(root, period_dir / nb_name)
            if html is None:
                status = "failed"
            elif bad is not None and str(bad.get("generated_at", "")) > str(
                good.get("generated_at", "")
            ):
                status = "stale"
            else:
                status = "ok"
            entries.append(
                IndexEntry(
                    job=str(main.get("job", job_dir.name)),
                    title=str(main.get("title") or main.get("job") or job_dir.name),
                    period=str(period.get("label", period_dir.name)),
                    period_start=str(period.get("start", "")),
                    period_end=str(period.get("end", "")),
                    status=status,
                    href=html,
                    generated_at=(good or bad).get("generated_at"),
                    as_of=main.get("as_of"),
                    message=(bad or {}).get("message") if status != "ok" else None,
                    failed_href=failed_href if status != "ok" else None,
                )
            )
        if entries:
            entries.sort(key=lambda e: (e.period_start, e.period_end, e.period), reverse=True)
            jobs[job_dir.name] = entries
    return jobs


def _environment():
    import jinja2

    from .render import TEMPLATES_DIR

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_index(root: Path, *, lang: str, job_order: Sequence[str] = ()) -> str:
    """The HTML of the index of the reports under ``root`` (jobs in ``job_order`` first)."""
    found = collect_reports(root)
    order = [j for j in job_order if j in found] + sorted(j for j in found if j not in job_order)
    groups = []
    for job in order:
        entries = found[job]
        groups.append(
            {
                "job": job,
                "title": entries[0].title,
                "rows": [
                    {
                        "entry": e,
                        "period_range": _range(e.period_start, e.period_end, lang),
                        "generated": _when(e.generated_at),
                    }
                    for e in entries
                ],
            }
        )
    labels = {
        "title": t("Reports", lang),
        "period": t("Period", lang),
        "dates": t("Dates", lang),
        "status": t("Status", lang),
        "generated": t("Generated", lang),
        "ok": t("ready", lang),
        "failed": t("failed", lang),
        "stale": t("last rerun failed; showing the previous good report", lang),
        "failed_notebook": t("failed notebook", lang),
        "empty": t("No reports yet. Run: kpi-report run --all", lang),
        "help": t(
            "Each report is a single HTML file that works offline. Newest period first.", lang
        ),
    }
    template = _environment().get_template("index.html.j2")
    return template.render(lang="pt-BR" if lang == "pt-BR" else "en", groups=groups, labels=labels)


def _when(value) -> str:
    """``2026-11-01 06:00 UTC`` from run.json's ISO time ('' when absent or unreadable)."""
    import datetime as _dt

    try:
        moment = _dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.UTC)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M")


def _range(start: str, end: str, lang: str) -> str:
    """``Oct 1, 2026 – Oct 31, 2026`` from ISO start and (excluded) end; '' when unreadable."""
    import datetime as _dt

    try:
        first = _dt.date.fromisoformat(start)
        last = _dt.date.fromisoformat(end) - _dt.timedelta(days=1)
    except (TypeError, ValueError):
        return ""
    return f"{format_date(first, lang)} – {format_date(last, lang)}"


def write_index(root: Path, *, lang: str, job_order: Sequence[str] = ()) -> Path:
    """Write ``root/index.html`` atomically and return its path."""
    from .runner import _atomic_write

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / "index.html"
    _atomic_write(path, render_index(root, lang=lang, job_order=job_order))
    return path
