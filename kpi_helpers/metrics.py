"""The KPI registry: every KPI of KPIS.md as one entry of data plus an Ibis definition.

A definition returns *additive components* (sums and counts of per-row expressions,
aggregated in one grouped query) or a quantile; the engine (:mod:`kpi_helpers.engine`)
applies ``value = scale * num / den`` afterwards. Adding a KPI is one :func:`register_metric`
call (plus a hand-computed test and a row in the README's catalog).

Examples
--------
>>> get_metric("nps").label("pt-BR")
'NPS (Net Promoter Score)'
>>> "csat" in list_metrics()
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import UnknownMetricError
from .i18n import normalize_lang

__all__ = [
    "Metric",
    "Parts",
    "PERSPECTIVES",
    "KINDS",
    "UNITS",
    "register_metric",
    "get_metric",
    "list_metrics",
    "catalog",
    "STANDARD_SUITE",
]

PERSPECTIVES = ("financial", "customer", "internal", "learning")
KINDS = ("proportion", "mean", "ratio", "count", "per_day", "quantile", "stock")
UNITS = ("ratio", "count", "seconds", "points", "score", "per_day", "currency", "number")

#: Service-level thresholds by channel family: see :mod:`kpi_helpers.channels` (one table).

#: The KPI suite used by benchmarks and the default reports.
STANDARD_SUITE = (
    "volume",
    "answered",
    "answer_rate",
    "abandonment_rate",
    "asa",
    "service_level",
    "resolution_rate",
    "fcr",
    "transfer_rate",
    "reopen_rate",
    "aht",
    "csat",
    "csat_mean",
    "nps",
    "ces",
)


@dataclass
class Parts:
    """What a KPI definition returns: Ibis aggregate expressions.

    ``value = scale * num / den`` for the ratio kinds (``den`` None means 1; per-day KPIs
    divide by the bucket's calendar days). ``sumsq`` is the sum of squares of the per-row
    variable of a mean. ``quantile`` with ``n`` is a quantile KPI.
    """

    num: Any = None
    den: Any = None
    sumsq: Any = None
    quantile: Any = None
    n: Any = None


@dataclass(frozen=True)
class Metric:
    """A KPI definition: data (labels, formula, unit, direction...) plus its Ibis builder."""

    id: str
    perspective: str
    unit: str
    higher_is_better: bool | None
    kind: str
    labels: Mapping[str, str]
    descriptions: Mapping[str, str]
    formulas: Mapping[str, str]
    requires: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    build: Callable[..., Parts] | None = None
    scale: float = 1.0
    edge_cases: Mapping[str, str] = field(default_factory=dict)
    source: str = "interactions"

    def __post_init__(self):
        if self.perspective not in PERSPECTIVES:
            raise ValueError(f"perspective must be one of {PERSPECTIVES}, got {self.perspective!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}")
        for name, texts in (("labels", self.labels), ("descriptions", self.descriptions)):
            missing = {"en", "pt-BR"} - set(texts)
            if missing:
                raise ValueError(f"metric {self.id!r}: {name} need en and pt-BR, missing {missing}")

    def _text(self, texts: Mapping[str, str], lang: str | None) -> str:
        lang = normalize_lang(lang)
        return texts.get(lang) or texts.get("en", "")

    def label(self, lang: str | None = "en") -> str:
        """The KPI's name in ``lang``."""
        return self._text(self.labels, lang)

    def description(self, lang: str | None = "en") -> str:
        """One paragraph on what the KPI measures, in ``lang``."""
        return self._text(self.descriptions, lang)

    def formula(self, lang: str | None = "en") -> str:
        """The formula as text (for trainers), in ``lang``."""
        return self._text(self.formulas, lang)

    def edge_case_text(self, lang: str | None = "en") -> str:
        """How the edge cases are treated (missing answers, zero denominators...)."""
        return self._text(self.edge_cases, lang)


_REGISTRY: dict[str, Metric] = {}


def register_metric(metric: Metric, *, replace: bool = False) -> Metric:
    """Add ``metric`` to the registry (``replace=True`` to redefine an id)."""
    if metric.id in _REGISTRY and not replace:
        raise ValueError(f"metric {metric.id!r} is already registered; pass replace=True")
    _REGISTRY[metric.id] = metric
    return metric


def get_metric(metric_id: str) -> Metric:
    """The registry entry of ``metric_id``; an unknown id lists the known ones."""
    if isinstance(metric_id, Metric):
        return metric_id
    try:
        return _REGISTRY[metric_id]
    except (KeyError, TypeError):
        import difflib

        close = difflib.get_close_matches(str(metric_id), list(_REGISTRY), n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownMetricError(
            f"unknown KPI id {metric_id!r}.{hint} Known ids: {', '.join(sorted(_REGISTRY))}."
        ) from None


def list_metrics(perspective: str | None = None) -> list[str]:
    """All KPI ids (optionally of one perspective), in registry order."""
    return [m.id for m in _REGISTRY.values() if perspective in (None, m.perspective)]


def catalog(lang: str = "en") -> pd.DataFrame:
    """The registry as a table, one row per KPI, texts in ``lang`` ("en" or "pt-BR").

    Columns: id, perspective, unit, higher_is_better, label, description, formula, requires.

    >>> catalog("pt-BR").set_index("id").loc["fcr", "perspective"]
    'customer'
    """
    lang = normalize_lang(lang)
    rows = [
        {
            "id": m.id,
            "perspective": m.perspective,
            "unit": m.unit,
            "higher_is_better": m.higher_is_better,
            "label": m.label(lang),
            "description": m.description(lang),
            "formula": m.formula(lang),
            "requires": ", ".join(m.requires),
        }
        for m in _REGISTRY.values()
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "perspective",
            "unit",
            "higher_is_better",
            "label",
            "description",
            "formula",
            "requires",
        ],
    )


# --------------------------------------------------------------------------------------
# Definitions. Each builder gets the engine's context ``c`` (prepared table ``c.t`` with the
# derived per-row columns _answered, _abandoned, _wait, _resolved, _res_time, ...) and the
# metric's resolved options, and returns Parts of Ibis aggregate expressions.
# --------------------------------------------------------------------------------------


def _f(expr):
    """Cast to float64 (integer division and counts must never truncate)."""
    return expr.cast("float64")


def _cnt(c, where=None):
    """A count, returned as an integer: the engine divides in float64 after the query."""
    return c.t.count(where=where) if where is not None else c.t.count()


def _true(col):
    """True where a nullable boolean is true (null propagates to "not counted")."""
    return col.fill_null(False)


def _mean_parts(c, x, where):
    """Sum, count and (only when asked for: significance tests) the sum of squares."""
    sumsq = (x * x).sum(where=where) if c.want_sumsq else None
    return Parts(num=x.sum(where=where), den=_cnt(c, where), sumsq=sumsq)


def _b_volume(c, o):
    return Parts(num=_cnt(c))


def _b_volume_per_day(c, o):
    return Parts(num=_cnt(c))


def _b_answered(c, o):
    return Parts(num=_cnt(c, _true(c.t._answered)))


def _b_answer_rate(c, o):
    return Parts(num=_cnt(c, _true(c.t._answered)), den=_cnt(c))


def _b_abandonment_rate(c, o):
    return Parts(num=_cnt(c, _true(c.t._abandoned)), den=_cnt(c))


def _wait_col(c, o):
    return c.t._wait_b if o.get("hours") == "business" else c.t._wait


def _res_col(c, o):
    return c.t._res_time_b if o.get("hours") == "business" else c.t._res_time


def _b_asa(c, o):
    w = _wait_col(c, o)
    return _mean_parts(c, w, _true(c.t._answered) & w.notnull())


def _quantile_parts(c, x, where, q, o):
    if o.get("_quantiles") == "approx":
        agg = x.approx_quantile(q, where=where)
    else:
        agg = x.quantile(q, where=where)
    return Parts(quantile=_f(agg), n=_cnt(c, where))


def _b_frt_median(c, o):
    w = _wait_col(c, o)
    return _quantile_parts(c, w, _true(c.t._answered) & w.notnull(), 0.5, o)


def _b_frt_p90(c, o):
    w = _wait_col(c, o)
    return _quantile_parts(c, w, _true(c.t._answered) & w.notnull(), 0.9, o)


def _b_service_level(c, o):
    thr = c.sl_threshold(o.get("threshold_s"))
    within = _true(c.t._answered) & _true(c.t._wait <= thr)
    variant = o.get("variant", "offered")
    if variant == "offered":
        den = _cnt(c)
    elif variant == "answered":
        den = _cnt(c, _true(c.t._answered))
    else:  # exclude_short_abandons
        short = _true(c.t._abandoned) & _true(c.t._wait < float(o.get("short_abandon_s", 5)))
        den = _cnt(c) - _cnt(c, short)
    return Parts(num=_cnt(c, within), den=den)


def _b_resolution_rate(c, o):
    return Parts(num=_cnt(c, _true(c.t._resolved)), den=_cnt(c))


def _b_fcr(c, o):
    resolved = _true(c.t._resolved)
    return Parts(num=_cnt(c, resolved & _true(c.t.contacts == 1)), den=_cnt(c, resolved))


def _b_resolution_time_mean(c, o):
    r = _res_col(c, o)
    return _mean_parts(c, r, _true(c.t._resolved) & r.notnull())


def _b_resolution_time_median(c, o):
    r = _res_col(c, o)
    return _quantile_parts(c, r, _true(c.t._resolved) & r.notnull(), 0.5, o)


def _b_sla_compliance(c, o):
    target = float(o.get("resolution_target_s", 86400))
    r = _res_col(c, o)
    resolved = _true(c.t._resolved)
    open_for = c.open_duration(o)
    met = resolved & _true(r <= target)
    late_open = ~resolved & _true(open_for > target)
    if o.get("exclude_abandoned"):
        late_open = late_open & ~_true(c.t._abandoned)
    return Parts(num=_cnt(c, met), den=_cnt(c, resolved | late_open))


def _b_reopen_rate(c, o):
    return Parts(num=_cnt(c, _true(c.t.reopened)), den=_cnt(c, _true(c.t._resolved)))


def _b_transfer_rate(c, o):
    return Parts(num=_cnt(c, _true(c.t.transferred)), den=_cnt(c, _true(c.t._answered)))


def _b_aht(c, o):
    h = c.t.handle_time_s
    return _mean_parts(c, h, _true(c.t._answered) & h.notnull())


def _b_bot_containment(c, o):
    # a flag counts only when true: "not escalated" is every row whose escalated is not true
    bot = _true(c.t.bot_handled)
    contained = bot & ~_true(c.t.escalated) & _true(c.t._resolved)
    return Parts(num=_cnt(c, contained), den=_cnt(c, bot))


def _b_backlog(c, o):
    # The engine computes the stock itself (it needs rows created before each bucket).
    return Parts(num=_cnt(c))


def _b_delivery_success(c, o):
    d = c.t.delivered
    return Parts(num=_cnt(c, _true(d)), den=_cnt(c, d.notnull()))


def _b_csat(c, o):
    top = c.scale("csat", o).top_two_min
    x = c.t.csat
    return Parts(num=_cnt(c, _true(x >= top)), den=_cnt(c, x.notnull()))


def _b_csat_mean(c, o):
    x = c.t.csat
    return _mean_parts(c, x, x.notnull())


def _b_nps(c, o):
    # the mean of a per-row score (+1 promoter, 0 passive, -1 detractor), as counts
    x = c.t.nps
    promoters, detractors = _cnt(c, _true(x >= 9)), _cnt(c, _true(x <= 6))
    sumsq = promoters + detractors if c.want_sumsq else None
    return Parts(num=promoters - detractors, den=_cnt(c, x.notnull()), sumsq=sumsq)


def _b_ces(c, o):
    x = c.t.ces
    return _mean_parts(c, x, x.notnull())


_HOURS = {"hours": "calendar", "calendar": None}

_NOT_ZERO = {
    "en": "A group with a zero denominator gives NaN (missing), never 0.",
    "pt-BR": "Um grupo com denominador zero fica sem valor (NaN), nunca 0.",
}


def _edge(en: str = "", pt: str = "", *, kind: str = "proportion") -> dict[str, str]:
    # counts and stocks have no denominator: the zero-denominator rule is not theirs
    if kind in ("count", "stock"):
        return {"en": en.strip(), "pt-BR": pt.strip()}
    return {
        "en": (en + " " + _NOT_ZERO["en"]).strip(),
        "pt-BR": (pt + " " + _NOT_ZERO["pt-BR"]).strip(),
    }


def _define(
    id: str,
    perspective: str,
    unit: str,
    higher_is_better: bool | None,
    kind: str,
    label: tuple[str, str],
    description: tuple[str, str],
    formula: tuple[str, str],
    requires: tuple[str, ...],
    build: Callable[..., Parts] | None,
    *,
    options: Mapping[str, Any] | None = None,
    scale: float = 1.0,
    edge: tuple[str, str] = ("", ""),
    source: str = "interactions",
) -> Metric:
    return register_metric(
        Metric(
            id=id,
            perspective=perspective,
            unit=unit,
            higher_is_better=higher_is_better,
            kind=kind,
            labels={"en": label[0], "pt-BR": label[1]},
            descriptions={"en": description[0], "pt-BR": description[1]},
            formulas={"en": formula[0], "pt-BR": formula[1]},
            requires=requires,
            options=dict(options or {}),
            build=build,
            scale=scale,
            edge_cases=_edge(*edge, kind=kind),
            source=source,
        )
    )


# Virtual requirements: "answered" = answered or first_response_at or wait_s;
# "wait" = wait_s or first_response_at; "resolved" = resolved or resolved_at.
_define(
    "volume", "internal", "count", None, "count",
    ("Volume (contacts offered)", "Volume (contatos recebidos)"),
    ("Every contact the customers started in the period: tickets, calls, chats and messages, "
     "answered or not. The base of every rate.",
     "Todos os contatos iniciados pelos clientes no período: tickets, ligações, chats e "
     "mensagens, atendidos ou não. É a base de todas as taxas."),
    ("count(offered)", "contagem(recebidos)"),
    (), _b_volume,
    edge=("Counted in the period of created_at. An empty period has volume 0.",
          "Contado no período de created_at. Um período vazio tem volume 0."),
)  # fmt: skip
_define(
    "volume_per_day", "internal", "per_day", None, "per_day",
    ("Volume per calendar day", "Volume por dia corrido"),
    ("Contacts divided by the calendar days of the period, so that months of 28 and 31 days "
     "can be compared fairly.",
     "Contatos divididos pelos dias corridos do período, para comparar com justiça meses de "
     "28 e de 31 dias."),
    ("volume / calendar days of the period (whole data span when not grouped by time)",
     "volume / dias corridos do período (todo o intervalo dos dados sem agrupamento no tempo)"),
    (), _b_volume_per_day,
    edge=("Ungrouped, the days are those from the first to the last contact date, inclusive.",
          "Sem agrupamento no tempo, os dias vão da data do primeiro à do último contato."),
)  # fmt: skip
_define(
    "answered", "internal", "count", None, "count",
    ("Answered contacts", "Contatos atendidos"),
    ("Contacts that got a first human answer (a bot reply is not an answer).",
     "Contatos que receberam uma primeira resposta humana (resposta de robô não conta)."),
    ("count(answered)", "contagem(atendidos)"),
    ("answered",), _b_answered,
    edge=("Without an answered column, a contact is answered when first_response_at or wait_s "
          "is present.",
          "Sem a coluna answered, um contato é atendido quando first_response_at ou wait_s existe."),
)  # fmt: skip
_define(
    "answer_rate", "internal", "ratio", True, "proportion",
    ("Answer rate", "Taxa de atendimento"),
    ("Share of the contacts offered that were answered.",
     "Proporção dos contatos recebidos que foram atendidos."),
    ("answered / volume", "atendidos / volume"),
    ("answered",), _b_answer_rate,
)  # fmt: skip
_define(
    "abandonment_rate", "internal", "ratio", False, "proportion",
    ("Abandonment rate", "Taxa de abandono"),
    ("Share of the contacts whose customer gave up before an answer (calls, chats).",
     "Proporção dos contatos em que o cliente desistiu antes de ser atendido "
     "(ligações, chats)."),
    ("count(abandoned) / volume", "contagem(abandonados) / volume"),
    ("abandoned",), _b_abandonment_rate,
    edge=("Without an abandoned column, every unanswered contact counts as abandoned.",
          "Sem a coluna abandoned, todo contato não atendido conta como abandonado."),
)  # fmt: skip
_define(
    "asa", "customer", "seconds", False, "mean",
    ("Average speed of answer (ASA)", "Tempo médio de espera (TME/ASA)"),
    ("Average time customers waited for the first human answer, over answered contacts "
     "(also called average first response time).",
     "Tempo médio que os clientes esperaram pela primeira resposta humana, nos contatos "
     "atendidos (também chamado tempo médio de primeira resposta)."),
    ("mean(wait_s) over answered contacts", "média(wait_s) nos contatos atendidos"),
    ("answered", "wait"), _b_asa, options=_HOURS,
    edge=("Unanswered contacts are excluded here; they count against the service level and "
          "the answer rate. Option hours='business' counts business seconds only.",
          "Contatos não atendidos ficam fora; eles pesam no nível de serviço e na taxa de "
          "atendimento. Com hours='business' contam só segundos em horário comercial."),
)  # fmt: skip
_define(
    "frt_mean", "customer", "seconds", False, "mean",
    ("First response time (mean)", "Tempo de primeira resposta (média)"),
    ("The same number as ASA under the name helpdesks use: the average time to the first "
     "human answer, over answered contacts.",
     "O mesmo número do TME/ASA com o nome usado pelos helpdesks: o tempo médio até a "
     "primeira resposta humana, nos contatos atendidos."),
    ("mean(wait_s) over answered contacts", "média(wait_s) nos contatos atendidos"),
    ("answered", "wait"), _b_asa, options=_HOURS,
    edge=("Identical to asa. Unanswered contacts are excluded; bot replies are not first "
          "responses.",
          "Idêntico ao asa. Contatos não atendidos ficam fora; respostas de robô não são "
          "primeiras respostas."),
)  # fmt: skip
_define(
    "frt_median", "customer", "seconds", False, "quantile",
    ("First response time (median)", "Tempo de primeira resposta (mediana)"),
    ("Half of the answered contacts got their first human answer faster than this.",
     "Metade dos contatos atendidos recebeu a primeira resposta humana antes deste tempo."),
    ("median(wait_s) over answered contacts", "mediana(wait_s) nos contatos atendidos"),
    ("answered", "wait"), _b_frt_median, options=_HOURS,
    edge=("Linear interpolation between answers. Unanswered contacts are excluded.",
          "Interpolação linear entre as respostas. Contatos não atendidos ficam fora."),
)  # fmt: skip
_define(
    "frt_p90", "customer", "seconds", False, "quantile",
    ("First response time (90th percentile)", "Tempo de primeira resposta (percentil 90)"),
    ("Nine in ten answered contacts got their first human answer faster than this: the "
     "experience of the unlucky customers.",
     "Nove em cada dez contatos atendidos receberam a primeira resposta humana antes deste "
     "tempo: a experiência dos clientes com menos sorte."),
    ("90th percentile of wait_s over answered contacts",
     "percentil 90 de wait_s nos contatos atendidos"),
    ("answered", "wait"), _b_frt_p90, options=_HOURS,
    edge=("Linear interpolation between answers. Unanswered contacts are excluded.",
          "Interpolação linear entre as respostas. Contatos não atendidos ficam fora."),
)  # fmt: skip
_define(
    "service_level", "customer", "ratio", True, "proportion",
    ("Service level", "Nível de serviço"),
    ("Share of the contacts answered within the channel's threshold (the classic 80/20: 80% "
     "of calls answered within 20 seconds).",
     "Proporção dos contatos atendidos dentro do limite do canal (o clássico 80/20: 80% das "
     "ligações atendidas em até 20 segundos)."),
    ("count(answered and wait_s <= T) / volume",
     "contagem(atendidos e wait_s <= T) / volume"),
    ("answered", "wait"), _b_service_level,
    options={"threshold_s": None, "variant": "offered", "short_abandon_s": 5.0},
    edge=("Unanswered contacts count against it. T per channel by default: phone 20 s, chat "
          "60 s, whatsapp 300 s, social networks 3600 s, email 86400 s, others 20 s. Variants: "
          "'answered' (denominator = answered), 'exclude_short_abandons' (abandons under "
          "short_abandon_s leave the denominator).",
          "Contatos não atendidos pesam contra. T por canal por padrão: telefone 20 s, chat "
          "60 s, whatsapp 300 s, redes sociais 3600 s, e-mail 86400 s, outros 20 s. Variantes: "
          "'answered' (denominador = atendidos), 'exclude_short_abandons' (abandonos abaixo "
          "de short_abandon_s saem do denominador)."),
)  # fmt: skip
_define(
    "resolution_rate", "internal", "ratio", True, "proportion",
    ("Resolution rate", "Taxa de resolução"),
    ("Share of the contacts that were resolved.", "Proporção dos contatos resolvidos."),
    ("count(resolved) / volume", "contagem(resolvidos) / volume"),
    ("resolved",), _b_resolution_rate,
)  # fmt: skip
_define(
    "fcr", "customer", "ratio", True, "proportion",
    ("First contact resolution (FCR)", "Resolução no primeiro contato (FCR)"),
    ("Share of the resolved contacts that needed a single contact: the customer did not "
     "have to come back.",
     "Proporção dos contatos resolvidos que precisaram de um único contato: o cliente não "
     "precisou voltar."),
    ("count(resolved and contacts == 1) / count(resolved)",
     "contagem(resolvidos com contacts == 1) / contagem(resolvidos)"),
    ("resolved", "contacts"), _b_fcr,
    edge=("Unresolved contacts are outside the denominator; a resolved contact with an unknown "
          "number of contacts counts as not first-contact.",
          "Contatos não resolvidos ficam fora do denominador; um resolvido sem o número de "
          "contatos conta como não resolvido no primeiro contato."),
)  # fmt: skip
_define(
    "resolution_time_mean", "customer", "seconds", False, "mean",
    ("Resolution time (mean)", "Tempo de resolução (média)"),
    ("Average time from the customer's first contact to the resolution, over resolved "
     "contacts.",
     "Tempo médio do primeiro contato do cliente até a resolução, nos contatos resolvidos."),
    ("mean(resolved_at - created_at) over resolved contacts",
     "média(resolved_at - created_at) nos contatos resolvidos"),
    ("resolved", "resolved_at"), _b_resolution_time_mean, options=_HOURS,
    edge=("Open contacts are excluded (see sla_compliance for them).",
          "Contatos em aberto ficam fora (veja sla_compliance)."),
)  # fmt: skip
_define(
    "resolution_time_median", "customer", "seconds", False, "quantile",
    ("Resolution time (median)", "Tempo de resolução (mediana)"),
    ("Half of the resolved contacts were resolved faster than this.",
     "Metade dos contatos resolvidos foi resolvida antes deste tempo."),
    ("median(resolved_at - created_at) over resolved contacts",
     "mediana(resolved_at - created_at) nos contatos resolvidos"),
    ("resolved", "resolved_at"), _b_resolution_time_median, options=_HOURS,
    edge=("Open contacts are excluded.", "Contatos em aberto ficam fora."),
)  # fmt: skip
_define(
    "sla_compliance", "internal", "ratio", True, "proportion",
    ("SLA compliance (resolution)", "Cumprimento do SLA (resolução)"),
    ("Share of the contacts resolved within the resolution target, counting the contacts "
     "still open past the target as misses.",
     "Proporção dos contatos resolvidos dentro da meta de resolução, contando como falha os "
     "contatos ainda abertos além da meta."),
    ("count(resolved within R) / count(resolved or open longer than R at the as-of time)",
     "contagem(resolvidos em até R) / contagem(resolvidos ou abertos há mais de R na data "
     "de referência)"),
    ("resolved", "resolved_at"), _b_sla_compliance,
    options={"resolution_target_s": 86400.0, "as_of": None, "exclude_abandoned": False,
             **_HOURS},
    edge=("R defaults to 86400 s (24 h); the as-of time defaults to the latest timestamp in "
          "the data. Contacts open for less than R are not yet judged. Option "
          "exclude_abandoned=True keeps unresolved abandoned calls out of the misses.",
          "R padrão de 86400 s (24 h); a data de referência padrão é o último horário nos "
          "dados. Contatos abertos há menos de R ainda não são avaliados. A opção "
          "exclude_abandoned=True tira das falhas as ligações abandonadas não resolvidas."),
)  # fmt: skip
_define(
    "reopen_rate", "internal", "ratio", False, "proportion",
    ("Reopen rate", "Taxa de reabertura"),
    ("Reopened contacts per resolved contact: resolutions that did not hold.",
     "Contatos reabertos por contato resolvido: resoluções que não se sustentaram."),
    ("count(reopened) / count(resolved)", "contagem(reabertos) / contagem(resolvidos)"),
    ("reopened", "resolved"), _b_reopen_rate,
)  # fmt: skip
_define(
    "transfer_rate", "internal", "ratio", False, "proportion",
    ("Transfer rate", "Taxa de transferência"),
    ("Transferred contacts per answered contact.",
     "Contatos transferidos por contato atendido."),
    ("count(transferred) / answered", "contagem(transferidos) / atendidos"),
    ("transferred", "answered"), _b_transfer_rate,
)  # fmt: skip
_define(
    "aht", "internal", "seconds", False, "mean",
    ("Average handle time (AHT)", "Tempo médio de atendimento (TMA/AHT)"),
    ("Average talk + hold + after-contact work per answered contact.",
     "Média de conversa + espera + trabalho pós-contato por contato atendido."),
    ("mean(handle_time_s) over answered contacts with a handle time",
     "média(handle_time_s) nos contatos atendidos com tempo registrado"),
    ("handle_time_s", "answered"), _b_aht,
    edge=("Answered contacts without a handle time are excluded.",
          "Contatos atendidos sem tempo registrado ficam fora."),
)  # fmt: skip
_define(
    "bot_containment", "internal", "ratio", True, "proportion",
    ("Bot containment", "Contenção pelo robô"),
    ("Share of the bot-handled conversations the bot resolved without escalating to a "
     "human.",
     "Proporção das conversas atendidas pelo robô que ele resolveu sem escalar para um "
     "humano."),
    ("count(bot_handled and not escalated and resolved) / count(bot_handled)",
     "contagem(robô, sem escalonamento e resolvido) / contagem(robô)"),
    ("bot_handled", "escalated", "resolved"), _b_bot_containment,
    edge=("A conversation is escalated only when flagged so: a blank escalation flag counts "
          "as not escalated.",
          "Uma conversa só é escalonada quando marcada assim: sem a marcação, conta como não "
          "escalonada."),
)  # fmt: skip
_define(
    "backlog", "internal", "count", False, "stock",
    ("Backlog (open at period end)", "Backlog (abertos no fim do período)"),
    ("Contacts created before the end of the period and not resolved by then: the work "
     "waiting at the period's end.",
     "Contatos criados antes do fim do período e ainda não resolvidos: o trabalho "
     "acumulado no fim do período."),
    ("count(created before end and (resolved_at null or resolved_at >= end))",
     "contagem(criados antes do fim e (resolved_at nulo ou resolved_at >= fim))"),
    ("resolved_at",), _b_backlog, options={"as_of": None, "exclude_abandoned": False},
    edge=("A stock, not a flow: it includes contacts created in earlier periods. Ungrouped "
          "by time, the end is the as-of time (default: after the latest data). Abandoned "
          "calls never get a resolved_at, so they stay in the backlog as written; option "
          "exclude_abandoned=True leaves them out (they are not work waiting).",
          "Um estoque, não um fluxo: inclui contatos criados em períodos anteriores. Sem "
          "agrupamento no tempo, o fim é a data de referência (padrão: após o último dado). "
          "Ligações abandonadas nunca recebem resolved_at e, pela definição, ficam no backlog; "
          "a opção exclude_abandoned=True as deixa de fora (não são trabalho à espera)."),
)  # fmt: skip
_define(
    "delivery_success", "customer", "ratio", True, "proportion",
    ("Delivery success rate", "Taxa de sucesso na entrega"),
    ("Share of the promised services or deliveries that succeeded.",
     "Proporção dos serviços ou entregas prometidos que foram realizados com sucesso."),
    ("count(delivered) / count(delivered known)",
     "contagem(entregues) / contagem(entrega informada)"),
    ("delivered",), _b_delivery_success,
    edge=("Contacts without delivery information are excluded.",
          "Contatos sem informação de entrega ficam fora."),
)  # fmt: skip
_define(
    "csat", "customer", "ratio", True, "proportion",
    ("CSAT (top-two-box)", "CSAT (duas notas mais altas)"),
    ("Share of the survey answers in the top two boxes of the scale (4 or 5 on 1-5): "
     "satisfied customers.",
     "Proporção das respostas da pesquisa nas duas notas mais altas da escala (4 ou 5 em "
     "1-5): clientes satisfeitos."),
    ("count(csat in top two boxes) / count(csat answered)",
     "contagem(csat nas duas notas mais altas) / contagem(csat respondido)"),
    ("csat",), _b_csat, options={"scale": None},
    edge=("Contacts without an answer are excluded from the denominator; the response count "
          "is the n shown.",
          "Contatos sem resposta ficam fora do denominador; o número de respostas é o n "
          "exibido."),
)  # fmt: skip
_define(
    "csat_mean", "customer", "score", True, "mean",
    ("CSAT (mean score)", "CSAT (nota média)"),
    ("Average satisfaction score on the survey's scale.",
     "Nota média de satisfação na escala da pesquisa."),
    ("mean(csat)", "média(csat)"),
    ("csat",), _b_csat_mean,
    edge=("Missing answers are excluded.", "Respostas em branco ficam fora."),
)  # fmt: skip
_define(
    "nps", "customer", "points", True, "mean",
    ("NPS (Net Promoter Score)", "NPS (Net Promoter Score)"),
    ("Promoters (9-10) minus detractors (0-6), as points from -100 to +100, over the "
     "customers who answered.",
     "Promotores (9-10) menos detratores (0-6), em pontos de -100 a +100, entre os clientes "
     "que responderam."),
    ("100 * (promoters - detractors) / responses",
     "100 * (promotores - detratores) / respostas"),
    ("nps",), _b_nps, scale=100.0,
    edge=("Passives (7-8) count in the responses only. Missing answers are excluded.",
          "Neutros (7-8) contam só nas respostas. Respostas em branco ficam fora."),
)  # fmt: skip
_define(
    "ces", "customer", "score", True, "mean",
    ("Customer effort score (CES)", "Esforço do cliente (CES)"),
    ("Average agreement that the company made it easy to get the issue solved, on the "
     "survey's scale (1-7 by default; higher means less effort).",
     "Concordância média com a frase 'a empresa facilitou resolver minha questão', na escala "
     "da pesquisa (1-7 por padrão; maior significa menos esforço)."),
    ("mean(ces)", "média(ces)"),
    ("ces",), _b_ces,
    edge=("Missing answers are excluded. If your survey asks 'how much effort', where lower "
          "is better, invert its scale when loading.",
          "Respostas em branco ficam fora. Se a sua pesquisa pergunta 'quanto esforço', em que "
          "menor é melhor, inverta a escala ao carregar."),
)  # fmt: skip


# --------------------------------------------------------------------------------------
# Operations KPIs: from the periodic operations table (see kpi_helpers.operations), joined
# to the interactions by period. Additive columns are summed over a bucket; stocks
# (headcount, customers) are taken at the bucket's start and end.
# --------------------------------------------------------------------------------------

_OPS = "operations"
_define(
    "cost_per_interaction", "financial", "currency", False, "ratio",
    ("Cost per interaction", "Custo por atendimento"),
    ("Operating cost of the service divided by the contacts handled.",
     "Custo operacional do atendimento dividido pelos contatos recebidos."),
    ("cost_total / volume", "cost_total / volume"),
    ("cost_total",), None, source=_OPS,
)  # fmt: skip
_define(
    "cost_per_resolution", "financial", "currency", False, "ratio",
    ("Cost per resolution", "Custo por resolução"),
    ("Operating cost divided by the contacts resolved.",
     "Custo operacional dividido pelos contatos resolvidos."),
    ("cost_total / count(resolved)", "cost_total / contagem(resolvidos)"),
    ("cost_total", "resolved"), None, source=_OPS,
)  # fmt: skip
_define(
    "roi_technology", "financial", "ratio", True, "ratio",
    ("ROI of service technology", "ROI da tecnologia de atendimento"),
    ("Return on the money spent on service technology (bots, tools): benefit minus cost, "
     "over cost.",
     "Retorno do investimento em tecnologia de atendimento (robôs, ferramentas): benefício "
     "menos custo, sobre o custo."),
    ("(tech_benefit - tech_cost) / tech_cost", "(tech_benefit - tech_cost) / tech_cost"),
    ("tech_benefit", "tech_cost"), None, source=_OPS,
)  # fmt: skip
_define(
    "customer_retention", "customer", "ratio", True, "ratio",
    ("Customer retention rate", "Taxa de retenção de clientes"),
    ("Share of the customers at the start of the period still customers at its end "
     "(new customers left out).",
     "Proporção dos clientes do início do período que continuam clientes no fim (sem contar "
     "os novos)."),
    ("(customers_end - customers_new) / customers_start",
     "(customers_end - customers_new) / customers_start"),
    ("customers_start", "customers_end", "customers_new"), None, source=_OPS,
)  # fmt: skip
_define(
    "availability", "internal", "ratio", True, "ratio",
    ("Service availability", "Disponibilidade do serviço"),
    ("Share of the scheduled time the service channels and systems were up.",
     "Proporção do tempo programado em que canais e sistemas estiveram no ar."),
    ("1 - downtime_minutes / scheduled_minutes", "1 - downtime_minutes / scheduled_minutes"),
    ("downtime_minutes", "scheduled_minutes"), None, source=_OPS,
)  # fmt: skip
_define(
    "talent_retention", "learning", "ratio", True, "ratio",
    ("Talent retention", "Retenção de talentos"),
    ("One minus the leavers over the average headcount of the period.",
     "Um menos os desligamentos sobre o quadro médio do período."),
    ("1 - leavers / ((headcount_start + headcount_end) / 2)",
     "1 - leavers / ((headcount_start + headcount_end) / 2)"),
    ("leavers", "headcount_start", "headcount_end"), None, source=_OPS,
)  # fmt: skip
_define(
    "training_hours_per_agent", "learning", "number", True, "ratio",
    ("Training hours per agent", "Horas de treinamento por atendente"),
    ("Training hours over the average headcount of the period.",
     "Horas de treinamento sobre o quadro médio do período."),
    ("training_hours / ((headcount_start + headcount_end) / 2)",
     "training_hours / ((headcount_start + headcount_end) / 2)"),
    ("training_hours", "headcount_start", "headcount_end"), None, source=_OPS,
)  # fmt: skip
_define(
    "training_completion", "learning", "ratio", True, "proportion",
    ("Training completion", "Conclusão de treinamentos"),
    ("Share of the assigned trainings that were completed.",
     "Proporção dos treinamentos atribuídos que foram concluídos."),
    ("trainings_completed / trainings_assigned", "trainings_completed / trainings_assigned"),
    ("trainings_completed", "trainings_assigned"), None, source=_OPS,
)  # fmt: skip
_define(
    "innovations", "learning", "count", True, "count",
    ("New technologies implemented", "Novas tecnologias implantadas"),
    ("Number of new technologies or tools put into service in the period.",
     "Número de novas tecnologias ou ferramentas postas em uso no período."),
    ("sum(new_technologies)", "soma(new_technologies)"),
    ("new_technologies",), None, source=_OPS,
)  # fmt: skip
