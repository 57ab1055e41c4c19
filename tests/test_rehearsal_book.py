"""The full profile's whole book, rehearsed against loopback stand-ins of its sources.

The stand-ins (`tests/rehearsal.py`) are served on 127.0.0.1 and every public
address is sent there through ``HUMANALIGN_URL_MAP``; the offline copy is taken out of
``HUMANALIGN_MIRRORS`` so that every file, the demo ones included, comes through the
download path. The book is built with ``notebooks/params/rehearsal.yml`` (the full
profile's data set and code paths, three random-weight models, small sizes) into a
temporary folder: download, unpack, hash record, extraction, zero-shot, probing grid,
transfer, concepts, the strict jupyter-book build. Then the server is stopped and the
book is built again with ``HUMANALIGN_OFFLINE=1``, from the data folder and the cache
alone.
"""

from __future__ import annotations

import json
import re
import time

import pandas as pd
import pytest

from conftest import ROOT, needs_mirror
import rehearsal
from humanalign import book, study
from rehearsal_fixtures import cache_dir, data_dir, served, standins  # noqa: F401 - fixtures

REHEARSAL = ROOT / "tests" / "rehearsal.yml"

TRIPLETS_URL = "https://osf.io/n9u4a/download"
IMAGES_URL = "https://osf.io/wb36u/download"


def test_rehearsal_profile_names_the_full_profiles_paths_and_says_what_it_is():
    params = study.read_profile_params(REHEARSAL)
    full = study.read_profile_params("full")
    assert params["dataset"] == full["dataset"] == "things"
    assert params["transfer"] == full["transfer"]
    assert params["models"] == list(rehearsal.REHEARSAL_MODELS)
    # A subsample of the stand-in triplet file (20,000 rows in the fixture), as the full
    # profile subsamples the 4.7 M real ones.
    assert 100 <= params["n_triplets"] < 20_000
    text = study.profile_path(REHEARSAL).read_text().lower()
    for words in ("rehearsal", "simulated", "random weights", "stand-ins"):
        assert words in text
    # Without the rehearsal model table its models are unknown: the profile cannot run by accident.
    with pytest.raises(KeyError):
        study.load_profile(REHEARSAL, check_data=False)


def _html(site, name: str) -> str:
    return (site / "_build" / "html" / f"{name}.html").read_text()


@needs_mirror
@pytest.mark.slow
def test_rehearsal_book_builds_from_standins_then_from_the_cache_alone(standins, served, tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    # The arrangement sets have no download address: placed by hand, as a user would.
    rehearsal.place_manual(standins, data_dir())
    start = time.perf_counter()
    assert book.main(["--root", str(ROOT), "--profile", str(REHEARSAL), "--book-dir", str(site)]) == 0, capsys.readouterr().err[-3000:]
    first = time.perf_counter() - start

    # Everything came through the server: the data, the demo files and the three weights.
    requested = served.requests
    # Data, demo files and the three models' weights (the SPoSE 66-d files are served for
    # the loaders but no chapter reads them).
    unused = {"https://osf.io/nfbp3/download", "https://osf.io/7zuah/download", "https://osf.io/ydxus/download"}
    for url in sorted(set(standins.files) - unused):
        assert any(r.endswith(url.split("//", 1)[1]) for r in requested), f"{url} was not downloaded"
    # Downloads unpacked, no partial file left, hashes recorded as served.
    assert (data_dir() / "things" / "triplet_dataset" / rehearsal.TRIPLET_MEMBER).is_file()
    assert len(list((data_dir() / "things" / "images_cc0" / rehearsal.IMAGE_FOLDER).glob("*.jpg"))) == 1854
    assert not list(data_dir().rglob("*.part")) and not list(data_dir().rglob("*.unpacking"))
    record = json.loads((data_dir() / "hashes.json").read_text())
    assert record["things/triplet_dataset"] == standins.files[TRIPLETS_URL]
    assert record["things/images_cc0"] == standins.files[IMAGES_URL]

    # Results of every stage, for every model, in the cache.
    results = cache_dir() / "results"
    evaluate = pd.read_csv(next(results.glob("evaluate-rehearsal-*.csv")))
    assert set(evaluate["model"]) == set(rehearsal.REHEARSAL_MODELS)
    assert {"zero_shot", "probed", "lambda", "probed_simulated"} <= set(evaluate["measure"])
    # Scored on the real answers of the noise-ceiling set: all 20,000, since the full
    # profile's images cover every concept.
    zs = evaluate[evaluate["measure"] == "zero_shot"]
    assert (zs["n"] == 20_000).all() and zs["value"].between(0, 1).all()
    concepts = pd.read_csv(next(results.glob("concepts-rehearsal-*.csv")))
    assert set(concepts["model"]) == set(rehearsal.REHEARSAL_MODELS)
    # Transfer to the 92-image set and the placed arrangement sets; Peterson was not placed.
    rsa = pd.read_csv(next(results.glob("rsa-rehearsal-*.csv")))
    scored = set(rsa.loc[rsa["measure"] == "rsa_transformed", "dataset"])
    assert scored == {"rsa92", "cichy118", "king-set1", "king-set2"}
    assert set(rsa.loc[rsa["measure"] == "missing", "dataset"]) == {f"peterson-{d}" for d in
                                                                   ("animals", "automobiles", "fruits", "furniture", "various", "vegetables")}
    assert {"ceiling_lower", "ceiling_upper"} <= set(rsa.loc[rsa["dataset"] == "rsa92", "measure"])

    # The book: every chapter built, glued numbers resolved, the record lists the hashes.
    for name in ("chapters/00_overview", "chapters/01_scale", "chapters/04_transfer", "chapters/05_concepts"):
        page = _html(site, name)
        assert "Glue reference" not in page, name
    overview = _html(site, "chapters/00_overview")
    assert re.search(r"\b0\.\d{3}\b", overview)
    repro = _html(site, "reproducibility")
    assert standins.files[TRIPLETS_URL] in repro and standins.files[IMAGES_URL] in repro
    assert "rehearsal" in repro and "GPU check" in repro
    # The repository's book/ was not written to.
    repo_record = (ROOT / "book") / "_generated" / "reproducibility.json"
    assert not repo_record.is_file() or json.loads(repo_record.read_text())["profile"].get("profile") != "rehearsal"
    first_record = json.loads((site / "_generated" / "reproducibility.json").read_text())

    # Second run: no server, no downloads allowed; the cache and the data folder suffice.
    served.stop()
    seen = len(served.requests)
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")
    start = time.perf_counter()
    assert book.main(["--root", str(ROOT), "--profile", str(REHEARSAL), "--book-dir", str(site)]) == 0, capsys.readouterr().err[-3000:]
    second = time.perf_counter() - start
    assert len(served.requests) == seen
    second_record = json.loads((site / "_generated" / "reproducibility.json").read_text())
    assert second_record["data_hashes"] == first_record["data_hashes"]
    evaluate_again = pd.read_csv(next(results.glob("evaluate-rehearsal-*.csv")))
    pd.testing.assert_frame_equal(evaluate, evaluate_again)
    print(f"rehearsal book: first build {first:.0f} s, second (offline, from the cache) {second:.0f} s")
