"""A starter column mapping guessed from an export's header and values.

:func:`suggest_mapping` reads a CSV/Excel/Parquet export the way the loader does (the same
reader, header row found, blank rows dropped) and writes a YAML mapping the user then edits:
for each canonical column (:mod:`kpi_helpers.schema`) the best source column by its name
(English and pt-BR spellings: "Ticket ID", "Protocolo", "Created", "Aberto em", "Canal",
"Atendente", "Fila", "Nota", "Tempo de espera", "TMA"...) whose values fit the field:

- ids: unique-ish values (not dates); timestamps: values that parse as dates, day-first or
  month-first decided from the values (``dayfirst:`` at the top); a date column whose times
  are all 00:00 next to a time-of-day column gives ``[Date, Time]``;
- durations: numbers or ``hh:mm:ss``; the unit of plain numbers comes from the name
  ("(min)", "(s)", "hrs"); without one the entry is left commented out;
- flags: few distinct values, written with ``true_values`` / ``false_values`` listing the
  values seen (``Sim``/``Não``, ``Y``/``N``); statuses (``Resolved``/``Open``) with
  ``otherwise: false`` and a comment to check;
- scores: numbers whose range gives the scale (1-5, 1-7, 0-10, 1-10); a 0-10 "Nota" may be
  NPS, so it is left commented out;
- the channel with its distinct values in a comment.

Entries the values do not confirm are written commented out with the reason
(``# csat: {column: Nota, scale: [0, 10]}   # values 0-10: is this NPS?``); a header comment
says which file the mapping came from and what to check. The YAML loads as written with
:func:`kpi_helpers.load_interactions`.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"Protocolo": ["A1", "A2", "A3"],
...                       "Aberto em": ["13/01/2026 09:00", "14/01/2026 10:30", "15/01/2026 11:00"],
...                       "Resolvido": ["Sim", "Não", "Sim"]})
>>> text, notes = suggest_mapping(frame, lang="en")
>>> print("\\n".join(line for line in text.splitlines() if not line.startswith("#")))
dayfirst: true   # dates such as '13/01/2026 09:00' read day first
interaction_id: Protocolo
created_at: Aberto em
resolved: {column: Resolvido, true_values: [Sim], false_values: [Não]}
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pandas.api import types as ptypes

from .i18n import format_number, t
from .mapping import normalize_name, parse_mapping
from .schema import INTERACTION_COLUMNS, REQUIRED_COLUMNS
from .validation import (
    FALSE_TOKENS,
    TRUE_TOKENS,
    blank_mask,
    dayfirst_evidence,
    dayfirst_spans,
    detect_dayfirst,
    fold,
    parse_number,
    parse_timestamp,
    value_counts_text,
)

__all__ = ["suggest_mapping"]

#: Non-blank values looked at to tell a column's type (distinct counts use every row).
_SAMPLE = 1000

# ------------------------------------------------------------------ names

#: Per canonical column: folded names that are that column (score 1), and words (a token of
#: the folded name, or a run of tokens such as ``primeira_resposta``) with their score.
_EXACT: dict[str, tuple[str, ...]] = {
    "interaction_id": (
        "id", "interaction_id", "ticket_id", "ticket", "ticket_number", "protocolo",
        "numero_do_protocolo", "n_protocolo", "no_protocolo", "chamado", "numero_do_chamado",
        "call_id", "conversation_id", "display_id", "case_id", "case_number", "numero",
        "id_do_atendimento", "id_atendimento", "id_chamado", "id_ticket", "number",
    ),
    "created_at": (
        "created_at", "created", "created_time", "created_date", "creation_date",
        "date_created", "data_de_abertura", "aberto_em", "abertura", "data_abertura",
        "criado_em", "data_de_criacao", "data_criacao", "data_hora", "data_e_hora", "datetime",
        "date_time", "timestamp", "opened", "opened_at", "start_time", "call_start",
        "call_date", "inicio", "data_inicio", "data_de_inicio", "date", "data",
    ),
    "channel": (
        "channel", "canal", "canal_de_atendimento", "channel_type", "tipo_de_canal", "source",
        "origem", "midia", "via", "meio",
    ),
    "team": (
        "team", "equipe", "fila", "queue", "grupo", "group", "departamento", "department",
        "setor", "skill",
    ),
    "agent": (
        "agent", "agente", "atendente", "operador", "operadora", "responsavel", "assignee",
        "assigned_to", "analista", "agent_name", "nome_do_atendente",
    ),
    "category": (
        "category", "categoria", "assunto", "motivo", "tipo", "type", "topic", "topico",
        "tema", "tabulacao", "classificacao", "natureza",
    ),
    "first_response_at": (
        "first_response_at", "first_responded_at", "initial_response_time",
        "first_reply_created_at", "data_da_primeira_resposta", "primeira_resposta_em",
        "atendido_em", "answered_at", "data_de_atendimento", "inicio_do_atendimento",
    ),
    "wait_s": (
        "espera", "tempo_de_espera", "tempo_espera", "wait", "wait_time", "waiting_time",
        "wait_s", "queue_time", "tempo_na_fila", "tempo_em_fila", "asa", "frt",
        "first_response_time", "tempo_de_primeira_resposta", "tempo_ate_primeira_resposta",
        "tempo_de_resposta", "response_time", "first_response", "primeira_resposta",
    ),
    "answered": ("answered", "atendida", "atendido", "respondida", "respondido"),
    "abandoned": ("abandoned", "abandonada", "abandonado", "abandono", "desistencia"),
    "resolved_at": (
        "resolved_at", "resolved_time", "resolved_date", "closed_at", "closed_time", "close_at",
        "solved_at", "data_de_encerramento", "encerrado_em", "encerramento", "fechado_em",
        "data_de_fechamento", "resolvido_em", "data_de_resolucao", "data_resolucao",
        "data_de_conclusao", "concluido_em", "finalizado_em",
    ),
    "resolved": ("resolved", "resolvido", "resolvida", "solucionado", "solucionada"),
    "contacts": (
        "contacts", "contatos", "numero_de_contatos", "n_contatos", "qtd_contatos",
        "contact_count",
    ),
    "reopened": ("reopened", "reaberto", "reaberta", "reopens", "reabertura", "reaberturas"),
    "transferred": (
        "transferred", "transferido", "transferida", "transfer", "transferencia",
        "transferencias", "transfers",
    ),
    "bot_handled": (
        "bot_handled", "bot", "chatbot", "atendido_por_bot", "atendido_pelo_bot", "automacao",
        "autoatendimento", "self_service",
    ),
    "escalated": (
        "escalated", "escalado", "escalada", "escalonado", "escalonamento", "escalation",
        "transbordo", "handoff",
    ),
    "handle_time_s": (
        "tma", "aht", "handle_time", "handling_time", "handle_time_s", "tempo_de_atendimento",
        "tempo_medio_de_atendimento", "talk_time", "tempo_falado", "tempo_de_conversa",
        "duracao", "duration", "call_duration", "duracao_da_chamada", "tempo_de_ligacao",
    ),
    "csat": (
        "csat", "nota_csat", "satisfacao", "satisfaction", "satisfaction_rating",
        "customer_satisfaction", "csat_score", "csat_rating", "pesquisa_de_satisfacao", "nota",
    ),
    "nps": (
        "nps", "nota_nps", "net_promoter_score", "recomendacao", "likelihood_to_recommend",
        "probabilidade_de_recomendar",
    ),
    "ces": ("ces", "esforco", "customer_effort", "customer_effort_score", "effort", "effort_score"),
    "delivered": ("delivered", "entregue", "entrega_realizada", "delivery_status", "status_da_entrega"),
}  # fmt: skip
_WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    "interaction_id": (("protocolo", 0.8), ("ticket", 0.7), ("chamado", 0.7), ("id", 0.6), ("case", 0.5)),
    "created_at": (
        ("created", 0.8), ("criado", 0.8), ("criacao", 0.8), ("abertura", 0.8), ("aberto", 0.8),
        ("opened", 0.8), ("inicio", 0.6), ("start", 0.6), ("data", 0.5), ("date", 0.5), ("dia", 0.4),
    ),
    "channel": (("canal", 0.8), ("channel", 0.8), ("source", 0.5), ("origem", 0.5), ("midia", 0.5)),
    "team": (
        ("equipe", 0.8), ("team", 0.8), ("fila", 0.7), ("queue", 0.7), ("grupo", 0.6),
        ("group", 0.6), ("departamento", 0.6), ("setor", 0.6), ("skill", 0.5),
    ),
    "agent": (
        ("agente", 0.8), ("agent", 0.8), ("atendente", 0.8), ("operador", 0.8),
        ("analista", 0.7), ("responsavel", 0.6), ("assignee", 0.7), ("owner", 0.5),
    ),
    "category": (
        ("categoria", 0.8), ("category", 0.8), ("assunto", 0.7), ("motivo", 0.7),
        ("tabulacao", 0.7), ("tipo", 0.5), ("type", 0.5),
    ),
    "first_response_at": (
        ("primeira_resposta", 0.8), ("first_response", 0.8), ("first_reply", 0.8),
        ("first_responded", 0.8), ("respondido_em", 0.8), ("atendido_em", 0.8),
        ("answered_at", 0.8),
    ),
    "wait_s": (
        ("espera", 0.8), ("wait", 0.8), ("waiting", 0.8), ("first_response", 0.7),
        ("primeira_resposta", 0.7), ("response_time", 0.7), ("tempo_de_resposta", 0.7),
        ("asa", 0.7), ("frt", 0.7),
    ),
    "answered": (("answered", 0.8), ("atendida", 0.8), ("atendido", 0.7), ("respondida", 0.7)),
    "abandoned": (("abandoned", 0.8), ("abandonada", 0.8), ("abandonado", 0.8), ("abandono", 0.8)),
    "resolved_at": (
        ("encerramento", 0.8), ("fechamento", 0.8), ("resolvido_em", 0.8), ("resolved_at", 0.8),
        ("closed_at", 0.8), ("encerrado", 0.6), ("fechado", 0.6), ("closed", 0.6), ("solved", 0.6),
        ("resolucao", 0.6), ("conclusao", 0.6), ("finalizado", 0.6),
    ),
    "resolved": (
        ("resolvido", 0.8), ("resolvida", 0.8), ("resolved", 0.8), ("solucionado", 0.8),
        ("status", 0.6), ("situacao", 0.6), ("estado", 0.5), ("state", 0.5),
    ),
    "contacts": (("contatos", 0.7), ("contacts", 0.7)),
    "reopened": (("reaberto", 0.8), ("reaberta", 0.8), ("reopened", 0.8), ("reopens", 0.8), ("reabertura", 0.8)),
    "transferred": (("transferido", 0.8), ("transferida", 0.8), ("transferred", 0.8), ("transferencia", 0.8)),
    "bot_handled": (("bot", 0.8), ("chatbot", 0.8), ("autoatendimento", 0.7)),
    "escalated": (("escalado", 0.8), ("escalated", 0.8), ("escalonado", 0.8), ("transbordo", 0.8)),
    "handle_time_s": (
        ("tma", 0.8), ("aht", 0.8), ("handle", 0.8), ("handling", 0.8), ("duracao", 0.7),
        ("duration", 0.7), ("talk", 0.6), ("tempo_de_atendimento", 0.8),
    ),
    "csat": (
        ("csat", 0.9), ("satisfacao", 0.8), ("satisfaction", 0.8), ("nota", 0.6),
        ("avaliacao", 0.6), ("rating", 0.6), ("score", 0.5), ("survey", 0.5), ("pesquisa", 0.5),
    ),
    "nps": (("nps", 0.9), ("recomendacao", 0.8), ("recommend", 0.8), ("recomendar", 0.8)),
    "ces": (("ces", 0.9), ("esforco", 0.8), ("effort", 0.8)),
    "delivered": (("entregue", 0.8), ("delivered", 0.8), ("entrega", 0.6), ("delivery", 0.6)),
}  # fmt: skip
#: Names that say "this is the survey" (a 0-10 answer under such a name is not NPS).
_CSAT_NAMES = ("csat", "satisfacao", "satisfaction")
#: Folded names of a time-of-day column (the time half of ``[Date, Time]``).
_TIME_WORDS = ("hora", "time", "horario", "hour", "time_of_day", "hora_do_dia")
#: Units of plain numbers, from words of the column name.
_UNIT_WORDS = {
    "minutes": ("min", "mins", "minute", "minutes", "minuto", "minutos"),
    "seconds": ("s", "sec", "secs", "second", "seconds", "seg", "segs", "segundo", "segundos"),
    "hours": ("h", "hr", "hrs", "hour", "hours", "horas"),
}
#: Values (folded) that mean yes, per flag, besides the usual yes words.
_YES_WORDS = {
    "resolved": (
        "resolvido", "resolvida", "resolved", "solved", "closed", "fechado", "fechada",
        "encerrado", "encerrada", "concluido", "concluida", "finalizado", "finalizada",
        "solucionado", "solucionada", "done", "completed", "complete",
    ),
    "answered": ("atendida", "atendido", "answered", "respondida", "respondido", "connected"),
    "abandoned": ("abandonada", "abandonado", "abandoned", "abandon", "desistencia", "lost"),
    "delivered": ("entregue", "delivered", "shipped", "enviado"),
    "transferred": ("transferida", "transferido", "transferred"),
    "reopened": ("reaberto", "reaberta", "reopened"),
    "escalated": ("escalado", "escalada", "escalated", "transbordo", "human", "humano"),
    "bot_handled": ("bot", "chatbot"),
}  # fmt: skip
#: Standard survey scales, smallest first: the first that holds the values is the scale.
_SCALES = ((1, 5), (1, 7), (1, 10), (0, 10))
_CLOCK = re.compile(r"^-?\d{1,3}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$")
_TIME_OF_DAY = re.compile(r"^\d{1,2}[:hH]\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?$")
_DATE_TEXT = re.compile(
    r"^\s*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}(\D|$)|[A-Za-z]{3,}\.? \d{1,2}|\d{1,2} [A-Za-z]{3,})"
)


def _matches(word: str, key: str) -> bool:
    if "_" in word:
        return f"_{word}_" in f"_{key}_"
    return word in key.split("_")


def _name_score(target: str, key: str) -> float:
    if key in _EXACT[target]:
        return 1.0
    return max((w for word, w in _WORDS[target] if _matches(word, key)), default=0.0)


# ------------------------------------------------------------------ values


@dataclass
class _Column:
    """What a source column's name and values look like."""

    name: str
    key: str
    position: int
    series: pd.Series
    n: int  # non-blank values
    distinct: int
    top: list[tuple[str, int]]
    dates: float = 0.0  # share of the sample that reads as dates
    midnight: bool = False  # every date at 00:00
    dayfirst: str | None = None  # detect_dayfirst of the column
    clock: float = 0.0  # share of h:mm(:ss) texts, time and timedelta values
    clock_parts: int = 3  # 2 for mm:ss / hh:mm texts
    clock_big: bool = False  # some clock value above 23 hours (a duration, not a time)
    boolean: bool = False  # true/false values (Parquet, DataFrame): read as they are
    numbers: float = 0.0  # share of numbers
    low: float | None = None
    high: float | None = None
    whole: bool = False

    @property
    def unique(self) -> bool:
        return self.n >= 2 and self.distinct >= 0.95 * self.n

    def shown(self, limit: int = 8) -> str:
        parts = [f"{v} ({c})" for v, c in self.top[:limit]]
        return ", ".join(parts) + (", …" if self.distinct > limit else "")


