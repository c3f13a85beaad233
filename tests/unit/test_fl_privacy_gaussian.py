"""Client-level DP: clipping bounds norms, the noise has the calibrated std, distributed
shares sum to the target noise, everything is deterministic for a seed.

Statistical tests use a fixed seed and a tolerance of 6 standard errors of the estimator
(for a sample variance of m normal draws, the standard error of s^2 / sigma^2 is
sqrt(2 / (m - 1))); a correct implementation passes, and a std off by 1% fails.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from flchain.errors import ConfigError
from flchain.fl.privacy import (
    clip_update,
    gaussian_noise,
    noise_std,
    privatize_update,
    update_norm,
)

DRAWS = 1_000_000
SIGMAS = 6.0


def variance_tolerance(draws: int) -> float:
    return SIGMAS * math.sqrt(2.0 / (draws - 1))


@settings(max_examples=200, deadline=None)
@given(
    update=arrays(np.float32, st.integers(1, 200), elements=st.floats(-1e3, 1e3, width=32)),
    clip=st.floats(1e-3, 1e3),
)
def test_clip_update_bounds_the_norm_and_keeps_the_direction_when_any_update_is_clipped(
    update: np.ndarray, clip: float
) -> None:
    clipped = clip_update(update, clip)

    assert update_norm(clipped) <= clip * (1 + 1e-6)
    if update_norm(update) <= clip:
        np.testing.assert_allclose(clipped, update, rtol=1e-6)
    else:
        scale = clip / update_norm(update)
        np.testing.assert_allclose(clipped, update * scale, rtol=1e-5, atol=1e-30)


def test_clip_update_reaches_the_bound_when_the_update_is_longer() -> None:
    update = np.full(1000, 3.0, dtype=np.float32)

    clipped = clip_update(update, 2.5)

    assert update_norm(clipped) == pytest.approx(2.5, rel=1e-6)


def test_clip_update_refuses_nan_when_the_update_is_not_finite() -> None:
    with pytest.raises(ConfigError, match="NaN"):
        clip_update(np.array([1.0, np.nan], dtype=np.float32), 1.0)


def test_gaussian_noise_has_the_calibrated_std_and_zero_mean_when_drawn_with_a_seed() -> None:
    std = 0.37

    noise = gaussian_noise(DRAWS, std, seed=7).astype(np.float64)

    assert abs(noise.mean()) < SIGMAS * std / math.sqrt(DRAWS)
    assert abs(noise.var(ddof=1) / std**2 - 1) < variance_tolerance(DRAWS)
    # and it is Gaussian: Kolmogorov-Smirnov against N(0, std^2) on a subsample
    assert stats.kstest(noise[:20_000], "norm", args=(0.0, std)).pvalue > 1e-3


def test_variance_check_fails_when_the_std_is_one_percent_off() -> None:
    noise = gaussian_noise(DRAWS, 0.37 * 1.01, seed=7).astype(np.float64)

    assert abs(noise.var(ddof=1) / 0.37**2 - 1) > variance_tolerance(DRAWS)


def test_gaussian_noise_is_identical_for_a_seed_and_differs_for_another() -> None:
    assert np.array_equal(gaussian_noise(1000, 1.0, 3), gaussian_noise(1000, 1.0, 3))
    assert not np.array_equal(gaussian_noise(1000, 1.0, 3), gaussian_noise(1000, 1.0, 4))


@pytest.mark.parametrize(
    ("participants", "colluders", "shares"), [(10, 0, 10), (10, 3, 7), (10, 9, 1), (4, 10, 1)]
)
def test_noise_std_splits_the_target_variance_over_honest_shares(
    participants: int, colluders: int, shares: int
) -> None:
    assert noise_std(2.0, 1.5, participants, colluders) == pytest.approx(3.0 / math.sqrt(shares))


def test_sum_of_distributed_shares_carries_the_target_noise_when_every_member_adds_its_share() -> (
    None
):
    participants, clip, z = 20, 0.5, 1.2
    size = DRAWS // participants
    std = noise_std(clip, z, participants, colluders=0)

    total = sum(
        gaussian_noise(size, std, seed=100 + i).astype(np.float64) for i in range(participants)
    )

    assert abs(total.var(ddof=1) / (z * clip) ** 2 - 1) < variance_tolerance(size)


def test_honest_shares_alone_carry_the_target_noise_when_colluders_remove_theirs() -> None:
    participants, colluders, clip, z = 12, 4, 1.0, 0.8
    std = noise_std(clip, z, participants, colluders)

    honest = sum(
        gaussian_noise(100_000, std, seed=i).astype(np.float64)
        for i in range(participants - colluders)
    )

    assert abs(honest.var(ddof=1) / (z * clip) ** 2 - 1) < variance_tolerance(100_000)


def test_privatize_update_releases_parent_plus_clipped_update_plus_noise_when_seeded() -> None:
    rng = np.random.default_rng(0)
    parent = rng.normal(size=5000).astype(np.float32)
    trained = parent + rng.normal(scale=0.1, size=5000).astype(np.float32)
    kwargs = {"clip_norm": 1.0, "noise_multiplier": 0.5, "participants": 5, "colluders": 0}

    released = privatize_update(trained, parent, seed=11, **kwargs)  # type: ignore[arg-type]

    expected_noise = gaussian_noise(5000, 0.5 / math.sqrt(5), 11).astype(np.float64)
    clipped = clip_update(trained.astype(np.float64) - parent, 1.0).astype(np.float64)
    np.testing.assert_allclose(released, parent + clipped + expected_noise, rtol=0, atol=1e-6)
    assert np.array_equal(released, privatize_update(trained, parent, seed=11, **kwargs))  # type: ignore[arg-type]


def test_privatize_update_refuses_models_of_different_shapes() -> None:
    with pytest.raises(ConfigError, match="shape"):
        privatize_update(
            np.zeros(3, np.float32),
            np.zeros(4, np.float32),
            clip_norm=1.0,
            noise_multiplier=1.0,
            participants=2,
            colluders=0,
            seed=0,
        )
