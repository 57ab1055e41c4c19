"""The stimulus gallery of the methods page, written at build time.

The models compute with photos the book may not publish: the THINGS database photos are for
academic use and ImageNet's and the 92 images' rights are not ours. The gallery therefore
shows, for a few of the profile's THINGS concepts, the THINGSplus public-domain (CC0) photo
of the same concept where one exists and the concept's name otherwise, says which is which,
and names the 92 images' categories without showing them. Every concept the demo computes
with is listed, with the THINGS photo it used and its source, in a CSV file beside it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .. import datasets, escape
from .._atomic import write_text_atomic
from ..fetch import fetch
from ..sources import demo_resources

__all__ = ["GALLERY_SIZE", "write_gallery"]

GALLERY_SIZE = 6  # concepts shown on the methods page
CC0_LICENCE = "THINGSplus photo, public domain (CC0)"


def _spread(n_items: int, n: int) -> list[int]:
    """``n`` indices spread evenly over ``0 .. n_items - 1``."""
    if n_items <= n:
        return list(range(n_items))
    return [round(i * (n_items - 1) / (n - 1)) for i in range(n)]


def _photo_table(demo: datasets.Stimuli, cc0: dict) -> str:
    """CSV of every concept the demo computes with: its THINGS photo (not shown) and whether
    a public-domain photo of it exists (shown instead)."""
    resources = demo_resources()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["uniqueID", "things_file", "source", "licence", "cc0_photo"])
    for uid, name in zip(demo.ids, demo.labels.get("things_file", demo.ids)):
        resource = resources.get(f"{datasets.THINGS_PREFIX}{uid}.jpg")
        source = (resource.url or "").split("/")[3:5] if resource is not None else []
        writer.writerow([uid, name, "/".join(source), "THINGS database: academic use, not shown",
                         "yes" if uid in cc0 else "no"])
    return buffer.getvalue()


def write_gallery(book: Path, n: int = GALLERY_SIZE) -> Path:
    """The methods page's stimulus section: ``_generated/gallery.md``, thumbnails of public-
    domain photos and ``photo_sources.csv``.

    A set that cannot be read is named in the fragment (by file name, not by path) instead of
    failing the build.
    """
    folder = book / "_generated" / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jpg"):
        old.unlink()
    lines: list[str] = []
    try:
        lines += _things_section(folder, n)
    except Exception as err:  # noqa: BLE001 - a decoration: name the problem on the page, build on
        lines += [f"**The demo's THINGS concepts** are not available here ({_one_line(err)}).", ""]
    try:
        lines += _rsa92_section()
    except Exception as err:  # noqa: BLE001 - a decoration: name the problem on the page, build on
        lines += [f"**The 92 images** are not available here ({_one_line(err)}).", ""]
    path = book / "_generated" / "gallery.md"
    write_text_atomic(path, "\n".join(lines))
    return path


def _things_section(folder: Path, n: int) -> list[str]:
    """The demo's concepts: a few shown by their public-domain photo or by name, all listed."""
    demo = datasets.load_dataset("stimuli", "things-demo")
    ids = datasets.load_dataset("tables", "things-concepts")["uniqueID"].tolist()
    cc0 = datasets.cc0_photos(demo_resources(), ids)
    missing = datasets.missing_demo_concepts()
    write_text_atomic(folder / "photo_sources.csv", _photo_table(demo, cc0))
    with_cc0 = sum(uid in cc0 for uid in demo.ids)
    lines = [
        f"**The demo's THINGS concepts.** The models see one THINGS database photo for each of "
        f"{len(demo.ids):,} of the {len(ids):,} THINGS concepts (for most concepts the photo people saw in the "
        "odd-one-out task). Those photos are for academic use, so this book computes with them and does not "
        f"show them. Below, a few of these concepts: where a public-domain THINGSplus photo of the same concept "
        f"exists ({with_cc0:,} of the {len(demo.ids):,}), that photo is shown, a different photo of the concept "
        "from the one the models saw; otherwise the concept's name. "
        + (f"No photo was available for {len(missing)} concepts ({escape.markdown(', '.join(missing))}); they "
           "are left out, not replaced. " if missing else "")
        + "{download}`photo_sources.csv </_generated/gallery/photo_sources.csv>` lists every concept with "
        "the file name of the THINGS photo used and its source.", "",
    ]
    shown = [i for i, uid in enumerate(demo.ids) if uid in cc0]
    picks = [shown[k] for k in _spread(len(shown), n // 2)] + [
        i for i in _spread(len(demo.ids), n + 2) if demo.ids[i] not in cc0][: n - n // 2]
    lines += ["::::{grid} 2 3 3 6", ":gutter: 1", ""]
    for k, i in enumerate(sorted(picks)):
        lines += [":::{grid-item}", *_concept_cell(folder, k, demo.ids[i], cc0.get(demo.ids[i])), ":::", ""]
    return lines + ["::::", ""]


def _concept_cell(folder: Path, k: int, uid: str, photo) -> list[str]:
    """One concept of the grid: its public-domain photo with the licence line, or its name."""
    from PIL import Image, ImageOps

    label = escape.markdown(" ".join(uid.replace("_", " ").split()))
    if photo is None:
        return ["", f"**{label}**", "", "(no public-domain photo of this concept: name only)"]
    target = folder / f"things_{k}.jpg"
    with Image.open(fetch(photo)) as image:
        # Square thumbnails (centre crop), so that the grid's rows line up.
        ImageOps.fit(image.convert("RGB"), (160, 160)).save(target, quality=85)
    return [f"```{{image}} /_generated/gallery/{target.name}", f":alt: {label}", ":width: 100%", "```", "",
            f"{label} ({CC0_LICENCE})"]


def _rsa92_section() -> list[str]:
    """The 92 images, named by their categories (their rights do not let the book show them)."""
    loaded = datasets.load_dataset("matrices", "rsa92")
    categories = list(dict.fromkeys(str(c) for c in loaded.stimuli.labels.get("category", ())))
    return [
        f"**The {len(loaded.stimuli.ids)} images of Kriegeskorte et al. (2008)**, arranged by "
        f"{len(loaded.rdms)} people (Mur et al. 2013): photos of isolated objects on a grey background. "
        "They are published with the original study for research use, not under a licence that lets this book "
        "show them, so only their categories are named here"
        + (f": {escape.markdown(', '.join(categories))}." if categories else "."), "",
    ]


def _one_line(err: Exception) -> str:
    """An error as one line of page text without paths: only the last part of anything that
    looks like one (a published page names no folder of the machine that built it)."""
    words = []
    for word in " ".join(str(err).split()).split(" "):
        words.append(word.rsplit("/", 1)[-1] if "/" in word else word)
    return escape.markdown(f"{type(err).__name__}: " + (" ".join(words) or "no message"))
