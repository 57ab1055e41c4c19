"""A built page, opened in headless Chromium with the network blocked, is readable at a
desktop's and a phone's width: it draws its charts in numbered figures, shows journal
tables, renders its maths, never scrolls sideways and logs no error.

By default a small book is built in a temporary folder with the project's
``book/_config.yml`` and style sheet, the runner's papermill execution and the
self-hosted chart script: one chapter that uses every building block of a page (a journal
table with an interval and a missing value, captioned responsive charts with a noise
ceiling band, maths, a verdict, a rerun box), the "How to cite" page and the references.
Every page is checked with :func:`book_check.check_page` at 1280 px and 390 px.

When ``HUMANALIGN_BOOK_HTML`` points at a built book (``book/_build/html``), every page of
it is checked the same way; when it points at a chapter, or the folder of the chapters,
those pages are (and each must draw a chart and show glued values).
"""

from __future__ import annotations

import html as html_text
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from book_check import CHROMIUM, WIDTHS, book_pages, check_book, check_page, dump_dom
from humanalign import book, plots
from humanalign.study.verdicts.rules import Verdict

# A verdict as the pages print it: bold, the status up to its apostrophe (typeset as a curly one).
VERDICT_WORD = re.compile("<strong>(" + "|".join(re.escape(s.split("'")[0]) for s in Verdict.STATUSES) + ")")

ROOT = Path(__file__).resolve().parents[1]

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("chromium is required in CI for the rendering test (apt-get install chromium)", pytrace=False)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium); rendering not checked"
)

__all__ = ["CHROMIUM", "assert_chart_rendered", "assert_charts_fit", "dump_dom", "measure_charts"]

CHAPTER = '''# %% [markdown]
# # Tiny chapter
#
# A formula in the text, $x^2 + \\alpha$, and one on its own line:
#
# $$ \\bar r = \\frac{1}{n} \\sum_{i=1}^{n} r_i $$

# %%
import os
import warnings

import numpy as np
import pandas as pd
from IPython.display import Markdown
from myst_nb import glue
from humanalign import pages, plots, tables
from humanalign.fetch import notice
plots.enable_offline()

# %% tags=["parameters"]
value = 0.5
notes = "none"

# %% tags=["hide-input"]
# What a library writes to stderr (a notice naming this machine's folder, a warning)
# must not reach the page.
notice(f"using the cache folder {os.getcwd()}")
warnings.warn("a warning for whoever runs the notebook")
glue("tiny_value", value * 1.2345, display=False)
ids = ["timm/vit_base_patch16_224.augreg_in21k", "open_clip/ViT-B-32.laion2b_s34b_b79k",
       "torchvision/resnet50.IMAGENET1K_V1", "untrained/efficientnet_lite0.seed0"]
table = pd.DataFrame({
    "model": ids, "layer": ["penultimate"] * 4, "family": ["vit", "vit", "resnet", "resnet"],
    "params": [86e6, 88e6, 25e6, 11e6], "objective": ["softmax", "image-text", "softmax", "none"],
    "training_data": ["ImageNet-21k", "LAION-2B", "ImageNet-1k", "none (untrained)"],
    "zero_shot": [0.4512, 0.5234, 0.4401, np.nan], "ci_low": [0.4401, 0.5101, 0.4288, np.nan],
    "ci_high": [0.4623, 0.5367, 0.4515, np.nan], "probed": [0.5871, 0.6012, np.nan, np.nan],
})
rsa = pd.DataFrame({"model": ids, "training_data": table["training_data"],
                    "rsa_people_zero_shot": [0.31, 0.42, 0.28, 0.05]})
rsa["rsa_people_zero_shot_low"] = rsa["rsa_people_zero_shot"] - 0.04
rsa["rsa_people_zero_shot_high"] = rsa["rsa_people_zero_shot"] + 0.04
glue("tiny_verdict", Markdown(pages.verdict_admonition(
    "undecided (the interval crosses the margin)", "The image-text model leads by **0.07**.",
    "The difference is 0.071 ± 0.013 (95 % interval), within the margin of 0.1.")), display=False)
glue("tiny_rerun", Markdown(pages.rerun_box("01_tiny.py")), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Zero-shot against probed accuracy; the shaded band lies beyond the noise ceiling.", "name": "fig-tiny-headline"}}
plots.headline_chart(table.dropna(subset=["zero_shot", "probed"]), {"chance": 1 / 3, "noise_ceiling": 0.62})

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Each model's RSA with its interval, against the human noise ceiling.", "name": "fig-tiny-rsa"}}
plots.rsa_chart(rsa, {"lower": 0.48, "upper": 0.58})

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Accuracy against size, one panel per measure.", "name": "fig-tiny-scale"}}
plots.scale_chart(table.dropna(subset=["zero_shot", "probed"]))

# %%
# A long line of code scrolls inside its box: ----------------------------------------------------------------------------------------
print("a long output line scrolls inside its box too: " + "-" * 150)

# %% tags=["hide-input"]
tables.journal_table(table, {"model": "Model", "params": "Parameters", "zero_shot": "Zero-shot accuracy (95 % CI)",
                             "probed": "Probed accuracy"},
                     intervals={"zero_shot": ("ci_low", "ci_high")}, digits={"params": 0}, values=["zero_shot", "probed"],
                     caption="Accuracy of each model", csv_name="tiny.csv")

# %% [markdown]
# {numref}`fig-tiny-headline` and {numref}`fig-tiny-rsa` show the models.
#
# ```{glue:md} tiny_verdict
# :format: myst
# ```
#
# The glued number is {glue:text}`tiny_value:.4f`.
#
# ```{glue:md} tiny_rerun
# :format: myst
# ```
'''


