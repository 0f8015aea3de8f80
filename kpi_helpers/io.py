"""Load an export (CSV, Excel, Parquet or a DataFrame) into the canonical interactions table.

:func:`load_interactions` reads the source, applies a column mapping (see
:mod:`kpi_helpers.mapping`), parses the values of real-world exports (Y/N and Sim/Não
booleans, ``hh:mm:ss`` durations, ``dd/mm/yyyy`` or Excel dates, decimal commas), checks every
row (:func:`kpi_helpers.validation.check_canonical`), keeps bad rows aside with their row number
and reasons, derives the columns of KPIS.md (answered, abandoned, resolved, wait_s) and returns a
:class:`LoadResult`. A source that cannot be used at all raises
:class:`~kpi_helpers.errors.DataError` naming the file, the column, what was expected, what was
found and the fix.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"Protocolo": ["A1", "A2"], "Aberto em": ["05/01/2025 10:00", "x"]})
>>> res = load_interactions(raw, {"interaction_id": "Protocolo", "created_at": "Aberto em"})
>>> res
LoadResult(source='DataFrame', read=2, loaded=1, rejected=1)
>>> res.data["created_at"].iloc[0]
Timestamp('2025-01-05 10:00:00')
"""

from __future__ import annotations

import codecs
import csv
import difflib
import importlib.util
import io as _io
import json
import os
import re
import zipfile
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import yaml

from .config import DEFAULT_TIMEZONE
from .errors import DataError, MissingDependencyError, OptionError
from .i18n import format_number, t
from .mapping import (
    ID_SEPARATOR,
    W_MAPPING_CP1252,
    ColumnMapping,
    ColumnSpec,
    default_scales,
    get_preset,
    list_presets,
    normalize_name,
    register_preset,
    resolve_mapping,
)
from .schema import INTERACTION_COLUMNS, REQUIRED_COLUMNS, Scale
from .validation import (
    DECIMAL_MARKS,
    FALSE_TOKENS,
    TRUE_TOKENS,
    YEAR_MAX,
    YEAR_MIN,
    NumberEvidence,
    NumberFormat,
    _plain,
    apply_value_map,
    blank_mask,
    check_canonical,
    day_fraction_column,
    dayfirst_evidence,
    dayfirst_spans,
    detect_dayfirst,
    flag_in,
    fold,
    number_evidence,
    parse_bool,
    parse_duration,
    parse_int,
    parse_number,
    parse_string,
    parse_time_of_day,
    parse_timestamp,
    resolve_number_format,
    value_counts_text,
)

__all__ = ["load_interactions", "LoadResult", "register_preset", "get_preset", "list_presets"]

_READERS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_KIND_TYPE = {
    "string": "string",
    "timestamp": "timestamp",
    "bool": "bool",
    "duration": "duration",
    "int": "int",
    "score": "number",
}
#: Extra words that hint at a required column, for the "closest columns" suggestion.
_HINTS = {
    "interaction_id": (
        "id",
        "ticket",
        "ticket_id",
        "call_id",
        "protocolo",
        "numero",
        "chamado",
        "case",
        "conversation_id",
        "atendimento",
    ),
    "created_at": (
        "date",
        "data",
        "created",
        "criado_em",
        "data_de_abertura",
        "abertura",
        "opened",
        "start",
        "inicio",
        "datetime",
        "timestamp",
        "data_hora",
    ),
}
_STR_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
_NUMERIC_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_RESERVED = ("row", "sheet", "column", "field", "value", "reason", "check")

#: Reason texts of rejected/blanked values, by check code (English; see LoadResult.summary).
_REASONS = {
    "invalid_bool": "{where}: {value!r} is not a yes/no value (expected Y/N, S/N, Sim/Não, "
    "yes/no, true/false or 1/0)",
    "invalid_timestamp": "{where}: {value!r} is not a date/time (expected e.g. 2025-01-31 14:05, "
    "31/01/2025 14:05 or an Excel date)",
    "year_out_of_range": "{where}: {value!r}{read_as}: year {year} is out of range (dates must "
    "fall in the years {year_min}-{year_max}; a typo?)",
    "invalid_time": "{where}: {value!r} is not a time of day (expected hh:mm or hh:mm:ss)",
    "invalid_duration": "{where}: {value!r} is not a duration (expected seconds or hh:mm:ss)",
    "invalid_number": "{where}: {value!r} is not a number",
    "invalid_contacts": "{where}: {value!r} is not a whole number >= 1",
    "missing_value": "{where}: required value is blank",
    "duplicate_id": "{where}: {value!r} already appears in row {first}",
    "out_of_scale": "{where}: {value} is outside its scale {low:g}-{high:g} (if the scale is "
    "another one, declare it: mapping `{field}: {{column: {column}, scale: [{s_low:g}, "
    "{s_high:g}]}}` or scales={{'{field}': ({s_low:g}, {s_high:g})}})",
    "total_row": "{where}: {value!r} looks like a total row, not a contact",
    "not_integer": "{where}: {value} is not a whole number",
    "negative_duration": "{where}: negative duration {value}",
    "before_created": "{where}: {value} is before created_at {created}",
    "excel_blank_date": "{where}: empty Excel date (1899-12-31): {value!r} is Excel's date 0, "
    "what a blank date cell holds",
    "resolved_before_response": "{where}: {value} is before the first response "
    "(first_response_at {response}): resolved before it was answered",
    "future_timestamp": "{where}: {value} is after the as-of time {as_of} (in the future)",
    "short_row": "row {row} has {found} of {expected} fields (the line is cut off: an "
    "incomplete download?)",
}
#: Short labels of the check codes, for summaries (msgids of io.po).
_LABELS = {
    "invalid_bool": "not a yes/no value",
    "invalid_timestamp": "unreadable date/time",
    "year_out_of_range": "year out of range",
    "invalid_time": "unreadable time of day",
    "invalid_duration": "unreadable duration",
    "invalid_number": "not a number",
    "invalid_contacts": "contacts not a whole number >= 1",
    "missing_value": "required value missing",
    "duplicate_id": "duplicate interaction_id",
    "out_of_scale": "score outside its scale",
    "not_integer": "score not a whole number",
    "negative_duration": "negative duration",
    "before_created": "response or resolution before creation",
    "resolved_before_response": "resolution before the first response",
    "excel_blank_date": "empty Excel date (1899-12-31)",
    "future_timestamp": "date in the future",
    "total_row": "total row",
    "short_row": "fewer fields than the header (line cut off)",
}
#: Added to the reason of a blanked (``on_invalid="null"``) response or resolution value.
_EVENT_NOTES = {
    "answered": " (blanked, but the contact counts as answered)",
    "resolved": " (blanked, but the contact counts as resolved)",
}
# Warning messages (English msgids; pt-BR in locales/pt_BR/LC_MESSAGES/io.po).
_W_CP1252 = (
    "{file}: not UTF-8; read as Windows-1252 (cp1252). Pass encoding=... if accented "
    "letters look wrong."
)
_W_LATIN1 = (
    "{file}: neither UTF-8 nor Windows-1252; read as Latin-1. Pass encoding=... if "
    "accented letters look wrong."
)
_W_MIXED_ENCODING = (
    "{file}: {count} line(s) are not UTF-8 like the rest of the file (line {lines}); those "
    "were read as Windows-1252 (cp1252). Check their accented letters, or pass encoding=..."
)
_W_BLANK_ROWS = "{count} blank row(s) skipped."
_W_OPTIONAL = "Optional column {column} (for {field}) not found; {field} left out."
_W_DAYFIRST = (
    "Dates in {columns} read both ways (dd/mm and mm/dd); assumed day-first "
    "(dd/mm/yyyy). Pass dayfirst=False if they are mm/dd/yyyy."
)
_W_MONTHFIRST = (
    "Dates in {columns} read both ways (dd/mm and mm/dd); assumed month-first (mm/dd/yyyy), "
    "the reading that keeps them within a shorter period. Pass dayfirst=True if they are "
    "dd/mm/yyyy."
)
_W_DATES_CONFLICT_DAY = (
    "Dates in {column} contradict each other: {day_value} (row {day_row}) can only be "
    "day-first (dd/mm/yyyy), {month_value} (row {month_row}) only month-first (mm/dd/yyyy). "
    "Read day-first; the {count} row(s) that can only be month-first are reported as "
    "unreadable dates. Pass dayfirst=False if most dates are mm/dd/yyyy."
)
_W_DATES_CONFLICT_MONTH = (
    "Dates in {column} contradict each other: {day_value} (row {day_row}) can only be "
    "day-first (dd/mm/yyyy), {month_value} (row {month_row}) only month-first (mm/dd/yyyy). "
    "Read month-first; the {count} row(s) that can only be day-first are reported as "
    "unreadable dates. Pass dayfirst=True if most dates are dd/mm/yyyy."
)
_W_EXCEL_BLANK_DATES = (
    "{column}: {count} empty Excel date(s) (1899-12-31, Excel's date 0: a blank date cell) "
    "read as blank."
)
_W_NO_TIME = "{count} row(s) have a date but no time in {columns}; taken as 00:00."
_W_MIXED_TZ = (
    "{column} mixes values with and without a time zone: values without one are taken "
    "as local time, the others converted to {timezone}."
)
_W_NONE_LOADED = "No rows loaded: all {read} rows were rejected."
_W_NUMBERS_FILE = (
    "{column}: numbers such as {example} read as {reading}, with {decimal} as the decimal "
    "mark like the rest of the file; if that is wrong, declare it in the mapping ({fix})."
)
_W_NUMBERS_GUESS = (
    "{column}: numbers such as {example} can be read two ways; read as {reading} ({sep} as "
    "the thousands separator); if that is wrong, declare the decimal mark in the mapping "
    "({fix})."
)
_W_DAY_FRACTIONS = (
    "{column}: every number is between 0 and 1, so they are read as fractions of a day "
    "(Excel times: 0.25 = 6 h); declare the unit in the mapping (unit: seconds) if they are "
    "seconds."
)
_W_HEADER_ROW = (
    "{file}: the column names are on row {row}; the {count} row(s) above them were skipped "
    "(a title?). Pass header_row=... to pick another row."
)
_W_SHEET_SKIPPED = (
    "{file}: sheet {sheet} skipped: its columns ({columns}) differ from those of sheet "
    "{first}. Pass sheet=[...] with the sheets to read."
)
_W_UNSAVED_FORMULAS = (
    "{file}: {count} formula cell(s) in column {column} have no saved value (row {rows}) "
    "and read as blank: the workbook was not calculated and saved by Excel. Open it in "
    "Excel, save it and load it again."
)
_W_TEXT_AS_EXCEL = "{file}: has an Excel extension but holds text; read as CSV."
_W_EXCEL_AS_TEXT = "{file}: holds an Excel workbook ({kind}) under a text extension; read as Excel."
_W_HTML = "{file}: is a web page (an HTML table) with an Excel extension; its first table was read."
_W_DATE_ONLY = (
    "created_at comes from {column} alone and every value is at 00:00, while the file has a "
    "time column {time}; to combine them, map `{fix}`."
)
_W_FLAG_SIDE_REJECTED = (
    "{field}: no value maps to {side}; {count} row(s) rejected (in neither list: {values}). "
    "List those values under {key} or add `otherwise: {side}` to the mapping entry."
)
_W_FLAG_SIDE_BLANKED = (
    "{field}: no value maps to {side}; {count} value(s) blanked (in neither list: {values}). "
    "List those values under {key} or add `otherwise: {side}` to the mapping entry."
)
_W_FLAG_SIDE_ALL = (
    "{field}: no value maps to {side}: every row is {other} (values of {column}: {values}). "
    "Check the values listed in the mapping entry."
)
_W_PLUS_MISSING = "Column {column} (added to {field}) not found; {field} is {main} without it."
_WARNING_MESSAGES = (
    _W_CP1252,
    _W_LATIN1,
    _W_MIXED_ENCODING,
    _W_BLANK_ROWS,
    _W_OPTIONAL,
    _W_DAYFIRST,
    _W_MONTHFIRST,
    _W_DATES_CONFLICT_DAY,
    _W_DATES_CONFLICT_MONTH,
    _W_EXCEL_BLANK_DATES,
    _W_NO_TIME,
    _W_MIXED_TZ,
    _W_NONE_LOADED,
    _W_NUMBERS_FILE,
    _W_NUMBERS_GUESS,
    _W_DAY_FRACTIONS,
    _W_HEADER_ROW,
    _W_SHEET_SKIPPED,
    _W_UNSAVED_FORMULAS,
    _W_TEXT_AS_EXCEL,
    _W_EXCEL_AS_TEXT,
    _W_HTML,
    W_MAPPING_CP1252,
    _W_DATE_ONLY,
    _W_FLAG_SIDE_REJECTED,
    _W_FLAG_SIDE_BLANKED,
    _W_FLAG_SIDE_ALL,
    _W_PLUS_MISSING,
)
#: Column names (folded) of a time of day, for the "map [Date, Time]" hint.
_TIME_NAMES = frozenset({"time", "hora", "horario", "hour", "time_of_day", "hora_do_dia"})
#: Why a sheet was not read (summary labels, msgids of io.po).
_SHEET_SKIP_LABELS = {
    "empty": "empty sheet",
    "other columns": "columns differ from the first sheet read",
}
#: How many rows from the top are searched for the column names.
_HEADER_SEARCH_ROWS = 20

# Checks whose row is always rejected, even with on_invalid="null".
_ALWAYS_REJECT = ("missing_value", "duplicate_id", "total_row", "short_row")