def _profile(name: str, position: int, series: pd.Series) -> _Column:
    blank = blank_mask(series).to_numpy(dtype=bool)
    values = series[~blank].reset_index(drop=True)
    top, distinct = value_counts_text(values, limit=12)
    col = _Column(name, normalize_name(name), position, series, len(values), distinct, top)
    if values.empty:
        return col
    sample = values.head(_SAMPLE)
    if ptypes.is_datetime64_any_dtype(sample.dtype):
        stamps = pd.to_datetime(sample)
        col.dates, col.midnight = 1.0, bool((stamps == stamps.dt.normalize()).all())
        return col
    if ptypes.is_timedelta64_dtype(sample.dtype):
        col.clock = 1.0
        col.clock_big = bool((sample.dt.total_seconds() >= 86400).any())
        return col
    if ptypes.is_bool_dtype(sample.dtype):
        col.boolean = True
        return col
    objs = sample.astype(object)
    is_date = objs.map(lambda v: isinstance(v, _dt.date | np.datetime64)).to_numpy(dtype=bool)
    is_clock = objs.map(lambda v: isinstance(v, _dt.time | _dt.timedelta)).to_numpy(dtype=bool)
    texts = objs.map(lambda v: v.strip() if isinstance(v, str) else None)
    text = texts.notna().to_numpy(dtype=bool)
    date_text = text & texts.map(lambda v: bool(v and _DATE_TEXT.match(v))).to_numpy(dtype=bool)
    clock_text = text & texts.map(lambda v: bool(v and _CLOCK.match(v))).to_numpy(dtype=bool)
    ok_dates = is_date.copy()
    if date_text.any():
        col.dayfirst = detect_dayfirst(texts[date_text])
        _, bad, _ = parse_timestamp(texts[date_text], dayfirst=col.dayfirst != "month")
        ok_dates[date_text] = ~bad.to_numpy(dtype=bool)
    col.dates = float(ok_dates.mean())
    if col.dates >= 0.8:
        read, _, _ = parse_timestamp(objs[ok_dates], dayfirst=col.dayfirst != "month")
        read = read.dropna()
        col.midnight = bool(len(read)) and bool((read == read.dt.normalize()).all())
        return col
    clocks = (
        is_clock
        | clock_text
        | texts.map(lambda v: bool(v and _TIME_OF_DAY.match(v))).to_numpy(dtype=bool)
    )
    col.clock = float(clocks.mean())
    if clock_text.any():
        shown = texts[clock_text]
        col.clock_parts = 2 if (shown.str.count(":") == 1).all() else 3
        hours = pd.to_numeric(shown.str.split(":").str[0].str.lstrip("-"), errors="coerce")
        col.clock_big = bool((hours > 23).any())
    col.clock_big = col.clock_big or any(
        isinstance(v, _dt.timedelta) and v.total_seconds() >= 86400 for v in objs[is_clock]
    )
    if col.clock < 0.5:
        nums, bad = parse_number(sample)
        col.numbers = float((~bad.to_numpy(dtype=bool) & nums.notna().to_numpy()).mean())
        found = nums.dropna()
        if len(found):
            col.low, col.high = float(found.min()), float(found.max())
            col.whole = bool((found == found.round()).all())
    return col


