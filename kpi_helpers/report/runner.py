"""Run one report job: resolve its period, check its parameters, execute it, write it atomically.

:func:`plan_job` does everything that can fail before a kernel starts (the notebook exists,
every parameter is declared in its parameters cell and has the declared type, the period
resolves); :func:`execute_plan` runs the notebook with papermill (explicit ``python3``
kernel of the running interpreter, explicit working directory = the folder of
``reports.yml``), renders the HTML and moves the results into
``<output_dir>/<job>/<period>/`` with :func:`os.replace`, so a failed or interrupted rerun
never replaces a good report. A failure keeps the executed notebook as
``<name>.failed.ipynb`` and writes ``run.failed.json``; the good report stays.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportError
from ..i18n import format_date, t
from .charts_offline import ENV_FLAG
from .config import Job, ReportConfig, fill_placeholders, safe_name

__all__ = [
    "AUTO_PARAMETERS",
    "DATA_PARAMETERS",
    "JobResult",
    "RunPlan",
    "data_as_of",
    "default_as_of",
    "execute_plan",
    "plan_job",
    "versions",
]

#: Parameters filled by the runner when the notebook declares them and the job does not set them.
AUTO_PARAMETERS = ("period", "period_start", "period_end", "as_of", "lang", "interactive")
#: Notebook parameters that name a data file, with the file a blank value ("") stands for in
#: the project's notebooks (the committed sample, targets.yml). Every one a job has is
#: recorded in run.json with its checksum and listed in the page header.
DATA_PARAMETERS = ("data", "operations", "targets")
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_ENGINE_NAME = "kpi_report"


# -- plans ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunPlan:
    """Everything needed to run one job for one period (all checks passed)."""

    job: Job
    period: object  # kpi_helpers.periods.Period
    as_of: _dt.date
    parameters: Mapping
    out_dir: Path
    stem: str
    base_dir: Path
    timeout: float | None = None
    inputs: Mapping = field(default_factory=dict)
    #: language of the messages of this run (the command's); the page speaks ``job.lang``
    messages_lang: str | None = None
    #: the accounts of the job's data sources (:class:`~kpi_helpers.report.sources.Account`)
    sources: tuple = ()

    @property
    def data_account(self):
        """The account of the job's interactions (None when the notebook reads none)."""
        return next((a for a in self.sources if a.role == "data"), None)

    @property
    def rejected_csv_path(self) -> Path:
        return self.out_dir / f"{self.stem}.rejected.csv"

    @property
    def operations_rejected_csv_path(self) -> Path:
        return self.out_dir / f"{self.stem}.operations.rejected.csv"

    @property
    def skipped_json_path(self) -> Path:
        return self.out_dir / "run.skipped.json"

    def rejected_csv_for(self, role: str) -> Path:
        """Where the rejected rows of the source ``role`` go next to the report."""
        return self.rejected_csv_path if role == "data" else self.operations_rejected_csv_path

    @property
    def html_path(self) -> Path:
        return self.out_dir / f"{self.stem}.html"

    @property
    def notebook_path(self) -> Path:
        return self.out_dir / f"{self.stem}.ipynb"

    @property
    def run_json_path(self) -> Path:
        return self.out_dir / "run.json"

    @property
    def failed_notebook_path(self) -> Path:
        return self.out_dir / f"{self.stem}.failed.ipynb"

    @property
    def failed_json_path(self) -> Path:
        return self.out_dir / "run.failed.json"


@dataclass(frozen=True)
class JobResult:
    """The outcome of one job run: ``status`` is ``"ok"``, ``"failed"`` or ``"planned"``."""

    job: str
    period: str | None
    status: str
    message: str | None = None
    html: Path | None = None
    duration_s: float = 0.0


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_as_of(path: str | Path) -> _dt.date:
    """The day after the latest ``created_at`` in a Parquet or CSV file (read with DuckDB).

    Only the maximum is read (a metadata-level scan for Parquet), so it is cheap on big files.

    Raises
    ------
    ReportError
        When the file is missing, has no ``created_at`` column or no rows.
    """
    import duckdb

    path = Path(path)
    if not path.is_file():
        raise ReportError(f"Data file not found: {path}.")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        reader = "read_parquet"
    elif suffix in (".csv", ".tsv", ".txt") or path.name.lower().endswith(".csv.gz"):
        reader = "read_csv_auto"
    else:
        raise ReportError(
            f"Cannot read the as-of date from {path.name} (only Parquet and CSV); pass --as-of YYYY-MM-DD."
        )
    con = duckdb.connect()
    try:
        row = con.execute(f"SELECT max(created_at) FROM {reader}(?)", [str(path)]).fetchone()
    except duckdb.Error as exc:
        raise ReportError(
            f"Cannot read the latest created_at from {path.name}: {str(exc).splitlines()[0]}"
        ) from None
    finally:
        con.close()
    latest = row[0] if row else None
    if latest is None:
        raise ReportError(f"{path.name} has no rows with a created_at; pass --as-of YYYY-MM-DD.")
    if isinstance(latest, str):
        latest = _dt.datetime.fromisoformat(latest)
    if isinstance(latest, _dt.datetime) and latest.tzinfo is not None:
        from zoneinfo import ZoneInfo

        from ..config import DEFAULT_TIMEZONE

        latest = latest.astimezone(ZoneInfo(DEFAULT_TIMEZONE))
    day = latest.date() if isinstance(latest, _dt.datetime) else latest
    return day + _dt.timedelta(days=1)


