"""The three ways the project is used, each as the README gives it, on a fresh copy.

1. ``jupyter-book build book/`` in a copy of the repository without generated files
   builds every chapter (the book's extension executes them), and a second run, with
   nothing changed, executes nothing and takes under two minutes;
2. one chapter run with papermill (after the README's jupytext conversion) glues the same
   values as the book's executed chapter; a wrong parameter is refused by name;
3. every built chapter, opened in headless Chromium at 1280 px with the network blocked,
   draws a chart, and no chart is wider than the text column.

The copy is built once per session (``book_clone`` in conftest); its data and cache
folders are shared with the other book tests, which therefore start warm.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, needs_mirror
from humanalign import book, study

BIN = Path(sys.executable).parent
CHAPTERS = [p.stem for p in book.chapter_notebooks(ROOT / "notebooks").values()]


def glued(notebook: Path) -> dict[str, dict]:
    """Every value a notebook glued (myst-nb's ``scrapbook`` outputs): name -> mime bundle."""
    values = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = output["data"]
    return values


def _run(command: list[str], clone: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=clone["clone"], env=clone["env"], capture_output=True, text=True, **kwargs)


@pytest.mark.slow
def test_jupyter_book_build_on_a_fresh_clone_builds_every_chapter(book_clone):
    assert book_clone["returncode"] == 0, book_clone["output"][-4000:]
    site = book_clone["clone"] / "book"
    html = site / "_build" / "html"
    for stem in CHAPTERS:
        assert (site / "chapters" / f"{stem}.ipynb").is_file(), stem
        page = (html / "chapters" / f"{stem}.html").read_text()
        assert "Glue reference" not in page, stem
        assert "The paper found" in page and "This book finds" in page, stem
    # The stimulus gallery on the methods page, generated at build time.
    methods = (html / "methods.html").read_text()
    # Only public-domain photos: THINGSplus thumbnails, each with its licence line.
    shown = re.findall(r'src="(_images/[^"]+)"', methods)
    assert shown and all(re.fullmatch(r"_images/things_\d+\.jpg", src) for src in shown), shown
    assert methods.count("public domain (CC0)") == len(shown) and "rsa92_" not in methods
    assert f"humanalign: executing {len(CHAPTERS)} of {len(CHAPTERS)} chapters" in book_clone["output"]

    # Second run: nothing changed, nothing executed.
    start = time.perf_counter()
    done = _run([str(BIN / "jupyter-book"), "build", "book/"], book_clone)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert f"all {len(CHAPTERS)} chapters are up to date for the profile 'demo'" in done.stdout
    assert seconds < 120, f"the second build took {seconds:.0f} s"
    print(f"jupyter-book build book/: cold {book_clone['seconds']:.0f} s, warm {seconds:.0f} s")


@pytest.mark.slow
def test_papermill_route_glues_the_same_values_as_the_book(book_clone):
    assert book_clone["returncode"] == 0, book_clone["output"][-4000:]
    clone = book_clone["clone"]
    (clone / "build").mkdir(exist_ok=True)
    # The README's two commands.
    done = _run([str(BIN / "jupytext"), "--to", "ipynb", "notebooks/01_scale.py", "-o", "build/01_scale.ipynb"], book_clone)
    assert done.returncode == 0, done.stderr[-2000:]
    done = _run([str(BIN / "papermill"), "-k", "python3", "-p", "profile", "demo",
                 "build/01_scale.ipynb", "build/01_scale.out.ipynb"], book_clone)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    mine = glued(clone / "build" / "01_scale.out.ipynb")
    theirs = glued(clone / "book" / "chapters" / "01_scale.ipynb")
    assert "scale_verdict" in mine and "scale_rule_min_span" in mine
    assert mine == theirs


@pytest.mark.slow
@pytest.mark.parametrize("option, named", [
    (["-p", "n_boots", "10"], "n_boots"),
    (["-p", "n_boot", "0"], "n_boot must be a whole number"),
    (["-p", "profile", "nonesuch"], "Unknown profile 'nonesuch'"),
])
def test_papermill_refuses_a_wrong_parameter_by_name(book_clone, option, named):
    clone = book_clone["clone"]
    (clone / "build").mkdir(exist_ok=True)
    notebook = clone / "build" / "02_objective.ipynb"
    if not notebook.is_file():
        done = _run([str(BIN / "jupytext"), "--to", "ipynb", "notebooks/02_objective.py", "-o", str(notebook)], book_clone)
        assert done.returncode == 0, done.stderr[-2000:]
    done = _run([str(BIN / "papermill"), "-k", "python3", *option, str(notebook), str(clone / "build" / "refused.ipynb")],
                book_clone, timeout=300)
    assert done.returncode != 0
    assert named in done.stdout + done.stderr


@pytest.mark.slow
def test_every_chapter_draws_a_chart_offline_that_fits_the_text_column(book_clone, tmp_path):
    from test_book_render import CHROMIUM, assert_charts_fit

    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    assert book_clone["returncode"] == 0, book_clone["output"][-4000:]
    html = book_clone["clone"] / "book" / "_build" / "html" / "chapters"
    for stem in CHAPTERS:
        measured = assert_charts_fit(html / f"{stem}.html", tmp_path)
        print(stem, f"column {measured['column']:.0f} px, charts", [round(c["width"]) for c in measured["charts"]])


# ---------------------------------------------------------------------------------------
# Quick tests of the pieces (no notebook executed)


def test_notebook_profile_takes_the_documented_overrides_and_refuses_others(monkeypatch):
    import types

    checks = {"check_models": False, "check_data": False}
    plain = {"profile": "demo", "n_triplets": None, "seed": None, "n_boot": None, "device": None,
             "In": [""], "Out": {}, "_": "", "study": study, "glue": print, "Markdown": str}
    run = study.notebook_profile(plain, **checks)
    assert run == study.load_profile("demo", **checks)
    changed = study.notebook_profile({**plain, "seed": 3, "n_boot": 10}, **checks)
    assert (changed.seed, changed.n_boot, changed.models) == (3, 10, run.models)
    with pytest.raises(ValueError, match=r"Unknown notebook parameter\(s\) \['n_boots'\].*'profile'"):
        study.notebook_profile({**plain, "n_boots": 10}, **checks)
    with pytest.raises(ValueError, match="n_boot must be a whole number >= 2, got 0"):
        study.notebook_profile({**plain, "n_boot": 0}, **checks)
    with pytest.raises(ValueError, match="seed must be a whole number.*'x'"):
        study.notebook_profile({**plain, "seed": "x"}, **checks)
    with pytest.raises(ValueError, match="Unknown profile 'nope'"):
        study.notebook_profile({**plain, "profile": "nope"}, **checks)
    with pytest.raises(ValueError, match="profile must be a profile name"):
        study.notebook_profile({**plain, "profile": 3}, **checks)
    # Modules, functions and classes are not parameters.
    study.notebook_profile({**plain, "np": types.ModuleType("np"), "f": lambda: 1}, **checks)


def test_every_chapter_documents_the_same_parameters():
    """The parameters cell holds profile and the overrides notebook_profile accepts, nothing else."""
    import jupytext

    for source in book.chapter_notebooks(ROOT / "notebooks").values():
        cells = [c for c in jupytext.read(source).cells if "parameters" in c.metadata.get("tags", [])]
        assert len(cells) == 1, source.name
        names = {line.split("=")[0].strip() for line in cells[0].source.splitlines()
                 if "=" in line and not line.lstrip().startswith("#")}
        assert names == {"profile", *study.NOTEBOOK_OVERRIDES}, source.name
        assert 'profile = "demo"' in cells[0].source


def test_chapter_stamp_changes_with_source_profile_and_library(tmp_path):
    source = tmp_path / "01_x.py"
    source.write_text("# %%\nx = 1\n")
    first = book.chapter_stamp(source, "demo", library="a")
    assert first == book.chapter_stamp(source, "demo", library="a")
    assert first["profile"] == "demo"
    assert book.chapter_stamp(source, "demo", library="b") != first
    assert book.chapter_stamp(source, "full", library="a") != first
    source.write_text("# %%\nx = 2\n")
    assert book.chapter_stamp(source, "demo", library="a") != first


def test_book_profile_follows_the_environment_then_the_executed_chapters(tmp_path, monkeypatch):
    notebooks, site = tmp_path / "notebooks", tmp_path / "book"
    notebooks.mkdir()
    (site / "chapters").mkdir(parents=True)
    for stem in ("00_a", "01_b"):
        (notebooks / f"{stem}.py").write_text("# %%\n")
    monkeypatch.delenv(book.PROFILE_ENV, raising=False)
    assert book.book_profile(site, notebooks) == "demo"  # nothing executed yet
    for stem in ("00_a", "01_b"):
        (site / "chapters" / f"{stem}.ipynb").write_text(json.dumps({"metadata": {"humanalign": {"profile": "full"}}}))
    assert book.book_profile(site, notebooks) == "full"
    (site / "chapters" / "01_b.ipynb").write_text(json.dumps({"metadata": {}}))
    assert book.book_profile(site, notebooks) == "demo"  # mixed: back to the default
    monkeypatch.setenv(book.PROFILE_ENV, "rehearsal")
    assert book.book_profile(site, notebooks) == "rehearsal"


def test_rule_values_are_the_verdict_defaults():
    def rule(data, threshold: float = 0.02, min_n: int = 100):
        return data

    assert study.rule_values(rule, "threshold", "min_n") == {"threshold": 0.02, "min_n": 100}
    assert study.rule_values(study.verdict_concepts, "min_n") == {"min_n": 10}  # distinct real triplets
    with pytest.raises(KeyError, match="no parameters \\['nope'\\]"):
        study.rule_values(rule, "nope")


def test_book_config_loads_the_extension_and_the_readme_gives_the_three_routes():
    config = ((ROOT / "book") / "_config.yml").read_text()
    assert "humanalign.book" in config
    readme = (ROOT / "README.md").read_text()
    assert "jupyter-book build book/" in readme
    assert "papermill -k python3 -p profile demo" in readme
    assert "jupytext --to ipynb notebooks/01_scale.py" in readme


def test_gallery_names_a_stimulus_set_it_cannot_read(tmp_path, monkeypatch):
    from humanalign import datasets
    from humanalign.errors import DataError

    load = datasets.load_dataset

    def missing(kind, name, *args, **kwargs):
        if (kind, name) in {("matrices", "rsa92"), ("stimuli", "things-demo")}:
            raise DataError("/home/someone/data/rsa92/92_images.mat is in no mirror\nand downloads are off")
        return load(kind, name, *args, **kwargs)

    monkeypatch.setattr(datasets, "load_dataset", missing)
    text = book.write_gallery(tmp_path).read_text()
    # Named by file name: a published page shows no folder of the machine that built it.
    assert ("The 92 images** are not available here (DataError: 92_images.mat is in no mirror and downloads are "
            "off)") in text
    assert "/home/someone" not in text
    assert "The demo's THINGS concepts** are not available here" in text and "{image}" not in text


@needs_mirror
def test_gallery_shows_public_domain_photos_only_and_lists_every_photo_computed_with(tmp_path, monkeypatch):
    """The THINGS database photos (academic use) and the 92 images are computed with, never
    shown: every picture the gallery makes is made from a THINGSplus CC0 photo and says so."""
    from humanalign import datasets
    from humanalign.book import gallery

    opened = []
    real_fetch = gallery.fetch
    monkeypatch.setattr(gallery, "fetch", lambda resource, *a, **k: opened.append(resource.path) or
                        real_fetch(resource, *a, **k))
    text = book.write_gallery(tmp_path).read_text()
    images = sorted((tmp_path / "_generated" / "gallery").glob("*.jpg"))
    assert images and len(opened) == len(images) and text.count("{image}") == len(images)
    assert all(path.startswith(datasets.CC0_PREFIX) for path in opened)
    assert text.count("(THINGSplus photo, public domain (CC0))") == len(images)
    assert "name only" in text  # concepts without a public-domain photo are named, not shown
    assert "baton3, file2, punch2, shell3, stove2" in text
    rows = (tmp_path / "_generated" / "gallery" / "photo_sources.csv").read_text().splitlines()
    assert rows[0] == "uniqueID,things_file,source,licence,cc0_photo" and len(rows) == 1 + 1849
    assert rows[1].startswith("aardvark,aardvark_01b.jpg,jobellet/psychophysics,")
    assert "photo_sources.csv" in text and "human face" in text  # the 92 images by their categories


@pytest.mark.slow
def test_the_fresh_clones_book_reads_well_on_a_desktop_and_a_phone(book_clone):
    """The page check, as a reader sees the built book (headless Chromium, network blocked,
    1280 and 390 px): nothing scrolls sideways, every chart fits and is captioned, tables fit
    or say they scroll, text stays readable in dark mode, every image carries its licence."""
    from book_check import CHROMIUM, check_book

    assert book_clone["returncode"] == 0, book_clone["output"][-4000:]
    html = book_clone["clone"] / "book" / "_build" / "html"
    # No markup from data reached a page: no inline event handler but the theme's own buttons
    # (print, full screen, colour mode), and every script element one of the book's own.
    theme = re.compile(r'<button onclick="(window\.print\(\)|toggleFullScreen\(\))"')
    for page in sorted(html.rglob("*.html")):
        text = theme.sub("<button", page.read_text())
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", text), f"{page.name}: an inline event handler"
        for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', text):
            assert re.search(r"(_static/|mathjax|vega|searchindex\.js)", src), f"{page.name}: script {src}"
    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    problems = check_book(html)
    assert not problems, "\n".join(problems)