# ------------------------------------------------------------------ entries


@dataclass
class _Entry:
    """One suggested line: ``target: value   # comment`` (commented out when unsure)."""

    target: str
    value: Any
    columns: tuple[str, ...]
    comment: str = ""
    sure: bool = True
    check: bool = False  # a line written as is, but worth a look (listed in the notes)


def _flow(value: Any) -> str:
    """A value as YAML flow text (names quoted only where YAML needs it)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}"
    dumped = yaml.safe_dump([str(value)], default_flow_style=True, allow_unicode=True, width=10**6)
    return dumped.strip()[1:-1]


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def _unit_from_name(col: _Column) -> str | None:
    tokens = col.key.split("_")
    for unit, words in _UNIT_WORDS.items():
        if any(w in tokens for w in words):
            return unit
    return None


def _timestamp(target: str, col: _Column, lang: str) -> _Entry | None:
    if col.dates < 0.8:
        return None
    return _Entry(target, col.name, (col.name,))


def _duration(target: str, col: _Column, lang: str) -> _Entry | None:
    if col.dates >= 0.5:
        return None
    if col.clock >= 0.8:
        entry = {"column": col.name}
        if col.clock_parts == 2:
            entry["unit"] = "mm:ss"
            comment = t(
                "values such as {example}: minutes:seconds, or hours:minutes?",
                lang,
                example=repr(col.top[0][0]) if col.top else "?",
            )
            return _Entry(target, entry, (col.name,), comment, check=True)
        entry["unit"] = "hh:mm:ss"
        return _Entry(target, entry, (col.name,))
    if col.numbers < 0.9 or col.low is None or col.low < 0:
        return None
    unit = _unit_from_name(col)
    low, high = _num(col.low), _num(col.high)
    if unit is not None:
        return _Entry(target, {"column": col.name, "unit": unit}, (col.name,))
    if col.high is not None and col.high < 1:
        comment = t("values {low}-{high}: Excel fractions of a day?", lang, low=low, high=high)
        return _Entry(
            target, {"column": col.name, "unit": "hh:mm:ss"}, (col.name,), comment, check=True
        )
    comment = t(
        "values {low}-{high} and no unit in the name: seconds? (else unit: minutes or hours)",
        lang,
        low=low,
        high=high,
    )
    return _Entry(target, {"column": col.name, "unit": "seconds"}, (col.name,), comment, sure=False)


def _flag(target: str, col: _Column, lang: str, score: float) -> _Entry | None:
    if col.n == 0 or col.distinct > 6 or col.dates >= 0.5:
        return None
    if col.boolean:
        return _Entry(target, col.name, (col.name,))
    seen = [v for v, _ in col.top]
    keys = [fold(v) for v in seen]
    if col.whole and col.low is not None and col.low >= 0 and (col.high or 0) > 1:
        comment = t("a count: above 0 reads as yes", lang)
        return _Entry(target, col.name, (col.name,), comment)
    yes_no = TRUE_TOKENS | FALSE_TOKENS
    if all(k in yes_no for k in keys):
        trues = [v for v, k in zip(seen, keys, strict=True) if k in TRUE_TOKENS]
        falses = [v for v, k in zip(seen, keys, strict=True) if k in FALSE_TOKENS]
        entry: dict[str, Any] = {"column": col.name}
        if trues:
            entry["true_values"] = trues
        if falses:
            entry["false_values"] = falses
        comment = ""
        if not trues or not falses:
            comment = t("only {values} seen: check the other value", lang, values=", ".join(seen))
        return _Entry(target, entry, (col.name,), comment, check=bool(comment))
    yes = set(_YES_WORDS.get(target, ())) | TRUE_TOKENS
    trues = [v for v, k in zip(seen, keys, strict=True) if k in yes]
    others = [v for v, k in zip(seen, keys, strict=True) if k not in yes]
    if not trues:
        if score < 0.8:
            return None  # a "Status" column of something else
        entry = {"column": col.name, "true_values": [], "false_values": others, "otherwise": False}
        comment = t(
            "which of {values} mean yes? move them to true_values", lang, values=", ".join(seen)
        )
        return _Entry(target, entry, (col.name,), comment, sure=False)
    entry = {"column": col.name, "true_values": trues}
    if others:
        entry["false_values"] = others
    entry["otherwise"] = False
    comment = t(
        "check: {trues} read as yes, {others} and any other value as no",
        lang,
        trues=", ".join(trues),
        others=", ".join(others) or "–",
    )
    return _Entry(target, entry, (col.name,), comment, check=True)


def _scale_of(col: _Column) -> tuple[int, int] | None:
    if col.low is None or col.high is None:
        return None
    return next((s for s in _SCALES if s[0] <= col.low and col.high <= s[1]), None)


def _score(target: str, col: _Column, lang: str) -> _Entry | None:
    if col.dates >= 0.5 or col.clock >= 0.5:
        return None
    if col.numbers < 0.9:
        if col.distinct > 12 or col.n == 0:
            return None
        comment = t(
            "text answers ({values}): map them to numbers with values: {{...}} and a scale",
            lang,
            values=col.shown(6),
        )
        return _Entry(target, {"column": col.name}, (col.name,), comment, sure=False)
    scale = _scale_of(col)
    seen = t("values {low}-{high}", lang, low=_num(col.low), high=_num(col.high))
    if scale is None:
        comment = seen + ": " + t("no usual scale: declare it with scale: [low, high]", lang)
        return _Entry(target, {"column": col.name}, (col.name,), comment, sure=False)
    if target == "nps":
        if scale[1] != 10:
            comment = seen + ": " + t("NPS answers are 0-10: is this NPS?", lang)
            return _Entry(target, col.name, (col.name,), comment, sure=False)
        return _Entry(target, col.name, (col.name,))
    if target == "ces":
        sure = scale in ((1, 5), (1, 7))
        comment = "" if sure else seen + ": " + t("check the scale", lang)
        return _Entry(
            target, {"column": col.name, "scale": list(scale)}, (col.name,), comment, sure
        )
    entry = {"column": col.name, "scale": list(scale)}
    if scale == (1, 5):
        return _Entry(target, entry, (col.name,))
    named = any(_matches(w, col.key) for w in _CSAT_NAMES)
    if scale[1] == 10 and not named:
        comment = (
            seen + ": " + t("is this NPS? (then write nps: {column})", lang, column=_flow(col.name))
        )
        return _Entry(target, entry, (col.name,), comment, sure=False)
    comment = (
        seen
        + ": "
        + t("scale {low}-{high} read from the values: check it", lang, low=scale[0], high=scale[1])
    )
    return _Entry(target, entry, (col.name,), comment, check=True)


def _dimension(target: str, col: _Column, lang: str) -> _Entry | None:
    if col.n == 0 or col.dates >= 0.5 or col.clock >= 0.5:
        return None
    if target == "channel":
        if col.distinct > 30:
            comment = t("{count} distinct values: is this the channel?", lang, count=col.distinct)
            return _Entry(target, col.name, (col.name,), comment, sure=False)
        return _Entry(
            target, col.name, (col.name,), t("values: {values}", lang, values=col.shown())
        )
    if target == "category" and col.unique and col.n > 10:
        return None  # a free-text subject, not a category
    return _Entry(target, col.name, (col.name,))


def _contacts(target: str, col: _Column, lang: str) -> _Entry | None:
    if col.numbers < 0.9 or not col.whole or col.low is None or col.low < 1:
        return None
    return _Entry(target, col.name, (col.name,))


def _identifier(target: str, col: _Column, lang: str) -> _Entry | None:
    if col.dates >= 0.5 or col.clock >= 0.5 or col.n == 0:
        return None
    if not col.unique:
        comment = t(
            "{distinct} distinct values in {rows} rows: repeated ids are rejected as duplicates",
            lang,
            distinct=format_number(col.distinct, lang, decimals=0),
            rows=format_number(col.n, lang, decimals=0),
        )
        return _Entry(target, col.name, (col.name,), comment, check=True)
    return _Entry(target, col.name, (col.name,))


def _propose(target: str, col: _Column, lang: str, score: float) -> _Entry | None:
    kind = INTERACTION_COLUMNS[target]
    if target == "interaction_id":
        return _identifier(target, col, lang)
    if kind == "timestamp":
        return _timestamp(target, col, lang)
    if kind == "duration":
        return _duration(target, col, lang)
    if kind == "bool":
        return _flag(target, col, lang, score)
    if kind == "score":
        return _score(target, col, lang)
    if kind == "int":
        return _contacts(target, col, lang)
    return _dimension(target, col, lang)


def _time_column(date: _Column, columns: list[_Column], used: set[str]) -> _Column | None:
    """The time-of-day column to pair with a date-only column: a time-like name and values,
    the nearest one after the date column first."""
    found = [
        c
        for c in columns
        if c.name not in used
        and c.name != date.name
        and c.clock >= 0.8
        and not c.clock_big
        and (
            c.key in _TIME_WORDS or any(w in c.key.split("_") for w in ("hora", "time", "horario"))
        )
    ]
    found.sort(key=lambda c: (c.position < date.position, abs(c.position - date.position)))
    return found[0] if found else None


# ------------------------------------------------------------------ reading


def _read(source: Any, sheet: Any, encoding: str | None) -> tuple[pd.DataFrame, str]:
    """The raw export (text columns for a CSV) and its name, read as the loader reads it
    (delimiter, encoding, title rows above the header, blank rows)."""
    if isinstance(source, pd.DataFrame):
        frame = source.set_axis([str(c).strip() for c in source.columns], axis=1)
        return frame.reset_index(drop=True), "DataFrame"
    from . import io as _io
    from .config import DEFAULT_TIMEZONE

    reader, want_type = getattr(_io, "_read_source", None), getattr(_io, "_Want", None)
    if reader is None or want_type is None:  # the loader's internals moved: plain pandas
        return _read_plain(Path(source), sheet, encoding), Path(source).name
    want = want_type(
        tuple(
            (
                target in REQUIRED_COLUMNS,
                tuple((n,) for n in (*_EXACT[target], *(w for w, _ in _WORDS[target]))),
            )
            for target in INTERACTION_COLUMNS
        )
    )
    raw = reader(Path(source), sheet, encoding, DEFAULT_TIMEZONE, [], want=want)
    return raw.frame, raw.name


def _read_plain(path: Path, sheet: Any, encoding: str | None) -> pd.DataFrame:
    """The first rows of an export with pandas (header on the first row)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    if suffix in (".xlsx", ".xlsm", ".xls"):
        name = sheet if isinstance(sheet, str | int) and sheet != "all" else 0
        return pd.read_excel(path, sheet_name=name, nrows=20 * _SAMPLE)
    data = path.read_bytes()
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    import io

    return pd.read_csv(
        io.StringIO(text), sep=None, engine="python", dtype=str, keep_default_na=False,
        nrows=20 * _SAMPLE,
    )  # fmt: skip


