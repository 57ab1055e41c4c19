"""The reproducibility record of a build: profile, versions, hardware, data hashes,
runtimes, and the last GPU check; written as JSON and as the page's Markdown, with the
licences of the data (:mod:`.licences`)."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

from .._atomic import write_text_atomic
from ..cache import library_versions
from ..config import settings
from ..errors import DataError
from ..fetch import cached_sha256, fetch, hash_record
from ..names import display_names
from ..sources import demo_resources
from .licences import data_licence_table

__all__ = ["gpu_check_record", "previous_html_seconds", "previous_runtimes", "record_html_seconds",
           "reproducibility_record", "write_reproducibility"]

# Packages whose versions the reproducibility page lists.
_PACKAGES = (
    "humanalign", "numpy", "pandas", "scipy", "scikit-learn", "torch", "torchvision", "timm",
    "ai-edge-litert", "altair", "vl-convert-python", "jupyter-book", "myst-nb", "papermill",
    "jupytext", "efficientnet-lite-pytorch",
)


def _versions() -> dict[str, str]:
    return {"python": platform.python_version(), **library_versions(_PACKAGES, missing="not installed")}


def _hardware() -> dict[str, str]:
    info = {"platform": platform.platform(), "machine": platform.machine(), "cpus": str(os.cpu_count())}
    try:
        import torch

        info["torch threads"] = str(torch.get_num_threads())
        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    except ImportError:  # pragma: no cover - torch is a core dependency
        info["gpu"] = "unknown"
    return info


def _data_hashes(dataset: str) -> dict[str, str]:
    """sha256 of the data files a data set reads (the demo's files, from the manifest).

    For the paper's data set (``things``) the archives have no published hash: the hashes
    recorded on their first download (``<data>/hashes.json``) are listed instead.
    """
    hashes = {}
    for key, res in sorted(demo_resources().items()):
        if key.startswith(("imagenet/images/", "things/images_cc0_484/", "things/images_things/", "litert/")):
            continue  # the photos are summed up per folder below; each is checked against the manifest
        try:
            hashes[key] = cached_sha256(fetch(res))  # fetch has just hashed it
        except DataError as err:
            hashes[key] = f"missing ({type(err).__name__})"
    if dataset != "things":
        count = sum(k.startswith("things/images_things/") for k in demo_resources())
        hashes[f"things/images_things/ ({count} THINGS photos)"] = ("sha256 of each checked against "
                                                                    "resources/demo_manifest.tsv")
        hashes["things/images_cc0_484/ (484 photos)"] = "sha256 of each checked against resources/demo_manifest.tsv"
    else:
        record = hash_record()  # validated: a malformed record is named, not half-read
        for key in ("things/triplet_dataset", "things/images_cc0"):
            hashes[key] = record.get(key, "not downloaded yet (recorded in <data>/hashes.json on first download)")
        for key in sorted(k for k in record if k.startswith("weights/")):
            hashes[key] = record[key]
    return hashes


def gpu_check_record(path: str | os.PathLike) -> dict | None:
    """The last results of ``benchmarks/gpu_check.py``, or ``None`` when there are none yet.

    Args:
        path: The JSON file the script wrote (``benchmarks/results/gpu_check.json`` of a checkout).

    Returns:
        The script's report: ``date``, ``smoke``, ``hardware`` (dict), ``total_seconds`` and
        ``rows`` (one dict per measurement with ``task, what, size, seconds, rate,
        rate_unit, peak_gib, status``).

    Raises:
        ValueError: the file exists but is not such a report; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        report = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"GPU check results {path} are not valid JSON ({err}); run benchmarks/gpu_check.py again.") from err
    needed = {"date", "hardware", "rows"}
    if not isinstance(report, dict) or not needed <= set(report) or not isinstance(report["rows"], list):
        have = sorted(report) if isinstance(report, dict) else type(report).__name__
        raise ValueError(
            f"GPU check results {path} lack the keys {sorted(needed)} (found {have}); write the file "
            "with benchmarks/gpu_check.py --out."
        )
    columns = ("task", "what", "size", "seconds", "rate", "rate_unit", "peak_gib", "status")
    for i, row in enumerate(report["rows"]):
        missing = [c for c in columns if not isinstance(row, dict) or c not in row]
        if missing:
            raise ValueError(f"GPU check results {path}: row {i} lacks {missing}; run benchmarks/gpu_check.py again.")
    return report


