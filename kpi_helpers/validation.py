"""Value parsers for real-world exports, and the row checks of the canonical table.

Parsers take a source column (a pandas Series of whatever a CSV/Excel/Parquet reader gives:
strings, numbers, ``datetime``/``time``/``timedelta`` objects) and return ``(values, bad)``:
the parsed canonical values (missing where the source is blank or unparseable) and a boolean
mask of the non-blank values that could not be parsed. Each distinct value is parsed once.

:func:`check_canonical` runs the row checks on a parsed canonical frame with a pandera
``DataFrameSchema`` (``lazy=True``) and returns one line per problem.

Examples
--------
>>> import pandas as pd
>>> values, bad = parse_bool(pd.Series(["S", "não", "talvez", None]))
>>> values.tolist(), bad.tolist()
([True, False, <NA>, <NA>], [False, False, True, False])
>>> parse_duration(pd.Series(["00:03:05", "75"]))[0].tolist()
[185.0, 75.0]
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as _pa
import pyarrow.compute as _pc
from pandas.api import types as ptypes

from .schema import DURATION_COLUMNS, SCORE_COLUMNS, TIMESTAMP_COLUMNS, Scale

__all__ = [
    "MISSING_TOKENS",
    "TRUE_TOKENS",
    "FALSE_TOKENS",
    "blank_mask",
    "fold",
    "parse_string",
    "parse_bool",
    "parse_number",
    "parse_int",
    "parse_duration",
    "day_fraction_column",
    "NumberFormat",
    "NumberEvidence",
    "number_evidence",
    "resolve_number_format",
    "parse_time_of_day",
    "parse_timestamp",
    "detect_dayfirst",
    "dayfirst_evidence",
    "dayfirst_spans",
    "check_canonical",
    "flag_in",
    "value_counts_text",
]

#: Texts read as a blank cell (compared lower-cased and stripped).
MISSING_TOKENS = frozenset({"", "nan", "nat", "null", "none", "n/a", "#n/a", "na", "-", "--"})
#: Yes/no tokens (compared lower-cased, stripped, accents removed).
TRUE_TOKENS = frozenset({"y", "yes", "s", "sim", "true", "t", "1", "x", "v", "verdadeiro"})
FALSE_TOKENS = frozenset({"n", "no", "nao", "false", "f", "0", "falso"})

_BAD = object()  # marker: a value that could not be parsed
_PANDAS3 = int(pd.__version__.split(".")[0]) >= 3
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_EXCEL_MAX = 2958466.0  # 9999-12-31
_NS_MIN, _NS_MAX = pd.Timestamp.min, pd.Timestamp.max


# --------------------------------------------------------------------------- helpers


def _decategorize(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A categorical column as its distinct values in use, plus one blank, as a plain
    Series; and each row's position among them (a missing value: the blank)."""
    cats = series.cat.categories
    m = len(cats)
    codes = series.cat.codes.to_numpy().astype(np.intp)
    codes[codes < 0] = m
    used = np.bincount(codes, minlength=m + 1) > 0
    used[m] = True
    new_pos = np.cumsum(used) - 1
    kept = cats[used[:m]]
    blank = pd.Series([np.nan], dtype=cats.dtype if cats.dtype != bool else object)
    values = pd.concat([pd.Series(kept, dtype=cats.dtype), blank], ignore_index=True)
    return values, new_pos[codes]


def _expand(result: Any, codes: np.ndarray, index: pd.Index) -> Any:
    """Per-value results (Series, arrays, tuples and dicts of them) spread back to rows."""
    if isinstance(result, pd.Series):
        return result.take(codes).set_axis(index)
    if isinstance(result, np.ndarray):
        return result[codes]
    if isinstance(result, tuple):
        return tuple(_expand(r, codes, index) for r in result)
    if isinstance(result, dict):
        return {k: _expand(v, codes, index) for k, v in result.items()}
    return result


def _per_value(func: Callable) -> Callable:
    """Run ``func`` on the distinct values of a categorical column (each parsed once) and
    spread the results back to its rows; other columns go to ``func`` as they are."""

    @functools.wraps(func)
    def wrapper(series, *args, **kwargs):
        if isinstance(getattr(series, "dtype", None), pd.CategoricalDtype):
            values, codes = _decategorize(series)
            return _expand(func(values, *args, **kwargs), codes, series.index)
        return func(series, *args, **kwargs)

    return wrapper


def _plain(series: pd.Series) -> pd.Series:
    """A categorical column as plain values (its categories' dtype); others as they are."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        return series.astype(cats.dtype if cats.dtype != bool else object)
    return series


def _np(values: Any) -> np.ndarray:
    """A pyarrow array (chunked or not) as a NumPy array."""
    return np.asarray(values.to_numpy(zero_copy_only=False))


def _rx(texts: pd.Series, pattern: str, how: str = "match", case: bool = True) -> np.ndarray:
    """Where ``pattern`` matches each text: at its start (``"match"``, as ``str.match``), the
    whole text (``"full"``) or anywhere (``"search"``); False for a missing value. Text in
    pyarrow storage goes to pyarrow's regex kernel directly (pandas falls back to Python's
    ``re``, value by value, for patterns with ``\\s``)."""
    if _arrow_text(texts):
        pat = {"match": f"^(?:{pattern})", "full": f"^(?:{pattern})$", "search": pattern}[how]
        got = _pc.match_substring_regex(_pa.array(texts.array), pat, ignore_case=not case)
        return _np(_pc.fill_null(got, False)).astype(bool)
    if how == "search":
        got = texts.str.contains(pattern, case=case, regex=True)
    else:
        got = getattr(texts.str, "fullmatch" if how == "full" else "match")(pattern, case=case)
    return got.fillna(False).to_numpy(dtype=bool)


def _arrow_text(series: pd.Series) -> bool:
    """Whether ``series`` holds text in pyarrow storage (pandas' ``str`` dtype on pandas 3)."""
    dtype = series.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def fold(value: Any) -> str:
    """Lower-case, strip and remove accents: ``" Não "`` -> ``"nao"``."""
    text = unicodedata.normalize("NFKD", str(value))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).strip().lower()


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return value.strip().lower() in MISSING_TOKENS
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


@_per_value
def blank_mask(series: pd.Series) -> pd.Series:
    """True where a cell is blank: NA, empty/whitespace text, or a token like ``N/A``."""
    mask = series.isna()
    if ptypes.is_string_dtype(series.dtype) and not ptypes.is_object_dtype(series.dtype):
        folded = series.str.strip().str.lower()
        return (mask | folded.isin(MISSING_TOKENS).fillna(False)).astype(bool)
    if ptypes.is_object_dtype(series.dtype):
        rest = series[~mask]
        if len(rest):
            res, codes = _unique_apply(rest, _is_blank)
            mask = mask.copy()
            mask.loc[rest.index] = np.asarray(res, dtype=bool)[codes]
    return mask


def _unique_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``values`` and each row's position among them."""
    try:
        codes, uniques = pd.factorize(values)
        uniq = np.asarray(uniques, dtype=object)
    except TypeError:  # unhashable cells (lists...): one entry per row
        uniq, codes = values.to_numpy(dtype=object), np.arange(len(values))
    return uniq, np.asarray(codes)


def _unique_apply(values: pd.Series, func: Callable[[Any], Any]) -> tuple[list, np.ndarray]:
    """Apply ``func`` once per distinct value; return the results and each row's code."""
    uniq, codes = _unique_codes(values)
    return [func(v) for v in uniq], codes