# ------------------------------------------------------------------ the mapping


def suggest_mapping(
    source: Any,
    *,
    lang: str | None = None,
    sheet: Any = None,
    encoding: str | None = None,
    dayfirst: bool | None = None,
) -> tuple[str, list[str]]:
    """A starter YAML mapping for an export, and the notes of what to check.

    Parameters
    ----------
    source : path or pandas.DataFrame
        The export (CSV, Excel or Parquet, read as :func:`kpi_helpers.load_interactions`
        reads it: delimiter, encoding, header row and blank rows), or its raw DataFrame.
    lang : str
        Language of the comments and notes (``"en"`` or ``"pt-BR"``).
    sheet, encoding
        As for :func:`~kpi_helpers.load_interactions`.
    dayfirst : bool, optional
        How ``01/02/2026`` reads; default: decided from the values.

    Returns
    -------
    (yaml_text, notes)
        The mapping (header comment, one line per canonical column found, unsure ones
        commented out with the reason, then the columns left unmapped) and one line per
        entry to check, in ``lang``.

    Raises
    ------
    DataError
        The file cannot be read (the loader's message).
    """
    frame, name = _read(source, sheet, encoding)
    columns = [_profile(c, i, frame[c]) for i, c in enumerate(frame.columns)]
    entries: dict[str, _Entry] = {}
    used: set[str] = set()
    candidates = []
    for order, target in enumerate(INTERACTION_COLUMNS):
        for col in columns:
            score = _name_score(target, col.key)
            if score <= 0:
                continue
            entry = _propose(target, col, lang, score)
            if entry is not None:
                candidates.append((-score, not entry.sure, col.position, order, entry))
    for *_, entry in sorted(candidates, key=lambda c: c[:4]):
        if entry.target in entries or any(c in used for c in entry.columns):
            continue
        entries[entry.target] = entry
        used.update(entry.columns)
    _by_values(entries, columns, used, lang)
    created = entries.get("created_at")
    if created is not None and len(created.columns) == 1:
        date = next(c for c in columns if c.name == created.columns[0])
        time = _time_column(date, columns, used) if date.midnight else None
        if time is not None:
            created.value = [date.name, time.name]
            created.columns = (date.name, time.name)
            created.comment = t("a date column + a time column", lang)
            used.add(time.name)
        elif date.midnight:
            created.comment = t("dates without times: every contact at 00:00", lang)
            created.check = True
    dates = [
        next(c for c in columns if c.name == e.columns[0])
        for e in entries.values()
        if INTERACTION_COLUMNS[e.target] == "timestamp"
    ]
    top = _dayfirst_line(dates, dayfirst, lang)
    return _render(name, len(frame), entries, columns, used, top, lang)


