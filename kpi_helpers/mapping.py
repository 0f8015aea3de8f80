"""Column mappings: turn any export's columns into the canonical interactions table.

A mapping says, for each canonical column (see :mod:`kpi_helpers.schema`), where its
values come from in the source:

- ``"Source Col"``: a plain rename;
- ``["Date", "Time"]``: a date column and a time-of-day column combined (timestamps only);
- ``{"column": "Col", "type": ..., "format": ..., "unit": ..., "scale": [1, 5],
  "true_values": [...], "false_values": [...], "values": {...}, "optional": true,
  "decimal": ","}``: a column with parsing options;
- ``{"any_of": ["AvgTalkDuration (hh:mm:ss)", "AvgTalkDuration"], ...}``: instead of
  ``column``, alternative source columns (each a name or ``[Date, Time]``), the first one
  found in the file is used; the other options apply as with ``column``;
- ``{"value": "phone"}``: a constant for every row (e.g. the channel of a phone export);
- ``interaction_id: ["order_id", "review_id"]``: a composite id, the parts joined with
  ``|`` (:data:`ID_SEPARATOR`); a blank part makes the id blank (the row is rejected);
- flags: ``true_values`` / ``false_values`` win over the usual yes/no words; ``otherwise``
  (``false``, ``true`` or ``reject``, the default) reads the values in neither list;
  ``{"column": "status", "in": ["delivered", "shipped"]}`` is true for the listed values
  (folded) and false for any other; ``{"column": "delivered_at", "on_or_before":
  "estimated_at"}`` is true when the first timestamp is on or before the second (a deadline
  column without times counts its whole day), blank when either is blank;
- durations: ``{"column": "Talk", "plus": ["Hold", ["ACW", "Wrap-up"]]}`` adds columns
  (blank parts count 0; a column not in the file is left out with a warning).

Optional top-level keys: ``scales`` (``{"csat": [1, 10]}``), ``timezone``, ``dayfirst`` and
``decimal`` (``","`` when numbers look like ``1.234,5``, ``"."`` for ``1,234.5``; without it
each column's values decide, see :func:`kpi_helpers.validation.number_evidence`);
``name`` and ``description`` document a preset. The column entries may also sit under a
``columns:`` key. Mappings are plain dicts, YAML files, or preset names registered with
:func:`register_preset` (a few ship in ``kpi_helpers/presets/*.yml``). A YAML mapping::

    interaction_id: Protocolo
    created_at: [Data, Hora]              # a date column + a time column
    channel: {value: phone}               # the same value on every row
    resolved: {column: "Resolvido (S/N)", type: bool}
    handle_time_s: {column: Tempo, type: duration, unit: "hh:mm:ss"}
    wait_s: {column: Espera (min), type: duration, unit: minutes}
    csat: {column: Nota, scale: [1, 10], values: {Ótimo: 10, Ruim: 1}}
    team: {column: Equipe, optional: true}  # no error when the export lacks it
    category: {any_of: [Assunto, Categoria]} # whichever the export has
    answered: {column: Atendida, true_values: [yes, ok]}  # unquoted yes/on/true are fine
    dayfirst: true

A YAML file that is not UTF-8 (Notepad's "ANSI") is read as Windows-1252 with a warning.

Examples
--------
>>> m = parse_mapping({"interaction_id": "Protocolo", "created_at": ["Data", "Hora"],
...                    "channel": {"value": "phone"}})
>>> m.columns["created_at"].columns
('Data', 'Hora')
>>> "callcenter_excel" in list_presets()
True
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import re
import unicodedata
import warnings
from collections.abc import Mapping as _MappingABC
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import PRESETS_DIR
from .errors import OptionError
from .schema import DEFAULT_SCALES, INTERACTION_COLUMNS, SCORE_COLUMNS, Scale

__all__ = [
    "ColumnSpec",
    "ColumnMapping",
    "parse_mapping",
    "resolve_mapping",
    "register_preset",
    "get_preset",
    "list_presets",
    "normalize_name",
    "parse_scale",
]

#: Value types a mapping entry may declare.
TYPES = ("string", "timestamp", "bool", "duration", "number", "int")
#: Units of a duration column (numbers are read in this unit; hh:mm:ss-like units read
#: plain numbers as Excel fractions of a day).
UNITS = ("seconds", "minutes", "hours", "days", "hh:mm:ss", "mm:ss", "hh:mm")
_KIND_TO_TYPE = {
    "string": "string",
    "timestamp": "timestamp",
    "bool": "bool",
    "duration": "duration",
    "int": "int",
    "score": "number",
}
_COMPATIBLE = {
    "timestamp": ("timestamp",),
    "bool": ("bool",),
    "duration": ("duration", "number"),
    "int": ("int", "number"),
    "score": ("number", "int"),
    "string": ("string",),
}
_SPEC_KEYS = (
    "column",
    "any_of",
    "type",
    "format",
    "unit",
    "scale",
    "true_values",
    "false_values",
    "values",
    "value",
    "optional",
    "dayfirst",
    "decimal",
    "otherwise",
    "in",
    "on_or_before",
    "plus",
)
#: What a flag's ``otherwise:`` may say for values in neither list.
OTHERWISE = ("reject", "true", "false")
#: Separator of the parts of a composite id (``interaction_id: [order_id, review_id]``).
ID_SEPARATOR = "|"
_TOP_KEYS = (
    "name",
    "description",
    "columns",
    "scales",
    "timezone",
    "dayfirst",
    "decimal",
    "dimensions",
)
#: Names a dimension may not take: the canonical columns, time grains and the engine's keys.
_RESERVED_DIMENSIONS = ("day", "week", "month", "quarter", "year", "period", "channel_family")
#: Decimal marks a mapping may declare (``decimal: ","`` reads ``1.234,5``).
DECIMAL_MARKS = (",", ".")


def normalize_name(name: Any) -> str:
    """Fold a column name for tolerant matching: ``"Created At"`` -> ``"created_at"``.

    Lower-case, accents removed, every run of non-alphanumerics replaced by ``_``.

    >>> normalize_name(" Data de Criação ")
    'data_de_criacao'
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def parse_scale(value: Any, *, what: str = "scale") -> Scale:
    """A :class:`~kpi_helpers.schema.Scale` from ``Scale``, ``[low, high]`` or ``{low:, high:}``."""
    if isinstance(value, Scale):
        return value
    try:
        if isinstance(value, _MappingABC):
            low, high = value["low"], value["high"]
        else:
            low, high = value
        return Scale(float(low), float(high))
    except (TypeError, ValueError, KeyError) as exc:
        raise OptionError(
            f"`{what}` must be [low, high] with low < high (e.g. [1, 5]), got {value!r}."
        ) from exc