def reproducibility_record(profile_params: dict, runtimes: dict[str, float],
                           gpu_check: str | os.PathLike | None = None, phases: dict | None = None,
                           html_seconds: float | None = None) -> dict:
    """Everything the reproducibility page shows, as plain JSON-able values.

    Args:
        profile_params: The profile's parameters as injected into the notebooks.
        runtimes: Seconds per executed notebook.
        gpu_check: The GPU check's result file (absent or ``None``: the page says no GPU run yet).
        phases: Where the build's time went (:func:`humanalign.book.run_chapters`), or
            ``None`` when no chapter ran.
        html_seconds: How long the last HTML build took (``None``: not known yet).
    """
    cfg = settings()
    return {
        "gpu_check": gpu_check_record(gpu_check) if gpu_check is not None else None,
        "profile": profile_params,
        "versions": _versions(),
        "hardware": _hardware(),
        "device": cfg.resolve_device(),
        "data_hashes": _data_hashes(str(profile_params.get("dataset", ""))),
        "runtimes_s": {k: round(v, 1) for k, v in runtimes.items()},
        "phases": phases or {},
        "html_s": None if html_seconds is None else round(float(html_seconds), 1),
        "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


# The profile's parameters in words (the parameter's own name stays beside it, as passed).
_SETTINGS = {
    "profile": "Profile", "dataset": "Data set", "models": "Models", "layers": "Layers",
    "n_triplets": "Triplets simulated", "seed": "Random seed", "device": "Device", "batch_size": "Batch size",
    "n_boot": "Bootstrap resamples", "lambdas": "Probe penalties tried (λ)", "n_folds": "Folds over concepts",
    "probe_max_iter": "Iterations per probe fit (at most)", "transfer": "Transfer test",
    "train_fraction": "Share of concepts the probe is fitted on",
}


# The hardware record's items in words.
_HARDWARE = {"platform": "Operating system", "machine": "Processor architecture", "cpus": "CPU cores",
             "torch threads": "Threads used by torch", "gpu": "GPU"}


def _literal(value) -> str:
    """A value as code; a list as its items, each as code, separated by commas."""
    if isinstance(value, (list, tuple)):
        return ", ".join(_literal(v) for v in value) or "none"
    text = json.dumps(value) if isinstance(value, dict) else str(value)
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _md_table(rows: dict, left: str, right: str, words: dict[str, str] | None = None) -> str:
    """``rows`` as a Markdown table; with ``words``, a first column names each key in words."""
    head = ([f"| Setting | {left} | {right} |", "|---|---|---|"] if words is not None
            else [f"| {left} | {right} |", "|---|---|"])
    lines = list(head)
    for key, value in rows.items():
        # A setting left to its default (device: chosen at run time).
        shown = "default" if value is None else _literal(value)
        name = f"`{key}`" if words is not None else str(key).replace("|", "\\|")
        first = f"{words.get(key, str(key).replace('_', ' ').capitalize())} | " if words is not None else ""
        lines.append(f"| {first}{name} | {shown} |")
    return "\n".join(lines)


def write_reproducibility(record: dict, book: Path) -> Path:
    """Write the record as JSON and as the Markdown fragment the reproducibility page includes."""
    folder = book / "_generated"
    write_text_atomic(folder / "reproducibility.json", json.dumps(record, indent=1, sort_keys=True))
    total = sum(record["runtimes_s"].values())
    parts = [
        f"Built on {record['built']} with the profile `{record['profile'].get('profile')}` "
        f"on device `{record['device']}`; executing the notebooks took {total:.0f} s in all.",
        "",
        "## Profile", "", _md_table(record["profile"], "Parameter", "Value", words=_SETTINGS),
        "", "## Versions", "", _md_table(record["versions"], "Package", "Version"),
        "", "## Hardware", "", _md_table({_HARDWARE.get(k, k): v for k, v in record["hardware"].items()}, "Item",
                                         "Value"),
        "", "## Data licences", "",
        "What each group of data files is, where the copy comes from and on what terms. Files that may "
        "only be computed with are never shown on these pages.", "",
        data_licence_table(),
        "", "## Data files", "", _md_table(record["data_hashes"], "File", "sha256"),
        "", "## Where the build's time goes", "", _phases_section(record.get("phases") or {}, record.get("html_s")),
        "", "## Runtime per notebook", "", _md_table({k: f"{v} s" for k, v in record["runtimes_s"].items()}, "Notebook",
                                                     "Time"),
        "", "## GPU check", "", _gpu_section(record.get("gpu_check")),
        "",
    ]
    path = folder / "reproducibility.md"
    write_text_atomic(path, "\n".join(parts))
    return path


def _phases_section(phases: dict, html_s: float | None) -> str:
    """Markdown of where the build's time went: per model, features and probe; then the
    shared tables, the chapters and the HTML build."""
    prepared = phases.get("prepare") or {}
    if not prepared:
        return ("No chapter was executed by the last build (everything was up to date), so it measured no "
                "phase." + (f" The HTML build took {html_s:.0f} s." if html_s is not None else ""))
    extraction, probe = prepared.get("extraction", {}), prepared.get("probe", {})
    lines = [
        f"The models' features and probes were computed in {prepared.get('workers', 1)} worker processes, "
        f"{float(prepared.get('wall', 0)):.0f} s of wall time in all (the sum over models below is larger when "
        "several ran at once); the tables shared by the chapters took "
        f"{float(prepared.get('tables', 0)):.1f} s, and the chapters, run side by side, "
        f"{float(phases.get('chapters', 0)):.0f} s (each one's own time is in the next table: verdicts, "
        "resampling and charts)."
        + (f" The HTML build of the previous run took {html_s:.0f} s." if html_s is not None else ""),
        "", "| Model | Features (s) | Probe and scores (s) |", "|---|--:|--:|",
    ]
    names = display_names(extraction)
    for model in sorted(extraction, key=lambda m: -(extraction[m] + probe.get(m, 0))):
        name = names[model].replace("|", "\\|")
        lines.append(f"| {name} | {extraction[model]:.1f} | {probe.get(model, 0):.1f} |")
    lines.append(f"| all models | {sum(extraction.values()):.1f} | {sum(probe.values()):.1f} |")
    return "\n".join(lines)


def previous_html_seconds(book: Path) -> float | None:
    """How long the last HTML build took (``_generated/html_build.json``), or ``None``."""
    path = Path(book) / "_generated" / "html_build.json"
    try:
        return float(json.loads(path.read_text())["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_html_seconds(book: Path, seconds: float) -> None:
    """Keep how long this HTML build took, for the next build's reproducibility page."""
    write_text_atomic(Path(book) / "_generated" / "html_build.json", json.dumps({"seconds": round(seconds, 1)}))


def _cell(value) -> str:
    return "" if value is None else str(value).replace("|", "\\|")


def _gpu_section(report: dict | None) -> str:
    """Markdown of the GPU check: date, hardware and the table of measurements."""
    if report is None:
        return (
            "No GPU run yet. On a machine with a GPU, `python benchmarks/gpu_check.py --out "
            "benchmarks/results/gpu_check.json` measures extraction throughput of registry "
            "architectures (random weights), the probing grid at the paper's sizes and the peak "
            "GPU memory; commit that file and the next build shows the figures here."
        )
    hw = report["hardware"]
    where = hw.get("gpu") or f"{hw.get('device', 'cpu')} (no GPU)"
    memory = f", {hw['gpu_memory_gib']} GiB" if "gpu_memory_gib" in hw else ""
    lines = [
        f"Last run of `benchmarks/gpu_check.py`: {report['date']} on {where}{memory}"
        f" (torch {hw.get('torch', '?')}, CUDA {hw.get('cuda', '-')}, {hw.get('cpu_count', '?')} CPU cores)"
        + (f"; {report['total_seconds']} s in all." if "total_seconds" in report else "."),
    ]
    if report.get("smoke"):
        lines.append("")
        lines.append("*This was a smoke run at tiny sizes, not the paper-scale check: its figures say "
                     "nothing about speed.*")
    lines += ["", "| task | what | size | seconds | rate | peak GPU memory (GiB) | status |",
              "|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        rate = "" if row["rate"] is None else f"{row['rate']} {row['rate_unit']}"
        lines.append("| " + " | ".join(_cell(v) for v in (
            row["task"], row["what"], row["size"], row["seconds"], rate, row["peak_gib"], row["status"])) + " |")
    return "\n".join(lines)


def previous_runtimes(book: Path) -> dict[str, float]:
    path = book / "_generated" / "reproducibility.json"
    if path.is_file():
        try:
            return dict(json.loads(path.read_text()).get("runtimes_s", {}))
        except (json.JSONDecodeError, AttributeError):
            return {}
    return {}
