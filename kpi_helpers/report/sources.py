"""A report job's data: the user's own exports, loaded once per run, checked and accounted for.

A job's ``data:`` (and ``operations:``) in ``reports.yml`` names the files to read — one
file, a list or a glob (one export per month) — with a ``mapping:`` (preset name or YAML
path) and the loading options; they go through :func:`kpi_helpers.load_interactions`
(:func:`kpi_helpers.load_operations`) exactly as in Python::

    defaults:
      data:
        files: exports/chamados_*.xlsx      # a path, a list of paths or a glob
        mapping: helpdesk_ptbr              # preset name or a YAML file
        dayfirst: true                      # sheet, header_row, decimal, dayfirst,
                                            # timezone, scales, on_invalid, encoding

The validated canonical table is cached as Parquet under ``<output_dir>/.cache/sources/``,
keyed by the files' checksums and modification times, the mapping and the options (and the
loader's own code), so the jobs of one run — and later runs on the same files — load each
source once. A canonical Parquet file without a mapping (the committed sample, a warehouse
extract) is not copied: one aggregate query checks its rows (:mod:`kpi_helpers.checks`).

Every prepared source carries its :class:`Account`: rows read / loaded / rejected with the
reasons, the warnings, the first and last contact (contacts dated after the file was
written are rejected as in the future, so one typo cannot move the as-of date to 2099) and
the rejected rows, written next to each report as a CSV.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import glob as _glob
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, KpiError, ReportError
from ..i18n import t

__all__ = [
    "INTERACTION_OPTIONS",
    "OPERATION_OPTIONS",
    "Account",
    "SourceSpec",
    "parse_source",
    "prepare_source",
]

#: Loading options a job's ``data:`` may give (those of :func:`kpi_helpers.load_interactions`).
INTERACTION_OPTIONS = (
    "sheet",
    "header_row",
    "decimal",
    "dayfirst",
    "timezone",
    "scales",
    "on_invalid",
    "encoding",
)
#: Loading options a job's ``operations:`` may give (those of :func:`kpi_helpers.load_operations`).
OPERATION_OPTIONS = ("sheet", "header_row", "decimal", "encoding")
_FILE_KEYS = ("files", "path")
_CACHE_VERSION = 2
#: how many rejection reasons the page lists (the CSV has every rejected row)
TOP_REASONS = 5


@dataclass(frozen=True)
class SourceSpec:
    """Where a job's data comes from: files (paths or globs), a mapping and loading options."""

    kind: str  # "data" (interactions) or "operations"
    files: tuple[str, ...]
    mapping: Any = None
    options: Mapping = field(default_factory=dict)

    @property
    def plain(self) -> bool:
        """True for one file with no mapping and no option (maybe canonical already)."""
        return len(self.files) == 1 and self.mapping is None and not self.options


def parse_source(value, *, kind: str, where: str) -> SourceSpec:
    """A :class:`SourceSpec` from the YAML of a job's ``data:`` / ``operations:`` key.

    ``value`` is a path or glob, a list of them, or a mapping with ``files`` (or ``path``),
    an optional ``mapping`` and loading options. ``where`` names the job and key in errors.

    >>> parse_source({"files": "x_*.csv", "mapping": "helpdesk_ptbr"}, kind="data", where="job").files
    ('x_*.csv',)
    """
    allowed = INTERACTION_OPTIONS if kind == "data" else OPERATION_OPTIONS
    keys = (*_FILE_KEYS, "mapping", *allowed)
    if isinstance(value, str):
        value = {"files": value}
    elif isinstance(value, list):
        value = {"files": value}
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where} must be a path, a list of paths or a mapping with 'files' and "
            f"'mapping', got {value!r}."
        )
    for key in value:
        if key not in keys:
            raise ConfigError(f"{where}: unknown key {key!r}; valid keys: {', '.join(keys)}.")
    if "files" in value and "path" in value:
        raise ConfigError(f"{where}: give 'files' or 'path', not both.")
    files = value.get("files", value.get("path"))
    if isinstance(files, str):
        files = [files]
    if (
        not isinstance(files, list)
        or not files
        or not all(isinstance(f, str) and f.strip() for f in files)
    ):
        raise ConfigError(
            f"{where}: 'files' must be a path, a glob such as exports/*.csv or a list of them, "
            f"got {files!r}."
        )
    mapping = value.get("mapping")
    if mapping is not None and not isinstance(mapping, (str, dict)):
        raise ConfigError(
            f"{where}: 'mapping' must be a preset name, a YAML file or a mapping, got {mapping!r}."
        )
    if (
        kind == "operations"
        and isinstance(mapping, str)
        and not mapping.lower().endswith((".yml", ".yaml"))
    ):
        raise ConfigError(
            f"{where}: 'mapping' of operations must be a YAML file or a mapping "
            f"(canonical column: source column), got {mapping!r}."
        )
    if value.get("on_invalid", "reject") not in ("reject", "null"):
        raise ConfigError(
            f"{where}: 'on_invalid' must be 'reject' or 'null', got {value['on_invalid']!r}."
        )
    options = {k: value[k] for k in allowed if k in value}
    return SourceSpec(kind, tuple(f.strip() for f in files), mapping, options)


