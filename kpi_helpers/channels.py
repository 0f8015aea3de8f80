"""Channel families: the one table of how exports spell a channel, and what follows from it.

Exports name their channels in many ways ("Ligação", "Phone call", "Telefone", "Voz"; "Social
media", "Facebook Messenger", "Instagram DM", "Twitter/X"). Each spelling belongs to one
FAMILY (:data:`FAMILIES`): ``phone``, ``chat``, ``whatsapp``, ``email``, ``social``,
``web_form``, ``sms``, ``app``, ``bot`` and ``other``. Spellings are matched after folding
(:func:`fold`: case, accents and punctuation ignored, so "E-mail", "email" and "EMAIL" are one
spelling, and "Ligação" is "ligacao"); a value that no family lists is ``other``; a missing
value (None, blank, "unknown") is ``unknown``, which behaves as ``other`` for thresholds.

What the family decides:

* the default service-level threshold (KPIS.md): phone 20 s, chat 60 s, whatsapp 300 s,
  social 3600 s, email 86400 s, web_form the email threshold in force, everything else 20 s;
  a user's ``threshold_s`` mapping may be keyed by family id (``{"social": 1800}``) or by the
  data's own spelling (``{"Facebook Messenger": 600}``), and the spelling wins
  (:func:`thresholds_for`);
* the ``channel_family`` dimension, usable in ``by=`` wherever ``channel`` is: computed in the
  query by a CASE on the data's own channel values (:func:`family_case`), so it runs on every
  Ibis backend.

Grouping by ``channel`` keeps the data's values as written ("Social media" stays "Social
media"); only ``channel_family`` groups the spellings together.

>>> family("Facebook Messenger"), family("Ligação"), family("E-mail"), family("Fax")
('social', 'phone', 'email', 'other')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = [
    "ChannelFamily",
    "FAMILIES",
    "FAMILY_IDS",
    "OTHER",
    "UNKNOWN",
    "fold",
    "family",
    "known_family",
    "family_label",
    "default_threshold",
    "thresholds_for",
    "family_case",
    "channel_families",
]

OTHER = "other"
#: The family of a missing channel (None, blank, "unknown"): shown as "unknown", like any
#: missing dimension value; its service-level threshold is that of ``other``.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ChannelFamily:
    """One family of channels: its id, default service-level threshold and spellings."""

    id: str
    #: default service-level threshold in seconds (KPIS.md)
    threshold_s: float
    #: how exports write it (en and pt-BR), matched after :func:`fold`
    spellings: tuple[str, ...]

    def label(self, lang: str | None = "en") -> str:
        """The family's name in ``lang`` (``"social"`` -> ``"redes sociais"``)."""
        return family_label(self.id, lang)


#: The channel families, in display order. ``web_form`` takes the email threshold in force.
FAMILIES: tuple[ChannelFamily, ...] = (
    ChannelFamily(
        "phone",
        20.0,
        (
            "phone", "Phone call", "Call", "Calls", "Voice", "Telephone", "Inbound call",
            "Telefone", "Telefonia", "Fone", "Tel", "Ligação", "Ligações", "Voz", "Chamada",
            "Chamada telefônica", "Central telefônica",
        ),
    ),
    ChannelFamily(
        "chat",
        60.0,
        (
            "chat", "Live chat", "Livechat", "Webchat", "Web chat", "Online chat",
            "Chat online", "Site chat", "Chat widget", "Chat ao vivo", "Chat do site",
        ),
    ),
    ChannelFamily(
        "whatsapp",
        300.0,
        ("whatsapp", "WhatsApp Business", "WhatsApp API", "Whats", "Wpp", "Zap", "Zap Zap"),
    ),
    ChannelFamily(
        "email",
        86400.0,
        ("email", "E-mail", "Emails", "Mail", "Correio", "Correio eletrônico"),
    ),
    ChannelFamily(
        "social",
        3600.0,
        (
            "social", "Social media", "Social network", "Social networks", "Redes sociais",
            "Rede social", "Mídias sociais", "Mídia social", "Facebook", "Facebook Messenger",
            "Messenger", "FB", "Instagram", "Instagram DM", "Insta", "IG", "Twitter",
            "Twitter/X", "X", "LinkedIn", "TikTok", "YouTube", "Threads",
        ),
    ),
    ChannelFamily(
        "web_form",
        86400.0,
        (
            "web_form", "Web Form", "Webform", "Form", "Contact form", "Online form",
            "Feedback widget", "Formulário", "Formulário web", "Formulário do site",
            "Formulário de contato", "Portal",
        ),
    ),
    ChannelFamily(
        "sms", 20.0, ("sms", "Text message", "SMS text", "Mensagem de texto", "Torpedo")
    ),
    ChannelFamily(
        "app", 20.0, ("app", "Mobile app", "Mobile SDK", "In-app", "Aplicativo", "App mobile")
    ),
    ChannelFamily(
        "bot",
        20.0,
        ("bot", "Chatbot", "Virtual assistant", "Assistente virtual", "Robô", "Robot"),
    ),
    ChannelFamily(
        "other",
        20.0,
        ("other", "Others", "Outro", "Outros", "Outras", "In person", "Presencial", "Fax"),
    ),
)  # fmt: skip

