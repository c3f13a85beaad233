"""Attacks: what each one submits, and that the rules meant for it detect or bound it.

Setting: 20 participants, 4 malicious, updates are deltas from the global model; the
honest deltas are a common step plus per-client noise (as local SGD on IID shards).
"""

from __future__ import annotations

import numpy as np
import pytest

from flchain.errors import ConfigError, LearningError
from flchain.fl.aggregation import (
    AggregationResult,
    bulyan,
    fedavg,
    fltrust,
    krum,
    median,
    multi_krum,
    norm_clipping,
    trimmed_mean,
)
from flchain.fl.attacks import (
    ADAPTIVE_ATTACKS,
    adaptive,
    alie,
    alie_z,
    boosted,
    copier,
    free_rider,
    gaussian_noise,
    ipm,
    label_flip,
    min_max,
    min_sum,
    sign_flip,
)

PARTICIPANTS = 20
MALICIOUS = 4
PARAMETERS = 400


@pytest.fixture
def setting() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(global model, honest models of the 16 honest, their mean delta)."""
    rng = np.random.default_rng(42)
    global_model = rng.normal(0.0, 1.0, PARAMETERS).astype(np.float32)
    step = rng.normal(0.0, 0.05, PARAMETERS)
    noise = rng.normal(0.0, 0.02, (PARTICIPANTS, PARAMETERS))
    models = (global_model + step + noise).astype(np.float32)
    honest_mean = (models[MALICIOUS:] - global_model).astype(np.float64).mean(axis=0)
    return global_model, models, honest_mean


def _deltas(models: np.ndarray, global_model: np.ndarray) -> np.ndarray:
    return (models - global_model).astype(np.float32)


def _sign_flipped_deltas(
    global_model: np.ndarray, models: np.ndarray, scale: float = 1.0
) -> np.ndarray:
    """The deltas once the first ``MALICIOUS`` participants reverse their step, ``scale`` times."""
    for i in range(MALICIOUS):
        models[i] = sign_flip(models[i], global_model, scale=scale)
    return _deltas(models, global_model)


def _error(result: AggregationResult, honest_mean: np.ndarray) -> float:
    """Distance of the aggregate to the honest mean, relative to the honest step."""
    gap = np.linalg.norm(result.aggregate - honest_mean)
    return float(gap / np.linalg.norm(honest_mean))


def test_sign_flip_reverses_and_scales_the_step() -> None:
    global_model = np.array([1.0, 2.0], dtype=np.float32)
    update = np.array([1.5, 1.0], dtype=np.float32)

    flipped = sign_flip(update, global_model, scale=4.0)

    assert flipped.tolist() == [-1.0, 6.0]


def test_robust_rules_stay_close_to_the_honest_mean_when_4_of_20_flip_signs(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, honest_mean = setting
    deltas = _sign_flipped_deltas(global_model, models, scale=10.0)
    reference = honest_mean.astype(np.float32)  # the server's root-data step

    errors = {
        "fedavg": _error(fedavg(deltas), honest_mean),
        "median": _error(median(deltas), honest_mean),
        "trimmed_mean": _error(trimmed_mean(deltas, beta=0.2), honest_mean),
        "multi_krum": _error(multi_krum(deltas, num_malicious=MALICIOUS), honest_mean),
        "bulyan": _error(bulyan(deltas, num_malicious=MALICIOUS), honest_mean),
        "fltrust": _error(fltrust(deltas, reference=reference), honest_mean),
    }

    assert errors["fedavg"] > 2.0  # (16 - 40) / 20: the step points backwards
    assert all(error < 0.2 for name, error in errors.items() if name != "fedavg"), errors


def test_krum_and_multi_krum_reject_every_sign_flipper(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, _ = setting
    deltas = _sign_flipped_deltas(global_model, models, scale=10.0)

    assert not krum(deltas, num_malicious=MALICIOUS).accepted[:MALICIOUS].any()
    assert not multi_krum(deltas, num_malicious=MALICIOUS).accepted[:MALICIOUS].any()


def test_fltrust_gives_zero_trust_to_sign_flippers(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, honest_mean = setting
    deltas = _sign_flipped_deltas(global_model, models)

    result = fltrust(deltas, reference=honest_mean.astype(np.float32))

    assert result.accepted.tolist() == [False] * MALICIOUS + [True] * (PARTICIPANTS - MALICIOUS)


def test_boosted_scales_the_step_by_the_factor() -> None:
    global_model = np.array([1.0, 2.0], dtype=np.float32)

    assert boosted(np.array([1.5, 1.0], np.float32), global_model, factor=10.0).tolist() == [
        6.0,
        -8.0,
    ]


def test_norm_clipping_bounds_a_boosted_update_that_fedavg_lets_through(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, honest_mean = setting
    models[0] = boosted(models[0], global_model, factor=100.0)
    deltas = _deltas(models, global_model)

    clipped = norm_clipping(deltas)

    assert clipped.accepted.all()  # clipped, not dropped
    assert _error(clipped, honest_mean) < 0.2
    assert _error(fedavg(deltas), honest_mean) > 2.0


def test_krum_never_selects_a_boosted_update(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, _ = setting
    for i in range(MALICIOUS):
        models[i] = boosted(models[i], global_model, factor=5.0 + i)
    deltas = _deltas(models, global_model)

    for malicious in range(MALICIOUS, 9):
        assert not krum(deltas, num_malicious=malicious).accepted[:MALICIOUS].any()


def test_gaussian_noise_adds_seeded_noise_of_the_given_scale() -> None:
    update = np.zeros(100_000, dtype=np.float32)

    noisy = gaussian_noise(update, sigma=2.0, seed=1)

    assert noisy.std() == pytest.approx(2.0, rel=0.02)
    assert noisy.tobytes() == gaussian_noise(update, sigma=2.0, seed=1).tobytes()


def test_krum_rules_reject_and_median_damps_gaussian_noise_updates(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, honest_mean = setting
    for i in range(MALICIOUS):
        models[i] = gaussian_noise(models[i], sigma=1.0, seed=i)
    deltas = _deltas(models, global_model)

    assert not multi_krum(deltas, num_malicious=MALICIOUS).accepted[:MALICIOUS].any()
    assert not bulyan(deltas, num_malicious=MALICIOUS).accepted[:MALICIOUS].any()
    assert _error(median(deltas), honest_mean) < 0.3
    assert _error(fedavg(deltas), honest_mean) > 1.0


def test_label_flip_changes_every_label_consistently_per_class() -> None:
    labels = np.repeat(np.arange(10, dtype=np.int64), 5)

    flipped = label_flip(labels, num_classes=10, seed=3)

    assert not np.any(flipped == labels)
    mapping = {int(a): int(b) for a, b in zip(labels, flipped, strict=True)}
    assert sorted(mapping.values()) == list(range(10))  # a permutation of the classes
    assert flipped.tolist() == label_flip(labels, num_classes=10, seed=3).tolist()


@pytest.mark.parametrize(
    ("labels", "num_classes"), [(np.array([0, 1]), 1), (np.array([0, 10]), 10)]
)
def test_label_flip_raises_config_error_when_labels_or_classes_are_invalid(
    labels: np.ndarray, num_classes: int
) -> None:
    with pytest.raises(ConfigError):
        label_flip(labels, num_classes=num_classes, seed=0)


def test_free_rider_resubmits_the_global_model_so_its_delta_is_zero() -> None:
    global_model = np.arange(5, dtype=np.float32)

    submitted = free_rider(global_model)

    assert submitted.tobytes() == global_model.tobytes()
    assert submitted is not global_model


def test_fltrust_rejects_free_riders_and_fedavg_only_shrinks_the_step(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, honest_mean = setting
    for i in range(MALICIOUS):
        models[i] = free_rider(global_model)
    deltas = _deltas(models, global_model)

    trusted = fltrust(deltas, reference=honest_mean.astype(np.float32))
    averaged = fedavg(deltas)

    assert not trusted.accepted[:MALICIOUS].any()
    shrunk = honest_mean * (PARTICIPANTS - MALICIOUS) / PARTICIPANTS
    np.testing.assert_allclose(averaged.aggregate, shrunk, atol=1e-6)


def test_copier_submits_the_same_bytes_so_the_copy_is_detectable() -> None:
    victim = np.random.default_rng(0).standard_normal(50).astype(np.float32)

    copy = copier(victim)

    assert copy.tobytes() == victim.tobytes()


def test_rules_accept_or_reject_a_copied_update_together_with_its_original(
    setting: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    global_model, models, _ = setting
    models[0] = copier(models[7])
    deltas = _deltas(models, global_model)

    for result in (krum(deltas), multi_krum(deltas, num_to_keep=3), bulyan(deltas)):
        assert result.accepted[0] == result.accepted[7]


@pytest.mark.parametrize(
    "attack",
    [
        lambda: sign_flip(np.zeros(3, np.float32), np.zeros(4, np.float32)),
        lambda: boosted(np.zeros(3, np.float64), np.zeros(3, np.float32), factor=2.0),
        lambda: free_rider(np.zeros(3, np.float64)),
    ],
)
def test_attacks_raise_learning_error_when_vectors_do_not_fit(attack: object) -> None:
    assert callable(attack)
    with pytest.raises(LearningError):
        attack()


@pytest.mark.parametrize(
    "attack",
    [
        lambda: sign_flip(np.zeros(3, np.float32), np.zeros(3, np.float32), scale=-1.0),
        lambda: boosted(np.zeros(3, np.float32), np.zeros(3, np.float32), factor=float("inf")),
        lambda: gaussian_noise(np.zeros(3, np.float32), sigma=-0.1, seed=0),
    ],
)
def test_attacks_raise_config_error_when_a_parameter_is_invalid(attack: object) -> None:
    assert callable(attack)
    with pytest.raises(ConfigError):
        attack()


def test_alie_z_matches_baruch_when_twenty_participants_hold_four_attackers() -> None:
    # s = floor(20/2 + 1) - 4 = 7; z = Phi^-1(13/20) ~ 0.385
    assert alie_z(20, 4) == pytest.approx(0.3853, abs=1e-3)


def test_alie_returns_mean_minus_z_std_when_given_benign_rows() -> None:
    benign = np.array([[0.0, 2.0], [2.0, 2.0]], dtype=np.float32)

    forged = alie(benign, num_participants=20, num_malicious=4)

    assert forged.tolist() == pytest.approx([1.0 - alie_z(20, 4), 2.0])


def test_ipm_reverses_mean_step_when_eps_is_given() -> None:
    global_model = np.zeros(2, dtype=np.float32)
    benign = np.array([[1.0, 2.0], [3.0, 2.0]], dtype=np.float32)

    forged = ipm(benign, global_model, eps=0.5)

    assert forged.tolist() == [-1.0, -1.0]


@pytest.mark.parametrize("attack", [min_max, min_sum])
@pytest.mark.parametrize("perturbation", ["std", "unit", "sign"])
def test_min_max_and_min_sum_stay_within_honest_spread_when_forged(
    attack: object, perturbation: str
) -> None:
    rng = np.random.default_rng(1)
    global_model = np.zeros(8, dtype=np.float32)
    benign = (1.0 + rng.standard_normal((6, 8))).astype(np.float32)

    forged = attack(benign, global_model, perturbation=perturbation)  # type: ignore[operator]

    d = ((benign.astype(np.float64)[:, None] - benign[None]) ** 2).sum(axis=2)
    to_forged = ((benign.astype(np.float64) - forged) ** 2).sum(axis=1)
    mean = benign.astype(np.float64).mean(axis=0)
    if attack is min_max:
        assert to_forged.max() <= d.max() * (1 + 1e-5)
    else:
        assert to_forged.sum() <= d.sum(axis=1).max() * (1 + 1e-5)
    assert np.linalg.norm(forged - mean) > 0.5  # it does move away from the mean


def test_min_max_refuses_perturbation_when_unknown() -> None:
    benign = np.ones((2, 3), dtype=np.float32)
    with pytest.raises(ConfigError, match="perturbation"):
        min_max(benign, np.zeros(3, dtype=np.float32), perturbation="up")  # type: ignore[arg-type]


@pytest.mark.parametrize("attack", ADAPTIVE_ATTACKS)
def test_adaptive_forges_what_the_named_attack_forges(attack: str) -> None:
    rng = np.random.default_rng(7)
    global_model = rng.normal(size=PARAMETERS).astype(np.float32)
    benign = (global_model + rng.normal(0, 0.1, (6, PARAMETERS))).astype(np.float32)
    direct = {
        "alie": lambda: alie(benign, num_participants=PARTICIPANTS, num_malicious=MALICIOUS),
        "ipm": lambda: ipm(benign, global_model, eps=0.3),
        "min-max": lambda: min_max(benign, global_model),
        "min-sum": lambda: min_sum(benign, global_model),
    }[attack]()

    forged = adaptive(
        attack, benign, global_model, num_participants=PARTICIPANTS, num_malicious=MALICIOUS,
        ipm_eps=0.3,
    )  # fmt: skip

    np.testing.assert_array_equal(forged, direct)


def test_adaptive_names_the_choices_when_the_attack_is_unknown() -> None:
    model = np.zeros(3, dtype=np.float32)

    with pytest.raises(ConfigError, match="alie, ipm, min-max, min-sum"):
        adaptive("sign-flip", model[None, :], model, num_participants=5, num_malicious=1)
