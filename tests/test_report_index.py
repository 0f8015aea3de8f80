"""reports/index.html from run.json files (no kernel)."""

from __future__ import annotations

import json
import re

from kpi_helpers.report.index import collect_reports, index_language, render_index, write_index

EVIL_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def _run(
    root,
    job,
    label,
    start,
    end,
    *,
    status="ok",
    generated="2026-11-01T06:00:00+00:00",
    title="Weekly trends",
    message=None,
    lang=None,
    title_source=None,
):
    folder = root / job / label
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "job": job,
        "title": title,
        "status": status,
        "period": {"label": label, "start": start, "end": end},
        "as_of": end,
        "generated_at": generated,
        "outputs": {
            "html": f"{job}_{label}.html" if status == "ok" else None,
            "notebook": f"{job}_{label}{'' if status == 'ok' else '.failed'}.ipynb",
        },
    }
    if message:
        record["message"] = message
    if lang:
        record["lang"] = lang
    if title_source:
        record["title_source"] = title_source
    name = "run.json" if status == "ok" else "run.failed.json"
    (folder / name).write_text(json.dumps(record), encoding="utf-8")
    if status == "ok":
        (folder / f"{job}_{label}.html").write_text("<html></html>", encoding="utf-8")
    else:
        (folder / f"{job}_{label}.failed.ipynb").write_text("{}", encoding="utf-8")


def test_collect_newest_first_with_statuses(tmp_path):
    _run(tmp_path, "trends", "2026-W42", "2026-10-12", "2026-10-19")
    _run(tmp_path, "trends", "2026-W43", "2026-10-19", "2026-10-26")
    _run(tmp_path, "trends", "2026-W41", "2026-10-05", "2026-10-12")
    # W43 has a good report and a LATER failed rerun; W44 only failed
    _run(
        tmp_path,
        "trends",
        "2026-W43",
        "2026-10-19",
        "2026-10-26",
        status="failed",
        generated="2026-11-02T06:00:00+00:00",
        message="trends 2026-W43 failed in cell 4",
    )
    _run(
        tmp_path, "trends", "2026-W44", "2026-10-26", "2026-11-02", status="failed", message="boom"
    )
    (tmp_path / "trends" / ".run-abc").mkdir()  # an interrupted run's temp folder: ignored
    found = collect_reports(tmp_path)
    rows = found["trends"]
    assert [r.period for r in rows] == ["2026-W44", "2026-W43", "2026-W42", "2026-W41"]
    assert [r.status for r in rows] == ["failed", "stale", "ok", "ok"]
    assert (
        rows[0].href is None
        and rows[0].failed_href == "trends/2026-W44/trends_2026-W44.failed.ipynb"
    )
    assert rows[1].href == "trends/2026-W43/trends_2026-W43.html"
    assert rows[1].message == "trends 2026-W43 failed in cell 4"
    assert rows[2].message is None


def test_index_escapes_and_links_relative(tmp_path):
    _run(tmp_path, "scorecard", "2026-10", "2026-10-01", "2026-11-01", title=EVIL_TITLE)
    _run(
        tmp_path,
        "scorecard",
        "2026-09",
        "2026-09-01",
        "2026-10-01",
        status="failed",
        title=EVIL_TITLE,
        message="<script>alert(3)</script>",
    )
    _run(tmp_path, "trends", "2026-W43", "2026-10-19", "2026-10-26")
    html = render_index(tmp_path, lang="en", job_order=["trends", "scorecard"])
    assert "<script>" not in html and "<img" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    )
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs == [
        "trends/2026-W43/trends_2026-W43.html",
        "scorecard/2026-10/scorecard_2026-10.html",
        "scorecard/2026-09/scorecard_2026-09.failed.ipynb",
    ]  # job_order respected, relative links only
    assert "Oct 19, 2026 – Oct 25, 2026" in html  # end excluded -> last day shown
    # generation time per locale, in the configured time zone (default America/Sao_Paulo)
    assert "Nov 1, 2026 3:00\u202fAM (UTC−3)" in html and "UTC<" not in html
    assert "http" not in html


def test_index_pt_br_empty_and_atomic_write(tmp_path):
    path = write_index(tmp_path / "reports", lang="pt-BR")
    html = path.read_text(encoding="utf-8")
    assert path.name == "index.html"
    assert '<html lang="pt-BR">' in html and "Ainda não há relatórios" in html
    assert [p.name for p in path.parent.iterdir()] == ["index.html"]  # no temp file left


def test_index_url_quotes_odd_names(tmp_path):
    _run(tmp_path, "job", "2026-01-15..2026-02-14", "2026-01-15", "2026-02-15")
    html = render_index(tmp_path, lang="en")
    assert 'href="job/2026-01-15..2026-02-14/job_2026-01-15..2026-02-14.html"' in html


def test_index_times_per_locale_and_time_zone_and_stable_bytes(tmp_path):
    _run(tmp_path, "trends", "2026-W43", "2026-10-19", "2026-10-26")
    pt = render_index(tmp_path, lang="pt-BR")
    assert "1 de nov. de 2026 03:00 (UTC−3)" in pt
    assert "2026-11-01 06:00" not in pt  # no ISO/UTC text left
    tokyo = render_index(tmp_path, lang="en", timezone="Asia/Tokyo")
    assert "Nov 1, 2026 3:00\u202fPM (UTC+9)" in tokyo
    # the index is a function of the run.json files only: same reports, same bytes
    assert render_index(tmp_path, lang="pt-BR") == pt
    first = write_index(tmp_path, lang="pt-BR").read_bytes()
    assert write_index(tmp_path, lang="pt-BR").read_bytes() == first


def test_index_language_follows_its_reports(tmp_path):
    assert index_language(tmp_path, "pt-BR") == "pt-BR"  # no report: the default
    _run(tmp_path, "scorecard", "2026-10", "2026-10-01", "2026-11-01", lang="en",
         title="Balanced Scorecard", title_source="Balanced Scorecard")  # fmt: skip
    _run(tmp_path, "trends", "2026-W43", "2026-10-19", "2026-10-26", lang="en",
         title="Weekly trends", title_source="Weekly trends")  # fmt: skip
    assert index_language(tmp_path, "pt-BR") == "en"  # every report is English
    _run(tmp_path, "compare", "2026-10", "2026-10-01", "2026-11-01", lang="pt-BR",
         title="Comparação de períodos", title_source="Period comparison")  # fmt: skip
    assert index_language(tmp_path, "pt-BR") == "pt-BR"  # mixed: the configured one
    assert index_language(tmp_path, "en") == "en"
    # titles follow the index language (translated from reports.yml's English title)
    pt = render_index(tmp_path, lang="pt-BR")
    assert "Tendências semanais" in pt and "Comparação de períodos" in pt
    en = render_index(tmp_path, lang="en")
    assert "Weekly trends" in en and "Period comparison" in en and "Comparação" not in en