def _value_map(spec_values: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    return {fold(k): v for k, v in spec_values}


def apply_value_map(series: pd.Series, spec_values: Iterable[tuple[Any, Any]]) -> pd.Series:
    """Replace source values by a declared ``values:`` map (keys compared folded)."""
    vmap = _value_map(spec_values)
    if not vmap:
        return series
    if isinstance(series.dtype, pd.CategoricalDtype):  # map the distinct values, stay compact
        values, codes = _decategorize(series)
        mapped = apply_value_map(values, spec_values)
        new_codes, uniques = pd.factorize(mapped)
        out = pd.Categorical.from_codes(new_codes[codes], categories=pd.Index(uniques))
        return pd.Series(out, index=series.index)

    def one(v):
        if _is_blank(v):
            return v
        key = fold(v)
        return vmap[key] if key in vmap else v

    res, codes = _unique_apply(series, one)
    out = np.empty(len(res), dtype=object)
    out[:] = res
    return pd.Series(out[codes], index=series.index, dtype=object)


def _finish_float(series: pd.Series, func: Callable[[Any], Any]) -> tuple[pd.Series, pd.Series]:
    blank = blank_mask(series)
    values = np.full(len(series), np.nan)
    bad = np.zeros(len(series), dtype=bool)
    keep = ~blank.to_numpy()
    if keep.any():
        res, codes = _unique_apply(series[keep], func)
        bad_u = np.array([r is _BAD for r in res], dtype=bool)
        val_u = np.array([np.nan if r is _BAD or r is None else r for r in res], dtype=float)
        values[keep] = val_u[codes]
        bad[keep] = bad_u[codes]
    return (
        pd.Series(values, index=series.index, dtype="float64"),
        pd.Series(bad, index=series.index, dtype=bool),
    )


# --------------------------------------------------------------------------- strings


def _to_text(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))  # Excel gives ids like 1001 as 1001.0
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


@_per_value
def parse_string(series: pd.Series, *, lower: bool = False) -> pd.Series:
    """Text values stripped (``1001.0`` -> ``"1001"``), blanks missing."""
    blank = blank_mask(series)
    if ptypes.is_string_dtype(series.dtype) and not ptypes.is_object_dtype(series.dtype):
        text = series.str.strip()
        text = text.str.lower() if lower else text
        result = text.astype(object).where(~blank, np.nan)
        return result.astype("str") if _PANDAS3 else result
    out = np.full(len(series), np.nan, dtype=object)
    keep = ~blank.to_numpy()
    if keep.any():
        res, codes = _unique_apply(series[keep], _to_text)
        res_arr = np.empty(len(res), dtype=object)
        res_arr[:] = [r.lower() if lower else r for r in res]
        out[keep] = res_arr[codes]
    result = pd.Series(out, index=series.index, dtype=object)
    return result.astype("str") if _PANDAS3 else result


# --------------------------------------------------------------------------- booleans