FAMILY_IDS: tuple[str, ...] = tuple(f.id for f in FAMILIES)
_BY_ID = {f.id: f for f in FAMILIES}
_UNKNOWN_SPELLINGS = ("", "unknown", "desconhecido", "nao informado", "n/a", "na", "none")


def fold(value: Any) -> str:
    """A spelling reduced to lower-case ASCII words: ``"Twitter/X"`` -> ``"twitter x"``,
    ``"Ligação"`` -> ``"ligacao"``, ``"E-mail"`` -> ``"e mail"``, ``"web_form"`` ->
    ``"web form"`` (None -> ``""``)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@cache
def _index() -> dict[str, str]:
    """Folded spelling -> family id (also without the spaces: "e mail" and "email")."""
    out: dict[str, str] = {}
    for fam in FAMILIES:
        for spelling in (fam.id, *fam.spellings):
            key = fold(spelling)
            out.setdefault(key, fam.id)
            out.setdefault(key.replace(" ", ""), fam.id)
    return out


def _is_missing(value: Any) -> bool:
    try:
        return value is None or value != value  # NaN, NA
    except (TypeError, ValueError):
        return value is None


def known_family(value: Any) -> str | None:
    """The family that lists ``value`` as a spelling, or None (unlike :func:`family`, an
    unlisted value is not ``other``)."""
    if _is_missing(value):
        return None
    key = fold(value)
    return _index().get(key) or _index().get(key.replace(" ", ""))


def family(value: Any) -> str:
    """The family of a channel value: one of :data:`FAMILY_IDS`, or ``"unknown"`` for a
    missing value (None, NaN, blank, ``"unknown"``).

    >>> family("Instagram DM"), family("Chat ao vivo"), family(None), family("Loja")
    ('social', 'chat', 'unknown', 'other')
    """
    if _is_missing(value) or fold(value) in _UNKNOWN_SPELLINGS:
        return UNKNOWN
    return known_family(value) or OTHER


def family_label(family_id: str, lang: str | None = "en") -> str:
    """The name of a family in ``lang`` (lower case, as running text shows it)."""
    from .i18n import t  # Babel only when a label is asked for

    labels = {
        "phone": t("phone", lang),
        "chat": t("chat", lang),
        "whatsapp": t("whatsapp", lang),
        "email": t("email", lang),
        "social": t("social networks", lang),
        "web_form": t("web form", lang),
        "sms": t("sms", lang),
        "app": t("app", lang),
        "bot": t("bot", lang),
        "other": t("other", lang),
        "unknown": t("unknown", lang),
    }
    return labels.get(str(family_id), str(family_id))


def default_threshold(family_id: str) -> float:
    """The default service-level threshold of a family (``unknown``: that of ``other``)."""
    return _BY_ID.get(family_id, _BY_ID[OTHER]).threshold_s


def _family_key(key: Any) -> str | None:
    """The family id a user's threshold key names (``"social"``, ``"web_form"``, ``"Web
    form"``), else None."""
    folded = fold(key)
    for fid in FAMILY_IDS:
        if folded == fold(fid):
            return fid
    return None


