"""The robust demo in memory: ``flchain demo --rule RULE --attack alie --malicious F -n 20
--partition dirichlet:0.5`` without chain, store or processes, in about a minute.

It replays what the demo's participants do (``examples/digits.toml``: shards cut from the
config's seed, the initial model from its ``model_seed``, each participant's training seed
``sha256("ADDRESS:ROUND")[:4]`` from its dev account, the last ``F`` participants colluding:
they forge ALIE, IPM, min-max or min-sum from their own trained updates and add the seeded
jitter of ``roles/adversary.py``) and applies the rule through its spec with the previous
aggregate, as every aggregator does. On this commit it gives the on-chain demo's accuracy in
every round to the last digit (the demo is deterministic), so a rule or a default can be
tried in memory before a two-minute chain run.

Prints the accuracy and the accepted count of every round, then one JSON line.
Run: nice .venv/bin/python bench/robust_demo_replica.py [--rule filtered_clipping]
     [--attack alie] [--malicious 4] [--rounds 10] [--data-seed 0] [--params '{"k": v}']
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.fl import build_model, evaluate, flatten_state, train_local, unflatten_state
from flchain.fl.aggregation import SPECS, SideInputs
from flchain.fl.attacks import adaptive
from flchain.roles.adversary import IPM_EPS
from flchain.roles.data.datasets import load_participant_data, load_test_data
from flchain.roles.taskfile import load_task_file

PARTICIPANTS = 20
CONFIG = Path("examples/digits.toml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rule", default="filtered_clipping", choices=list(SPECS))
    parser.add_argument(
        "--attack", default="alie", choices=["none", "alie", "ipm", "min-max", "min-sum"]
    )
    parser.add_argument("--malicious", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=None, help="default: the config's")
    parser.add_argument("--data-seed", type=int, default=None, help="default: the config's")
    parser.add_argument("--params", default="{}", help="rule parameters as JSON")
    args = parser.parse_args()
    torch.set_num_threads(1)
    task = load_task_file(CONFIG)
    doc = task.document
    data = dataclasses.replace(doc.data, partition="dirichlet:0.5")
    if args.data_seed is not None:
        data = dataclasses.replace(data, seed=args.data_seed)
    shards = [load_participant_data("digits", data, (i, PARTICIPANTS)) for i in range(PARTICIPANTS)]
    test = load_test_data("digits", data)
    spec = SPECS[args.rule]
    params = spec.parse_params(json.loads(args.params))
    malicious = 0 if args.attack == "none" else args.malicious
    addresses = [str(dev_signer(i + 1, DEV_CHAIN_ID).address) for i in range(PARTICIPANTS)]
    model = build_model(doc.model, seed=task.model_seed)
    template = model.state_dict()
    global_model = flatten_state(template)
    previous: np.ndarray | None = None
    accuracies: list[float] = []
    for round_id in range(1, (args.rounds or task.rounds) + 1):
        seeds = [
            int.from_bytes(hashlib.sha256(f"{a}:{round_id}".encode()).digest()[:4], "big")
            for a in addresses
        ]
        rows = []
        for shard, seed in zip(shards, seeds, strict=True):
            model.load_state_dict(unflatten_state(global_model, template))
            training = doc.training
            train_local(
                model, shard, epochs=training.epochs, batch_size=training.batch_size,
                lr=training.lr, seed=seed,
            )  # fmt: skip
            rows.append(flatten_state(model.state_dict()))
        if malicious:
            colluders = np.stack(rows[PARTICIPANTS - malicious :]).astype(np.float32)
            forged = adaptive(
                args.attack, colluders, global_model, num_participants=PARTICIPANTS,
                num_malicious=malicious, ipm_eps=IPM_EPS,
            )  # fmt: skip
            for i in range(PARTICIPANTS - malicious, PARTICIPANTS):
                rows[i] = _jittered(forged, global_model, seeds[i])
        weights = np.array([len(s) for s in shards], dtype=np.int64)
        side = SideInputs(previous=previous)
        result = spec.apply(np.stack(rows).astype(np.float32), global_model, weights, params, side)
        previous = (result.aggregate - global_model).astype(np.float32)
        global_model = result.aggregate
        model.load_state_dict(unflatten_state(global_model, template))
        accuracy, _ = evaluate(model, test)
        accuracies.append(accuracy)
        attackers_in = int(result.accepted[PARTICIPANTS - malicious :].sum()) if malicious else 0
        print(
            f"round {round_id:>2}: accuracy {accuracy:.4f}, accepted {int(result.accepted.sum())}"
            f" of {PARTICIPANTS} ({attackers_in} of {malicious} attackers)"
        )
    summary = {
        "rule": args.rule, "params": json.loads(args.params), "attack": args.attack,
        "malicious": malicious, "data_seed": data.seed,
        "accuracy": [round(a, 4) for a in accuracies],
    }  # fmt: skip
    print(json.dumps(summary, sort_keys=True))


def _jittered(forged: np.ndarray, parent: np.ndarray, seed: int) -> np.ndarray:
    """The forged vector with the colluder's seeded jitter (not rejected as a copy)."""
    scale = 1e-6 * float(np.abs(forged - parent).mean() or 1.0)
    jitter = np.random.default_rng(seed).normal(0.0, scale, forged.shape)
    return np.asarray(forged + jitter, dtype=np.float32)


if __name__ == "__main__":
    main()
