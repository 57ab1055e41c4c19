"""Hostile profiles, settings and commands: each case is written as the attack.

Every case must end in the right result or in a clear refusal: one line that names the file,
key or value, says what is wrong and what to do, raised before any work (no traceback at the
command line, no allocation of gigabytes, no chapter published from edited outputs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, needs_mirror
from humanalign import book, cli, results, study
from humanalign.book import build, command
from humanalign import config

NO_CHECKS = {"check_models": False, "check_data": False}
TEN_MB = "x" * 10_000_000


def _profile_file(folder: Path, text: str, name: str = "mine.yml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_line_refusal(message: str, *named: str) -> None:
    """A message a person can act on: one short line that names what is wrong."""
    assert "\n" not in message.strip() and "Traceback" not in message, message
    assert len(message) < 500, f"{len(message)} characters: {message[:200]}..."
    for part in named:
        assert part in message, (part, message)


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _refused_at_command_line(code: int, out: str, err: str, *named: str) -> None:
    assert code != 0 and not out, (code, out[:200])
    assert err.startswith("humanalign: error: "), err
    _one_line_refusal(err, *named)


# --------------------------------------------------------------------------- 1. edited chapter

TINY_CHAPTER = '''# %% tags=["parameters"]
profile = "demo"

# %% tags=["remove-cell"]
hidden = "a cell that the page leaves out"

# %%
print(6 * 7)

# %% [markdown]
# The answer is printed above.
'''


@pytest.fixture(scope="module")
def executed_chapter(tmp_path_factory):
    """A tiny chapter executed for real with papermill (about a second), stamped as a build does."""
    base = tmp_path_factory.mktemp("chapter")
    notebooks, site = base / "notebooks", base / "book"
    notebooks.mkdir()
    source = notebooks / "01_tiny.py"
    source.write_text(TINY_CHAPTER)
    output = site / "chapters" / "01_tiny.ipynb"
    book.execute_chapter(source, output, {"profile": "demo"}, stamp=book.chapter_stamp(source, "demo"))
    return source, output


# Each edit takes the cells and the index of the one that printed 42.
def _edit_output(cells, i):
    cells[i]["outputs"][0]["text"] = ["41\n"]


def _edit_source(cells, i):
    cells[i]["source"] = "print(6 * 7 - 1)"


def _edit_markdown(cells, i):
    cells[-1]["source"] = "The answer printed above is wrong."


def _drop_cell(cells, i):
    del cells[i]


def _edit_caption(cells, i):
    # A figure caption lives in the cell's metadata; the page prints it.
    cells[i].setdefault("metadata", {})["mystnb"] = {"figure": {"caption": "<img src=x onerror=alert(1)>"}}


def _drop_hiding_tag(cells, i):
    # The parameter cells are folded by a tag; without it the page shows them open.
    folded = next(cell for cell in cells if "hide-cell" in cell.get("metadata", {}).get("tags", []))
    folded["metadata"]["tags"].remove("hide-cell")


def _drop_remove_cell_tag(cells, i):
    removed = next(cell for cell in cells if "remove-cell" in cell.get("metadata", {}).get("tags", []))
    removed["metadata"]["tags"].remove("remove-cell")


def _tag_cell_to_remove(cells, i):
    cells[i].setdefault("metadata", {}).setdefault("tags", []).append("remove-cell")


def _no_model_work(monkeypatch) -> None:
    """Chapters run one after another in this process, and no model is run before them (the
    tests replace the chapters' execution)."""
    monkeypatch.setenv("HUMANALIGN_WORKERS", "1")
    monkeypatch.setattr(build, "prepare_profile", lambda *a, **k: {"wall": 0.0, "workers": 1, "extraction": {},
                                                                    "probe": {}, "tables": 0.0})


@pytest.mark.parametrize("edit", [_edit_output, _edit_source, _edit_markdown, _drop_cell, _edit_caption,
                                  _drop_hiding_tag, _drop_remove_cell_tag, _tag_cell_to_remove])
def test_1_hand_edited_executed_chapter_is_executed_again_not_published(edit, executed_chapter, tmp_path, monkeypatch):
    source, executed = executed_chapter
    notebooks, site = tmp_path / "notebooks", tmp_path / "book"
    notebooks.mkdir()
    (notebooks / source.name).write_text(source.read_text())
    output = site / "chapters" / executed.name
    output.parent.mkdir(parents=True)
    output.write_text(executed.read_text())
    ran, lines = [], []
    _no_model_work(monkeypatch)
    monkeypatch.setattr(build, "execute_chapter", lambda src, out, *a, **k: ran.append(out) or 0.0)
    for name in ("load_profile", "write_gallery", "write_reproducibility"):
        monkeypatch.setattr(build, name, lambda *a, **k: None)
    monkeypatch.setattr(build, "reproducibility_record", lambda *a, **k: {})

    # As executed: up to date, nothing runs.
    assert build.prepare_book(site, notebooks, profile="demo", log=lines.append) == {}
    assert ran == []
    # Edited by hand: executed again, with a one-line notice naming the file.
    content = json.loads(output.read_text())
    printed = next(i for i, cell in enumerate(content["cells"]) if "6 * 7" in "".join(cell["source"]))
    assert "42" in json.dumps(content["cells"][printed]["outputs"])
    edit(content["cells"], printed)
    output.write_text(json.dumps(content, indent=1))
    build.prepare_book(site, notebooks, profile="demo", log=lines.append)
    assert ran == [output]
    notices = [line for line in lines if str(output) in line]
    assert len(notices) == 1 and "edited" in notices[0] and "\n" not in notices[0]


def test_1_chapter_state_tells_missing_outdated_edited_and_current(executed_chapter, tmp_path):
    source, executed = executed_chapter
    stamp = book.chapter_stamp(source, "demo")
    assert book.chapter_state(executed, stamp) == "current"
    assert book.chapter_state(tmp_path / "none.ipynb", stamp) == "missing"
    assert book.chapter_state(executed, {**stamp, "key": "other"}) == "outdated"
    content = json.loads(executed.read_text())
    copy = tmp_path / "copy.ipynb"
    # Executed before outputs were recorded: it cannot be vouched for.
    del content["metadata"]["humanalign"]["outputs"]
    copy.write_text(json.dumps(content))
    assert book.chapter_state(copy, stamp) == "outdated"
    # Reformatted (as an editor that saves without changes does): still current.
    content = json.loads(executed.read_text())
    copy.write_text(json.dumps(content, indent=4, sort_keys=False))
    assert book.chapter_state(copy, stamp) == "current"
    content["cells"] = ["not a cell"]
    copy.write_text(json.dumps(content))
    assert book.chapter_state(copy, stamp) == "edited"


@pytest.mark.parametrize("edit", [
    lambda meta: meta.update(myst={"substitutions": {"x": "<script>alert(1)</script>"}}),
    lambda meta: meta["kernelspec"].update(display_name="edited"),
    lambda meta: meta.pop("language_info"),
    lambda meta: meta.update(metadata=["not", "a", "mapping"]),
])
def test_1_an_edit_of_the_notebook_metadata_is_an_edit(edit, executed_chapter, tmp_path):
    source, executed = executed_chapter
    stamp = book.chapter_stamp(source, "demo")
    content = json.loads(executed.read_text())
    edit(content["metadata"])
    copy = tmp_path / "copy.ipynb"
    copy.write_text(json.dumps(content))
    assert book.chapter_state(copy, stamp) == "edited"
    # The stamp itself is not part of what it vouches for: rewritten as it was, still current.
    content = json.loads(executed.read_text())
    content["metadata"] = {"humanalign": content["metadata"].pop("humanalign"), **content["metadata"]}
    copy.write_text(json.dumps(content))
    assert book.chapter_state(copy, stamp) == "current"


# --------------------------------------------------------------------------- 2. relative folders

PRINT_FOLDERS = '''# %% tags=["parameters"]
profile = "demo"

# %%
from humanalign.config import settings
print(settings().cache_dir)
print(settings().data_dir)
'''


@pytest.mark.parametrize("cache, data", [("rel/cache", "rel/data"), ("./c", "../outside/d")])
def test_2_relative_folders_mean_the_same_folders_for_the_command_and_the_chapters(cache, data, tmp_path, monkeypatch):
    here = tmp_path / "where the user ran it"
    notebooks = tmp_path / "notebooks"
    here.mkdir()
    notebooks.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("HUMANALIGN_CACHE", cache)
    monkeypatch.setenv("HUMANALIGN_DATA", data)
    expected = [os.path.abspath(here / cache), os.path.abspath(here / data)]
    assert [str(config.settings().cache_dir), str(config.settings().data_dir)] == expected
    # The kernel runs in the notebooks folder, yet uses the same absolute folders.
    source = notebooks / "01_folders.py"
    source.write_text(PRINT_FOLDERS)
    output = tmp_path / "out.ipynb"
    book.execute_chapter(source, output, {"profile": "demo"})
    printed = "".join("".join(o.get("text", "")) for cell in json.loads(output.read_text())["cells"]
                      for o in cell.get("outputs", []))
    assert printed.splitlines() == expected
    assert os.environ["HUMANALIGN_CACHE"] == cache  # the process's own settings are left alone
    # What a child process in another folder is given (jupyter-book, papermill kernels).
    env = config.absolute_env({"HUMANALIGN_CACHE": cache, "HUMANALIGN_MIRRORS": os.pathsep.join(["m1", "", "/abs/m2"])})
    assert env == {"HUMANALIGN_CACHE": expected[0], "HUMANALIGN_MIRRORS": os.pathsep.join([str(here / "m1"), "/abs/m2"])}


# --------------------------------------------------------------------------- 3. duplicated key


@pytest.mark.parametrize("text, key, lines", [
    ("models: [x/y.z]\nn_boot: 10\nseed: 1\nn_boot: 5000\n", "n_boot", (2, 4)),
    ("models: [x/y.z]\nseed: 1\n'seed': 2\n", "seed", (2, 3)),
    ("models: [a/b.c]\nlayers: [penultimate]\nmodels: [x/y.z]\n", "models", (1, 3)),
])
def test_3_a_key_written_twice_is_refused_naming_file_key_and_line(text, key, lines, tmp_path):
    path = _profile_file(tmp_path, text)
    with pytest.raises(ValueError) as err:
        study.load_profile(path, **NO_CHECKS)
    _one_line_refusal(str(err.value), str(path), repr(key), f"line {lines[1]}", f"lines {lines[0]} and {lines[1]}")


# --------------------------------------------------------------------------- 4. alias expansion


def _billion_laughs() -> str:
    levels = ["&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        levels.append(f"&{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    return "models: [x/y.z]\nlayers: [" + ", ".join(levels) + "]\n"


def test_4_billion_laughs_is_refused_at_once_within_bounded_memory(tmp_path):
    path = _profile_file(tmp_path, _billion_laughs())
    assert path.stat().st_size < 500  # nine levels of nine: 387 million strings once expanded
    # In a child process held to 1 GiB and 60 s, so that a regression cannot take the machine down.
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from humanalign import profiles\n"
        "try:\n"
        f"    profiles.load_profile({str(path)!r}, check_models=False, check_data=False)\n"
        "except ValueError as err:\n"
        "    print(err)\n"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert time.perf_counter() - start < 30
    _one_line_refusal(done.stdout, str(path), "line 2", "anchors and aliases")


@pytest.mark.parametrize("text, named", [
    ("models: &m [x/y.z]\n", "anchors and aliases"),
    ("base: &b {n_boot: 10}\nmodels: [x/y.z]\n", "anchors and aliases"),
    ("models: [x/y.z]\n<<: {n_boot: 5}\nn_boot: 10\n", "merge keys"),
])
def test_4_anchors_aliases_and_merge_keys_are_refused(text, named, tmp_path):
    path = _profile_file(tmp_path, text)
    with pytest.raises(ValueError) as err:
        study.load_profile(path, **NO_CHECKS)
    _one_line_refusal(str(err.value), str(path), named)


def test_4_the_size_read_is_bounded(tmp_path):
    path = _profile_file(tmp_path, "models: [x/y.z]\n" + "# padding\n" * 200_000)  # 2 MB
    with pytest.raises(ValueError) as err:
        study.read_profile_params(path)
    _one_line_refusal(str(err.value), str(path), "1,048,576")


# --------------------------------------------------------------------------- 5. types and bounds


@pytest.mark.parametrize("key, value, named", [
    ("profile", ["a", "list"], "the profile name must be text"),
    ("profile", 2024, "the profile name must be text"),
    ("profile", "p" * 300, "keep it under 100"),
    ("n_triplets", 5_000_001, "n_triplets must be at most 5,000,000"),
    ("n_boot", 100_001, "n_boot must be at most 100,000"),
    ("n_boot", 10**9, "n_boot must be at most 100,000"),
    ("n_boot", 1, "n_boot must be a whole number >= 2"),
    ("batch_size", 4097, "batch_size must be at most 4,096"),
    ("seed", 2**64, "seed must be at most"),
    ("lambdas", [0.1] * 101, "at most 100"),
    ("models", "m" * 1000, "entry 1 is"),
    ("layers", ["penultimate", "penultimate"], "more than once"),
])
def test_5_profile_values_are_type_checked_and_bounded(key, value, named):
    values = {"models": ["x/y.z"], key: value}
    with pytest.raises(ValueError) as err:
        study.make_profile(**values, **NO_CHECKS)
    _one_line_refusal(str(err.value), named)


@pytest.mark.parametrize("key", ["profile", "dataset", "transfer", "images", "device", "models", "layers", "seed"])
def test_5_a_huge_value_is_quoted_cut_short(key):
    value = [TEN_MB] if key in ("models", "layers") else TEN_MB
    with pytest.raises(ValueError) as err:
        study.make_profile(**{"models": ["x/y.z"], key: value}, **NO_CHECKS)
    _one_line_refusal(str(err.value), "xxx...xxx")


def test_5_the_bounds_admit_the_largest_sensible_run():
    # All 4.70 M real triplets, a fine bootstrap and a large GPU batch are still allowed.
    big = study.make_profile(models=["x/y.z"], dataset="things", n_triplets=5_000_000, n_boot=100_000,
                             batch_size=4096, **NO_CHECKS)
    assert (big.n_triplets, big.n_boot, big.batch_size) == (5_000_000, 100_000, 4096)
    assert study.make_profile(models=["x/y.z"], n_boot=2, **NO_CHECKS).n_boot == 2


# --------------------------------------------------------------------------- 6. wrong types in lists


@pytest.mark.parametrize("text, named", [
    ("models: [1, 2]\n", "models must be a list of names"),
    ("models: [pypi/efficientnet_lite0.in1k, {a: 1}]\n", "entry 2 is {'a': 1} (dict)"),
    ("models: [[pypi/efficientnet_lite0.in1k]]\n", "entry 1 is ['pypi/efficientnet_lite0.in1k'] (list)"),
    ("models: 5\n", "models must be a list such as"),
    ("models: {a: 1}\n", "models must be a list such as"),
    ("models: [pypi/efficientnet_lite0.in1k]\nlayers: [3]\n", "layers must be a list of names"),
    ("models: [pypi/efficientnet_lite0.in1k]\nlayers: [penultimate, {a: 1}]\n", "entry 2 is {'a': 1} (dict)"),
    ("models: [pypi/efficientnet_lite0.in1k]\nlayers: 7\n", "layers must be a list such as"),
    ("models: [pypi/efficientnet_lite0.in1k]\ndataset: [things]\n", "unknown data set ['things']"),
    ("models: [pypi/efficientnet_lite0.in1k]\ndevice: [cpu]\n", "device must be auto, cpu"),
])
def test_6_wrong_types_in_profile_lists_are_named(text, named, tmp_path):
    path = _profile_file(tmp_path, text)
    with pytest.raises(ValueError) as err:
        study.load_profile(path, check_data=False)  # the real registry looks the ids up
    _one_line_refusal(str(err.value), str(path), "Profile 'mine'", named)


def test_6_a_bad_file_value_names_the_file_and_a_notebook_override_is_checked_on_its_own(tmp_path):
    # A copy of the demo keeps "profile: demo" inside: the file's path says which file to edit.
    path = _profile_file(tmp_path, study.profile_path("demo").read_text().replace("n_boot: 1000", "n_boot: [1000]"))
    plain = {"profile": str(path)}
    with pytest.raises(ValueError) as err:
        study.notebook_profile(plain, **NO_CHECKS)
    _one_line_refusal(str(err.value), f"{path}: Profile 'demo': n_boot must be a whole number")
    # The override replaces the file's value before that value is checked ...
    assert study.notebook_profile({**plain, "n_boot": 10}, **NO_CHECKS).n_boot == 10
    gpu_file = _profile_file(tmp_path, "models: [x/y.z]\ndevice: cuda:7\n", "gpu.yml")
    assert study.notebook_profile({"profile": str(gpu_file), "device": "cpu"}, **NO_CHECKS).device == "cpu"
    # ... and a bad override is not blamed on the file.
    with pytest.raises(ValueError) as err:
        study.notebook_profile({"profile": str(gpu_file), "device": "cpu", "n_boot": 10**9}, **NO_CHECKS)
    assert str(gpu_file) not in str(err.value) and "n_boot must be at most 100,000" in str(err.value)


# --------------------------------------------------------------------------- 7. absurd sizes


@pytest.mark.parametrize("line, named", [
    ("n_triplets: 1000000000000", "n_triplets must be at most 5,000,000"),
    ("batch_size: 100000000", "batch_size must be at most 4,096"),
    ("n_boot: 1000000000", "n_boot must be at most 100,000"),
    ("n_folds: 1000000", "n_folds must be at most 100"),
    ("probe_max_iter: 1000000000000", "probe_max_iter must be at most 1,000,000"),
    ("lambdas: [" + ", ".join(["0.1"] * 1000) + "]", "lambdas lists 1,000 values"),
    ("n_boot: " + "9" * 5000, "cannot be read as YAML"),
])
def test_7_absurd_sizes_are_refused_before_any_work(line, named, tmp_path, monkeypatch):
    monkeypatch.setattr("humanalign.profiles.fetch", lambda *a, **k: pytest.fail("data were looked up"))
    path = _profile_file(tmp_path, f"models: [x/y.z]\n{line}\n")
    with pytest.raises(ValueError) as err:
        study.load_profile(path, check_models=False)
    _one_line_refusal(str(err.value), str(path), named)


# --------------------------------------------------------------------------- 8. duplicate layers


@pytest.mark.parametrize("layers", ["[penultimate, penultimate]", "[logits, penultimate, logits]"])
def test_8_duplicate_layers_are_refused_up_front(layers, tmp_path, monkeypatch):
    monkeypatch.setattr("humanalign.profiles.fetch", lambda *a, **k: pytest.fail("data were looked up"))
    path = _profile_file(tmp_path, f"models: [x/y.z]\nlayers: {layers}\n")
    with pytest.raises(ValueError) as err:
        study.load_profile(path, check_models=False)
    _one_line_refusal(str(err.value), "layers lists", "more than once")


# --------------------------------------------------------------------------- 9. names with spaces, accents


@pytest.mark.parametrize("name, plain", [
    ("mein Profil é.yml", "mein-Profil-e"),
    ("Ünïcödé run.yaml", "Unicode-run"),
    ("日本語.yml", "profile"),
    ("my.profile v2 (final).yml", "my.profile-v2-final"),
])
def test_9_a_profile_file_name_with_spaces_or_accents_is_accepted(name, plain, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "Ordner mit Leerzeichen é"
    folder.mkdir()
    # `humanalign profile` checks the model ids as a chapter does; the data files are not the point here.
    monkeypatch.setattr("humanalign.profiles.fetch", lambda *a, **k: None)
    path = _profile_file(folder, "models: [pypi/efficientnet_lite0.in1k]\nn_boot: 10\n", name)
    profile = study.load_profile(str(path), **NO_CHECKS)
    assert profile.name == plain
    # The name labels the cached tables: a table of this profile is saved and read back.
    table_name = f"evaluate-{profile.name}-{profile.key()}"
    results.save_results([results.result_row("m", "d", "penultimate", "zero_shot", 0.5)], table_name)
    assert len(results.load_results(table_name)) == 1
    # From a notebook's parameter and from the command line.
    assert study.notebook_profile({"profile": str(path)}, **NO_CHECKS) == profile
    code, out, err = _cli(capsys, "profile", str(path))
    assert code == 0 and "n_boot: 10" in out and not err


@needs_mirror
def test_9_the_book_command_takes_such_a_profile(tmp_path, monkeypatch, capsys):
    path = _profile_file(tmp_path, study.profile_path("demo").read_text().replace("profile: demo\n", ""),
                         "mein Profil é.yml")
    seen = {}
    _no_model_work(monkeypatch)
    monkeypatch.setattr(build, "execute_chapter", lambda src, out, params, **k: seen.update(params) or 0.0)
    monkeypatch.setattr(command, "reproducibility_record", lambda *a, **k: {})
    monkeypatch.setattr(command, "write_reproducibility", lambda *a, **k: None)
    code = book.main(["--root", str(ROOT), "--profile", str(path), "--chapter", "scale", "--no-build",
                      "--book-dir", str(tmp_path / "site")])
    assert code == 0, capsys.readouterr().err
    assert seen == {"profile": str(path.resolve())}


# --------------------------------------------------------------------------- 10. humanalign profile FILE


def _binary(folder):
    (folder / "photo.yml").write_bytes(bytes(range(256)) * 8)
    return "photo.yml", "is not UTF-8 text"


def _huge(folder):
    with open(folder / "huge.yml", "w") as handle:
        handle.write("models: [x/y.z]\n" + "# pad\n" * 400_000)
    return "huge.yml", "more than a profile's limit"


def _a_list(folder):
    (folder / "list.yml").write_text("- models\n- layers\n")
    return "list.yml", "must hold a mapping"


def _scalar(folder):
    (folder / "word.yml").write_text("hello\n")
    return "word.yml", "must hold a mapping"


def _empty(folder):
    (folder / "empty.yml").write_text("")
    return "empty.yml", "is empty"


def _not_yaml(folder):
    (folder / "broken.yml").write_text("models: [x/y.z\nseed: 1\n")
    return "broken.yml", "is not valid YAML at line"


def _deep(folder):
    (folder / "deep.yml").write_text("models: " + "[" * 100_000 + "]" * 100_000 + "\n")
    return "deep.yml", "levels deep"


def _python_tag(folder):
    (folder / "exec.yml").write_text('models: !!python/object/apply:os.system ["echo owned"]\n')
    return "exec.yml", "could not determine a constructor"


def _missing(folder):
    return "missing.yml", "does not exist"


def _directory(folder):
    (folder / "profiles.yml").mkdir()
    return "profiles.yml", "is a folder"


def _plain_directory(folder):
    (folder / "profiles").mkdir()
    return "profiles", "is a folder"


def _bad_value(folder):
    (folder / "bad.yml").write_text("models: [x/y.z]\nn_boot: 0\n")
    return "bad.yml", "n_boot must be a whole number >= 2"


@pytest.mark.parametrize("make", [_binary, _huge, _a_list, _scalar, _empty, _not_yaml, _deep, _python_tag, _missing,
                                  _directory, _plain_directory, _bad_value])
def test_10_humanalign_profile_refuses_an_arbitrary_file_in_one_line(make, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    name, named = make(tmp_path)
    _refused_at_command_line(*_cli(capsys, "profile", name), name, named)


# --------------------------------------------------------------------------- 11. --book-dir FILE


@pytest.mark.parametrize("below", ["", "sub"])
def test_11_book_dir_that_is_a_file_is_refused(below, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(command, "load_profile", lambda *a, **k: pytest.fail("the profile was checked first"))
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    target = blocker / below if below else blocker
    _refused_at_command_line(*_cli(capsys, "book", "--root", str(ROOT), "--book-dir", str(target), "--no-build"),
                             str(target), "is a file")
    assert blocker.read_text() == "not a folder"


# --------------------------------------------------------------------------- 12. read-only book


def _read_only(site: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the blocked variants cover this user")
    site.mkdir()
    site.chmod(0o555)
    return site


def _chapters_blocked(site: Path) -> Path:
    site.mkdir()
    (site / build.BOOK_MARK).write_text("an earlier copy of the book")
    (site / "chapters").write_text("a file where the executed chapters go")
    return site / "chapters"


def _static_blocked(site: Path) -> Path:
    site.mkdir()
    (site / build.BOOK_MARK).write_text("an earlier copy of the book")
    (site / "_static").write_text("a file where the chart script goes")
    return site / "_static"


@pytest.mark.parametrize("block", [_read_only, _chapters_blocked, _static_blocked])
def test_12_an_unwritable_book_folder_is_refused_before_any_chapter_runs(block, tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    folder = block(site)
    try:
        _no_model_work(monkeypatch)
        monkeypatch.setattr(build, "execute_chapter", lambda *a, **k: pytest.fail("a chapter ran"))
        monkeypatch.setattr(command, "load_profile", lambda *a, **k: None)
        # humanalign book --book-dir DIR
        _refused_at_command_line(*_cli(capsys, "book", "--root", str(ROOT), "--book-dir", str(site), "--no-build"),
                                 str(folder), "cannot be written", "--book-dir")
        # jupyter-book build DIR (the book's extension)
        notebooks = tmp_path / "notebooks"
        notebooks.mkdir()
        (notebooks / "01_tiny.py").write_text(TINY_CHAPTER)
        with pytest.raises(RuntimeError) as err:
            build.prepare_book(site, notebooks, profile="demo", log=lambda line: None)
        _one_line_refusal(str(err.value), str(folder), "cannot be written")
    finally:
        site.chmod(0o755)


# --------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("argv, named", [
    (["profile", "nonesuch"], "Unknown profile 'nonesuch'"),
    (["profile", TEN_MB], "neither a profile name nor a file path"),
    (["extract", "--model", "pypi/efficientnet_lite7.in1k"], "Closest ids"),
    (["book", "--root", "/nonexistent-checkout"], "No book sources"),
    (["book", "--root", str(ROOT), "--chapter", "99", "--profile", "nonesuch"], "Unknown profile 'nonesuch'"),
])
def test_command_line_user_errors_are_one_line_and_a_non_zero_exit(argv, named, capsys):
    _refused_at_command_line(*_cli(capsys, *argv), named)


def test_command_line_joins_a_message_of_several_lines(monkeypatch, capsys):
    from humanalign.errors import DataError

    def missing(*_, **__):
        raise DataError("rsa92/92_images.mat is in no mirror\nand downloads are off")

    monkeypatch.setattr(cli, "load_profile", missing)
    _refused_at_command_line(*_cli(capsys, "profile", "demo"), "is in no mirror and downloads are off")


# --------------------------------------------------------------------------- 13. --book-dir DIR with a user's files


def test_13_a_folder_of_the_users_own_is_never_written_into(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(command, "load_profile", lambda *a, **k: pytest.fail("the profile was checked first"))
    site = tmp_path / "my thesis"
    site.mkdir()
    (site / "references.bib").write_text("@book{mine, title={My own}}\n")
    (site / "methods.md").write_text("# My methods\n")
    before = sorted(p.name for p in site.iterdir())
    _refused_at_command_line(*_cli(capsys, "book", "--root", str(ROOT), "--book-dir", str(site), "--no-build"),
                             str(site), "already holds files", "methods.md, references.bib", "new or empty folder")
    assert sorted(p.name for p in site.iterdir()) == before
    assert (site / "references.bib").read_text() == "@book{mine, title={My own}}\n"
    with pytest.raises(ValueError, match="already holds files"):
        build.copy_book_sources(site, ROOT / "book")
    assert (site / "methods.md").read_text() == "# My methods\n"


def test_13_a_new_or_empty_folder_or_an_earlier_copy_is_written(tmp_path):
    fresh, empty = tmp_path / "new" / "site", tmp_path / "empty"
    empty.mkdir()
    for folder in (fresh, empty):
        build.copy_book_sources(folder, ROOT / "book")
        assert (folder / build.BOOK_MARK).is_file() and (folder / "_config.yml").is_file()
    # A second build into the same copy starts from the current sources.
    (fresh / "methods.md").write_text("stale")
    build.copy_book_sources(fresh, ROOT / "book")
    assert (fresh / "methods.md").read_text() == (ROOT / "book" / "methods.md").read_text()


# --------------------------------------------------------------------------- 14. checks that check


def test_14_humanalign_profile_checks_the_model_ids_as_a_chapter_does(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("humanalign.profiles.fetch", lambda *a, **k: None)
    path = _profile_file(tmp_path, "models: [pypi/efficientnet_lite0.in1k, timm/no_such_model.x]\n")
    _refused_at_command_line(*_cli(capsys, "profile", str(path)), "timm/no_such_model.x", "Unknown model id")


def test_14_humanalign_profile_checks_the_data_files_as_a_chapter_does(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HUMANALIGN_MIRRORS", "")
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")
    code, out, err = _cli(capsys, "profile", "demo")
    # (the message lists every folder looked in, so it may be longer than most)
    assert code == 2 and not out and err.count("\n") == 1 and "Could not find 'things/things_concepts.tsv'" in err


def test_14_a_profile_name_never_reaches_a_file_outside_the_shipped_profiles(tmp_path, monkeypatch, capsys):
    from humanalign import profile_files

    package = tmp_path / "site-packages" / "humanalign"
    (package / "resources" / "profiles").mkdir(parents=True)
    (package / "resources" / "profiles" / "demo.yml").write_text("models: [x/y.z]\n")
    (package / "x").mkdir()
    (package / "x" / "evil.yml").write_text("models: [x/y.z]\nn_boot: 99999\n")
    monkeypatch.setattr(profile_files.resources, "files", lambda name: package)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert study.profile_path("demo") == package / "resources" / "profiles" / "demo.yml"
    for name in ("../../x/evil", "../../x/evil.yml", "x/evil", "demo/../../../x/evil"):
        with pytest.raises(FileNotFoundError) as err:
            study.profile_path(name)
        _one_line_refusal(str(err.value), name, "does not exist")
    # A path is a path: where it points from here, it is read.
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "evil.yml").write_text("models: [x/y.z]\n")
    assert study.profile_path("../x/evil.yml").resolve() == (tmp_path / "x" / "evil.yml").resolve()


# --------------------------------------------------------------------------- 15. one clear line


@needs_mirror
def test_15_a_data_folder_that_is_a_file_is_named_when_the_92_images_are_written(tmp_path, monkeypatch):
    from humanalign import datasets
    from humanalign.errors import NotWritableError

    blocker = tmp_path / "data.txt"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HUMANALIGN_DATA", str(blocker))
    with pytest.raises(NotWritableError) as err:
        datasets.load_rsa92()
    _one_line_refusal(str(err.value), f"{blocker} is a file, not a folder", "HUMANALIGN_DATA")


@pytest.mark.parametrize("text, named", [
    ("Caught RuntimeError in DataLoader worker process 0.\nOriginal Traceback (most recent call last):\n  ...\n"
     "RuntimeError: unable to write to file </torch_412_1871_0>: File too large (27)", "ulimit -f"),
    ("unable to write to file </torch_12_3_0>: No space left on device (28)", "/dev/shm"),
])
def test_15_the_image_loaders_shared_memory_failures_are_one_line(text, named, monkeypatch, capsys):
    def fail(*_, **__):
        raise RuntimeError(text)

    monkeypatch.setattr(cli, "extract_features", fail)
    monkeypatch.setattr(cli, "load_stimuli", lambda *a, **k: None)
    _refused_at_command_line(*_cli(capsys, "extract", "--model", "untrained/mobilenetv2_100.seed0"), named,
                             "--num-workers 0")
    monkeypatch.setattr(cli, "extract_features", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("a bug")))
    with pytest.raises(RuntimeError, match="a bug"):  # anything else is not dressed up as a resource problem
        cli.main(["extract", "--model", "untrained/mobilenetv2_100.seed0"])


@pytest.mark.parametrize("tty", [False, True])
def test_15_a_non_ascii_profile_prints_on_a_terminal_that_is_not_utf8(tty, tmp_path, monkeypatch, capsys):
    import io

    monkeypatch.setattr("humanalign.profiles.fetch", lambda *a, **k: None)
    text = "# Profil für Überprüfung — 日本語\nmodels: [pypi/efficientnet_lite0.in1k]\n"
    path = _profile_file(tmp_path, text, "prüfung.yml")

    class Terminal(io.TextIOWrapper):
        def isatty(self):
            return tty

    raw = io.BytesIO()
    out = Terminal(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["profile", str(path)]) == 0
    out.flush()
    written = raw.getvalue()
    if tty:  # what the terminal cannot show comes as escapes
        assert written.decode("ascii") == text.encode("ascii", "backslashreplace").decode("ascii")
    else:  # redirected to a file: the profile as it is, in UTF-8
        assert written.decode("utf-8") == text


def test_15_a_chapter_that_fails_on_shared_memory_says_what_to_do(tmp_path, monkeypatch):
    import papermill

    def fail(*_, **__):
        raise papermill.PapermillExecutionError(3, 4, "run = ...", "RuntimeError",
                                                "unable to write to file </torch_9_9_0>: File too large (27)", [])

    monkeypatch.setattr(papermill, "execute_notebook", fail)
    source = tmp_path / "01_tiny.py"
    source.write_text(TINY_CHAPTER)
    with pytest.raises(RuntimeError) as err:
        book.execute_chapter(source, tmp_path / "out" / "01_tiny.ipynb", {"profile": "demo"})
    _one_line_refusal(str(err.value), "01_tiny.py failed in cell 4", "ulimit -f")
