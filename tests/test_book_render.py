"""A built page, opened in headless Chromium with the network blocked, shows its chart and
its glued numbers.

By default a one-chapter book is built in a temporary folder with the project's
``book/_config.yml``, the runner's papermill execution and the self-hosted chart script;
when ``HUMANALIGN_BOOK_HTML`` points at a built chapter of the real book (e.g.
``book/_build/html/chapters/01_scale.html``), that page is checked too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from humanalign import book, plots

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("chromium is required in CI for the rendering test (apt-get install chromium)", pytrace=False)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium); rendering not checked"
)

CHAPTER = '''# %% [markdown]
# # Tiny chapter

# %%
import altair as alt
import pandas as pd
from myst_nb import glue
from humanalign import plots
plots.enable_offline()

# %% tags=["parameters"]
value = 0.5

# %%
glue("tiny_value", value * 1.2345, display=False)
table = pd.DataFrame({"model": ["a/b.c", "d/e.f"], "zero_shot": [0.41, 0.47], "probed": [0.5, 0.55],
                      "layer": ["penultimate"] * 2, "training_data": ["ImageNet-1k", "none (untrained)"]})

# %%
plots.headline_chart(table, {"chance": 1 / 3})

# %% [markdown]
# The glued number is {glue:text}`tiny_value:.4f`.
'''


def dump_dom(page: Path, tmp: Path, width: int | None = None) -> str:
    """The page's DOM after its scripts ran, with every network host unresolvable.

    ``width``: the window's width in pixels (a 2000 px tall window), as a reader's screen.
    """
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        *([f"--window-size={width},2000"] if width else []),
        "--disable-extensions", "--no-first-run", "--allow-file-access-from-files",
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost', "--proxy-server=http://127.0.0.1:9",
        f"--user-data-dir={tmp / 'chromium-profile'}", "--virtual-time-budget=20000", "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def assert_chart_rendered(dom: str) -> None:
    charts = re.findall(r'<div id="ha-chart-[^"]*" class="humanalign-chart[^"]*"[^>]*>(.*?)</div>\s*<script', dom, flags=re.S)
    assert charts, "no chart container on the page"
    for inner in charts:
        assert "could not be drawn" not in inner
        # vega-embed puts an <svg> with marks (paths, symbols) into the container.
        assert "<svg" in inner and re.search(r'class="[^"]*marks', inner), inner[:300]
        assert inner.count("<path") >= 3


# Measures, once the charts are drawn, the width of each chart and of the main text
# column (the article's content box) and writes them into the page as JSON.
_MEASURE = """
<script>
(function () {
  var waited = 0;
  function measure() {
    var boxes = Array.from(document.querySelectorAll(".humanalign-chart"));
    var pending = boxes.some(function (el) { return !el.querySelector("svg") && !/could not be drawn/.test(el.textContent); });
    if (pending && waited < 10000) { waited += 250; setTimeout(measure, 250); return; }
    var article = document.querySelector("article.bd-article") || document.querySelector("main");
    var style = getComputedStyle(article);
    var column = article.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    var charts = boxes.map(function (el) {
      var svg = el.querySelector("svg");
      return {id: el.id, drawn: !!svg && !!svg.querySelector("[class*=marks]"),
              width: svg ? svg.getBoundingClientRect().width : 0};
    });
    var out = document.createElement("pre");
    out.id = "ha-measure";
    out.textContent = JSON.stringify({column: column, charts: charts});
    document.body.appendChild(out);
  }
  window.addEventListener("load", function () { setTimeout(measure, 250); });
})();
</script>
"""


def measure_charts(page: Path, tmp: Path, width: int = 1280) -> dict:
    """``{"column": px, "charts": [{"id", "drawn", "width"}, ...]}`` of a built page seen in
    a ``width`` px wide window with the network blocked (a measuring copy of the page is
    written beside it, so that its relative links still resolve, and removed again)."""
    import json

    probe = page.with_name(f"_measure_{page.name}")
    probe.write_text(page.read_text().replace("</body>", _MEASURE + "</body>"))
    try:
        for _ in range(2):  # a loaded machine can run out of the virtual time budget once
            dom = dump_dom(probe, tmp, width=width)
            found = re.search(r'<pre id="ha-measure"[^>]*>(.*?)</pre>', dom, flags=re.S)
            if found:
                break
    finally:
        probe.unlink()
    assert found, f"{page.name}: the measuring script did not run"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def assert_charts_fit(page: Path, tmp: Path, width: int = 1280) -> dict:
    """At least one chart on ``page`` is drawn offline and none is wider than the text column."""
    measured = measure_charts(page, tmp, width)
    charts = measured["charts"]
    assert charts and any(c["drawn"] for c in charts), f"{page.name}: no chart drawn: {measured}"
    too_wide = [c for c in charts if c["width"] > measured["column"] + 0.5]
    assert not too_wide, f"{page.name}: charts wider than the {measured['column']:.0f} px text column: {too_wide}"
    return measured


@pytest.mark.slow
def test_tiny_book_renders_offline(tmp_path):
    site = tmp_path / "book"
    (site / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "_config.yml", site / "_config.yml")
    (site / "references.bib").write_text((ROOT / "book" / "references.bib").read_text())
    (site / "_toc.yml").write_text("format: jb-book\nroot: chapters/tiny\n")
    source = tmp_path / "01_tiny.py"
    source.write_text(CHAPTER)
    book.execute_chapter(source, site / "chapters" / "tiny.ipynb", {"value": 2.0}, cwd=tmp_path)
    plots.write_vega_bundle(site / "_static" / plots.BUNDLE_NAME)
    exe = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run([str(exe), "build", str(site), "-W", "-n", "--keep-going"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    page = site / "_build" / "html" / "chapters" / "tiny.html"
    dom = dump_dom(page, tmp_path)
    assert_chart_rendered(dom)
    assert "2.4690" in dom  # 2.0 * 1.2345, glued from the executed notebook (parameter injected)
    assert_charts_fit(page, tmp_path)


@pytest.mark.skipif(not os.environ.get("HUMANALIGN_BOOK_HTML"),
                    reason="set HUMANALIGN_BOOK_HTML to a built chapter, or to the folder of the built chapters")
def test_built_chapter_renders_offline(tmp_path):
    target = Path(os.environ["HUMANALIGN_BOOK_HTML"])
    pages = sorted(target.glob("*.html")) if target.is_dir() else [target]
    assert pages, f"no built pages in {target}"
    for page in pages:
        dom = dump_dom(page, tmp_path)
        assert_chart_rendered(dom)
        # Glued values are pasted into the prose by myst-nb; none may be left unresolved.
        assert "Glue reference" not in dom, page.name
        # A glued number (glue:text) or a glued verdict (glue:md, bold) in the prose.
        glued = 'class="pasted-text"' in dom or re.search(r"<strong>(reproduced|not reproduced|not testable)", dom)
        assert glued, f"{page.name}: no glued value in the text"
        if "id=\"verdict\"" in dom:
            verdict = dom.split('id="verdict"', 1)[1]
            assert re.search(r"<strong>(reproduced|not reproduced|not testable with this profile)", verdict)
        assert_charts_fit(page, tmp_path)
