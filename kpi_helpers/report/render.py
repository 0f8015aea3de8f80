"""Executed notebook -> one self-contained HTML page (nbconvert, custom template).

No input cells, no prompts, cells tagged ``remove``/``hide`` (and the parameters cells)
dropped, stderr and widget outputs dropped; a header with the title, period, data
source and as-of date and a "how to read this report" footer in the report language;
the Vega JavaScript embedded once when the page has charts; no ``<script src>``,
require.js, MathJax or any other network resource (checked: :func:`network_references`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ReportError
from ..i18n import t
from .charts_offline import CHART_MARKER, vega_bundle

__all__ = [
    "REMOVE_CELL_TAGS",
    "REMOVE_OUTPUT_TAGS",
    "TEMPLATES_DIR",
    "DataSource",
    "ReportPage",
    "clean_notebook",
    "network_references",
    "render_html",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Cells with one of these tags are left out of the report.
REMOVE_CELL_TAGS = frozenset(
    {
        "remove",
        "hide",
        "remove-cell",
        "remove_cell",
        "hide-cell",
        "hide_cell",
        "parameters",
        "injected-parameters",
        "kpi-report-setup",
    }
)
#: Cells with one of these tags keep no output (their input is never shown anyway).
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output", "hide-output", "hide_output"})
# great_tables gives each table a random 10-letter id (GT(id=None)) used by its scoped CSS
_GT_ID_RE = re.compile(r'<div id="([a-z]{10})" style="padding-left:0px;padding-right:0px;')
_DROP_MIMETYPES = (
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)

# resources a browser would fetch: <script src>, <link href>, <img src>, <iframe src>,
# <source src>, CSS url()/@import with a scheme or a protocol-relative //host
_NETWORK_RE = re.compile(
    r"""(?:<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*?\ssrc\s*=\s*["']?\s*"""
    r"""((?:https?:)?//[^"'\s>]+))|(?:<link\b[^>]*?\shref\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+))"""
    r"""|(?:@import\s+(?:url\()?\s*["']?((?:https?:)?//[^"')\s]+))|(?:url\(\s*["']?((?:https?:)?//[^"')\s]+))""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DataSource:
    """One data file in the page header: what it holds (``role``), its path, a note."""

    role: str
    path: str
    note: str = ""


@dataclass(frozen=True)
class ReportPage:
    """What the page header and footer show (all plain text: the template escapes it).

    ``data_source`` is a text, or the job's data files (:class:`DataSource`, one per data
    parameter); ``index_href`` links back to the index (``reports/<job>/<period>/`` is two
    folders below it), None for no link.
    """

    title: str
    lang: str
    period_label: str
    period_display: str
    period_first_day: str
    period_last_day: str
    data_through: str
    data_source: str | tuple[DataSource, ...]
    notebook: str
    generated_at: str | None = None
    index_href: str | None = "../../index.html"
    #: the "Data" section: one :class:`~kpi_helpers.report.sources.DataSummary` per source
    data_summaries: tuple = ()
    #: warnings the analysis gave while the notebook ran (already in the page's language)
    analysis_warnings: tuple[str, ...] = ()

    @property
    def document_title(self) -> str:
        """The ``<title>``: the report's title and its period (``Scorecard — outubro de 2026``)."""
        period = self.period_display
        if period == self.period_label and self.period_first_day:  # a code such as 2026-W43
            period = f"{period} ({self.period_first_day} – {self.period_last_day})"
        return f"{self.title} — {period}" if period else self.title


def clean_notebook(nb) -> object:
    """A copy of the executed notebook with only what a report reader should see.

    Drops cells tagged with :data:`REMOVE_CELL_TAGS`, the outputs of cells tagged with
    :data:`REMOVE_OUTPUT_TAGS`, stderr streams, widget views and code cells left without
    output. The input notebook is not modified.
    """
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            outputs = []
            if not tags & REMOVE_OUTPUT_TAGS:
                for output in cell.get("outputs", []):
                    if output.get("output_type") == "stream" and output.get("name") == "stderr":
                        continue
                    data = output.get("data", {})
                    if any(m in data for m in _DROP_MIMETYPES):
                        continue
                    outputs.append(output)
            cell.outputs = outputs
            if not outputs:
                continue
        if cell.cell_type == "raw":
            continue
        cells.append(cell)
    out.cells = cells
    out.metadata.pop("widgets", None)
    _stable_table_ids(out)
    return out


def _stable_table_ids(nb) -> None:
    """Replace great_tables' random table ids by ``kpi-gt-1``, ``kpi-gt-2``... (in place).

    Without it two renders of the same data differ (ids feed the tables' scoped CSS).
    """
    count = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            html = data.get("text/html")
            if not html:
                continue
            text = "".join(html) if isinstance(html, list) else html
            for random_id in dict.fromkeys(_GT_ID_RE.findall(text)):
                count += 1
                text = re.sub(rf"(?<![\w-]){random_id}(?![\w-])", f"kpi-gt-{count}", text)
            data["text/html"] = text


def network_references(html: str) -> list[str]:
    """Every URL the page would fetch from the network (``src``, stylesheet, CSS ``url()``).

    Links a reader may click (``<a href>``) are not fetches and are not listed.

    >>> network_references('<script src="https://cdn.example/x.js"></script><a href="https://x">x</a>')
    ['https://cdn.example/x.js']
    """
    found = []
    for match in _NETWORK_RE.finditer(html):
        found.append(next(g for g in match.groups() if g))
    return found


def _how_to_read(lang: str) -> list[str]:
    return [
        t(
            "Every figure covers the period in the header, from its first to its last day "
            "inclusive. Contacts count in the period in which the customer reached out.",
            lang,
        ),
        t(
            "Charts are interactive: hover a bar or a point to see its exact value and the "
            "number of contacts behind it (n). A figure based on a small n can move a lot "
            "by chance.",
            lang,
        ),
        t(
            "Changes compare with the previous period; a change is called significant only "
            "when it is larger than normal variation. Status colours always come with a "
            "symbol.",
            lang,
        ),
    ]


def render_html(nb, page: ReportPage) -> str:
    """Render an executed notebook into the report's HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (not modified).
    page : ReportPage
        Header and footer content.

    Returns
    -------
    str
        A self-contained HTML document.

    Raises
    ------
    ReportError
        When the page would still load something from the network (e.g. a chart made
        with Altair's default renderer: call ``enable_offline_charts()`` in the notebook).
    """
    from nbconvert import HTMLExporter

    clean = clean_notebook(nb)
    clean.metadata["title"] = page.document_title
    has_charts = any(
        CHART_MARKER in str(o.get("data", {}).get("text/html", ""))
        for c in clean.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    lang = page.lang
    labels = {
        "period": t("Period", lang),
        "data_through": t("Data through", lang),
        "source": t("Data source", lang),
        "generated": t("Generated", lang),
        "how_to_read": t("How to read this report", lang),
        "produced_by": t(
            "Produced by kpi-report from the notebook {notebook}. The executed notebook and "
            "run.json next to this file record the parameters, the versions and the data "
            "checksum.",
            lang,
            notebook=page.notebook,
        ),
        "no_js": t("Charts need JavaScript enabled in the browser.", lang),
        "index": t("All reports", lang),
        "data": t("Data", lang),
        "reasons": t("Rejected rows by reason", lang),
        "warnings": t("Warnings", lang),
        "analysis_warnings": t("Warnings from the analysis", lang),
        "rejected_csv": t("Rejected rows (CSV)", lang),
    }
    exporter = HTMLExporter(
        template_name="kpi_report",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = "pt-BR" if lang == "pt-BR" else "en"
    resources = {
        "kpi": {
            "page": page,
            "labels": labels,
            "how_to_read": _how_to_read(lang),
            "vega_js": vega_bundle() if has_charts else None,
        }
    }
    html, _ = exporter.from_notebook_node(clean, resources=resources)
    refs = network_references(html)
    if refs:
        raise ReportError(
            f"The report would load {len(refs)} resource(s) from the network, e.g. {refs[0]}. "
            "Charts must use the offline renderer: call "
            "kpi_helpers.report.enable_offline_charts() in the notebook's imports cell; "
            "images must be embedded (data: URLs)."
        )
    return html


def page_from_mapping(values: Mapping) -> ReportPage:
    """A :class:`ReportPage` from a mapping of its fields (extra keys ignored)."""
    fields = ReportPage.__dataclass_fields__
    return ReportPage(**{k: values[k] for k in fields if k in values})
