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

__all__ = ["IndexEntry", "collect_reports", "index_language", "render_index", "write_index"]


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
    lang: str | None = None  # the report's language (run.json)
    title_source: str | None = None  # the title as written in reports.yml (English)
    rejected: int = 0  # rows of the report's data rejected by the checks
    warnings: int = 0  # warnings about the report's data (loading and analysis)
    messages: dict | None = None  # the message in each language ({"en": ..., "pt-BR": ...})


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
            skip = _read(period_dir / "run.skipped.json")
            if good is None and bad is None and skip is None:
                continue
            if (
                good is None
                and skip is not None
                and (
                    bad is None
                    or str(skip.get("generated_at", "")) >= str(bad.get("generated_at", ""))
                )
            ):
                bad = None  # the latest word on a period without a report: no data
            main = good or bad or skip
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
            if html is None and bad is None:
                status = "skipped"
            elif html is None:
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
                    generated_at=(good or bad or skip).get("generated_at"),
                    as_of=main.get("as_of"),
                    message=(bad or skip or {}).get("message") if status != "ok" else None,
                    failed_href=failed_href if status != "ok" else None,
                    lang=_text(main.get("lang")),
                    title_source=_text(main.get("title_source")),
                    rejected=_data_count(good, "rejected"),
                    warnings=_data_count(good, "warnings"),
                    messages=(skip or {}).get("messages") if status == "skipped" else None,
                )
            )
        if entries:
            entries.sort(key=lambda e: (e.period_start, e.period_end, e.period), reverse=True)
            jobs[job_dir.name] = entries
    return jobs


def _data_count(record: dict | None, key: str) -> int:
    """Rows rejected (``key="rejected"``) or warnings given about a report's data, from run.json."""
    if not record:
        return 0
    total = 0
    for account in record.get("data") or []:
        if not isinstance(account, dict):
            continue
        value = account.get(key)
        total += len(value) if isinstance(value, list) else int(value or 0)
    if key == "warnings":
        total += len(record.get("analysis_warnings") or [])
    return total


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def index_language(root: Path, default: str) -> str:
    """The language the reports under ``root`` share, else ``default``.

    So that a folder of English reports (``--param lang=en --out X``) gets an English
    index, and a mixed folder the configured language.
    """
    from ..i18n import normalize_lang

    langs = set()
    for entries in collect_reports(root).values():
        for e in entries:
            try:
                langs.add(normalize_lang(e.lang) if e.lang else None)
            except Exception:  # noqa: BLE001 - an unknown language counts as "mixed"
                langs.add(None)
    return langs.pop() if len(langs) == 1 and None not in langs else default


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


def render_index(
    root: Path, *, lang: str, job_order: Sequence[str] = (), timezone: str | None = None
) -> str:
    """The HTML of the index of the reports under ``root`` (jobs in ``job_order`` first).

    Everything is in ``lang``: labels, dates, the job titles (translated from the English
    title of reports.yml recorded in run.json) and the generation times, shown in
    ``timezone`` (default :data:`kpi_helpers.config.DEFAULT_TIMEZONE`). The page depends
    only on the run.json files, so the same reports give the same bytes.
    """
    from ..config import DEFAULT_TIMEZONE

    zone = timezone or DEFAULT_TIMEZONE
    found = collect_reports(root)
    order = [j for j in job_order if j in found] + sorted(j for j in found if j not in job_order)
    groups = []
    for job in order:
        entries = found[job]
        first = entries[0]
        groups.append(
            {
                "job": job,
                "title": t(first.title_source, lang) if first.title_source else first.title,
                "rows": [
                    {
                        "entry": e,
                        "period_range": _range(e.period_start, e.period_end, lang),
                        "generated": _when(e.generated_at, lang, zone),
                        "message": (e.messages or {}).get(lang) or e.message,
                        "data_note": _data_note(e, lang),
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
        "skipped": t("skipped", lang),
        "failed_notebook": t("failed notebook", lang),
        "empty": t("No reports yet. Run: kpi-report run --all", lang),
        "help": t(
            "Each report is a single HTML file that works offline. Newest period first.", lang
        ),
    }
    template = _environment().get_template("index.html.j2")
    return template.render(lang="pt-BR" if lang == "pt-BR" else "en", groups=groups, labels=labels)


def _data_note(entry: IndexEntry, lang: str) -> str | None:
    """``245 rows rejected · 3 warnings`` for a report whose data needs a look, else None."""
    from ..i18n import format_number

    parts = []
    if entry.rejected:
        parts.append(
            t("{count} rows rejected", lang, count=format_number(entry.rejected, lang, decimals=0))
        )
    if entry.warnings:
        parts.append(
            t(
                "{count} warnings about the data",
                lang,
                count=format_number(entry.warnings, lang, decimals=0),
            )
        )
    return " · ".join(parts) or None


def _when(value, lang: str = "en", timezone: str | None = None) -> str:
    """run.json's ISO time in ``timezone``, per locale: ``1 de nov. de 2026 03:00 (UTC−3)``.

    A time without an offset is shown as written; '' when absent or unreadable.
    """
    import datetime as _dt
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from babel.dates import format_time

    from ..config import DEFAULT_TIMEZONE
    from ..i18n import normalize_lang

    try:
        moment = _dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return ""
    zone_text = ""
    if moment.tzinfo is not None:
        try:
            zone = ZoneInfo(timezone or DEFAULT_TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError):
            zone = _dt.UTC
        moment = moment.astimezone(zone)
        zone_text = f" ({_utc_offset(moment.utcoffset())})"
    when = format_time(moment.time(), "short", locale=normalize_lang(lang).replace("-", "_"))
    return f"{format_date(moment.date(), lang)} {when}{zone_text}"


def _utc_offset(delta) -> str:
    """``UTC−3``, ``UTC+5:30``, ``UTC`` for a UTC offset."""
    minutes = round(delta.total_seconds() / 60) if delta is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _range(start: str, end: str, lang: str) -> str:
    """``Oct 1, 2026 – Oct 31, 2026`` from ISO start and (excluded) end; '' when unreadable."""
    import datetime as _dt

    try:
        first = _dt.date.fromisoformat(start)
        last = _dt.date.fromisoformat(end) - _dt.timedelta(days=1)
    except (TypeError, ValueError):
        return ""
    return f"{format_date(first, lang)} – {format_date(last, lang)}"


def write_index(
    root: Path, *, lang: str, job_order: Sequence[str] = (), timezone: str | None = None
) -> Path:
    """Write ``root/index.html`` atomically and return its path (see :func:`render_index`)."""
    from .runner import _atomic_write

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    path = root / "index.html"
    _atomic_write(path, render_index(root, lang=lang, job_order=job_order, timezone=timezone))
    return path
