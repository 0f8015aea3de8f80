"""The one i18n layer: gettext message catalogs (Babel .po files) and locale formatting.

Message ids are the English source text; ``t("Volume fell {pct}", "pt-BR", pct=...)``
looks the id up in the pt-BR catalogs and fills the ``{placeholders}`` afterwards.
Catalogs live in ``kpi_helpers/locales/pt_BR/LC_MESSAGES/*.po`` (one file per area:
``core.po``, ``analysis.po``, ``report.po``, ...); they are read with Babel at run time,
so nothing has to be compiled. English needs no catalog: the id is the text.

Numbers, percentages, currency and dates are formatted with Babel's CLDR data
(``1.234,5`` in pt-BR, ``1,234.5`` in en).

Examples
--------
>>> t("on target", "pt-BR")
'na meta'
>>> format_percent(0.8734, "pt-BR")
'87,3%'
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import cache

from babel import Locale
from babel import dates as _bdates
from babel import numbers as _bnumbers
from babel.messages.pofile import read_po

from .config import DEFAULT_LANG, LANGUAGES, LOCALES_DIR
from .errors import OptionError

__all__ = [
    "normalize_lang",
    "t",
    "catalog_messages",
    "format_number",
    "format_percent",
    "format_currency",
    "format_date",
    "format_duration",
    "format_value",
    "format_signed_percent",
    "segment_label",
    "format_p_value",
]

_ALIASES = {
    "en": "en",
    "en-us": "en",
    "en_us": "en",
    "en-gb": "en",
    "pt": "pt-BR",
    "pt-br": "pt-BR",
    "pt_br": "pt-BR",
}


def normalize_lang(lang: str | None) -> str:
    """Return ``"en"`` or ``"pt-BR"`` for any accepted spelling (``pt_BR``, ``pt``, ``en-US``...).

    >>> normalize_lang("pt_BR")
    'pt-BR'
    """
    if lang is None:
        return DEFAULT_LANG
    key = str(lang).strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    raise OptionError(
        f"`lang` must be one of {', '.join(repr(x) for x in LANGUAGES)}, got {lang!r}."
    )


def _locale_dir(lang: str) -> str:
    return lang.replace("-", "_")


@cache
def catalog_messages(lang: str) -> dict[str, str]:
    """All translated messages of ``lang`` (id -> text), merged from every ``.po`` file."""
    lang = normalize_lang(lang)
    folder = LOCALES_DIR / _locale_dir(lang) / "LC_MESSAGES"
    messages: dict[str, str] = {}
    if not folder.is_dir():
        return messages
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            cat = read_po(fh, locale=_locale_dir(lang))
        for msg in cat:
            if msg.id and msg.string and not msg.fuzzy:
                messages[str(msg.id)] = str(msg.string)
    return messages


def t(message: str, lang: str | None = None, /, **fields) -> str:
    """Translate ``message`` (its English text) into ``lang`` and fill its ``{fields}``.

    An id missing from a catalog falls back to the English text (a test checks that
    every id used in the package is translated).
    """
    lang = normalize_lang(lang)
    text = message if lang == "en" else catalog_messages(lang).get(message, message)
    return text.format(**fields) if fields else text


@cache
def _babel_locale(lang: str) -> Locale:
    return Locale.parse(_locale_dir(normalize_lang(lang)))


def _is_missing(value) -> bool:
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or value != value
    except (TypeError, ValueError):
        return False


def format_number(value, lang: str | None = None, *, decimals: int = 1, missing: str = "–") -> str:
    """A number with the locale's separators: ``1.234,5`` (pt-BR), ``1,234.5`` (en)."""
    if _is_missing(value):
        return missing
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _bnumbers.format_decimal(value, format=fmt, locale=_babel_locale(lang))


def format_percent(value, lang: str | None = None, *, decimals: int = 1, missing: str = "–") -> str:
    """A fraction as a percentage: ``0.8734`` -> ``87,3%`` (pt-BR)."""
    if _is_missing(value):
        return missing
    fmt = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return _bnumbers.format_percent(value, format=fmt, locale=_babel_locale(lang))


def format_signed_percent(
    value, lang: str | None = None, *, decimals: int = 1, missing: str = "–"
) -> str:
    """A change as a signed percentage: ``+3,2%`` / ``−8,8%``."""
    if _is_missing(value):
        return missing
    text = format_percent(abs(value), lang, decimals=decimals)
    return ("+" if value >= 0 else "−") + text


def format_currency(
    value, lang: str | None = None, *, currency: str = "BRL", missing: str = "–"
) -> str:
    """Money in the locale's style: ``R$ 1.234,50`` (pt-BR)."""
    if _is_missing(value):
        return missing
    return _bnumbers.format_currency(value, currency, locale=_babel_locale(lang))


