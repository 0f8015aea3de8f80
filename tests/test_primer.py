"""The KPI primer: calculators (hand-computed), worked examples, the story, check()."""

from __future__ import annotations

import math

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
    assert "<td>60,0</td>" in html and "<td>-20,0</td>" in html
    assert "Promotores (9-10)" in html


def test_static_csat_calculator_numbers():
    html = primer.csat_calculator("en").html
    # default counts 10/5/10/40/35: top two (40 + 35) / 100 = 75%; mean 385 / 100 = 3.85
    assert "75.0%" in html and "3.85" in html
    assert "<td>70.0%</td><td>3.80</td>" in html  # 30 ones and 70 fives
    with pytest.raises(OptionError, match="`counts`"):
        primer.csat_calculator("en", counts=(1, 2, 3))


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
        for text in (m.label(lang), m.description(lang), m.formula(lang), m.edge_case_text(lang)):
            assert _html.escape(text) in card


def test_perspective_section_lists_its_kpis_and_checks_the_id():
    section = primer.perspective_section("customer", lang="pt-BR").html
    assert "<h2>Clientes</h2>" in section
    for mid in list_metrics("customer"):
        assert f"<code>{mid}</code>" in section
    assert "Exemplo resolvido: janeiro de 2026" in section
    with pytest.raises(OptionError, match="`perspective`.*'clients'"):
        primer.perspective_section("clients")


def test_worked_example_on_tiny(tiny):
    ex = primer.worked_example(tiny, "customer", period="2026-01", lang="en").set_index("id")
    # January: csat a 5, c 2 -> 1/2; nps a 10, b 9, c 3 -> 100 * (2 - 1) / 3
    assert ex.loc["csat", "value"] == pytest.approx(0.5)
    assert ex.loc["csat", "n"] == 2
    assert ex.loc["nps", "value"] == pytest.approx(100 / 3)
    assert ex.loc["nps", "shown"] == "33.3"
    assert math.isnan(ex.loc["customer_retention", "value"])  # needs the operations table
    assert ex.loc["customer_retention", "shown"].startswith("unavailable")
    pt = primer.worked_example(tiny, "customer", period="2026-01", lang="pt-BR")
    assert "csat: 50,0% (n = 2)" in primer.worked_numbers(pt, "pt-BR")


def test_worked_example_with_every_kpi_missing_says_why():
    df = pd.DataFrame({"interaction_id": ["a"], "created_at": [pd.Timestamp("2026-01-02")]})
    ex = primer.worked_example(df, "learning", lang="en")
    assert ex["shown"].str.startswith("unavailable").all()


# ----------------------------------------------------------------------------- the story


def test_story_on_tiny(tiny):
    c = primer.february_story(tiny)
    assert (c.value_a, c.value_b) == (3.0, 1.0)
    text = primer.story_numbers(c, "en")
    assert "2026-01 3 (31 d, 0.1/d)" in text and "2026-02 1 (28 d, 0.0/d)" in text
    html = primer.story_view(c, "en").html
    assert "−66.7%" in html  # (1 - 3) / 3
    assert "<th>Channel</th>" in html


def test_story_on_the_sample_is_mostly_calendar():
    from kpi_helpers import sample

    c = primer.february_story(sample.interactions())
    assert c.value_b < c.value_a  # fewer contacts in February
    assert abs(c.per_day_pct_change) < abs(c.pct_change) / 2
    assert c.p_value > 0.05
    assert "calendário" in primer.story_view(c, "pt-BR").html


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
