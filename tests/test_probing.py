"""Linear probing: loss and gradient against a loop, planted structure, folds, file layout."""

from __future__ import annotations

import numpy as np
import pytest

from humanalign.datasets import simulate_triplets
from humanalign.measures import (
    ProbeTransform,
    fit_probe,
    object_folds,
    odd_one_out_accuracy,
    probe_loss,
    standardise,
)


def _loop_loss_and_grad(x, t, w, b, lam, alpha):
    """Per-triplet loss and its analytic gradient, one triplet at a time."""
    z = x @ w + (b if b is not None else 0)
    loss = 0.0
    gw = np.zeros_like(w)
    gb = np.zeros(w.shape[1])
    for a, bb, c in t:
        pairs = [(a, bb), (a, c), (bb, c)]
        s = np.array([z[i] @ z[j] for i, j in pairs])
        p = np.exp(s - s.max())
        p /= p.sum()
        loss += -np.log(p[0])
        for k, (i, j) in enumerate(pairs):
            coef = p[k] - (k == 0)
            gw += coef * (np.outer(x[i], z[j]) + np.outer(x[j], z[i]))
            gb += coef * (z[i] + z[j])
    n = len(t)
    loss, gw, gb = loss / n, gw / n, gb / n
    norm = np.linalg.norm(w)
    loss += lam * norm
    gw += lam * w / norm
    m = np.trace(w) / w.shape[0]
    dev = w - m * np.eye(w.shape[0])
    loss += alpha * (dev**2).sum()
    # d/dW of ||W - mean(diag W) I||^2 is 2 (W - m I): the trace part of the chain rule
    # vanishes because W - m I has zero trace.
    gw += 2 * alpha * dev
    return loss, gw, gb


@pytest.mark.parametrize("with_bias", [False, True])
def test_loss_and_gradient_match_loop(rng, with_bias):
    x = rng.normal(size=(12, 4))
    t = np.array([rng.choice(12, 3, replace=False) for _ in range(60)])
    w = rng.normal(size=(4, 4)) * 0.5
    b = rng.normal(size=4) if with_bias else None
    loss, gw, gb = probe_loss(x, t, w, b, lambda_=0.03, identity_weight=0.2)
    ref_loss, ref_gw, ref_gb = _loop_loss_and_grad(x, t, w, b, 0.03, 0.2)
    assert loss == pytest.approx(ref_loss, rel=1e-10)
    np.testing.assert_allclose(gw, ref_gw, rtol=1e-8, atol=1e-12)
    if with_bias:
        np.testing.assert_allclose(gb, ref_gb, rtol=1e-8, atol=1e-12)
    else:
        assert gb is None


def test_standardise_uses_global_scalars(rng):
    x = rng.normal(size=(10, 3)) * [1, 10, 100] + 5
    z, mean, std = standardise(x)
    assert mean == pytest.approx(x.mean()) and std == pytest.approx(x.std())
    np.testing.assert_allclose(z, (x - x.mean()) / x.std())
    with pytest.raises(ValueError, match="constant"):
        standardise(np.ones((4, 2)))


def test_object_folds_partition(rng):
    folds = object_folds(100, 3, seed=1)
    assert sorted(np.bincount(folds)) == [33, 33, 34]
    np.testing.assert_array_equal(folds, object_folds(100, 3, seed=1))
    assert not np.array_equal(folds, object_folds(100, 3, seed=2))
    with pytest.raises(ValueError, match="too few for 3 object-wise folds"):
        object_folds(8, 3)