# -- the account of one source -------------------------------------------------------------
@dataclass
class Account:
    """What a page and ``run.json`` say about one data source.

    ``rejected_by_reason`` maps an English reason label (a message id) to a row count;
    ``warnings`` are ``(message id, fields)`` pairs, translated when shown.
    """

    role: str
    files: list[dict]
    path: str  # the canonical file the notebook reads
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[str, dict]] = field(default_factory=list)
    first_contact: str | None = None
    last_contact: str | None = None
    rejected_csv: str | None = None  # the rejected rows (cache), copied next to the report
    loaded_by: str = "load_interactions"
    channels: dict[str, list[str | None]] = field(default_factory=dict)

    # -- coverage ------------------------------------------------------------------------
    def coverage(self):
        """The :class:`~kpi_helpers.coverage.Coverage` of the loaded rows (None for operations)."""
        import pandas as pd

        from ..coverage import Coverage

        if self.role != "data":
            return None

        def ts(value):
            return None if value is None else pd.Timestamp(value)

        segments = {
            "channel": {
                name: Coverage(ts(first), ts(last), 0)
                for name, (first, last) in self.channels.items()
            }
        }
        return Coverage(ts(self.first_contact), ts(self.last_contact), self.loaded, segments)

    @property
    def needs_attention(self) -> bool:
        """True when rows were rejected or the load gave warnings (the index marks it)."""
        return bool(self.rejected or self.warnings)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> Account:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["warnings"] = [tuple(w) for w in values.get("warnings", [])]
        return cls(**values)


# -- preparing ------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    from .runner import _sha256 as sha256

    return sha256(path)


def _shown(path: Path, base_dir: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base_dir.resolve())).as_posix()
    except ValueError:
        return str(path)


def expand_files(spec: SourceSpec, base_dir: Path, *, lang: str, job: str) -> list[Path]:
    """The files a spec names, globs expanded (sorted), each once; an empty glob is an error."""
    out: list[Path] = []
    for pattern in spec.files:
        path = Path(pattern).expanduser()
        if not path.is_absolute():
            path = base_dir / path
        if _glob.has_magic(str(path)):
            found = sorted(Path(p) for p in _glob.glob(str(path), recursive=True))
            found = [p for p in found if p.is_file()]
            if not found:
                raise ReportError(
                    t(
                        "Job {job}: no file matches {pattern} (relative to {folder}).",
                        lang,
                        job=job,
                        pattern=pattern,
                        folder=str(base_dir),
                    )
                )
            out.extend(found)
        elif path.exists():
            out.append(path)
        else:
            raise ReportError(
                t(
                    "Job {job}: data file not found: {path} (relative to {folder}).",
                    lang,
                    job=job,
                    path=pattern,
                    folder=str(base_dir),
                )
            )
    seen, unique = set(), []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _code_version() -> str:
    """A digest of the loader's code: a cached table is rebuilt when the loader changes."""
    from .. import __file__ as pkg_file

    root = Path(pkg_file).parent
    h = hashlib.sha256(str(_CACHE_VERSION).encode())
    for name in ("io.py", "validation.py", "mapping.py", "operations.py", "schema.py", "checks.py"):
        path = root / name
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _mapping_identity(mapping, base_dir: Path):
    """What a mapping is, for the cache key: the YAML file's checksum, a preset's, or the dict."""
    if mapping is None or isinstance(mapping, dict):
        return mapping
    path = Path(mapping).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if path.is_file():
        return {"file": _sha256(path)}
    from ..config import PRESETS_DIR

    for suffix in (".yml", ".yaml"):
        preset = PRESETS_DIR / f"{mapping}{suffix}"
        if preset.is_file():
            return {"preset": mapping, "sha256": _sha256(preset)}
    return {"name": mapping}