@dataclass(frozen=True)
class ColumnSpec:
    """Where one canonical column comes from, and how its values are parsed."""

    target: str
    columns: tuple[str, ...] = ()
    type: str = "string"
    format: str | None = None
    unit: str | None = None
    scale: Scale | None = None
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()
    values: tuple[tuple[Any, Any], ...] = ()
    constant: Any = None
    is_constant: bool = False
    optional: bool = False
    dayfirst: bool | None = None
    decimal: str | None = None
    any_of: tuple[tuple[str, ...], ...] = ()
    #: A flag's reading of values in neither list: ``None`` rejects them (the default).
    otherwise: bool | None = None
    #: ``in:``: the flag is true when the value is one of these (folded), false otherwise.
    in_values: tuple[str, ...] = ()
    #: ``on_or_before:``: the flag is true when ``column`` <= this column (timestamps).
    on_or_before: str | None = None
    #: ``plus:``: durations added to ``column`` (each item: alternative column names).
    plus: tuple[tuple[str, ...], ...] = ()

    @property
    def alternatives(self) -> tuple[tuple[str, ...], ...]:
        """The source column(s) to look for, in order: ``any_of``, else ``(columns,)``; an
        ``on_or_before`` column is appended to each."""
        alts = self.any_of or ((self.columns,) if self.columns else ())
        if self.on_or_before is not None:
            alts = tuple((*alt, self.on_or_before) for alt in alts)
        return alts

    @property
    def has_lists(self) -> bool:
        """Whether the entry says which values of a flag mean what (lists, ``in:``,
        ``otherwise:``)."""
        return bool(
            self.true_values or self.false_values or self.in_values or self.otherwise is not None
        )

    @property
    def label(self) -> str:
        """The source column(s) as a user sees them: ``'Date' + 'Time'``."""
        if self.is_constant:
            return f"(constant {self.constant!r})"
        return " or ".join(" + ".join(repr(c) for c in alt) for alt in self.alternatives)