@pytest.fixture(scope="module")
def planted():
    """Features whose first two dimensions, rotated and scaled, drive the choices."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 8))
    hidden = x[:, :2] @ (rng.normal(size=(2, 2)) * 2.0)
    triplets = simulate_triplets(hidden, 30_000, seed=1)
    result = fit_probe(x, triplets, lambdas=(1e-2, 1e-4), n_folds=3, seed=0, device="cpu", max_iter=60)
    return x, hidden, triplets, result


def test_probe_recovers_planted_transform(planted):
    x, hidden, triplets, result = planted
    held_out = triplets.indices[result.test_mask]
    ceiling = odd_one_out_accuracy(hidden, held_out, "dot")
    assert result.accuracy == pytest.approx(float(result.test_correct[result.test_mask].mean()), abs=0.02)
    assert result.accuracy > ceiling - 0.03
    assert result.accuracy > result.zero_shot + 0.1
    assert result.zero_shot == pytest.approx(odd_one_out_accuracy(x, held_out), abs=0.02)


def test_cv_table_and_lambda_choice(planted):
    _, _, triplets, result = planted
    cv = result.cv
    assert len(cv) == 6 and set(cv["fold"]) == {0, 1, 2}
    assert {"train_loss", "test_loss", "test_accuracy", "zero_shot_accuracy", "n_train", "n_test"} <= set(cv.columns)
    means = cv.groupby("lambda_")["test_loss"].mean()
    assert result.lambda_ == means.idxmin()
    # Object-wise folds: a test triplet never shares an object with that fold's training set,
    # so each fold's train and test triplets together are fewer than all triplets.
    per_fold = cv.groupby("fold")[["n_train", "n_test"]].first().sum(axis=1)
    assert (per_fold < len(triplets)).all()
    assert result.test_mask.sum() == cv.groupby("fold")["n_test"].first().sum()


def test_refitted_transform_applies_and_round_trips(planted, tmp_path):
    x, hidden, triplets, result = planted
    tr = result.transform
    assert tr.weights.shape == (8, 8) and tr.bias is None
    assert tr.mean == pytest.approx(x.mean()) and tr.std == pytest.approx(x.std())
    z = tr.apply(x)
    np.testing.assert_allclose(z, ((x - tr.mean) / tr.std) @ tr.weights)
    assert odd_one_out_accuracy(z, triplets, "dot") > odd_one_out_accuracy(x, triplets) + 0.1
    path = tr.save_npz(tmp_path / "probe" / "transform.npz")
    with np.load(path) as data:
        assert sorted(data.files) == ["bias", "mean", "std", "weights"]
        # What thingsvision does with the file: standardise, multiply, add the bias.
        tv = ((x - data["mean"]) / data["std"]) @ data["weights"] + data["bias"]
    np.testing.assert_allclose(tv, z)
    back = ProbeTransform.load_npz(path)
    np.testing.assert_allclose(back.apply(x), z)
    with pytest.raises(ValueError, match="expects 8"):
        tr.apply(x[:, :5])


def test_bias_and_identity_options(rng):
    x = rng.normal(size=(45, 5))
    t = simulate_triplets(x[:, :2] * 2, 6000, seed=2)
    with_bias = fit_probe(x, t, lambdas=(1e-3,), device="cpu", bias=True, max_iter=30)
    assert with_bias.transform.bias is not None and with_bias.transform.bias.shape == (5,)
    pulled = fit_probe(x, t, lambdas=(1e-3,), device="cpu", identity_weight=100.0, max_iter=30)
    w = pulled.transform.weights
    off = w - np.trace(w) / 5 * np.eye(5)
    assert np.abs(off).max() < 0.05 * np.abs(np.diag(w)).mean()


def test_bad_input(rng):
    x = rng.normal(size=(20, 3))
    t = simulate_triplets(x, 500, seed=0)
    with pytest.raises(ValueError, match="too few"):
        fit_probe(x[:8], simulate_triplets(x[:8], 100, seed=0), device="cpu")
    with pytest.raises(ValueError, match="test triplets"):
        fit_probe(x, t.indices[:3], device="cpu")
    bad = x.copy()
    bad[3, 0] = np.inf
    with pytest.raises(ValueError, match="row 3"):
        fit_probe(bad, t, device="cpu")
    with pytest.raises(ValueError, match="lambdas"):
        fit_probe(x, t, lambdas=(), device="cpu")
    with pytest.raises(ValueError, match="outside 0..19"):
        fit_probe(x, np.array([[0, 1, 25]]), device="cpu")


@pytest.fixture
def wide_problem():
    """Fewer objects than features, so the reduced coordinates are in use."""
    gen = np.random.default_rng(3)
    x = gen.normal(size=(40, 90))
    triplets = simulate_triplets(x @ gen.normal(size=(90, 6)), 6000, seed=1).indices
    return x, triplets


@pytest.mark.parametrize("options", [{}, {"bias": True}, {"identity_weight": 0.1}])
def test_reduced_coordinates_match_full_matrix_fit(wide_problem, monkeypatch, options):
    """With n < p the low-dimensional parametrisation reaches the same fits as the full W.

    Both optimise the same objective over the same reachable weights; torch's L-BFGS sizes
    its first step by the gradient's L1 norm, which depends on the coordinates, so the paths
    differ slightly and the comparison is made at convergence.
    """
    from humanalign.measures import probe_device

    monkeypatch.setattr(probe_device, "_DTYPE", "float64")
    x, triplets = wide_problem
    fast = fit_probe(x, triplets, lambdas=(0.01,), max_iter=300, **options)
    full = fit_probe(x, triplets, lambdas=(0.01,), max_iter=300, reduce=False, **options)
    np.testing.assert_allclose(fast.cv["train_loss"], full.cv["train_loss"], atol=2e-4)
    assert fast.accuracy == pytest.approx(full.accuracy, abs=0.01)
    assert fast.accuracy > fast.zero_shot - 0.05


def test_reduced_solution_expands_to_weights_with_the_same_loss(wide_problem):
    """The (p, p) weights built from reduced coordinates give the loss that was optimised."""
    import torch

    from humanalign.measures import probe_solver

    x, triplets = wide_problem
    xs, _, _ = standardise(x)
    xt = torch.as_tensor(xs, dtype=torch.float64)
    space = probe_solver.reduced_space(xt, reduce=True)
    assert space.v is not None and space.r == 40 and space.rest == 50
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(40, 40, generator=gen, dtype=torch.float64) * 0.1
    cp = torch.tensor(0.7, dtype=torch.float64)
    beta = torch.randn(40, generator=gen, dtype=torch.float64)
    pairs = probe_solver.flat_pairs(triplets, 40, "cpu")
    z = space.xr @ a + beta
    reduced = probe_solver.data_loss((z @ z.T).reshape(-1), pairs) + probe_solver.penalty(
        space, a, cp, 0.01, 0.2
    )
    w, b = probe_solver.full_weights(space, a, cp, beta)
    loss, _, _ = probe_loss(xs, triplets, w.numpy(), b.numpy(), lambda_=0.01, identity_weight=0.2)
    assert float(reduced) == pytest.approx(loss, rel=1e-10)
    # Similarities of new objects use the complement part c (I - V V^T) too.
    x_new = torch.randn(7, 90, generator=gen, dtype=torch.float64)
    expected = (x_new @ w + b) @ (x_new @ w + b).T
    got = probe_solver.held_out_similarity(space, (a, cp, beta), x_new)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-9)


# --- convergence report and start points ---------------------------------------------------


def test_fit_that_stops_on_its_iteration_cap_is_reported_as_such(planted):
    from humanalign.measures import convergence_summary

    x, _, triplets, _ = planted
    capped = fit_probe(x, triplets, lambdas=(1e-2, 1e-4), n_folds=3, seed=0, device="cpu", max_iter=2)
    conv = capped.convergence
    assert conv.hit_iteration_cap and conv.stopped_on in ("iteration cap", "evaluation cap")
    assert 1 <= conv.n_iter <= 2 and conv.grad_norm > 1e-3
    cv = capped.cv
    assert cv["hit_iteration_cap"].all() and (cv["n_iter"] <= 2).all()
    assert set(cv["stopped_on"]) <= {"iteration cap", "evaluation cap"}
    summary = convergence_summary(capped)
    assert summary["probe_refit_hit_cap"] == 1.0
    assert summary["probe_grid_fits_hit_cap"] == summary["probe_grid_fits"] == 6.0
    assert summary["probe_grid_max_n_iter"] <= 2
    # The grid (1e-4, 1e-2) has two values, so whichever is chosen lies on its edge.
    assert summary["probe_lambda_at_edge"] == 1.0


def test_converged_fit_is_reported_as_converged(planted):
    from humanalign.measures import convergence_summary

    _, _, _, result = planted  # max_iter=60, far more than these fits need
    conv = result.convergence
    assert not conv.hit_iteration_cap and conv.stopped_on in ("gradient", "loss or step change")
    assert 0 < conv.n_iter < 60 and conv.n_evals >= conv.n_iter
    assert conv.grad_norm < 1e-2 and conv.rel_change < 1e-5
    assert not result.cv["hit_iteration_cap"].any()
    assert summary_keys() == set(convergence_summary(result))
    assert convergence_summary(result)["probe_grid_fits_hit_cap"] == 0.0


def summary_keys():
    return {
        "probe_refit_n_iter", "probe_refit_grad_norm", "probe_refit_rel_change", "probe_refit_hit_cap",
        "probe_grid_fits", "probe_grid_fits_hit_cap", "probe_grid_max_n_iter", "probe_grid_max_grad_norm",
        "probe_lambda_at_edge",
    }


def test_reported_gradient_norm_matches_probe_loss_gradient(planted, monkeypatch):
    """The report's gradient is the objective's gradient at the returned weights."""
    from humanalign.measures import probe_device

    monkeypatch.setattr(probe_device, "_DTYPE", "float64")
    x, _, triplets, _ = planted
    result = fit_probe(x, triplets, lambdas=(1e-2,), device="cpu", max_iter=5)
    xs, _, _ = standardise(x)
    _, grad, _ = probe_loss(xs, triplets, result.transform.weights, lambda_=1e-2)
    assert result.convergence.grad_norm == pytest.approx(np.linalg.norm(grad), rel=1e-6)
    assert result.convergence.grad_max == pytest.approx(np.abs(grad).max(), rel=1e-6)


def test_convergence_summary_needs_a_fitted_result(planted):
    from dataclasses import replace

    from humanalign.measures import convergence_summary

    bare = replace(planted[3], convergence=None)
    with pytest.raises(ValueError, match="no convergence report"):
        convergence_summary(bare)


def test_identity_and_random_starts_reach_the_same_optimum(planted):
    from humanalign.measures import check_start_points

    x, _, triplets, result = planted
    check = check_start_points(x, triplets, lambda_=1e-3, seeds=(1, 2), device="cpu", max_iter=200,
                               path_lambdas=(1e-4, 1e-3))
    table = check.table
    assert list(table["start"]) == ["identity", "path from 0.0001", "random (seed 1)", "random (seed 2)"]
    assert not table["hit_iteration_cap"].any()
    # Same penalised training objective to float32 precision, same held-out loss within 1e-3.
    assert table["objective"].max() - table["objective"].min() < 1e-5
    assert check.spread == pytest.approx(table["test_loss"].max() - table["test_loss"].min())
    assert check.tolerance == 1e-3 and check.agree
    # Fold 0 at this lambda is the same fit fit_probe makes (identity start, same split).
    row = result.cv[(result.cv["fold"] == 0)]
    assert table["test_loss"].iloc[0] == pytest.approx(row["test_loss"].min(), abs=5e-3)


def test_random_starts_really_start_elsewhere(planted):
    """With one iteration the starts are still apart: the check would see a bad start."""
    from humanalign.measures import check_start_points

    x, _, triplets, _ = planted
    check = check_start_points(x, triplets, lambda_=1e-3, device="cpu", max_iter=1, tolerance=1e-3, path_lambdas=())
    assert check.table["hit_iteration_cap"].all()
    assert check.spread > 1e-3 and not check.agree


def test_start_check_in_reduced_coordinates(wide_problem):
    from humanalign.measures import check_start_points

    x, triplets = wide_problem
    check = check_start_points(x, triplets, lambda_=1e-2, device="cpu", max_iter=300, tolerance=0.05,
                               path_lambdas=())
    assert len(check.table) == 3 and check.agree
    assert check.table["objective"].max() - check.table["objective"].min() < 1e-4
    with pytest.raises(ValueError, match="fold must be"):
        check_start_points(x, triplets, fold=3, device="cpu")


def test_start_check_exposes_the_trap_at_zero():
    """A cold start under a strong penalty can stop at the local minimum near W = 0.

    Few training triplets and a strong penalty: the identity start shrinks to W ~ 0
    (objective log 3), while the path from weak lambdas keeps a solution with a lower
    objective. The check must show the difference, not hide it.
    """
    from humanalign.measures import check_start_points

    gen = np.random.default_rng(5)
    x = gen.normal(size=(60, 40))
    # Choices driven by 2 of 40 dimensions: the scaled identity explains little of them.
    triplets = simulate_triplets(x[:, :2] @ gen.normal(size=(2, 2)) * 2.0, 3000, seed=2).indices
    check = check_start_points(x, triplets, lambda_=0.1, device="cpu", max_iter=200, seeds=(),
                               path_lambdas=(1e-3, 1e-2, 1e-1))
    obj = dict(zip(check.table["start"], check.table["objective"]))
    assert obj["identity"] == pytest.approx(np.log(3), abs=1e-3)
    assert obj["path from 0.001"] < np.log(3) - 0.5
    assert check.spread > 0.3 and not check.agree


def test_too_few_held_out_triplets_are_refused(rng):
    # Five triplets used to give an "accuracy" of 0.0 from a single test triplet.
    x = rng.normal(size=(30, 4))
    t = simulate_triplets(x, 5, seed=0)
    with pytest.raises(ValueError, match=r"test triplets in the smallest of 3 object-wise folds.*at least 10"):
        fit_probe(x, t, device="cpu")
    with pytest.raises(ValueError, match=r"n_folds must be a whole number >= 2, got 2\.9"):
        fit_probe(x, simulate_triplets(x, 2000, seed=0), n_folds=2.9, device="cpu")


# --- the rank-limited probe and answers scored by their fold's probe -----------------------


def test_leading_directions_keep_the_variance_of_the_exact_ones(rng):
    import torch

    from humanalign.measures.probe_solver import leading_directions

    x = torch.as_tensor(rng.normal(size=(300, 12)) @ rng.normal(size=(12, 80)) * 3 + rng.normal(size=(300, 80)))
    v = leading_directions(x, 10)
    assert v.shape == (80, 10)
    np.testing.assert_allclose((v.T @ v).numpy(), np.eye(10), atol=1e-10)  # orthonormal
    exact = torch.linalg.svd(x, full_matrices=False)[2][:10].T
    assert float((x @ v).pow(2).sum() / (x @ exact).pow(2).sum()) > 0.999
    assert torch.equal(v, leading_directions(x, 10))  # seeded: the same basis every time


def test_rank_limited_space_has_the_loss_of_its_full_weights(wide_problem):
    """A rank-limited probe is W = V a V^T + c (I - V V^T) with V the leading directions: its
    objective, written in the small coordinates (with the part of the features outside V
    scaled by c), is the objective of that full W, and so are new objects' similarities."""
    import torch

    from humanalign.measures import probe_solver

    x, triplets = wide_problem
    xs, _, _ = standardise(x)
    xt = torch.as_tensor(xs, dtype=torch.float64)
    space = probe_solver.reduced_space(xt, reduce=True, rank=8)
    assert space.r == 8 and space.rest == 82 and space.resid is not None
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(8, 8, generator=gen, dtype=torch.float64) * 0.2
    cp = torch.tensor(0.9, dtype=torch.float64)
    pairs = probe_solver.flat_pairs(triplets, 40, "cpu")
    value, _ = probe_solver.objective(space, (a, cp, None), pairs, 0.01, 0.0)
    w, _ = probe_solver.full_weights(space, a, cp, None)
    loss, _, _ = probe_loss(xs, triplets, w.numpy(), None, lambda_=0.01)
    assert float(value) == pytest.approx(loss, rel=1e-9)
    x_new = torch.randn(6, 90, generator=gen, dtype=torch.float64)
    np.testing.assert_allclose(probe_solver.held_out_similarity(space, (a, cp, None), x_new).numpy(),
                               ((x_new @ w) @ (x_new @ w).T).numpy(), atol=1e-9)
    # A rank at or above the width is the exact probe.
    assert probe_solver.reduced_space(xt, reduce=True, rank=500).resid is None


