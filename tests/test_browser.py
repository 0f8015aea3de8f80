"""Rendered reports in headless Chromium with the network blocked.

Every chart must render (an SVG with marks), hovering a mark must show the Vega tooltip,
the console must stay free of errors, no request may leave ``file://``, and hostile data
strings must show as text without running anything.

Uses Debian's ``chromium`` (``make browser`` installs it); when it is absent the test tries
``apt-get install chromium`` as root, else skips with the reason (a failure under CI=true).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kpi_helpers.config import NOTEBOOKS_DIR, PROJ_ROOT, SAMPLE_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REAL_NOTEBOOKS = ("scorecard", "compare_periods", "trends", "kpi_primer")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            env=env,
            capture_output=True,
            timeout=900,
        )
        found = shutil.which("chromium")
        if found:
            return found
        _unavailable("chromium is absent and `apt-get install chromium` did not provide it")
    _unavailable("chromium is absent (run `make browser` as root, or install Debian's chromium)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=LAUNCH_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        blocked: list[str] = []

        def route(route):
            url = route.request.url
            if url.startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", route)
        context.blocked = blocked
        yield context
        context.close()


def _shared_dir(tmp_path_factory, name: str, build) -> Path:
    """A folder built once per test session, also across pytest-xdist workers (read-only use).

    ``build(folder)`` fills the folder; a lock file serialises the workers (POSIX ``flock``;
    elsewhere each worker builds its own copy).
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    folder, done = root / f"shared-{name}", root / f"shared-{name}.done"
    try:
        import fcntl
    except ImportError:  # Windows: no sharing
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                build(folder)
                done.write_text("ok", encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


@pytest.fixture(scope="session")
def test_report(tmp_path_factory):
    """The good test notebook rendered on data whose channel names are hostile."""
    from test_report_cli import make_workspace, run_cli

    def build(root):
        config = make_workspace(root)
        proc = run_cli("run", "good", "--config", str(config), cwd=root)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    root = _shared_dir(tmp_path_factory, "browser-test-report", build)
    return root / "out" / "good" / "2026-01" / "good_2026-01.html", root / "out" / "index.html"


def _open(context, path: Path):
    page = context.new_page()
    problems: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, problems, dialogs


def _check_charts(page) -> int:
    """Wait until every chart has an SVG with marks; return the number of charts."""
    n = page.locator(".kpi-chart").count()
    if n:
        page.wait_for_function(
            """n => {
                const charts = [...document.querySelectorAll('.kpi-chart')];
                return charts.length === n && charts.every(c =>
                    c.querySelector('svg g.role-mark path, svg g.role-mark rect, '
                                    + 'svg g.role-mark line, svg g.role-mark text'));
            }""",
            arg=n,
            timeout=30_000,
        )
        for i in range(n):
            marks = page.locator(".kpi-chart").nth(i).locator("svg g.role-mark > *")
            assert marks.count() > 0, f"chart {i + 1} of {n} has no marks"
    return n


def _hover_shows_tooltip(page) -> bool:
    """Hover marks (bars, points, lines...) until the Vega tooltip shows; True on success."""
    tooltip = page.locator("#vg-tooltip-element.visible")
    candidates = page.locator(
        ".kpi-chart svg g.role-mark:not(.role-axis-label):not(.role-title-text) > path, "
        ".kpi-chart svg g.role-mark > rect, .kpi-chart svg g.role-mark > circle"
    )
    for i in range(min(candidates.count(), 40)):
        mark = candidates.nth(i)
        try:
            mark.scroll_into_view_if_needed(timeout=2_000)
        except Exception:  # e.g. a zero-size mark
            continue
        box = mark.bounding_box()
        if not box or box["width"] + box["height"] < 2:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            tooltip.wait_for(state="visible", timeout=800)
            return True
        except Exception:  # not this mark: try the next one
            continue
    return False


def test_test_report_in_browser(browser_context, test_report):
    page_path, _index = test_report
    page, problems, dialogs = _open(browser_context, page_path)
    assert _check_charts(page) == 1
    assert _hover_shows_tooltip(page), "hovering a bar showed no tooltip"
    tip = page.locator("#vg-tooltip-element").inner_text()
    assert "contacts" in tip
    # hostile names are text in the table, the axis and never executed
    cells = page.locator("table.dataframe td").all_inner_texts()
    assert "<script>alert(1)</script>" in cells
    assert '"><img src=x onerror=alert(2)>' in cells
    assert page.locator("table img").count() == 0
    axis = page.locator(".kpi-chart svg").text_content()
    assert "<script>alert(1)</script>" in axis  # an axis label, as text
    assert page.title() == "Contacts <script>alert(1)</script> — January 2026"  # with its period
    page.wait_for_timeout(300)
    assert dialogs == [], f"a dialog fired: {dialogs}"
    assert problems == [], f"console errors: {problems}"
    assert browser_context.blocked == [], f"requests left the machine: {browser_context.blocked}"
    page.close()


def test_index_in_browser(browser_context, test_report):
    _page_path, index = test_report
    page, problems, dialogs = _open(browser_context, index)
    link = page.get_by_role("link", name="2026-01")
    assert link.count() == 1
    assert "Contacts <script>alert(1)</script>" in page.locator("h2").first.inner_text()
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("good/2026-01/good_2026-01.html")
    assert _check_charts(page) == 1
    # and back: every report links to the index, relatively (works from a file share)
    page.get_by_role("link", name="All reports").click()
    page.wait_for_load_state("load")
    assert page.url == index.resolve().as_uri()
    assert dialogs == [] and problems == []
    assert browser_context.blocked == []
    page.close()


@pytest.fixture(scope="session")
def real_reports(tmp_path_factory):
    missing = [n for n in REAL_NOTEBOOKS if not (NOTEBOOKS_DIR / f"{n}.ipynb").is_file()]
    if missing or not (SAMPLE_DIR / "interactions.parquet").is_file():
        pytest.skip(f"project notebooks not written yet: {', '.join(missing) or 'sample data'}")
    from test_report_cli import run_cli

    def build(out):
        config = str(PROJ_ROOT / "reports.yml")
        proc = run_cli(
            "run", "--all", "--config", config, "--out", str(out), cwd=PROJ_ROOT, timeout=1800
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr

    out = _shared_dir(tmp_path_factory, "browser-project-reports", build)
    pages = sorted(out.glob("*/*/*.html"))
    assert len(pages) == len(REAL_NOTEBOOKS)
    return pages


@pytest.mark.parametrize("job", REAL_NOTEBOOKS)
def test_project_reports_in_browser(browser_context, real_reports, job):
    page_path = next(p for p in real_reports if p.parent.parent.name == job)
    page, problems, dialogs = _open(browser_context, page_path)
    n = _check_charts(page)
    if job == "kpi_primer":
        # a static handout: calculators and exercises as static views, no widget left blank
        html = page.content()
        assert "widget-view+json" not in html and "Loading widget" not in html
        assert page.locator("table").count() >= 4, f"{job}: the worked examples are missing"
    else:
        assert n >= 1, f"{job}: no chart in the report"
        assert _hover_shows_tooltip(page), f"{job}: no tooltip on hover"
    assert page.locator(".jp-CodeMirrorEditor, .jp-InputPrompt:visible").count() == 0  # no code
    assert "Traceback" not in page.content()
    page.wait_for_timeout(300)
    assert dialogs == [] and problems == [], (dialogs, problems)
    assert browser_context.blocked == [], browser_context.blocked
    size = page_path.stat().st_size
    assert size < 3_000_000, f"{job}: report is {size} bytes"
    page.close()
