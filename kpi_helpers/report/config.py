"""``reports.yml``: the scheduled report jobs, validated into :class:`ReportConfig`.

A file looks like this (paths are relative to the file's folder)::

    output_dir: reports              # where reports/<job>/<period>/ and index.html go
    lang: pt-BR                      # language of the command and index.html, default of every job
    timezone: America/Sao_Paulo      # time zone of the times shown in index.html
    defaults:                        # merged into every job (job keys win)
      parameters:
        data: data/sample/interactions.parquet
    jobs:
      scorecard:
        title: Balanced Scorecard
        notebook: notebooks/scorecard.ipynb
        period: previous_month       # any kpi_helpers.periods spec
        schedule: {monthly: 1}       # daily | {weekly: monday} | {monthly: 1} | manual
        lang: pt-BR
        output: "{job}_{period}"     # file name (no extension) of the HTML/.ipynb
        parameters:                  # checked against the notebook's parameters cell
          period_a: "{previous}"     # placeholders: {period} {previous} {period_start}
                                     # {period_end} {as_of} {lang} {job}

Every error is a :class:`~kpi_helpers.errors.ConfigError` naming the job and the key.
"""

from __future__ import annotations

import datetime as _dt
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..config import DEFAULT_TIMEZONE
from ..errors import ConfigError

