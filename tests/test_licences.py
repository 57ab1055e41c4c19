"""The reproducibility page states the licence of every data file the book reads, and shows
its settings in words."""

from __future__ import annotations

from humanalign import book
from humanalign.book.licences import DATA_LICENCES, data_licence_table, licence_of
from humanalign.sources import demo_resources


def test_every_file_of_the_manifest_has_its_licence():
    uncovered = [path for path in demo_resources() if licence_of(path) is None]
    assert not uncovered, f"files without a row in humanalign.book.licences: {uncovered[:5]}"
    assert licence_of("imagenet/images/n01443537_goldfish.JPEG").use == "not used"
    assert licence_of("things/images_things/aardvark.jpg").use == "computed with; not shown"
    assert licence_of("things/images_cc0_484/acorn.jpg").licence == "CC0 (public domain)"
    assert "academic use" in next(r.licence for r in DATA_LICENCES if r.data.startswith("THINGS database photos"))
    assert licence_of("things/unknown.npy") is None
    # A prefix matches whole path parts, not any text that starts alike.
    assert licence_of("litert_other/x") is None


def test_licence_table_is_a_markdown_table_with_one_row_per_group():
    table = data_licence_table().splitlines()
    assert table[0] == "| Data | Source | Licence or terms | On these pages |"
    assert len(table) == 2 + len(DATA_LICENCES)
    assert all(line.count(" | ") == 3 for line in table[2:])
    kriegeskorte = next(line for line in table if "92 object images" in line)
    assert "identifiable faces" in kriegeskorte and "not shown" in kriegeskorte


def test_reproducibility_page_has_the_licences_and_settings_in_words(tmp_path):
    record = {"profile": {"profile": "demo", "models": ["pypi/efficientnet_lite0.in1k", "litert/x.y"],
                          "n_boot": 1000, "lambdas": [0.1, 0.01], "device": None, "my_option": "a|b"},
              "versions": {"numpy": "2.0"}, "hardware": {"cpus": "2"}, "device": "cpu",
              "data_hashes": {"things/test_triplets.csv": "abc"}, "runtimes_s": {"01_scale": 1.0},
              "built": "2026-01-01 00:00 UTC", "gpu_check": None}
    page = book.write_reproducibility(record, tmp_path).read_text()
    assert "## Data licences" in page and data_licence_table() in page
    assert page.index("## Data licences") < page.index("## Data files")
    assert "| Setting | Parameter | Value |" in page
    assert "| Bootstrap resamples | `n_boot` | `1000` |" in page
    # Lists as their items, not as JSON.
    assert "| Models | `models` | `pypi/efficientnet_lite0.in1k`, `litert/x.y` |" in page
    assert "| Probe penalties tried (λ) | `lambdas` | `0.1`, `0.01` |" in page
    assert "| Device | `device` | default |" in page
    assert "| My option | `my_option` | `a\\|b` |" in page
    assert '["' not in page
    # Every other table's headers and items in words.
    assert "| Package | Version |" in page and "| Item | Value |" in page and "| CPU cores | `2` |" in page
    assert "| File | sha256 |" in page and "| Notebook | Time |" in page


def test_reproducibility_page_names_the_models_of_the_build_phases(tmp_path):
    record = {"profile": {"profile": "demo"}, "versions": {}, "hardware": {}, "device": "cpu", "data_hashes": {},
              "runtimes_s": {"01_scale": 1.0}, "built": "2026-01-01 00:00 UTC", "gpu_check": None,
              "phases": {"prepare": {"workers": 2, "wall": 10.0, "tables": 1.0,
                                     "extraction": {"pypi/efficientnet_lite0.in1k": 3.0},
                                     "probe": {"pypi/efficientnet_lite0.in1k": 2.0}}, "chapters": 4.0}}
    page = book.write_reproducibility(record, tmp_path).read_text()
    assert "| Model | Features (s) | Probe and scores (s) |" in page
    assert "| EfficientNet-Lite0 | 3.0 | 2.0 |" in page and "pypi/efficientnet_lite0.in1k" not in page