@dataclass(repr=False)
class LoadResult:
    """What :func:`load_interactions` returns.

    Attributes
    ----------
    data : pandas.DataFrame
        The canonical interactions (only the columns the source provides, plus the derived
        ones and ``channel``), index 0..n-1. ``data.attrs["scales"]`` holds the survey scales
        as plain lists (``{"csat": [1.0, 5.0], ...}``), so they travel with the frame.
    rejected : pandas.DataFrame
        Rows kept aside, one line per rejected row (``len(rejected) == report["rejected"]``):
        ``row`` (spreadsheet row number: header = 1, first data row = 2; the 0-based position
        for a DataFrame source), ``sheet`` (only when several Excel sheets were read),
        ``reason`` (all the row's reasons, joined with ``"; "``), ``check`` (their codes,
        joined with ``", "``), ``column`` (source column), ``field`` (canonical column) and
        ``value`` of its first problem, then the row's original source columns. ``issues``
        has one line per problem.
    report : dict
        ``read``, ``loaded``, ``rejected`` (rows; read = loaded + rejected),
        ``rejected_by_reason`` (check code -> rows), ``nulled`` and ``nulled_by_reason``
        (values blanked with ``on_invalid="null"``), ``blank_rows_skipped``, ``sheets`` (the
        Excel sheets read, in order) and ``sheets_skipped`` (sheet -> ``"empty"`` or
        ``"other columns"``).
    source : str
        The file name, or ``"DataFrame"``.
    scales : dict
        Survey scales in force (``csat``, ``nps``, ``ces`` -> :class:`~kpi_helpers.schema.Scale`).
    warnings : list of str
        Assumptions made while loading (day-first dates, encoding fallback...), in English.
    issues : pandas.DataFrame
        Every problem found (rejected and blanked), one line per problem: row, (sheet),
        column, field, value, reason, check, action (``"rejected"`` or ``"nulled"``).
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    report: dict
    source: str
    scales: dict[str, Scale]
    warnings: list[str]
    issues: pd.DataFrame
    _warning_items: list[tuple[str, dict]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        r = self.report
        return (
            f"LoadResult(source={self.source!r}, read={r['read']}, loaded={r['loaded']}, "
            f"rejected={r['rejected']})"
        )

    def summary(self, lang: str = "pt-BR") -> str:
        """A short plain-text account of the load in ``lang`` (``"pt-BR"`` or ``"en"``).

        >>> import pandas as pd
        >>> res = load_interactions(pd.DataFrame({"interaction_id": ["1"],
        ...                                       "created_at": ["2025-01-05"]}))
        >>> print(res.summary("en"))
        DataFrame: 1 of 1 rows loaded, 0 rejected.
        """
        r = self.report

        def n(x):
            return format_number(x, lang, decimals=0)

        lines = [
            t(
                "{source}: {loaded} of {read} rows loaded, {rejected} rejected.",
                lang,
                source=self.source,
                loaded=n(r["loaded"]),
                read=n(r["read"]),
                rejected=n(r["rejected"]),
            )
        ]
        lines += _count_lines(
            t("Rejected rows by reason:", lang), r["rejected_by_reason"], _LABELS, lang
        )
        lines += _count_lines(
            t("Values blanked (row kept) by reason:", lang), r["nulled_by_reason"], _LABELS, lang
        )
        if len(r.get("sheets", ())) > 1 or r.get("sheets_skipped"):
            if r.get("sheets"):
                shown = ", ".join(repr(s) for s in r["sheets"])
                lines.append(t("Sheets read: {sheets}", lang, sheets=shown))
            if r.get("sheets_skipped"):
                lines.append(t("Sheets skipped:", lang))
                for sheet_name, why in r["sheets_skipped"].items():
                    label = t(_SHEET_SKIP_LABELS.get(why, why), lang)
                    lines.append(f"  - {sheet_name!r}: {label}")
        lines += _warning_lines(self._warning_items, lang)
        return "\n".join(lines)


def _count_lines(heading: str, counts, labels: dict[str, str], lang: str) -> list[str]:
    """``heading`` (translated) and ``  - label: count`` per check code; none when empty."""
    counts = dict(counts)
    if not counts:
        return []
    return [heading] + [
        f"  - {t(labels.get(code, code), lang)}: {format_number(count, lang, decimals=0)}"
        for code, count in counts.items()
    ]


def _warning_lines(items: list[tuple[str, dict]], lang: str) -> list[str]:
    """The load's warnings, translated, under a heading; none when there are none."""
    if not items:
        return []
    return [t("Warnings:", lang)] + [f"  - {t(msg, lang, **fields)}" for msg, fields in items]


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    frame: pd.DataFrame
    rows: np.ndarray
    name: str
    as_of: pd.Timestamp | None
    blank_rows: int = 0
    source: str = "DataFrame"
    delimiter: str | None = None
    sheets: np.ndarray | None = None  # the sheet of each row, when several were read
    sheets_read: list[str] = field(default_factory=list)
    sheets_skipped: dict[str, str] = field(default_factory=dict)
    # per row (CSV): None, or (fields found, fields expected, the record) when the row's
    # number of fields does not match the header
    field_problems: np.ndarray | None = None

    def sheet_of(self, pos: int) -> str | None:
        return None if self.sheets is None else str(self.sheets[pos])


def _fail(name: str, problem: str, expected: str, found: str, fix: str) -> DataError:
    return DataError(f"{name}: {problem}\n  expected: {expected}\n  found: {found}\n  fix: {fix}")


def _decode(data: bytes, name: str, encoding: str | None, warns: list) -> str:
    if encoding is not None:
        try:
            return data.decode(encoding)
        except LookupError as exc:
            raise OptionError(
                f"`encoding` must be a Python codec name such as 'utf-8' or 'cp1252', "
                f"got {encoding!r}."
            ) from exc
        except UnicodeDecodeError as exc:
            raise _fail(
                name,
                f"cannot be decoded as {encoding} (byte {data[exc.start : exc.start + 1]!r} at "
                f"position {exc.start}).",
                f"text in the {encoding} encoding",
                "bytes that are not valid in that encoding",
                "pass encoding=None to let the loader try UTF-8 then Windows-1252, or the "
                "file's real encoding",
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = _decode_lines(data)
    if mixed is not None:  # a UTF-8 file with a few Windows-1252 lines (pasted, appended)
        text, other = mixed
        shown = ", ".join(str(n) for n in other[:10]) + (", ..." if len(other) > 10 else "")
        warns.append((_W_MIXED_ENCODING, {"file": name, "count": str(len(other)), "lines": shown}))
        return text
    try:
        text = data.decode("cp1252")
        warns.append(
            (
                _W_CP1252,
                {"file": name},
            )
        )
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        warns.append(
            (
                _W_LATIN1,
                {"file": name},
            )
        )
    return text


def _decode_lines(data: bytes) -> tuple[str, list[int]] | None:
    """A file that is UTF-8 but for some lines, decoded line by line: UTF-8 first, else
    Windows-1252 (else Latin-1); returns the text and the (1-based) numbers of the lines not
    in UTF-8. ``None`` when no line shows UTF-8 accents (a file in one 8-bit encoding)."""
    parts: list[str] = []
    other: list[int] = []
    utf8_accents = False
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            other.append(number)
            try:
                text = line.decode("cp1252")
            except UnicodeDecodeError:
                text = line.decode("latin-1")
        else:
            utf8_accents = utf8_accents or not text.isascii()
        parts.append(text)
    if not utf8_accents:
        return None
    return "".join(parts), other


def _sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter that splits the first lines most consistently (title lines above the
    header, with one field, do not count against it)."""
    if suffix == ".tsv":
        return "\t"
    lines = [line for line in text[:262144].splitlines()[:40] if line.strip()]
    best, best_score = ",", (-1.0, 0)
    for delim in (",", ";", "\t", "|"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        except csv.Error:
            continue
        multi = [c for c in counts if c >= 2]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        score = (sum(c == mode for c in counts) / len(counts), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


@dataclass(frozen=True)
class _Want:
    """The header a mapping expects: per entry, whether it is required and its alternative
    column sets (folded names)."""

    groups: tuple[tuple[bool, tuple[tuple[str, ...], ...]], ...] = ()

    def score(self, cells: list) -> tuple[bool, int]:
        keys = {normalize_name(c) for c in cells if not _blank_cell(c)}
        hits = [any(all(k in keys for k in alt) for alt in alts) for _, alts in self.groups]
        ok = all(hit for hit, (req, _) in zip(hits, self.groups, strict=True) if req)
        return ok, sum(hits)


def _wanted(mapping: ColumnMapping | None) -> _Want:
    groups: list = []
    named = set()
    if mapping is not None:
        for target, spec in mapping.columns.items():
            if spec.is_constant:
                continue
            alts = tuple(tuple(normalize_name(c) for c in alt) for alt in spec.alternatives)
            groups.append((not spec.optional, alts))
            named.add(target)
    for target in INTERACTION_COLUMNS:
        if target not in named:
            groups.append((target in REQUIRED_COLUMNS, ((target,),)))
    return _Want(tuple(groups))


def _blank_cell(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _find_header(rows: list[list], want: _Want | None) -> int:
    """0-based index of the header among the first rows: the first row when it has the
    required columns, else the first row that has them, else the row with the most wanted
    columns (at least two, more than the first row), else 0."""
    if not rows or want is None or not want.groups:
        return 0
    ok, first_hits = want.score(rows[0])
    if ok:
        return 0
    best, best_hits = 0, max(first_hits, 1)
    for i, cells in enumerate(rows[1:_HEADER_SEARCH_ROWS], start=1):
        ok, hits = want.score(cells)
        if ok:
            return i
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _header_names(cells: list) -> list[str]:
    """Column names from header cells, as pandas names them (blank -> ``Unnamed: j``,
    repeated names -> ``x.1``)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for j, cell in enumerate(cells):
        if _blank_cell(cell):
            name = f"Unnamed: {j}"
        elif isinstance(cell, float) and cell.is_integer():
            name = str(int(cell))
        else:
            name = str(cell).strip()
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _header_keys(cells: list) -> frozenset[str]:
    return frozenset(normalize_name(c) for c in cells if not _blank_cell(c))


def _check_header_row(header_row: Any) -> int | None:
    if header_row is None:
        return None
    if isinstance(header_row, bool) or not isinstance(header_row, int | np.integer):
        raise OptionError(
            f"`header_row` must be the spreadsheet row number of the column names (1 = the "
            f"first row), got {header_row!r}."
        )
    if header_row < 1:
        raise OptionError(
            f"`header_row` must be 1 or more (1 = the first row), got {header_row!r}."
        )
    return int(header_row)


def _no_header_row(name: str, header_row: int, available: int) -> DataError:
    return _fail(
        name,
        f"has no row {header_row} to take the column names from.",
        f"header_row between 1 and {available}",
        f"{available} row(s)",
        "pass the spreadsheet row number of the column names, e.g. header_row=3",
    )


def _header_index(head: list, header_row: int | None, want, name: str, warns: list) -> int:
    """The header's position among the top rows ``head``: ``header_row`` (1-based) when
    given, else the row holding the mapped columns (with a warning when not the first)."""
    if header_row is not None:
        if header_row > len(head):
            raise _no_header_row(name, header_row, len(head))
        return header_row - 1
    index = _find_header(head, want)
    _warn_header(name, index, warns)
    return index


def _warn_header(name: str, index: int, warns: list) -> None:
    if index > 0:
        warns.append((_W_HEADER_ROW, {"file": name, "row": str(index + 1), "count": str(index)}))


def _unreadable(name: str, delim: str, exc: Exception | str) -> DataError:
    found = exc if isinstance(exc, str) else f"the CSV parser stopped: {str(exc).strip()}"
    return _fail(
        name,
        "is not a readable delimited text file.",
        f"one header line then one line per row, separated by {delim!r}",
        found,
        "check that every line has the same number of separators (quote texts that "
        "contain the separator) or save the sheet again as CSV; if the column names are "
        "not on the first line, pass header_row=<line number>",
    )


def _long_rows(name: str, delim: str, long: list[tuple[int, int]], skip: int, width: int):
    """The error for rows with values beyond the header (``(record index, fields)``)."""
    (k, found), more = long[0], len(long) - 1
    return _unreadable(
        name,
        delim,
        f"row {k + skip + 2} has {found} fields, the header {width}"
        + (f" (and {more} more row(s) with too many fields)" if more else ""),
    )


def _read_csv_text(
    path: Path,
    name: str,
    encoding: str | None,
    warns: list,
    header_row: int | None = None,
    want: _Want | None = None,
) -> tuple[pd.DataFrame, np.ndarray, str, np.ndarray]:
    """A delimited text file as text columns, its spreadsheet row numbers, its delimiter and,
    per row, ``None`` or ``(fields found, fields expected, the record)`` for a row whose
    number of fields does not match the header (see :func:`_records_frame`).

    The reference reading (the whole text decoded, the csv module and pandas); the loader
    reads through :func:`_read_csv_fast` and comes here only for the files it leaves."""
    data = path.read_bytes()
    if not data.strip():
        raise _empty(name)
    text = _decode(data, name, encoding, warns)
    if not text.strip():
        raise _empty(name)
    delim = _sniff_delimiter(text, path.suffix.lower())
    # the first records, with the physical line each starts on (for skiprows)
    head: list[list[str]] = []
    starts: list[int] = []
    reader = csv.reader(_io.StringIO(text), delimiter=delim)
    try:
        for _ in range(max(_HEADER_SEARCH_ROWS, header_row or 0)):
            starts.append(reader.line_num)
            head.append(next(reader))
    except StopIteration:
        starts.pop()
    except csv.Error:
        starts = starts[: len(head)]
    index = _header_index(head, header_row, want, name, warns)
    skip = starts[index] if head else 0

    def unreadable(exc: Exception | str) -> DataError:
        return _unreadable(name, delim, exc)

    try:
        counts = _field_counts(text, delim)
    except csv.Error as exc:
        raise unreadable(exc) from exc
    width = counts[index] if index < len(counts) else 0
    body = counts[index + 1 :]
    frame = None
    if all(c in (0, width) for c in body):  # every row as wide as the header: pandas reads it
        try:
            frame = pd.read_csv(
                _io.StringIO(text),
                sep=delim,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                skiprows=skip,
            )
        except pd.errors.EmptyDataError as exc:
            raise _empty(name) from exc
        except (pd.errors.ParserError, ValueError, csv.Error) as exc:
            raise unreadable(exc) from exc
        if len(frame) != len(body):  # pandas split the records another way: read them below
            frame = None
    problems = np.full(len(body), None, dtype=object)
    if frame is None:
        try:
            records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=delim))
        except csv.Error as exc:
            raise unreadable(exc) from exc
        if index >= len(records):
            raise _empty(name)
        frame, problems, long = _records_frame(records[index], records[index + 1 :], delim)
        if long:
            raise _long_rows(name, delim, long, skip, len(frame.columns))
    return frame, np.arange(len(frame)) + skip + 2, delim, problems


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _field_counts(text: str, delim: str) -> list[int]:
    """The number of fields of each record of a delimited text (0 for an empty line); quoted
    fields with the delimiter or line breaks inside count as one field (the csv module's
    parsing; a text without quotes is simply counted line by line)."""
    if '"' not in text:
        lines = _LINE_BREAK.split(text)
        if lines and lines[-1] == "":
            lines.pop()
        return [line.count(delim) + 1 if line else 0 for line in lines]
    return [len(r) for r in csv.reader(_io.StringIO(text, newline=""), delimiter=delim)]


