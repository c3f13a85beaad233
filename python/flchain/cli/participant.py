"""``flchain participant run``: one participant (or aggregator-only node) of one task."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import torch
import typer

from flchain.cli.options import RpcOption, StoreOption
from flchain.protocol.session import open_client
from flchain.roles.datasets import load_participant_data, parse_shard
from flchain.roles.participant import Participant, ParticipantOptions
from flchain.roles.shard_draws import load_onchain_training_data
from flchain.storage.local import DEFAULT_STORE_ROOT, LocalStore

app = typer.Typer(help="Run a participant of a task.", no_args_is_help=True)


@app.command()
def run(
    task: Annotated[int, typer.Option("--task", help="Task id.", min=1)],
    account: Annotated[
        str, typer.Option("--account", help="dev:N (devnet), keystore:PATH or env:VAR.")
    ],
    rpc: RpcOption = None,
    data: Annotated[
        str,
        typer.Option(
            "--data",
            help="digits, mnist:DIR, FILE.npz (arrays x, y), or onchain: the shards the task's "
            "dataset registry assigns this account.",
        ),
    ] = "digits",
    shard: Annotated[
        str | None, typer.Option("--shard", help="i/n: train on shard i of n (shipped data).")
    ] = None,
    store: StoreOption = DEFAULT_STORE_ROOT,
    stake: Annotated[
        float | None, typer.Option("--stake", help="Stake in tokens (default: the minimum).")
    ] = None,
    train: Annotated[
        bool, typer.Option("--train/--no-train", help="--no-train: aggregator-only node.")
    ] = True,
    journal: Annotated[
        Path, typer.Option("--journal", help="Journal dir (salts survive restarts).")
    ] = Path(".flchain/participants"),
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Give up after S seconds.")
    ] = None,
    threads: Annotated[
        int, typer.Option("--threads", help="Torch CPU threads (1 suits many on one host).")
    ] = 1,
    events: Annotated[
        bool, typer.Option("--events", help="Print one JSON line per step to stdout.")
    ] = False,
    attack: Annotated[
        str | None,
        typer.Option("--attack", hidden=True, help="Experiments only: behave maliciously."),
    ] = None,
) -> None:
    """Join TASK, then train, commit, reveal, aggregate, attest and claim every round."""
    torch.set_num_threads(threads)
    client = open_client(rpc, account)
    local = LocalStore(store)
    participant = Participant(client, local, task, None, ParticipantOptions(train=False))
    dataset = None
    stake_units = int(stake * 10**18) if stake is not None else None
    if train and data == "onchain":
        dataset = load_onchain_training_data(
            rpc, account, local, task, stake=stake_units,
            model=participant.document().model,
        )  # fmt: skip
    elif train:
        shard_of = parse_shard(shard) if shard else None
        dataset = load_participant_data(data, participant.document().data, shard_of)

    def on_event(what: str, round_id: int) -> None:
        if events:
            print(
                json.dumps({"event": what, "round": round_id, "participant": client.address}),
                flush=True,
            )

    options = ParticipantOptions(
        stake=stake_units,
        train=train,
        attack=attack,
        journal_dir=journal,
        timeout=timeout,
    )
    report = Participant(client, local, task, dataset, options, on_event).run()
    typer.echo(
        f"participant {report.address}: committed {len(report.committed)}, attested {len(report.attested)}, "
        f"claimed {report.claimed / 10**18:g} tokens",
        file=sys.stderr,
    )