@dataclass(frozen=True)
class ColumnMapping:
    """A validated mapping: one :class:`ColumnSpec` per canonical column, plus options."""

    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    scales: dict[str, Scale] = field(default_factory=dict)
    timezone: str | None = None
    dayfirst: bool | None = None
    decimal: str | None = None
    name: str | None = None
    description: str | None = None
    #: Assumptions made while reading a mapping file: ``(message, fields)`` for ``t()``.
    warnings: tuple = ()
    #: Further text columns kept as dimensions: dimension name -> source column.
    dimensions: dict[str, str] = field(default_factory=dict)


def _default_type(target: str) -> str:
    return _KIND_TO_TYPE[INTERACTION_COLUMNS[target]]


def _unknown_target(target: Any, origin: str) -> OptionError:
    valid = list(INTERACTION_COLUMNS)
    close = difflib.get_close_matches(normalize_name(target), valid, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return OptionError(
        f"{origin}: {target!r} is not a canonical column; the keys of a mapping must be one "
        f"of {', '.join(valid)} (or the options {', '.join(_TOP_KEYS)}).{hint}"
    )


#: What an unquoted YAML ``yes``/``on``/``true`` (``no``/``off``/``false``) was written as.
_YAML_BOOL_SPELLINGS = {True: ("yes", "true", "on"), False: ("no", "false", "off")}


def _spellings(value: Any) -> tuple[str, ...]:
    """A value as text; YAML booleans (``yes``, ``on`` unquoted) as the words they came from."""
    if isinstance(value, bool):
        return _YAML_BOOL_SPELLINGS[value]
    return (str(value),)


def _as_str_tuple(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float | bool):
        value = [value]
    try:
        return tuple(dict.fromkeys(text for v in value for text in _spellings(v)))
    except TypeError as exc:
        raise OptionError(f"{what} must be a list of values, got {value!r}.") from exc


def _value_pairs(values: _MappingABC) -> tuple[tuple[Any, Any], ...]:
    """``values:`` items; a YAML boolean key (``yes: 5``) stands for each of its spellings."""
    pairs = []
    for key, target in values.items():
        keys = _spellings(key) if isinstance(key, bool) else (key,)
        pairs.extend((k, target) for k in keys)
    return tuple(pairs)


def _alternatives(
    raw: Any, where: str, typ: str, composite: bool = False
) -> tuple[tuple[str, ...], ...]:
    if isinstance(raw, str) or not isinstance(raw, list | tuple) or not raw:
        raise OptionError(
            f"{where}: `any_of` must be a list of source columns, the first one found is used "
            f"(e.g. any_of: [AvgTalkDuration (hh:mm:ss), AvgTalkDuration]), got {raw!r}."
        )
    alts = []
    for alt in raw:
        cols = (str(alt),) if isinstance(alt, str | int | float) else alt
        if not isinstance(cols, list | tuple) or len(cols) not in (1, 2) and not composite:
            raise OptionError(
                f"{where}: each `any_of` item must be a column name or [DateColumn, TimeColumn], "
                f"got {alt!r}."
            )
        cols = tuple(str(c) for c in cols)
        if len(cols) == 2 and typ != "timestamp" and not composite:
            raise OptionError(f"{where}: two columns (date + time) need type timestamp.")
        if not all(c.strip() for c in cols):
            raise OptionError(f"{where}: a source column name in `any_of` is empty.")
        alts.append(cols)
    return tuple(alts)


def _decimal(value: Any, where: str) -> str | None:
    if value is None or value in DECIMAL_MARKS:
        return value
    raise OptionError(f'{where}: `decimal` must be "," (1.234,5) or "." (1,234.5), got {value!r}.')


def _parse_entry(target: str, raw: Any, origin: str) -> ColumnSpec:
    where = f"{origin}, entry `{target}`"
    default_type = _default_type(target)
    if isinstance(raw, str):
        if not raw.strip():
            raise OptionError(f"{where}: the source column name is empty.")
        return ColumnSpec(target=target, columns=(raw,), type=default_type)
    if isinstance(raw, list | tuple):
        cols = tuple(str(c) for c in raw)
        if not all(c.strip() for c in cols):
            raise OptionError(f"{where}: a source column name in the list is empty.")
        if len(cols) == 1:
            return ColumnSpec(target=target, columns=cols, type=default_type)
        if len(cols) == 2 and default_type == "timestamp":
            return ColumnSpec(target=target, columns=cols, type="timestamp")
        if len(cols) >= 2 and target == "interaction_id":
            return ColumnSpec(target=target, columns=cols, type=default_type)
        raise OptionError(
            f"{where}: a list combines a date column and a time column "
            f"([DateColumn, TimeColumn]) and only for the timestamp columns "
            f"({', '.join(c for c, k in INTERACTION_COLUMNS.items() if k == 'timestamp')}), "
            f"or joins columns into one id (interaction_id: [order_id, review_id]); "
            f"got {list(raw)!r}."
        )
    if not isinstance(raw, _MappingABC):
        raise OptionError(
            f"{where}: expected a column name, [DateColumn, TimeColumn], a dict with "
            f"'column' or 'value', got {raw!r}."
        )
    unknown = [k for k in raw if k not in _SPEC_KEYS]
    if unknown:
        raise OptionError(
            f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)}; valid keys are "
            f"{', '.join(_SPEC_KEYS)}."
        )
    given = [k for k in ("column", "any_of", "value") if k in raw]
    if len(given) > 1:
        raise OptionError(
            f"{where}: give one of 'column', 'any_of' (alternative columns) or 'value' "
            f"(a constant), not {' and '.join(repr(k) for k in given)}."
        )
    if not given:
        raise OptionError(
            f"{where}: needs 'column' (the source column), 'any_of' (alternative source "
            f"columns) or 'value' (a constant)."
        )
    typ = raw.get("type", default_type)
    if typ not in TYPES:
        raise OptionError(f"{where}: `type` must be one of {', '.join(TYPES)}, got {typ!r}.")
    allowed = _COMPATIBLE[INTERACTION_COLUMNS[target]]
    if typ not in allowed:
        raise OptionError(
            f"{where}: `{target}` is a {INTERACTION_COLUMNS[target]} column; `type` must be "
            f"{' or '.join(allowed)}, got {typ!r}."
        )
    unit = raw.get("unit")
    if unit is not None and unit not in UNITS:
        raise OptionError(f"{where}: `unit` must be one of {', '.join(UNITS)}, got {unit!r}.")
    scale = None
    if "scale" in raw:
        if target not in SCORE_COLUMNS:
            raise OptionError(
                f"{where}: `scale` applies to the survey scores ({', '.join(SCORE_COLUMNS)})."
            )
        scale = parse_scale(raw["scale"], what=f"{target}.scale")
    values = raw.get("values") or {}
    if not isinstance(values, _MappingABC):
        raise OptionError(
            f"{where}: `values` must map source values to values, e.g. {{Good: 5, Bad: 1}}, "
            f"got {values!r}."
        )
    dayfirst = raw.get("dayfirst")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise OptionError(f"{where}: `dayfirst` must be true or false, got {dayfirst!r}.")
    decimal = _decimal(raw.get("decimal"), where)
    fmt = raw.get("format")
    if fmt is not None and not isinstance(fmt, str):
        raise OptionError(
            f"{where}: `format` must be a text such as '%d/%m/%Y %H:%M', got {fmt!r}."
        )
    flag = _flag_options(target, raw, where)
    plus = _plus(target, raw.get("plus"), where)
    common = dict(
        target=target,
        type=typ,
        format=fmt,
        unit=unit,
        scale=scale,
        true_values=_as_str_tuple(raw.get("true_values"), f"{where}: `true_values`"),
        false_values=_as_str_tuple(raw.get("false_values"), f"{where}: `false_values`"),
        values=_value_pairs(values),
        optional=bool(raw.get("optional", False)),
        dayfirst=dayfirst,
        decimal=decimal,
        plus=plus,
        **flag,
    )
    composite = target == "interaction_id"
    if "value" in raw:
        if flag.get("on_or_before") or plus:
            raise OptionError(f"{where}: `on_or_before` and `plus` need a source column.")
        return ColumnSpec(constant=raw["value"], is_constant=True, **common)
    if "any_of" in raw:
        alts = _alternatives(raw["any_of"], where, typ, composite)
        if (flag.get("on_or_before") or plus) and any(len(a) != 1 for a in alts):
            raise OptionError(
                f"{where}: with `on_or_before` or `plus`, each `any_of` item is one column."
            )
        return ColumnSpec(columns=alts[0], any_of=alts, **common)
    col = raw["column"]
    if isinstance(col, list | tuple):
        cols = tuple(str(c) for c in col)
        if len(cols) == 2 and typ != "timestamp" and not composite:
            raise OptionError(f"{where}: two columns (date + time) need type timestamp.")
        if len(cols) not in (1, 2) and not (composite and cols):
            raise OptionError(f"{where}: `column` must be one name or [date, time], got {col!r}.")
        if len(cols) > 1 and (flag.get("on_or_before") or plus):
            raise OptionError(f"{where}: with `on_or_before` or `plus`, `column` is one column.")
    else:
        cols = (str(col),)
    if not all(c.strip() for c in cols):
        raise OptionError(f"{where}: the source column name is empty.")
    return ColumnSpec(columns=cols, **common)