def _by_values(entries: dict, columns: list[_Column], used: set[str], lang: str) -> None:
    """The required columns no name pointed at, from the values alone (marked to check)."""
    free = [c for c in columns if c.name not in used]
    if "interaction_id" not in entries:
        col = next(
            (
                c
                for c in free
                if c.unique and c.dates < 0.5 and c.clock < 0.5 and (c.numbers < 0.5 or c.whole)
            ),
            None,
        )
        if col is not None:
            comment = t("chosen by its values (every value unique): check", lang)
            entries["interaction_id"] = _Entry(
                "interaction_id", col.name, (col.name,), comment, check=True
            )
            used.add(col.name)
    if "created_at" not in entries:
        col = next((c for c in free if c.name not in used and c.dates >= 0.9), None)
        if col is not None:
            comment = t("chosen by its values (dates): check", lang)
            entries["created_at"] = _Entry("created_at", col.name, (col.name,), comment, check=True)
            used.add(col.name)


def _dayfirst_line(dates: list[_Column], dayfirst: bool | None, lang: str) -> _Entry | None:
    """``dayfirst:`` from the date texts of the mapped timestamp columns."""
    if dayfirst is not None:
        return _Entry("dayfirst", dayfirst, ())
    found = {c.name: c.dayfirst for c in dates if c.dayfirst is not None}
    if not found:
        return None  # ISO dates, Excel dates: nothing to decide
    decided = {v for v in found.values() if v in ("day", "month")}
    if len(decided) == 1 and "conflict" not in found.values():
        day = decided == {"day"}
        example = "?"
        for col in dates:
            evidence = dayfirst_evidence(col.series.astype(object))[0 if day else 1]
            if evidence.any():
                example = repr(str(col.series.iloc[int(np.argmax(evidence))]).strip())
                break
        msg = (
            "dates such as {example} read day first"
            if day
            else "dates such as {example} read month first"
        )
        return _Entry("dayfirst", day, (), t(msg, lang, example=example))
    if decided or "conflict" in found.values():
        comment = t("some dates read only day first, others only month first: check the file", lang)
        return _Entry("dayfirst", True, (), comment, check=True)
    by_day, by_month = dayfirst_spans(c.series.astype(object) for c in dates)
    day = not by_month * 2 < by_day
    msg = (
        "every date reads both ways (01/02 = 1 Feb or Jan 2): day first gives the shorter span: check"
        if day
        else "every date reads both ways (01/02 = 1 Feb or Jan 2): month first gives the shorter span: check"
    )
    return _Entry("dayfirst", day, (), t(msg, lang), check=True)