def default_as_of(
    job: Job,
    config: ReportConfig,
    *,
    cache: dict | None = None,
    lang: str | None = None,
    cache_dir: Path | None = None,
) -> _dt.date:
    """The as-of date of a run without ``--as-of``: the day after the latest contact of the job.

    The job's data is prepared as for the run (:func:`kpi_helpers.report.sources.job_as_of`):
    dates are parsed by the loader, and contacts dated after their file was written are left
    out, so one typo dated 2099 cannot create a report for 2098. ``cache`` is the run's memo
    of prepared sources; ``lang`` the language of the error message (default: the job's).
    """
    from .sources import job_as_of

    return job_as_of(job, config, memo=cache, lang=lang, cache_dir=cache_dir)


def plan_job(
    job: Job,
    config: ReportConfig,
    *,
    as_of: _dt.date,
    period=None,
    overrides: Mapping[str, str] | None = None,
    out_dir: Path | None = None,
    timeout: float | None = None,
    lang: str | None = None,
) -> RunPlan:
    """Resolve the period and the parameters of ``job`` and check them, without running anything.

    Parameters
    ----------
    job : Job
        The job (from :func:`kpi_helpers.report.config.load_config`).
    config : ReportConfig
        Its configuration (base folder, output folder).
    as_of : date
        First day NOT included in the data; relative period specs resolve against it.
    period : Period or spec, optional
        Run for this period instead of the job's spec (backfills).
    overrides : mapping of str to str, optional
        ``--param key=value`` pairs (values parsed as YAML, then checked like the others).
    out_dir : Path, optional
        Output root instead of the configured one.
    timeout : float, optional
        Seconds the notebook may run in total (default: the job's ``timeout``, else no
        limit); going over fails the job.
    lang : str, optional
        Language of the messages (errors here, and of :func:`execute_plan`): the command's
        (default: the job's). The report itself speaks the job's (or ``--param lang``'s).

    Raises
    ------
    ReportError
        Missing notebook, undeclared or mistyped parameter, invalid period.
    """
    from ..errors import PeriodError
    from ..periods import parse_period
    from .params import check_parameters, notebook_parameters, parse_cli_value

    messages_lang = lang or job.lang
    if not job.notebook.is_file():
        raise ReportError(
            t(
                "Job {job}: notebook not found: {path}.",
                messages_lang,
                job=job.name,
                path=job.notebook_text,
            )
        )
    try:
        resolved = parse_period(period if period is not None else job.period, as_of=as_of)
        previous = resolved.previous()
    except PeriodError as exc:
        raise ReportError(f"Job {job.name}: {exc}") from None
    fields = {
        "job": job.name,
        "period": resolved.label,
        "previous": previous.label,
        "period_start": resolved.start.isoformat(),
        "period_end": resolved.end.isoformat(),
        "as_of": resolved.end.isoformat(),
        "lang": job.lang,
    }
    try:
        declared = notebook_parameters(job.notebook)
    except ReportError as exc:
        raise ReportError(f"Job {job.name}: {exc}") from None
    except Exception as exc:  # unreadable notebook
        raise ReportError(
            f"Job {job.name}: cannot read {job.notebook_text}: {type(exc).__name__}: {exc}"
        ) from None
    values = dict(fill_placeholders(dict(job.parameters), fields))
    for key, raw in (overrides or {}).items():
        if key not in declared:
            known = ", ".join(sorted(declared)) or "(none)"
            raise ReportError(
                f"Job {job.name}: unknown parameter {key!r} (--param) for {job.notebook_text}: "
                f"its parameters cell declares {known}."
            )
        values[key] = fill_placeholders(parse_cli_value(raw, declared[key]), fields)
    auto = {
        "period": resolved.label,
        "period_start": fields["period_start"],
        "period_end": fields["period_end"],
        "as_of": fields["as_of"],
        "lang": job.lang,
        "interactive": False,
    }
    for key, value in auto.items():
        if key in declared and key not in values:
            values[key] = value
    try:
        check_parameters(values, declared, notebook=job.notebook_text)
    except ReportError as exc:
        raise ReportError(f"Job {job.name}: {exc}") from None
    if isinstance(values.get("lang"), str) and values["lang"]:
        # the page speaks the notebook's language (e.g. --param lang=en): template too
        from ..i18n import normalize_lang

        try:
            lang = normalize_lang(values["lang"])
        except Exception as exc:  # noqa: BLE001 - reported as the job's parameter error
            raise ReportError(f"Job {job.name}: parameter lang: {exc}") from None
        if lang != job.lang:
            job = dataclasses.replace(job, lang=lang)
    stem = safe_name(job.output.format_map({**fields, "period": safe_name(resolved.label)}))
    root = Path(out_dir) if out_dir is not None else config.output_dir
    inputs = _inputs(values, declared, config.base_dir)
    return RunPlan(
        job=job,
        period=resolved,
        as_of=as_of,
        parameters=values,
        out_dir=root / safe_name(job.name) / safe_name(resolved.label),
        stem=stem,
        base_dir=config.base_dir,
        timeout=timeout if timeout is not None else job.timeout,
        inputs=inputs,
        messages_lang=messages_lang,
    )


def _default_input(key: str) -> Path | None:
    """The file a blank ``key`` parameter stands for (see :data:`DATA_PARAMETERS`)."""
    from .. import sample
    from ..config import TARGETS_FILE

    defaults = {
        "data": sample.sample_path,
        "operations": sample.operations_path,
        "targets": lambda: TARGETS_FILE,
    }
    return Path(defaults[key]()) if key in defaults else None