def _records_frame(
    header: list[str], records: list[list[str]], delim: str
) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, int]]]:
    """The rows of a CSV whose records are not all as wide as the header; per row ``None``
    or ``(fields found, fields expected, the record)`` for a short row; and
    ``(record index, fields found)`` of the rows that are too long.

    - a row with fewer fields than the header's named columns (a download cut off in the
      middle of a line) is short: its missing fields are not blanks (the row is rejected);
    - a row with more fields than the header, with something in the extra fields (a text
      with an unquoted separator), is too long: which field is extra cannot be told, and the
      values of the other rows may be shifted as well (the file is refused, as pandas does);
    - extra fields that are all empty (a separator at the end of each line) are dropped,
      and so are missing fields under unnamed header cells (a separator at the end of the
      header line only).
    An empty line has no fields: it is a blank row (skipped later), not a short one.
    """
    names = _header_names(header)
    width = len(names)
    named = max((j + 1 for j, c in enumerate(header) if not _blank_cell(c)), default=width)
    problems = np.full(len(records), None, dtype=object)
    long: list[tuple[int, int]] = []
    padded = []
    for k, rec in enumerate(records):
        found = len(rec)
        if found and found < named:
            problems[k] = (found, named, delim.join(rec))
        elif found > width and any(f.strip() for f in rec[width:]):
            long.append((k, found))
        padded.append(rec[:width] + [None] * (width - found) if found < width else rec[:width])
    frame = pd.DataFrame(padded, columns=names, dtype=object)
    return frame.astype(_STR_DTYPE), problems, long


# --------------------------------------------------------------------------- the fast CSV path

#: Bytes looked at per step when scanning a file's records (bounds the temporary arrays).
_SCAN_CHUNK = 1 << 23
#: Bytes decoded from the top of a file to sniff its delimiter.
_SNIFF_BYTES = 1 << 20
_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")


class _NotUtf8(Exception):
    """The bytes read as UTF-8 are not: decode the file first (see :func:`_decode`)."""


@dataclass
class _Records:
    """Where the records of a delimited text are: the byte offset of each record's start and
    end (its line break left out), its number of fields (0 for an empty line), whether some
    quoted field holds a line break."""

    starts: np.ndarray
    ends: np.ndarray
    counts: np.ndarray
    quoted_newlines: bool


def _scan_records(buf: Any, delim: str) -> _Records | None:
    """The records of a delimited text (bytes), found with NumPy a chunk at a time: line
    breaks and delimiters count where an even number of quotes precede them.

    The result matches the csv module's reading when every quote opens a field or closes
    one (doubled quotes inside a quoted field included); ``None`` when the text has another
    kind of quoting (a quote inside an unquoted field, a field that never closes) or a bare
    ``\\r`` line break: those are read by the csv module (:func:`_read_csv_text`).
    """
    a = np.frombuffer(buf, dtype=np.uint8)
    size = len(a)
    d = ord(delim)
    has_quotes = bool(size) and (a == _QUOTE).any()
    if bool(size) and (a == _CR).any():
        cr = np.flatnonzero(a == _CR)
        if cr[-1] == size - 1 or not (a[cr + 1] == _LF).all():
            return None  # a bare CR ends a record for the csv module
    nl_parts: list[np.ndarray] = []
    cum_parts: list[np.ndarray] = []
    quotes_before = 0  # quotes before the chunk (their parity says "inside quotes")
    delims_before = 0  # unquoted delimiters before the chunk
    quoted_nl = False
    for lo in range(0, size, _SCAN_CHUNK):
        c = a[lo : lo + _SCAN_CHUNK]
        nl = np.flatnonzero(c == _LF)
        dl = np.flatnonzero(c == d)
        if has_quotes:
            q = np.flatnonzero(c == _QUOTE)
            if len(q):
                pos = q + lo
                opening = (quotes_before + np.arange(len(q))) % 2 == 0
                prev = a[np.maximum(pos - 1, 0)]
                ok_open = (pos == 0) | np.isin(prev, (d, _LF, _CR, _QUOTE))
                nxt = a[np.minimum(pos + 1, size - 1)]
                ok_close = (pos == size - 1) | np.isin(nxt, (d, _LF, _CR, _QUOTE))
                if not np.where(opening, ok_open, ok_close).all():
                    return None
            inside = (np.searchsorted(q, nl) + quotes_before) % 2 == 1
            if inside.any():
                quoted_nl = True
                nl = nl[~inside]
            dl = dl[(np.searchsorted(q, dl) + quotes_before) % 2 == 0]
            quotes_before += len(q)
        nl_parts.append(nl + lo)
        cum_parts.append(delims_before + np.searchsorted(dl, nl))
        delims_before += len(dl)
    if quotes_before % 2:
        return None  # a quoted field runs to the end of the file
    nls = np.concatenate(nl_parts) if nl_parts else np.zeros(0, dtype=np.int64)
    cums = np.concatenate(cum_parts) if cum_parts else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], nls + 1]).astype(np.int64)
    ends = np.concatenate([nls, [size]]).astype(np.int64)
    cums = np.concatenate([cums, [delims_before]]).astype(np.int64)
    if starts[-1] >= size:  # the text ends with a line break: no record after it
        starts, ends, cums = starts[:-1], ends[:-1], cums[:-1]
    if len(ends):
        crlf = ends > starts
        crlf[crlf] = a[ends[crlf] - 1] == _CR
        ends = ends - crlf
    counts = np.where(ends > starts, np.diff(cums, prepend=0) + 1, 0)
    return _Records(starts, ends, counts, quoted_nl)


def _is_utf8(encoding: str | None) -> bool:
    if encoding is None:
        return True
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def _read_csv(
    path: Path,
    name: str,
    encoding: str | None,
    warns: list,
    header_row: int | None = None,
    want: _Want | None = None,
    compact: bool = False,
) -> tuple[pd.DataFrame, np.ndarray, str, np.ndarray, int]:
    """A delimited text file as text columns, its spreadsheet row numbers, its delimiter,
    per row ``None`` or ``(fields found, fields expected, the record)`` for a row whose
    number of fields does not match the header, and the number of empty lines left out.

    The records are found with NumPy (:func:`_scan_records`) and the fields read by
    pyarrow's CSV reader, all as text; the rare files with other quoting (or that pyarrow
    reads otherwise) go through the csv module (:func:`_read_csv_text`), with the same
    results. ``compact``: columns with few distinct values come as pandas categoricals.
    """
    data = path.read_bytes()
    if not data or data.isspace():
        raise _empty(name)
    if _is_utf8(encoding) and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        bom = data.startswith(codecs.BOM_UTF8) and (encoding is None or "sig" in encoding)
        local: list = []
        box = [data]  # handed over, so that the bytes can be freed before the fields are read
        del data
        try:
            got = _read_csv_fast(
                box, 3 if bom else 0, path, name, local, header_row, want, compact, True
            )
        except _NotUtf8:
            got = None
        else:
            if got is not None:
                warns.extend(local)
                return got
            return _legacy(path, name, encoding, warns, header_row, want)
        data = path.read_bytes()
    text = _decode(data, name, encoding, warns)
    del data
    if not text.strip():
        raise _empty(name)
    buf = text.encode("utf-8")
    del text
    local = []
    try:
        got = _read_csv_fast([buf], 0, path, name, local, header_row, want, compact, False)
    except _NotUtf8:  # pragma: no cover - text encoded as UTF-8 just above
        got = None
    if got is None:
        return _legacy(path, name, encoding, warns, header_row, want)
    warns.extend(local)
    return got


def _legacy(path, name, encoding, warns, header_row, want):
    frame, rows, delim, problems = _read_csv_text(path, name, encoding, warns, header_row, want)
    return frame, rows, delim, problems, 0


