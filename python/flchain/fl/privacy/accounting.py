"""Privacy accounting: the epsilon a participant has spent, from public parameters only.

Every round a participant contributes to releases the output of one mechanism, the same for
every round of a task (:func:`round_mechanism`):

- sample mode: ``epochs * round(1/q)`` steps of DP-SGD, the Poisson-subsampled Gaussian
  mechanism with sampling rate ``q`` and noise multiplier ``z``;
- client mode: one Gaussian mechanism on the participant's clipped update (``q = 1``, one
  step, noise multiplier ``z``: the noise the round's sum carries).

The accountant composes them: Opacus's ``RDPAccountant`` (Rényi DP of the subsampled
Gaussian, converted to ``(epsilon, delta)`` as in Balle et al. 2020, Opacus's default
orders) or ``PRVAccountant`` (numerical composition of privacy loss random variables,
tighter). A participant's epsilon after ``k`` contributed rounds is therefore a function of
the task document and ``k`` only: anyone can recompute it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flchain.errors import ConfigError
from flchain.fl.privacy.params import AccountantName, PrivacyParams

__all__ = [
    "Mechanism",
    "affordable_rounds",
    "calibrate_noise",
    "compute_epsilon",
    "epsilon_after",
    "epsilon_curve",
    "round_mechanism",
    "within_budget",
]

#: Opacus warns when the optimal RDP order is at an end of its grid; the bound it returns is
#: still valid (only looser), so the warning carries no action for a participant.
_EXTREME_ORDER = "Optimal order is the"
#: PRV's numerical error bound on epsilon (Opacus's default).
_PRV_EPS_ERROR = 0.01


@dataclass(frozen=True)
class Mechanism:
    """``steps`` compositions of the Gaussian mechanism with Poisson sampling rate
    ``sample_rate`` (1: no sampling) and noise multiplier ``noise_multiplier``: one entry
    of an Opacus accountant's history."""

    noise_multiplier: float
    sample_rate: float
    steps: int

    def times(self, rounds: int) -> Mechanism:
        """The same mechanism run ``rounds`` times in a row."""
        return Mechanism(self.noise_multiplier, self.sample_rate, self.steps * rounds)


def round_mechanism(params: PrivacyParams, epochs: int) -> Mechanism:
    """What one contributed round releases (see the module docstring)."""
    if epochs < 1:
        raise ConfigError(f"training.epochs must be >= 1, got {epochs}.")
    if params.mode == "client":
        return Mechanism(params.noise_multiplier, 1.0, 1)
    assert params.sample_rate is not None  # checked by PrivacyParams
    return Mechanism(params.noise_multiplier, params.sample_rate, epochs * params.steps_per_epoch)


def compute_epsilon(
    history: Sequence[Mechanism], delta: float, accountant: AccountantName = "rdp"
) -> float:
    """The epsilon (for ``delta``) of composing ``history``; 0.0 for an empty history."""
    from opacus.accountants import create_accountant  # lazily: Opacus is slow to import

    if not history or all(m.steps == 0 for m in history):
        return 0.0
    engine = create_accountant(mechanism=accountant)
    engine.history = [(m.noise_multiplier, m.sample_rate, m.steps) for m in history if m.steps]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_EXTREME_ORDER)
        if accountant == "prv":
            # Without subsampling (q = 1, client mode) Opacus's PRV takes log(1 - q) = -inf in
            # a branch it then discards; numpy's warning about it carries no information.
            with np.errstate(divide="ignore"):
                return float(engine.get_epsilon(delta=delta, eps_error=_PRV_EPS_ERROR))
        return float(engine.get_epsilon(delta=delta))


def epsilon_after(params: PrivacyParams, epochs: int, rounds: int) -> float:
    """A participant's cumulative epsilon after contributing to ``rounds`` rounds."""
    if rounds < 0:
        raise ConfigError(f"rounds must be >= 0, got {rounds}.")
    mechanism = round_mechanism(params, epochs).times(rounds)
    return compute_epsilon([mechanism], params.delta, params.accountant)


def epsilon_curve(params: PrivacyParams, epochs: int, rounds: int) -> tuple[float, ...]:
    """Cumulative epsilon after 1, 2, ..., ``rounds`` contributed rounds."""
    return tuple(epsilon_after(params, epochs, k) for k in range(1, rounds + 1))


def within_budget(params: PrivacyParams, epochs: int, rounds: int) -> bool:
    """Whether contributing to ``rounds`` rounds in all stays within the budget (always
    True without a budget)."""
    if params.epsilon is None:
        return True
    return epsilon_after(params, epochs, rounds) <= params.epsilon


def affordable_rounds(params: PrivacyParams, epochs: int, limit: int) -> int:
    """How many rounds (at most ``limit``) a participant can contribute within its budget.

    Epsilon grows with the rounds, so this is a binary search over ``[0, limit]``."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if within_budget(params, epochs, middle):
            low = middle
        else:
            high = middle - 1
    return low


def calibrate_noise(
    target_epsilon: float,
    delta: float,
    mechanism: Mechanism,
    rounds: int,
    accountant: AccountantName = "rdp",
) -> float:
    """The smallest noise multiplier (within Opacus's 0.01 epsilon tolerance) with which
    ``rounds`` rounds of ``mechanism`` (its own noise multiplier ignored) spend at most
    ``target_epsilon``; ConfigError if no noise reaches it."""
    from opacus.accountants.utils import get_noise_multiplier

    if not (math.isfinite(target_epsilon) and target_epsilon > 0):
        raise ConfigError(f"The epsilon budget must be a finite number > 0, got {target_epsilon}.")
    if rounds < 1:
        raise ConfigError(f"rounds must be >= 1 to calibrate noise, got {rounds}.")
    kwargs = {"eps_error": _PRV_EPS_ERROR} if accountant == "prv" else {}
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_EXTREME_ORDER)
            return float(
                get_noise_multiplier(
                    target_epsilon=target_epsilon,
                    target_delta=delta,
                    sample_rate=mechanism.sample_rate,
                    steps=mechanism.steps * rounds,
                    accountant=accountant,
                    **kwargs,
                )
            )
    except ValueError as exc:
        raise ConfigError(
            f"No noise multiplier reaches epsilon {target_epsilon} at delta {delta} over "
            f"{rounds} round(s) ({exc}); raise the budget or lower the rounds."
        ) from exc
