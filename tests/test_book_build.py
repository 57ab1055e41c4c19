"""The demo book builds: every chapter under papermill, then the strict jupyter-book build.

This is how CI proves that the published book builds. The whole book is built with the
demo profile into a temporary folder (``--book-dir``, so the repository's ``book/`` is not
touched), reading the offline data copy (``needs_mirror``); then a built chapter is opened
in headless Chromium with the network blocked, and its chart and glued numbers are checked
with the helpers of ``test_book_render``.

It reuses the data and cache folders of the session's fresh-clone build (``book_clone``
in conftest), so it re-executes every chapter from warm caches.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from conftest import ROOT, needs_mirror
from humanalign import book, study
from test_book_render import CHROMIUM, assert_chart_rendered, dump_dom


@needs_mirror
@pytest.mark.slow
def test_demo_book_builds_strictly_and_renders_offline(tmp_path, capsys, monkeypatch, book_clone):
    monkeypatch.setenv("HUMANALIGN_DATA", str(book_clone["folders"] / "data"))
    monkeypatch.setenv("HUMANALIGN_CACHE", str(book_clone["folders"] / "cache"))
    site = tmp_path / "site"
    start = time.perf_counter()
    code = book.main(["--root", str(ROOT), "--profile", "demo", "--book-dir", str(site)])
    seconds = time.perf_counter() - start
    assert code == 0, capsys.readouterr().err[-3000:]

    html = site / "_build" / "html"
    for source in book.chapter_notebooks(ROOT / "notebooks").values():
        assert (site / "chapters" / (source.stem + ".ipynb")).is_file()
        assert (html / "chapters" / (source.stem + ".html")).is_file(), source.stem
    for page in ("methods", "reproducibility", "references"):
        assert (html / f"{page}.html").is_file(), page
    record = json.loads((site / "_generated" / "reproducibility.json").read_text())
    assert record["profile"]["profile"] == "demo"
    assert set(record["runtimes_s"]) == {p.stem for p in book.chapter_notebooks(ROOT / "notebooks").values()}
    assert "GPU check" in (html / "reproducibility.html").read_text()
    # Every page says what its data are: real people, and the simulated triplets the probe is
    # fitted on only where the page uses the probe (the training-data chapter does not).
    note = study.data_note(study.load_profile("demo", check_models=False, check_data=False))
    assert "simulated" in note
    for source in book.chapter_notebooks(ROOT / "notebooks").values():
        text = (html / "chapters" / (source.stem + ".html")).read_text()
        assert ("training triplets are simulated" in text) == (source.stem != "03_dataset"), source.stem
        assert "real choices" in text or "Real people" in text, source.stem
        assert "Glue reference" not in text, source.stem

    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium); rendering not checked")
    dom = dump_dom(html / "chapters" / "01_scale.html", tmp_path)
    assert_chart_rendered(dom)
    assert "Glue reference" not in dom
    prose = " ".join(re.findall(r"<p>(.*?)</p>", dom, flags=re.S))
    assert re.search(r"\b0\.\d{3}", prose), "no glued number in the text"
    # One status, or one per half of a two-part claim ("size: reproduced; architecture: ...").
    verdict = re.search(r"<strong>(?:[a-z ]+: )?(reproduced|not reproduced|undecided|not testable)", dom)
    assert verdict, "the scale verdict is not shown"
    print(f"demo book built in {seconds:.0f} s")


# ---------------------------------------------------------------------------------------
# Quick tests of the runner's pieces (no notebook executed)


def test_copy_book_sources_copies_pages_not_build_output(tmp_path):
    src = tmp_path / "book"
    (src / "_build" / "html").mkdir(parents=True)
    (src / "_generated").mkdir()
    (src / "chapters").mkdir()
    (src / "img").mkdir()
    (src / "_config.yml").write_text("title: t\n")
    (src / "_toc.yml").write_text("root: intro\n")
    (src / "intro.md").write_text("# Intro\n")
    (src / "img" / "a.svg").write_text("<svg/>")
    (src / "_build" / "html" / "index.html").write_text("old")
    (src / "_generated" / "reproducibility.md").write_text("old")
    (src / "chapters" / "01_x.ipynb").write_text("{}")
    dest = book.copy_book_sources(tmp_path / "out" / "site", src)
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert copied == [book.BOOK_MARK, "_config.yml", "_toc.yml", "img/a.svg", "intro.md"]
    # A second copy into the same folder brings in changed sources.
    (src / "intro.md").write_text("# Intro, edited\n")
    book.copy_book_sources(dest, src)
    assert (dest / "intro.md").read_text() == "# Intro, edited\n"
    with pytest.raises(ValueError, match="inside it"):
        book.copy_book_sources(src / "copy", src)
    with pytest.raises(ValueError, match="source folder"):
        book.copy_book_sources(src, src)
    with pytest.raises(FileNotFoundError, match="_config.yml"):
        book.copy_book_sources(tmp_path / "x", tmp_path / "out")


def test_main_book_dir_refuses_the_source_folder(capsys):
    assert book.main(["--root", str(ROOT), "--profile", "demo", "--book-dir", str((ROOT / "book") / "inner"), "--no-build"]) == 2
    assert "--book-dir" in capsys.readouterr().err


def _gpu_report(**changes) -> dict:
    report = {
        "date": "2026-01-02T03:04:05+00:00", "smoke": False, "total_seconds": 123.4,
        "hardware": {"device": "cuda", "gpu": "NVIDIA H200", "gpu_memory_gib": 139.8, "torch": "2.14.1",
                     "cuda": "12.8", "cpu_count": 16},
        "rows": [
            {"task": "extract", "what": "torchvision/resnet50.IMAGENET1K_V1", "size": "batch 256 @ 224px",
             "seconds": 0.1, "rate": 2560.0, "rate_unit": "images/s", "peak_gib": 7.5, "status": "ok"},
            {"task": "extract", "what": "open_clip/ViT-L-14.openai", "size": "batch 512 @ 224px",
             "seconds": float("nan"), "rate": None, "rate_unit": "images/s", "peak_gib": 139.0,
             "status": "out of memory"},
        ],
    }
    report.update(changes)
    return report


def test_gpu_check_record_and_its_section_on_the_page(tmp_path):
    path = tmp_path / "gpu_check.json"
    assert book.gpu_check_record(path) is None
    assert "No GPU run yet" in book.record._gpu_section(None)

    path.write_text(json.dumps(_gpu_report()))
    report = book.gpu_check_record(path)
    text = book.record._gpu_section(report)
    assert "2026-01-02T03:04:05+00:00" in text and "NVIDIA H200" in text and "139.8 GiB" in text
    table = [line for line in text.splitlines() if line.startswith("| extract")]
    assert len(table) == 2
    assert "2560.0 images/s" in table[0] and "| 7.5 |" in table[0]
    assert table[1].endswith("| out of memory |")
    assert "smoke run" not in text
    assert "smoke run" in book.record._gpu_section(_gpu_report(smoke=True))

    path.write_text("{not json")
    with pytest.raises(ValueError, match="gpu_check.json.*not valid JSON"):
        book.gpu_check_record(path)
    path.write_text(json.dumps({"date": "x", "rows": []}))
    with pytest.raises(ValueError, match=r"lack the keys.*hardware"):
        book.gpu_check_record(path)
    broken = _gpu_report()
    del broken["rows"][1]["peak_gib"]
    path.write_text(json.dumps(broken))
    with pytest.raises(ValueError, match=r"row 1 lacks \['peak_gib'\]"):
        book.gpu_check_record(path)


def test_gpu_check_script_output_reaches_the_reproducibility_page(tmp_path, monkeypatch):
    """The smoke output of benchmarks/gpu_check.py is read as it is written."""
    import importlib.util

    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")  # the record's data hashes must not download

    script = ROOT / "benchmarks" / "gpu_check.py"
    spec = importlib.util.spec_from_file_location("gpu_check", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "results" / "gpu_check.json"
    module.main(["--smoke", "--device", "cpu", "--out", str(out)])
    record = book.reproducibility_record({"profile": "demo", "dataset": "things-demo"}, {"01_scale": 1.0}, gpu_check=out)
    page = book.write_reproducibility(record, tmp_path / "site").read_text()
    assert "## GPU check" in page and "smoke run" in page
    assert page.count("| probe grid |") == 2 and "| extract |" in page
    saved = json.loads((tmp_path / "site" / "_generated" / "reproducibility.json").read_text())
    assert saved["gpu_check"]["date"] == record["gpu_check"]["date"]


def test_parameter_cells_are_folded_in_the_book(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("a = 2", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell("print(a)"),
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    book.chapters._collapse_parameter_cells(path)
    tags = [cell.metadata.get("tags", []) for cell in nbformat.read(path, as_version=4).cells]
    assert tags == [["parameters", "hide-cell"], ["injected-parameters", "hide-cell"], []]


def test_injected_paths_show_as_file_names(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('profile = "/home/me/humanalign/tests/rehearsal.yml"\nseed = 1',
                                          metadata={"tags": ["injected-parameters"]}),
                nbformat.v4.new_code_cell('print("/home/me/not/a/parameter.txt")')]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    book.chapters._collapse_parameter_cells(path)
    injected, other = nbformat.read(path, as_version=4).cells
    assert injected.source.splitlines() == [
        'profile = "rehearsal.yml"', "seed = 1", "# (files given by their full path on the machine that built the book)"]
    assert other.source == 'print("/home/me/not/a/parameter.txt")'  # only papermill's values are rewritten
    windows = 'profile = "C:\\\\Users\\\\me\\\\my.yml"'
    assert book.chapters.without_build_paths(windows).startswith('profile = "my.yml"')
    assert book.chapters.without_build_paths('profile = "demo"\n') == 'profile = "demo"\n'
    assert book.chapters.without_build_paths("x = 'relative/path.yml'") == "x = 'relative/path.yml'"


def test_chapter_is_picked_by_name_file_or_number():
    chapters = {"overview": Path("00_overview.py"), "scale": Path("01_scale.py")}
    for text in ("scale", "01_scale", "1", "01", " 1 "):
        assert book.pick_chapter(text, chapters) == "scale"
    for text in ("", "7", "02_scale", "Scale", "01_sc"):
        with pytest.raises(ValueError, match=rf"Unknown chapter {text!r}.*overview"):
            book.pick_chapter(text, chapters)


@needs_mirror
@pytest.mark.parametrize("chapter", ["", "9"])
def test_main_refuses_an_empty_or_unknown_chapter(chapter, capsys, monkeypatch):
    monkeypatch.setattr(book, "execute_chapter", lambda *a, **k: pytest.fail("a chapter ran"))
    assert book.main(["--root", str(ROOT), "--profile", "demo", "--chapter", chapter, "--no-build"]) == 2
    assert f"Unknown chapter {chapter!r}" in capsys.readouterr().err


def test_layout_names_what_a_checkout_lacks(tmp_path):
    layout = book.Layout.of(ROOT)
    assert layout.book == ROOT / "book" and layout.gpu_check == ROOT / book.GPU_CHECK
    with pytest.raises(FileNotFoundError, match="No book sources in .*--root"):
        book.Layout.of(tmp_path)
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "_config.yml").write_text("title: x\n")
    with pytest.raises(FileNotFoundError, match="No chapter notebooks"):
        book.Layout.of(tmp_path)


def test_a_build_skips_the_model_work_when_the_caches_are_as_the_last_build_left_them(tmp_path, monkeypatch):
    from humanalign.book import build
    from humanalign.config import settings

    monkeypatch.setenv("HUMANALIGN_WORKERS", "1")
    prepared, executed, lines = [], [], []
    monkeypatch.setattr(build, "prepare_profile", lambda *a, **k: prepared.append(1) or
                        {"wall": 1.0, "workers": 1, "extraction": {"m": 1.0}, "probe": {"m": 2.0}, "tables": 0.5})
    monkeypatch.setattr(build, "execute_chapter", lambda source, output, *a, **k: executed.append(output) or 0.1)
    chapters = {"01_scale": (ROOT / "notebooks" / "01_scale.py", tmp_path / "01_scale.ipynb", {})}
    runtimes, phases = build.run_chapters(chapters, "demo", log=lines.append)
    assert prepared == [1] and runtimes == {"01_scale": 0.1} and phases["prepare"]["probe"] == {"m": 2.0}
    # Nothing changed since: no model work, the chapter still runs.
    build.run_chapters(chapters, "demo", log=lines.append)
    assert prepared == [1] and len(executed) == 2 and "no model work" in lines[-2]
    # A cache file changed (or the library, or the profile's file): the models are checked again.
    features = settings().cache_dir / "features" / "x.npy"
    features.parent.mkdir(parents=True, exist_ok=True)
    features.write_bytes(b"new")
    build.run_chapters(chapters, "demo", log=lines.append)
    assert prepared == [1, 1]