def _read_csv_fast(
    box: list,
    start: int,
    path: Path,
    name: str,
    warns: list,
    header_row: int | None,
    want: _Want | None,
    compact: bool,
    from_file: bool,
):
    """:func:`_read_csv` on the bytes ``box[0][start:]`` (UTF-8); ``None`` for a file the csv
    module must read. ``from_file``: the bytes are the file's content, and pyarrow reads the
    file itself (the bytes are freed first). Raises :class:`_NotUtf8`."""
    data = box.pop()
    view = memoryview(data)[start:]
    dec = codecs.getincrementaldecoder("utf-8")()
    try:
        head_text = dec.decode(view[:_SNIFF_BYTES], final=len(view) <= _SNIFF_BYTES)
    except UnicodeDecodeError as exc:
        raise _NotUtf8 from exc
    delim = _sniff_delimiter(head_text, path.suffix.lower())
    del head_text
    recs = _scan_records(view, delim)
    if recs is None:
        return None
    n_rec = len(recs.counts)
    want_rows = max(_HEADER_SEARCH_ROWS, header_row or 0)
    head_end = recs.starts[want_rows] if want_rows < n_rec else len(view)
    try:
        top = bytes(view[:head_end]).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _NotUtf8 from exc
    head: list[list[str]] = []
    lines: list[int] = []
    reader = csv.reader(_io.StringIO(top), delimiter=delim)
    try:
        for _ in range(want_rows):
            lines.append(reader.line_num)
            head.append(next(reader))
    except StopIteration:
        lines.pop()
    except csv.Error:
        return None
    if [len(r) for r in head] != recs.counts[: len(head)].tolist():
        return None  # the csv module splits the top otherwise: let it read the file
    index = _header_index(head, header_row, want, name, warns)
    skip = lines[index]
    header = head[index]
    names = _header_names(header)
    width = len(header)
    named = max((j + 1 for j, c in enumerate(header) if not _blank_cell(c)), default=width)
    counts = recs.counts[index + 1 :]
    body_starts = recs.starts[index + 1 :]
    body_ends = recs.ends[index + 1 :]
    filled = counts > 0
    odd = filled & (counts != width)
    # rows whose number of fields differs from the header: the csv module reads them
    odd_pos = np.flatnonzero(odd)
    odd_records: list[list[str]] = []
    long: list[tuple[int, int]] = []
    for k in odd_pos.tolist():
        chunk = bytes(view[body_starts[k] : body_ends[k]])
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _NotUtf8 from exc
        rec = next(csv.reader(_io.StringIO(text, newline=""), delimiter=delim), [])
        if len(rec) != counts[k]:
            return None
        if len(rec) > width and any(f.strip() for f in rec[width:]):
            long.append((k, len(rec)))
        odd_records.append(rec)
    if long:
        raise _long_rows(name, delim, long, skip, width)
    n_regular = int((filled & ~odd).sum())
    body_offset = int(body_starts[0]) if len(body_starts) else len(view)
    quoted_newlines = recs.quoted_newlines
    del recs, body_starts, body_ends
    if n_regular:
        skipped = [0]

        def on_invalid(row: Any) -> str:
            skipped[0] += 1
            return "skip"

        cols = [f"c{j}" for j in range(width)]
        read_options = pa_csv.ReadOptions(column_names=cols, block_size=1 << 22)
        parse_options = pa_csv.ParseOptions(
            delimiter=delim,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=quoted_newlines,
            ignore_empty_lines=True,
            invalid_row_handler=on_invalid if len(odd_pos) else None,
        )
        convert_options = pa_csv.ConvertOptions(
            column_types={c: pa.string() for c in cols},
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        if from_file:
            offset = start + body_offset
            del view, data
            source: Any = open(path, "rb")  # noqa: SIM115 - closed below
            source.seek(offset)
        else:
            view.release()
            source = pa.BufferReader(pa.py_buffer(data)[start + body_offset :])
            del view, data
        try:
            table = pa_csv.read_csv(
                source,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) or "utf8" in str(exc).lower():
                raise _NotUtf8 from exc
            return None
        finally:
            source.close()
        if table.num_rows != n_regular or skipped[0] != len(odd_pos):
            return None
        arrays = [table.column(j) for j in range(width)]
        del table
    else:
        arrays = [pa.chunked_array([], type=pa.string()) for _ in range(width)]
    problems = np.full(int(filled.sum()), None, dtype=object)
    if len(odd_pos):  # put the odd rows in their places, padded to the header's width
        kinds = odd[filled]
        where = np.flatnonzero(kinds)
        # regular rows before each odd one: the regular column is cut there (no copy)
        cuts = (where - np.arange(len(where))).tolist()
        for j in range(width):
            pieces, done = [], 0
            for cut, rec in zip(cuts, odd_records, strict=True):
                pieces.append(arrays[j].slice(done, cut - done))
                pieces.append(pa.chunked_array([[rec[j] if j < len(rec) else None]], pa.string()))
                done = cut
            pieces.append(arrays[j].slice(done))
            arrays[j] = pa.chunked_array(
                [c for p in pieces for c in p.chunks if len(c)], type=pa.string()
            )
        for at, rec in zip(where.tolist(), odd_records, strict=True):
            if len(rec) < named:
                problems[at] = (len(rec), named, delim.join(rec))
    columns = {}
    for j, col_name in enumerate(names):
        columns[col_name] = _text_column(arrays[j], compact)
        arrays[j] = None
    frame = pd.DataFrame(columns, copy=False) if columns else pd.DataFrame()
    rows = np.flatnonzero(filled) + skip + 2
    return frame, rows, delim, problems, int((~filled).sum())


def _text_column(values: pa.ChunkedArray, compact: bool) -> pd.Series:
    """A text column for pandas: a categorical when ``compact`` and its values repeat (at
    most one distinct value in four rows), else ``str``."""
    n = len(values)
    if compact and n >= 4:
        step = max(1, n // 4096)  # every step-th value: a sample spread over the file
        sample = values.take(pa.array(np.arange(0, n, step)))
        if pc.count_distinct(sample).as_py() * 2 <= len(sample):
            encoded = values.combine_chunks().dictionary_encode()
            if len(encoded.dictionary) * 4 <= n:
                return pa.chunked_array([encoded]).to_pandas()
    return values.to_pandas().astype(_STR_DTYPE)


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _sniff_content(path: Path) -> str:
    """What a file really holds: ``"xlsx"`` (zip), ``"xls"`` (OLE2), ``"parquet"``,
    ``"html"``, ``"xml"``, ``"text"`` or ``"binary"``."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(_OLE_SIGNATURE):
        return "xls"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", "ignore")
    elif b"\x00" in head:
        return "binary"
    else:
        text = head.decode("utf-8", "ignore")
    low = text.lstrip("\ufeff \t\r\n").lower()
    if low.startswith("<!doctype html") or "<html" in low[:2048] or "<table" in low[:2048]:
        return "html"
    if low.startswith("<?xml"):
        return "xml"
    return "text"


def _html_parser() -> str | None:
    if importlib.util.find_spec("lxml") is not None:
        return "lxml"
    if importlib.util.find_spec("bs4") and importlib.util.find_spec("html5lib"):
        return "bs4"
    return None


def _read_html(path: Path, name: str, encoding: str | None, warns: list) -> pd.DataFrame:
    flavor = _html_parser()
    if flavor is None:
        raise _fail(
            name,
            "is a web page (an HTML table saved with an Excel extension), not a workbook.",
            "an .xlsx/.xls workbook or a CSV file",
            "HTML",
            "open it in Excel and save it as .xlsx (or CSV); or install lxml "
            "(pip install lxml) to read the table as it is",
        )
    text = _decode(path.read_bytes(), name, encoding, warns)
    try:
        tables = pd.read_html(_io.StringIO(text), flavor=flavor, keep_default_na=False)
    except (ValueError, ImportError) as exc:
        raise _fail(
            name,
            "is a web page without a readable table.",
            "an HTML <table> with a header row",
            f"{type(exc).__name__}: {exc}",
            "open it in Excel and save it as .xlsx (or CSV)",
        ) from exc
    warns.append((_W_HTML, {"file": name}))
    frame = tables[0]
    frame.columns = [str(c[-1] if isinstance(c, tuple) else c) for c in frame.columns]
    return frame.astype(object)


def _select_sheets(sheet: Any, sheets: list[str], name: str) -> list[str] | None:
    """The sheets asked for, in order; ``None`` for the default (first + same header)."""
    if sheet is None:
        return None
    if isinstance(sheet, str) and sheet.strip().lower() == "all":
        if not any(s.strip().lower() == "all" for s in sheets):
            return list(sheets)
    items = list(sheet) if isinstance(sheet, list | tuple) else [sheet]
    if not items:
        raise OptionError("`sheet` must name at least one sheet, got an empty list.")
    out: list[str] = []
    for item in items:
        one = _one_sheet(item, sheets, name)
        if one not in out:
            out.append(one)
    return out


def _one_sheet(sheet: Any, sheets: list[str], name: str) -> str:
    if isinstance(sheet, bool) or not isinstance(sheet, int | np.integer | str):
        raise OptionError(
            f"`sheet` must be a sheet name, a sheet index, a list of them, 'all' or None, got "
            f"{sheet!r}."
        )
    if isinstance(sheet, int | np.integer):
        if not 0 <= sheet < len(sheets):
            raise _fail(
                name,
                f"has no sheet number {sheet}.",
                f"a sheet index 0..{len(sheets) - 1} or a sheet name",
                f"sheets {', '.join(repr(s) for s in sheets)}",
                f"pass sheet={sheets[0]!r} (or another of the sheets listed)",
            )
        return sheets[int(sheet)]
    if sheet in sheets:
        return sheet
    folded = {normalize_name(s): s for s in sheets}
    if normalize_name(sheet) in folded:
        return folded[normalize_name(sheet)]
    close = difflib.get_close_matches(sheet, sheets, n=1, cutoff=0.4)
    raise _fail(
        name,
        f"has no sheet named {sheet!r}.",
        f"sheet {sheet!r}",
        f"sheets {', '.join(repr(s) for s in sheets)}",
        f"pass sheet={(close or sheets)[0]!r} (or another of the sheets listed)",
    )


@dataclass
class _Book:
    """What was read from a workbook: one frame and row numbers per sheet read."""

    frames: list[tuple[str, pd.DataFrame, np.ndarray]]
    sheets: list[str]
    skipped: dict[str, str]


def _open_book(path: Path, name: str, content: str):
    engine = "xlrd" if content == "xls" else "openpyxl"
    try:
        return pd.ExcelFile(path, engine=engine)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{name}: reading .xls files needs xlrd: pip install xlrd (or open the file in "
            "Excel and save it as .xlsx)."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - zipfile, openpyxl and xlrd raise many types
        raise _fail(
            name,
            "is not a readable Excel workbook.",
            "an .xlsx/.xlsm workbook (or an .xls one)",
            f"{type(exc).__name__}: {exc}",
            "open it in Excel and save it again as .xlsx, or export it as CSV",
        ) from exc


def _read_sheet(book, sheet: str, name: str, nrows: int | None = None) -> pd.DataFrame:
    try:
        raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object, nrows=nrows)
    except Exception as exc:  # noqa: BLE001 - reported as a DataError naming the sheet
        raise _fail(
            name,
            f"sheet {sheet!r} could not be read.",
            "a sheet with a header row and one row per interaction",
            f"{type(exc).__name__}: {exc}",
            "open it in Excel and save it again as .xlsx, or export the sheet as CSV",
        ) from exc
    return raw if len(raw.dropna(how="all")) else raw.iloc[0:0]


def _sheet_frame(raw: pd.DataFrame, index: int) -> tuple[pd.DataFrame, np.ndarray]:
    names = _header_names(raw.iloc[index].tolist())
    body = raw.iloc[index + 1 :]
    rows = body.index.to_numpy() + 1  # raw row 0 is spreadsheet row 1
    return body.set_axis(names, axis=1).reset_index(drop=True), rows


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of an .xlsx/.xlsm file holds a formula (a quick look at the
    sheets' XML, read in chunks)."""
    try:
        with zipfile.ZipFile(path) as book:
            for item in book.infolist():
                if not (
                    item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml")
                ):
                    continue
                with book.open(item) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 20):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    return False


class _Formulas:
    """The formula cells of a workbook, sheet by sheet (opened only when it has formulas)."""

    def __init__(self, path: Path, content: str) -> None:
        self.path = path
        self.active = content == "xlsx" and _has_formulas(path)
        self.book = None

    def cells(self, sheet: str, first_row: int) -> list[tuple[int, int]]:
        """(row, column), 1-based, of the formula cells of ``sheet`` from ``first_row`` on."""
        if not self.active:
            return []
        try:
            if self.book is None:
                import openpyxl

                self.book = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
            rows = self.book[sheet].iter_rows(min_row=first_row)
            return [
                (cell.row, cell.column)
                for row in rows
                for cell in row
                if getattr(cell, "data_type", None) == "f"
            ]
        except Exception:  # noqa: BLE001 - the check is a courtesy: never fail the load on it
            return []

    def __enter__(self) -> _Formulas:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.book is not None:
            self.book.close()


def _warn_unsaved_formulas(
    label: str, raw: pd.DataFrame, index: int, cells: list, warns: list
) -> None:
    """Formula cells below the header whose value reads blank: never calculated and saved
    (openpyxl reads the value Excel saved; a file written by a program has none)."""
    names = _header_names(raw.iloc[index].tolist())
    by_column: dict[str, list[int]] = {}
    for r, c in sorted(cells, key=lambda rc: (rc[1], rc[0])):
        i, j = r - 1, c - 1  # raw row 0 is spreadsheet row 1, raw column 0 is column A
        if i <= index or i >= len(raw):
            continue
        if j >= raw.shape[1] or _blank_cell(raw.iat[i, j]):
            name = names[j] if j < len(names) else f"Unnamed: {j}"
            by_column.setdefault(name, []).append(r)
    for name, rows in by_column.items():
        shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        warns.append(
            (
                _W_UNSAVED_FORMULAS,
                {"file": label, "count": str(len(rows)), "column": repr(name), "rows": shown},
            )
        )


def _match_header(raw: pd.DataFrame, keys: frozenset, header_row: int | None) -> int | None:
    """The row of ``raw`` whose cells are the columns ``keys`` (the first sheet's header)."""
    candidates = [header_row - 1] if header_row else range(min(len(raw), _HEADER_SEARCH_ROWS))
    for i in candidates:
        if i < len(raw) and _header_keys(raw.iloc[i].tolist()) == keys:
            return i
    return None


def _read_workbook(
    path: Path,
    name: str,
    content: str,
    sheet: Any,
    header_row: int | None,
    want: _Want | None,
    warns: list,
) -> _Book:
    with _open_book(path, name, content) as book, _Formulas(path, content) as formulas:
        sheets = [str(s) for s in book.sheet_names]
        chosen = _select_sheets(sheet, sheets, name)
        frames: list[tuple[str, pd.DataFrame, np.ndarray]] = []
        skipped: dict[str, str] = {}
        first_keys: frozenset | None = None
        first_sheet = None

        def label(s: str) -> str:
            return f"{name} (sheet {s!r})" if len(sheets) > 1 else name

        def take(s: str, raw: pd.DataFrame, index: int) -> None:
            nonlocal first_keys, first_sheet
            if index >= len(raw):
                raise _no_header_row(label(s), index + 1, len(raw))
            if first_keys is None:
                first_keys, first_sheet = _header_keys(raw.iloc[index].tolist()), s
            frames.append((s, *_sheet_frame(raw, index)))
            cells = formulas.cells(s, index + 2)
            if cells:
                _warn_unsaved_formulas(label(s), raw, index, cells, warns)

        def header_of(s: str, raw: pd.DataFrame) -> int:
            if header_row is not None:
                return header_row - 1
            index = _find_header(raw.head(_HEADER_SEARCH_ROWS).values.tolist(), want)
            _warn_header(label(s), index, warns)
            return index

        if chosen is not None:  # the sheets asked for
            for s in chosen:
                raw = _read_sheet(book, s, label(s))
                if raw.empty:
                    skipped[s] = "empty"
                    continue
                index = None if first_keys is None else _match_header(raw, first_keys, header_row)
                take(s, raw, header_of(s, raw) if index is None else index)
        else:  # the first sheet with content, then every other with the same columns
            for s in sheets:
                if first_keys is None:
                    raw = _read_sheet(book, s, label(s))
                    if raw.empty:
                        skipped[s] = "empty"
                        continue
                    take(s, raw, header_of(s, raw))
                    continue
                head = _read_sheet(book, s, label(s), nrows=_HEADER_SEARCH_ROWS)
                if head.empty:
                    skipped[s] = "empty"
                    continue
                index = _match_header(head, first_keys, header_row)
                if index is None:
                    skipped[s] = "other columns"
                    filled = head.notna()
                    if filled.any(axis=1).sum() < 2 or filled.any(axis=0).sum() < 2:
                        continue  # a note, not a table: listed in the report only
                    shown = _header_names(head.iloc[_find_header(head.values.tolist(), want)])
                    warns.append(
                        (
                            _W_SHEET_SKIPPED,
                            {
                                "file": path.name,
                                "sheet": repr(s),
                                "first": repr(first_sheet),
                                "columns": _shown(
                                    [c for c in shown if not c.startswith("Unnamed:")]
                                ),
                            },
                        )
                    )
                    continue
                take(s, _read_sheet(book, s, label(s)), index)
    return _Book(frames, sheets, skipped)


def _read_parquet(path: Path, name: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise _fail(
            name,
            "is not a readable Parquet file.",
            "a Parquet file",
            f"{type(exc).__name__}: {exc}",
            "write it again with DataFrame.to_parquet(), or export the data as CSV",
        ) from exc


def _empty(name: str, fix_sheet: str = "") -> DataError:
    return _fail(
        name,
        "is empty.",
        "a header row with the column names, then one row per interaction",
        "no content at all",
        "export the data again (check the filters of the export)" + fix_sheet,
    )


def _header_only(name: str, columns: list[str], fix_sheet: str = "") -> DataError:
    shown = ", ".join(repr(c) for c in columns[:12]) + (" ..." if len(columns) > 12 else "")
    return _fail(
        name,
        "has a header but no data rows.",
        "at least one row per interaction below the header",
        f"only the columns {shown}",
        "check the period or filters of the export" + fix_sheet,
    )


def _stack(frames: list[tuple[str, pd.DataFrame, np.ndarray]]) -> pd.DataFrame:
    """Sheets one below the other; a column spelled differently in a later sheet
    (``"Call ID"`` / ``"Call Id"``) takes the first sheet's spelling."""
    if len(frames) == 1:
        return frames[0][1]
    spelling: dict[str, str] = {}
    parts = []
    for _, frame, _ in frames:
        keys = [normalize_name(c) or c for c in frame.columns]
        unique = {k for k in keys if keys.count(k) == 1}
        names = [
            spelling.get(k, c) if k in unique else c
            for k, c in zip(keys, frame.columns, strict=True)
        ]
        for k, c in zip(keys, names, strict=True):
            spelling.setdefault(k, c)
        parts.append(frame.set_axis(names, axis=1))
    return pd.concat(parts, ignore_index=True, sort=False)


def _read_source(
    source: Any,
    sheet: Any,
    encoding: str | None,
    timezone: str,
    warns: list,
    *,
    header_row: int | None = None,
    want: _Want | None = None,
    compact: bool = False,
) -> _Raw:
    """The source's rows as a frame (text columns for CSV files; with ``compact``, columns
    of a CSV with few distinct values come as categoricals), blank rows left out."""
    if isinstance(source, pd.DataFrame):
        if header_row is not None:
            raise OptionError("`header_row` applies to CSV and Excel files, not to a DataFrame.")
        labels = [str(c).strip() for c in source.columns]
        dup = sorted({c for c in labels if labels.count(c) > 1})
        if dup:
            raise _fail(
                "DataFrame",
                "has duplicate column names.",
                "unique column names",
                f"{', '.join(repr(c) for c in dup)} more than once",
                "rename or drop the duplicates before loading",
            )
        frame = source.set_axis(labels, axis=1).reset_index(drop=True)
        if frame.shape[1] == 0:
            raise _fail(
                "DataFrame",
                "has no columns.",
                "interaction_id, created_at, ...",
                "an empty DataFrame",
                "pass the DataFrame that holds the export",
            )
        if len(frame) == 0:
            raise _header_only("DataFrame", labels)
        now = pd.Timestamp.now(tz=timezone).tz_localize(None)
        return _Raw(frame, np.arange(len(frame)), "DataFrame", now)
    if not isinstance(source, str | os.PathLike):
        raise OptionError(
            f"`source` must be a file path (.csv, .tsv, .txt, .xlsx, .xlsm, .xls, .parquet) or "
            f"a pandas DataFrame, got {type(source).__name__}."
        )
    path = Path(source)
    name = path.name
    fix_sheet = ""
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise _fail(
            name,
            "has a file type the loader does not read.",
            f"one of {', '.join(sorted(_READERS))}",
            repr(suffix or "(no extension)"),
            "export the data as CSV or .xlsx, or load it with pandas and pass the DataFrame",
        )
    if not path.is_file():
        if path.exists():
            problem, found = "cannot be read: it is not a file.", "a folder"
        elif path.parent.is_dir():
            problem = "cannot be read: the file does not exist."
            near = difflib.get_close_matches(name, [p.name for p in path.parent.iterdir()], n=3)
            found = "no such file" + (
                f"; similar names there: {', '.join(repr(n) for n in near)}" if near else ""
            )
        else:
            problem = "cannot be read: the file does not exist."
            found = f"no folder {str(path.parent)!r}"
        raise _fail(
            name,
            problem,
            f"a file at {str(path)!r}",
            found,
            "check the path (relative paths start from the current working directory "
            f"{os.getcwd()!r})",
        )
    delimiter = None
    field_problems = None
    empty_lines = 0
    sheet_of_rows = None
    sheets_read: list[str] = []
    skipped: dict[str, str] = {}
    try:
        mtime = path.stat().st_mtime
        kind = _READERS[suffix]
        content = _sniff_content(path) if kind != "parquet" else "parquet"
        if kind == "excel" and content == "text":
            warns.append((_W_TEXT_AS_EXCEL, {"file": name}))
            kind = "csv"
        elif kind == "csv" and content in ("xlsx", "xls"):
            warns.append((_W_EXCEL_AS_TEXT, {"file": name, "kind": f".{content}"}))
            kind = "excel"
        if kind == "csv":
            frame, rows, delimiter, field_problems, empty_lines = _read_csv(
                path, name, encoding, warns, header_row, want, compact
            )
        elif kind == "excel" and content == "html":
            frame = _read_html(path, name, encoding, warns)
            rows = np.arange(len(frame)) + 2
        elif kind == "excel" and content in ("xlsx", "xls"):
            book = _read_workbook(path, name, content, sheet, header_row, want, warns)
            skipped = book.skipped
            sheets_read = [s for s, _, _ in book.frames]
            if len(book.sheets) > 1:
                shown = sheets_read or [s for s in book.sheets if s in (sheet or [])] or []
                if isinstance(sheet, str | int) and not sheets_read:
                    shown = [_one_sheet(sheet, book.sheets, name)]
                if len(shown) == 1:
                    name = f"{name} (sheet {shown[0]!r})"
                elif shown:
                    name = f"{name} (sheets {', '.join(repr(s) for s in shown)})"
                others = [s for s in book.sheets if s not in shown]
                if others:
                    fix_sheet = (
                        f"; or pick another sheet: sheet={others[0]!r} (sheets: "
                        + ", ".join(repr(s) for s in book.sheets)
                        + ")"
                    )
            if not book.frames:
                raise _empty(name, fix_sheet)
            frame = _stack(book.frames)
            rows = np.concatenate([r for _, _, r in book.frames])
            if len(book.frames) > 1:
                sheet_of_rows = np.concatenate(
                    [np.full(len(f), s, dtype=object) for s, f, _ in book.frames]
                )
        elif kind == "excel":
            what = {"xml": "an XML file", "parquet": "a Parquet file"}.get(content, "binary data")
            raise _fail(
                name,
                "is not a readable Excel workbook.",
                "an .xlsx/.xlsm workbook (or an .xls one)",
                what,
                "open it in Excel and save it again as .xlsx, or export it as CSV",
            )
        else:
            frame = _read_parquet(path, name)
            rows = np.arange(len(frame)) + 2
    except PermissionError as exc:
        raise _fail(
            name,
            "cannot be read: permission denied.",
            "a readable file",
            "no read permission",
            "check the file's permissions",
        ) from exc
    if frame.shape[1] == 0:
        raise _empty(name, fix_sheet)
    frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1)
    if len(frame) == 0:
        raise _header_only(name, list(frame.columns), fix_sheet)
    # drop columns with no name and no value (trailing separators), then blank rows
    blank_rows = np.ones(len(frame), dtype=bool)
    unnamed = []
    for j, c in enumerate(frame.columns):
        blank = blank_mask(frame.iloc[:, j]).to_numpy(dtype=bool)
        if c.startswith("Unnamed:") and blank.all():
            unnamed.append(c)
        else:
            blank_rows &= blank
    if unnamed:
        frame = frame.drop(columns=unnamed)
    n_blank = int(blank_rows.sum())
    if n_blank:
        frame = frame[~blank_rows].reset_index(drop=True)
        rows = rows[~blank_rows]
        if sheet_of_rows is not None:
            sheet_of_rows = sheet_of_rows[~blank_rows]
        if field_problems is not None:
            field_problems = field_problems[~blank_rows]
    n_blank += empty_lines
    if n_blank:
        warns.append((_W_BLANK_ROWS, {"count": str(n_blank)}))
    if len(frame) == 0:
        raise _header_only(name, list(frame.columns), fix_sheet)
    as_of = pd.Timestamp(mtime, unit="s", tz="UTC").tz_convert(timezone).tz_localize(None)
    return _Raw(
        frame,
        rows,
        name,
        as_of,
        n_blank,
        path.name,
        delimiter,
        sheet_of_rows,
        sheets_read,
        skipped,
        field_problems,
    )


# --------------------------------------------------------------------------- mapping


#: How many non-blank values of a column are looked at to tell its type, for hints.
_HINT_SAMPLE = 200
_DATE_TEXT = re.compile(r"\d{1,4}[-/.]\d{1,2}|^\d{8}$|[A-Za-z]{3,}\.? \d|\d [A-Za-z]{3,}")


def _sample(series: pd.Series) -> pd.Series:
    """The first non-blank values of a column (at most ``_HINT_SAMPLE``)."""
    head = _plain(series.head(_HINT_SAMPLE * 10))
    return head[~blank_mask(head).to_numpy()].head(_HINT_SAMPLE).reset_index(drop=True)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return True
    return isinstance(value, str) and _NUMERIC_TEXT.match(value.strip()) is not None


def _share_dates(sample: pd.Series) -> float:
    """Share of the values that read as dates: date objects, date-like texts, or numbers in
    the range of Excel dates of 1954-2119 (a number elsewhere is an id or a count)."""
    if sample.empty:
        return 0.0
    numeric = sample.map(_is_number).to_numpy(dtype=bool)
    text = sample.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool) & ~numeric
    ok = np.zeros(len(sample), dtype=bool)
    if numeric.any():
        nums = pd.to_numeric(sample[numeric].astype(str).str.replace(",", "."), errors="coerce")
        ok[numeric] = nums.between(20000, 80000).to_numpy(dtype=bool)
    others = ~numeric & ~text
    if others.any():
        _, bad, _ = parse_timestamp(sample[others])
        ok[others] = ~bad.to_numpy(dtype=bool)
    if text.any():
        texts = sample[text].astype(str)
        looks = texts.str.contains(_DATE_TEXT.pattern).to_numpy(dtype=bool)
        _, bad, _ = parse_timestamp(texts)
        ok[text] = looks & ~bad.to_numpy(dtype=bool)
    return float(ok.mean())


