"""The analysis choices a verdict rests on, and the defensible alternatives to each.

The book measures alignment one way: on THINGS, the odd one out by **cosine** similarity of
the **penultimate** layer; on the 92 images, **cosine** distance between the features of
each image as the model's own preprocessing frames it (resized and **centre-cropped**),
compared with each person's matrix by **Spearman** correlation. Each of these is one
defensible choice among several. A :class:`Choice` names one way of measuring;
:func:`alternatives` lists those a profile can run, one choice changed at a time, and
:data:`NOT_RUN` says which others were left out and why. The robustness table of every
verdict (:mod:`.verdicts.robustness`) recomputes the verdict under each.

The per-model work of an alternative is here and cached: the features of the 92 images
resized whole to the model's input size (no centre crop), the models' dissimilarities under
another distance (computed from cached features, so not stored) and their resamples
(:func:`~.scores.two_way_resamples`, cached per matrix); :func:`prepare_choices` computes
them for one model in the prepare step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import cache, datasets, measures
from ..config import Settings, settings as current_settings
from .._atomic import write_text_atomic
from ..datasets import MatrixSet, Stimuli
from ..features import cache_key
from ..profiles import Profile
from ..registry import UNTRAINED, ModelSpec
from ..vocabulary import ALTERNATIVES, NOT_RUN
from .human_data import load_study_data
from .scores import features_for, layers_of, things_correct_under, things_scores, two_way_resamples

__all__ = ["BOOK", "NOT_RUN", "Choice", "alternatives", "not_run", "plain_resize_features", "prepare_choices",
           "rdm_under", "things_correct"]

_DISTANCE = {"cosine": "cosine", "correlation": "pearson", "euclidean": "euclidean"}


@dataclass(frozen=True)
class Choice:
    """One way of measuring alignment.

    Attributes:
        label: How the tables name it.
        similarity: THINGS odd-one-out similarity: ``cosine``, ``correlation``, ``euclidean``.
        distance: 92-image dissimilarity: ``cosine``, ``correlation``, ``euclidean``.
        statistic: RSA correlation: ``spearman`` or ``pearson``.
        framing: How the 92 images reach the model: ``centre crop`` (its own preprocessing)
            or ``plain resize`` (the whole image resized to the input size).
        layer: ``penultimate`` or ``logits`` (a model without logits keeps its penultimate
            layer).
    """

    label: str = "as in the book"
    similarity: str = "cosine"
    distance: str = "cosine"
    statistic: str = "spearman"
    framing: str = "centre crop"
    layer: str = "penultimate"

    def applies_to(self, on: str) -> bool:
        """Whether this choice measures data set ``on`` (``things`` or ``rsa92``) otherwise than
        the book does."""
        if self.layer != BOOK.layer:
            return True
        if on == "things":
            return self.similarity != BOOK.similarity
        return (self.distance, self.statistic, self.framing) != (BOOK.distance, BOOK.statistic, BOOK.framing)


BOOK = Choice()

# The alternatives and the ones not run are the words of the methods page (vocabulary), so
# that the page and the code cannot disagree.
_ALTERNATIVES = tuple(Choice(label, **{setting: value}) for label, setting, value, _ in ALTERNATIVES
                      if setting != "layer")
_LOGITS = next(Choice(label, layer=value) for label, setting, value, _ in ALTERNATIVES if setting == "layer")


def alternatives(profile: Profile, on: tuple[str, ...] = ("things", "rsa92")) -> list[Choice]:
    """The alternatives a profile runs for a verdict that uses the data sets ``on``: one
    choice changed at a time; logits only where the profile scores them."""
    found = list(_ALTERNATIVES) + ([_LOGITS] if "logits" in profile.layers else [])
    return [c for c in found if any(c.applies_to(o) for o in on)]


def not_run(profile: Profile, on: tuple[str, ...] = ("things", "rsa92")) -> dict[str, str]:
    """The alternatives left out for a verdict on ``on``, with why (:data:`NOT_RUN`, and the
    logits where the profile scores only the penultimate layer)."""
    out = {k: v for k, v in NOT_RUN.items() if any(f"({'THINGS' if o == 'things' else '92 images'})" in k for o in on)}
    if "logits" not in profile.layers:
        out["logits instead of the penultimate layer"] = "this profile scores the penultimate layer only"
    return out


def _layer(spec: ModelSpec, profile: Profile, choice: Choice) -> str:
    return choice.layer if choice.layer in layers_of(spec, profile) else "penultimate"


def things_correct(profile: Profile, spec: ModelSpec, choice: Choice, cfg: Settings | None = None) -> np.ndarray:
    """(N,) bool: the model's zero-shot odd one out under ``choice`` is the person's, for
    every real answer (cached, :func:`~.scores.things_correct_under`)."""
    if not choice.applies_to("things"):
        return things_scores(profile, spec, "penultimate", cfg).zero_shot
    return things_correct_under(profile, spec, _layer(spec, profile, choice), choice.similarity, cfg)


def _plain_resize(transform):
    """The model's own transform with its resize and centre crop replaced by one resize of the
    whole image to the crop's size (aspect ratio not kept); ``None`` when it does not crop."""
    from torchvision import transforms as T

    steps = list(getattr(transform, "transforms", []))
    crops = [s for s in steps if isinstance(s, T.CenterCrop)]
    resizes = [s for s in steps if isinstance(s, T.Resize)]
    if len(crops) != 1 or len(resizes) != 1:
        return None
    size = tuple(crops[0].size)
    whole = T.Resize(size, interpolation=resizes[0].interpolation, antialias=resizes[0].antialias)
    return T.Compose([whole if s is resizes[0] else s for s in steps if s is not crops[0]])


