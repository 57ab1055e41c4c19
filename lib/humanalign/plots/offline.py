"""Offline rendering of the charts: no script is loaded from the network.

:func:`enable_offline` registers an altair renderer whose HTML output calls
``window.vegaEmbed`` from a self-hosted script (:func:`write_vega_bundle` writes the Vega,
Vega-Lite and Vega-Embed bundle that ``vl_convert`` ships), so a built page loads no
script from the network. :func:`to_svg` gives a static SVG for places without scripts.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path
from typing import Any

import altair as alt

from .. import escape

__all__ = ["BUNDLE_NAME", "enable_offline", "offline_html", "to_svg", "write_vega_bundle"]

BUNDLE_NAME = "vega-bundle.js"
_ELEMENT_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")



def offline_html(spec: dict[str, Any] | alt.TopLevelMixin, element_id: str | None = None) -> str:
    """HTML that draws a chart with the self-hosted ``vegaEmbed`` (no network).

    The page must load :data:`BUNDLE_NAME` (the book does, from its ``_static`` folder).
    The script waits for the bundle when it is loaded later than the chart's HTML. The
    element spans the column (vega-embed would make it an inline block as wide as its
    content), so that a chart of width ``"container"`` takes the column's width.
    """
    if not isinstance(spec, dict):
        spec = spec.to_dict()
    element_id = element_id or f"ha-chart-{uuid.uuid4().hex[:12]}"
    if not _ELEMENT_ID.match(element_id):
        raise ValueError(f"offline_html: element_id {element_id!r} must be letters, digits, '-' or '_', "
                         "starting with a letter.")
    # Labels are data: no "</script>", "<!--" or "<script" in them may change how the page is read.
    payload = escape.script_json(spec)
    return (
        f'<div id="{element_id}" class="humanalign-chart" style="width: 100%"></div>\n'
        "<script type=\"text/javascript\">\n(function () {\n"
        f"  var spec = {payload};\n"
        f'  var target = "#{element_id}";\n'
        "  function draw() {\n"
        "    vegaEmbed(target, spec, {actions: false, renderer: \"svg\"}).catch(function (err) {\n"
        "      document.querySelector(target).textContent = \"The chart could not be drawn: \" + err;\n"
        "    });\n"
        "  }\n"
        "  if (window.vegaEmbed) { draw(); } else { window.addEventListener(\"load\", draw); }\n"
        "})();\n</script>"
    )


def _renderer(spec: dict, **_: Any) -> dict[str, str]:
    return {"text/html": offline_html(spec)}


def enable_offline() -> None:
    """Make altair charts display as offline HTML (call once at the top of a notebook)."""
    alt.renderers.register("humanalign-offline", _renderer)
    alt.renderers.enable("humanalign-offline")


def write_vega_bundle(path: str | os.PathLike) -> Path:
    """Write the self-contained Vega/Vega-Lite/Vega-Embed script to ``path`` (atomically).

    The bundle comes from the installed ``vl-convert-python``; it is rewritten only when
    that version changes (its version is recorded in a one-line comment at the top).
    """
    import vl_convert as vlc

    path = Path(path)
    stamp = f"// wrapped; vl-convert {getattr(vlc, '__version__', '')} vega {vlc.get_vega_version()} vega-embed {vlc.get_vega_embed_version()}\n"
    if path.is_file():
        with open(path) as handle:
            if handle.readline() == stamp:
                return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(stamp)
            # The bundle declares top-level names (e.g. "_") that clash with the theme's
            # globals in a classic script; a function scope keeps them private.
            handle.write("(function () {\n")
            handle.write(vlc.javascript_bundle())
            handle.write("\n})();\n")
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def to_svg(chart: alt.TopLevelMixin) -> str:
    """A static SVG of a chart (no scripts, no network), via ``vl_convert``."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())
