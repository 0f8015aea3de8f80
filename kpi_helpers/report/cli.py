"""The ``kpi-report`` command: run report jobs from ``reports.yml``.

Examples
--------
::

    kpi-report list
    kpi-report run --all                        # latest complete periods of the data
    kpi-report run scorecard --as-of 2026-11-01 --param lang=en
    kpi-report run trends --from 2026-W30 --to 2026-W43    # backfill
    kpi-report due --as-of 2026-11-02           # what a daily cron line runs

Exit status: 0 when every job succeeded, 1 when a job failed (or, for ``run``, was skipped
because the data covers none of its period: ``due`` skips such a job with one line and
exits 0, so a daily cron stays quiet), 2 for a usage or configuration error. Errors are one readable message (job, cell, error), never a traceback
(set ``KPI_REPORT_DEBUG=1`` to get one).
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError, KpiError, ReportError
from ..i18n import format_number, t

__all__ = ["app", "main"]

app = typer.Typer(
    name="kpi-report",
    help="Run the scheduled KPI reports of reports.yml (papermill + offline HTML).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_EXIT_FAILED = 1
_EXIT_USAGE = 2

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="The jobs file (default: reports.yml of the project).",
        dir_okay=False,
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="First day NOT included in the data, YYYY-MM-DD "
        "(default for run: the day after the latest created_at of the job's data).",
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of every message of the command and of index.html: en or pt-BR "
        "(default: the lang of reports.yml; without --lang, an index whose reports all "
        "share one language is written in it). Reports keep their job's lang.",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Output folder instead of output_dir of reports.yml.", file_okay=False
    ),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        help="Seconds each notebook may run in total (default: the "
        "job's timeout, else no limit). Going over fails the job.",
        min=0.001,
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option("--dry-run", help="Resolve periods and check parameters, run nothing."),
]
ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="Override a notebook parameter: key=value (value read "
        "as YAML: 3, true, [csat, nps]). Repeatable.",
    ),
]
GeneratedOpt = Annotated[
    str | None,
    typer.Option(
        "--generated-at",
        help="Generation time to print in the pages. By default "
        "pages show the period and the data's as-of date only (run.json records the "
        "time), so a rerun on the same data is byte-identical.",
    ),
]


class _Usage(Exception):
    """A usage error: message printed, exit status 2."""


def _echo(text: str = "", *, err: bool = False) -> None:
    typer.echo(text, err=err)


def _lang(lang: str | None, config=None) -> str:
    from ..config import DEFAULT_LANG
    from ..i18n import normalize_lang

    if lang is not None:
        try:
            return normalize_lang(lang)
        except KpiError as exc:
            raise _Usage(f"--lang: {exc}") from None
    if config is not None:
        return config.lang
    env = os.environ.get("KPI_LANG")
    try:
        return normalize_lang(env) if env else DEFAULT_LANG
    except KpiError:
        return DEFAULT_LANG


def _date(value: str | None, option: str, lang: str) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _Usage(
            t(
                "{option} must be a date YYYY-MM-DD, got {value!r}.",
                lang,
                option=option,
                value=value,
            )
        ) from None


def _params(items: list[str] | None, lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise _Usage(
                t(
                    "--param must be key=value with a Python name as key, got {item!r}.",
                    lang,
                    item=item,
                )
            )
        out[key] = value
    return out


def _load(config_path: Path | None):
    from .config import load_config

    return load_config(config_path)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _progress_printer(prefix: str):
    """A live ``cell N/M`` counter on a terminal; nothing in a log (start and end lines suffice)."""
    if not sys.stdout.isatty():
        return None

    def progress(done: int, total: int) -> None:
        sys.stdout.write(f"\r{prefix} {done}/{total}")
        sys.stdout.flush()
        if done == total:
            sys.stdout.write("\r" + " " * (len(prefix) + 12) + "\r")
            sys.stdout.flush()

    return progress


def _plans(config, jobs, *, as_of, first, last, overrides, out, timeout, lang):
    """(plans, errors) for the selected jobs; nothing runs here."""
    from ..periods import parse_period, periods_between
    from .runner import default_as_of, plan_job
    from .sources import cache_dir_for, prepare_plan

    plans, errors = [], []
    cache: dict = {}
    cache_dir = cache_dir_for(out if out is not None else config.output_dir)
    for job in jobs:
        try:
            job_as_of = as_of or default_as_of(
                job, config, cache=cache, lang=lang, cache_dir=cache_dir
            )
            if first is not None:
                kind = parse_period(job.period, as_of=job_as_of).kind
                if kind not in ("day", "week", "month", "quarter", "year"):
                    raise ReportError(
                        t(
                            "Job {job}: --from/--to need a job whose period is a day, week, month, "
                            "quarter or year; its period {spec!r} is a {kind}.",
                            lang,
                            job=job.name,
                            spec=job.period,
                            kind=kind,
                        )
                    )
                try:
                    periods = periods_between(first, last, kind, as_of=job_as_of)
                except KpiError as exc:
                    raise ReportError(f"Job {job.name}: --from/--to: {exc}") from None
                for period in periods:
                    plan = plan_job(
                        job,
                        config,
                        as_of=period.end,
                        period=period,
                        overrides=overrides,
                        out_dir=out,
                        timeout=timeout,
                        lang=lang,
                    )
                    plans.append(
                        prepare_plan(plan, config, memo=cache, lang=lang, cache_dir=cache_dir)
                    )
            else:
                plan = plan_job(
                    job,
                    config,
                    as_of=job_as_of,
                    overrides=overrides,
                    out_dir=out,
                    timeout=timeout,
                    lang=lang,
                )
                plans.append(prepare_plan(plan, config, memo=cache, lang=lang, cache_dir=cache_dir))
        except KpiError as exc:
            errors.append((job.name, str(exc)))
    return plans, errors


def _index_lang(root: Path, lang: str, explicit: bool, config) -> str:
    """The index's language: --lang when given, else the one its reports share, else config's."""
    from .index import index_language

    return lang if explicit else index_language(root, config.lang)


def _run_jobs(
    config,
    jobs,
    *,
    as_of,
    first,
    last,
    overrides,
    out,
    timeout,
    dry_run,
    generated_at,
    lang,
    explicit_lang=False,
    skip_fails=True,
) -> int:
    """Plan, then run each plan; a plan whose period the data does not cover is skipped
    (one line, ``run.skipped.json``); ``skip_fails``: a skip makes the exit status 1."""
    from .index import write_index
    from .runner import coverage_gap, execute_plan, record_skipped

    plans, errors = _plans(
        config,
        jobs,
        as_of=as_of,
        first=first,
        last=last,
        overrides=overrides,
        out=out,
        timeout=timeout,
        lang=lang,
    )
    for _name, message in errors:
        _echo(f"✗ {message}", err=True)
    gaps = {id(plan): coverage_gap(plan, lang) for plan in plans}
    if dry_run:
        for plan in plans:
            if gaps[id(plan)]:
                _echo(
                    t(
                        "{job} {period}: would be skipped: {reason}",
                        lang,
                        job=plan.job.name,
                        period=plan.period.label,
                        reason=gaps[id(plan)],
                    )
                )
                continue
            _echo(
                t(
                    "{job} {period}: would run {notebook} -> {html}",
                    lang,
                    job=plan.job.name,
                    period=plan.period.label,
                    notebook=plan.job.notebook_text,
                    html=_rel(plan.html_path),
                )
            )
            for key, value in plan.parameters.items():
                _echo(f"    {key} = {value!r}")
        _echo(t("Dry run: nothing was executed.", lang))
        skips = any(gaps.values()) and skip_fails
        return _EXIT_FAILED if errors or skips else 0
    results = []
    for i, plan in enumerate(plans, start=1):
        prefix = f"[{i}/{len(plans)}] {plan.job.name} {plan.period.label}"
        if gaps[id(plan)]:
            results.append(record_skipped(plan, gaps[id(plan)]))
            _echo(f"{prefix}: " + t("skipped: {reason}", lang, reason=gaps[id(plan)]))
            continue
        _echo(f"{prefix}: " + t("running {notebook}", lang, notebook=plan.job.notebook_text))
        result = execute_plan(
            plan,
            progress=_progress_printer(f"{prefix}: " + t("cell", lang)),
            generated_at=generated_at,
            on_wait=lambda text, prefix=prefix: _echo(f"{prefix}: {text}"),
        )
        results.append(result)
        if result.status == "ok":
            _echo(
                f"{prefix}: "
                + t(
                    "done in {seconds} s -> {path}",
                    lang,
                    seconds=format_number(result.duration_s, lang, decimals=1),
                    path=_rel(result.html),
                )
            )
        else:
            _echo(f"✗ {result.message}", err=True)
    root = out if out is not None else config.output_dir
    index = write_index(
        root,
        lang=_index_lang(Path(root), lang, explicit_lang, config),
        job_order=list(config.jobs),
        timezone=config.timezone,
    )
    _echo(t("Index: {path}", lang, path=_rel(index)))
    ok = sum(r.status == "ok" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    total = len(results) + len(errors)
    failed = total - ok - skipped
    if failed:
        _echo(t("{failed} of {total} reports failed.", lang, failed=failed, total=total), err=True)
        return _EXIT_FAILED
    if skipped:
        _echo(
            t(
                "{ok} of {total} reports succeeded, {skipped} skipped (no data for their period).",
                lang,
                ok=ok,
                total=total,
                skipped=skipped,
            )
        )
        return _EXIT_FAILED if skip_fails else 0
    _echo(t("{ok} of {total} reports succeeded.", lang, ok=ok, total=total))
    return 0


def _guard(func):
    """Turn KpiErrors into one readable line and an exit status (no traceback)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            code = func(*args, **kwargs)
        except _Usage as exc:
            _echo(f"kpi-report: {exc}", err=True)
            raise typer.Exit(_EXIT_USAGE) from None
        except ConfigError as exc:
            _echo(f"kpi-report: {exc}", err=True)
            raise typer.Exit(_EXIT_USAGE) from None
        except KpiError as exc:
            _echo(f"kpi-report: {exc}", err=True)
            raise typer.Exit(_EXIT_FAILED) from None
        raise typer.Exit(code or 0)

    return wrapper