def _role(key: str, lang: str) -> str:
    """What a data parameter holds, for the page header ("contatos", "metas"...)."""
    roles = {
        "data": t("contacts", lang),
        "operations": t("operations", lang),
        "targets": t("targets", lang),
    }
    return roles.get(key.split("#")[0], key)


def _shown_path(path: Path, base_dir: Path) -> str:
    """``path`` relative to the folder of reports.yml when inside it, else absolute."""
    try:
        return Path(os.path.relpath(path.resolve(), base_dir.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return str(path)


def _inputs(values: Mapping, declared: Mapping, base_dir: Path) -> dict[str, str]:
    """Parameter -> path of every data file the job reads (what run.json checksums).

    Every string parameter naming an existing file (relative to the folder of reports.yml
    or absolute), and the data parameters of :data:`DATA_PARAMETERS` the notebook declares
    and the job leaves blank (they then read the committed sample / targets.yml).
    """
    inputs: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, str) and value and len(value) < 500:
            candidate = base_dir / value
            with contextlib.suppress(OSError, ValueError):
                if candidate.is_file():
                    inputs[key] = value
    for key in DATA_PARAMETERS:
        if key in inputs or key not in declared:
            continue
        value = values[key] if key in values else declared[key].default_value()
        if isinstance(value, str) and not value.strip():
            path = _default_input(key)
            if path is not None and path.is_file():
                inputs[key] = _shown_path(path, base_dir)
    order = list(DATA_PARAMETERS)
    return dict(
        sorted(
            inputs.items(),
            key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]),
        )
    )


# -- execution -----------------------------------------------------------------------------
def versions() -> dict[str, str]:
    """Versions of Python and of the libraries behind the numbers and the page."""
    from importlib import metadata

    out = {"python": sys.version.split()[0]}
    for dist in (
        "kpi-helpers",
        "pandas",
        "ibis-framework",
        "duckdb",
        "altair",
        "vl-convert-python",
        "papermill",
        "nbconvert",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    with contextlib.suppress(Exception):
        import altair as alt

        out["vega-lite"] = alt.SCHEMA_VERSION.lstrip("v")
    return out


def _kernel_manager_class(log_file):
    """An AsyncKernelManager that runs ``sys.executable``'s ipykernel and logs its stderr."""
    from jupyter_client.manager import AsyncKernelManager

    class _CurrentPythonKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            spec = super().kernel_spec
            if spec is not None and spec.language.lower() == "python":
                spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
            return spec

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stderr"] = log_file
            return await super()._async_launch_kernel(kernel_cmd, **kw)

        _launch_kernel = _async_launch_kernel

    return _CurrentPythonKernelManager


def _register_engine() -> str:
    """A papermill engine that reports each code cell's start to a callback."""
    from papermill.engines import NBClientEngine, papermill_engines

    class _ProgressEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, kpi_progress=None, **kwargs):
            if kpi_progress is not None:
                code = [i for i, c in enumerate(nb_man.nb.cells) if c.cell_type == "code"]
                original = nb_man.cell_start

                def cell_start(cell, cell_index=None, **kw):
                    if cell_index in code:
                        kpi_progress(code.index(cell_index) + 1, len(code))
                    return original(cell, cell_index, **kw)

                nb_man.cell_start = cell_start
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(_ENGINE_NAME, _ProgressEngine)
    return _ENGINE_NAME


class _Budget:
    """nbclient ``timeout_func``: the time left of the job's budget for each cell.

    The budget covers the notebook's own cells (the clock starts at the first of them);
    the runner's setup cell is not counted.
    """

    def __init__(self, seconds: float):
        self.seconds = float(seconds)
        self.deadline: float | None = None

    def __call__(self, cell) -> float | None:
        if "kpi-report-setup" in cell.get("metadata", {}).get("tags", []):
            return None
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds
        return max(self.deadline - time.monotonic(), 0.01)  # 0 would mean "no limit"


_SETUP_SOURCE = (
    "# kpi-report: Altair charts rendered offline, the package's warnings kept for the page's\n"
    "# Data section (this cell is not shown in the report)\n"
    "import kpi_helpers.report.capture as _kpi_capture\n"
    "import kpi_helpers.report.charts_offline as _kpi_charts\n"
    "_kpi_charts.enable_offline_charts(force=True)\n"
    "_kpi_capture.install()\n"
    "del _kpi_charts, _kpi_capture"
)


def _prepare_notebook(path: Path):
    """The notebook to execute: a hidden setup cell first, source positions recorded."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for i, cell in enumerate(nb.cells):
        cell.metadata["kpi_report"] = {"cell": i + 1}
        if not cell.get("id"):
            cell["id"] = f"cell-{i + 1}"
    setup = nbformat.v4.new_code_cell(_SETUP_SOURCE)
    setup["id"] = "kpi-report-setup"
    setup.metadata["tags"] = ["kpi-report-setup", "remove"]
    nb.cells.insert(0, setup)
    nb.metadata.setdefault(
        "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"}
    )
    return nb


@contextlib.contextmanager
def _report_environment(warnings_path: Path | None = None):
    """The kernel's environment: offline charts on, its warnings kept in ``warnings_path``."""
    from .capture import ENV_WARNINGS

    values = {ENV_FLAG: "1"}
    if warnings_path is not None:
        values[ENV_WARNINGS] = str(warnings_path)
    previous = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _first_line(source) -> str:
    text = "".join(source) if isinstance(source, list) else str(source or "")
    for line in text.splitlines():
        if line.strip() and not line.strip().startswith("#"):
            line = line.strip()
            return line if len(line) <= 80 else line[:77] + "..."
    return ""