def _fits(target: str, series: pd.Series, scales: dict | None = None) -> bool:
    """Whether a column's values could be ``target``'s (for the "closest column" hints):
    ids unique-ish texts or numbers, timestamps dates, flags few distinct values, scores
    numbers within the scale, durations numbers or hh:mm:ss, contacts whole numbers >= 1."""
    sample = _sample(series)
    if sample.empty:
        return False
    kind = INTERACTION_COLUMNS[target]
    if kind == "timestamp":
        return _share_dates(sample) >= 0.8
    if kind == "bool":
        return sample.map(_fmt_value).str.strip().str.lower().nunique() <= 5
    if kind == "score":
        values, bad = parse_number(sample)
        scale = (scales or {}).get(target)
        if bad.any() or scale is None:
            return not bad.any()
        return bool(values.between(scale.low, scale.high).all())
    if kind == "duration":
        if _share_dates(sample) >= 0.5:
            return False
        values, bad = parse_duration(sample)
        return bool(bad.mean() <= 0.2 and (values.dropna() >= 0).all())
    if kind == "int":
        values, bad = parse_int(sample)
        return bool(not bad.any() and (values.dropna() >= 1).all())
    if _share_dates(sample) >= 0.5:  # an id or a dimension is not a date
        return False
    if target == "interaction_id":
        texts = sample.map(_fmt_value)
        return texts.nunique() >= 0.9 * len(texts)
    return True


def _closest(
    target: str,
    columns: list[str],
    n: int = 3,
    frame: pd.DataFrame | None = None,
    scales: dict | None = None,
) -> list[str]:
    """The columns whose names are closest to ``target`` (and its hint words); with
    ``frame``, only those whose values could be ``target``'s (see :func:`_fits`)."""
    words = (target, *_HINTS.get(target, ()))
    scored = []
    for col in columns:
        if frame is not None and col in frame and not _fits(target, frame[col], scales):
            continue
        key = normalize_name(col)
        score = max(difflib.SequenceMatcher(None, w, key).ratio() for w in words)
        if any(w == key or (len(w) > 2 and w in key.split("_")) for w in words):
            score = max(score, 0.9)
        scored.append((score, col))
    scored.sort(key=lambda x: -x[0])
    return [c for s, c in scored[:n] if s >= 0.45]


def _shown(columns: list[str]) -> str:
    return ", ".join(repr(c) for c in columns[:25]) + (" ..." if len(columns) > 25 else "")


def _find_column(name: str, columns: list[str]) -> str | None:
    if name in columns:
        return name
    key = normalize_name(name)
    hits = [c for c in columns if normalize_name(c) == key]
    return hits[0] if len(hits) == 1 else None


def _resolve_specs(
    mapping: ColumnMapping | None,
    columns: list[str],
    name: str,
    warns: list,
    header_hint: str = "",
    frame: pd.DataFrame | None = None,
    scales: dict | None = None,
) -> dict[str, tuple[ColumnSpec, tuple[str, ...]]]:
    """Canonical column -> (its spec, the source columns found). Hints at the closest
    columns consider only those whose values fit the target's type (with ``frame``)."""
    specs: dict[str, tuple[ColumnSpec, tuple[str, ...]]] = {}
    used: set[str] = set()
    if mapping is not None:
        for target, spec in mapping.columns.items():
            if spec.is_constant:
                specs[target] = (spec, ())
                continue
            found: list = []
            for alt in spec.alternatives:  # the first alternative whose columns are all there
                found = [_find_column(c, columns) for c in alt]
                if all(f is not None for f in found):
                    break
            first = spec.alternatives[0]
            missing = [c for c, f in zip(first, found, strict=False) if f is None]
            if not found or any(f is None for f in found):
                missing = missing or list(first)
                others = [c for alt in spec.alternatives[1:] for c in alt]
                also = f" (or {', '.join(repr(c) for c in others)})" if others else ""
                if spec.optional:
                    warns.append(
                        (
                            _W_OPTIONAL,
                            {"column": repr(missing[0]) + also, "field": target},
                        )
                    )
                    continue
                col = missing[0]
                typed = [
                    c
                    for c in columns
                    if frame is None
                    or c not in frame
                    or (_fits(target, frame[c], scales) if len(first) == 1 else True)
                ]
                close = difflib.get_close_matches(
                    normalize_name(col), [normalize_name(c) for c in typed], n=3, cutoff=0.5
                )
                close_cols = [c for c in typed if normalize_name(c) in close]
                fix = (
                    f"change the mapping line to `{target}: {close_cols[0]}`"
                    if close_cols
                    else f"point `{target}` at one of the columns found, or remove that line"
                )
                raise _fail(
                    name,
                    f"the mapping for `{target}` names the column {col!r}{also}, which is not "
                    "in the file.",
                    f"a column {col!r}{also}",
                    f"columns {_shown(columns)}"
                    + (
                        f"; closest: {', '.join(repr(c) for c in close_cols)}" if close_cols else ""
                    ),
                    fix + header_hint,
                )
            for names in spec.plus:  # durations added to the column, when present
                extra = next((f for c in names if (f := _find_column(c, columns))), None)
                if extra is None:
                    warns.append(
                        (
                            _W_PLUS_MISSING,
                            {
                                "column": " / ".join(repr(c) for c in names),
                                "field": target,
                                "main": repr(found[0]),
                            },
                        )
                    )
                else:
                    found.append(extra)
            specs[target] = (spec, tuple(found))
            used.update(found)
    for col in columns:
        key = normalize_name(col)
        if col in used or key not in INTERACTION_COLUMNS or key in specs:
            continue
        specs[key] = (
            ColumnSpec(target=key, columns=(col,), type=_KIND_TYPE[INTERACTION_COLUMNS[key]]),
            (col,),
        )
        used.add(col)
    for target in REQUIRED_COLUMNS:
        if target in specs:
            continue
        close = _closest(
            target, [c for c in columns if c not in used] or columns, frame=frame, scales=scales
        )
        if close:
            fix = (
                f"map it: mapping={{{target!r}: {close[0]!r}, ...}} (YAML line `{target}: "
                f"{close[0]}`)"
            )
            if target == "created_at":
                fix += "; a date and a time column combine as `created_at: [Date, Time]`"
        else:
            fix = f"add a mapping line `{target}: <your column>`"
        fix += header_hint
        raise _fail(
            name,
            f"no column for the required field `{target}`.",
            f"a column named {target!r} or a mapping entry for `{target}`"
            + (f" (mapping: {mapping.name})" if mapping is not None and mapping.name else ""),
            f"columns {_shown(columns)}"
            + (f"; closest: {', '.join(repr(c) for c in close)}" if close else ""),
            fix,
        )
    return specs


