"""The stimulus gallery of the methods page: thumbnails written at build time."""

from __future__ import annotations

from pathlib import Path

from .. import datasets
from .._atomic import write_text_atomic

__all__ = ["GALLERY_SIZE", "write_gallery"]

GALLERY_SIZE = 6  # images per stimulus set on the methods page


def write_gallery(book: Path, n: int = GALLERY_SIZE) -> Path:
    """Thumbnails of a few stimuli for the methods page: ``_generated/gallery.md`` + images.

    Written at build time from the data folder (the photos are not ours to commit): ``n``
    demo photos (THINGS concepts that are ImageNet-1k classes), ``n`` of the photos of every
    concept that has one (with ``photo_sources.csv``: the source of each) and ``n`` of the 92
    images.
    A set that cannot be read is named in the fragment instead of failing the build.
    """
    from PIL import Image, ImageOps

    folder = book / "_generated" / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    sets = []
    try:
        demo = datasets.load_demo_stimuli()
        picks = [round(i * (len(demo.ids) - 1) / (n - 1)) for i in range(n)]
        names = [demo.ids[i] for i in picks]  # THINGS uniqueID, e.g. "golf_ball"
        sets.append(("demo", f"The demo: one ImageNet-1k photo for each of the {len(demo.ids)} THINGS concepts "
                     "that are ImageNet classes",
                     [demo.paths[i] for i in picks], names))
    except Exception as err:  # noqa: BLE001 - a decoration: name the problem on the page, build on
        sets.append(("demo", f"Demo photos not available here ({_one_line(err)})", [], []))
    try:
        photos = datasets.load_stimuli("things-photos")
        sources = photos.labels["source"]
        counts = {name: sum(s == name for s in sources) for name in dict.fromkeys(sources)}
        table = folder / "photo_sources.csv"
        write_text_atomic(table, "uniqueID,source,file\n" + "".join(
            f"{uid},{src},{Path(path).name}\n" for uid, src, path in zip(photos.ids, sources, photos.paths)))
        picks = [round(i * (len(photos.ids) - 1) / (n - 1)) for i in range(n)]
        sets.append(("photos", f"Every THINGS concept with a real photo ({len(photos.ids)}: "
                     + ", ".join(f"{c} {name}" for name, c in counts.items())
                     + "; the source of each photo is listed in {download}`photo_sources.csv "
                     "</_generated/gallery/photo_sources.csv>`)",
                     [photos.paths[i] for i in picks], [f"{photos.ids[i]} ({sources[i]})" for i in picks]))
    except Exception as err:  # noqa: BLE001 - a decoration: name the problem on the page, build on
        sets.append(("photos", f"The THINGS photos are not available here ({_one_line(err)})", [], []))
    try:
        loaded = datasets.load_rsa92()
        rsa92 = loaded.stimuli
        picks = [round(i * (len(rsa92.ids) - 1) / (n - 1)) for i in range(n)]
        sets.append(("rsa92", f"The {len(rsa92.ids)} images of Kriegeskorte et al. (2008), arranged by "
                     f"{len(loaded.participants)} people (Mur et al. 2013)",
                     [rsa92.paths[i] for i in picks],
                     [str(rsa92.labels.get("category", rsa92.ids)[i]) for i in picks]))
    except Exception as err:  # noqa: BLE001 - a decoration: name the problem on the page, build on
        sets.append(("rsa92", f"The 92 images are not available here ({_one_line(err)})", [], []))
    lines = []
    for key, title, paths, names in sets:
        lines += [f"**{title}.**", ""]
        if not paths:
            continue
        lines += ["::::{grid} 3 3 6 6", ":gutter: 1", ""]
        for k, (path, name) in enumerate(zip(paths, names)):
            target = folder / f"{key}_{k}.jpg"
            with Image.open(path) as image:
                # Square thumbnails (centre crop), so that the grid's rows line up.
                ImageOps.fit(image.convert("RGB"), (160, 160)).save(target, quality=85)
            label = " ".join(str(name).replace("_", " ").split())
            lines += [":::{grid-item}", f"```{{image}} /_generated/gallery/{target.name}",
                      f":alt: {label}", ":width: 100%", "```", "", f"{label}", ":::", ""]
        lines += ["::::", ""]
    path = book / "_generated" / "gallery.md"
    write_text_atomic(path, "\n".join(lines))
    return path


def _one_line(err: Exception) -> str:
    text = " ".join(str(err).split()) or "no message"
    return f"{type(err).__name__}: " + text.replace("`", "'").replace("*", "")