def _resolved_mapping(mapping, base_dir: Path):
    """A mapping as the loader takes it: YAML paths made absolute, presets by name."""
    if isinstance(mapping, str):
        path = Path(mapping).expanduser()
        if not path.is_absolute() and (base_dir / path).is_file():
            return str(base_dir / path)
    return mapping


def _file_record(path: Path, base_dir: Path) -> dict:
    st = path.stat()
    return {
        "path": _shown(path, base_dir),
        "sha256": _sha256(path) if path.is_file() else None,
        "bytes": st.st_size if path.is_file() else None,
        "modified": _dt.datetime.fromtimestamp(st.st_mtime, _dt.UTC).isoformat(timespec="seconds"),
    }


def _atomic_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def prepare_source(
    spec: SourceSpec,
    *,
    base_dir: Path,
    cache_dir: Path,
    job: str,
    lang: str = "en",
    memo: dict | None = None,
) -> Account:
    """Load (or find in the cache) the source of ``spec`` and account for it.

    Parameters
    ----------
    spec : SourceSpec
        From :func:`parse_source`.
    base_dir : Path
        Folder that relative paths are resolved against (that of reports.yml).
    cache_dir : Path
        Where validated canonical tables are cached (``<output_dir>/.cache/sources``).
    job : str
        The job's name, for messages.
    lang : str
        Language of the error messages.
    memo : dict, optional
        In-process memo shared by the jobs of one run.

    Raises
    ------
    ReportError
        A missing file or a file that cannot be loaded (the loader's message, naming the
        file, the column and the fix).
    """
    files = expand_files(spec, base_dir, lang=lang, job=job)
    records = [_file_record(p, base_dir) for p in files]
    key_data = {
        "kind": spec.kind,
        "files": [(r["path"], r["sha256"], r["modified"]) for r in records],
        "mapping": _mapping_identity(spec.mapping, base_dir),
        "options": _json_safe(dict(spec.options)),
        "code": _code_version(),
    }
    key = hashlib.sha256(json.dumps(key_data, sort_keys=True, default=str).encode()).hexdigest()[
        :24
    ]
    if memo is not None and key in memo:
        return memo[key]
    account = None
    if spec.kind == "data" and spec.plain and _is_canonical_parquet(files[0]):
        account = _canonical_account(files[0], records, base_dir)
    else:
        cache_dir.mkdir(parents=True, exist_ok=True)
        meta_path = cache_dir / f"{key}.json"
        if meta_path.is_file():
            with contextlib.suppress(Exception):
                cached = Account.from_json(json.loads(meta_path.read_text("utf-8")))
                if Path(cached.path).is_file() and (
                    cached.rejected_csv is None or Path(cached.rejected_csv).is_file()
                ):
                    account = cached
        if account is None:
            account = _load_account(spec, files, records, base_dir, cache_dir, key, job, lang)
            _atomic_bytes(
                meta_path,
                (json.dumps(account.to_json(), indent=1, default=str) + "\n").encode(),
            )
    if memo is not None:
        memo[key] = account
    return account


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


