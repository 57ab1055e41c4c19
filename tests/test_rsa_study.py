"""Clear errors of the RSA study's entry points on bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from humanalign import datasets, measures, study


def _profile():
    return study.make_profile(models=["x/y.z"], check_models=False, check_data=False)


def test_unknown_rsa_set_names_the_known_ones():
    with pytest.raises(ValueError, match="rsa92"):
        datasets.load_dataset("matrices", "no-such-set")


def test_profiles_score_the_92_images_and_the_arrangement_sets_on_request():
    assert study.rsa_sets_of(_profile()) == ("rsa92",)
    full = study.make_profile(models=["x/y.z"], dataset="things", transfer="arrangements",
                              check_models=False, check_data=False)
    assert study.rsa_sets_of(full) == ("rsa92",) + datasets.dataset_names("matrices", role="arrangements")
    assert "cichy118" in study.rsa_sets_of(full) and "peterson-fruits" in study.rsa_sets_of(full)


def test_a_study_result_refuses_an_unknown_human_data_set():
    profile = study.make_profile(models=["pypi/efficientnet_lite0.in1k"], check_data=False)
    with pytest.raises(ValueError, match="one of \\['rsa92', 'things'\\]"):
        study.StudyResult(profile, values={}).evidence("cichy")


def test_tables_without_the_needed_rows_are_refused_by_name():
    empty = pd.DataFrame({"model": ["a"], "dataset": ["things"], "layer": ["penultimate"],
                          "measure": ["zero_shot"], "value": [0.4]})
    with pytest.raises(ValueError, match="rsa92"):
        study.rsa_wide(empty, _profile(), "rsa92")
    with pytest.raises(ValueError, match="convergence"):
        study.probe_convergence(empty)


def test_interval_and_vector_inputs_are_checked():
    with pytest.raises(ValueError, match="level"):
        measures.percentile_interval([0.1, 0.2], level=1.5)
    with pytest.raises(ValueError, match="length"):
        measures.rsa_vectors([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="Unknown RSA method"):
        measures.rsa_vectors([1.0, 2.0, 3.0], [1.0, 2.0, 4.0], method="kendall")