def test_answers_are_scored_by_the_probe_of_the_fold_that_held_out_their_objects(planted):
    from humanalign.measures import trial_folds

    x, _, triplets, _ = planted
    n = len(x)
    answers = np.stack([np.random.default_rng(k).choice(n, 3, replace=False) for k in range(30)])
    ids = np.arange(30)
    masks, fold = trial_folds(n, answers, ids, n_folds=3, seed=0)
    sets = [answers[fold == f] for f in range(3)]
    result = fit_probe(x, triplets, lambdas=(1e-2,), folds=masks, score=sets, device="cpu", rank=4)
    assert [len(s) for s in result.scored] == [len(s) for s in sets]
    assert all(s.dtype == bool for s in result.scored)
    # The fold's probe, refitted by hand on its training objects, makes the same choices.
    from humanalign.measures import probing

    problem = probing.fold_problem(x, triplets.indices, masks, 1, "cpu", True, 4)
    solution, _, _ = probing.fit(problem.space, problem.pairs_tr, 1e-2, 0.0, False, 100, 1e-6)
    local = probing.restrict_triplets(sets[1], problem.test_obj, n)
    _, correct = probing.evaluate(problem.space, solution, problem.x_te,
                                  probing.flat_pairs(local, len(problem.test_obj), "cpu"))
    assert np.array_equal(correct, result.scored[1])
    with pytest.raises(ValueError, match="trains on"):
        fit_probe(x, triplets, lambdas=(1e-2,), folds=masks, score=[sets[1], sets[2], sets[0]], device="cpu")
    with pytest.raises(ValueError, match="one per fold"):
        fit_probe(x, triplets, lambdas=(1e-2,), folds=masks, score=sets[:2], device="cpu")