def build_tiny_book(tmp: Path) -> Path:
    """Build the small book into ``tmp/book`` (strict: a warning fails it); its HTML folder."""
    site = tmp / "book"
    (site / "chapters").mkdir(parents=True)
    for name in ("_config.yml", "references.bib", "references.md", "cite.md", "_static/humanalign.css",
                 "_static/humanalign.js"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "book" / name, site / name)
    (site / "reproducibility.md").write_text("# Reproducibility\n\nThis small book records nothing.\n")
    (site / "_toc.yml").write_text("format: jb-book\nroot: chapters/tiny\nchapters:\n"
                                   "  - file: reproducibility\n  - file: cite\n  - file: references\n")
    source = tmp / "01_tiny.py"
    source.write_text(CHAPTER)
    # A file given by its full path (as a profile file is) shows as its name only.
    book.execute_chapter(source, site / "chapters" / "tiny.ipynb", {"value": 2.0, "notes": str(site / "notes.yml")},
                         cwd=tmp)
    plots.write_vega_bundle(site / "_static" / plots.BUNDLE_NAME)
    exe = Path(sys.executable).with_name("jupyter-book")
    done = subprocess.run([str(exe), "build", str(site), "-W", "-n", "--keep-going"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return site / "_build" / "html"


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


# A page with one of each problem the check must find, and one without any.
BAD_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="https://cdn.example.org/tex-chtml.js"></script></head>
<body><article class="bd-article">
<div style="width: 450px">wider than a phone, narrower than any desktop window</div>
<figure id="fig-x"><div class="humanalign-chart" id="ha-chart-x">The chart could not be drawn: boom</div>
<figcaption><p>A caption without its number</p></figcaption></figure>
<table class="dataframe"><thead><tr><th></th><th>v</th></tr></thead><tbody><tr><th>0</th><td>NaN</td></tr></tbody></table>
<p>Maths: <span class="math notranslate nohighlight">\\(x^2\\)</span></p>
<div class="cell_output"><div class="output stderr"><pre>humanalign: using the cache folder {root}</pre></div></div>
<script>console.error("boom"); undefinedFunction();</script>
</article></body></html>"""

GOOD_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><article class="bd-article"><p>Text that wraps within any window, however narrow it is.</p>
<figure id="fig-y"><svg width="100" height="50"></svg>
<figcaption><p><span class="caption-number">Figure 1: </span>A chart.</p></figcaption></figure>
<table><thead><tr><th>Model</th><th>Value</th></tr></thead><tbody><tr><td>a/b.c</td><td style="text-align: right">0.500</td></tr></tbody></table>
</article></body></html>"""


def test_check_page_finds_each_problem_and_passes_a_clean_page(tmp_path):
    html = tmp_path / "book" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "bad.html").write_text(BAD_PAGE.replace("{root}", str(tmp_path / "book")))
    (html / "good.html").write_text(GOOD_PAGE)
    phone = "\n".join(check_page(html / "bad.html", 390))
    for problem in ["scrolls sideways", "chart ha-chart-x is not drawn", 'figure fig-x has no "Figure N: caption"',
                    "is a raw data frame", "has an index column", 'has a cell "NaN"', "MathJax did not load",
                    "stderr output is shown", "library notice", "path of the build machine",
                    "console: console.error: boom", "undefinedFunction is not defined", "cdn.example.org"]:
        assert problem in phone, f"not found: {problem}\n{phone}"
    # The window really is a phone's: the 450 px block fits any desktop window.
    assert "scrolls sideways" not in "\n".join(check_page(html / "bad.html", 1280))
    assert check_book(html.parent.parent / "_build" / "html") and not check_page(html / "good.html", 390)
    assert check_page(html / "good.html", 1280) == []


def _all_charts() -> list:
    """Every chart of the library, drawn from small tables with long model ids."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    ids = ["timm/vit_base_patch16_224.augreg_in21k", "open_clip/ViT-B-32.laion2b_s34b_b79k",
           "torchvision/resnet50.IMAGENET1K_V1", "litert/mobilenet_v2_100_224.qat_in1k", "untrained/efficientnet_lite0.seed0"]
    groups = ["ImageNet-21k", "LAION-2B", "ImageNet-1k", "ImageNet-1k", "none (untrained)"]
    wide = pd.DataFrame({"model": ids, "layer": "penultimate", "family": ["vit", "vit", "resnet", "mobilenet", "resnet"],
                         "params": [86e6, 88e6, 25e6, 3e6, 11e6], "training_data": groups,
                         "objective": ["softmax", "image-text", "softmax", "softmax", "none"],
                         "zero_shot": rng.uniform(0.38, 0.5, 5), "probed": rng.uniform(0.45, 0.62, 5)})
    wide["ci_low"], wide["ci_high"] = wide["zero_shot"] - 0.02, wide["zero_shot"] + 0.02
    rsa = wide[["model", "training_data"]].assign(rsa_people_zero_shot=rng.uniform(0.1, 0.4, 5))
    rsa["rsa_people_zero_shot_low"] = rsa["rsa_people_zero_shot"] - 0.04
    rsa["rsa_people_zero_shot_high"] = rsa["rsa_people_zero_shot"] + 0.04
    transfer = wide[["model", "training_data"]].assign(rsa_zero_shot=rng.uniform(0.1, 0.3, 5),
                                                       rsa_transformed=rng.uniform(0.3, 0.5, 5))
    comparisons = pd.DataFrame({"human_data": ["92 images", "THINGS"] * 2, "difference": [0.05, -0.01, 0.02, 0.03],
                                "comparison": ["image-text vs supervised (ImageNet-1k)"] * 2
                                + ["larger vs smaller models of one family"] * 2,
                                "ci_low": [0.01, -0.02, 0.0, 0.01], "ci_high": [0.09, 0.0, 0.04, 0.05]})
    concepts = pd.DataFrame({"training_data": groups[:3] * 2, "dimension": [0, 0, 0, 1, 1, 1],
                             "name": ["animal-related"] * 3 + ["food, plants and natural objects"] * 3,
                             "accuracy": rng.uniform(0.4, 0.7, 6), "n": 50})
    return [plots.headline_chart(wide, {"chance": 1 / 3, "noise_ceiling": 0.6722, "vice": 0.64}),
            plots.scale_chart(wide), plots.group_chart(wide, "objective"), plots.accuracy_chart(wide),
            plots.transfer_chart(transfer), plots.rsa_chart(rsa, {"lower": 0.48, "upper": 0.58}),
            plots.comparison_chart(comparisons), plots.concepts_chart(concepts)]


def test_every_chart_fits_a_phone_and_a_desktop(tmp_path):
    # A page shaped like the book's: a text column at most 690 px wide with 16 px margins,
    # figures without margins of their own. With charts of fixed widths (as they were),
    # the style sheet shrinks them to half their size on a phone, and this fails.
    figures = "".join(
        f'<figure id="fig-{i}">{plots.offline_html(chart)}<figcaption><p><span class="caption-number">'
        f"Figure {i + 1}: </span>A chart.</p></figcaption></figure>" for i, chart in enumerate(_all_charts()))
    page = tmp_path / "charts.html"
    page.write_text(
        '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f'<link rel="stylesheet" href="humanalign.css"><script src="{plots.BUNDLE_NAME}"></script>'
        "<style>body { margin: 0 } article { max-width: 690px; margin: 0 auto; padding: 0 16px }"
        " figure { margin: 0 }</style></head>"
        f'<body><article class="bd-article">{figures}</article></body></html>')
    plots.write_vega_bundle(tmp_path / plots.BUNDLE_NAME)
    shutil.copy(ROOT / "book" / "_static" / "humanalign.css", tmp_path / "humanalign.css")
    problems = [p for width in WIDTHS for p in check_page(page, width)]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_tiny_book_is_readable_on_a_desktop_and_a_phone(tmp_path):
    html = build_tiny_book(tmp_path)
    page = html / "chapters" / "tiny.html"
    text = page.read_text()
    # The building blocks as built: numbered captions, a journal table with its download,
    # the verdict's label, the rerun box, MathJax from the book itself.
    assert re.findall(r'<span class="caption-number">(Figure \d+): </span>', text) == ["Figure 1", "Figure 2", "Figure 3"]
    assert "0.451 [0.440, 0.462]" in text and 'download="tiny.csv"' in text and "data:text/csv;base64," in text
    table = re.search(r'<table class="ha-journal">.*?</table>', text, re.S).group(0).replace("<wbr>", "")
    assert "open_clip/ViT-B-32.laion2b_s34b_b79k" in table and "untrained/efficientnet_lite0" not in table
    assert "ha-verdict ha-verdict-undecided" in text and "0.071 ± 0.013" in text
    plain = html_text.unescape(re.sub(r"<[^>]+>", "", text))
    assert "papermill -k python3 -p profile demo build/01_tiny.ipynb build/01_tiny.out.ipynb" in plain
    assert 'notes = "notes.yml"' in plain  # the injected path shows as a file name
    assert re.search(r'<script[^>]*src="[^"]*_static/mathjax/tex-svg\.js"', text)
    assert "cdn.jsdelivr.net" not in text
    # The hidden cell's notice (naming the kernel's folder) and warning stay out of the page.
    assert str(tmp_path) not in text and "UserWarning" not in text
    assert 'href="https://github.com/humanalign/humanalign"' in text
    dom = dump_dom(page, tmp_path)
    assert_chart_rendered(dom)
    assert "2.4690" in dom  # 2.0 * 1.2345, glued from the executed notebook (parameter injected)
    assert "<mjx-container" in dom
    assert {p.name for p in book_pages(html)} >= {"tiny.html", "cite.html", "references.html"}
    problems = check_book(html)
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not os.environ.get("HUMANALIGN_BOOK_HTML"),
                    reason="set HUMANALIGN_BOOK_HTML to a built book (book/_build/html), a chapter, or the chapters' folder")
def test_built_book_is_readable_on_a_desktop_and_a_phone(tmp_path):
    target = Path(os.environ["HUMANALIGN_BOOK_HTML"])
    pages = book_pages(target) if target.is_dir() else [target]
    assert pages, f"no built pages in {target}"
    chapters = [p for p in pages if p.parent.name == "chapters"]
    for page in chapters:
        dom = dump_dom(page, tmp_path)
        assert_chart_rendered(dom)
        # Glued values are pasted into the prose by myst-nb; none may be left unresolved.
        assert "Glue reference" not in dom, page.name
        # A glued number (glue:text) or a glued verdict (glue:md, bold) in the prose.
        glued = 'class="pasted-text"' in dom or VERDICT_WORD.search(dom)
        assert glued, f"{page.name}: no glued value in the text"
        if "id=\"verdict\"" in dom:
            verdict = dom.split('id="verdict"', 1)[1]
            assert VERDICT_WORD.search(verdict), page.name
    problems = check_book(target) if target.is_dir() else [p for width in WIDTHS for p in check_page(target, width)]
    assert not problems, "\n".join(problems)