@app.command("run", short_help="Run jobs (names or --all) and refresh index.html.")
@_guard
def run_command(
    jobs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Jobs to run (names in reports.yml).", show_default=False, metavar="JOB"
        ),
    ] = None,
    all_jobs: Annotated[bool, typer.Option("--all", help="Run every job.")] = False,
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    out: OutOpt = None,
    param: ParamOpt = None,
    timeout: TimeoutOpt = None,
    dry_run: DryRunOpt = False,
    first: Annotated[
        str | None,
        typer.Option(
            "--from", help="Backfill: first period (e.g. 2026-01 or 2026-W02), with --to."
        ),
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Backfill: last period, included.")
    ] = None,
    generated_at: GeneratedOpt = None,
    lang: LangOpt = None,
) -> int:
    """Run the named jobs, or every job with --all, for their period; refresh index.html.

    Without --as-of, each job reports the latest complete period of its data.
    """
    cfg = _load(config)
    ui = _lang(lang, cfg)
    if all_jobs and jobs:
        raise _Usage(t("Pass job names or --all, not both.", ui))
    if not all_jobs and not jobs:
        raise _Usage(
            t("Name the jobs to run or pass --all. Jobs: {jobs}.", ui, jobs=", ".join(cfg.jobs))
        )
    if (first is None) != (last is None):
        raise _Usage(t("--from and --to go together.", ui))
    selected = list(cfg.jobs.values()) if all_jobs else [cfg.get(name) for name in jobs]
    return _run_jobs(
        cfg,
        selected,
        as_of=_date(as_of, "--as-of", ui),
        first=first,
        last=last,
        overrides=_params(param, ui),
        out=out,
        timeout=timeout,
        dry_run=dry_run,
        generated_at=generated_at,
        lang=ui,
        explicit_lang=lang is not None,
    )


