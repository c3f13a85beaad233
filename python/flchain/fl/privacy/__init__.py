"""Differential privacy for participants: DP-SGD, the Gaussian mechanism on updates, and
the accountant that turns a task's public parameters into epsilon.

- :mod:`~flchain.fl.privacy.params`: :class:`PrivacyParams`, the task's public DP settings.
- :mod:`~flchain.fl.privacy.dpsgd`: sample-level DP-SGD in local training (Opacus).
- :mod:`~flchain.fl.privacy.gaussian`: client-level DP: clip an update, add (distributed)
  Gaussian noise; the trust assumption of distributed noise is in its docstring.
- :mod:`~flchain.fl.privacy.accounting`: epsilon per round and cumulative (Opacus RDP or
  PRV accountant), budgets, noise calibration.

Pure PyTorch/NumPy, deterministic given a seed; nothing here knows of the chain.

Each name is loaded from its module on first use (PEP 562): the accounting maths does not
import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flchain.exports import lazy_exports

if TYPE_CHECKING:
    from flchain.fl.privacy.accounting import (
        Mechanism,
        affordable_rounds,
        calibrate_noise,
        compute_epsilon,
        epsilon_after,
        epsilon_curve,
        round_mechanism,
        within_budget,
    )
    from flchain.fl.privacy.dpsgd import (
        check_private_trainable,
        train_local_private,
        train_with_privacy,
    )
    from flchain.fl.privacy.gaussian import (
        clip_update,
        gaussian_noise,
        noise_std,
        privatize_update,
        update_norm,
    )
    from flchain.fl.privacy.params import AccountantName, PrivacyMode, PrivacyParams

_EXPORTS: dict[str, str] = {
    "AccountantName": "flchain.fl.privacy.params",
    "Mechanism": "flchain.fl.privacy.accounting",
    "PrivacyMode": "flchain.fl.privacy.params",
    "PrivacyParams": "flchain.fl.privacy.params",
    "affordable_rounds": "flchain.fl.privacy.accounting",
    "calibrate_noise": "flchain.fl.privacy.accounting",
    "check_private_trainable": "flchain.fl.privacy.dpsgd",
    "clip_update": "flchain.fl.privacy.gaussian",
    "compute_epsilon": "flchain.fl.privacy.accounting",
    "epsilon_after": "flchain.fl.privacy.accounting",
    "epsilon_curve": "flchain.fl.privacy.accounting",
    "gaussian_noise": "flchain.fl.privacy.gaussian",
    "noise_std": "flchain.fl.privacy.gaussian",
    "privatize_update": "flchain.fl.privacy.gaussian",
    "round_mechanism": "flchain.fl.privacy.accounting",
    "train_local_private": "flchain.fl.privacy.dpsgd",
    "train_with_privacy": "flchain.fl.privacy.dpsgd",
    "update_norm": "flchain.fl.privacy.gaussian",
    "within_budget": "flchain.fl.privacy.accounting",
}

__all__ = [
    "AccountantName",
    "Mechanism",
    "PrivacyMode",
    "PrivacyParams",
    "affordable_rounds",
    "calibrate_noise",
    "check_private_trainable",
    "clip_update",
    "compute_epsilon",
    "epsilon_after",
    "epsilon_curve",
    "gaussian_noise",
    "noise_std",
    "privatize_update",
    "round_mechanism",
    "train_local_private",
    "train_with_privacy",
    "update_norm",
    "within_budget",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