def _is_canonical_parquet(path: Path) -> bool:
    """A Parquet file (or folder) whose ``created_at`` is stored as a timestamp already."""
    if path.is_dir():
        return any(path.rglob("*.parquet"))
    if path.suffix.lower() not in (".parquet", ".pq"):
        return False
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
    except Exception:  # noqa: BLE001 - not Parquet after all: the loader will say why
        return False
    names = set(schema.names)
    return {"interaction_id", "created_at"} <= names and pa.types.is_timestamp(
        schema.field("created_at").type
    )


def _canonical_account(path: Path, records: list[dict], base_dir: Path) -> Account:
    """A canonical Parquet file: its rows are checked by one aggregate query, not copied."""
    import pandas as pd

    from ..engine import _to_timestamp, as_table

    source = as_table(str(path))
    table = source.table
    created = _to_timestamp(table.created_at, source.local_zone)
    mtime = pd.Timestamp(path.stat().st_mtime, unit="s", tz="UTC")
    from ..config import DEFAULT_TIMEZONE

    cutoff = mtime.tz_convert(DEFAULT_TIMEZONE).tz_localize(None).floor("s")
    import ibis

    ok = created <= ibis.literal(cutoff.to_pydatetime(), type="timestamp")
    row = source.execute(
        table.aggregate(
            rows=table.count(),
            first=created.min(),
            last=created.max(where=ok),
            future=(~ok).sum(),
        )
    ).iloc[0]
    rows, future = int(row["rows"]), int(row["future"] or 0)
    from ..coverage import segment_coverage

    channels = {
        name: [_iso(cov.first), _iso(cov.last)]
        for name, cov in segment_coverage(source, "channel").items()
    }
    warnings: list[tuple[str, dict]] = []
    if future:
        warnings.append(
            (
                "{count} contacts are dated after the file was written ({date}): they do not "
                "move the as-of date.",
                {"count": future, "date": cutoff.date().isoformat()},
            )
        )
    warnings += _check_warnings(str(path))
    return Account(
        role="data",
        files=records,
        path=str(path.resolve()),
        read=rows,
        loaded=rows,
        rejected=0,
        first_contact=_iso(row["first"]),
        last_contact=_iso(row["last"]),
        warnings=warnings,
        loaded_by="canonical",
        channels=channels,
    )


def _check_warnings(path: str) -> list[tuple[str, dict]]:
    """The row checks :mod:`kpi_helpers.checks` makes on canonical data, as warnings."""
    try:
        from ..checks import check_data
    except ImportError:  # pragma: no cover - the checks module is part of the package
        return []
    from ..config import LANGUAGES

    check = check_data(path)
    if check.ok:
        return []
    # one line per failed check, already in each language (see _warning_text)
    per_lang = {lang: check.messages(lang) for lang in LANGUAGES}
    return [
        ("", {"_texts": {lang: per_lang[lang][i] for lang in LANGUAGES}})
        for i in range(len(per_lang["en"]))
    ]


def _param_path(path: Path, base_dir: Path) -> str:
    """The path the notebook gets (it runs in ``base_dir``): relative when inside it."""
    shown = _shown(path, base_dir)
    return shown if not shown.startswith("../") and not Path(shown).is_absolute() else str(path)


def _iso(value) -> str | None:
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).isoformat()