def _flag_options(target: str, raw: _MappingABC, where: str) -> dict:
    """``otherwise``, ``in`` and ``on_or_before`` of a flag entry, checked."""
    out: dict[str, Any] = {}
    given = [k for k in ("otherwise", "in", "on_or_before") if k in raw]
    lists = [k for k in ("true_values", "false_values") if raw.get(k) is not None]
    if not given and not lists:
        return out
    if INTERACTION_COLUMNS[target] != "bool":
        flags = ", ".join(c for c, k in INTERACTION_COLUMNS.items() if k == "bool")
        keys = ", ".join(f"`{k}`" for k in given + lists)
        raise OptionError(f"{where}: {keys} apply to the yes/no columns ({flags}).")
    forms = [k for k in ("in", "on_or_before") if k in raw]
    if len(forms) > 1 or (forms and (lists or "otherwise" in raw or "values" in raw)):
        others = forms + lists + [k for k in ("otherwise", "values") if k in raw]
        raise OptionError(
            f"{where}: `{forms[0]}` says on its own which rows are true; it does not combine "
            f"with {', '.join(f'`{k}`' for k in others if k != forms[0])}."
        )
    if "otherwise" in raw:
        value = raw["otherwise"]
        text = str(value).strip().lower() if value is not None else ""
        if isinstance(value, bool):
            out["otherwise"] = value
        elif text in OTHERWISE:
            out["otherwise"] = None if text == "reject" else text == "true"
        else:
            raise OptionError(
                f"{where}: `otherwise` says what a value in neither true_values nor "
                f"false_values means: false, true or reject (the default), got {value!r}."
            )
    if "in" in raw:
        values = raw["in"]
        if isinstance(values, str | int | float | bool):
            values = [values]
        found = _as_str_tuple(values, f"{where}: `in`") if values is not None else ()
        if not found:
            raise OptionError(
                f"{where}: `in` lists the values that mean true, e.g. in: [delivered, shipped], "
                f"got {raw['in']!r}."
            )
        out["in_values"] = found
    if "on_or_before" in raw:
        other = raw["on_or_before"]
        if not isinstance(other, str) or not other.strip():
            raise OptionError(
                f"{where}: `on_or_before` names the column of the deadline, e.g. "
                f"{{column: delivered_at, on_or_before: estimated_at}}, got {other!r}."
            )
        out["on_or_before"] = other
    return out


