"""Human inferior temporal (IT) cortex fMRI dissimilarities of the 92 images.

Kriegeskorte et al. (2008, *Neuron*) scanned four people, each in two sessions, while they
looked at the 92 object photos of :mod:`.rsa92`; for each person and session the paper
gives one dissimilarity matrix of the responses of human IT (1 - the Pearson correlation of
two images' response patterns). The MATLAB RSA toolbox publishes them as
``rsa92/92_brainRDMs.mat`` (listed with its sha256 in the demo manifest).

Layout of the public file, as read with :func:`~.arrangements.read_mat`:

* one variable ``RDMs``, a 1 x 4 x 2 struct array (person x session) with fields ``RDM``,
  ``name`` and ``color``;
* ``RDM``: 92 x 92 single precision, symmetric, zero diagonal, no NaN, values 0 to 1.54;
* ``name``: ``"hIT | BE | Session: 1"``, ``"hIT | BE | Session: 2"``, ``"hIT | KO | ..."``:
  region, person (initials ``BE``, ``KO``, ``SN``, ``TI``, in this order) and session (1, 2);
* ``color``: ``[0 0 1]`` for every element, a plotting colour (not read).

The mean of the eight matrices equals, to the last digit, the human IT matrix of the
paper's Figure 1 (``RDMs_mIT_hIT_fig1(2)``, "hITvisStim_316vx", in
``Kriegeskorte_Neuron2008_supplementalData.mat``).

The loader does not rely on the order of the elements: it reads person and session from
each ``name`` and refuses a file in which a person lacks a session, a (person, session)
occurs twice or the names cover more than one region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import Settings, settings as current_settings
from ..errors import DataError
from ..fetch import fetch
from ..sources import get_resource
from .arrangements import _struct_field, read_mat
from .rsa92 import N_RSA92, _checked_rdm, _struct_elements, _text

__all__ = ["BRAIN_FILE", "BrainRdms", "load_rsa92_brain", "parse_rdm_name", "read_rsa92_brain"]

BRAIN_FILE = "rsa92/92_brainRDMs.mat"
KEY = "RDMs"
# "hIT | BE | Session: 1": region, person, session, separated by bars.
_NAME = re.compile(r"^\s*([^|]*?\S)\s*\|\s*([^|]*?\S)\s*\|\s*Session\s*:?\s*(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class BrainRdms:
    """Each person's dissimilarity matrices of one brain region, session by session.

    Attributes:
        rdms: (subjects, sessions, 92, 92) float64 dissimilarities (1 - Pearson r of the
            response patterns), symmetric with a zero diagonal.
        subjects: One name per person (initials, in the order of the file).
        sessions: The session numbers, ascending (the same for every person).
        region: The brain region (``"hIT"``: human inferior temporal cortex).
    """

    rdms: np.ndarray
    subjects: tuple[str, ...]
    sessions: tuple[int, ...]
    region: str

    def __post_init__(self) -> None:
        shape = (len(self.subjects), len(self.sessions), N_RSA92, N_RSA92)
        if np.shape(self.rdms) != shape:
            raise DataError(
                f"BrainRdms {self.region!r}: rdms has shape {np.shape(self.rdms)}, expected {shape} "
                "(subjects x sessions x 92 x 92)."
            )

    def per_subject(self) -> np.ndarray:
        """(subjects, 92, 92) each person's mean over sessions."""
        return self.rdms.mean(axis=1)

    def grand_mean(self) -> np.ndarray:
        """(92, 92) the mean over people and sessions (the paper's Figure 1 matrix)."""
        return self.rdms.mean(axis=(0, 1))


def parse_rdm_name(name: str, where: str) -> tuple[str, str, int]:
    """Region, person and session of a name such as ``"hIT | BE | Session: 1"``.

    Raises:
        DataError: the name does not have the form ``region | person | Session: number``.
    """
    match = _NAME.match(name)
    if match is None:
        raise DataError(
            f"{where}: name {name!r} does not read as 'region | person | Session: number' "
            "(e.g. 'hIT | BE | Session: 1'); the file is not a per-session brain RDM file."
        )
    return match.group(1), match.group(2), int(match.group(3))


def _read_elements(path: Path) -> list[tuple[str, str, int, np.ndarray, str]]:
    """(region, person, session, rdm, where) of each element of the struct array."""
    raw = read_mat(path)
    if KEY not in raw:
        raise DataError(f"{path}: no variable {KEY!r} (found {sorted(raw)}); is this 92_brainRDMs.mat?")
    value = raw[KEY]
    elements = _struct_elements(value, f"{path} {KEY}")
    out = []
    for idx, element in zip(np.ndindex(value.shape), elements):
        where = f"{path} {KEY}({', '.join(str(i + 1) for i in idx)})"
        region, person, session = parse_rdm_name(_text(_struct_field(element, "name", where)), where)
        out.append((region, person, session, _checked_rdm(_struct_field(element, "RDM", where), where), where))
    return out


def read_rsa92_brain(path: Path) -> BrainRdms:
    """Read the per-person, per-session matrices of ``92_brainRDMs.mat``.

    Returns:
        :class:`BrainRdms`, people in the order they first appear in the file, sessions
        ascending.

    Raises:
        DataError: the variable ``RDMs`` or a field is missing; a name does not parse; the
            names cover several regions; a matrix is not numeric, not 92 x 92, not finite,
            not symmetric, has a non-zero diagonal or negative entries; a (person, session)
            occurs twice; a person lacks a session; fewer than two people. The message names
            the file and the element.
    """
    path = Path(path)
    elements = _read_elements(path)
    regions = sorted({region for region, *_ in elements})
    if len(regions) != 1:
        raise DataError(f"{path}: the names cover the regions {regions}; expected one region per file.")
    found: dict[tuple[str, int], np.ndarray] = {}
    for _, person, session, rdm, where in elements:
        if (person, session) in found:
            raise DataError(f"{where}: person {person!r}, session {session} occurs a second time.")
        found[person, session] = rdm
    subjects = tuple(dict.fromkeys(person for person, _ in found))
    sessions = tuple(sorted({session for _, session in found}))
    for person in subjects:
        missing = [s for s in sessions if (person, s) not in found]
        if missing:
            raise DataError(
                f"{path}: person {person!r} has no matrix for session(s) {missing} (sessions found: "
                f"{list(sessions)}); every person needs every session. Is the file complete?"
            )
    if len(subjects) < 2:
        raise DataError(f"{path}: {len(subjects)} person found; comparing people needs at least two.")
    rdms = np.stack([np.stack([found[p, s] for s in sessions]) for p in subjects])
    return BrainRdms(rdms=rdms, subjects=subjects, sessions=sessions, region=regions[0])


def load_rsa92_brain(cfg: Settings | None = None) -> BrainRdms:
    """The human IT matrices of the 92 images: 4 people x 2 sessions (Kriegeskorte et al. 2008).

    The file is fetched with its sha256 checked (see the demo manifest).

    Raises:
        DataError: the file is missing, altered or malformed; the message names it.
    """
    return read_rsa92_brain(fetch(get_resource(BRAIN_FILE), cfg or current_settings()))