def _load_account(
    spec: SourceSpec,
    files: list[Path],
    records: list[dict],
    base_dir: Path,
    cache_dir: Path,
    key: str,
    job: str,
    lang: str,
) -> Account:
    import pandas as pd

    mapping = _resolved_mapping(spec.mapping, base_dir)
    results = []
    for path, record in zip(files, records, strict=True):
        try:
            if spec.kind == "data":
                from ..io import load_interactions

                res = load_interactions(path, mapping, **dict(spec.options))
            else:
                from ..operations import load_operations

                ops_mapping = mapping
                if isinstance(ops_mapping, str):
                    import yaml

                    ops_mapping = yaml.safe_load(Path(ops_mapping).read_text("utf-8"))
                res = load_operations(path, mapping=ops_mapping, **dict(spec.options))
        except KpiError as exc:
            raise ReportError(f"Job {job}: {exc}") from None
        results.append((record["path"], res))
    frames, rejected, warnings = [], [], []
    reasons: dict[str, int] = {}
    read = 0
    several = len(results) > 1
    for shown, res in results:
        data = res.data
        rej = res.rejected
        read += len(data) + len(rej)
        if spec.kind == "data":
            for code, count in (res.report.get("rejected_by_reason") or {}).items():
                label = _reason_label(code)
                reasons[label] = reasons.get(label, 0) + int(count)
        else:
            for code, count in _operations_reasons(rej).items():
                reasons[code] = reasons.get(code, 0) + count
        for msg, fields in getattr(res, "_warning_items", []):
            if several:
                fields = {**fields, "_file": shown}
            warnings.append((msg, _json_safe(fields)))
        frames.append(data)
        if len(rej):
            rejected.append(rej.assign(file=shown) if several else rej)
    data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if spec.kind == "data" and several and "interaction_id" in data.columns:
        dup = data["interaction_id"].duplicated(keep="first")
        if dup.any():
            origin = pd.concat(
                [pd.Series(shown, index=range(len(r.data))) for shown, r in results],
                ignore_index=True,
            )
            label = "duplicate id in another file of the data"
            reasons[label] = reasons.get(label, 0) + int(dup.sum())
            extra = data[dup].assign(file=origin[dup].to_numpy(), reason=label)
            rejected.append(extra)
            data = data[~dup].reset_index(drop=True)
    # where the rows came from, for the notebooks' headers (the file is named by its key)
    data.attrs["source"] = ", ".join(Path(shown).name for shown, _ in results)
    if spec.kind == "data":
        scales = _scales(results)
        if scales:
            data.attrs["scales"] = scales
    out_path = cache_dir / f"{key}.parquet"
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    data.to_parquet(tmp, index=False)
    os.replace(tmp, out_path)
    rejected_csv = None
    n_rejected = sum(len(r) for r in rejected)
    if n_rejected:
        from ..csvsafe import write_csv

        frame = pd.concat(rejected, ignore_index=True)
        first = [c for c in ("file", "sheet", "row", "reason", "check") if c in frame.columns]
        frame = frame[first + [c for c in frame.columns if c not in first]]
        rejected_csv = str(cache_dir / f"{key}.rejected.csv")
        write_csv(frame, rejected_csv)
    account = Account(
        role=spec.kind,
        files=records,
        path=str(out_path),
        read=read,
        loaded=len(data),
        rejected=n_rejected,
        rejected_by_reason=dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        warnings=warnings,
        rejected_csv=rejected_csv,
        loaded_by="load_interactions" if spec.kind == "data" else "load_operations",
    )
    if spec.kind == "data" and "created_at" in data.columns and len(data):
        created = pd.to_datetime(data["created_at"])
        account.first_contact = _iso(created.min())
        account.last_contact = _iso(created.max())
        if "channel" in data.columns:
            grouped = created.groupby(data["channel"].fillna("unknown").astype(str))
            account.channels = {str(k): [_iso(v.min()), _iso(v.max())] for k, v in grouped}
    return account


def _scales(results) -> dict:
    """The survey scales of the loaded files (plain lists, as ``data.attrs['scales']``)."""
    out = {}
    for _shown, res in results:
        for name, scale in (getattr(res, "scales", None) or {}).items():
            with contextlib.suppress(Exception):
                out[name] = [float(scale.low), float(scale.high)]
    return out


def _reason_label(code: str) -> str:
    """The English label of a loader check code (a message id: translated when shown)."""
    from .. import io as _io

    labels = getattr(_io, "_LABELS", {})
    return labels.get(code, code)


def _operations_reasons(rejected) -> dict[str, int]:
    if rejected is None or not len(rejected) or "reason" not in rejected.columns:
        return {}
    counts: dict[str, int] = {}
    for reason in rejected["reason"].astype(str):
        first = reason.split("; ")[0]
        counts[first] = counts.get(first, 0) + 1
    return counts


