"""The values a built book glues into its prose, read from the executed chapters.

    python tools/glue_values.py book/chapters                 # print them as JSON
    python tools/glue_values.py --compare OLD/chapters NEW/chapters

``--compare`` lists every glued name whose value differs between two builds (or exists in
one only) and exits 1 when there is any: a change that must not move a number (a
refactoring) is checked by building the book before and after it and comparing.
Numbers are compared as their text (``repr`` of the float the chapter glued), Markdown as
its text; charts are not compared.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

_KINDS = ("text/markdown", "text/plain")


def glued(folder: Path) -> dict[str, str]:
    """``chapter:name`` -> the glued value's text, for every executed chapter in ``folder``."""
    values = {}
    notebooks = sorted(Path(folder).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"No executed chapters (*.ipynb) in {folder}; build the book first.")
    for path in notebooks:
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                record = output.get("metadata", {}).get("scrapbook")
                if not record:
                    continue
                prefix = record.get("mime_prefix", "")
                data = output.get("data", {})
                text = next((data[prefix + k] for k in _KINDS if prefix + k in data), None)
                if text is not None:
                    values[f"{path.stem}:{record['name']}"] = "".join(text) if isinstance(text, list) else str(text)
    return values


def compare(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """One line per glued name that differs or is missing on one side."""
    lines = []
    for key in sorted(set(old) | set(new)):
        if key not in new:
            lines.append(f"only before: {key} = {old[key]!r}")
        elif key not in old:
            lines.append(f"only after:  {key} = {new[key]!r}")
        elif old[key] != new[key]:
            lines.append(f"changed:     {key}: {old[key]!r} -> {new[key]!r}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders of executed chapters (book/chapters)")
    parser.add_argument("--compare", action="store_true", help="compare two builds; exit 1 on any difference")
    args = parser.parse_args(argv)
    if not args.compare:
        print(json.dumps({str(f): glued(f) for f in args.folders}, indent=1, sort_keys=True))
        return 0
    if len(args.folders) != 2:
        parser.error("--compare takes two folders: before and after")
    old, new = (glued(f) for f in args.folders)
    lines = compare(old, new)
    print("\n".join(lines) if lines else f"all {len(old)} glued values are the same")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