def _line(entry: _Entry) -> str:
    key = entry.target
    text = f"{key}: {_flow(entry.value)}"
    if entry.comment:
        text += f"   # {entry.comment}"
    return text if entry.sure else f"# {text}"


def _render(
    name: str,
    rows: int,
    entries: dict[str, _Entry],
    columns: list[_Column],
    used: set[str],
    top: _Entry | None,
    lang: str,
) -> tuple[str, list[str]]:
    lines = [
        "# " + t("Starter mapping for {file} ({rows} rows read), guessed from its column names and values.", lang, file=name, rows=format_number(rows, lang, decimals=0)),
        "# " + t("Check each line: the canonical column on the left, the export's column on the right.", lang),
        "# " + t('Lines that start with "# " are unconfirmed guesses: fix one and remove the "# " to use it.', lang),
        "# " + t("Flags list the values seen: check which ones mean yes.", lang),
        "# " + t('Entry forms: README, section "Loading your own export".', lang),
    ]  # fmt: skip
    if name != "DataFrame":
        then = t("Then: kpi-report check-data {file} --mapping <this file>", lang, file=name)
        lines.append("# " + then)
    notes: list[str] = []
    if top is not None:
        lines.append(_line(top))
        if top.check:
            notes.append(t("dayfirst: {why}", lang, why=top.comment))
    for target in INTERACTION_COLUMNS:
        entry = entries.get(target)
        if entry is None:
            if target in REQUIRED_COLUMNS:
                why = t("no column looks like it: write the export's column here", lang)
                lines.append(f"# {target}: ?   # {why}")
                notes.append(t("{field}: not found: {why}", lang, field=target, why=why))
            continue
        lines.append(_line(entry))
        source = " + ".join(entry.columns)
        if not entry.sure:
            notes.append(
                t(
                    "{field} ({column}), commented out: {why}",
                    lang,
                    field=target,
                    column=source,
                    why=entry.comment,
                )
            )
        elif entry.check:
            notes.append(
                t("{field} ({column}): {why}", lang, field=target, column=source, why=entry.comment)
            )
    rest = [c.name for c in columns if c.name not in used]
    if rest:
        lines.append("# " + t("Not mapped: {columns}", lang, columns=", ".join(rest)))
    text = "\n".join(lines) + "\n"
    active = yaml.safe_load(text) or {}
    parse_mapping(active, origin="suggested mapping")  # a bug here must not reach the user
    return text, notes