# -- plans ----------------------------------------------------------------------------------
def cache_dir_for(output_dir: Path) -> Path:
    """Where validated tables are cached: ``<output folder>/.cache/sources``."""
    return Path(output_dir) / ".cache" / "sources"


def _sample_spec(kind: str) -> SourceSpec | None:
    from .. import sample

    if kind == "data":
        return SourceSpec("data", (str(sample.sample_path()),))
    if kind == "operations":
        return SourceSpec("operations", (str(sample.operations_path()),))
    return None


def job_source_spec(job, kind: str, values: Mapping | None = None, declared=None):
    """The source of ``kind`` (``"data"``/``"operations"``) a job reads, or None.

    A value of the notebook parameter (the job's ``parameters`` or ``--param``) wins; else
    the job's ``data:``/``operations:`` key; else, when the notebook declares the parameter
    and leaves it blank, the committed sample.
    """
    values = job.parameters if values is None else values
    value = values.get(kind)
    if isinstance(value, str) and value.strip():
        return None if "{" in value else SourceSpec(kind, (value.strip(),))
    spec = getattr(job, kind, None)
    if spec is not None:
        return spec
    if declared is not None and kind not in declared:
        return None
    if value is None and declared is not None:
        default = declared[kind].default_value()
        if isinstance(default, str) and default.strip():
            return SourceSpec(kind, (default.strip(),))
    return _sample_spec(kind)


def job_as_of(
    job, config, *, memo: dict | None = None, lang: str | None = None, cache_dir: Path | None = None
) -> _dt.date:
    """The day after the job's latest contact (contacts dated after their file was written
    are left out, as the loader rejects them), from the prepared source."""
    lang = lang or job.lang
    spec = job_source_spec(job, "data")
    if spec is None:
        raise ReportError(
            t(
                "Job {job}: no 'data' parameter to read the latest date from; pass --as-of YYYY-MM-DD.",
                lang,
                job=job.name,
            )
        )
    account = prepare_source(
        spec,
        base_dir=config.base_dir,
        cache_dir=cache_dir or cache_dir_for(config.output_dir),
        job=job.name,
        lang=lang,
        memo=memo,
    )
    if account.last_contact is None:
        raise ReportError(
            t(
                "Job {job}: the data has no contact with a readable date; pass --as-of YYYY-MM-DD.",
                lang,
                job=job.name,
            )
        )
    import pandas as pd

    return pd.Timestamp(account.last_contact).date() + _dt.timedelta(days=1)


def prepare_plan(
    plan,
    config,
    *,
    memo: dict | None = None,
    lang: str | None = None,
    cache_dir: Path | None = None,
):
    """``plan`` with its data sources loaded: the notebook reads the validated tables.

    Returns a new :class:`~kpi_helpers.report.runner.RunPlan` whose ``data``/``operations``
    parameters name the canonical tables, whose ``inputs`` list the source files with
    their checksums, and whose ``sources`` hold the :class:`Account` of each.
    """
    from .params import notebook_parameters

    lang = lang or plan.messages_lang or plan.job.lang
    declared = notebook_parameters(plan.job.notebook)
    values = dict(plan.parameters)
    inputs = {k: v for k, v in plan.inputs.items() if k.split("#")[0] not in ("data", "operations")}
    accounts = []
    for kind in ("data", "operations"):
        spec = job_source_spec(plan.job, kind, values, declared)
        if spec is None:
            if getattr(plan.job, kind, None) is not None and kind not in declared:
                raise ReportError(
                    t(
                        "Job {job}: {notebook} has no {key!r} parameter to read the job's {key} from.",
                        lang,
                        job=plan.job.name,
                        notebook=plan.job.notebook_text,
                        key=kind,
                    )
                )
            for k, v in plan.inputs.items():
                if k.split("#")[0] == kind:
                    inputs[k] = v
            continue
        account = prepare_source(
            spec,
            base_dir=config.base_dir,
            cache_dir=cache_dir or cache_dir_for(config.output_dir),
            job=plan.job.name,
            lang=lang,
            memo=memo,
        )
        accounts.append(account)
        values[kind] = _param_path(Path(account.path), config.base_dir)
        for i, record in enumerate(account.files, start=1):
            inputs[kind if i == 1 else f"{kind}#{i}"] = record["path"]
    order = ["data", "operations", "targets"]

    def rank(item):
        base = item[0].split("#")[0]
        return (order.index(base) if base in order else len(order), item[0])

    return dataclasses.replace(
        plan,
        parameters=values,
        inputs=dict(sorted(inputs.items(), key=rank)),
        sources=tuple(accounts),
    )