def _plus(target: str, raw: Any, where: str) -> tuple[tuple[str, ...], ...]:
    """``plus:`` columns of a duration entry: each a name or a list of alternative names."""
    if raw is None:
        return ()
    if INTERACTION_COLUMNS[target] != "duration":
        raise OptionError(f"{where}: `plus` adds durations; it applies to wait_s, handle_time_s.")
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not items:
        raise OptionError(
            f"{where}: `plus` lists the durations to add, e.g. plus: [Hold time, Wrap-up time], "
            f"got {raw!r}."
        )
    out = []
    for item in items:
        names = (item,) if isinstance(item, str) else item
        if (
            not isinstance(names, list | tuple)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            raise OptionError(
                f"{where}: each `plus` item is a column name or a list of alternative names, "
                f"got {item!r}."
            )
        out.append(tuple(names))
    return tuple(out)


def parse_mapping(raw: _MappingABC | ColumnMapping, *, origin: str = "mapping") -> ColumnMapping:
    """Validate a mapping dict and return a :class:`ColumnMapping`.

    Raises :class:`~kpi_helpers.errors.OptionError` naming the bad entry.
    """
    if isinstance(raw, ColumnMapping):
        return raw
    if not isinstance(raw, _MappingABC):
        raise OptionError(
            f"`mapping` must be None, a dict, a YAML file path or a preset name "
            f"({', '.join(list_presets())}), got {type(raw).__name__} {raw!r}."
        )
    entries = dict(raw.get("columns") or {}) if "columns" in raw else {}
    if "columns" in raw and not isinstance(raw.get("columns") or {}, _MappingABC):
        raise OptionError(f"{origin}: `columns` must map canonical columns to source columns.")
    for key, value in raw.items():
        if key in _TOP_KEYS:
            continue
        entries[key] = value
    specs: dict[str, ColumnSpec] = {}
    for target, value in entries.items():
        if target not in INTERACTION_COLUMNS:
            raise _unknown_target(target, origin)
        specs[target] = _parse_entry(target, value, origin)
    scales_raw = raw.get("scales") or {}
    if not isinstance(scales_raw, _MappingABC):
        raise OptionError(
            f"{origin}: `scales` must look like {{csat: [1, 5]}}, got {scales_raw!r}."
        )
    scales = {}
    for name, value in scales_raw.items():
        if name not in SCORE_COLUMNS:
            raise OptionError(
                f"{origin}: `scales` keys must be one of {', '.join(SCORE_COLUMNS)}, got {name!r}."
            )
        scales[name] = parse_scale(value, what=f"scales.{name}")
    for name, spec in specs.items():
        if spec.scale is not None:
            scales[name] = spec.scale
    tz = raw.get("timezone")
    if tz is not None and not isinstance(tz, str):
        raise OptionError(
            f"{origin}: `timezone` must be a name like 'America/Sao_Paulo', got {tz!r}."
        )
    dayfirst = raw.get("dayfirst")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise OptionError(f"{origin}: `dayfirst` must be true or false, got {dayfirst!r}.")
    return ColumnMapping(
        columns=specs,
        scales=scales,
        timezone=tz,
        dayfirst=dayfirst,
        decimal=_decimal(raw.get("decimal"), origin),
        name=raw.get("name"),
        description=raw.get("description"),
        dimensions=_parse_dimensions(raw.get("dimensions"), origin),
    )


def _parse_dimensions(raw: Any, origin: str) -> dict[str, str]:
    """``dimensions:`` of a mapping: a list of source columns (each kept under its folded
    name: ``Priority`` -> ``priority``) or a mapping ``name: source column``.

    >>> _parse_dimensions(["Priority", "Fila de atendimento"], "m")
    {'priority': 'Priority', 'fila_de_atendimento': 'Fila de atendimento'}
    """
    if raw is None:
        return {}
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, list):
        pairs = [(normalize_name(c), c) for c in raw]
    elif isinstance(raw, _MappingABC):
        pairs = list(raw.items())
    else:
        pairs = None
    if pairs is None or not all(isinstance(c, str) and c.strip() for _, c in pairs):
        raise OptionError(
            f"{origin}: `dimensions` must list source columns ([Priority, Queue]) or map names "
            f"to columns ({{priority: Prioridade}}), got {raw!r}."
        )
    out: dict[str, str] = {}
    for name, column in pairs:
        name = str(name)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise OptionError(
                f"{origin}: dimension name {name!r} must be lower-case letters, digits and '_' "
                "(starting with a letter), e.g. priority or fila."
            )
        if name in INTERACTION_COLUMNS or name in _RESERVED_DIMENSIONS:
            raise OptionError(
                f"{origin}: dimension name {name!r} is taken (a canonical column or a time "
                "grain); give it another name: dimensions: {my_name: " + repr(column) + "}."
            )
        if name in out:
            raise OptionError(f"{origin}: dimension {name!r} is given twice.")
        out[name] = column
    return out