def _clean(text: str, limit: int = 400) -> str:
    text = _ANSI_RE.sub("", str(text)).strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cell_position(nb, index: int | None, lang: str) -> tuple[str, str]:
    """('7', 'first line') of the executed cell ``index`` in the SOURCE notebook."""
    if nb is None or index is None or not 0 <= index < len(nb.cells):
        return "?", ""
    cell = nb.cells[index]
    tags = cell.get("metadata", {}).get("tags", [])
    if "injected-parameters" in tags:
        return t("injected parameters", lang), _first_line(cell.source)
    pos = cell.get("metadata", {}).get("kpi_report", {}).get("cell")
    if pos is None and "kpi-report-setup" in tags:
        return "setup", _first_line(cell.source)
    return str(pos if pos is not None else index + 1), _first_line(cell.source)


_CELL_LINE_RE = re.compile(r"^(?:Cell In ?\[\d*\]|Input In ?\[\d*\]).*?line (\d+)")


def _cell_line(traceback) -> int | None:
    """The line of the failing cell that raised, from IPython's traceback (its first frame)."""
    for entry in traceback or []:
        for text in _ANSI_RE.sub("", str(entry)).splitlines():
            match = _CELL_LINE_RE.match(text.strip())
            if match:
                return int(match.group(1))
    return None


def _failed_cell(nb, fallback: int | None) -> int | None:
    """Index of the cell papermill marked as failed (it inserts banner cells, so the
    exception's own index may be off in the saved notebook)."""
    for i, cell in enumerate(nb.cells if nb is not None else []):
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return i
    return fallback


def _running_cell(nb) -> int | None:
    """Index of the last cell that started (the one a timeout interrupted)."""
    last = None
    for i, cell in enumerate(nb.cells if nb is not None else []):
        if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
            last = i
    return last


def _read_nb(path: Path):
    import nbformat

    if not path.is_file():
        return None
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception:
        return None


