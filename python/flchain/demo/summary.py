"""The demo's outputs: ``summary.json`` and a PNG plot of accuracy and rewards per round."""

from __future__ import annotations

import json
from pathlib import Path

from flchain.demo.run import DemoState

__all__ = ["summary_document", "write_outputs"]

TOKEN = 10**18


def summary_document(state: DemoState) -> dict[str, object]:
    """The JSON summary of a demo run."""
    return {
        "task_id": state.task_id,
        "rpc_url": state.rpc_url,
        "device": state.device,
        "initial": {"accuracy": state.initial_accuracy, "loss": state.initial_loss},
        **({"privacy": state.privacy} if state.privacy is not None else {}),
        "rounds": [
            {
                "round": r.round,
                "accuracy": r.accuracy,
                "loss": r.loss,
                "model_cid": r.model_cid,
                "gas_used": r.gas_used,
                "rewards": {
                    address: amount / TOKEN for address, amount in sorted(r.rewards.items())
                },
                "contributors": r.contributors,
                "attesters": r.attesters,
                "seconds": round(r.seconds, 3),
                **({"epsilon": r.epsilon} if r.epsilon is not None else {}),
            }
            for r in state.rounds
        ],
    }


def write_outputs(state: DemoState, out: Path) -> tuple[Path, Path]:
    """Write ``summary.json`` and ``rounds.png`` into ``out``; returns both paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    summary = out / "summary.json"
    summary.write_text(json.dumps(summary_document(state), indent=2) + "\n")
    rounds = [0] + [r.round for r in state.rounds]
    accuracy = [state.initial_accuracy] + [r.accuracy for r in state.rounds]
    rewards = [0.0] + [sum(r.rewards.values()) / TOKEN for r in state.rounds]
    fig, left = plt.subplots(figsize=(7, 4), dpi=120)
    left.plot(rounds, accuracy, marker="o", color="tab:blue", label="test accuracy")
    left.set_xlabel("round")
    left.set_ylabel("global model test accuracy", color="tab:blue")
    left.set_ylim(0, 1)
    right = left.twinx()
    right.bar(rounds, rewards, alpha=0.3, color="tab:green", label="rewards paid")
    right.set_ylabel("rewards paid (tokens)", color="tab:green")
    left.set_title(f"flchain demo: task {state.task_id}")
    fig.tight_layout()
    plot = out / "rounds.png"
    fig.savefig(plot)
    plt.close(fig)
    return summary, plot
