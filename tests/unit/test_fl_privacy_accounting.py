"""The accountant: epsilon from public parameters, checked against Opacus, the published
DP-SGD figures and the exact privacy of the Gaussian mechanism."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from opacus.accountants import PRVAccountant, RDPAccountant
from opacus.accountants.analysis.rdp import compute_rdp
from scipy.optimize import brentq
from scipy.stats import norm

from flchain.errors import ConfigError
from flchain.fl.privacy import (
    Mechanism,
    PrivacyParams,
    affordable_rounds,
    calibrate_noise,
    compute_epsilon,
    epsilon_after,
    epsilon_curve,
    round_mechanism,
    within_budget,
)

DELTA = 1e-5
MNIST = 60_000
MNIST_BATCH = 256


def sample_params(**changes: object) -> PrivacyParams:
    values: dict[str, object] = {
        "mode": "sample",
        "noise_multiplier": 1.1,
        "clip_norm": 1.0,
        "delta": DELTA,
        "sample_rate": 0.05,
    }
    values.update(changes)
    return PrivacyParams(**values)  # type: ignore[arg-type]


def test_epsilon_equals_opacus_reference_when_parameters_are_opacus_own_test_case() -> None:
    # opacus/tests/accountants_test.py: z = 1.5, q = 0.04, int(90 / 0.04) = 2250 steps for RDP
    # and int(90 // 0.04) = 2249 (floor division of floats) for PRV.
    rdp = compute_epsilon([Mechanism(1.5, 0.04, 2250)], DELTA, "rdp")
    prv = compute_epsilon([Mechanism(1.5, 0.04, 2249)], DELTA, "prv")

    assert rdp == pytest.approx(7.32911117143, rel=1e-9)
    assert prv == pytest.approx(6.777395712150674, rel=1e-6)


def test_epsilon_equals_opacus_accountant_stepped_once_per_dp_sgd_step_when_rounds_compose() -> (
    None
):
    params = sample_params(noise_multiplier=0.9, sample_rate=0.03)
    epochs, rounds = 2, 3
    reference = RDPAccountant()
    for _ in range(rounds * epochs * round(1 / 0.03)):
        reference.step(noise_multiplier=0.9, sample_rate=0.03)

    ours = epsilon_after(params, epochs, rounds)

    assert ours == pytest.approx(reference.get_epsilon(delta=DELTA), rel=1e-12)


@pytest.mark.parametrize(
    ("noise", "epochs", "published"),
    [(1.3, 15, 1.19), (1.1, 60, 3.01), (0.7, 45, 7.10)],
)
def test_rdp_reproduces_published_mnist_figures_and_ours_is_tighter_when_settings_are_tf_privacy(
    noise: float, epochs: int, published: float
) -> None:
    # TensorFlow Privacy's MNIST DP-SGD table (tutorials/README.md): N = 60000, batch 256,
    # delta = 1e-5. It converted RDP with Mironov 2017 (eps = rdp - log(delta) / (a - 1));
    # Opacus 1.6 uses Balle et al. 2020, which is never looser.
    sample_rate = MNIST_BATCH / MNIST
    steps = math.ceil(epochs * MNIST / MNIST_BATCH)
    orders = np.array(RDPAccountant.DEFAULT_ALPHAS)
    rdp = np.array(compute_rdp(q=sample_rate, noise_multiplier=noise, steps=steps, orders=orders))

    classical = float(np.min(rdp - math.log(DELTA) / (orders - 1)))
    ours = compute_epsilon([Mechanism(noise, sample_rate, steps)], DELTA)

    assert round(classical, 2) == published
    assert ours <= classical
    assert ours > 0.75 * classical  # the same order: a better conversion, not another mechanism


def exact_gaussian_epsilon(mu: float, delta: float) -> float:
    """The exact epsilon of a mu-GDP mechanism (Dong, Roth & Su 2019, Corollary 2.13): the
    composition of T Gaussian mechanisms with noise multiplier z is exactly sqrt(T)/z-GDP."""

    def excess(eps: float) -> float:
        return float(norm.cdf(-eps / mu + mu / 2) - math.exp(eps) * norm.cdf(-eps / mu - mu / 2))

    return float(brentq(lambda eps: excess(eps) - delta, 0.0, 100.0))


@pytest.mark.parametrize(("noise", "rounds"), [(1.0, 1), (2.0, 10), (5.0, 30)])
def test_accountants_bound_the_exact_gaussian_epsilon_when_mode_is_client(
    noise: float, rounds: int
) -> None:
    params = PrivacyParams("client", noise, 1.0, DELTA)
    exact = exact_gaussian_epsilon(math.sqrt(rounds) / noise, DELTA)

    rdp = epsilon_after(params, 1, rounds)
    prv = epsilon_after(PrivacyParams("client", noise, 1.0, DELTA, accountant="prv"), 1, rounds)

    assert exact <= rdp < 1.25 * exact  # RDP: a valid, slightly loose upper bound
    # PRV returns the upper end of an estimate whose error is bounded by eps_error = 0.01 on
    # each side: an upper bound within 2 * eps_error of the truth.
    assert exact <= prv <= exact + 2 * 0.01


def test_round_mechanism_counts_steps_per_epoch_as_the_inverse_sampling_rate() -> None:
    params = sample_params(sample_rate=16 / 288)

    mechanism = round_mechanism(params, epochs=2)

    assert mechanism == Mechanism(1.1, 16 / 288, 2 * 18)
    assert round_mechanism(PrivacyParams("client", 2.0, 1.0, DELTA), 5) == Mechanism(2.0, 1.0, 1)


def test_epsilon_curve_grows_with_rounds_when_rounds_add_up() -> None:
    curve = epsilon_curve(sample_params(), 1, 6)

    assert all(a < b for a, b in itertools.pairwise(curve))
    assert epsilon_after(sample_params(), 1, 0) == 0.0


def test_budget_allows_exactly_the_rounds_whose_epsilon_fits_when_budget_is_set() -> None:
    curve = epsilon_curve(sample_params(), 2, 10)
    budget = (curve[3] + curve[4]) / 2  # 4 rounds fit, the 5th does not
    params = sample_params(epsilon=budget)

    assert affordable_rounds(params, 2, 10) == 4
    assert within_budget(params, 2, 4)
    assert not within_budget(params, 2, 5)
    assert affordable_rounds(sample_params(), 2, 10) == 10  # no budget


@pytest.mark.parametrize("target", [1.0, 3.0, 8.0])
def test_calibrated_noise_spends_the_budget_within_tolerance_when_rounds_are_run(
    target: float,
) -> None:
    mechanism = round_mechanism(sample_params(), 2)

    noise = calibrate_noise(target, DELTA, mechanism, rounds=10)
    spent = epsilon_after(sample_params(noise_multiplier=noise), 2, 10)

    assert target - 0.01 <= spent <= target


def test_calibrate_noise_refuses_a_budget_that_is_not_positive() -> None:
    with pytest.raises(ConfigError, match="budget"):
        calibrate_noise(0.0, DELTA, Mechanism(1.0, 0.1, 10), rounds=1)


def test_prv_accountant_is_the_one_opacus_builds_when_named_prv() -> None:
    reference = PRVAccountant()
    reference.history = [(1.0, 0.1, 50)]

    ours = compute_epsilon([Mechanism(1.0, 0.1, 50)], DELTA, "prv")

    assert ours == pytest.approx(reference.get_epsilon(delta=DELTA, eps_error=0.01), rel=1e-9)