def _family_thresholds(given: Mapping[Any, Any]) -> dict[str, float]:
    """Threshold per family (and ``unknown``): the defaults, then the user's family keys."""
    table = {f.id: f.threshold_s for f in FAMILIES}
    keyed = {}
    for key, value in given.items():
        fid = _family_key(key)
        if fid is not None:
            keyed[fid] = float(value)
    table.update(keyed)
    if "web_form" not in keyed:
        table["web_form"] = table["email"]  # web forms are answered like e-mail
    table[UNKNOWN] = table[OTHER]
    return table


def thresholds_for(threshold_s: Any, values: Iterable[Any]) -> tuple[dict[Any, float], float]:
    """The service-level threshold of each of the data's channel ``values``.

    ``threshold_s``: None (the defaults), a number (every channel), or a mapping keyed by
    family id and/or by the data's own spelling (case, accents and punctuation ignored); the
    spelling wins over the family, the family over the default. Returns ``(per_value,
    missing)``: a dict value -> seconds for the non-missing values, and the threshold of a
    missing channel (that of ``other``).

    >>> per, missing = thresholds_for({"social": 1800, "Messenger": 600},
    ...                               ["Messenger", "Instagram", "Ligação", "Web Form"])
    >>> per, missing
    ({'Messenger': 600.0, 'Instagram': 1800.0, 'Ligação': 20.0, 'Web Form': 86400.0}, 20.0)
    """
    values = [v for v in values if not _is_missing(v)]
    if isinstance(threshold_s, (int, float)) and not isinstance(threshold_s, bool):
        return {v: float(threshold_s) for v in values}, float(threshold_s)
    given = dict(threshold_s) if isinstance(threshold_s, Mapping) else {}
    table = _family_thresholds(given)
    spelled = {fold(k): float(v) for k, v in given.items()}
    out: dict[Any, float] = {}
    for value in values:
        key = fold(value)
        out[value] = spelled[key] if key in spelled else table[family(value)]
    return out, table[UNKNOWN]


@cache
def _surface_forms() -> dict[str, str]:
    """Lower-case forms a raw value may take -> family id (for a CASE without the data's
    distinct values: ``"ligação"``, ``"ligacao"``, ``"e-mail"``, ``"email"``...)."""
    out: dict[str, str] = {}
    for fam in FAMILIES:
        for spelling in (fam.id, *fam.spellings):
            folded = fold(spelling)
            for form in (
                spelling.strip().lower(),
                folded,
                folded.replace(" ", ""),
                folded.replace(" ", "-"),
                folded.replace(" ", "_"),
            ):
                out.setdefault(form, fam.id)
    return out


def family_case(col, values: Iterable[Any] | None = None):
    """An Ibis expression: the family of each row's channel ``col`` (null stays null).

    With ``values`` (the column's distinct values, from one small query) it is a CASE on the
    raw values, with the folding done here once; without them, a CASE on the trimmed
    lower-case text (which knows the listed spellings with and without accents). Both
    compile on every Ibis backend.
    """
    import ibis

    if values is not None:
        mapping = {v: family(v) for v in values if not _is_missing(v)}
        if not mapping:
            return ibis.null("string")
        expr = col.substitute(mapping, else_=ibis.literal(OTHER))
    else:
        text = col.cast("string").strip().lower()
        expr = text.substitute(_surface_forms(), else_=ibis.literal(OTHER))
        expr = ibis.ifelse(text.isin(list(_UNKNOWN_SPELLINGS)), ibis.null("string"), expr)
    return ibis.ifelse(col.isnull(), ibis.null("string"), expr).cast("string")


def channel_families(lang: str | None = None):
    """The family table: ``family``, ``label_en``, ``label_pt_BR``, ``threshold_s`` (the
    default service-level threshold) and ``spellings`` (comma-separated, as exports write
    them; matched ignoring case, accents and punctuation).

    ``lang`` adds a ``label`` column in that language.
    """
    import pandas as pd

    rows = []
    for fam in FAMILIES:
        row = {
            "family": fam.id,
            "label_en": family_label(fam.id, "en"),
            "label_pt_BR": family_label(fam.id, "pt-BR"),
            "threshold_s": fam.threshold_s,
            "spellings": ", ".join(fam.spellings),
        }
        if lang is not None:
            row["label"] = family_label(fam.id, lang)
        rows.append(row)
    return pd.DataFrame(rows)
