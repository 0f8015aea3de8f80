"""The KPI primer: calculators (hand-computed), worked examples, the story, check()."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from kpi_helpers import primer
from kpi_helpers.errors import OptionError
from kpi_helpers.i18n import t
from kpi_helpers.metrics import PERSPECTIVES, get_metric, list_metrics

# ----------------------------------------------------------------------------- calculators


@pytest.mark.parametrize(
    ("p", "a", "d", "expected"),
    [(50, 30, 20, 30.0), (6, 2, 2, 40.0), (0, 10, 0, 0.0), (0, 0, 4, -100.0), (1, 0, 0, 100.0)],
)
def test_nps_from_counts(p, a, d, expected):
    assert primer.nps_from_counts(p, a, d) == pytest.approx(expected)


def test_nps_without_answers_is_missing_and_negative_counts_fail():
    assert math.isnan(primer.nps_from_counts(0, 0, 0))
    with pytest.raises(OptionError, match="`passives`.*-1"):
        primer.nps_from_counts(1, -1, 0)


def test_csat_summary_top_two_box_vs_mean():
    # 5, 4, 4 are top-two-box: 3/5; mean (5+4+4+3+1)/5 = 17/5 = 3.4
    assert primer.csat_summary([5, 4, 4, 3, 1]) == {
        "n": 5,
        "top_two_box": 0.6,
        "mean": pytest.approx(3.4),
    }
    # polarized vs lukewarm: 70% top-two with mean 3.8 vs 50% with mean 3.5
    assert primer.csat_summary([1] * 3 + [5] * 7) == {
        "n": 10,
        "top_two_box": 0.7,
        "mean": pytest.approx(3.8),
    }
    assert primer.csat_summary([None, 5, float("nan")])["n"] == 1
    empty = primer.csat_summary([])
    assert empty["n"] == 0 and math.isnan(empty["top_two_box"]) and math.isnan(empty["mean"])
    with pytest.raises(OptionError, match="`answers`"):
        primer.csat_summary([6])


def test_static_nps_calculator_numbers_per_locale():
    html = primer.nps_calculator("pt-BR", promoters=6, passives=2, detractors=2).html
    # 100 * (6 - 2) / 10 = 40; variations: (6, 4, 0) -> 60; (8, 0, 2) -> 60; (0, 8, 2) -> -20
    assert "= 40,0" in html
    assert "<td>60,0</td>" in html and "<td>−20,0</td>" in html  # the minus sign, not "-"
    assert not re.search(r"(?<!\d)-\d", html)  # no hyphen as a minus sign
    assert "Promotores (9-10)" in html


def test_static_csat_calculator_numbers():
    html = primer.csat_calculator("en").html
    # default counts 10/5/10/40/35: top two (40 + 35) / 100 = 75%; mean 385 / 100 = 3.85
    assert "75.0%" in html and "3.85" in html
    assert "<td>70.0%</td><td>3.80</td>" in html  # 30 ones and 70 fives
    with pytest.raises(OptionError, match="`counts`"):
        primer.csat_calculator("en", counts=(1, 2, 3))


def test_service_level_calculator_speaks_the_report_language(tiny):
    html = primer.service_level_calculator(
        tiny, "pt-BR", period="2026-01", thresholds=(20, 60, 120)
    ).html
    assert "<caption>Nível de serviço por limite: telefone, janeiro de 2026</caption>" in html
    assert "<td>20 s</td>" in html and "<td>1 min</td>" in html and "<td>2 min</td>" in html
    assert "<td>2 contatos</td>" in html  # phone a, b in January
    assert "phone" not in html


def test_interactive_calculators_update_on_slider_moves():
    box = primer.nps_calculator("en", interactive=True)
    promoters, passives, detractors, out = box.children
    promoters.value, passives.value, detractors.value = 10, 0, 10
    assert "= 0.0." in out.value
    csat = primer.csat_calculator("en", interactive=True, counts=(0, 0, 0, 0, 0))
    *sliders, out = csat.children
    sliders[4].value = 3  # three 5s
    sliders[0].value = 1  # one 1: top two 3/4 = 75%, mean 16/4 = 4.00
    assert "75.0%" in out.value and "4.00" in out.value


def test_service_level_by_threshold_on_tiny(tiny):
    # answered waits: a 15 s, b 60 s, d 30 s, e 10 s (phone a, b, e); c and f unanswered
    res = primer.service_level_by_threshold(tiny, (10, 20, 60), channel=None, period=None)
    assert res["service_level"].tolist() == pytest.approx([1 / 6, 2 / 6, 4 / 6])
    assert res["n"].tolist() == [6, 6, 6]
    phone = primer.service_level_by_threshold(tiny, (20,), channel="phone", period=None)
    assert phone["service_level"].tolist() == pytest.approx([2 / 3])


def test_service_level_calculator_static_and_interactive(tiny):
    html = primer.service_level_calculator(
        tiny, "en", channel=None, period=None, thresholds=(20, 60)
    ).html
    assert "<td>33.3%</td>" in html and "<td>66.7%</td>" in html
    assert "below 80%" in html
    box = primer.service_level_calculator(tiny, "en", interactive=True, channel=None, period=None)
    slider, out = box.children
    assert "33.3%" in out.value  # starts at 20 s
    slider.value = 60
    assert "66.7%" in out.value


# ----------------------------------------------------------------------------- registry


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_kpi_cards_come_from_the_registry(lang):
    import html as _html

    for mid in list_metrics():
        m = get_metric(mid)
        card = primer.kpi_card(mid, lang)
        for text in (m.label(lang), m.description(lang), m.formula(lang)):
            assert _html.escape(text) in card
        specific = primer._specific_edge_text(mid, lang)
        assert specific in m.edge_case_text(lang) or " s" in m.edge_case_text(lang)
        if specific:
            assert _html.escape(specific) in card
        else:  # nothing specific to say: no edge-case line at all
            assert t("Edge cases", lang) not in card


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_the_zero_denominator_rule_is_said_once(lang):
    whole = primer.introduction(lang).html + "".join(
        primer.perspective_section(p, lang=lang).html for p in PERSPECTIVES
    )
    for sentence in primer._GENERAL_EDGE_SENTENCES:
        assert sentence not in whole
    assert whole.count("NaN") == 1  # the introduction's general note
    assert primer.edge_cases(lang) in primer.introduction(lang).html
    # counts and operations ratios have nothing specific: no edge-case line
    for mid in ("innovations", "roi_technology", "talent_retention"):
        assert t("Edge cases", lang) not in primer.kpi_card(mid, lang)
    assert t("Edge cases", lang) in primer.kpi_card("nps", lang)


def test_durations_in_the_cards_are_for_people():
    pt = primer.kpi_card("service_level", "pt-BR")
    assert "telefone 20 s, chat 1 min, whatsapp 5 min, redes sociais 1 h, e-mail 1 d" in pt
    assert "3600 s" not in pt and "86400 s" not in pt and "300 s" not in pt
    en = primer.kpi_card("sla_compliance", "en")
    assert "R defaults to 24 h;" in en and "86400" not in en
    assert primer._duration(3600, "pt-BR") == "1 h" and primer._duration(90, "pt-BR") == "1,5 min"
    assert primer._duration(86400, "en") == "1 d" and primer._duration(20, "en") == "20 s"


def test_perspective_section_lists_its_kpis_and_checks_the_id(tiny):
    section = primer.perspective_section("customer", lang="pt-BR").html
    assert "<h2>Clientes</h2>" in section
    for mid in list_metrics("customer"):
        assert f"<code>{mid}</code>" in section
    assert "Exemplo resolvido" not in section  # the worked example is a cell of its own
    with_data = primer.perspective_section("customer", tiny, lang="pt-BR", period="2026-01").html
    assert "<caption>Exemplo resolvido: janeiro de 2026</caption>" in with_data
    with pytest.raises(OptionError, match="`perspective`.*'clients'"):
        primer.perspective_section("clients")


def test_example_period_is_the_reports_or_the_last_whole_month(tiny):
    # tiny ends on 2026-03-02: as-of 2026-03-03, last whole month February
    default = primer.example_period(tiny)
    assert (default.label, default.spec) == ("2026-02", primer.DEFAULT_EXAMPLE_SPEC)
    assert primer.example_period(tiny, "", "").label == "2026-02"
    assert primer.example_period(tiny, "2026-01").label == "2026-01"  # the report's period
    assert primer.example_period(tiny, "previous_month", "2026-02-01").label == "2026-01"
    assert primer.example_period(tiny, "", "2026-02-15").label == "2026-01"
    intro = primer.introduction("en", examples=default).html
    assert "The worked examples use February 2026: the last whole month in the data." in intro
    given = primer.introduction("pt-BR", examples=primer.example_period(tiny, "2026-01")).html
    assert "Os exemplos resolvidos usam janeiro de 2026: o período deste relatório." in given


def test_worked_example_on_tiny(tiny):
    ex = primer.worked_example(tiny, "customer", period="2026-01", lang="en").set_index("id")
    # January: csat a 5, c 2 -> 1/2; nps a 10, b 9, c 3 -> 100 * (2 - 1) / 3
    assert ex.loc["csat", "value"] == pytest.approx(0.5)
    assert ex.loc["csat", "n"] == 2
    assert ex.loc["nps", "value"] == pytest.approx(100 / 3)
    assert ex.loc["nps", "shown"] == "33.3"
    assert math.isnan(ex.loc["customer_retention", "value"])  # needs the operations table
    assert ex.loc["customer_retention", "shown"].startswith("unavailable")
    assert ex.loc["csat", "n_text"] == "2 survey answers"
    assert ex.loc["fcr", "n_text"] == "1 resolved contact"  # a, resolved in January
    assert ex.loc["customer_retention", "n_text"] == "–"
    pt = primer.worked_example(tiny, "customer", period="2026-01", lang="pt-BR")
    lines = primer.worked_numbers(pt, "pt-BR").splitlines()
    assert "CSAT (duas notas mais altas): 50,0% (n = 2 respostas da pesquisa)" in lines
    assert "Nível de serviço: 33,3% (n = 3 contatos)" in lines  # a within 20 s, of a, b, c


def test_worked_example_view_is_a_table_with_labels_values_and_n(tiny):
    view = primer.worked_example_view(tiny, "internal", period="2026-01", lang="pt-BR")
    assert view.html.startswith('<table class="kpi-primer"><caption>Exemplo resolvido: janeiro')
    assert (
        '<th scope="row">Volume (contatos recebidos)</th><td>3</td><td>3 contatos</td>' in view.html
    )
    assert "<code>" not in view.html and "volume:" not in view.text  # no raw ids
    assert view.text.splitlines()[0] == "Exemplo resolvido: janeiro de 2026"
    assert "Volume (contatos recebidos): 3 (n = 3 contatos)" in view.text
    en = primer.worked_example_view(tiny, "financial", period="2026-01", lang="en")
    assert "unavailable (needs the operations table)" in en.html  # short, in the page's language
    assert "(n = " not in en.text
    pt = primer.worked_example_view(tiny, "financial", period="2026-01", lang="pt-BR").html
    assert "indisponível (precisa da tabela de operações)" in pt and "needs" not in pt


def test_html_views_display_their_text_and_chart(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    primer.HtmlView("<p>x</p>", text="x", chart="CHART")._ipython_display_()
    assert shown == [({"text/html": "<p>x</p>", "text/plain": "x"}, {"raw": True}), ("CHART", {})]


def test_worked_example_with_every_kpi_missing_says_why():
    df = pd.DataFrame({"interaction_id": ["a"], "created_at": [pd.Timestamp("2026-01-02")]})
    ex = primer.worked_example(df, "learning", lang="en")
    assert ex["shown"].str.startswith("unavailable").all()


# ----------------------------------------------------------------------------- the story


def test_story_on_tiny(tiny):
    c = primer.february_story(tiny)
    assert (c.period_a.label, c.period_b.label) == ("2026-01", "2026-02")
    assert (c.value_a, c.value_b) == (3.0, 1.0)
    numbers = primer.story_numbers(c, "en")
    # (1 - 3) / 3 = -66.7%; the data starts on 5 Jan, so January has 27 covered days:
    # per day 3/27 = 0.111 -> 1/28 = 0.036: (0.0357 - 0.1111) / 0.1111 = -67.9%
    assert numbers.text.splitlines() == [
        "Tickets fell 66.7% in February 2026: the team's fault?",
        "January 2026: 3 contacts in 27 of 31 days (0.1 per day)",
        "February 2026: 1 contacts in 28 days (0.0 per day)",
        f"Change: −66.7% in the month, −67.9% per calendar day (p = {c.p_value:.2f})",
    ]
    assert "<h2>Tickets fell 66.7% in February 2026: the team&#x27;s fault?</h2>" in numbers.html
    assert "latest January and February in the data" in numbers.html
    assert '<th scope="row">Change</th><td>−66.7%</td><td>−3</td><td>−67.9%</td>' in numbers.html
    view = primer.story_view(c, "pt-BR")
    assert '<th scope="col">Canal</th>' in view.html
    # phone a, b -> none: contribution -2; chat c -> d: 0
    assert '<th scope="row">telefone</th><td>2</td><td>0</td><td>−2</td>' in view.html
    assert "a maior contribuição veio de telefone (−2)" in view.html
    assert "phone" not in view.html and not re.search(r"(?<!\d)-\d", view.html)


def test_story_title_follows_the_data(tiny):
    rose = primer.february_story(tiny, a="2026-02", b="2026-03")  # 1 -> 2 contacts
    assert primer.story_numbers(rose, "en").text.startswith(
        "Tickets rose 100.0% in March 2026: a real change?"
    )
    assert "the last two whole months in the data" in primer.story_numbers(rose, "en").html
    assert primer.story_numbers(rose, "pt-BR").text.startswith(
        "Tickets subiram 100,0% em março de 2026"
    )


def test_story_periods(tiny):
    from kpi_helpers import sample

    assert [p.label for p in primer.story_periods(sample.interactions())] == ["2026-01", "2026-02"]
    assert [p.label for p in primer.story_periods(tiny)] == ["2026-01", "2026-02"]
    # before the end of February 2026 there is no whole January-February pair in tiny
    early = primer.story_periods(tiny, as_of="2026-02-20")
    assert [p.label for p in early] == ["2025-12", "2026-01"]


def test_story_chart_has_only_the_aggregates(tiny):
    c = primer.february_story(tiny)
    spec = primer.story_chart(c, "pt-BR").to_dict()
    assert len(spec["hconcat"]) == 2
    (rows,) = spec["datasets"].values()
    assert [r["contacts"] for r in rows] == [3.0, 1.0]
    assert [r["contacts_text"] for r in rows] == ["3 contatos", "1 contato"]
    titles = [h["title"] for h in spec["hconcat"]]
    assert titles == ["Contatos no mês", "Contatos por dia corrido"]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert primer.story_view(c, "en").chart is not None


def test_data_strings_are_escaped(tiny):
    tiny = tiny.assign(team=["<b>A&B</b>"] * 3 + ["n2"] * 3)
    c = primer.february_story(tiny, by="team")
    html = primer.story_view(c, "en").html
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in html and "<b>A&B</b>" not in html


def test_story_on_the_sample_is_mostly_calendar():
    from kpi_helpers import sample

    c = primer.february_story(sample.interactions())
    assert c.value_b < c.value_a  # fewer contacts in February
    assert abs(c.per_day_pct_change) < abs(c.pct_change) / 2
    assert c.p_value > 0.05
    assert "calendário" in primer.story_view(c, "pt-BR").html
    assert primer.story_numbers(c, "pt-BR").text.splitlines()[0] == (
        "Tickets caíram 10,4% em fevereiro de 2026: culpa da equipe?"
    )


# ----------------------------------------------------------------------------- exercises


@pytest.mark.parametrize(
    ("eid", "answer"),
    [
        ("nps_basic", 30),
        ("nps_basic", "30"),
        ("csat_top2", 0.6),
        ("csat_top2", "60%"),
        ("csat_top2", "60,0"),
        ("sl_abandoned", 70),
        ("fcr_basic", "75 %"),
        ("per_day", 0),
    ],
)
def test_check_right_answers(eid, answer):
    assert primer.check(eid, answer, "en").startswith("Right!")
    assert primer.check(eid, answer, "pt-BR").startswith("Certo!")


@pytest.mark.parametrize(
    ("eid", "answer", "why"),
    [
        ("nps_basic", 37.5, "passives out of the total"),
        ("csat_top2", 3.4, "mean score"),
        ("sl_abandoned", 87.5, "abandoned calls must count"),
        ("sl_abandoned", "0.875", "abandoned calls must count"),
        ("per_day", "-9.68%", "raw drop"),
    ],
)
def test_check_common_mistakes_say_why(eid, answer, why):
    msg = primer.check(eid, answer, "en")
    assert msg.startswith("Not quite.") and why in msg


def test_check_wrong_answer_and_not_a_number():
    msg = primer.check("fcr_basic", 80, "en")
    assert msg.startswith("Not quite: you answered 80.") and "60 resolved in one contact" in msg
    assert primer.check("fcr_basic", "abc", "pt-BR").startswith("Não é um número")
    assert primer.check("fcr_basic", True, "en").startswith("Not a number")
    with pytest.raises(OptionError, match="`exercise_id`.*'nps'"):
        primer.check("nps", 1, "en")


def test_exercise_texts_are_translated():
    view = primer.exercise_view("pt-BR").html
    assert "Exercícios" in view
    for text in ("Answer", "Your answer", "Check", "Try each one first, then open its answer."):
        assert t(text, "pt-BR") != text, text


def test_static_exercises_hide_their_answers_in_details():
    html = primer.exercise_view("pt-BR").html
    assert html.count("<details><summary>Resposta</summary>") == len(primer.EXERCISES)
    assert "<p><b>30</b>. NPS = 100 × (50 − 20) / 100 = 30" in html
    assert "<p><b>60%</b>. Três das cinco" in html and "<p><b>0%</b>. 3.100 / 31" in html
    for eid in primer.EXERCISES:
        assert eid not in html  # no ids and no Python call in a static page
    assert "check(" not in html
    assert "<summary>Answer</summary>" in primer.exercise_view("en").html


def test_interactive_exercises_check_the_typed_answer():
    box = primer.exercise_view("en", interactive=True)
    header, *items = box.children
    assert "check(&quot;nps_basic&quot;, 30)" in header.value  # escaped
    assert len(items) == len(primer.EXERCISES)
    question, row, result = items[0].children
    assert "nps_basic" in question.value
    answer, button = row.children
    answer.value = "37,5"
    button.click()
    assert result.value.startswith("<p>Not quite. You left the passives out")
    answer.value = "30"
    button.click()
    assert result.value.startswith("<p>Right!")
    for eid, ex in primer.EXERCISES.items():
        assert primer.exercise(eid, "en") == ex.question
        for text in (ex.question, ex.why, *ex.traps.values()):
            assert t(text, "pt-BR") != text, text


def test_perspective_texts_are_translated():
    for p in PERSPECTIVES:
        for text in (primer.PERSPECTIVE_TITLES[p], primer._PERSPECTIVE_INTROS[p]):
            assert t(text, "pt-BR") != text


def test_primer_data_and_operations_defaults(tiny):
    assert primer.primer_data(tiny) is tiny
    assert len(primer.primer_data("")) > 1000  # the committed sample
    assert primer.primer_operations("", "") is not None
    assert primer.primer_operations("", "x.parquet") is None
    assert primer.primer_operations("ops.csv", "x.parquet") == "ops.csv"
