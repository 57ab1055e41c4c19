"""Classic reference dissimilarity models of the 92 images.

The set of models that Kriegeskorte et al. (2008, *Neuron*) and Nili et al. (2014, *PLoS
Comput Biol*) compare with human IT, as the MATLAB RSA toolbox publishes it:
``rsa92/92_modelRDMs.mat`` (listed with its sha256 in the demo manifest).

Layout of the public file, as read with :func:`~.arrangements.read_mat`:

* one variable ``Models``, a 1 x 8 struct array with fields ``RDM``, ``color`` and ``name``;
* names, in this order: ``animacy``, ``FaceBodyManmadeNatobj``, ``monkeyIT``, ``EVA``,
  ``HMAX``, ``V1``, ``Silhouette``, ``RADON``;
* ``RDM``: 92 x 92, symmetric, zero diagonal, no NaN; the two category models are uint8
  0/1, ``EVA`` single precision, the others double;
* ``color``: ``[0 1 0]`` for every model (not read).

What we checked on the file: ``animacy`` is 1 exactly where one image is animate and the
other not (the ``animate`` column of the paper's category vectors: 48 animate, 44
inanimate images); ``FaceBodyManmadeNatobj`` is 1 exactly where two images fall into
different groups of face (24), body (24), natural object (23) and artificial object (21);
``monkeyIT`` equals the monkey IT matrix of the paper's Figure 1 (``mIT_674neurons``).
``EVA`` is a brain measurement, not a model computed from the pixels: the toolbox's own
demo loads it as the "human early visual" matrix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import Settings, settings as current_settings
from ..errors import DataError
from ..fetch import fetch
from ..sources import get_resource
from .arrangements import _struct_field, read_mat
from .rsa92 import _checked_rdm, _struct_elements, _text

__all__ = ["MODEL_FILE", "MODEL_INFO", "MODEL_KINDS", "Rsa92Models", "load_rsa92_models", "read_rsa92_models"]

MODEL_FILE = "rsa92/92_modelRDMs.mat"
KEY = "Models"
MODEL_KINDS = ("category", "brain", "image-computable")

#: name in the file -> (kind, readable label, one-line description with its source).
MODEL_INFO: dict[str, tuple[str, str, str]] = {
    "animacy": (
        "category", "animate / inanimate",
        "0 for two animate or two inanimate images, 1 for one of each (Kriegeskorte et al. 2008).",
    ),
    "FaceBodyManmadeNatobj": (
        "category", "face / body / natural / artificial",
        "0 within and 1 between four groups: faces, bodies, natural objects, artificial objects "
        "(Kriegeskorte et al. 2008).",
    ),
    "monkeyIT": (
        "brain", "monkey IT",
        "1 - correlation of the responses of 674 neurons recorded in monkey inferior temporal "
        "cortex (Kiani et al. 2007), the monkey matrix of Kriegeskorte et al. (2008, Figure 1).",
    ),
    "EVA": (
        "brain", "human early visual cortex",
        "fMRI dissimilarities of human early visual cortex for the same images (Kriegeskorte "
        "et al. 2008), the 'human early visual' matrix of the RSA toolbox demo (Nili et al. 2014).",
    ),
    "HMAX": (
        "image-computable", "HMAX",
        "a feed-forward model of the ventral stream that alternates template matching and "
        "max-pooling over position and scale (Riesenhuber & Poggio 1999; Serre et al. 2005).",
    ),
    "V1": (
        "image-computable", "V1 model",
        "responses of oriented Gabor-like filters at several scales, a simple model of primary "
        "visual cortex (Kriegeskorte et al. 2008).",
    ),
    "Silhouette": (
        "image-computable", "silhouette",
        "how different the two objects' outlines are: the images reduced to binary "
        "figure/background masks and compared pixel by pixel (Kriegeskorte et al. 2008).",
    ),
    "RADON": (
        "image-computable", "Radon transform",
        "the images compared after a Radon transform (projections of the image at many "
        "angles), a low-level shape code (Kriegeskorte et al. 2008).",
    ),
}


@dataclass(frozen=True, eq=False)
class Rsa92Models(Mapping[str, np.ndarray]):
    """The reference models, in the order of the file; a mapping name -> (92, 92) RDM.

    Attributes:
        rdms: name -> (92, 92) float64 dissimilarity, symmetric with a zero diagonal.
        kind: name -> ``"category"``, ``"brain"`` or ``"image-computable"``.
        label: name -> readable label for tables and charts.
        description: name -> what the model is, with its source.
    """

    rdms: dict[str, np.ndarray]
    kind: dict[str, str]
    label: dict[str, str]
    description: dict[str, str]

    # Identity, as for the other containers of arrays: Mapping's own == would compare arrays.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.rdms[name]
        except KeyError:
            raise KeyError(f"No reference model {name!r}; the models are {list(self.rdms)}.") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.rdms)

    def __len__(self) -> int:
        return len(self.rdms)

    def names_of(self, kind: str) -> tuple[str, ...]:
        """The models of one kind, in file order."""
        if kind not in MODEL_KINDS:
            raise ValueError(f"Unknown model kind {kind!r}; choose one of {MODEL_KINDS}.")
        return tuple(name for name in self.rdms if self.kind[name] == kind)

    def stack(self, names: tuple[str, ...] | list[str] | None = None) -> np.ndarray:
        """(k, 92, 92) the RDMs of ``names`` (all models when ``None``), in that order."""
        return np.stack([self[name] for name in (self.rdms if names is None else names)])


def read_rsa92_models(path: Path) -> Rsa92Models:
    """Read the reference models of ``92_modelRDMs.mat``.

    Raises:
        DataError: the variable ``Models`` or a field is missing; a name is unknown, repeated
            or missing; a matrix is not numeric, not 92 x 92, not finite, not symmetric, has
            a non-zero diagonal or negative entries. The message names the file and the element.
    """
    path = Path(path)
    raw = read_mat(path)
    if KEY not in raw:
        raise DataError(f"{path}: no variable {KEY!r} (found {sorted(raw)}); is this 92_modelRDMs.mat?")
    rdms: dict[str, np.ndarray] = {}
    for k, element in enumerate(_struct_elements(raw[KEY], f"{path} {KEY}")):
        where = f"{path} {KEY}({k + 1})"
        name = _text(_struct_field(element, "name", where)).strip()
        if name not in MODEL_INFO:
            raise DataError(f"{where}: unknown model {name!r}; this loader knows {list(MODEL_INFO)}.")
        if name in rdms:
            raise DataError(f"{where}: model {name!r} occurs a second time.")
        rdms[name] = _checked_rdm(_struct_field(element, "RDM", where), where)
    missing = [name for name in MODEL_INFO if name not in rdms]
    if missing:
        raise DataError(f"{path}: the models {missing} are missing (found {list(rdms)}). Is the file complete?")
    return Rsa92Models(
        rdms=rdms,
        kind={name: MODEL_INFO[name][0] for name in rdms},
        label={name: MODEL_INFO[name][1] for name in rdms},
        description={name: MODEL_INFO[name][2] for name in rdms},
    )


def load_rsa92_models(cfg: Settings | None = None) -> Rsa92Models:
    """The eight reference models of the 92 images (Kriegeskorte et al. 2008), in file order.

    The file is fetched with its sha256 checked (see the demo manifest).

    Raises:
        DataError: the file is missing, altered or malformed; the message names it.
    """
    return read_rsa92_models(fetch(get_resource(MODEL_FILE), cfg or current_settings()))