# --------------------------------------------------------------------------- presets

_PRESETS: dict[str, dict] = {}
_BUILTINS_LOADED = False


#: Warning when a mapping file is not UTF-8 (English msgid; pt-BR in locales/.../io.po).
W_MAPPING_CP1252 = (
    "Mapping file {file}: not UTF-8; read as Windows-1252 (cp1252). Save it as UTF-8 if "
    "accented letters look wrong."
)


def _read_yaml(path: Path, warns: list | None = None) -> dict:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise OptionError(f"Cannot read the mapping file '{path}': {exc.strerror or exc}.") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Notepad's "ANSI": Windows-1252 (any byte decodes as Latin-1 when cp1252 cannot)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        if warns is not None:
            warns.append((W_MAPPING_CP1252, {"file": repr(Path(path).name)}))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        hint = (
            " (YAML indents with spaces, not tabs: replace the tab characters by spaces)"
            if "\t" in text
            else ""
        )
        raise OptionError(f"The mapping file '{path}' is not valid YAML{hint}: {exc}") from exc
    if not isinstance(data, dict):
        raise OptionError(
            f"The mapping file '{path}' must hold a mapping such as `interaction_id: Call Id`, "
            f"got {type(data).__name__}."
        )
    return data


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    for path in sorted(PRESETS_DIR.glob("*.yml")):
        raw = _read_yaml(path)
        parse_mapping(raw, origin=f"preset '{path.stem}'")
        _PRESETS.setdefault(path.stem, raw)