@_per_value
def parse_bool(
    series: pd.Series,
    *,
    true_values: Iterable[str] = (),
    false_values: Iterable[str] = (),
    otherwise: bool | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Yes/no values -> pandas ``boolean``.

    Accepts Y/N, S/N, Sim/Não, yes/no, true/false, T/F, V/F, 1/0 and x (case and accents
    ignored), Python/NumPy booleans and the numbers 1/0, plus ``true_values`` /
    ``false_values`` (which win over those words). A checkbox-style column (only ``x``
    marks, no "no" token) reads its blanks as False. A count column (whole numbers >= 0,
    some above 1, such as Zendesk's "Reopens") reads a count above 0 as True and 0 as False
    (unless lists or ``otherwise`` are given). Anything else is bad, or ``otherwise``
    (``True``/``False``) when given. Blanks stay blank.

    >>> parse_bool(pd.Series(["Resolved", "Open", ""]), true_values=["resolved"],
    ...            otherwise=False)[0].tolist()
    [True, False, <NA>]
    """
    extra_true = {fold(v) for v in true_values}
    extra_false = {fold(v) for v in false_values}
    declared = bool(extra_true or extra_false) or otherwise is not None
    if ptypes.is_bool_dtype(series.dtype):
        return series.astype("boolean"), pd.Series(False, index=series.index)

    def one(v):
        if isinstance(v, bool | np.bool_):
            return bool(v)
        if isinstance(v, int | float | np.integer | np.floating):
            key = fold(_to_text(v))
            if key in extra_true or key in extra_false:
                return key in extra_true
            if v in (0, 1):
                return v == 1
            return _BAD if otherwise is None else otherwise
        key = fold(v)
        if key in extra_true:
            return True
        if key in extra_false:
            return False
        if key in TRUE_TOKENS:
            return True
        if key in FALSE_TOKENS:
            return False
        return _BAD if otherwise is None else otherwise

    blank = blank_mask(series)
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    bad = pd.Series(False, index=series.index)
    keep = ~blank
    if keep.any():
        uniq, codes = _unique_codes(series[keep])
        counts = None if declared else _counts(uniq)
        if counts is not None:  # "Reopens": 0, 1, 2... -> reopened or not
            out[keep] = pd.array(counts > 0, dtype="boolean")[codes]
            return out, bad
        res = [one(v) for v in uniq]
        bad_u = np.array([r is _BAD for r in res], dtype=bool)
        val_u = pd.array([pd.NA if r is _BAD else r for r in res], dtype="boolean")
        out[keep] = val_u[codes]
        bad[keep] = bad_u[codes]
        uniq_keys = {fold(v) for v in series[keep].astype(str).unique()}
        falses = (FALSE_TOKENS | extra_false) - extra_true
        if "x" in uniq_keys and not (uniq_keys & falses):
            out[blank] = False  # checkbox column: a blank box is "no"
    return out, bad


@_per_value
def flag_in(series: pd.Series, values: Iterable[Any]) -> pd.Series:
    """A flag that is true where the value is one of ``values`` (case, accents and spaces
    around folded), false for any other value; blanks stay blank.

    >>> flag_in(pd.Series(["Delivered", "canceled", None]), ["delivered"]).tolist()
    [True, False, <NA>]
    """
    wanted = {fold(v) for v in values}
    blank = blank_mask(series)
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    keep = ~blank
    if keep.any():
        res, codes = _unique_apply(series[keep], lambda v: fold(_to_text(v)) in wanted)
        out[keep] = pd.array(res, dtype="boolean")[codes]
    return out


def value_counts_text(series: pd.Series, limit: int = 10) -> tuple[list[tuple[str, int]], int]:
    """The distinct non-blank values of ``series`` as text, most frequent first, with their
    counts (at most ``limit``), and the number of distinct values."""
    series = _plain(series)
    keep = series[~blank_mask(series)]
    if keep.empty:
        return [], 0
    counts = keep.map(_to_text).value_counts(sort=False)
    order = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [(str(k), int(v)) for k, v in order[:limit]], len(order)


def _counts(uniq: np.ndarray) -> np.ndarray | None:
    """The values as counts when every one is a whole number >= 0 and some is above 1."""
    found = np.empty(len(uniq), dtype="float64")
    for i, v in enumerate(uniq):
        if isinstance(v, bool | np.bool_):
            return None
        if isinstance(v, int | float | np.integer | np.floating):
            found[i] = float(v)
        elif isinstance(v, str) and _NUMBER_RE.match(v.strip()):
            found[i] = float(v.strip())
        else:
            return None
    whole = np.isfinite(found) & (found >= 0) & (found == np.round(found))
    return found if whole.all() and (found > 1).any() else None


# --------------------------------------------------------------------------- numbers

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: Currency symbols and codes stripped from money values ("R$ 1.234,56", "1,234.56 USD").
_CURRENCY_RE = re.compile(
    r"^(?:R\$|US\$|\$|€|£|BRL|USD|EUR)|(?:R\$|US\$|\$|€|£|BRL|USD|EUR)$", re.I
)
_SPACES_RE = re.compile(r"[\s\u00a0\u202f']")
#: Digits and separators only (what the decimal-mark inference looks at).
_SEPARATED_RE = re.compile(r"^[+-]?\d[\d.,]*$|^[+-]?[.,]\d[\d.,]*$")
_GROUPED_RE = {
    ",": re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+$"),
    ".": re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+$"),
}
#: The decimal marks a mapping may declare.
DECIMAL_MARKS = (",", ".")


@dataclass(frozen=True)
class NumberFormat:
    """How the separators of a column's numbers read.

    ``comma`` / ``dot`` say how a lone separator followed by exactly three digits reads
    (``"1,200"``, ``"1.000"``): ``"decimal"`` or ``"thousands"``. Values that show their
    convention (``"1.234,5"``, ``"4,5"``, ``"1.234.567"``) always read their own way unless
    ``strict`` (a declared decimal mark), where a value that contradicts it is bad.
    """

    comma: str = "decimal"
    dot: str = "decimal"
    strict: bool = False

    @classmethod
    def declared(cls, decimal: str) -> NumberFormat:
        """The format of a declared decimal mark: ``","`` (``1.234,5``) or ``"."``."""
        if decimal not in DECIMAL_MARKS:
            raise ValueError(f"a decimal mark must be ',' or '.', got {decimal!r}")
        other = "thousands"
        return cls(
            comma="decimal" if decimal == "," else other,
            dot="decimal" if decimal == "." else other,
            strict=True,
        )

    def role(self, sep: str) -> str:
        return self.comma if sep == "," else self.dot


@dataclass(frozen=True)
class NumberEvidence:
    """What a column's own values say about its separators (see :func:`number_evidence`).

    ``roles[sep]`` is the set of readings some value forces (``{"decimal"}``,
    ``{"thousands"}``, both or none); ``ambiguous[sep]`` an example value that reads both
    ways (``"1,200"``), or ``None``.
    """

    roles: dict = field(default_factory=lambda: {",": set(), ".": set()})
    ambiguous: dict = field(default_factory=lambda: {",": None, ".": None})

    def decided(self, sep: str) -> str | None:
        got = self.roles[sep]
        return next(iter(got)) if len(got) == 1 else None

    def decimal_votes(self) -> set[str]:
        """The decimal marks the column's decided separators point to (for the file's)."""
        votes = set()
        for sep, other in ((",", "."), (".", ",")):
            role = self.decided(sep)
            if role == "decimal":
                votes.add(sep)
            elif role == "thousands":
                votes.add(other)
        return votes


def _clean_number_text(text: str) -> str:
    t = _SPACES_RE.sub("", text.strip())
    sign = ""
    if t[:1] in "+-" and t[:1]:
        sign, t = t[0], t[1:]
    t = _CURRENCY_RE.sub("", t)
    if not sign and t[:1] in "+-" and t[:1]:
        sign, t = t[0], t[1:]
    return sign + t


@_per_value
def number_evidence(series: pd.Series) -> NumberEvidence:
    """What the text numbers of a column say about their decimal mark (vectorized).

    A value with both separators decides (the last one is the decimal); a separator seen
    more than once in a value is a thousands separator; a single one not followed by exactly
    three digits (or after a leading group of more than three digits, or a leading 0) is
    the decimal. ``"1,200"`` and ``"1.000"`` decide nothing (:attr:`NumberEvidence.ambiguous`).
    """
    ev = NumberEvidence()
    if not (ptypes.is_object_dtype(series.dtype) or ptypes.is_string_dtype(series.dtype)):
        return ev
    uniq, _ = _unique_codes(series.dropna())
    texts = [v for v in uniq if isinstance(v, str) and ("," in v or "." in v)]
    if not texts:
        return ev
    t = pd.Series([_clean_number_text(v) for v in texts], dtype=object)
    t = t[t.str.match(_SEPARATED_RE).to_numpy(dtype=bool)]
    if t.empty:
        return ev
    n_c = t.str.count(",").to_numpy()
    n_d = t.str.count(r"\.").to_numpy()
    both = (n_c > 0) & (n_d > 0)
    comma_last = both & (t.str.rfind(",").to_numpy() > t.str.rfind(".").to_numpy())
    # "1.234,5" / "1,234.5": the integer part must be grouped by threes to count
    head_c = t.str.replace(r",\d*$", "", regex=True).str.fullmatch(_GROUPED_RE["."])
    head_d = t.str.replace(r"\.\d*$", "", regex=True).str.fullmatch(_GROUPED_RE[","])
    if (comma_last & (n_c == 1) & head_c.to_numpy(dtype=bool)).any():
        ev.roles[","].add("decimal")
        ev.roles["."].add("thousands")
    if (both & ~comma_last & (n_d == 1) & head_d.to_numpy(dtype=bool)).any():
        ev.roles["."].add("decimal")
        ev.roles[","].add("thousands")
    for sep, n, other in ((",", n_c, n_d), (".", n_d, n_c)):
        only = (n > 0) & (other == 0)
        grouped_all = t.str.fullmatch(_GROUPED_RE[sep]).to_numpy(dtype=bool)
        if (only & (n > 1) & grouped_all).any():
            ev.roles[sep].add("thousands")
        once = only & (n == 1)
        grouped = once & grouped_all
        if (once & ~grouped).any():
            ev.roles[sep].add("decimal")
        if grouped.any():
            ev.ambiguous[sep] = str(t[grouped].iloc[0])
    return ev


def resolve_number_format(
    evidence: NumberEvidence,
    *,
    decimal: str | None = None,
    file_decimal: str | None = None,
) -> tuple[NumberFormat, list[str]]:
    """The :class:`NumberFormat` of a column, and the ambiguous values it had to guess.

    A declared ``decimal`` wins. Otherwise each separator reads as the column's own values
    say; a separator they leave open follows the other one (a decimal comma makes the dot
    the thousands separator), else ``file_decimal`` (the convention of the rest of the
    file), else the thousands reading. The second item lists one example value per
    separator read without the column's own evidence (empty when nothing was guessed).
    """
    if decimal is not None:
        return NumberFormat.declared(decimal), []
    roles = {sep: evidence.decided(sep) for sep in DECIMAL_MARKS}
    guessed: list[str] = []
    final = {}
    for sep, other in ((",", "."), (".", ",")):
        role = roles[sep]
        if role is None and not evidence.roles[sep] and roles[other] is not None:
            role = "thousands" if roles[other] == "decimal" else "decimal"
        if role is None:
            if evidence.ambiguous[sep] is not None:
                guessed.append(evidence.ambiguous[sep])
                if file_decimal in DECIMAL_MARKS:
                    role = "decimal" if file_decimal == sep else "thousands"
                else:
                    role = "thousands"
            else:
                role = "decimal"
        final[sep] = role
    return NumberFormat(comma=final[","], dot=final["."]), guessed


_DEFAULT_FORMAT = NumberFormat()


def _as_format(decimal: Any, series: pd.Series | None = None) -> NumberFormat:
    if isinstance(decimal, NumberFormat):
        return decimal
    if decimal is not None:
        return NumberFormat.declared(decimal)
    if series is None:
        return _DEFAULT_FORMAT
    return resolve_number_format(number_evidence(series))[0]


def _number_from_text(text: str, fmt: NumberFormat = _DEFAULT_FORMAT) -> Any:
    t = _clean_number_text(text)
    has_c, has_d = "," in t, "." in t
    if has_c and has_d:
        dec = "," if t.rfind(",") > t.rfind(".") else "."
        thou = "." if dec == "," else ","
        if fmt.strict and fmt.role(dec) != "decimal":
            return _BAD
        int_part, _, frac = t.rpartition(dec)
        if dec in int_part or thou in frac or not _GROUPED_RE[thou].match(int_part):
            return _BAD
        t = int_part.replace(thou, "") + "." + frac
    elif has_c or has_d:
        sep = "," if has_c else "."
        role = fmt.role(sep)
        grouped = _GROUPED_RE[sep].match(t) is not None
        if t.count(sep) > 1:
            if not grouped or (fmt.strict and role == "decimal"):
                return _BAD
            t = t.replace(sep, "")
        elif grouped and role == "thousands":
            t = t.replace(sep, "")
        elif fmt.strict and role == "thousands":
            return _BAD
        else:
            t = t.replace(sep, ".")
    if not _NUMBER_RE.match(t):
        return _BAD
    f = float(t)
    return f if math.isfinite(f) else _BAD


def _number(v: Any, fmt: NumberFormat = _DEFAULT_FORMAT) -> Any:
    if isinstance(v, bool | np.bool_):
        return _BAD
    if isinstance(v, int | float | np.integer | np.floating | Decimal):
        f = float(v)
        return f if math.isfinite(f) else _BAD
    if isinstance(v, str):
        return _number_from_text(v, fmt)
    return _BAD


@_per_value
def parse_number(
    series: pd.Series, *, decimal: str | NumberFormat | None = None
) -> tuple[pd.Series, pd.Series]:
    """Numbers -> float64; text may use a decimal comma (``"4,5"``) and thousands separators.

    ``decimal`` (``","`` or ``"."``, or a :class:`NumberFormat`) fixes the decimal mark;
    by default the column's values decide (:func:`number_evidence`), and a column whose
    every separated value reads both ways (``"1,200"``) takes the separator as thousands.
    Currency symbols and codes (``R$``, ``US$``, ``$``, ``€``, ``BRL``...) and spaces are
    ignored.
    """
    if ptypes.is_numeric_dtype(series.dtype) and not ptypes.is_bool_dtype(series.dtype):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        bad = pd.Series(~np.isfinite(values.fillna(0.0).to_numpy()), index=series.index)
        return values.where(~bad), bad
    fmt = _as_format(decimal, series)
    return _finish_float(series, lambda v: _number(v, fmt))


@_per_value
def parse_int(
    series: pd.Series, *, decimal: str | NumberFormat | None = None
) -> tuple[pd.Series, pd.Series]:
    """Whole numbers -> ``Int64``; a fractional number is bad."""
    values, bad = parse_number(series, decimal=decimal)
    frac = values.notna() & ((values != values.round()) | (values.abs() > 2.0**53))
    bad = bad | frac
    values = values.where(~frac)
    return values.round().astype("Int64"), bad


# --------------------------------------------------------------------------- durations

_UNIT_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}
_CLOCK_UNITS = ("hh:mm:ss", "mm:ss", "hh:mm")


def _clock_text(text: str, *, two_parts: str) -> Any:
    t = text.strip()
    neg = t.startswith("-")
    if neg:
        t = t[1:]
    parts = t.split(":")
    if len(parts) not in (2, 3):
        return _BAD
    try:
        nums = [float(p.replace(",", ".")) for p in parts]
    except ValueError:
        return _BAD
    if any(n < 0 for n in nums) or any(not p.strip() for p in parts):
        return _BAD
    if len(nums) == 3:
        h, m, s = nums
        if m >= 60 or s >= 60:
            return _BAD
        total = h * 3600 + m * 60 + s
    elif two_parts == "hh:mm":
        h, m = nums
        if m >= 60:
            return _BAD
        total = h * 3600 + m * 60
    else:
        m, s = nums
        if s >= 60:
            return _BAD
        total = m * 60 + s
    return -total if neg else total


def _clock_number(f: float) -> float:
    """A plain number in an hh:mm:ss column: a whole number >= 1 is seconds (a mixed export
    such as ``"0:05:30"`` and ``300``); anything else an Excel fraction of a day."""
    return f if f >= 1 and f.is_integer() else f * 86400.0


def _duration(v: Any, unit: str | None, fmt: NumberFormat = _DEFAULT_FORMAT) -> Any:
    unit = unit or "seconds"
    if isinstance(v, bool | np.bool_):
        return _BAD
    if isinstance(v, _dt.time):
        return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
    if isinstance(v, _dt.timedelta | np.timedelta64):
        return pd.Timedelta(v).total_seconds()
    if isinstance(v, _dt.datetime):  # Excel [h]:mm:ss cells past 24 h: 1900-01-01 06:00
        if v.year <= 1900:
            return (pd.Timestamp(v) - _EXCEL_EPOCH).total_seconds()
        return _BAD
    if isinstance(v, int | float | np.integer | np.floating | Decimal):
        f = float(v)
        if not math.isfinite(f):
            return _BAD
        if unit in _CLOCK_UNITS:
            return _clock_number(f)
        return f * _UNIT_SECONDS[unit]
    if isinstance(v, str):
        if ":" in v:
            if re.match(r"^\s*-?\d+\s*(d|day|days|dia|dias)\b", v, re.I):
                try:
                    return pd.Timedelta(
                        v.replace("dias", "days").replace("dia", "day")
                    ).total_seconds()
                except (ValueError, TypeError):
                    return _BAD
            return _clock_text(v, two_parts="hh:mm" if unit == "hh:mm" else "mm:ss")
        num = _number_from_text(v, fmt)
        if num is not _BAD:
            return _duration(num, unit)
        try:
            return pd.Timedelta(v.strip()).total_seconds()
        except (ValueError, TypeError):
            return _BAD
    return _BAD


@_per_value
def parse_duration(
    series: pd.Series,
    *,
    unit: str | None = None,
    decimal: str | NumberFormat | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Durations -> float64 seconds.

    Numbers are in ``unit`` (default seconds; ``minutes``, ``hours``, ``days``; with
    ``hh:mm:ss``-like units a fraction is an Excel fraction of a day, a whole number >= 1
    seconds). Text ``h:mm:ss``,
    ``mm:ss`` (``hh:mm`` with ``unit="hh:mm"``), ``1 day, 06:00:00``; ``datetime.time``,
    ``timedelta`` values. Text numbers read their decimal mark as :func:`parse_number` does
    (``decimal``).
    """
    if ptypes.is_timedelta64_dtype(series.dtype):
        return series.dt.total_seconds().astype("float64"), pd.Series(False, index=series.index)
    if ptypes.is_numeric_dtype(series.dtype) and not ptypes.is_bool_dtype(series.dtype):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        if unit in _CLOCK_UNITS:
            seconds = (values >= 1) & (values == values.round())
            values = values.where(seconds, values * 86400.0)
        else:
            values = values * _UNIT_SECONDS[unit or "seconds"]
        bad = pd.Series(~np.isfinite(values.fillna(0.0).to_numpy()), index=series.index)
        return values.where(~bad), bad
    fmt = _as_format(decimal, series)
    return _finish_float(series, lambda v: _duration(v, unit, fmt))


@_per_value
def day_fraction_column(series: pd.Series, *, decimal: str | NumberFormat | None = None) -> bool:
    """True when a duration column's plain numbers are all in [0, 1) and not all 0: Excel
    times stored as fractions of a day (``0.0038194`` = 5 min 30 s), not seconds.

    Clock texts (``"0:05:30"``), ``time`` and ``timedelta`` values are not looked at.
    """
    if ptypes.is_bool_dtype(series.dtype) or ptypes.is_timedelta64_dtype(series.dtype):
        return False
    if ptypes.is_numeric_dtype(series.dtype):
        nums = pd.to_numeric(series, errors="coerce").dropna().to_numpy(dtype="float64")
    else:
        fmt = _as_format(decimal, series)
        uniq, _ = _unique_codes(series.dropna())
        found = []
        for v in uniq:
            if isinstance(v, str) and (":" in v or _is_blank(v)):
                continue
            if isinstance(v, str | int | float | np.integer | np.floating | Decimal):
                f = _number(v, fmt)
                if f is not _BAD:
                    found.append(f)
        nums = np.asarray(found, dtype="float64")
    nums = nums[np.isfinite(nums)]
    return bool(len(nums) and (nums >= 0).all() and (nums < 1).all() and (nums > 0).any())


_TIME_RE = re.compile(
    r"^(\d{1,2})[:hH](\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(?:([AaPp])\.?[Mm]\.?)?$"
)


def _time_of_day(v: Any) -> Any:
    if isinstance(v, bool | np.bool_):
        return _BAD
    if isinstance(v, _dt.time):
        return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
    if isinstance(v, _dt.datetime):
        return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
    if isinstance(v, _dt.timedelta | np.timedelta64):
        s = pd.Timedelta(v).total_seconds()
        return s if 0 <= s < 86400 else _BAD
    if isinstance(v, int | float | np.integer | np.floating | Decimal):
        f = float(v)
        if not math.isfinite(f) or f < 0:
            return _BAD
        frac = f - math.floor(f) if f >= 1 else f  # an Excel serial date-time: keep the time
        return round(frac * 86400.0, 3)
    if isinstance(v, str):
        m = _TIME_RE.match(v.strip())
        if not m:
            num = _number_from_text(v)
            return _BAD if num is _BAD else _time_of_day(num)
        h, mi = int(m.group(1)), int(m.group(2))
        s = int(m.group(3) or 0)
        us = int((m.group(4) or "0").ljust(6, "0"))
        ampm = (m.group(5) or "").lower()
        if ampm:
            if not 1 <= h <= 12:
                return _BAD
            h = h % 12 + (12 if ampm == "p" else 0)
        if h > 23 or mi > 59 or s > 59:
            return _BAD
        return h * 3600 + mi * 60 + s + us / 1e6
    return _BAD


@_per_value
def parse_time_of_day(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Times of day -> float64 seconds since midnight.

    ``datetime.time`` (Excel time cells), ``"14:05"``, ``"2:05:09 PM"``, Excel fractions of a
    day (``0.5`` = 12:00), the time part of a ``datetime``.
    """
    return _finish_float(series, _time_of_day)


# --------------------------------------------------------------------------- timestamps

_ISO_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_TZ_SUFFIX_RE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$", re.I)
_DMY_RE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*(?:([AaPp])\.?[Mm]\.?)?)?$"
)


_DMY_HEAD_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-]")


@_per_value
def detect_dayfirst(series: pd.Series) -> str | None:
    """How the ``dd/mm`` vs ``mm/dd`` texts of a column read.

    Returns ``"day"`` (a date that reads only day-first was seen: first number 13-31, second
    1-12), ``"month"`` (one that reads only month-first), ``"conflict"`` (both: see
    :func:`dayfirst_evidence`), ``"ambiguous"`` (every such date reads both ways) or ``None``
    (no such texts). A text that reads neither way (``13/13/2025``) is no evidence.
    """
    if not (ptypes.is_object_dtype(series.dtype) or ptypes.is_string_dtype(series.dtype)):
        return None
    if _arrow_text(series):  # pyarrow's kernels on every value (no Python loop)
        texts = series.dropna().str.strip()
    else:
        uniq, _ = _unique_codes(series.dropna())
        texts = pd.Series([v for v in uniq if isinstance(v, str)], dtype=object).str.strip()
    if texts.empty:
        return None
    texts = texts[_rx(texts, _DMY_RE.pattern)]
    heads = texts.str.slice(0, 10).unique()  # dates repeat: few
    heads = pd.Series(np.asarray(heads, dtype=object), dtype=object)
    parts = heads.str.extract(_DMY_HEAD_RE).dropna().astype(int)
    if parts.empty:
        return None
    day_only, month_only = _only_one_reading(parts[0], parts[1])
    first_big = bool(day_only.any())
    second_big = bool(month_only.any())
    if first_big and second_big:
        return "conflict"
    if first_big:
        return "day"
    if second_big:
        return "month"
    return "ambiguous"


def _only_one_reading(first: pd.Series, second: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The ``first/second/...`` dates that read only day-first, and only month-first."""
    day_only = first.between(13, 31) & second.between(1, 12)
    month_only = second.between(13, 31) & first.between(1, 12)
    return day_only, month_only


@_per_value
def dayfirst_evidence(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (per row) of the ``dd/mm/yyyy``-like texts of ``series`` that read only
    day-first (``13/01/2026``) and only month-first (``01/13/2026``); a column with both
    contradicts itself (:func:`detect_dayfirst` says ``"conflict"``).

    >>> day, month = dayfirst_evidence(pd.Series(["13/01/2026", "01/02/2026", "01/13/2026"]))
    >>> day.tolist(), month.tolist()
    ([True, False, False], [False, False, True])
    """
    n = len(series)
    none = np.zeros(n, dtype=bool)
    if not (ptypes.is_object_dtype(series.dtype) or ptypes.is_string_dtype(series.dtype)):
        return none, none.copy()
    texts = series.map(lambda v: v.strip() if isinstance(v, str) else None, na_action="ignore")
    texts = texts.astype(object).where(texts.notna(), "")
    dmy = texts.str.match(_DMY_RE.pattern).fillna(False).to_numpy(dtype=bool)
    parts = texts.str.extract(_DMY_HEAD_RE)
    first = pd.to_numeric(parts[0], errors="coerce").where(dmy)
    second = pd.to_numeric(parts[1], errors="coerce").where(dmy)
    day_only, month_only = _only_one_reading(first, second)
    return day_only.to_numpy(dtype=bool), month_only.to_numpy(dtype=bool)


_DMY_DATE_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")


def dayfirst_spans(columns: Iterable[pd.Series]) -> tuple[float, float]:
    """How many days the ``dd/mm/yyyy``-like texts of ``columns`` span when read day-first
    and when read month-first (an export covers a short period: the reading whose dates lie
    closer together is the likely one)."""
    heads = []
    for series in columns:
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = _decategorize(series)[0]
        if not (ptypes.is_object_dtype(series.dtype) or ptypes.is_string_dtype(series.dtype)):
            continue
        uniq, _ = _unique_codes(series.dropna())
        texts = pd.Series([v for v in uniq if isinstance(v, str)], dtype=object).str.strip()
        heads.extend(texts.str.slice(0, 10).unique().tolist())
    parts = pd.Series(heads, dtype=object).str.extract(_DMY_DATE_RE).dropna()
    if parts.empty:
        return 0.0, 0.0
    a, b = parts[0].astype(int), parts[1].astype(int)
    year = parts[2].astype(int)
    year = year.where(parts[2].str.len() == 4, np.where(year < 70, 2000 + year, 1900 + year))

    def span(day: pd.Series, month: pd.Series) -> float:
        stamps = pd.to_datetime(
            pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce"
        ).dropna()
        return float((stamps.max() - stamps.min()).days) if len(stamps) else 0.0

    return span(a, b), span(b, a)


def _naive_local(ts: pd.Timestamp, timezone: str) -> pd.Timestamp:
    if ts.tzinfo is not None:
        ts = ts.tz_convert(timezone).tz_localize(None)
    return ts


def _other_text(text: str, dayfirst: bool, timezone: str) -> Any:
    """Texts that are neither ISO nor dd/mm/yyyy: one at a time through pandas' reader."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ts = pd.to_datetime(text, format="mixed", dayfirst=dayfirst)
        except (ValueError, TypeError, OverflowError):
            return _BAD
    if ts is pd.NaT or not isinstance(ts, pd.Timestamp):
        return _BAD
    return ts


#: Years a timestamp may have (the range of ``datetime64[ns]``).
YEAR_MIN, YEAR_MAX = _NS_MIN.year + 1, _NS_MAX.year - 1
_ISO_YEAR_RE = re.compile(r"^\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T]|$)")


def _years_of(values: pd.Series) -> np.ndarray:
    """The year of each datetime64 value (any unit), NaN where missing."""
    try:
        return values.dt.year.astype("float64").to_numpy()
    except (AttributeError, ValueError, OverflowError):  # pragma: no cover - defensive
        return np.full(len(values), np.nan)


def _as_naive_ns(values: pd.Series, timezone: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """datetime64 values (any unit, maybe tz-aware) -> naive local ns array, a bad mask, and
    the year of each value outside the ``datetime64[ns]`` range (NaN elsewhere)."""
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_convert(timezone).dt.tz_localize(None)
    ok = values.notna() & (values > _NS_MIN) & (values < _NS_MAX)
    outside = (values.notna() & ~ok).to_numpy()
    years = np.full(len(values), np.nan)
    if outside.any():
        years[outside] = _years_of(values[outside])
    out = values.where(ok).astype("datetime64[ns]")
    return out.to_numpy(), ~ok.to_numpy(), years


def _excel_serials(numbers: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Excel serial day numbers -> ns timestamps, a bad mask, and the year of serials that
    are valid Excel dates but beyond the ``datetime64[ns]`` range (NaN elsewhere)."""
    nums = numbers.astype("float64").to_numpy()
    ok = (nums > 0) & (nums < _EXCEL_MAX)
    millis = np.round(np.where(ok, nums, 0.0) * 86400000.0).astype("int64")
    stamps = np.datetime64("1899-12-30", "ms") + millis.astype("timedelta64[ms]")
    lo, hi = np.datetime64(_NS_MIN.asm8, "ms"), np.datetime64(_NS_MAX.asm8, "ms")
    inside = ok & (stamps > lo) & (stamps < hi)
    years = np.full(len(nums), np.nan)
    far = ok & ~inside
    if far.any():
        years[far] = stamps[far].astype("datetime64[Y]").astype("int64") + 1970
    out = np.where(inside, stamps, np.datetime64("NaT", "ms")).astype("datetime64[ns]")
    return out, ~inside, years


def _dmy_vectorized(texts: pd.Series, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dd/mm/yyyy [hh:mm[:ss[.f]]] texts: the usual formats first (fast), then piece by piece."""
    vals = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    years = np.full(len(texts), np.nan)
    todo = np.ones(len(texts), dtype=bool)
    dm = "%d{s}%m{s}%Y" if dayfirst else "%m{s}%d{s}%Y"
    for sep in "/.-":
        for tail in (" %H:%M:%S", " %H:%M", "", " %H:%M:%S.%f"):
            if not todo.any():
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stamps = pd.to_datetime(
                    texts[todo], format=dm.format(s=sep) + tail, errors="coerce", exact=True
                )
            ok = (stamps.notna() & (stamps > _NS_MIN) & (stamps < _NS_MAX)).to_numpy()
            pos = np.flatnonzero(todo)[ok]
            vals[pos] = stamps[ok].astype("datetime64[ns]").to_numpy()
            todo[pos] = False
    bad = np.zeros(len(texts), dtype=bool)
    if todo.any():
        v, b, y = _dmy_pieces(texts[todo], dayfirst)
        vals[todo] = v
        bad[todo] = b
        years[todo] = y
    return vals, bad, years


#: The usual dd/mm/yyyy[ hh:mm[:ss]] layout, cut by position (see :func:`_dmy_arrow`).
_DMY_FIXED = r"^\d{2}[/.\-]\d{2}[/.\-]\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?$"
_DMY_NAMED = (
    r"^(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})"
    r"(?:[ T,]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,6}))?)?"
    r"\s*(?:(?P<ap>[AaPp])\.?[Mm]\.?)?)?$"
)


def _dmy_arrow(texts: pd.Series, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_dmy_pieces` for texts in pyarrow storage (that match ``_DMY_RE``): the pieces
    cut by pyarrow's kernels (by position for the usual ``dd/mm/yyyy[ hh:mm[:ss]]``, by
    regex for the rest), the timestamps put together with NumPy."""
    arr = _pa.array(texts.array)
    if isinstance(arr, _pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    a, b, year, hour, minute, second, micro = (np.zeros(n, dtype=np.int64) for _ in range(7))
    four, has_ampm, pm = (np.zeros(n, dtype=bool) for _ in range(3))
    if arr.type != _pa.string():
        arr = arr.cast(_pa.string())  # 32-bit offsets (read below)
    length = _np(_pc.binary_length(arr))
    fixed = _np(_pc.match_substring_regex(arr, _DMY_FIXED)).astype(bool)

    def number(text: Any, default: str = "0") -> np.ndarray:
        text = _pc.if_else(_pc.equal(text, ""), default, text)
        return _np(_pc.cast(text, _pa.int64()))

    for size in (10, 16, 19):  # ASCII texts of one length: a matrix of digits
        sel = fixed & (length == size)
        if not sel.any():
            continue
        pos = np.flatnonzero(sel)
        sub = arr.filter(_pa.array(sel))
        offsets = np.frombuffer(sub.buffers()[1], dtype=np.int32)[sub.offset :]
        data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)
        digits = data[offsets[0] : offsets[0] + len(sub) * size].reshape(-1, size)

        def two(j: int, digits: np.ndarray = digits) -> np.ndarray:
            return (digits[:, j].astype(np.int64) - 48) * 10 + (digits[:, j + 1] - 48)

        a[pos], b[pos] = two(0), two(3)
        year[pos] = two(6) * 100 + two(8)
        four[pos] = True
        if size >= 16:
            hour[pos], minute[pos] = two(11), two(14)
        if size == 19:
            second[pos] = two(17)
    rest = ~fixed
    if rest.any():
        pos = np.flatnonzero(rest)
        parts = _pc.extract_regex(arr.filter(_pa.array(rest)), _DMY_NAMED)
        field_of = parts.field
        a[pos], b[pos], year[pos] = (
            number(field_of("a")),
            number(field_of("b")),
            number(field_of("y")),
        )
        four[pos] = _np(_pc.equal(_pc.utf8_length(field_of("y")), 4)).astype(bool)
        hour[pos], minute[pos] = number(field_of("h")), number(field_of("mi"))
        second[pos] = number(field_of("s"))
        frac = field_of("f")
        digits = _np(_pc.utf8_length(frac))
        micro[pos] = number(frac) * 10 ** (6 - np.where(digits == 0, 6, digits))
        ampm = _pc.utf8_lower(field_of("ap"))
        has_ampm[pos] = _np(_pc.not_equal(ampm, "")).astype(bool)
        pm[pos] = _np(_pc.equal(ampm, "p")).astype(bool)
    year = np.where(four, year, np.where(year < 70, 2000 + year, 1900 + year))
    day, month = (a, b) if dayfirst else (b, a)
    bad = (hour > 23) | (minute > 59) | (second > 59) | (has_ampm & ((hour < 1) | (hour > 12)))
    hour = np.where(has_ampm, hour % 12 + np.where(pm, 12, 0), hour)
    bad |= (month < 1) | (month > 12) | (day < 1) | (day > 31)
    far = ~bad & ((year < YEAR_MIN) | (year > YEAR_MAX))
    years = np.where(far, year, np.nan).astype("float64")
    bad |= far
    y = np.where(bad, 2000, year)
    mo = np.where(bad, 1, month)
    first = ((y - 1970) * 12 + (mo - 1)).astype("datetime64[M]")
    start = first.astype("datetime64[D]")
    days_in_month = ((first + 1).astype("datetime64[D]") - start).astype(np.int64)
    bad |= day > days_in_month  # 31/02 is no date
    d = np.where(bad, 1, day)
    stamps = (start + (d - 1)).astype("datetime64[ns]") + (
        ((hour * 60 + minute) * 60 + second) * 1_000_000_000 + micro * 1000
    ).astype("timedelta64[ns]")
    stamps[bad] = np.datetime64("NaT")
    return stamps, bad, years


def _dmy_pieces(texts: pd.Series, dayfirst: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parts = texts.str.extract(_DMY_RE)
    a = parts[0].astype(int)
    b = parts[1].astype(int)
    year = parts[2].astype(int)
    year = year.where(parts[2].str.len() == 4, np.where(year < 70, 2000 + year, 1900 + year))
    day, month = (a, b) if dayfirst else (b, a)
    hour = parts[3].fillna("0").astype(int)
    minute = parts[4].fillna("0").astype(int)
    second = parts[5].fillna("0").astype(int)
    micro = parts[6].fillna("0").str.ljust(6, "0").astype(int)
    ampm = parts[7].fillna("").str.lower()
    has_ampm = ampm != ""
    bad = (hour > 23) | (minute > 59) | (second > 59) | (has_ampm & ~hour.between(1, 12))
    hour = hour.where(~has_ampm, hour % 12 + np.where(ampm == "p", 12, 0))
    bad |= ~month.between(1, 12) | ~day.between(1, 31)
    far = ~bad & ~year.between(YEAR_MIN, YEAR_MAX)
    years = year.where(far).astype("float64").to_numpy()
    bad |= far
    comp = pd.DataFrame(
        {
            "year": year.where(~bad, 2000),
            "month": month.where(~bad, 1),
            "day": day.where(~bad, 1),
            "hour": hour.where(~bad, 0),
            "minute": minute.where(~bad, 0),
            "second": second.where(~bad, 0),
            "microsecond": micro.where(~bad, 0),
        }
    )
    stamps = pd.to_datetime(comp, errors="coerce")  # 31/02 -> NaT
    bad |= stamps.isna()
    return stamps.where(~bad).astype("datetime64[ns]").to_numpy(), bad.to_numpy(), years


#: Excel's date 0 ("1900-01-00", a blank date cell) as readers give it: 1899-12-30 (pandas,
#: openpyxl's epoch) or 1899-12-31 (xlrd, Excel's own display), at midnight.
_EXCEL_BLANK_DATES = np.array(["1899-12-30", "1899-12-31"], dtype="datetime64[ns]")
_EXCEL_BLANK_TEXT_RE = re.compile(
    r"^(?:0+(?:[.,]0*)?|1900-0?1-00|0?0[/.\-]0?1[/.\-]1900|0?1[/.\-]0?0[/.\-]1900)"
    r"(?:[ T]0?0:00(?::00)?)?$"
)


@_per_value
def parse_timestamp(
    series: pd.Series,
    *,
    format: str | None = None,
    dayfirst: bool = True,
    timezone: str = "America/Sao_Paulo",
    excel_blank: bool = False,
) -> tuple[pd.Series, pd.Series, dict]:
    """Timestamps -> naive ``datetime64[ns]`` in local time.

    Naive values are kept as they are (local time); time-zone-aware values and texts with an
    offset (``Z``, ``-03:00``) are converted to ``timezone`` and made naive, so a column may
    mix offsets. Accepts ``datetime``/``date`` objects, ISO 8601 texts, ``dd/mm/yyyy
    [hh:mm[:ss]]`` (``mm/dd/yyyy`` when ``dayfirst=False``), ``yyyymmdd``, other texts pandas
    reads, and Excel serial numbers (``45292.5`` = 2024-01-01 12:00). ``format`` (a
    ``strptime`` pattern, or ``"excel"``, ``"unix"``, ``"unix_ms"``) forces one reading.

    Returns ``(values, bad, info)``; ``info["aware"]`` / ``info["naive"]`` count the distinct
    values that carried a time zone or not; ``info["out_of_range"]`` holds, per row, the year
    of a bad value that is a real date but outside the years :data:`YEAR_MIN` to
    :data:`YEAR_MAX` (``05/01/3026``, an Excel number such as ``300000``), NaN elsewhere.

    ``excel_blank=True``: Excel's date 0 (what a blank date cell holds: shown as
    ``1900-01-00``; read as 1899-12-30 or 1899-12-31 at midnight, as a bare ``00:00`` time
    by openpyxl, or as the number 0) is no date: it is left blank (not bad), and
    ``info["excel_blank"]`` marks those rows (``False`` everywhere without the option).
    """
    info: dict[str, Any] = {"aware": 0, "naive": 0}
    idx = series.index
    info["excel_blank"] = pd.Series(False, index=idx)
    if ptypes.is_datetime64_any_dtype(series.dtype):
        if getattr(series.dtype, "tz", None) is not None:
            info["aware"] = int(series.notna().sum())
        vals, bad, years = _as_naive_ns(series, timezone)
        bad &= series.notna().to_numpy()
        if excel_blank and getattr(series.dtype, "tz", None) is None:
            zero = ~bad & np.isin(vals, _EXCEL_BLANK_DATES)
            vals = np.where(zero, np.datetime64("NaT"), vals)
            info["excel_blank"] = pd.Series(zero, index=idx)
        info["out_of_range"] = pd.Series(years, index=idx)
        return pd.Series(vals, index=idx), pd.Series(bad, index=idx), info
    out = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
    bad_out = pd.Series(False, index=idx)
    info["out_of_range"] = pd.Series(np.nan, index=idx)
    blank = blank_mask(series)
    keep = ~blank.to_numpy()
    if not keep.any():
        return out, bad_out, info
    sub = series[keep]
    fast = _arrow_text(sub)  # text in pyarrow storage: every value read at once, vectorized
    if fast:
        uniq, codes = None, None
        m = len(sub)
    else:
        uniq, codes = _unique_codes(sub)
        m = len(uniq)
    vals = np.full(m, np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(m, dtype=bool)
    aware = np.zeros(m, dtype=bool)
    far = np.full(m, np.nan)  # the year of a date outside the datetime64[ns] range
    zero = np.zeros(m, dtype=bool)  # Excel's date 0 (with excel_blank=True)

    def put(
        positions: np.ndarray, values: np.ndarray, bad_values: np.ndarray, years: np.ndarray
    ) -> None:
        vals[positions] = values
        bad[positions] = bad_values
        far[positions] = years

    def put_stamps(positions: np.ndarray, stamps: pd.Series) -> None:
        is_aware = getattr(stamps.dtype, "tz", None) is not None
        put(positions, *_as_naive_ns(stamps, timezone))
        if is_aware:
            aware[positions] = True

    def put_numbers(positions: np.ndarray, numbers: pd.Series) -> None:
        if format in ("unix", "unix_ms"):
            unit = "s" if format == "unix" else "ms"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    stamps = pd.to_datetime(numbers, unit=unit, utc=True, errors="coerce")
                except (OverflowError, ValueError):
                    stamps = pd.Series(pd.NaT, index=numbers.index, dtype="datetime64[ns, UTC]")
            put_stamps(positions, stamps)
        else:
            put(positions, *_excel_serials(numbers))

    if fast:
        is_str, is_dt = np.ones(m, dtype=bool), np.zeros(m, dtype=bool)
    else:
        is_str = np.fromiter((isinstance(v, str) for v in uniq), dtype=bool, count=m)
        # naive datetime objects (Excel date cells): all at once
        is_dt = np.fromiter(
            (isinstance(v, _dt.datetime) and v.tzinfo is None for v in uniq), dtype=bool, count=m
        )
    if is_dt.any():
        put_stamps(np.flatnonzero(is_dt), pd.Series(list(uniq[is_dt]), dtype="datetime64[us]"))
    # numbers (Excel serials in General cells, unix times): all at once
    is_num = np.zeros(m, dtype=bool)
    for i in np.flatnonzero(~is_str & ~is_dt):  # usually none: a text or a date column
        v = uniq[i]
        is_num[i] = isinstance(v, int | float | np.integer | np.floating | Decimal) and not (
            isinstance(v, bool | np.bool_)
        )
    if is_num.any():
        put_numbers(
            np.flatnonzero(is_num), pd.Series([float(v) for v in uniq[is_num]], dtype="float64")
        )
    if excel_blank and format in (None, "excel") and is_num.any():
        zero[is_num] = [float(v) == 0.0 for v in uniq[is_num]]  # Excel's serial 0
    # other non-text cells (dates, aware datetimes): one by one
    for i in np.flatnonzero(~is_str & ~is_dt & ~is_num):
        v = uniq[i]
        if excel_blank and isinstance(v, _dt.time) and v == _dt.time(0):
            zero[i] = True  # openpyxl's reading of a date cell holding 0
            continue
        if not isinstance(v, pd.Timestamp | _dt.datetime | np.datetime64 | _dt.date):
            bad[i] = True
            continue
        try:
            stamp = pd.Timestamp(v)
        except (ValueError, OverflowError):
            bad[i] = True
            continue
        if stamp is pd.NaT or pd.isna(stamp):
            bad[i] = True
            continue
        if stamp.tzinfo is not None:
            aware[i] = True
            stamp = _naive_local(stamp, timezone)
        if _NS_MIN < stamp < _NS_MAX:
            vals[i] = np.datetime64(stamp.as_unit("ns").asm8)
        else:
            bad[i], far[i] = True, stamp.year
    str_pos = np.flatnonzero(is_str)
    if len(str_pos):
        if fast:
            texts = sub.str.strip().reset_index(drop=True)
        else:
            texts = pd.Series(uniq[str_pos], dtype=object).str.strip()
        if format and format not in ("excel", "unix", "unix_ms"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stamps = pd.to_datetime(texts, format=format, errors="coerce")
            put_stamps(str_pos, stamps)
        else:
            numeric = _rx(texts, _NUMBER_RE.pattern)
            compact = numeric.copy()
            if numeric.any():
                compact[numeric] = _rx(texts[numeric], r"\d{8}", "full")
            if format is not None:
                compact[:] = False
            iso = ~numeric & _rx(texts, _ISO_RE.pattern)
            with_tz = iso.copy()
            if iso.any():
                with_tz[iso] = _rx(texts[iso], _TZ_SUFFIX_RE.pattern, "search", case=False)
            dmy = ~numeric & ~iso
            if dmy.any():
                dmy[dmy] = _rx(texts[dmy], _DMY_RE.pattern)
            rest = ~(numeric | iso | dmy)
            if compact.any():
                put_stamps(
                    str_pos[compact],
                    pd.to_datetime(texts[compact], format="%Y%m%d", errors="coerce"),
                )
            serial = numeric & ~compact
            if serial.any():
                put_numbers(str_pos[serial], texts[serial].astype(float).reset_index(drop=True))
            for sel, utc in ((iso & ~with_tz, False), (with_tz, True)):
                if sel.any():
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        stamps = pd.to_datetime(
                            texts[sel], format="ISO8601", errors="coerce", utc=utc
                        )
                    put_stamps(str_pos[sel], stamps)
                    failed = sel.copy()
                    failed[sel] = stamps.isna().to_numpy()
                    rest |= failed  # not ISO after all: the general reader has a go
            if dmy.any():
                reader = _dmy_arrow if _arrow_text(texts) else _dmy_vectorized
                put(str_pos[dmy], *reader(texts[dmy], dayfirst))
            for j in np.flatnonzero(rest):
                stamp = _other_text(texts.iloc[j], dayfirst, timezone)
                i = str_pos[j]
                if stamp is _BAD:
                    vals[i], bad[i] = np.datetime64("NaT"), True
                    continue
                if stamp.tzinfo is not None:
                    aware[i] = True
                    stamp = _naive_local(stamp, timezone)
                ok = _NS_MIN < stamp < _NS_MAX
                vals[i] = np.datetime64(stamp.as_unit("ns").asm8) if ok else np.datetime64("NaT")
                bad[i] = not ok
                if not ok:
                    far[i] = stamp.year
            # an ISO date whose year pandas cannot hold (NaT instead of a date on pandas 2)
            unknown = bad[str_pos] & np.isnan(far[str_pos])
            if unknown.any():
                ymd = texts[unknown].str.extract(_ISO_YEAR_RE).astype("float64")
                real = (
                    ymd[1].between(1, 12)
                    & ymd[2].between(1, 31)
                    & ~ymd[0].between(YEAR_MIN, YEAR_MAX)
                ).to_numpy()
                far[str_pos[unknown][real]] = ymd[0].to_numpy()[real]
            if excel_blank and format in (None, "excel"):
                zero[str_pos] |= _rx(texts, _EXCEL_BLANK_TEXT_RE.pattern)

    def spread(per_value: np.ndarray, fill: Any) -> np.ndarray:
        whole = np.full(len(series), fill, dtype=per_value.dtype)
        whole[keep] = per_value if codes is None else per_value[codes]
        return whole

    if excel_blank:
        zero |= ~bad & ~aware & np.isin(vals, _EXCEL_BLANK_DATES)
        vals[zero] = np.datetime64("NaT")
        bad[zero] = False
        far[zero] = np.nan
        info["excel_blank"] = pd.Series(spread(zero, False), index=idx)
    info["aware"] = int((aware & ~bad).sum())
    info["naive"] = int((~aware & ~bad).sum())
    out = pd.Series(spread(vals, np.datetime64("NaT")), index=idx)
    bad_out = pd.Series(spread(bad, False), index=idx)
    far[~bad] = np.nan
    info["out_of_range"] = pd.Series(spread(far, np.nan), index=idx)
    return out, bad_out, info


# --------------------------------------------------------------------------- row checks

#: Row-check codes (the ``check`` column of rejected rows).
CHECK_CODES = (
    "missing_value",
    "duplicate_id",
    "out_of_scale",
    "not_integer",
    "negative_duration",
    "invalid_contacts",
    "before_created",
    "resolved_before_response",
    "future_timestamp",
)


def _before_created(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        return ~(df[column] < df["created_at"]).fillna(False)

    return check


def _resolved_before_response(df: pd.DataFrame) -> pd.Series:
    """resolved_at before first_response_at (a resolution also before created_at is reported
    as ``before_created`` only)."""
    early = (df["resolved_at"] < df["first_response_at"]) & ~(df["resolved_at"] < df["created_at"])
    return ~early.fillna(False)


def check_canonical(
    data: pd.DataFrame,
    *,
    scales: dict[str, Scale],
    as_of: pd.Timestamp | None,
    unique_ids: bool = True,
) -> pd.DataFrame:
    """Run the row checks on a parsed canonical frame; one line per problem.

    Checks (pandera ``DataFrameSchema``, ``lazy=True``): interaction_id and created_at
    present; interaction_id unique (the first occurrence is kept; ``unique_ids=False`` leaves
    this check to the caller, e.g. to run it on the otherwise valid rows only); scores inside
    their scale (nps a whole number); durations >= 0; contacts a whole number >= 1;
    first_response_at and resolved_at not before created_at; resolved_at not before
    first_response_at (``resolved_before_response``; a contact cannot be resolved before it
    was first answered); timestamps not after ``as_of``.

    Returns a DataFrame with columns ``index`` (the frame's index label), ``field`` and
    ``check`` (one of :data:`CHECK_CODES`), sorted by index.
    """
    columns: dict[str, pa.Column] = {}
    for name in ("interaction_id", "created_at"):
        if name in data:
            columns[name] = pa.Column(
                None,
                nullable=False,
                unique=name == "interaction_id" and unique_ids,
                report_duplicates="exclude_first",
                checks=[pa.Check.le(as_of, name="future_timestamp", error="future_timestamp")]
                if name == "created_at" and as_of is not None
                else [],
            )
    for name in SCORE_COLUMNS:
        if name in data:
            scale = scales[name]
            checks = [
                pa.Check.in_range(scale.low, scale.high, name="out_of_scale", error="out_of_scale")
            ]
            if name == "nps":
                checks.append(pa.Check(lambda s: s == s.round(), name="not_integer"))
            columns[name] = pa.Column(None, checks=checks, nullable=True)
    for name in DURATION_COLUMNS:
        if name in data:
            columns[name] = pa.Column(
                None,
                pa.Check.ge(0, name="negative_duration", error="negative_duration"),
                nullable=True,
            )
    if "contacts" in data:
        columns["contacts"] = pa.Column(
            None, pa.Check.ge(1, name="invalid_contacts", error="invalid_contacts"), nullable=True
        )
    for name in TIMESTAMP_COLUMNS:
        if name in data and name != "created_at" and as_of is not None:
            columns[name] = pa.Column(
                None,
                pa.Check.le(as_of, name="future_timestamp", error="future_timestamp"),
                nullable=True,
            )
    frame_checks = [
        pa.Check(_before_created(name), name=f"before_created:{name}")
        for name in ("first_response_at", "resolved_at")
        if name in data and "created_at" in data
    ]
    if {"created_at", "first_response_at", "resolved_at"} <= set(data.columns):
        frame_checks.append(pa.Check(_resolved_before_response, name="resolved_before_response"))
    schema = pa.DataFrameSchema(columns, checks=frame_checks, strict=False)
    empty = pd.DataFrame({"index": pd.Series([], dtype=object), "field": [], "check": []})
    try:
        schema.validate(data, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    else:
        return empty
    fc = fc[fc["index"].notna()]
    rows = []
    for check, column, index in zip(fc["check"], fc["column"], fc["index"], strict=True):
        check = str(check)
        if check.startswith("before_created:"):
            column = check.split(":", 1)[1]
            check = "before_created"
        elif check == "resolved_before_response":
            column = "resolved_at"
        elif check == "not_nullable":
            check = "missing_value"
        elif check == "field_uniqueness":
            check = "duplicate_id"
        elif check not in CHECK_CODES:  # pandera failure we did not ask for: report as is
            check = str(check)
        rows.append((index, column, check))
    if not rows:
        return empty
    out = pd.DataFrame(rows, columns=["index", "field", "check"]).drop_duplicates()
    return out.sort_values("index", kind="stable").reset_index(drop=True)
