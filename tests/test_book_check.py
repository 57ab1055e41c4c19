"""The page check finds what a demanding reader trips over, on small hand-made pages: a
table wider than its column with no cue, chart text cut or run together and marks over the
plot's edge, a legend missing or cut, text that vanishes in dark mode, and a photo without
a licence line; and each page's clean twin passes.

The charts here are written by hand in the shape Vega draws them (``g.role-axis``,
``g.mark-symbol``, ``g.role-legend``, a frame with ``path.background``), so each defect is
exactly where the test puts it.
"""

from __future__ import annotations

import os

import pytest

from book_check import CHROMIUM, Browser, check_page

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("chromium is required in CI for the page check (apt-get install chromium)", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")

HEAD = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body { margin: 0; font: 14px sans-serif; background: #fff; color: #222 }
article { max-width: 600px; margin: 0 auto; padding: 0 16px }
html[data-theme="dark"] body { background: #121212; color: #e8e8e8 }
{style}</style></head><body><article class="bd-article">
"""
TAIL = "</article></body></html>"

WIDE_TABLE = """<div class="ha-table">{cue}<div class="ha-table-scroll" style="overflow-x: auto">
<table class="ha-journal"><caption style="text-align: left">Accuracy per model</caption><thead><tr><th>Model</th><th>A</th></tr></thead>
<tbody><tr><td><div style="width: 1200px">a very wide cell</div></td><td style="text-align: right">0.5</td></tr></tbody>
</table></div></div>"""


def _chart(inner: str, width: int = 300, height: int = 200, chart_id: str = "ha-chart-t", card: bool = True) -> str:
    """A figure holding a chart drawn as Vega draws one: a white background (``card``) and a
    root frame 200 x 150 px."""
    background = f'<rect width="{width}" height="{height}" fill="white"></rect>' if card else ""
    return (f'<figure><div class="humanalign-chart" id="{chart_id}"><svg class="marks" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}">{background}<g class="mark-group role-frame root" '
            f'transform="translate(40,10)"><g><path class="background" d="M0.5,0.5h200v150h-200Z" fill="none" '
            f'stroke="#ddd"></path><g><g class="mark-rule role-mark layer_0_marks"></g>{inner}</g></g></g></svg>'
            '</div><figcaption><p><span class="caption-number">Figure 1: </span>A chart.</p></figcaption></figure>')


def _axis(*labels: tuple[float, str]) -> str:
    texts = "".join(f'<text transform="translate({x},170)" text-anchor="middle" font-size="10">{t}</text>'
                    for x, t in labels)
    return f'<g class="mark-group role-axis"><g><g class="mark-text role-axis-label">{texts}</g></g></g>'


SQUARE = "M-4,-4h8v8h-8Z"
TRIANGLE = "M0,-5L5,4L-5,4Z"


def _symbols(*marks: tuple[float, float, str, str]) -> str:
    paths = "".join(f'<path transform="translate({x},{y})" d="{d}" fill="{fill}"></path>' for x, y, d, fill in marks)
    return f'<g class="mark-symbol role-mark">{paths}</g>'


def _legend(entries: list[tuple[str, str, str]], x: float = 0, y: float = 160) -> str:
    symbols = "".join(f'<path transform="translate(0,{12 * i})" d="{d}" fill="{fill}"></path>'
                      for i, (d, fill, _) in enumerate(entries))
    labels = "".join(f'<text transform="translate(10,{12 * i + 4})" font-size="10">{label}</text>'
                     for i, (_, _, label) in enumerate(entries))
    return (f'<g class="mark-group role-legend" transform="translate({x},{y})"><g>'
            f'<g class="mark-symbol role-legend-symbol">{symbols}</g>'
            f'<g class="mark-text role-legend-label">{labels}</g></g></g>')


IMAGE = ('<img src="data:image/svg+xml;utf8,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%2264%22 '
         'height=%2264%22%3E%3Crect width=%2264%22 height=%2264%22 fill=%22%23c80%22/%3E%3C/svg%3E" '
         'alt="a goldfish" width="64" height="64">')


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    own = Browser(tmp_path_factory.mktemp("chromium"))
    yield own
    own.close()


@pytest.fixture
def page(tmp_path):
    def write(body: str, style: str = "", name: str = "page.html"):
        path = tmp_path / name
        path.write_text(HEAD.replace("{style}", style) + body + TAIL)
        return path
    return write


def _problems(browser, path, width=1280) -> str:
    return "\n".join(check_page(path, width, browser))


def test_a_wide_table_needs_a_visible_scroll_cue(browser, page):
    assert "with nothing showing that more columns lie beyond the edge" in _problems(
        browser, page(WIDE_TABLE.format(cue="")))
    hidden = '<p class="ha-scroll-cue" style="display: none">Scroll sideways for more columns</p>'
    assert "more columns lie beyond" in _problems(browser, page(WIDE_TABLE.format(cue=hidden)))
    cue = '<p class="ha-scroll-cue">Scroll sideways for more columns &rarr;</p>'
    assert _problems(browser, page(WIDE_TABLE.format(cue=cue))) == ""
    # A table that fits needs no cue.
    narrow = WIDE_TABLE.format(cue="").replace("width: 1200px", "width: 200px")
    assert _problems(browser, page(narrow)) == ""


def test_a_wide_tables_caption_must_be_readable_without_scrolling(browser, page):
    cue = '<p class="ha-scroll-cue">Scroll sideways for more columns &rarr;</p>'
    long = WIDE_TABLE.format(cue=cue).replace("Accuracy per model", "Accuracy per model, " + "and more words " * 40)
    assert "its caption runs" in _problems(browser, page(long), 390)
    # The book's rule: the caption stays within the scrolling box and wraps there.
    from conftest import ROOT

    css = (ROOT / "book" / "_static" / "humanalign.css").read_text()
    assert _problems(browser, page(f"<style>{css}</style>" + long), 390) == ""
    # A short caption is as wide as its table but its words are within the column, unless
    # they are centred on the whole table.
    assert _problems(browser, page(WIDE_TABLE.format(cue=cue)), 390) == ""
    centred = WIDE_TABLE.format(cue=cue).replace('style="text-align: left"', "")
    assert "its caption runs" in _problems(browser, page(centred), 390)


def test_chart_text_cut_labels_run_together_and_marks_over_the_edge(browser, page):
    cut = _chart(_axis((0, "0.0"), (100, "0.5")) + '<text transform="translate(230,40)" font-size="12">'
                 "a label running far beyond the chart's edge</text>")
    assert "has text cut at its edge" in _problems(browser, page(cut))
    clash = _chart(_axis((0, "-0.10"), (12, "0.0"), (100, "0.5")))
    assert 'axis labels that run into each other: "-0.10" and "0.0"' in _problems(browser, page(clash))
    edge = _chart(_symbols((199, 50, SQUARE, "#47a"), (100, 60, SQUARE, "#47a")))
    assert "1 mark(s) crossing the edge of the plot" in _problems(browser, page(edge))
    clean = _chart(_axis((0, "-0.10"), (50, "0.00"), (100, "0.10")) + _symbols((100, 50, SQUARE, "#47a")))
    assert _problems(browser, page(clean)) == ""


def test_a_legend_missing_or_cut_at_a_phones_width(browser, page):
    two = _symbols((60, 50, SQUARE, "#47a"), (120, 60, TRIANGLE, "#47a"))
    missing = _problems(browser, page(_chart(two)), 390)
    assert "draws 2 kinds of marks but its legend does not show 2 of them" in missing
    cut_short = _chart(two + _legend([(SQUARE, "#47a", "network"), (TRIANGLE, "#47a", "referenc\u2026")]))
    assert 'legend entry cut short: "referenc\u2026"' in _problems(browser, page(cut_short), 390)
    off = _chart(two + _legend([(SQUARE, "#47a", "network"), (TRIANGLE, "#47a", "reference model")], x=240))
    assert "has a legend cut at its edge" in _problems(browser, page(off), 390)
    colours = _chart(_symbols((60, 50, SQUARE, "#47a"), (120, 60, SQUARE, "#e67")))
    assert "draws marks in 2 colours but its legend does not show 2 of them" in _problems(browser, page(colours), 390)
    whole = _chart(two + _legend([(SQUARE, "#47a", "network"), (TRIANGLE, "#47a", "reference model")]))
    assert _problems(browser, page(whole), 390) == ""


def test_text_that_vanishes_in_dark_mode(browser, page):
    table = ('<table><caption>Table 1: Accuracy per model</caption><thead><tr><th>Model</th></tr></thead>'
             "<tbody><tr><td>a</td></tr></tbody></table>")
    light_panel = 'html[data-theme="dark"] caption { color: #e8e8e8; background: #f4f4f4 }'
    found = _problems(browser, page(table, light_panel))
    assert "in dark mode, 1 text element(s) can hardly be read" in found and "Accuracy per model" in found
    # A chart's dark text on the page's dark background vanishes too, unless the chart has its
    # own light background (Vega's white rectangle, or the style sheet's card).
    chart = _chart('<text transform="translate(10,20)" fill="#222" font-size="10">zero-shot accuracy</text>',
                   card=False)
    assert '"zero-shot accuracy"' in _problems(browser, page(chart))
    card = 'html[data-theme="dark"] .humanalign-chart { background: #fff }'
    assert _problems(browser, page(table + chart, card)) == ""
    assert _problems(browser, page(table + chart.replace('<g class="mark-group', '<rect width="300" height="200" '
                                                         'fill="white"></rect><g class="mark-group', 1))) == ""


def test_an_image_needs_a_licence_line(browser, page):
    bare = f'<figure>{IMAGE}<figcaption><p><span class="caption-number">Figure 1: </span>A goldfish.</p></figcaption></figure>'
    assert '1 image(s) without a licence line beside them: "a goldfish"' in _problems(browser, page(bare))
    licensed = bare.replace("A goldfish.", "A goldfish. Photo: THINGSplus, CC0 (public domain).")
    assert _problems(browser, page(licensed)) == ""
    beside = f'<div class="card">{IMAGE}<p>ImageNet photo, research use only: not shown in the book.</p></div>'
    assert _problems(browser, page(beside)) == ""


def test_the_books_script_and_style_sheet_answer_the_check(browser, tmp_path):
    """A journal table as the library writes it, on a page with the book's style sheet and
    script and the light output panel that the theme's dark mode gives a cell's output:
    numbered, told to scroll where it is too wide, readable in dark mode."""
    import shutil

    import pandas as pd

    from book_check import dump_dom
    from conftest import ROOT
    from humanalign import tables

    wide = pd.DataFrame({"model": ["pypi/efficientnet_lite0.in1k", "litert/mobilenet_v1_025_128.quant_in1k"],
                         **{f"measure_{i}": [0.41, 0.52] for i in range(9)}})
    html = tables.reader_table(wide, caption="Accuracy per model", csv_name="acc")._repr_html_()
    for name in ("humanalign.css", "humanalign.js"):
        shutil.copy(ROOT / "book" / "_static" / name, tmp_path / name)
    panel = ('html[data-theme="dark"] .output.text_html { background: rgb(206, 214, 221); color: rgb(34, 40, 50) }'
             'html[data-theme="dark"] a { color: rgb(100, 170, 255) }')
    body = f'<div class="cell_output"><div class="output text_html">{html}</div></div>'
    page = tmp_path / "table.html"
    page.write_text(HEAD.replace("{style}", panel).replace(
        "</head>", '<link rel="stylesheet" href="humanalign.css"><script src="humanalign.js"></script></head>')
        + body + TAIL)
    for width in (1280, 390):
        assert _problems(browser, page, width) == ""
    dom = dump_dom(page, tmp_path, width=1280)
    assert '<span class="caption-number">Table 1: </span>Accuracy per model' in dom
    # Without the script nothing says that the table scrolls.
    bare = tmp_path / "bare.html"
    bare.write_text(page.read_text().replace('<script src="humanalign.js"></script>', ""))
    assert "more columns lie beyond the edge" in _problems(browser, bare, 390)


def test_a_label_shows_words_not_an_identifier(browser, page):
    table = ('<table><caption>Accuracy</caption><thead><tr><th>Model</th><th>{head}</th></tr></thead>'
             '<tbody><tr><td>a</td><td style="text-align: right">0.5</td></tr></tbody></table>')
    found = _problems(browser, page(table.format(head="zero_shot")))
    assert '1 label(s) show an identifier rather than words: "zero_shot"' in found
    chart = _chart('<text transform="translate(10,20)" font-size="10">human/vice_42d</text>')
    assert '"human/vice_42d"' in _problems(browser, page(chart))
    # Words (with a slash, a hyphen or a bracket) are fine; so is an identifier in code.
    clean = table.format(head="Zero-shot accuracy (image/text models)") + "<p><code>n_boot</code></p>"
    assert _problems(browser, page(clean)) == ""


def test_the_brain_chapter_needs_its_verdict_boxes(browser, page):
    rerun = '<div class="admonition ha-rerun"><p>Rerun this chapter.</p></div>'
    assert "the chapter has no verdict box" in _problems(browser, page(rerun, name="06_brain.html"))
    boxed = '<div class="admonition ha-verdict"><p class="admonition-title">Undecided</p></div>' + rerun
    assert _problems(browser, page(boxed, name="06_brain.html")) == ""


def test_a_stacked_table_shows_every_column_on_a_phone(browser, tmp_path):
    """The landing page's claims table (class ha-stack) is a card per row on a phone, each
    cell under its header, so no column lies beyond the screen's edge."""
    import shutil

    from book_check import dump_dom
    from conftest import ROOT

    for name in ("humanalign.css", "humanalign.js"):
        shutil.copy(ROOT / "book" / "_static" / name, tmp_path / name)
    heads = "".join(f"<th>Column {i}</th>" for i in range(6))
    cells = "".join(f'<td><div style="min-width: 150px">{"words " * 6}</div></td>' for _ in range(6))
    body = (f'<div class="pst-scrollable-table-container"><table class="ha-stack table"><caption>Claims</caption>'
            f"<thead><tr>{heads}</tr></thead><tbody><tr>{cells}</tr>"
            '<tr><td><strong>Beyond the paper</strong></td><td></td><td></td><td></td><td></td><td></td></tr>'
            "</tbody></table></div>")
    page = tmp_path / "stacked.html"
    page.write_text(HEAD.replace("{style}", "").replace(
        "</head>", '<link rel="stylesheet" href="humanalign.css"><script src="humanalign.js"></script></head>')
        + body + TAIL)
    assert _problems(browser, page, 390) == ""
    dom = dump_dom(page, tmp_path, width=500)
    assert dom.count('data-label="Column 5"') == 1  # the heading row's cells are not labelled
    assert dom.count('class="ha-stack-blank"') == 5
    # Without the style sheet the same table is wider than a phone's column and says nothing.
    bare = tmp_path / "bare.html"
    bare.write_text(page.read_text().replace('<link rel="stylesheet" href="humanalign.css">', ""))
    assert "more columns lie beyond the edge" in _problems(browser, bare, 390)
