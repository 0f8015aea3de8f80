"""Altair charts that render offline: a small renderer and the Vega JavaScript bundle.

In a rendered report every chart is a ``<div>`` plus an inline script that calls
``vegaEmbed`` with the Vega-Lite spec inlined; the Vega, Vega-Lite and vega-embed
JavaScript is embedded ONCE per page by :mod:`kpi_helpers.report.render` (from
``vl_convert.javascript_bundle``, at the Vega-Lite version of the installed Altair).
Nothing is loaded from the network.

Notebooks call :func:`enable_offline_charts` in their imports cell. It switches Altair to
this renderer only while ``kpi-report`` executes the notebook (the runner sets the
``KPI_REPORT_RENDER`` environment variable); interactively, in JupyterLab, Altair keeps
its own renderer. ``force=True`` enables it anyway.

Element ids are derived from a hash of the spec (plus a counter for repeated charts), so
re-running a notebook on the same data produces byte-identical output.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache

__all__ = [
    "RENDERER_NAME",
    "ENV_FLAG",
    "CHART_MARKER",
    "chart_html",
    "enable_offline_charts",
    "vega_bundle",
    "vegalite_version",
]

#: Name under which the renderer is registered in ``altair.renderers``.
RENDERER_NAME = "kpi_offline"
#: Environment variable set by the report runner while a notebook executes.
ENV_FLAG = "KPI_REPORT_RENDER"
#: CSS class present in every chart's HTML (the renderer looks for it to embed the JS).
CHART_MARKER = "kpi-chart"

_EMBED_OPTIONS = {"actions": False, "renderer": "svg"}
_seen: dict[str, int] = {}


def _json_for_script(obj) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(
        obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def chart_html(spec: dict, *, element_id: str | None = None) -> str:
    """The HTML of one chart: a container, the spec as inline JSON and a ``vegaEmbed`` call.

    Parameters
    ----------
    spec : dict
        A Vega-Lite spec (``chart.to_dict()``), with its data inlined.
    element_id : str, optional
        The container's id; default ``kpi-vis-`` + the first 12 hex digits of the spec's
        SHA-256 (``-2``, ``-3``... appended when the same spec is shown again).

    Returns
    -------
    str
        HTML that needs ``window.vegaEmbed`` (the page embeds it once).

    Examples
    --------
    >>> html = chart_html({"mark": "bar", "data": {"values": [{"a": "</script>"}]}})
    >>> html.count("</script>")  # only the two closing tags of the page's own scripts
    2
    """
    payload = _json_for_script(spec)
    if element_id is None:
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]
        count = _seen.get(digest, 0) + 1
        _seen[digest] = count
        element_id = f"kpi-vis-{digest}" + (f"-{count}" if count > 1 else "")
    options = _json_for_script(_EMBED_OPTIONS)
    return (
        f'<div class="{CHART_MARKER}" id="{element_id}"></div>\n'
        f'<script type="application/json" id="{element_id}-spec">{payload}</script>\n'
        "<script>(function () {\n"
        f'  var id = "{element_id}";\n'
        "  function draw() {\n"
        "    var el = document.getElementById(id);\n"
        '    var spec = JSON.parse(document.getElementById(id + "-spec").textContent);\n'
        f"    window.vegaEmbed(el, spec, {options}).catch(function (err) {{\n"
        '      el.textContent = "Chart error: " + err.message; console.error(err);\n'
        "    });\n"
        "  }\n"
        "  if (window.vegaEmbed) { draw(); }\n"
        '  else { window.addEventListener("DOMContentLoaded", function () {\n'
        "    if (window.vegaEmbed) { draw(); }\n"
        '    else { document.getElementById(id).textContent = "Chart unavailable: the Vega '
        'JavaScript is missing from this page."; } }); }\n'
        "})();</script>"
    )


def _renderer(spec: dict, **metadata) -> dict:
    return {"text/html": chart_html(spec)}


def enable_offline_charts(*, force: bool = False) -> None:
    """Render Altair charts with the offline ``vegaEmbed`` renderer inside reports.

    Call it in a notebook's imports cell. It registers the renderer and enables it when
    the notebook runs under ``kpi-report`` (or when ``force=True``); otherwise the active
    Altair renderer is left alone so charts keep working in JupyterLab.

    Parameters
    ----------
    force : bool, default False
        Enable the offline renderer even outside a report run.

    Returns None, so the call leaves no output in the report.

    Examples
    --------
    >>> import altair as alt
    >>> from kpi_helpers.report import enable_offline_charts
    >>> enable_offline_charts(force=True)
    >>> alt.renderers.active
    'kpi_offline'
    """
    import altair as alt

    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, _renderer)
    if force or os.environ.get(ENV_FLAG) == "1":
        alt.renderers.enable(RENDERER_NAME)


def vegalite_version() -> str:
    """The Vega-Lite major.minor version of the installed Altair (``"6.4"`` for v6.4.1)."""
    import altair as alt

    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """The Vega + Vega-Lite + vega-embed JavaScript (one classic script, sets ``window.vegaEmbed``).

    Built by ``vl_convert.javascript_bundle`` at Altair's Vega-Lite version (about 900 kB
    minified); cached for the process.
    """
    import vl_convert as vlc

    from ..errors import ReportError

    wanted = vegalite_version()
    available = vlc.get_vegalite_versions()
    if wanted not in available:
        raise ReportError(
            f"vl-convert-python {vlc.__version__} has no Vega-Lite {wanted} (Altair's "
            f"SCHEMA_VERSION); it has {', '.join(available)}. Upgrade it: "
            "pip install -U vl-convert-python"
        )
    js = vlc.javascript_bundle(vl_version=wanted)
    # the bundle goes inside an inline <script>: make sure nothing can close it early
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")