def _atomic_write(path: Path, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600: reports are for sharing
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


# -- safe writes: one run per output folder, outputs staged, then moved in, the record last --
#: Seconds a run waits for another run of the same job and period before failing
#: (environment variable ``KPI_REPORT_LOCK_WAIT`` overrides it; 0 fails at once).
LOCK_WAIT_S = 300.0
_LOCK_NAME = ".lock"
_STAGE_DIR = "commit"  # in a run's .run-* folder: its outputs under their final names
_JOURNAL = "commit.json"  # written once every output is staged: the commit point


class _Busy(Exception):
    """Another live process holds the lock of an output folder."""

    def __init__(self, pid: str):
        super().__init__(pid)
        self.pid = pid


def _lock_wait() -> float:
    raw = os.environ.get("KPI_REPORT_LOCK_WAIT", "").strip()
    try:
        return max(float(raw), 0.0) if raw else LOCK_WAIT_S
    except ValueError:
        return LOCK_WAIT_S


def _try_lock(fd: int) -> bool:
    """Lock the open file ``fd`` for this process without waiting; False when taken."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock_holder(path: Path) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = path.read_text("ascii").strip()
        if text.isdigit():
            return text
    return "?"


def _acquire_lock(path: Path, wait: float, on_busy: Callable[[str], None] | None = None) -> int:
    """Lock file ``path`` (created when missing) for this process; returns its descriptor.

    Non-blocking first; while another process holds it, ``on_busy(pid)`` is called once
    and the lock is tried again every 0.2 s for up to ``wait`` seconds. The holder's pid is
    written into the file. The holder removes the file when it is done (while still
    holding it), so after locking, the file must still be the one at ``path``; else the
    lock was taken on a removed file and is taken again.

    Raises
    ------
    _Busy
        Still held by another process after ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if _try_lock(fd):
                try:
                    current = os.stat(path)
                except FileNotFoundError:
                    current = None
                mine = os.fstat(fd)
                if current is not None and (current.st_ino, current.st_dev) == (
                    mine.st_ino,
                    mine.st_dev,
                ):
                    with contextlib.suppress(OSError):  # a full disk: the pid shows as "?"
                        os.ftruncate(fd, 0)
                        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
                    return fd
                os.close(fd)
                continue
            pid = _lock_holder(path)
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _Busy(pid)
        if not told and on_busy is not None:
            on_busy(pid)
            told = True
        time.sleep(min(0.2, left))


def _release_lock(path: Path, fd: int) -> None:
    with contextlib.suppress(OSError):  # removed while still held (see _acquire_lock)
        os.unlink(path)
    os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make the renames in ``path`` durable (POSIX; a no-op where unsupported)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _stage(tmp: Path, files, remove=()) -> None:
    """Write ``files`` ((name, bytes) pairs, the record last) into ``tmp``'s staging
    folder, then the journal that makes them committable.

    Nothing outside ``tmp`` changes, so a failure here (a full disk) leaves the report as it
    was. Every file goes through :func:`_atomic_write`: a staged file is whole or absent.
    ``remove``: names of stale files to delete from the output folder after the move.
    """
    journal = tmp / _JOURNAL
    with contextlib.suppress(FileNotFoundError):  # an earlier attempt of this run
        journal.unlink()
    stage = tmp / _STAGE_DIR
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    for name, data in files:
        try:
            _atomic_write(stage / name, data)
        except OSError as exc:
            if not exc.filename:
                exc.filename = name
            raise
    _fsync_dir(stage)
    names = [name for name, _ in files]
    _atomic_write(journal, _json_bytes({"files": names, "remove": list(remove)}))


def _commit(tmp: Path, out_dir: Path) -> None:
    """Move the outputs staged in ``tmp`` into ``out_dir`` (also finishes a killed move).

    Each step is one rename or unlink: the old record (``run.json`` or ``run.failed.json``)
    is removed first, the page and the notebook are renamed over the old ones, the new
    record is renamed into place LAST, then the stale files are removed. So a record in
    ``out_dir`` only ever describes files that are there with the content it lists (its
    ``outputs.sha256``); a run killed in between leaves, for a moment, no record at all,
    and the next run of the job (:func:`_clean_stale`) completes the move from the journal.
    """
    journal = json.loads((tmp / _JOURNAL).read_text("utf-8"))
    names = [str(n) for n in journal["files"]]
    removed = [str(n) for n in journal.get("remove", [])]
    for name in (*names, *removed):
        if not name or name in (".", "..") or Path(name).name != name:
            raise ValueError(f"{tmp / _JOURNAL}: not a file name: {name!r}")
    stage = tmp / _STAGE_DIR
    *outputs, record = names
    if (stage / record).exists():  # not moved yet
        with contextlib.suppress(FileNotFoundError):
            os.unlink(out_dir / record)
        for name in outputs:
            if (stage / name).exists():
                os.replace(stage / name, out_dir / name)
        _fsync_dir(out_dir)
        os.replace(stage / record, out_dir / record)
    for name in removed:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(out_dir / name)
    _fsync_dir(out_dir)


def _clean_stale(out_dir: Path, before: float) -> None:
    """Finish or remove what killed runs left in ``out_dir`` (call it holding the lock).

    Every ``.run-*`` folder older than ``before`` belongs to a dead run, since a live one
    would hold the lock (``.*.tmp`` files of interrupted writes go after a minute). A folder with a
    journal holds a finished run killed while moving its outputs in: the move is completed
    first (oldest first), so the folder ends with the set its record describes.
    """
    try:
        entries = [(p.lstat().st_mtime, p) for p in out_dir.iterdir() if p.name.startswith(".")]
    except OSError:
        return
    for mtime, path in sorted(entries):
        if mtime >= before:
            continue
        if path.name.startswith(".run-") and path.is_dir():
            if (path / _JOURNAL).is_file():
                with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                    _commit(path, out_dir)
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.endswith(".tmp") and path.is_file() and mtime < before - 60:
            # (a write in progress lives for milliseconds; an older one was interrupted)
            with contextlib.suppress(OSError):
                path.unlink()


def _record(
    plan: RunPlan, *, status: str, started: _dt.datetime, duration: float, error=None
) -> dict:
    period = plan.period
    inputs = {}
    for key, rel in plan.inputs.items():
        path = plan.base_dir / rel
        with contextlib.suppress(OSError):
            inputs[key] = {"path": rel, "sha256": _sha256(path), "bytes": path.stat().st_size}
    record = {
        "job": plan.job.name,
        "title": t(plan.job.title, plan.job.lang),
        "title_source": plan.job.title,
        "status": status,
        "period": {
            "label": period.label,
            "spec": plan.job.period if period.spec == plan.job.period else period.spec,
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "as_of": plan.as_of.isoformat(),
        "lang": plan.job.lang,
        "notebook": {"path": plan.job.notebook_text, "sha256": _sha256(plan.job.notebook)},
        "parameters": dict(plan.parameters),
        "inputs": inputs,
        "versions": versions(),
        "kernel": {"name": "python3", "python": sys.version.split()[0]},
        "generated_at": started.isoformat(timespec="seconds"),
        "duration_s": round(duration, 2),
        "outputs": {
            "html": plan.html_path.name if status == "ok" else None,
            "notebook": (plan.notebook_path if status == "ok" else plan.failed_notebook_path).name,
        },
    }
    if plan.sources:
        record["data"] = [a.to_json() for a in plan.sources]
    if error is not None:
        record["error"] = error
    return record


def _data_sources(plan: RunPlan) -> tuple:
    """What the page header lists: each data file of the job with what it holds."""
    from ..config import SAMPLE_DIR
    from .render import DataSource

    lang = plan.job.lang
    sample = SAMPLE_DIR.resolve()
    out = []
    for key, rel in plan.inputs.items():
        path = (plan.base_dir / rel).resolve()
        note = t("sample data", lang) if path.is_relative_to(sample) else ""
        out.append(DataSource(role=_role(key, lang), path=rel, note=note))
    return tuple(out)


def _page(plan: RunPlan, generated_at: str | None, analysis_warnings=()):
    """The page's header and "Data" section; ``analysis_warnings``: the kernel's warnings
    (records of :func:`kpi_helpers.report.capture.read`)."""
    from .render import ReportPage
    from .sources import describe_account

    period, lang = plan.period, plan.job.lang
    last_day = period.end - _dt.timedelta(days=1)
    data_through = last_day
    account = plan.data_account
    if account is not None and account.last_contact:
        data_through = min(last_day, _dt.date.fromisoformat(account.last_contact[:10]))
    summaries = tuple(
        describe_account(
            a,
            lang,
            rejected_href=plan.rejected_csv_for(a.role).name,
        )
        for a in plan.sources
    )
    shown = {w for s in summaries for w in s.warnings}
    # the row checks of a canonical table are listed under its source already; the kernel's
    # DataWarning repeats them (a loaded export's validated table gives none)
    checked = any(a.loaded_by == "canonical" for a in plan.sources)
    extra = []
    for record in analysis_warnings:
        if checked and record.get("category") == "DataWarning":
            continue
        text = (record.get("text") or {}).get(lang) or (record.get("text") or {}).get("en")
        if text and text not in shown and text not in extra:
            extra.append(text)
    if plan.job.source:  # reports.yml's own words (an English text is shown translated)
        source = t(plan.job.source, lang)
    else:
        source = _data_sources(plan) or plan.job.notebook_text
    return ReportPage(
        title=t(plan.job.title, lang),
        lang=lang,
        period_label=period.label,
        period_display=period.display(lang),
        period_first_day=format_date(period.start, lang),
        period_last_day=format_date(last_day, lang),
        data_through=format_date(data_through, lang),
        data_source=source,
        notebook=plan.job.notebook_text,
        generated_at=generated_at,
        data_summaries=summaries,
        analysis_warnings=tuple(extra),
    )


def execute_plan(
    plan: RunPlan,
    *,
    progress: Callable[[int, int], None] | None = None,
    generated_at: str | None = None,
    lock_wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> JobResult:
    """Execute a planned job, render it and move the outputs into place atomically.

    One run per job and period at a time: the run holds a lock on ``<out_dir>/.lock``
    (``fcntl.flock``; the file holds the pid and is removed at the end). When another live
    run holds it, ``on_wait`` is called once with "waiting for another run of JOB PERIOD
    (pid N, at most S s)" and the lock is tried again for up to ``lock_wait`` seconds; if
    the other run is still going, this one fails without touching anything: "another
    kpi-report run of JOB PERIOD is in progress (pid N); try again when it ends".

    Holding the lock, the run first completes or removes what killed runs of the folder
    left (stale ``.run-*`` folders). It executes the notebook in a fresh ``.run-*`` folder,
    writes every output there under its final name (the page, the executed notebook, then
    ``run.json`` with the sha256 of both in its ``outputs``) and only then moves them in
    by renames, ``run.json`` last; the old ``run.json`` is removed before the first rename,
    so a ``run.json`` never describes a page or notebook it did not produce. Any error
    before the move (a full disk included) leaves the previous page, notebook and
    ``run.json`` as they were; the failure is recorded the same way: ``<stem>.failed.ipynb``
    (only a whole notebook), then ``run.failed.json``. If even that cannot be written, the
    result still says what failed.

    Parameters
    ----------
    plan : RunPlan
        From :func:`plan_job`.
    progress : callable, optional
        Called as ``progress(done, total)`` when each code cell starts.
    generated_at : str, optional
        A fixed generation time to print in the page (default: none in the page, so
        re-running on the same data gives a byte-identical HTML; the real time is in
        ``run.json``).
    lock_wait : float, optional
        Seconds to wait for another run of the same job and period (default: the
        ``KPI_REPORT_LOCK_WAIT`` environment variable, else :data:`LOCK_WAIT_S`).
    on_wait : callable, optional
        Called once with a one-line message when the run has to wait.

    Returns
    -------
    JobResult
        ``status`` ``"ok"`` or ``"failed"`` with a one-paragraph ``message``.
    """
    lang = plan.messages_lang or plan.job.lang
    who = {"job": plan.job.name, "period": plan.period.label}
    wait = _lock_wait() if lock_wait is None else max(float(lock_wait), 0.0)

    def busy(pid: str) -> None:
        if on_wait is not None:
            on_wait(
                t(
                    "waiting for another run of {job} {period} (pid {pid}, at most {seconds} s)",
                    lang,
                    pid=pid,
                    seconds=f"{wait:g}",
                    **who,
                )
            )

    def failed(message: str) -> JobResult:
        return JobResult(plan.job.name, plan.period.label, "failed", message)

    lock_path = plan.out_dir / _LOCK_NAME
    try:
        plan.out_dir.mkdir(parents=True, exist_ok=True)
        fd = _acquire_lock(lock_path, wait, busy if wait > 0 else None)
    except _Busy as exc:
        return failed(
            t(
                "another kpi-report run of {job} {period} is in progress (pid {pid}); "
                "try again when it ends",
                lang,
                pid=exc.pid,
                **who,
            )
        )
    except OSError as exc:
        return failed(
            t(
                "{job} {period} failed: cannot lock {path}: {error}",
                lang,
                path=str(lock_path),
                error=_clean(exc, 300),
                **who,
            )
        )
    try:
        _clean_stale(plan.out_dir, time.time())
        return _execute_locked(plan, lang, progress=progress, generated_at=generated_at)
    except Exception as exc:  # noqa: BLE001 - e.g. no room for the run's temporary folder
        error = _write_error(exc)
        if not isinstance(exc, OSError):
            error.pop("step")
        return failed(_error_message(plan, error, kept=False))
    finally:
        _release_lock(lock_path, fd)


def _write_error(exc: BaseException) -> dict:
    """The ``error`` of run.failed.json for a failure to write the outputs."""
    return {
        "cell": None,
        "source": "",
        "type": type(exc).__name__,
        "message": _clean(exc, 300),
        "step": "write",
    }


def _execute_locked(
    plan: RunPlan,
    lang: str,
    *,
    progress: Callable[[int, int], None] | None,
    generated_at: str | None,
) -> JobResult:
    """The body of :func:`execute_plan`, run holding the lock of ``plan.out_dir``."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .render import render_html

    tmp = Path(tempfile.mkdtemp(prefix=".run-", dir=plan.out_dir))
    executed_path = tmp / f"{plan.stem}.ipynb"
    input_path = tmp / f"{plan.stem}.input.ipynb"
    started = _dt.datetime.now(_dt.UTC)
    t0 = time.monotonic()
    error: dict | None = None
    committing = False  # while True, an interruption keeps tmp: the next run finishes the move
    try:
        import nbformat

        engine = _register_engine()
        warnings_path = tmp / "warnings.jsonl"
        with (tmp / "kernel.log").open("wb") as log, _report_environment(warnings_path):
            try:
                nbformat.write(_prepare_notebook(plan.job.notebook), str(input_path))
                pm.execute_notebook(
                    str(input_path),
                    str(executed_path),
                    parameters=dict(plan.parameters),
                    kernel_name="python3",
                    language="python",
                    engine_name=engine,
                    cwd=str(plan.base_dir),
                    progress_bar=False,
                    log_output=False,
                    execution_timeout=None,
                    timeout_func=_Budget(plan.timeout) if plan.timeout else None,
                    start_timeout=120,
                    kpi_progress=progress,
                    kernel_manager_class=_kernel_manager_class(log),
                )
            except PapermillExecutionError as exc:
                nb = _read_nb(executed_path)
                pos, line = _cell_position(nb, _failed_cell(nb, exc.cell_index), lang)
                error = {
                    "cell": pos,
                    "source": line,
                    "line": _cell_line(exc.traceback),
                    "type": exc.ename,
                    "message": _clean(exc.evalue),
                }
            except Exception as exc:  # timeouts (papermill marks them completed), dead kernels
                from nbclient.exceptions import CellTimeoutError, DeadKernelError

                nb = _read_nb(executed_path)
                pos, line = _cell_position(nb, _running_cell(nb), lang)
                if isinstance(exc, (CellTimeoutError, TimeoutError)):
                    error = {
                        "cell": pos,
                        "source": line,
                        "type": "Timeout",
                        "message": t(
                            "the notebook ran longer than {seconds} s (--timeout)",
                            lang,
                            seconds=f"{plan.timeout:g}" if plan.timeout else "?",
                        ),
                    }
                else:
                    detail = _clean(exc, 300)
                    if isinstance(exc, DeadKernelError):
                        log_tail = (tmp / "kernel.log").read_text("utf-8", "replace").strip()
                        detail = _clean(log_tail.splitlines()[-1] if log_tail else detail, 300)
                    error = {
                        "cell": pos,
                        "source": line,
                        "type": type(exc).__name__,
                        "message": detail,
                    }
        duration = time.monotonic() - t0
        if error is None:
            try:
                executed = nbformat.read(str(executed_path), as_version=4)
                executed.metadata.get("papermill", {}).update(
                    {"input_path": plan.job.notebook_text, "output_path": plan.notebook_path.name}
                )
                from .capture import read as read_warnings

                captured = read_warnings(warnings_path)
                html = render_html(executed, _page(plan, generated_at, captured))
                if isinstance(html, str):
                    html = html.encode("utf-8")
                notebook = nbformat.writes(executed).encode("utf-8")
                record = _record(plan, status="ok", started=started, duration=duration)
                if captured:
                    record["analysis_warnings"] = captured
                rejected = _rejected_files(plan)
            except ReportError as exc:
                error = {
                    "cell": None,
                    "source": "",
                    "type": "RenderError",
                    "message": _clean(exc, 600),
                }
            except Exception as exc:
                error = {
                    "cell": None,
                    "source": "",
                    "type": type(exc).__name__,
                    "message": _clean(exc),
                }
            else:
                # everything staged first (a full disk fails here, nothing moved yet), then
                # moved in: page, notebook, run.json last (see _commit)
                record["outputs"]["sha256"] = {
                    plan.html_path.name: hashlib.sha256(html).hexdigest(),
                    plan.notebook_path.name: hashlib.sha256(notebook).hexdigest(),
                }
                files = [
                    (plan.html_path.name, html),
                    (plan.notebook_path.name, notebook),
                    *rejected,
                    (plan.run_json_path.name, _json_bytes(record)),
                ]
                stale = [plan.failed_notebook_path.name, plan.failed_json_path.name]
                written = {name for name, _ in rejected}
                stale += [
                    p.name
                    for p in (plan.rejected_csv_path, plan.operations_rejected_csv_path)
                    if p.name not in written
                ]
                try:
                    _stage(tmp, files, stale)
                except OSError as exc:
                    error = _write_error(exc)
                else:
                    committing = True
                    try:
                        _commit(tmp, plan.out_dir)
                    except OSError as exc:  # the journal stays: the next run finishes it
                        return JobResult(
                            plan.job.name,
                            plan.period.label,
                            "failed",
                            t(
                                "{job} {period} failed: the new report could not be moved "
                                "into place ({error}); the next run of this job completes "
                                "the move.",
                                lang,
                                job=plan.job.name,
                                period=plan.period.label,
                                error=_clean(exc, 300),
                            ),
                            None,
                            duration,
                        )
                    committing = False
                    return JobResult(
                        plan.job.name, plan.period.label, "ok", None, plan.html_path, duration
                    )
        # failure: the executed notebook kept next to the (untouched) good report
        message = _record_failure(plan, tmp, error, executed_path, started, duration)
        return JobResult(plan.job.name, plan.period.label, "failed", message, None, duration)
    finally:
        if not committing:
            shutil.rmtree(tmp, ignore_errors=True)


def _record_failure(
    plan: RunPlan,
    tmp: Path,
    error: Mapping,
    executed_path: Path,
    started: _dt.datetime,
    duration: float,
) -> str:
    """Write ``<stem>.failed.ipynb`` and ``run.failed.json`` the safe way; returns the message.

    The executed notebook is kept only when it reads as a whole notebook (a write cut
    short by a full disk is not). When the two cannot be written, ``run.failed.json``
    alone is tried (an older failed notebook is then removed: the record says none was
    kept); when even that fails, the message says so.
    """
    import nbformat

    lang = plan.messages_lang or plan.job.lang
    notebook = None
    nb = _read_nb(executed_path)
    if nb is not None:
        with contextlib.suppress(Exception):
            notebook = nbformat.writes(nb).encode("utf-8")
    problem: BaseException | None = None
    message = _error_message(plan, error, kept=False)
    for keep in (True, False) if notebook is not None else (False,):
        message = _error_message(plan, error, kept=keep)
        try:
            record = _record(
                plan, status="failed", started=started, duration=duration, error=dict(error)
            )
            record["message"] = message
            files = []
            if keep:
                name = plan.failed_notebook_path.name
                files.append((name, notebook))
                record["outputs"]["sha256"] = {name: hashlib.sha256(notebook).hexdigest()}
            else:
                record["outputs"]["notebook"] = None
            files.append((plan.failed_json_path.name, _json_bytes(record)))
            _stage(tmp, files, () if keep else (plan.failed_notebook_path.name,))
            _commit(tmp, plan.out_dir)
        except Exception as exc:  # noqa: BLE001 - a full disk, mostly: said in the message
            problem = exc
            continue
        return message
    return (
        message
        + " "
        + t(
            "The failure could not be recorded in {file}: {error}.",
            lang,
            file=plan.failed_json_path.name,
            error=_clean(problem, 300).rstrip("."),
        )
    )


def _error_message(plan: RunPlan, error: Mapping, *, kept: bool | None = None) -> str:
    """``kept``: whether the executed notebook is kept as ``<stem>.failed.ipynb``
    (default: whether that file exists)."""
    lang = plan.messages_lang or plan.job.lang
    head = t("{job} {period} failed", lang, job=plan.job.name, period=plan.period.label)
    if error.get("cell") not in (None, "?"):
        where = t(
            "in cell {cell} of {notebook}",
            lang,
            cell=error["cell"],
            notebook=plan.job.notebook_text,
        )
        if error.get("source"):
            where += f" (`{error['source']}`)"
        if error.get("line"):
            where += ", " + t("line {line}", lang, line=error["line"])
    elif error.get("step") == "write":
        where = t("while writing the report", lang)
    else:
        where = t("while rendering the report", lang) if error.get("type") == "RenderError" else ""
    what = f"{error.get('type')}: {error.get('message')}".rstrip()
    if not what.endswith((".", "!", "?")):
        what += "."
    if kept is None:
        kept = plan.failed_notebook_path.is_file()
    note = ""
    if kept:
        note = " " + t(
            "Executed notebook kept as {path}.", lang, path=plan.failed_notebook_path.name
        )
    return (f"{head} {where}" if where else head) + f": {what}{note}"


def _rejected_files(plan: RunPlan) -> list[tuple[str, bytes]]:
    """(name, bytes) of the rejected rows of each source, written next to the page.

    The CSV was made formula-safe (:mod:`kpi_helpers.csvsafe`) when the source was loaded.
    """
    out = []
    for account in plan.sources:
        if account.rejected and account.rejected_csv:
            out.append(
                (plan.rejected_csv_for(account.role).name, Path(account.rejected_csv).read_bytes())
            )
    return out


# -- skipped runs ----------------------------------------------------------------------------
def coverage_gap(plan: RunPlan, lang: str | None = None) -> str | None:
    """Why ``plan``'s period cannot be reported (its data covers none of its days), or None:
    ``"no data for November 2026: the data ends on Oct 31, 2026"``."""
    account = plan.data_account
    if account is None:
        return None
    lang = lang or plan.messages_lang or plan.job.lang
    coverage = account.coverage()
    period = plan.period
    if coverage is not None and coverage.covers(period):
        return None
    if coverage is None or coverage.empty:
        return t(
            "no data for {period}: the data has no contact with a readable date",
            lang,
            period=period.display(lang),
        )
    if period.start > coverage.last_day:
        return t(
            "no data for {period}: the data ends on {date}",
            lang,
            period=period.display(lang),
            date=format_date(coverage.last_day, lang),
        )
    return t(
        "no data for {period}: the data starts on {date}",
        lang,
        period=period.display(lang),
        date=format_date(coverage.first_day, lang),
    )


def record_skipped(plan: RunPlan, reason: str) -> JobResult:
    """Write ``run.skipped.json`` for a period with no data (the good report, if any, stays)."""
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    started = _dt.datetime.now(_dt.UTC)
    record = _record(plan, status="skipped", started=started, duration=0.0)
    record["outputs"] = {"html": None, "notebook": None}
    record["message"] = reason
    from ..config import LANGUAGES

    record["messages"] = {lang: coverage_gap(plan, lang) or reason for lang in LANGUAGES}
    _atomic_write(plan.skipped_json_path, _json_bytes(record))
    return JobResult(plan.job.name, plan.period.label, "skipped", reason, None, 0.0)