@app.command("due", short_help="Run the jobs due on a day (for a daily cron line).")
@_guard
def due_command(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day to check, YYYY-MM-DD (default: today). Periods resolve against it.",
        ),
    ] = None,
    config: ConfigOpt = None,
    out: OutOpt = None,
    param: ParamOpt = None,
    timeout: TimeoutOpt = None,
    dry_run: DryRunOpt = False,
    generated_at: GeneratedOpt = None,
    lang: LangOpt = None,
) -> int:
    """Run the jobs whose schedule is due on --as-of (one daily cron line drives everything)."""
    cfg = _load(config)
    ui = _lang(lang, cfg)
    day = _date(as_of, "--as-of", ui) or _dt.date.today()
    due = [job for job in cfg.jobs.values() if job.schedule.is_due(day)]
    if not due:
        _echo(t("No job is due on {date}.", ui, date=day.isoformat()))
        return 0
    _echo(t("Due on {date}: {jobs}", ui, date=day.isoformat(), jobs=", ".join(j.name for j in due)))
    return _run_jobs(
        cfg,
        due,
        skip_fails=False,
        as_of=day,
        first=None,
        last=None,
        overrides=_params(param, ui),
        out=out,
        timeout=timeout,
        dry_run=dry_run,
        generated_at=generated_at,
        lang=ui,
        explicit_lang=lang is not None,
    )