__all__ = [
    "DEFAULT_OUTPUT",
    "JOB_KEYS",
    "PLACEHOLDERS",
    "Job",
    "ReportConfig",
    "Schedule",
    "WEEKDAYS",
    "load_config",
    "parse_config",
    "parse_schedule",
    "fill_placeholders",
    "safe_name",
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Keys a job may have.
JOB_KEYS = (
    "title",
    "notebook",
    "period",
    "schedule",
    "lang",
    "output",
    "parameters",
    "timeout",
    "source",
    "description",
    "data",
    "operations",
)
_TOP_KEYS = ("version", "output_dir", "lang", "timezone", "defaults", "jobs")
#: Placeholders accepted in ``output`` and in string parameters.
PLACEHOLDERS = ("job", "period", "previous", "period_start", "period_end", "as_of", "lang")
DEFAULT_OUTPUT = "{job}_{period}"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Schedule:
    """When a job is due: ``daily``, ``weekly`` on some weekdays, ``monthly`` on a day, ``manual``.

    ``monthly`` days past the end of a short month fall on its last day (31 -> Feb 28).
    """

    kind: str
    days: tuple[int, ...] = ()

    def is_due(self, day: _dt.date) -> bool:
        """True when the job runs on ``day``.

        >>> Schedule("weekly", (0,)).is_due(_dt.date(2026, 11, 2))  # a Monday
        True
        """
        if self.kind == "daily":
            return True
        if self.kind == "weekly":
            return day.weekday() in self.days
        if self.kind == "monthly":
            nxt = (day.replace(day=28) + _dt.timedelta(days=4)).replace(day=1)
            last = (nxt - _dt.timedelta(days=1)).day
            return any(min(d, last) == day.day for d in self.days)
        return False

    def describe(self) -> str:
        """``daily``, ``weekly: monday``, ``monthly: 1`` or ``manual``."""
        if self.kind == "weekly":
            return "weekly: " + ", ".join(WEEKDAYS[d] for d in self.days)
        if self.kind == "monthly":
            return "monthly: " + ", ".join(str(d) for d in self.days)
        return self.kind


@dataclass(frozen=True)
class Job:
    """One report job of ``reports.yml`` (paths already resolved against the file's folder)."""

    name: str
    notebook: Path
    notebook_text: str
    title: str
    period: str
    schedule: Schedule
    lang: str
    output: str = DEFAULT_OUTPUT
    parameters: Mapping = field(default_factory=dict)
    timeout: float | None = None
    source: str | None = None
    description: str | None = None
    #: the interactions to read (:class:`~kpi_helpers.report.sources.SourceSpec`), if given
    data: object = None
    #: the operations table to read, if given
    operations: object = None


@dataclass(frozen=True)
class ReportConfig:
    """A validated ``reports.yml``."""

    path: Path | None
    base_dir: Path
    output_dir: Path
    lang: str
    jobs: Mapping[str, Job]
    timezone: str = DEFAULT_TIMEZONE  #: of the times shown in index.html

    def get(self, name: str) -> Job:
        """The job called ``name``; an unknown name lists the known ones."""
        if name not in self.jobs:
            known = ", ".join(self.jobs) or "(none)"
            raise ConfigError(f"Unknown job {name!r}. Jobs in {self._where()}: {known}.")
        return self.jobs[name]

    def _where(self) -> str:
        return str(self.path.name) if self.path else "the configuration"


def safe_name(text: str) -> str:
    """``text`` made safe as one path component: letters, digits, ``._-``; never ``.``/``..``.

    >>> safe_name("2026-01-15..2026-02-14")
    '2026-01-15..2026-02-14'
    >>> safe_name("../etc/passwd")
    '.._etc_passwd'
    """
    out = re.sub(r"[^A-Za-z0-9._-]", "_", str(text)).strip()
    if out in ("", ".", ".."):
        out = "_" + out
    return out[:120]


class _Fields(dict):
    """str.format_map mapping that records unknown placeholders instead of failing."""

    def __init__(self, values: Mapping[str, str]):
        super().__init__(values)
        self.unknown: list[str] = []

    def __missing__(self, key: str) -> str:
        self.unknown.append(key)
        return "{" + key + "}"


def _placeholders(text: str) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ValueError(
            f"malformed braces in {text!r} ({exc}); write {{{{ and }}}} for braces"
        ) from None


def fill_placeholders(value, fields: Mapping[str, str]):
    """Fill ``{period}``-style placeholders in every string of ``value`` (a new object).

    Lists and dicts are walked; other values are returned unchanged.

    >>> fill_placeholders({"a": "{previous}", "b": [1, "{period}"]},
    ...                   {"previous": "2026-09", "period": "2026-10"})
    {'a': '2026-09', 'b': [1, '2026-10']}
    """
    if isinstance(value, str):
        if "{" not in value and "}" not in value:
            return value
        return value.format_map(dict(fields))
    if isinstance(value, list):
        return [fill_placeholders(v, fields) for v in value]
    if isinstance(value, dict):
        return {k: fill_placeholders(v, fields) for k, v in value.items()}
    return value


def _check_placeholders(value, job: str, key: str) -> None:
    if isinstance(value, str):
        try:
            names = _placeholders(value)
        except ValueError as exc:
            raise ConfigError(f"Job {job!r}, key {key!r}: {exc}.") from None
        for name in names:
            if name not in PLACEHOLDERS:
                raise ConfigError(
                    f"Job {job!r}, key {key!r}: unknown placeholder {{{name}}} in {value!r}; "
                    f"valid placeholders: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}."
                )
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_placeholders(v, job, f"{key}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_placeholders(v, job, f"{key}.{k}")


def parse_schedule(value, *, job: str = "?") -> Schedule:
    """A :class:`Schedule` from ``daily``, ``manual``, ``{weekly: monday}`` or ``{monthly: 1}``.

    ``weekly`` and ``monthly`` also take lists (``{weekly: [monday, thursday]}``).

    >>> parse_schedule({"monthly": 1})
    Schedule(kind='monthly', days=(1,))
    """
    where = f"Job {job!r}, key 'schedule'"
    forms = "'daily', 'manual', {weekly: monday} or {monthly: 1} (day 1-31)"
    if value is None or value == "manual":
        return Schedule("manual")
    if value == "daily":
        return Schedule("daily")
    if isinstance(value, str) and ":" in value:  # "weekly: monday" written as one string
        kind, _, rest = value.partition(":")
        value = {kind.strip(): rest.strip()}
    if not isinstance(value, dict) or len(value) != 1:
        raise ConfigError(f"{where} must be one of {forms}, got {value!r}.")
    ((kind, days),) = value.items()
    items = days if isinstance(days, list) else [days]
    if not items:
        raise ConfigError(f"{where}: {kind!r} needs at least one day, got {days!r}.")
    if kind == "weekly":
        out = []
        for d in items:
            name = str(d).strip().lower()
            if name not in WEEKDAYS:
                raise ConfigError(
                    f"{where}: weekday must be one of {', '.join(WEEKDAYS)}, got {d!r}."
                )
            out.append(WEEKDAYS.index(name))
        return Schedule("weekly", tuple(sorted(set(out))))
    if kind == "monthly":
        out = []
        for d in items:
            if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 31:
                raise ConfigError(f"{where}: monthly day must be an integer 1-31, got {d!r}.")
            out.append(d)
        return Schedule("monthly", tuple(sorted(set(out))))
    raise ConfigError(f"{where} must be one of {forms}, got {value!r}.")


def _merge(defaults: Mapping, job: Mapping) -> dict:
    out = dict(defaults)
    for key, value in job.items():
        if key == "parameters" and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    # a job's own data wins over the defaults', whichever form each uses
    job_params = job.get("parameters") if isinstance(job.get("parameters"), dict) else {}
    for key in ("data", "operations"):
        if key in job_params and key not in job:
            out.pop(key, None)
        elif key in job and isinstance(out.get("parameters"), dict) and key not in job_params:
            out["parameters"] = {k: v for k, v in out["parameters"].items() if k != key}
    return out


def _normalize_yaml_value(value):
    """YAML turns 2026-10-01 into a date: give it back as the ISO string notebooks expect."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_normalize_yaml_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalize_yaml_value(v) for k, v in value.items()}
    return value


def _parse_job(name, raw, *, base_dir: Path, default_lang: str) -> Job:
    from ..i18n import normalize_lang
    from ..periods import parse_period

    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ConfigError(
            f"Job name {name!r} is invalid: use letters, digits, '_' and '-' "
            "(starting with a letter or digit, at most 64 characters)."
        )
    if not isinstance(raw, dict):
        raise ConfigError(
            f"Job {name!r} must be a mapping of keys ({', '.join(JOB_KEYS)}), got {raw!r}."
        )
    for key in raw:
        if key not in JOB_KEYS:
            raise ConfigError(
                f"Job {name!r}: unknown key {key!r}; valid keys: {', '.join(JOB_KEYS)}."
            )
    if "notebook" not in raw:
        raise ConfigError(f"Job {name!r}: missing key 'notebook' (path of the .ipynb to run).")
    nb = raw["notebook"]
    if not isinstance(nb, str) or not nb.endswith(".ipynb"):
        raise ConfigError(
            f"Job {name!r}, key 'notebook' must be a path to a .ipynb file, got {nb!r}."
        )
    period = raw.get("period", "previous_month")
    if not isinstance(period, str):
        raise ConfigError(
            f"Job {name!r}, key 'period' must be a period spec string, got {period!r}."
        )
    try:  # validate the spec now (any as_of will do for relative specs)
        parse_period(period, as_of=_dt.date(2000, 1, 1))
    except Exception as exc:
        raise ConfigError(f"Job {name!r}, key 'period': {exc}") from None
    try:
        lang = normalize_lang(raw.get("lang", default_lang))
    except Exception as exc:
        raise ConfigError(f"Job {name!r}, key 'lang': {exc}") from None
    output = raw.get("output", DEFAULT_OUTPUT)
    if not isinstance(output, str) or not output.strip():
        raise ConfigError(f"Job {name!r}, key 'output' must be a non-empty string, got {output!r}.")
    _check_placeholders(output, name, "output")
    if "/" in output or "\\" in output:
        raise ConfigError(
            f"Job {name!r}, key 'output' must be a file name without folders, got {output!r}."
        )
    params = raw.get("parameters") or {}
    if not isinstance(params, dict):
        raise ConfigError(f"Job {name!r}, key 'parameters' must be a mapping, got {params!r}.")
    for key in params:
        if not isinstance(key, str) or not key.isidentifier():
            raise ConfigError(
                f"Job {name!r}, key 'parameters': {key!r} is not a Python identifier."
            )
    params = _normalize_yaml_value(params)
    _check_placeholders(params, name, "parameters")
    timeout = raw.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        raise ConfigError(
            f"Job {name!r}, key 'timeout' must be a positive number of seconds, got {timeout!r}."
        )
    sources = {}
    for key in ("data", "operations"):
        if raw.get(key) is None:
            continue
        if key in params:
            raise ConfigError(
                f"Job {name!r}: {key!r} is given both as a job key and in 'parameters': "
                f"keep the job key (with its mapping and loading options)."
            )
        from .sources import parse_source

        sources[key] = parse_source(raw[key], kind=key, where=f"Job {name!r}, key {key!r}")
    title = raw.get("title", name)
    for key in ("title", "source", "description"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise ConfigError(f"Job {name!r}, key {key!r} must be a string, got {raw.get(key)!r}.")
    return Job(
        name=name,
        notebook=(base_dir / nb).resolve(),
        notebook_text=nb,
        title=title,
        period=period,
        schedule=parse_schedule(raw.get("schedule", "manual"), job=name),
        lang=lang,
        output=output,
        parameters=params,
        timeout=float(timeout) if timeout is not None else None,
        source=raw.get("source"),
        description=raw.get("description"),
        data=sources.get("data"),
        operations=sources.get("operations"),
    )


def parse_config(raw, *, base_dir: Path, path: Path | None = None) -> ReportConfig:
    """Validate a parsed ``reports.yml`` (a dict) into a :class:`ReportConfig`.

    Parameters
    ----------
    raw : dict
        The YAML document.
    base_dir : Path
        Folder that relative paths are resolved against (the file's folder).
    path : Path, optional
        The file, for messages.
    """
    from ..config import DEFAULT_LANG
    from ..i18n import normalize_lang

    where = path.name if path else "the configuration"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping with a 'jobs' key, got {type(raw).__name__}.")
    for key in raw:
        if key not in _TOP_KEYS:
            raise ConfigError(
                f"{where}: unknown top-level key {key!r}; valid keys: {', '.join(_TOP_KEYS)}."
            )
    try:
        lang = normalize_lang(raw.get("lang", DEFAULT_LANG))
    except Exception as exc:
        raise ConfigError(f"{where}, key 'lang': {exc}") from None
    timezone = raw.get("timezone", DEFAULT_TIMEZONE)
    try:
        from zoneinfo import ZoneInfo

        if not isinstance(timezone, str):
            raise ValueError(timezone)
        ZoneInfo(timezone)
    except Exception:  # noqa: BLE001 - ZoneInfoNotFoundError, ValueError, TypeError
        raise ConfigError(
            f"{where}, key 'timezone' must be an IANA time zone such as 'America/Sao_Paulo' "
            f"or 'UTC', got {timezone!r}."
        ) from None
    out = raw.get("output_dir", "reports")
    if not isinstance(out, str) or not out.strip():
        raise ConfigError(f"{where}, key 'output_dir' must be a folder path, got {out!r}.")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{where}, key 'defaults' must be a mapping, got {defaults!r}.")
    for key in defaults:
        if key not in JOB_KEYS or key == "notebook":
            raise ConfigError(
                f"{where}, key 'defaults': unknown key {key!r}; valid keys: "
                f"{', '.join(k for k in JOB_KEYS if k != 'notebook')}."
            )
    jobs_raw = raw.get("jobs")
    if not isinstance(jobs_raw, dict) or not jobs_raw:
        raise ConfigError(f"{where}, key 'jobs' must be a non-empty mapping of job name -> job.")
    jobs = {}
    for name, job_raw in jobs_raw.items():
        merged = _merge(defaults, job_raw) if isinstance(job_raw, dict) else job_raw
        jobs[name] = _parse_job(name, merged, base_dir=base_dir, default_lang=lang)
    return ReportConfig(
        path=path,
        base_dir=base_dir,
        output_dir=(base_dir / out).resolve(),
        lang=lang,
        jobs=jobs,
        timezone=timezone,
    )


def load_config(path: str | Path | None = None) -> ReportConfig:
    """Read and validate ``reports.yml`` (default: the project's, :data:`kpi_helpers.config.REPORTS_CONFIG`).

    Raises
    ------
    ConfigError
        When the file is missing, is not valid YAML, or a job is invalid (the message
        names the job and the key).
    """
    import yaml

    from ..config import REPORTS_CONFIG

    path = Path(path) if path is not None else REPORTS_CONFIG
    if not path.is_file():
        raise ConfigError(f"Report configuration not found: {path}. Pass --config PATH.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{path.name} is not valid YAML{line}: {getattr(exc, 'problem', exc)}."
        ) from None
    return parse_config(raw, base_dir=path.resolve().parent, path=path)