def register_preset(name: str, mapping: _MappingABC | str | Path) -> None:
    """Register a column-mapping preset under ``name`` (replacing one of the same name).

    Parameters
    ----------
    name : str
        The preset name, later passed as ``load_interactions(path, mapping=name)``.
    mapping : dict or path to a YAML file
        The mapping (validated now: a bad entry raises ``OptionError``).

    Examples
    --------
    >>> register_preset("my_crm", {"interaction_id": "Ticket", "created_at": "Opened"})
    >>> get_preset("my_crm")["created_at"]
    'Opened'
    """
    if not isinstance(name, str) or not name.strip():
        raise OptionError(f"`name` must be a non-empty text, got {name!r}.")
    _load_builtins()
    if isinstance(mapping, str | Path):
        found: list = []
        raw = _read_yaml(Path(mapping), found)
        for msg, fields in found:
            warnings.warn(msg.format(**fields), UserWarning, stacklevel=2)
    elif isinstance(mapping, _MappingABC):
        raw = copy.deepcopy(dict(mapping))
    else:
        raise OptionError(
            f"`mapping` must be a dict or a YAML file path, got {type(mapping).__name__}."
        )
    parse_mapping(raw, origin=f"preset '{name}'")
    _PRESETS[name] = raw


def get_preset(name: str) -> dict:
    """The mapping registered as ``name`` (a copy). Unknown names list the known ones."""
    _load_builtins()
    if name not in _PRESETS:
        raise OptionError(
            f"`mapping` preset must be one of {', '.join(repr(n) for n in list_presets())}, "
            f"got {name!r}. (Or pass a dict or the path of a YAML mapping file.)"
        )
    return copy.deepcopy(_PRESETS[name])


def list_presets() -> list[str]:
    """Names of the registered mapping presets, sorted."""
    _load_builtins()
    return sorted(_PRESETS)


def resolve_mapping(mapping: Any) -> ColumnMapping | None:
    """``None``, a dict, a :class:`ColumnMapping`, a preset name or a YAML path -> mapping."""
    if mapping is None:
        return None
    if isinstance(mapping, ColumnMapping):
        return mapping
    if isinstance(mapping, _MappingABC):
        return parse_mapping(mapping)
    if isinstance(mapping, str | Path):
        text = str(mapping)
        _load_builtins()
        if isinstance(mapping, str) and text in _PRESETS:
            return parse_mapping(_PRESETS[text], origin=f"preset '{text}'")
        path = Path(text)
        if path.suffix.lower() in (".yml", ".yaml") or path.is_file():
            if not path.is_file():
                raise OptionError(f"`mapping`: the mapping file '{text}' does not exist.")
            found: list = []
            parsed = parse_mapping(_read_yaml(path, found), origin=f"mapping file '{path.name}'")
            return dataclasses.replace(parsed, warnings=tuple(found))
        get_preset(text)  # raises, listing the known presets
    raise OptionError(
        f"`mapping` must be None, a dict, a YAML file path or a preset name "
        f"({', '.join(list_presets())}), got {type(mapping).__name__} {mapping!r}."
    )


def default_scales(mapping: ColumnMapping | None, scales: Any = None) -> dict[str, Scale]:
    """Default scales, overridden by the mapping's, overridden by the ``scales`` argument."""
    out = dict(DEFAULT_SCALES)
    if mapping is not None:
        out.update(mapping.scales)
    if scales is not None:
        if not isinstance(scales, _MappingABC):
            raise OptionError(f"`scales` must look like {{'csat': (1, 10)}}, got {scales!r}.")
        for key, value in scales.items():
            if key not in SCORE_COLUMNS:
                raise OptionError(
                    f"`scales` keys must be one of {', '.join(SCORE_COLUMNS)}, got {key!r}."
                )
            out[key] = parse_scale(value, what=f"scales[{key!r}]")
    return out
