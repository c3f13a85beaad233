"""A participant's side of differential privacy: how it trains, what it releases, and the
ledger of the privacy it has spent.

- :func:`fit_local`: local training as the task document says; with ``[privacy] mode =
  "sample"``, DP-SGD seeded from a secret source (``secrets``), since sampling and noise
  that others can regenerate protect nothing.
- :func:`release_state`: in client mode, the trained model becomes ``global + clip(update)
  + noise`` (secret seed; distributed noise over the task's members) and its FedAvg weight
  is 1 (a sample count would raise the sensitivity of the weighted average, and leak).
- :class:`PrivacyLedger`: ``privacy.json`` beside the participant's journal: the rounds it
  released an update in and its epsilon after each. Before training for a round it asks
  :meth:`PrivacyLedger.allows`; past the budget it stops contributing for good (it keeps
  attesting), logs a warning and records the stop in the ledger.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

import torch

from flchain.fl import (
    ArrayDataset,
    TrainStats,
    decode_state,
    flatten_state,
    unflatten_state,
)
from flchain.fl.privacy import PrivacyParams, epsilon_after, privatize_update, train_with_privacy
from flchain.protocol.documents import TaskDocument
from flchain.protocol.records import RoundId

__all__ = ["LEDGER_FILE", "PrivacyLedger", "fit_local", "release_state"]

logger = logging.getLogger(__name__)

LEDGER_FILE = "privacy.json"


def _secret_seed() -> int:
    return secrets.randbits(62)


def fit_local(
    model: torch.nn.Module,
    data: ArrayDataset,
    doc: TaskDocument,
    *,
    seed: int,
    device: torch.device | str,
) -> TrainStats:
    """Train ``model`` in place as ``doc`` says (DP-SGD draws its own secret seed)."""
    training = doc.training
    return train_with_privacy(
        model, data, doc.privacy, epochs=training.epochs, batch_size=training.batch_size,
        lr=training.lr, optimizer=training.optimizer, seed=seed, private_seed=_secret_seed(),  # type: ignore[arg-type]
        device=device,
    )  # fmt: skip


def release_state(
    state: Mapping[str, torch.Tensor],
    parent: bytes,
    doc: TaskDocument,
    samples: int,
    members: Callable[[], int],
) -> tuple[Mapping[str, torch.Tensor], int]:
    """The state to release and its FedAvg weight: unchanged without client-level DP; else
    clipped and noised (``members()``: the task's member count, the ``n`` of distributed
    noise) with weight 1."""
    dp = doc.privacy
    if dp is None or dp.mode != "client":
        return state, samples
    template = decode_state(parent)
    released = privatize_update(
        flatten_state(state),
        flatten_state(template),
        clip_norm=dp.clip_norm,
        noise_multiplier=dp.noise_multiplier,
        participants=members(),
        colluders=dp.colluders,
        seed=_secret_seed(),
    )
    return unflatten_state(released, template), 1


class PrivacyLedger:
    """The privacy a participant has spent in one task (see the module docstring).

    Without DP parameters every round is allowed and nothing is written."""

    def __init__(self, directory: Path, params: PrivacyParams | None, epochs: int) -> None:
        self.path = directory / LEDGER_FILE
        self.params, self.epochs = params, epochs
        self._epsilons: dict[int, float] = {0: 0.0}  # contributed rounds -> epsilon (memo)

    def _epsilon_after(self, rounds: int) -> float:
        assert self.params is not None
        if rounds not in self._epsilons:
            self._epsilons[rounds] = epsilon_after(self.params, self.epochs, rounds)
        return self._epsilons[rounds]

    def _read(self) -> dict[str, object]:
        if not self.path.is_file():
            return {"rounds": {}}
        data: dict[str, object] = json.loads(self.path.read_text())
        return data

    def _write(self, data: Mapping[str, object]) -> None:
        assert self.params is not None
        document = {**data, "params": self.params.to_dict(), "epochs": self.epochs}
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(json.dumps(document, sort_keys=True, indent=1))
        tmp.replace(self.path)

    def rounds(self) -> dict[int, float]:
        """Each round an update was released in -> the cumulative epsilon after it."""
        raw = self._read().get("rounds", {})
        assert isinstance(raw, dict)
        return {int(k): float(v) for k, v in raw.items()}

    def epsilon(self) -> float:
        """The epsilon spent so far (0.0 before any release, or without DP)."""
        if self.params is None:
            return 0.0
        return self._epsilon_after(len(self.rounds()))

    def allows(self, round_id: RoundId) -> bool:
        """Whether this participant may release an update in ``round_id`` within its budget
        (always for a round already charged: a restart re-releases the same update)."""
        if self.params is None or self.params.epsilon is None:
            return True
        spent = self.rounds()
        if round_id in spent:
            return True
        following = self._epsilon_after(len(spent) + 1)
        if following <= self.params.epsilon:
            return True
        data = self._read()
        if "stopped" not in data:
            logger.warning(
                "Round %s: contributing would spend epsilon %.3f > the budget %.3f (delta %g); "
                "this participant releases no more updates (it keeps attesting)",
                round_id, following, self.params.epsilon, self.params.delta,
            )  # fmt: skip
            data["stopped"] = {
                "round": round_id,
                "epsilon_spent": self.epsilon(),
                "epsilon_next": following,
                "budget": self.params.epsilon,
            }
            self._write(data)
        return False

    def charge(self, round_id: RoundId) -> float:
        """Record the release of an update in ``round_id``; the cumulative epsilon after it."""
        if self.params is None:
            return 0.0
        spent = self.rounds()
        if round_id not in spent:
            spent[round_id] = self._epsilon_after(len(spent) + 1)
            data = self._read()
            data["rounds"] = {str(k): v for k, v in sorted(spent.items())}
            self._write(data)
        logger.info(
            "Round %s: privacy spent so far epsilon %.3f (delta %g, budget %s)",
            round_id, spent[round_id], self.params.delta, self.params.epsilon,
        )  # fmt: skip
        return spent[round_id]
