"""CSV files that are safe to open in a spreadsheet (no formula injection).

A spreadsheet (Excel, LibreOffice Calc, Google Sheets) treats a CSV cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula: a channel name or a
ticket subject such as ``=HYPERLINK("http://x")`` or ``+cmd|' /C calc'!A0`` in a customer
export would run in the analyst's spreadsheet (OWASP "CSV injection"). Every CSV the project
writes goes through :func:`write_csv`, which prefixes such **text** cells with ``'`` (the
"treat as text" mark spreadsheets hide). Values that are plain numbers stay as they are: a
number column (``-3.5``) is never touched, and neither is a text cell that only spells a
number (``"-3.5"``, ``"+10"``, ``"-1,5"``): it cannot call anything. Column and index
labels are cells too and are treated the same way. A lone carriage return inside a text
cell does not make the CSV writer quote it and some spreadsheets start a new row there, so
each part after one is checked as a cell start too (``"x\\r=1"`` -> ``"x\\r'=1"``).

The cost: a program reading the file back sees the ``'`` (``"'=1+1"``); spreadsheets do not.

>>> import pandas as pd
>>> safe_csv_frame(pd.DataFrame({"x": ["=1+1", "-2+3", "-3.5", "ok"], "n": [-1.0, 2, 3, 4]}))
       x    n
0  '=1+1 -1.0
1  '-2+3  2.0
2   -3.5  3.0
3     ok  4.0
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "safe_cell", "safe_csv_frame", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_RE = re.compile(r"[=+\-@\t\r]")
_STARTS = frozenset(FORMULA_TRIGGERS)
# a plain number, optionally signed, with "." or "," separators and an exponent
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*[.,]?|[.,]\d+)(?:[eE][+-]?\d+)?")


def _risky(text: str) -> bool:
    return bool(text) and _TRIGGER_RE.match(text) is not None and not _NUMBER_RE.fullmatch(text)


def _safe_text(text: str) -> str:
    if "\r" in text and "\n" not in text:
        # a carriage return alone does not make the CSV writer quote the cell, and some
        # spreadsheets start a new row there: each part after one is a cell start too
        text = "\r".join(_safe_text(part) for part in text.split("\r"))
    return "'" + text if _risky(text) else text


def safe_cell(value):
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    >>> safe_cell("@SUM(A1)"), safe_cell("-3.5"), safe_cell(-3.5), safe_cell("a=b")
    ("'@SUM(A1)", '-3.5', -3.5, 'a=b')
    """
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, tuple):  # MultiIndex labels
        return tuple(safe_cell(v) for v in value)
    return value


def _safe_labels(index: pd.Index) -> pd.Index:
    if index.dtype.kind != "O" and not isinstance(index.dtype, pd.StringDtype):
        return index
    if not any(safe_cell(v) is not v for v in index):
        return index
    return index.map(safe_cell)


def _safe_series(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        fixed = _safe_labels(cats)
        return s if fixed is cats else s.cat.rename_categories(fixed)
    if s.dtype.kind != "O" and not pd.api.types.is_string_dtype(s.dtype):
        return s  # numbers, booleans, dates: never text
    values = s.to_numpy(dtype=object)
    fixed = [
        _safe_text(v) if isinstance(v, str) and v and (v[0] in _STARTS or "\r" in v) else v
        for v in values
    ]
    if all(a is b for a, b in zip(fixed, values, strict=True)):
        return s
    return pd.Series(fixed, index=s.index, name=s.name, dtype=s.dtype)


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (values, column and index labels) cannot run as
    spreadsheet formulas; ``df`` itself is not modified.

    Parameters
    ----------
    df : DataFrame
        Any frame about to be written to CSV.

    Returns
    -------
    DataFrame
        Same shape, dtypes and order; text cells starting with ``=``, ``+``, ``-``, ``@``,
        a tab or a carriage return get a leading ``'`` unless they are a plain number.
    """
    out = df.copy(deep=False)
    if not out.columns.is_unique:  # positional: several columns may share a label
        for i in range(out.shape[1]):
            col = out.iloc[:, i]
            fixed = _safe_series(col)
            if fixed is not col:
                out.isetitem(i, fixed)
    else:
        for name in out.columns:
            col = out[name]
            fixed = _safe_series(col)
            if fixed is not col:
                out[name] = fixed
    out.columns = _safe_labels(out.columns)
    out.index = _safe_labels(out.index)
    return out


def write_csv(df: pd.DataFrame, path: str | Path, **kw) -> Path:
    """Write ``df`` to ``path`` as CSV through :func:`safe_csv_frame`; returns the path.

    Keyword arguments go to :meth:`pandas.DataFrame.to_csv`; ``index`` defaults to False.
    """
    path = Path(path)
    kw.setdefault("index", False)
    safe_csv_frame(df).to_csv(path, **kw)
    return path