# -- what the page says ---------------------------------------------------------------------
@dataclass(frozen=True)
class DataSummary:
    """One source in the page's "Data" section, every text in the page's language."""

    role: str
    files: tuple[str, ...]
    facts: str
    span: str
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    rejected_href: str | None = None
    attention: bool = False


def _when(value, lang: str) -> str:
    import pandas as pd

    from ..i18n import format_date

    return format_date(pd.Timestamp(value).date(), lang)


def describe_account(
    account: Account, lang: str, *, rejected_href: str | None = None
) -> DataSummary:
    """The "Data" section's entry for ``account`` in ``lang``.

    >>> a = Account(role="data", files=[{"path": "x.csv"}], path="x.parquet", read=10,
    ...             loaded=8, rejected=2, rejected_by_reason={"duplicate id": 2},
    ...             first_contact="2026-10-01T08:00:00", last_contact="2026-10-31T17:00:00")
    >>> d = describe_account(a, "en")
    >>> d.facts, d.span, d.reasons
    ('10 rows read: 8 loaded, 2 rejected.', 'First contact Oct 1, 2026, last contact Oct 31, 2026.', ('duplicate id: 2',))
    """
    from ..i18n import format_number

    def n(x):
        return format_number(x, lang, decimals=0)

    roles = {"data": t("contacts", lang), "operations": t("operations", lang)}
    if account.loaded_by == "canonical":
        facts = t(
            "{rows} rows (a canonical table: its rows were checked, not reloaded).",
            lang,
            rows=n(account.read),
        )
    else:
        facts = t(
            "{read} rows read: {loaded} loaded, {rejected} rejected.",
            lang,
            read=n(account.read),
            loaded=n(account.loaded),
            rejected=n(account.rejected),
        )
    span = ""
    if account.role == "data":
        if account.first_contact and account.last_contact:
            span = t(
                "First contact {first}, last contact {last}.",
                lang,
                first=_when(account.first_contact, lang),
                last=_when(account.last_contact, lang),
            )
        else:
            span = t("No contact with a readable date.", lang)
    reasons = tuple(
        f"{t(label, lang)}: {n(count)}"
        for label, count in list(account.rejected_by_reason.items())[:TOP_REASONS]
    )
    hidden = len(account.rejected_by_reason) - TOP_REASONS
    if hidden > 0:
        reasons += (t("… and {count} other reasons (see the CSV).", lang, count=n(hidden)),)
    warn = tuple(_warning_text(msg, fields, lang) for msg, fields in account.warnings)
    return DataSummary(
        role=roles.get(account.role, account.role),
        files=tuple(f["path"] for f in account.files),
        facts=facts,
        span=span,
        reasons=reasons,
        warnings=warn,
        rejected_href=rejected_href if account.rejected else None,
        attention=account.needs_attention,
    )


def _warning_text(msg: str, fields: Mapping, lang: str) -> str:
    from ..i18n import format_number

    if isinstance(fields.get("_texts"), Mapping):  # rendered in each language already
        texts = fields["_texts"]
        return texts.get(lang) or texts.get("en") or msg

    shown = {
        k: format_number(v, lang, decimals=0)
        if isinstance(v, int) and not isinstance(v, bool)
        else v
        for k, v in fields.items()
        if k != "_file"
    }
    try:
        text = t(msg, lang, **shown)
    except (KeyError, IndexError, ValueError):
        text = t(msg, lang)
    return f"{fields['_file']}: {text}" if fields.get("_file") else text
