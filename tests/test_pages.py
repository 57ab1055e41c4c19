"""Tests of humanalign.pages (the verdict label, the rerun box) and of what ties the book's
pages together: the style sheet has a rule for every class the library writes, the
citation file and the "How to cite" page agree with the book's configuration, and the
book extension's page hooks (numbered captions, scripts loaded once, maths as SVG)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from conftest import ROOT
from humanalign import pages, tables
from humanalign.book import build

CSS = (ROOT / "book" / "_static" / "humanalign.css").read_text()
CONFIG = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())


@pytest.mark.parametrize("status, css", [
    ("reproduced", "ha-verdict-reproduced"),
    ("not reproduced", "ha-verdict-not-reproduced"),
    ("undecided", "ha-verdict-undecided"),
    ("undecided (the interval crosses the margin)", "ha-verdict-undecided"),
    ("not testable with this profile's models", "ha-verdict-not-testable"),
    ("Not testable", "ha-verdict-not-testable"),
    ("answered", "ha-verdict-answered"),
])
def test_verdict_admonition_colours_its_label_by_status(status, css):
    text = pages.verdict_admonition(status, "Larger models are **not** more aligned.", "Slope 0.001 ± 0.004.")
    lines = text.splitlines()
    assert lines[0] == "`````{admonition} " + status[0].upper() + status[1:]
    assert lines[1] == f":class: ha-verdict {css}"
    assert "Larger models are **not** more aligned." in lines
    assert "````{dropdown} How this was decided" in lines and "Slope 0.001 ± 0.004." in lines
    assert lines[-1] == "`````" and "+-" not in text


def test_verdict_admonition_takes_a_title_and_keeps_the_status_colour():
    text = pages.verdict_admonition("undecided", "Two halves.", "", title="size: undecided; architecture: not testable")
    assert text.splitlines()[:2] == ["`````{admonition} Size: undecided; architecture: not testable",
                                     ":class: ha-verdict ha-verdict-undecided"]
    assert pages.verdict_admonition("reproduced", "Yes.", "", title="  ").startswith("`````{admonition} Reproduced")


def test_verdict_details_nest_fences_and_can_be_left_out():
    details = "```python\nx = 1\n```\n\n:::{note}\nA note.\n:::"
    text = pages.verdict_admonition("reproduced", "Yes.", details)
    # The outer fences are longer than any fence the details may use.
    assert text.index("````{dropdown}") < text.index("```python") < text.rindex("````\n")
    assert "dropdown" not in pages.verdict_admonition("reproduced", "Yes.", "  ")


def test_verdict_admonition_names_a_bad_status_or_an_empty_summary():
    with pytest.raises(ValueError, match="unknown status 'reproducible'"):
        pages.verdict_admonition("reproducible", "Yes.", "")
    with pytest.raises(ValueError, match="unknown status 'reproduced-ish'"):
        pages.verdict_admonition("reproduced-ish", "Yes.", "")
    with pytest.raises(ValueError, match="summary is empty"):
        pages.verdict_admonition("reproduced", " ", "details")


def test_rerun_box_gives_the_readme_commands_for_the_chapter():
    text = pages.rerun_box("notebooks/01_scale.py")
    commands = text.split("```bash\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert commands == [
        "mkdir -p build && .venv/bin/jupytext --to ipynb notebooks/01_scale.py -o build/01_scale.ipynb",
        ".venv/bin/papermill -k python3 -p profile demo build/01_scale.ipynb build/01_scale.out.ipynb",
    ]
    readme = (ROOT / "README.md").read_text()
    assert all(command in readme for command in commands)  # the README's route, word for word
    assert text.startswith("````{admonition} Rerun this chapter\n:class: tip ha-rerun")
    assert "-p profile full build/03_dataset.ipynb" in pages.rerun_box("03_dataset.ipynb", profile="full")
    assert "-p profile 'my profile.yml'" in pages.rerun_box("03_dataset.py", profile="my profile.yml")


def test_rerun_box_links_the_repository_at_the_commit_that_computed_the_page():
    commit = "0123456789abcdef0123456789abcdef01234567"
    url = "https://github.com/someone/humanalign"
    text = pages.rerun_box("02_objective.py", repository=url, commit=commit)
    assert f"[`0123456789ab`]({url}/tree/{commit})" in text
    assert f"({url}/blob/{commit}/notebooks/02_objective.py)" in text
    assert "not yet committed" not in text
    assert "not yet committed" in pages.rerun_box("02_objective.py", repository=url, commit=commit, modified=True)
    # Without an address the hash is still printed; without a commit the box says so.
    bare = pages.rerun_box("02_objective.py", repository=None, commit=commit)
    assert f"commit `{commit}` of the repository the README names" in bare and "](" not in bare.split("```")[-1]
    unknown = pages.rerun_box("02_objective.py", repository=url, commit=None)
    assert "commit is not known" in unknown and f"[{url}]({url})" in unknown
    # Text that could break out of a Markdown link is never linked.
    odd = pages.rerun_box("02_objective.py", repository="https://x.org/a)[b](javascript:x", commit=commit)
    assert "javascript" not in odd
    with pytest.raises(ValueError, match="not a hexadecimal git hash"):
        pages.rerun_box("02_objective.py", repository=url, commit="HEAD; rm -rf /")


def test_checkout_source_reads_the_commit_from_git_and_the_address_from_the_book(tmp_path):
    import subprocess

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       check=True, capture_output=True)

    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "_config.yml").write_text("repository:\n  url: https://example.org/owner/repo/\n")
    (tmp_path / "a.txt").write_text("one")
    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first")
    found = pages.checkout_source(tmp_path)
    assert found["repository"] == "https://example.org/owner/repo" and re.fullmatch(r"[0-9a-f]{40}", found["commit"])
    assert found["modified"] is False
    (tmp_path / "a.txt").write_text("two")
    assert pages.checkout_source(tmp_path)["modified"] is True
    # Not a checkout, no configuration: nothing is claimed.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert pages.checkout_source(elsewhere)["repository"] is None


def test_rerun_box_refuses_what_is_not_a_chapter():
    with pytest.raises(ValueError, match="'scale.py' is not a chapter file"):
        pages.rerun_box("scale.py")
    with pytest.raises(ValueError, match="profile is empty"):
        pages.rerun_box("01_scale.py", profile="")


def test_the_style_sheet_styles_every_class_the_library_writes():
    html = tables.journal_table(pd.DataFrame({"m": ["a"], "v": [0.5]}), {"m": "M", "v": "V"})._repr_html_()
    written = set(re.findall(r'class="([^"]+)"', html))
    written = {c for group in written for c in group.split()}
    written |= set(pages.VERDICT_CLASSES.values()) | {"ha-verdict", "ha-verdict-details", "ha-rerun", "humanalign-chart"}
    unstyled = sorted(c for c in written if not re.search(r"\." + re.escape(c) + r"\b", CSS))
    assert not unstyled, f"classes without a rule in book/_static/humanalign.css: {unstyled}"


def test_book_config_publishes_what_a_reader_needs():
    sphinx = CONFIG["sphinx"]
    assert {"humanalign.book", "sphinx-mathjax-offline"} <= set(sphinx["extra_extensions"])
    assert "humanalign.css" in sphinx["config"]["html_css_files"]
    assert sphinx["config"]["numfig"] is True and sphinx["config"]["numfig_format"]["figure"] == "Figure %s"
    assert CONFIG["execute"]["stderr_output"] == "remove"
    assert CONFIG["html"]["use_repository_button"] is True
    assert CONFIG["repository"]["url"].startswith("https://")


def test_citation_file_and_cite_page_agree_with_the_book():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "type"} <= set(cff)
    assert cff["repository-code"] == CONFIG["repository"]["url"]
    paper = cff["references"][0]
    assert paper["title"] == "Human alignment of neural network representations" and paper["year"] == 2023
    assert [a["family-names"] for a in paper["authors"]] == ["Muttenthaler", "Dippel", "Linhardt", "Vandermeulen", "Kornblith"]
    assert any(i["value"] == "arXiv:2211.01201" for i in paper["identifiers"])
    cite = (ROOT / "book" / "cite.md").read_text()
    assert CONFIG["repository"]["url"] in cite and "muttenthaler2023human" in cite
    assert "@inproceedings{muttenthaler2023human" in (ROOT / "book" / "references.bib").read_text()
    # The replication itself: authors, year and release date, the same entry on both pages,
    # and the citation file linked where the page names it.
    assert cff["authors"] and str(cff["date-released"]) == "2026-11-28"
    assert cff["preferred-citation"]["year"] == int(str(cff["date-released"])[:4])
    bib = (ROOT / "book" / "references.bib").read_text()
    entry = re.search(r"@misc\{humanalign2026,.*?\n\}", bib, re.S).group(0)
    assert "author       = {{The humanalign authors}}" in entry and "year         = {2026}" in entry
    assert entry in cite and "released 2026-11-28" in entry
    assert f"[`CITATION.cff`]({CONFIG['repository']['url']}/blob/main/CITATION.cff)" in cite.replace("\n", " ")
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    about = next(part for part in toc["parts"] if part["caption"] == "About this book")
    assert {"file": "cite"} in about["chapters"]


# The book extension's page hooks (humanalign.book.build).

def test_numbered_captions_read_figure_n_colon_and_scripts_load_once():
    from sphinx.builders.html._assets import _JavaScript

    body = '<figcaption><p><span class="caption-number">Figure 3 </span><span class="caption-text">A.</span>'
    scripts = [_JavaScript(None, body="const A = 1"), _JavaScript("x.js"), _JavaScript("", body="const A = 1")]
    context = {"body": body, "script_files": scripts}
    build._page_context(None, "page", "page.html", context, None)
    assert '<span class="caption-number">Figure 3: </span>' in context["body"]
    assert context["script_files"] == scripts[:2]


def test_maths_is_drawn_with_the_svg_build_of_the_offline_mathjax():
    config = SimpleNamespace(mathjax_path="mathjax/tex-chtml.js")
    build._mathjax_svg(None, config)
    assert config.mathjax_path == "mathjax/tex-svg.js"
    chosen = SimpleNamespace(mathjax_path="https://example.org/mathjax.js")
    build._mathjax_svg(None, chosen)
    assert chosen.mathjax_path == "https://example.org/mathjax.js"  # a path set on purpose stays
