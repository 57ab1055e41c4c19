"""Command-line entry point: ``humanalign extract | prepare | accuracy | models | profile | book``.

``extract`` lets a GPU machine precompute features without notebooks; they land in the
same content-keyed cache that the notebooks read. ``prepare`` computes everything per model
that the chapters read (features, probes, scores) for a whole profile, in parallel worker
processes; ``humanalign book`` runs it before the chapters. ``profile demo`` prints a shipped
profile, to copy and edit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

import pandas as pd

from . import book
from .config import check_device, settings
from .datasets import dataset_names, load_demo_stimuli, load_stimuli
from .errors import DataError, resource_hint, user_message
from .features import cache_path, extract_features
from .profiles import load_profile, profile_path
from .registry import get_spec, list_models
from ._atomic import write_text_atomic
from .study import imagenet_top1, prepare

__all__ = ["build_parser", "main"]


def _cmd_extract(args: argparse.Namespace) -> int:
    stimuli = load_stimuli(args.dataset)
    for model_id in args.model:
        spec = get_spec(model_id)
        features = extract_features(
            spec, stimuli, layer=args.layer, batch_size=args.batch_size, device=args.device,
            num_workers=args.num_workers, cache=not args.no_cache, progress=not args.quiet,
        )
        where = "" if args.no_cache else f" -> {cache_path(spec, stimuli, args.layer)}"
        print(f"{model_id}\t{args.layer}\t{features.shape[0]} x {features.shape[1]}{where}")
    return 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    times = prepare(load_profile(args.profile), workers=args.workers,
                    log=None if args.quiet else lambda line: print(line, flush=True))
    if args.times is not None:
        write_text_atomic(args.times, json.dumps(times.as_dict(), indent=1, sort_keys=True))
    return 0


def _cmd_accuracy(args: argparse.Namespace) -> int:
    ids = args.model or [s.id for s in load_profile("demo", check_data=False).specs if s.has_logits]
    stimuli = load_demo_stimuli()
    labelled = sum(int(c) >= 0 for c in stimuli.labels["imagenet_index"])
    print(f"top-1 of each model's own logits on the {labelled} demo photos of concepts that are ImageNet-1k classes")
    print(f"{'model':45s} {'demo top-1':>10s} {'published':>10s}")
    for model_id in ids:
        spec = get_spec(model_id)
        acc = imagenet_top1(spec, stimuli, device=args.device, progress=not args.quiet)
        published = f"{spec.imagenet_top1:.3f}" if spec.imagenet_top1 is not None else "-"
        print(f"{model_id:45s} {acc:10.3f} {published:>10s}", flush=True)
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    table = list_models(public_only=args.public_only)
    if args.profile:
        ids = load_profile(args.profile, check_data=False).models
        table = table.set_index("id").loc[list(ids)].reset_index()
    columns = ["id", "family", "params", "imagenet_top1", "objective", "training_data", "public"]
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 45):
        print(table[columns].to_string(index=False))
    print(f"{len(table)} models")
    return 0


def _cmd_profile(args: argparse.Namespace) -> int:
    # Checked first as a chapter checks it (size, text, YAML, keys, values, every model id in
    # the registry, the data set's files at hand), so that only a usable profile is printed.
    load_profile(args.name)
    _write_out(profile_path(args.name).read_text(encoding="utf-8"))
    return 0


def _write_out(text: str) -> None:
    """Write ``text`` to standard output as UTF-8 when it goes to a file or pipe (``humanalign
    profile demo > mine.yml``), and in the terminal's own encoding, with escapes for what it
    cannot show, otherwise."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        buffer = getattr(stream, "buffer", None)
        if buffer is not None and not stream.isatty():
            stream.flush()
            buffer.write(text.encode("utf-8"))
            buffer.flush()
            return
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    stream.write(text)


def _printable(stream) -> None:
    """Let ``stream`` (stdout or stderr) write what its encoding cannot show as escapes
    rather than fail: a model id or a file name with non-ASCII letters on an ASCII terminal."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a stream that cannot be reconfigured
            pass


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of all subcommands (``book`` passes its arguments on)."""
    parser = argparse.ArgumentParser(prog="humanalign", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    ext = sub.add_parser("extract", help="compute and cache features of models on a data set")
    ext.add_argument("--model", action="append", required=True, help="model id (repeatable)")
    ext.add_argument("--dataset", default="things-demo", choices=dataset_names("stimuli"),
                     help="the stimulus set (the names profiles and caches use)")
    ext.add_argument("--layer", default="penultimate", choices=("penultimate", "logits"))
    ext.add_argument("--batch-size", type=int, default=32)
    ext.add_argument("--device", default=None)
    ext.add_argument("--num-workers", type=int, default=None)
    ext.add_argument("--no-cache", action="store_true")
    ext.add_argument("--quiet", action="store_true", help="no progress bar")
    ext.set_defaults(func=_cmd_extract)

    prep = sub.add_parser("prepare", help="compute every model's features, probes and scores of a profile, in "
                          "parallel (what the chapters read)")
    prep.add_argument("--profile", default="demo", help="demo (default), full, or the path of a profile .yml")
    prep.add_argument("--workers", type=int, default=None,
                      help="worker processes (default: HUMANALIGN_WORKERS or the CPU cores, at most 8)")
    prep.add_argument("--times", type=Path, default=None, metavar="FILE",
                      help="write the seconds per model and phase to FILE (JSON)")
    prep.add_argument("--quiet", action="store_true", help="no line per finished model")
    prep.set_defaults(func=_cmd_prepare)

    acc = sub.add_parser("accuracy", help="top-1 of each demo classifier on the demo photos")
    acc.add_argument("--model", action="append", help="model id (repeatable); default: the demo profile's classifiers")
    acc.add_argument("--device", default=None)
    acc.add_argument("--quiet", action="store_true")
    acc.set_defaults(func=_cmd_accuracy)

    mod = sub.add_parser("models", help="list the model registry")
    mod.add_argument("--public-only", action="store_true")
    mod.add_argument("--profile", default=None, help="list only the models of this profile (a name or a .yml path)")
    mod.set_defaults(func=_cmd_models)

    prof = sub.add_parser("profile", help="check a profile and print it (a shipped one, demo or full, to copy and edit)")
    prof.add_argument("name", help="a shipped profile's name or the path of a profile .yml")
    prof.set_defaults(func=_cmd_profile)

    book = sub.add_parser("book", help="build the book (arguments are passed on)", add_help=False)
    book.set_defaults(func=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["book"]:
        return int(book.main(argv[1:]) or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        _printable(stream)
    try:
        settings()  # the environment variables, checked before any work
        if getattr(args, "device", None) is not None:
            check_device(args.device, "--device")
        return int(args.func(args) or 0)
    except (KeyError, ValueError, DataError, OSError) as err:
        # Every documented failure (unknown id, bad value, missing or corrupt data file,
        # unwritable folder) is one line for the user, not a traceback.
        print(f"humanalign: error: {user_message(err)}", file=sys.stderr)
        return 2
    except RuntimeError as err:
        # A full shared memory or a file-size limit, as the image loader's workers report it.
        hint = resource_hint(str(err))
        if hint is None:
            raise
        print(f"humanalign: error: {hint[:1].upper() + hint[1:]}.", file=sys.stderr)
        return 2