@app.command("list", short_help="Show the jobs, their schedules and periods.")
@_guard
def list_command(
    config: ConfigOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
) -> int:
    """Show the jobs, their schedules and the periods they would report now."""
    from ..periods import parse_period
    from .runner import default_as_of

    cfg = _load(config)
    ui = _lang(lang, cfg)
    day = _date(as_of, "--as-of", ui)
    header = [
        t("job", ui),
        t("schedule", ui),
        t("period", ui),
        t("as of", ui),
        t("lang", ui),
        t("notebook", ui),
    ]
    rows = []
    cache: dict = {}
    for job in cfg.jobs.values():
        try:
            job_as_of = day or default_as_of(job, cfg, cache=cache, lang=ui)
            resolved = f"{job.period} = {parse_period(job.period, as_of=job_as_of).label}"
            shown_as_of = job_as_of.isoformat()
        except KpiError:
            resolved, shown_as_of = f"{job.period} = ?", "?"
        notebook = job.notebook_text + ("" if job.notebook.is_file() else " " + t("(missing)", ui))
        rows.append([job.name, job.schedule.describe(), resolved, shown_as_of, job.lang, notebook])
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        _echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    _echo(t("Reports go to {path}", ui, path=_rel(cfg.output_dir)))
    return 0


@app.command("index", short_help="Rebuild index.html from the reports on disk.")
@_guard
def index_command(
    config: ConfigOpt = None,
    out: OutOpt = None,
    lang: LangOpt = None,
) -> int:
    """Rebuild index.html from the reports already on disk."""
    from .index import write_index

    cfg = _load(config)
    ui = _lang(lang, cfg)
    root = Path(out if out is not None else cfg.output_dir)
    path = write_index(
        root,
        lang=_index_lang(root, ui, lang is not None, cfg),
        job_order=list(cfg.jobs),
        timezone=cfg.timezone,
    )
    _echo(t("Index: {path}", ui, path=_rel(path)))
    return 0


@app.command("check-data", short_help="Show what an export would load, before scheduling it.")
@_guard
def check_data_command(
    files: Annotated[
        list[str],
        typer.Argument(
            help="The export file(s): CSV, Excel or Parquet (globs allowed).", metavar="FILE"
        ),
    ],
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping",
            "-m",
            help="A mapping YAML file or a preset name (kpi_helpers.list_presets()).",
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Excel sheet(s): a name, or 'all'.")
    ] = None,
    dayfirst: Annotated[
        bool | None,
        typer.Option(
            "--dayfirst/--monthfirst", help="How 01/02/2026 reads when the values do not tell."
        ),
    ] = None,
    decimal: Annotated[
        str | None, typer.Option("--decimal", help="Decimal mark of text numbers: ',' or '.'.")
    ] = None,
    lang: LangOpt = None,
    suggest: Annotated[
        Path | None,
        typer.Option(
            "--suggest-mapping",
            help="Write a starter mapping YAML to this (new) file, guessed from the export's "
            "column names and values, then show what it loads. Edit it, then use --mapping.",
            dir_okay=False,
        ),
    ] = None,
) -> int:
    """Load an export as a report job would and show what loads: rows read, loaded and
    rejected (reasons, row numbers), warnings, the months covered and which KPIs it can give.
    Exits 1 when no row loads."""
    from .check_data import check_export, write_suggested_mapping

    ui = _lang(lang, None)
    options = {
        k: v
        for k, v in {"sheet": sheet, "dayfirst": dayfirst, "decimal": decimal}.items()
        if v is not None
    }
    if suggest is not None:
        if mapping is not None:
            raise _Usage(t("--suggest-mapping writes a new mapping: leave out --mapping.", ui))
        if suggest.exists():
            raise _Usage(
                t(
                    "{path} already exists: choose another name or delete it (a mapping is "
                    "never overwritten).",
                    ui,
                    path=str(suggest),
                )
            )
        shown, mapping = write_suggested_mapping(files, suggest, options=options, lang=ui)
        _echo(shown)
    text, code = check_export(files, mapping=mapping, options=options, lang=ui)
    _echo(text)
    return code


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point (``kpi-report``)."""
    import logging

    debug = os.environ.get("KPI_REPORT_DEBUG") == "1"
    if not debug:  # papermill/nbclient log timeouts and kernel chatter: our messages suffice
        for name in ("papermill", "nbclient", "traitlets", "jupyter_client"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        app(args=argv, prog_name="kpi-report", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if argv is None:
            raise
        return code
    except KeyboardInterrupt:
        _echo(
            "kpi-report: " + t("interrupted; reports already in place are untouched.", None),
            err=True,
        )
        if argv is None:
            sys.exit(130)
        return 130
    except Exception as exc:
        if debug:
            raise
        _echo(
            f"kpi-report: internal error: {type(exc).__name__}: {exc} "
            "(set KPI_REPORT_DEBUG=1 for the traceback)",
            err=True,
        )
        if argv is None:
            sys.exit(3)
        return 3
    return 0


if __name__ == "__main__":  # python -m kpi_helpers.report.cli
    main()
