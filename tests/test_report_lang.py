"""Switching `lang` switches every visible string of a rendered report (template, KPI labels,
statuses, narratives, chart titles), with no text of the other language left behind."""

from __future__ import annotations

import re
from html import unescape

import pytest
from test_report_cli import run_cli

from kpi_helpers.config import PROJ_ROOT
from kpi_helpers.i18n import catalog_messages
from kpi_helpers.metrics import get_metric, list_metrics

pytestmark = [pytest.mark.slow]
JOBS = ("scorecard", "compare_periods")


def _visible_text(html: str) -> str:
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _chart_titles(html: str) -> str:
    return " ".join(re.findall(r'"title":\s*"([^"]*)"', html))


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = {}
    for lang in ("en", "pt-BR"):
        folder = tmp_path_factory.mktemp(f"lang-{lang}")
        proc = run_cli(
            "run",
            *JOBS,
            "--config",
            str(PROJ_ROOT / "reports.yml"),
            "--out",
            str(folder),
            "--param",
            f"lang={lang}",
            "--as-of",
            "2026-11-01",
            cwd=PROJ_ROOT,
            timeout=900,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        for job in JOBS:
            html = next(folder.glob(f"{job}/*/*.html")).read_text(encoding="utf-8")
            out[(job, lang)] = (_visible_text(html), _chart_titles(html))
    return out


def _translated_pairs():
    """(English id, pt-BR text) for every catalog message that really changes."""
    return [
        (en, pt)
        for en, pt in catalog_messages("pt-BR").items()
        if en != pt and len(en) >= 12 and "{" not in en and "{" not in pt
    ]


@pytest.mark.parametrize("job", JOBS)
def test_no_english_left_in_the_portuguese_report(pages, job):
    text, titles = pages[(job, "pt-BR")]
    leftovers = [en for en, _ in _translated_pairs() if en in text or en in titles]
    assert leftovers == []
    english_labels = [
        get_metric(m).label("en")
        for m in list_metrics()
        if get_metric(m).label("en") != get_metric(m).label("pt-BR")
    ]
    assert [label for label in english_labels if label in text] == []


@pytest.mark.parametrize("job", JOBS)
def test_no_portuguese_left_in_the_english_report(pages, job):
    text, titles = pages[(job, "en")]
    leftovers = [pt for _, pt in _translated_pairs() if pt in text or pt in titles]
    assert leftovers == []
    pt_labels = [
        get_metric(m).label("pt-BR")
        for m in list_metrics()
        if get_metric(m).label("en") != get_metric(m).label("pt-BR")
    ]
    assert [label for label in pt_labels if label in text] == []


@pytest.mark.parametrize("job", JOBS)
def test_the_two_languages_really_differ(pages, job):
    en, _ = pages[(job, "en")]
    pt, _ = pages[(job, "pt-BR")]
    assert en != pt
    # numbers follow the locale: a decimal comma in pt-BR, a decimal point in en
    assert re.search(r"\d,\d", pt) and re.search(r"\d\.\d", en)