# --------------------------------------------------------------------------- loading


def _check_timezone(timezone: str) -> str:
    try:
        zoneinfo.ZoneInfo(str(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise OptionError(
            f"`timezone` must be an IANA time zone name such as 'America/Sao_Paulo' or 'UTC', "
            f"got {timezone!r}."
        ) from exc
    return str(timezone)


def _parse_as_of(as_of: Any, timezone: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        raise OptionError(
            f"`as_of` must be a date/time (e.g. '2025-06-30 23:59'), got {as_of!r}."
        ) from exc
    if ts is pd.NaT:
        raise OptionError(f"`as_of` must be a date/time, got {as_of!r}.")
    if ts.tzinfo is not None:
        ts = ts.tz_convert(timezone).tz_localize(None)
    return ts


def _fmt_value(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decide_dayfirst(
    specs: dict,
    frame: pd.DataFrame,
    explicit: bool | None,
    warns: list,
    row_label: Any = str,
) -> dict[str, bool]:
    """Day-first per timestamp source column: explicit, else read from the values.

    A column with dates that can only be day-first (``13/01/2026``) and dates that can only
    be month-first (``01/13/2026``) contradicts itself: it is read as declared, else like
    the file's other date columns, else the way most of those dates read (day-first on a
    tie), with a warning that shows one date of each kind with its row (``row_label(pos)``);
    the dates that do not fit that reading are reported as unreadable, row by row.
    """
    date_cols = {
        target: srcs[0]
        for target, (spec, srcs) in specs.items()
        if (spec.type == "timestamp" or spec.on_or_before is not None) and srcs
    }
    for target, (spec, srcs) in specs.items():  # the deadline of an `on_or_before` flag
        if spec.on_or_before is not None and len(srcs) == 2:
            date_cols[f"{target}:before"] = srcs[1]
    found = {target: detect_dayfirst(frame[col]) for target, col in date_cols.items()}
    decided = {v for v in found.values() if v in ("day", "month")}
    file_level = (decided == {"day"}) if len(decided) == 1 else None
    out: dict[str, bool] = {}
    assumed = []
    for target, det in found.items():
        spec = specs[target.split(":")[0]][0]
        if spec.dayfirst is not None:
            out[target] = spec.dayfirst
        elif explicit is not None:
            out[target] = explicit
        elif det in ("day", "month"):
            out[target] = det == "day"
        elif det == "conflict" and file_level is None:
            day_only, month_only = dayfirst_evidence(frame[date_cols[target]])
            out[target] = int(day_only.sum()) >= int(month_only.sum())
        elif file_level is not None:
            out[target] = file_level
        else:
            out[target] = True
            if det == "ambiguous":
                assumed.append(target)
    warned: set[str] = set()
    for target, det in found.items():
        col = date_cols[target]
        if det != "conflict" or col in warned:
            continue
        warned.add(col)
        day_only, month_only = dayfirst_evidence(frame[col])
        day_pos, month_pos = int(np.argmax(day_only)), int(np.argmax(month_only))
        warns.append(
            (
                _W_DATES_CONFLICT_DAY if out[target] else _W_DATES_CONFLICT_MONTH,
                {
                    "column": repr(col),
                    "day_value": repr(str(frame[col].iloc[day_pos]).strip()),
                    "day_row": row_label(day_pos),
                    "month_value": repr(str(frame[col].iloc[month_pos]).strip()),
                    "month_row": row_label(month_pos),
                    "count": str(int((month_only if out[target] else day_only).sum())),
                },
            )
        )
    if assumed:
        # every date reads both ways: the reading whose dates lie much closer together wins
        by_day, by_month = dayfirst_spans(frame[date_cols[t]] for t in assumed)
        month_first = by_month * 2 < by_day
        for target in assumed:
            out[target] = not month_first
        warns.append(
            (
                _W_MONTHFIRST if month_first else _W_DAYFIRST,
                {"columns": ", ".join(repr(date_cols[t]) for t in assumed)},
            )
        )
    return out


_NUMERIC_KINDS = ("duration", "int", "score")


def _decide_number_formats(
    specs: dict,
    frame: pd.DataFrame,
    decimal: str | None,
    delimiter: str | None,
    warns: list,
) -> dict[str, NumberFormat]:
    """The decimal mark of each numeric source column: declared, else read from its values,
    else (values such as ``1,200`` that read both ways) like the rest of the file."""
    columns: dict[str, tuple[str | None, str, pd.Series]] = {}
    for target, (spec, srcs) in specs.items():
        if INTERACTION_COLUMNS[target] in _NUMERIC_KINDS and len(srcs) == 1:
            series = frame[srcs[0]]
            if spec.values:
                series = apply_value_map(series, spec.values)
            columns[target] = (spec.decimal or decimal, srcs[0], series)
    mapped = {src for _, srcs in specs.values() for src in srcs}
    return number_formats(columns, frame, mapped, delimiter, warns)


def number_formats(
    columns: dict[str, tuple[str | None, str, pd.Series]],
    frame: pd.DataFrame,
    mapped: set,
    delimiter: str | None,
    warns: list,
) -> dict[str, NumberFormat]:
    """The :class:`~kpi_helpers.validation.NumberFormat` of each numeric column.

    ``columns`` maps a target to ``(declared decimal or None, source column, values)``;
    ``mapped`` lists the source columns in use (the others may tell the file's convention).
    A column whose values read both ways follows the rest of the file (the other numeric
    columns, the file's other columns, a ``;`` delimiter), with a warning in ``warns``.
    """
    if not columns:
        return {}
    evidence = {
        target: number_evidence(series)
        for target, (declared, _, series) in columns.items()
        if declared is None
    }
    votes: set[str] = set()
    for target, (declared, _, _) in columns.items():
        said = {declared} if declared else evidence[target].decimal_votes()
        votes |= said if len(said) == 1 else set()
    open_ = any(v is not None for ev in evidence.values() for v in ev.ambiguous.values())
    if open_ and not votes:  # the file's other columns may tell
        for col in frame.columns:
            if col not in mapped:
                said = number_evidence(frame[col]).decimal_votes()
                votes |= said if len(said) == 1 else set()
    file_decimal = next(iter(votes)) if len(votes) == 1 else None
    if file_decimal is None and not votes and delimiter == ";":
        file_decimal = ","  # a ';'-separated export is a decimal-comma one
    out: dict[str, NumberFormat] = {}
    for target, (declared, col, _) in columns.items():
        fmt, guessed = resolve_number_format(
            evidence.get(target, NumberEvidence()), decimal=declared, file_decimal=file_decimal
        )
        out[target] = fmt
        if not guessed:
            continue
        example = guessed[0]
        sep = "," if "," in example else "."
        reading = _fmt_value(parse_number(pd.Series([example], dtype=object), decimal=fmt)[0][0])
        role = fmt.role(sep)
        other = next(m for m in DECIMAL_MARKS if m != sep)
        fix = f'decimal: "{sep if role == "thousands" else other}"'
        fields = {"column": repr(col), "example": repr(example), "reading": reading, "fix": fix}
        if file_decimal is not None:
            warns.append((_W_NUMBERS_FILE, {**fields, "decimal": repr(file_decimal)}))
        else:
            warns.append((_W_NUMBERS_GUESS, {**fields, "sep": repr(sep)}))
    return out


def load_interactions(
    source: str | os.PathLike | pd.DataFrame,
    mapping: dict | str | os.PathLike | ColumnMapping | None = None,
    *,
    sheet: str | int | list | None = None,
    header_row: int | None = None,
    scales: dict | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    as_of: Any = None,
    encoding: str | None = None,
    dayfirst: bool | None = None,
    decimal: str | None = None,
    on_invalid: str = "reject",
) -> LoadResult:
    """Load interactions from a file or DataFrame into the canonical table, validated.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A ``.csv``/``.tsv``/``.txt`` (delimiter ``,`` ``;`` or tab sniffed; UTF-8, else
        Windows-1252 with a warning, line by line when only some lines are not UTF-8), ``.xlsx``/``.xlsm``/``.xls``, ``.parquet`` file, or a
        DataFrame (never modified).
    mapping : None, dict, YAML path or preset name
        Where each canonical column comes from (see :mod:`kpi_helpers.mapping`). ``None``:
        the source already uses canonical names (``"Created At"`` matches ``created_at``).
        Canonical-named columns that the mapping does not mention are picked up too.
    sheet : str, int, list of them, or "all", optional
        Excel sheet(s) to read: a name (any case), a 0-based index, a list (read one below the
        other, columns matched by name) or ``"all"``. Default: the first sheet with content
        and every other sheet whose column names are the same (an export split by month);
        sheets with other columns are skipped with a warning. Rejected rows carry their
        ``sheet`` and row; ``report["sheets"]`` lists the sheets read.
    header_row : int, optional
        Spreadsheet row (1 = the first) holding the column names, for a file with title rows
        above its header. Default: the first row, or the first of the top 20 rows that holds
        the mapped columns (with a warning).
    scales : dict, optional
        Survey scales, e.g. ``{"csat": (1, 10)}`` (default csat 1-5, ces 1-7, nps 0-10;
        overrides the mapping's ``scales``).
    timezone : str
        Zone that time-zone-aware values are converted to before being made naive
        (a mapping's ``timezone`` applies when this is left at its default).
    as_of : date/time, optional
        Timestamps after it are rejected as "in the future". Default: the file's
        modification time (now for a DataFrame).
    encoding : str, optional
        Text encoding of a CSV (default: UTF-8, else Windows-1252 with a warning).
    dayfirst : bool, optional
        How ``01/02/2025`` reads when the values do not tell (default: day-first, with a
        warning). Values such as ``25/01/2025`` decide on their own.
    decimal : {",", "."}, optional
        The decimal mark of text numbers (a mapping's ``decimal`` applies when this is left
        out; a column's own ``decimal`` wins). Default: per column, from its values
        (``4,5`` or ``1.234,5`` mean a decimal comma, ``1,234.5`` a decimal point); a column
        whose values read both ways (``1,200``) follows the rest of the file, with a warning.
    on_invalid : {"reject", "null"}
        ``"reject"``: a row with any problem goes to ``.rejected`` with every reason.
        ``"null"``: keep the row and blank the bad value (reported in ``.issues`` and
        ``.report["nulled"]``); rows without a usable id or created_at, total rows and
        duplicate ids are still rejected. A blanked first_response_at / wait_s (resolved_at)
        was there, so the contact still counts as answered (resolved) unless the export's
        own answered (resolved) value says otherwise.

    Rows whose id is "Total", "Totais", "Grand total", "Soma" or "Sum" (or a blank id with
    such a word in the first column) are rejected as total rows. Duplicate ids are looked
    for among the otherwise valid rows: the first valid occurrence is kept.

    What real exports get wrong, and what happens (nothing is lost silently):

    - a CSV row with fewer fields than the header (a download cut off in the middle of a
      line) is rejected as ``short_row`` ("row 812 has 5 of 12 fields ..."), whatever
      ``on_invalid``; its missing fields are not read as blanks. Fields are counted the way
      the csv module parses them (quoted separators and line breaks are one field). A row
      with values in fields beyond the header (a text with an unquoted separator) makes the
      file unreadable (``DataError`` naming the row), as pandas has it: the values cannot be
      placed. Empty extra fields (a separator at the end of every line) are ignored.
    - a date column with dates that can only be dd/mm (``13/01/2026``) and dates that can
      only be mm/dd (``01/13/2026``) is read as declared, else like the file's other date
      columns, else the way most of them read; a warning shows one date of each kind with
      its row, and the dates that do not fit are rejected as unreadable.
    - a UTF-8 file with some Windows-1252 lines is decoded line by line (UTF-8 first, else
      Windows-1252), with a warning naming those lines.
    - resolved_at before first_response_at is rejected (``resolved_before_response``).
    - Excel: formula cells that have no saved value (the workbook was never calculated and
      saved by Excel) read as blank, with a warning per column naming the rows. Excel's date
      0 (``1900-01-00``, a blank date cell, read as 1899-12-30/31, a bare 00:00 or 0) is
      no date: in created_at the row is rejected as ``excel_blank_date`` ("empty Excel date
      (1899-12-31)"); in another timestamp column the value is blank, with a warning
      counting them per column.

    Returns
    -------
    LoadResult
        ``.data`` (canonical frame), ``.rejected``, ``.report``, ``.warnings``,
        ``.summary(lang)``.

    Raises
    ------
    DataError
        The source cannot be used at all: missing/unreadable/empty file, header only, wrong
        sheet, no column for interaction_id or created_at, a mapping naming a column that is
        not there. The message names the file and column, what was expected and found, and
        the fix.
    OptionError
        A bad argument or mapping entry (unknown preset, unknown canonical column...).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"Call Id": [1, 2], "Date": ["2025-01-06", "2025-01-06"],
    ...                     "Time": ["09:00", "09:05"], "Answered (Y/N)": ["Y", "N"]})
    >>> res = load_interactions(raw, {"interaction_id": "Call Id",
    ...                               "created_at": ["Date", "Time"],
    ...                               "answered": "Answered (Y/N)"})
    >>> res.data[["interaction_id", "answered", "abandoned"]].values.tolist()
    [['1', True, False], ['2', False, True]]
    """
    if on_invalid not in ("reject", "null"):
        raise OptionError(f"`on_invalid` must be one of 'reject', 'null', got {on_invalid!r}.")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise OptionError(f"`dayfirst` must be None, True or False, got {dayfirst!r}.")
    if decimal is not None and decimal not in DECIMAL_MARKS:
        raise OptionError(f"`decimal` must be None, ',' or '.', got {decimal!r}.")
    spec_map = resolve_mapping(mapping)
    if spec_map is not None and spec_map.timezone and timezone == DEFAULT_TIMEZONE:
        timezone = spec_map.timezone
    timezone = _check_timezone(timezone)
    scale_map = default_scales(spec_map, scales)
    if dayfirst is None and spec_map is not None:
        dayfirst = spec_map.dayfirst
    header_row = _check_header_row(header_row)
    warns: list[tuple[str, dict]] = list(spec_map.warnings) if spec_map is not None else []

    raw = _read_source(
        source,
        sheet,
        encoding,
        timezone,
        warns,
        header_row=header_row,
        want=_wanted(spec_map),
        compact=True,
    )
    frame, name = raw.frame, raw.name
    as_of_ts = raw.as_of if as_of is None else _parse_as_of(as_of, timezone)
    columns = list(frame.columns)
    hint = (
        "; if the column names are not on the first row, pass header_row=<row number>"
        if raw.source != "DataFrame" and header_row is None
        else ""
    )
    specs = _resolve_specs(spec_map, columns, name, warns, hint, frame=frame, scales=scale_map)
    dayfirst_by = _decide_dayfirst(
        specs, frame, dayfirst, warns, row_label=lambda pos: _row_label(raw, pos)
    )
    if decimal is None and spec_map is not None:
        decimal = spec_map.decimal
    number_formats = _decide_number_formats(specs, frame, decimal, raw.delimiter, warns)
    n = len(frame)
    index = pd.RangeIndex(n)

    parsed: dict[str, pd.Series] = {}
    issues: list[dict] = []
    sources: dict[str, tuple[str, ...]] = {}

    def add_bad(target: str, col: str, bad: pd.Series, check: str) -> None:
        for pos in np.flatnonzero(bad.to_numpy()):
            issues.append({"pos": int(pos), "field": target, "column": col, "check": check})

    def add_bad_dates(target: str, col: str, bad: pd.Series, info: dict) -> None:
        years = info["out_of_range"].to_numpy()
        far = bad.to_numpy() & ~np.isnan(years)
        add_bad(target, col, bad & ~far, "invalid_timestamp")
        for pos in np.flatnonzero(far):
            issues.append(
                {
                    "pos": int(pos),
                    "field": target,
                    "column": col,
                    "check": "year_out_of_range",
                    "year": int(years[pos]),
                }
            )

    def add_excel_blank(target: str, col: str, info: dict) -> None:
        # Excel's date 0 (a blank date cell): no created_at; blank elsewhere, with a warning
        blank = info["excel_blank"]
        if not blank.any():
            return
        if target in REQUIRED_COLUMNS:
            add_bad(target, col, blank, "excel_blank_date")
        else:
            warns.append(
                (_W_EXCEL_BLANK_DATES, {"column": repr(col), "count": str(int(blank.sum()))})
            )

    for target, (spec, srcs) in specs.items():
        sources[target] = srcs
        kind = INTERACTION_COLUMNS[target]
        if spec.is_constant:
            series = pd.Series([spec.constant] * n, index=index, dtype=object)
        elif len(srcs) == 1:
            series = frame[srcs[0]]
        else:
            series = None
        if series is not None and spec.values:
            series = apply_value_map(series, spec.values)
        col_label = srcs[0] if len(srcs) == 1 else (" + ".join(srcs) or "(constant)")
        if kind == "timestamp":
            if series is not None:
                values, bad, info = parse_timestamp(
                    series,
                    format=spec.format,
                    dayfirst=dayfirst_by.get(target, True),
                    timezone=timezone,
                    excel_blank=True,
                )
                add_bad_dates(target, col_label, bad, info)
                add_excel_blank(target, col_label, info)
            else:
                date_col, time_col = srcs
                dates, dbad, info = parse_timestamp(
                    frame[date_col],
                    format=spec.format,
                    dayfirst=dayfirst_by.get(target, True),
                    timezone=timezone,
                    excel_blank=True,
                )
                secs, tbad = parse_time_of_day(frame[time_col])
                add_bad_dates(target, date_col, dbad, info)
                add_excel_blank(target, date_col, info)
                add_bad(target, time_col, tbad, "invalid_time")
                no_time = dates.notna() & secs.isna() & ~tbad & (dates == dates.dt.normalize())
                if no_time.any():
                    warns.append(
                        (
                            _W_NO_TIME,
                            {"count": str(int(no_time.sum())), "columns": repr(time_col)},
                        )
                    )
                offset = pd.to_timedelta(secs.fillna(0.0).round(6), unit="s")
                values = (dates.dt.normalize() + offset).where(secs.notna(), dates).where(~tbad)
                values = values.astype("datetime64[ns]")
            if info["aware"] and info["naive"]:
                warns.append(
                    (
                        _W_MIXED_TZ,
                        {"column": repr(col_label), "timezone": timezone},
                    )
                )
        elif kind == "bool" and spec.on_or_before is not None:
            stamps = []
            for key, col in ((target, srcs[0]), (f"{target}:before", srcs[1])):
                values, bad, info = parse_timestamp(
                    frame[col],
                    format=spec.format,
                    dayfirst=dayfirst_by.get(key, True),
                    timezone=timezone,
                    excel_blank=True,
                )
                add_bad_dates(target, col, bad, info)
                stamps.append(values)
            values = _on_or_before(*stamps)
        elif kind == "bool":
            if spec.in_values:
                values = flag_in(series, spec.in_values)
                bad = pd.Series(False, index=series.index)
            else:
                values, bad = parse_bool(
                    series,
                    true_values=spec.true_values,
                    false_values=spec.false_values,
                    otherwise=spec.otherwise,
                )
                if not spec.has_lists and bad.any():
                    _check_text_flag(name, target, col_label, series, bad)
                add_bad(target, col_label, bad, "invalid_bool")
            if spec.has_lists:
                _warn_flag_sides(target, col_label, series, values, bad, spec, on_invalid, warns)
        elif kind == "duration" and len(srcs) > 1:  # a column plus others (`plus:`)
            total = None
            for col in srcs:
                part = frame[col]
                if spec.values:
                    part = apply_value_map(part, spec.values)
                values, bad = _parse_duration_column(
                    part, spec, number_formats.get(target) or spec.decimal or decimal, col, warns
                )
                add_bad(
                    target,
                    col,
                    bad,
                    "invalid_number" if spec.type == "number" else "invalid_duration",
                )
                total = values if total is None else total + values.fillna(0.0)
            values = total
        elif kind == "duration":
            values, bad = _parse_duration_column(
                series, spec, number_formats.get(target), col_label, warns
            )
            add_bad(
                target,
                col_label,
                bad,
                "invalid_number" if spec.type == "number" else "invalid_duration",
            )
        elif target == "interaction_id" and len(srcs) > 1:  # a composite id
            values = _composite_id([parse_string(frame[c]) for c in srcs])
        elif kind == "int":
            values, bad = parse_int(series, decimal=number_formats.get(target))
            add_bad(target, col_label, bad, "invalid_contacts")
        elif kind == "score":
            values, bad = parse_number(series, decimal=number_formats.get(target))
            add_bad(target, col_label, bad, "invalid_number")
        else:
            values = parse_string(series, lower=target == "channel")
        parsed[target] = values.set_axis(index)

    ordered = [c for c in INTERACTION_COLUMNS if c in parsed]
    for dim, src in (spec_map.dimensions if spec_map is not None else {}).items():
        found = _find_column(src, columns)
        if found is None:
            raise _fail(
                name,
                f"the dimension `{dim}` names the column {src!r}, which is not in the file",
                f"a column named {src!r}",
                f"columns {_shown(columns)}",
                "change the mapping line under `dimensions:` to one of the file's columns",
            )
        parsed[dim] = parse_string(frame[found]).set_axis(index)
        ordered.append(dim)
    canon = pd.DataFrame({c: parsed[c] for c in ordered}, index=index)
    del parsed, series, values  # canon holds the parsed columns now
    _hint_date_and_time(specs, columns, canon, warns)

    # row checks (pandera); a value already reported as unreadable is not reported again;
    # duplicate ids are looked for below, among the rows that are otherwise valid
    checks = check_canonical(canon, scales=scale_map, as_of=as_of_ts, unique_ids=False)
    seen = {(i["pos"], i["field"]) for i in issues}
    for pos, fld, check in zip(checks["index"], checks["field"], checks["check"], strict=True):
        if (int(pos), fld) in seen:
            continue
        srcs = sources.get(fld, ())
        issues.append(
            {
                "pos": int(pos),
                "field": fld,
                "column": " + ".join(srcs) if srcs else "(constant)",
                "check": check,
            }
        )
    id_label = " + ".join(sources.get("interaction_id", ())) or "(constant)"
    # a total row ("Total", "Soma"... as the id) is that and nothing else
    total = _total_rows(canon, frame)
    if total.any():
        issues = [i for i in issues if not total[i["pos"]]]
        issues += [
            {"pos": int(p), "field": "interaction_id", "column": id_label, "check": "total_row"}
            for p in np.flatnonzero(total)
        ]

    # a row whose number of fields does not match the header: that and nothing else (its
    # values are not where the header says)
    if raw.field_problems is not None:
        broken = {int(p): v for p, v in enumerate(raw.field_problems) if v is not None}
        if broken:
            issues = [i for i in issues if i["pos"] not in broken]
            issues += [
                {
                    "pos": pos,
                    "field": None,
                    "column": "(whole row)",
                    "check": "short_row",
                    "found": found,
                    "expected": expected,
                    "record": record,
                }
                for pos, (found, expected, record) in broken.items()
            ]

    def rejects(issue: dict) -> bool:
        return (
            on_invalid == "reject"
            or issue["field"] in REQUIRED_COLUMNS
            or issue["check"] in _ALWAYS_REJECT
        )

    rejected_mask = np.zeros(n, dtype=bool)
    for issue in issues:
        if rejects(issue):
            rejected_mask[issue["pos"]] = True
    # duplicate ids among the otherwise valid rows: the first valid occurrence is kept
    if "interaction_id" in canon:
        ids = canon["interaction_id"][~rejected_mask & canon["interaction_id"].notna().to_numpy()]
        dup = ids.duplicated(keep="first").to_numpy()
        if dup.any():
            first_of = pd.Series(ids.index[~dup], index=ids.to_numpy()[~dup])
            firsts = first_of.loc[ids.to_numpy()[dup]].to_numpy()
            for pos, first in zip(ids.index[dup], firsts, strict=True):
                issues.append(
                    {
                        "pos": int(pos),
                        "field": "interaction_id",
                        "column": id_label,
                        "check": "duplicate_id",
                        "first": int(first),
                    }
                )
            rejected_mask[ids.index[dup]] = True

    # a value that was there but unreadable (blanked with on_invalid="null") still says the
    # event happened: the contact was answered / resolved unless the export says otherwise
    given = {
        flag: canon[flag].notna().to_numpy() if flag in canon else np.zeros(n, dtype=bool)
        for flag in ("answered", "resolved")
    }
    events = {"first_response_at": "answered", "wait_s": "answered", "resolved_at": "resolved"}

    # one record per problem: reject the row, or blank the value
    rows = raw.rows
    records = []
    happened: dict[str, list[int]] = {"answered": [], "resolved": []}

    def order(issue: dict) -> tuple[int, int]:
        fld = issue["field"]
        return issue["pos"], ordered.index(fld) if fld in ordered else -1

    # the source values of the rows with a problem, read once per column
    issue_pos = sorted({i["pos"] for i in issues})
    pos_index = {p: k for k, p in enumerate(issue_pos)}
    cells: dict[str, np.ndarray] = {}

    def cell(pos: int, col: str) -> Any:
        got = cells.get(col)
        if got is None:
            got = cells[col] = frame[col].iloc[issue_pos].to_numpy(dtype=object)
        return got[pos_index[pos]]

    for issue in sorted(issues, key=order):
        pos, fld, check = issue["pos"], issue["field"], issue["check"]
        if check == "short_row":
            records.append(
                {
                    "pos": pos,
                    "row": int(rows[pos]),
                    "sheet": raw.sheet_of(pos),
                    "column": issue["column"],
                    "field": None,
                    "value": issue["record"],
                    "reason": _REASONS[check].format(
                        row=_row_label(raw, pos),
                        found=issue["found"],
                        expected=issue["expected"],
                    ),
                    "check": check,
                    "action": "rejected",
                }
            )
            continue
        srcs = sources.get(fld, ())
        glue = ID_SEPARATOR if fld == "interaction_id" else " "  # a composite id: o1|r1
        raw_value = glue.join(_fmt_value(cell(pos, c)) for c in srcs) if srcs else ""
        if not srcs and fld in specs:
            raw_value = _fmt_value(specs[fld][0].constant)
        parsed_value = canon.at[pos, fld]
        shown = raw_value if raw_value != "" else _fmt_value(parsed_value)
        where = (
            fld if srcs == (fld,) else f"{fld} ({' + '.join(repr(s) for s in srcs) or 'constant'})"
        )
        fields = {"where": where, "field": fld, "value": shown}
        if check == "duplicate_id":
            fields["first"] = _row_label(raw, issue["first"])
        elif check == "out_of_scale":
            low, high = scale_map[fld].low, scale_map[fld].high
            value = float(parsed_value)
            s_low = min(low, 0.0) if value < low else low
            s_high = high if value <= high else (10.0 if value <= 10 else 100.0)
            fields.update(
                low=low,
                high=high,
                s_low=s_low,
                s_high=s_high,
                column=" + ".join(srcs) if srcs else "...",
            )
        elif check == "before_created":
            fields["created"] = _fmt_value(canon.at[pos, "created_at"])
            fields["value"] = _fmt_value(parsed_value)
        elif check == "resolved_before_response":
            fields["response"] = _fmt_value(canon.at[pos, "first_response_at"])
            fields["value"] = _fmt_value(parsed_value)
        elif check == "future_timestamp":
            fields["as_of"] = _fmt_value(as_of_ts)
            fields["value"] = _fmt_value(parsed_value)
        elif check == "year_out_of_range":
            value = cell(pos, srcs[0]) if srcs else None
            numeric = isinstance(value, int | float | np.integer | np.floating) or (
                isinstance(value, str) and _NUMERIC_TEXT.match(value.strip()) is not None
            )
            fields.update(
                year=issue["year"],
                year_min=YEAR_MIN,
                year_max=YEAR_MAX,
                read_as=" (read as an Excel date number)" if numeric else "",
            )
        reason = _REASONS.get(check, "{where}: failed check " + check).format(**fields)
        action = "rejected" if rejected_mask[pos] else "nulled"
        flag = events.get(fld)
        if action == "nulled" and flag is not None and not given[flag][pos]:
            reason += _EVENT_NOTES[flag]
            happened[flag].append(pos)
        records.append(
            {
                "pos": pos,
                "row": int(rows[pos]),
                "sheet": raw.sheet_of(pos),
                "column": issue["column"],
                "field": fld,
                "value": shown,
                "reason": reason,
                "check": check,
                "action": action,
            }
        )
    issue_cols = ["row", "sheet", "column", "field", "value", "reason", "check", "action"]
    issues_df = pd.DataFrame(records, columns=["pos", *issue_cols])
    if raw.sheets is None:
        issues_df = issues_df.drop(columns="sheet")
    rejected_pos = np.flatnonzero(rejected_mask)
    nulled = issues_df[issues_df["action"] == "nulled"]
    for fld, group in nulled.groupby("field", sort=False):
        blank = pd.NaT if canon[fld].dtype == "datetime64[ns]" else pd.NA
        canon.loc[group["pos"].to_numpy(), fld] = blank
    for flag, positions in happened.items():
        if positions:
            if flag not in canon:
                canon[flag] = pd.Series(pd.NA, index=index, dtype="boolean")
            canon.loc[positions, flag] = True

    rejected = _rejected_rows(issues_df, frame, columns)
    # the source rows are not needed any more: one copy of the data at a time
    frame = None
    cells.clear()
    raw.frame = None
    if len(rejected_pos):
        data = canon.drop(index=rejected_pos).reset_index(drop=True)
    else:
        data = canon
    del canon
    data = _derive(data, copy=False)
    dims = list(spec_map.dimensions) if spec_map is not None else []
    data = data[[c for c in INTERACTION_COLUMNS if c in data] + dims]
    data.attrs["scales"] = {k: [v.low, v.high] for k, v in scale_map.items()}

    rej_issues = issues_df[issues_df["action"] == "rejected"]
    rejected_by = rej_issues.drop_duplicates(["pos", "check"])["check"].value_counts().to_dict()
    nulled_by = nulled["check"].value_counts().to_dict()
    report = {
        "read": n,
        "loaded": len(data),
        "rejected": int(len(rejected_pos)),
        "rejected_by_reason": {k: int(v) for k, v in rejected_by.items()},
        "nulled": int(sum(nulled_by.values())),
        "nulled_by_reason": {k: int(v) for k, v in nulled_by.items()},
        "blank_rows_skipped": raw.blank_rows,
        "sheets": list(raw.sheets_read),
        "sheets_skipped": dict(raw.sheets_skipped),
    }
    if len(data) == 0:
        warns.append((_W_NONE_LOADED, {"read": str(n)}))
    return LoadResult(
        data=data,
        rejected=rejected,
        report=report,
        source=raw.source,
        scales=scale_map,
        warnings=[t(msg, "en", **f) for msg, f in warns],
        issues=issues_df.drop(columns="pos").reset_index(drop=True),
        _warning_items=warns,
    )


def _parse_duration_column(
    series: pd.Series, spec: ColumnSpec, decimal: Any, col_label: str, warns: list
) -> tuple[pd.Series, pd.Series]:
    """A duration column in seconds (``type: number``: plain numbers), with the Excel
    fraction-of-a-day guess when no unit is declared."""
    if spec.type == "number":
        return parse_number(series, decimal=decimal)
    unit = spec.unit
    if unit is None and day_fraction_column(series, decimal=decimal):
        unit = "days"
        warns.append((_W_DAY_FRACTIONS, {"column": repr(col_label)}))
    return parse_duration(series, unit=unit, decimal=decimal)


def _composite_id(parts: list[pd.Series]) -> pd.Series:
    """Ids joined from several columns with ``|`` (``o1|r7``); blank when a part is blank."""
    table = pd.concat([p.astype(object) for p in parts], axis=1, ignore_index=True)
    whole = table.notna().all(axis=1)
    joined = table[whole].astype(str).agg(ID_SEPARATOR.join, axis=1)
    out = pd.Series(np.nan, index=table.index, dtype=object)
    out[whole] = joined
    return out.astype(_STR_DTYPE) if _STR_DTYPE == "str" else out


def _on_or_before(first: pd.Series, deadline: pd.Series) -> pd.Series:
    """True where ``first`` is on or before ``deadline``, False where after, blank where
    either is blank. A deadline column without times (every value at 00:00) counts its
    whole day: delivered 10 Jan 15:00 is on or before an estimate of 10 Jan."""
    given = deadline.dropna()
    limit = deadline
    if len(given) and bool((given == given.dt.normalize()).all()):
        limit = deadline + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    out = pd.Series(pd.NA, index=first.index, dtype="boolean")
    both = first.notna() & deadline.notna()
    out[both] = (first[both] <= limit[both]).to_numpy()
    return out


#: Words of a value that says "yes" for a flag (folded), to suggest `true_values`.
_YES_WORDS = frozenset(
    {
        "resolved", "resolvido", "resolvida", "solved", "closed", "fechado", "fechada",
        "encerrado", "encerrada", "concluido", "concluida", "done", "completed", "complete",
        "delivered", "entregue", "answered", "atendido", "atendida", "transferred",
        "transferido", "transferida", "escalated", "escalado", "escalada", "reopened",
        "reaberto", "reaberta", "abandoned", "abandonado", "abandonada", "ok", "success",
        "sucesso", "bot", "handled",
    }
)  # fmt: skip


def _yaml_scalar(value: str) -> str:
    """``value`` as a YAML flow scalar: plain when it reads back as the same text."""
    try:
        plain = yaml.safe_load(f"[{value}]")
    except yaml.YAMLError:
        plain = None
    if plain == [value]:
        return value
    return json.dumps(value, ensure_ascii=False)


def _check_text_flag(
    name: str, target: str, col_label: str, series: pd.Series, bad: pd.Series
) -> None:
    """A text column (Resolved / Open / Pending) mapped as a flag without saying which
    values are true: one DataError with its values and the YAML line to write, instead of
    every row rejected. Raised when most values are words that are not yes/no (a few odd
    values in a Y/N column are rejected row by row, as typos)."""
    texts = series[bad.to_numpy()].astype(object).map(_fmt_value)
    words = texts.str.contains(r"[^\W\d_]", regex=True) & ~texts.str.contains(r"\d", regex=True)
    if not bool(words.all()) or int(bad.sum()) * 2 <= int((~blank_mask(series)).sum()):
        return
    counts, distinct = value_counts_text(series, limit=12)
    shown = ", ".join(f"{v!r} ({c})" for v, c in counts) + (", ..." if distinct > 12 else "")
    yes = [
        v
        for v, _ in counts
        if normalize_name(v) in _YES_WORDS
        or difflib.SequenceMatcher(None, normalize_name(v), target).ratio() >= 0.75
    ] or [counts[0][0]]
    column = col_label if " + " not in col_label else col_label.split(" + ")[0]
    listed = ", ".join(_yaml_scalar(v) for v in yes)
    line = (
        f"{target}: {{column: {_yaml_scalar(column)}, true_values: [{listed}], otherwise: false}}"
    )
    raise _fail(
        name,
        f"the column {column!r} is mapped to the yes/no field `{target}`, but it holds other "
        "values.",
        "yes/no values (Y/N, S/N, Sim/Não, yes/no, true/false, 1/0), or a mapping entry that "
        "says which values are true",
        f"{distinct} distinct value(s): {shown}",
        f"say which values mean yes; e.g. the YAML line `{line}` (other values are false; "
        "to reject values in neither list, give false_values and leave out otherwise)",
    )


def _warn_flag_sides(
    target: str,
    col_label: str,
    series: pd.Series,
    values: pd.Series,
    bad: pd.Series,
    spec: ColumnSpec,
    on_invalid: str,
    warns: list,
) -> None:
    """A flag whose lists leave one side empty on the data: nothing is false (or true),
    and the rows are rejected (values in neither list) or all read by ``otherwise`` (or, for
    ``in:``, none is in the list). A column whose every value is listed on one side says
    what it means (every call answered): no warning."""
    n_true = int((values == True).sum())  # noqa: E712 - pandas boolean with NA
    n_false = int((values == False).sum())  # noqa: E712
    n_bad = int(bad.sum())
    if n_true and n_false or not (n_true or n_false or n_bad):
        return
    side, other = ("false", "true") if not n_false else ("true", "false")
    if not n_bad:
        if spec.in_values:
            listed = side == "false"  # every value is in the list: said so
        else:
            known = {fold(v) for v in (*spec.true_values, *spec.false_values)}
            known |= TRUE_TOKENS | FALSE_TOKENS
            given = series[~blank_mask(series).to_numpy()]
            distinct = pd.Series(pd.unique(given.to_numpy(dtype=object)), dtype=object)
            listed = bool(distinct.map(lambda v: fold(_fmt_value(v)) in known).all())
        if listed:
            return
    if n_bad:
        counts, distinct = value_counts_text(series[bad.to_numpy()], limit=5)
        shown = ", ".join(f"{v!r} ({c})" for v, c in counts) + (", ..." if distinct > 5 else "")
        warns.append(
            (
                _W_FLAG_SIDE_REJECTED if on_invalid == "reject" else _W_FLAG_SIDE_BLANKED,
                {
                    "field": target,
                    "side": side,
                    "count": str(n_bad),
                    "values": shown,
                    "key": f"{side}_values",
                },
            )
        )
        return
    counts, distinct = value_counts_text(series, limit=5)
    shown = ", ".join(f"{v!r} ({c})" for v, c in counts) + (", ..." if distinct > 5 else "")
    warns.append(
        (
            _W_FLAG_SIDE_ALL,
            {
                "field": target,
                "side": side,
                "other": other,
                "column": repr(col_label),
                "values": shown,
            },
        )
    )


def _hint_date_and_time(specs: dict, columns: list, canon: pd.DataFrame, warns: list) -> None:
    """``created_at: Date`` while a Time/Hora column sits unused and every date is 00:00."""
    srcs = specs["created_at"][1]
    if len(srcs) != 1:
        return
    used = {c for _, cols in specs.values() for c in cols}
    times = [c for c in columns if normalize_name(c) in _TIME_NAMES and c not in used]
    created = canon["created_at"].dropna()
    if times and len(created) and bool((created == created.dt.normalize()).all()):
        fix = f"created_at: [{srcs[0]}, {times[0]}]"
        warns.append((_W_DATE_ONLY, {"column": repr(srcs[0]), "time": repr(times[0]), "fix": fix}))


#: Ids (folded) that mark a total row of a spreadsheet, not a contact.
_TOTAL_TOKENS = frozenset(
    {"total", "totais", "totals", "grand total", "total geral", "soma", "sum", "subtotal"}
)


def _total_rows(canon: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Rows whose id is "Total", "Totais", "Grand total", "Soma", "Sum"... (any case), or
    whose id is blank with such a word in the first column."""
    n = len(canon)
    if "interaction_id" not in canon or n == 0:
        return np.zeros(n, dtype=bool)

    def is_total(series: pd.Series) -> np.ndarray:
        text = series.astype("string").str.strip().str.rstrip(":").str.strip().str.lower()
        return text.isin(_TOTAL_TOKENS).fillna(False).to_numpy(dtype=bool, copy=True)

    ids = canon["interaction_id"]
    out = is_total(ids)
    blank_id = ids.isna().to_numpy()
    if blank_id.any() and frame.shape[1]:
        out |= blank_id & is_total(frame.iloc[:, 0])
    return out


def _row_label(raw: _Raw, pos: int) -> str:
    row = str(int(raw.rows[pos]))
    sheet = raw.sheet_of(pos)
    return row if sheet is None else f"{row} (sheet {sheet!r})"


def _rejected_rows(issues: pd.DataFrame, frame: pd.DataFrame, columns: list) -> pd.DataFrame:
    """One line per rejected row: its reasons joined, then the original source columns."""
    rej = issues[issues["action"] == "rejected"]
    lead = ["row", *(["sheet"] if "sheet" in issues else []), "reason", "check"]
    lead += ["column", "field", "value"]
    if rej.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in lead})
        out["row"] = out["row"].astype("int64")
        positions = np.array([], dtype=int)
    else:
        g = rej.groupby("pos", sort=True)
        out = g[["row", *(["sheet"] if "sheet" in rej else []), "column", "field", "value"]].first()
        out["reason"] = g["reason"].agg("; ".join)
        out["check"] = g["check"].agg(lambda c: ", ".join(dict.fromkeys(c)))
        positions = out.index.to_numpy()
        out = out[lead].reset_index(drop=True)
    src_cols = {c: (f"{c} (source)" if c in _RESERVED else c) for c in columns}
    original = frame.iloc[positions].rename(columns=src_cols).reset_index(drop=True)
    for j in range(original.shape[1]):  # compact (categorical) columns as plain text again
        if isinstance(original.dtypes.iloc[j], pd.CategoricalDtype):
            original.isetitem(j, _plain(original.iloc[:, j]))
    return pd.concat([out, original], axis=1)


def _derive(data: pd.DataFrame, copy: bool = True) -> pd.DataFrame:
    """Derived columns of KPIS.md, only where their inputs exist; returns a new frame
    (``copy=False``: ``data`` itself, with the columns added)."""
    out = data.copy() if copy else data
    if "first_response_at" in out:
        waited = (out["first_response_at"] - out["created_at"]).dt.total_seconds()
        out["wait_s"] = out["wait_s"].fillna(waited) if "wait_s" in out else waited
    if "first_response_at" in out or "wait_s" in out:
        rule = pd.Series(False, index=out.index)
        for col in ("first_response_at", "wait_s"):
            if col in out:
                rule = rule | out[col].notna()
        rule = rule.astype("boolean")
        out["answered"] = out["answered"].fillna(rule) if "answered" in out else rule
    if "abandoned" not in out and "answered" in out:
        out["abandoned"] = ~out["answered"].astype("boolean")
    if "resolved_at" in out:
        rule = out["resolved_at"].notna().astype("boolean")
        out["resolved"] = out["resolved"].fillna(rule) if "resolved" in out else rule
    if "channel" in out:
        out["channel"] = out["channel"].fillna("unknown")
    else:
        out["channel"] = pd.Series("unknown", index=out.index, dtype=_STR_DTYPE)
    for col in ("wait_s", "handle_time_s", "csat", "nps", "ces"):
        if col in out:
            out[col] = out[col].astype("float64")
    return out