def plain_resize_features(spec: ModelSpec, stimuli: Stimuli, layer: str, profile: Profile,
                          cfg: Settings | None = None) -> np.ndarray | None:
    """(n, d) features of images resized whole to the model's input size, or ``None`` when
    the model's preprocessing does not centre-crop or this library cannot run it (features
    computed elsewhere); cached beside the features, keyed by the key of the centre-cropped
    ones and the framing."""
    if spec.source == "internal" or not spec.public:
        return None
    folder = (cfg or current_settings()).cache_dir / "features" / "plain-resize" / spec.id.replace("/", "__")
    path = folder / f"{layer}-{cache.content_key({'crop': cache_key(spec, stimuli, layer), 'framing': 'plain'})[:32]}.npy"
    # A model whose preprocessing does not crop leaves a note, so that the next call need not
    # load the model to find that out again.
    uncropped = path.with_suffix(".uncropped")
    if path.exists():
        values, problem = cache.load_array(path, rows=len(stimuli), dtype="float32")
        if values is not None:
            return values
        cache.discard(path, problem)
    elif uncropped.is_file():
        return None
    # Only a computation needs the model, and torch with it (seconds to import).
    import torch

    from ..features import ImageDataset
    from ..models import load_model

    loaded = load_model(spec, device=profile.device)
    transform = _plain_resize(loaded.preprocess)
    if transform is None:
        cache.check_writable(folder, "feature cache")
        write_text_atomic(uncropped, f"{spec.id}: its preprocessing does not centre-crop\n")
        return None
    images = ImageDataset(stimuli.paths, transform)
    rows = []
    with torch.inference_mode():
        for start in range(0, len(stimuli), profile.batch_size):
            batch = torch.stack([images[i][1] for i in range(start, min(start + profile.batch_size, len(stimuli)))])
            rows.append(loaded.forward(batch.to(loaded.device), [layer])[layer].float().cpu().numpy())
    values = np.ascontiguousarray(np.concatenate(rows), dtype=np.float32)
    cache.check_writable(folder, "feature cache")
    cache.save_array(path, values, {"model": spec.id, "layer": layer, "dataset": stimuli.name, "framing": "plain resize"})
    return values


def rdm_under(profile: Profile, spec: ModelSpec, data: MatrixSet, choice: Choice, transformed: bool = False,
              cfg: Settings | None = None) -> np.ndarray | None:
    """(n, n) the model's dissimilarities of a data set's images under ``choice`` (after the
    THINGS probe when ``transformed``), or ``None`` when the choice cannot be made for this
    model (a preprocessing without a centre crop to leave out)."""
    layer = _layer(spec, profile, choice)
    if choice.framing == "plain resize":
        feats = plain_resize_features(spec, data.stimuli, layer, profile, cfg)
        if feats is None:
            return None
    else:
        feats = features_for(spec, layer, profile, data.stimuli)
    if transformed:
        feats = things_scores(profile, spec, layer, cfg).probe.apply(feats)
    return measures.model_rdm(feats, _DISTANCE[choice.distance])


def prepare_choices(profile: Profile, spec: ModelSpec, cfg: Settings | None = None) -> None:
    """Compute into the caches what the robustness tables read for one trained model: its
    92-image features resized whole, and the resamples of its dissimilarities (before and
    after the probe) under every alternative of the 92 images."""
    if spec.training_data == UNTRAINED or "rsa92" not in datasets.dataset_names("matrices"):
        return
    data = datasets.load_dataset("matrices", "rsa92", cfg)
    by_statistic: dict[str, list[np.ndarray]] = {}
    for choice in alternatives(profile, ("rsa92",)):
        for transformed in (False, True):
            rdm = rdm_under(profile, spec, data, choice, transformed, cfg)
            if rdm is not None:
                by_statistic.setdefault(choice.statistic, []).append(rdm)
    for statistic, rdms in by_statistic.items():
        two_way_resamples(np.stack(rdms), data.rdms, profile.n_boot, profile.seed, cfg, method=statistic)