def format_date(
    value, lang: str | None = None, *, format: str = "medium", missing: str = "–"
) -> str:
    """A date in the locale's style (``format``: short, medium, long, or a CLDR pattern)."""
    if _is_missing(value):
        return missing
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        value = value.date()
    return _bdates.format_date(value, format=format, locale=_babel_locale(lang))


def format_duration(seconds, lang: str | None = None, *, missing: str = "–") -> str:
    """A duration for people: ``45 s``, ``3,5 min``, ``2,1 h``, ``1,5 d``."""
    if _is_missing(seconds):
        return missing
    s = float(seconds)
    if abs(s) < 60:
        return f"{format_number(s, lang, decimals=0)} s"
    if abs(s) < 3600:
        return f"{format_number(s / 60, lang, decimals=1)} min"
    if abs(s) < 86400:
        return f"{format_number(s / 3600, lang, decimals=1)} h"
    return f"{format_number(s / 86400, lang, decimals=1)} d"


def format_value(value, unit: str, lang: str | None = None, *, currency: str = "BRL") -> str:
    """Format a KPI value by its registry unit (ratio, count, seconds, points, score, currency...)."""
    if unit == "ratio":
        return format_percent(value, lang)
    if unit == "seconds":
        return format_duration(value, lang)
    if unit == "count":
        return format_number(value, lang, decimals=0)
    if unit == "currency":
        return format_currency(value, lang, currency=currency)
    if unit == "points":
        return format_number(value, lang, decimals=1)
    return format_number(value, lang, decimals=2 if unit == "score" else 1)


def _channel_names(lang: str) -> dict[str, str]:
    # the canonical channel names of DESIGN.md (and the generator's); other values are data
    return {
        "phone": t("phone", lang),
        "email": t("email", lang),
        "chat": t("chat", lang),
        "whatsapp": t("whatsapp", lang),
        "instagram": t("instagram", lang),
        "facebook": t("facebook", lang),
        "social": t("social", lang),
        "sms": t("sms", lang),
        "bot": t("bot", lang),
    }


def segment_label(dimension: str | None, value, lang: str | None = None) -> str:
    """How a segment value is shown: canonical channel names, channel families and
    ``unknown`` translated.

    Values that come from the data (agent, team and category names, a channel spelt
    ``Telefone`` or ``Social media`` in the export, a priority) are returned unchanged, as
    written (as text; escape them for HTML). A ``channel_family`` value is the family's name
    (:func:`kpi_helpers.channels.family_label`).

    >>> segment_label("channel", "phone", "pt-BR")
    'telefone'
    >>> segment_label("channel", "Social media", "pt-BR")
    'Social media'
    >>> segment_label("channel_family", "social", "pt-BR")
    'redes sociais'
    >>> segment_label("team", "unknown", "pt-BR")
    'desconhecido'
    >>> segment_label("agent", "Ana", "pt-BR")
    'Ana'
    """
    if _is_missing(value):
        return t("unknown", lang)
    text = str(value)
    if text == "unknown":
        return t("unknown", lang)
    if dimension == "channel":
        return _channel_names(normalize_lang(lang)).get(text, text)
    if dimension == "channel_family":
        from .channels import FAMILY_IDS, family_label

        return family_label(text, lang) if text in FAMILY_IDS else text
    return text


def format_p_value(p, lang: str | None = "pt-BR", *, prefix: bool = False) -> str:
    """A p-value as every report shows it: two decimals, three below 0.01, ``< 0,001``.

    A p-value just under 0.05 never reads ``0,05`` (it is shown as ``0,049``), so the number
    and the verdict "significant" agree. ``prefix=True`` gives ``p = 0,03`` / ``p < 0,001``
    for running text; missing values are ``–``.

    >>> format_p_value(0.0312, "pt-BR"), format_p_value(0.0004, "en", prefix=True)
    ('0,03', 'p < 0.001')
    >>> format_p_value(0.0496, "en"), format_p_value(0.0042, "en")
    ('0.049', '0.004')
    """
    lang = normalize_lang(lang)
    if _is_missing(p):
        return "–"
    p = float(p)
    if p < 0.001:
        text = "< " + format_number(0.001, lang, decimals=3)
        return f"p {text}" if prefix else text
    if p < 0.01:
        text = format_number(p, lang, decimals=3)
    elif 0.045 <= p < 0.05:  # two decimals would round a significant p up to 0.05
        text = format_number(math.floor(p * 1000) / 1000, lang, decimals=3)
    else:
        text = format_number(p, lang, decimals=2)
    return f"p = {text}" if prefix else text
