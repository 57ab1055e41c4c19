"""Small-sample intervals against a textbook example and against plain formulas."""

import numpy as np
import pytest
from scipy import stats

from humanalign.measures import small_sample

# Student's sleep data (Cushny and Peebles 1905, analysed by Student 1908, Biometrika 6:1-25):
# extra hours of sleep of 10 patients under two drugs. The intervals below are those printed by
# R's t.test on its `sleep` data set (paired: 95 % CI of group 2 minus group 1 is
# [0.7001142, 2.4598858]; Welch, two samples: [-3.3654832, 0.2054832] for group 1 minus 2 on
# 17.776 degrees of freedom).
DRUG_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
DRUG_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])


def test_paired_t_interval_matches_the_textbook():
    mean, low, high = small_sample.t_interval(DRUG_2 - DRUG_1)
    assert mean == pytest.approx(1.58)
    assert (low, high) == pytest.approx((0.7001142, 2.4598858), abs=1e-6)


def test_welch_interval_from_two_components_matches_the_textbook():
    components = [small_sample.mean_variance(DRUG_1), small_sample.mean_variance(DRUG_2)]
    low, high, df = small_sample.satterthwaite_interval(DRUG_1.mean() - DRUG_2.mean(), components)
    assert df == pytest.approx(17.776, abs=1e-3)
    assert (low, high) == pytest.approx((-3.3654832, 0.2054832), abs=1e-6)


def test_t_interval_agrees_with_scipy_on_random_data():
    rng = np.random.default_rng(3)
    for n in (2, 4, 9):
        x = rng.normal(size=n)
        _, low, high = small_sample.t_interval(x, level=0.9)
        ci = stats.ttest_1samp(x, 0).confidence_interval(0.9)
        assert (low, high) == pytest.approx((ci.low, ci.high))


def test_satterthwaite_df_against_a_plain_loop():
    rng = np.random.default_rng(0)
    v, d = rng.random(4), rng.integers(1, 30, size=4).astype(float)
    num = sum(v) ** 2
    den = 0.0
    for vi, di in zip(v, d):
        den += vi * vi / di
    assert small_sample.satterthwaite_df(v, d) == pytest.approx(num / den)


def test_one_component_keeps_its_degrees_of_freedom():
    x = np.array([0.42, 0.29, 0.45, 0.33])
    low, high, df = small_sample.satterthwaite_interval(x.mean(), [small_sample.mean_variance(x)])
    assert df == pytest.approx(3)
    assert (low, high) == pytest.approx(small_sample.t_interval(x)[1:])


def test_a_small_component_widens_a_large_one():
    # A component with 3 degrees of freedom drags the total towards few degrees of freedom.
    low, high, df = small_sample.satterthwaite_interval(0.0, [(1.0, 3.0), (1.0, 1000.0)])
    assert df == pytest.approx(4 / (1 / 3 + 1 / 1000))
    assert high > stats.norm.ppf(0.975) * np.sqrt(2)


def test_resample_variance_leaves_out_nan():
    var, df = small_sample.resample_variance(np.array([1.0, 2.0, np.nan, 3.0]), 92)
    assert var == pytest.approx(1.0) and df == 91


@pytest.mark.parametrize("bad", [[1.0], [1.0, np.nan]])
def test_too_few_values_are_refused(bad):
    with pytest.raises(ValueError):
        small_sample.t_interval(bad)
    with pytest.raises(ValueError):
        small_sample.mean_variance(bad)


def test_bad_components_are_refused():
    with pytest.raises(ValueError):
        small_sample.satterthwaite_df([1.0, -1.0], [2, 2])
    with pytest.raises(ValueError):
        small_sample.satterthwaite_interval(0.0, [])


def test_people_images_interval_with_many_people_is_the_percentile_interval():
    rng = np.random.default_rng(1)
    per, two, img = rng.normal(size=12), rng.normal(size=400), rng.normal(size=400)
    est, low, high, how = small_sample.people_images_interval([(per, two, img)], 92)
    assert est == pytest.approx(per.mean())
    assert (low, high) == pytest.approx(tuple(np.percentile(two, [2.5, 97.5])))
    assert how.startswith("percentile")


def test_people_images_interval_with_few_people_sums_the_sources():
    rng = np.random.default_rng(2)
    few, many = rng.normal(size=4), rng.normal(size=16)
    img_a, img_b = rng.normal(size=500), rng.normal(size=500)
    est, low, high, how = small_sample.people_images_interval(
        [(many, rng.normal(size=500), img_a), (-few, rng.normal(size=500), -img_b)], 92)
    # Written out: the two panels' people and the images of the difference, Welch-Satterthwaite.
    v = [few.var(ddof=1) / 4, many.var(ddof=1) / 16, (img_a - img_b).var(ddof=1)]
    d = [3, 15, 91]
    df = sum(v) ** 2 / sum(vi ** 2 / di for vi, di in zip(v, d))
    half = stats.t.ppf(0.975, df) * np.sqrt(sum(v))
    assert est == pytest.approx(many.mean() - few.mean())
    assert (low, high) == pytest.approx((est - half, est + half))
    assert "16 and 4 people" in how
