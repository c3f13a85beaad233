"""``flchain participant run``: one participant (or aggregator-only node) of one task;
``flchain participant leave``: take the stake and rewards back (unbonding first)."""

from __future__ import annotations

import json
import logging
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flchain.cli.options import (
    DEVICE_CHOICES,
    AccountOption,
    DeploymentsOption,
    RpcOption,
    StoreOption,
    TaskOption,
    device_option,
)
from flchain.errors import ConfigError
from flchain.home import journal_home
from flchain.protocol.amounts import DEFAULT_DECIMALS, format_tokens, parse_tokens, to_units
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.exit_codes import EXPELLED

if TYPE_CHECKING:
    from flchain.fl import ArrayDataset
    from flchain.protocol.client import FLClient
    from flchain.roles.participant import ParticipantReport
    from flchain.storage.store import Store

app = typer.Typer(help="Run a participant of a task.", no_args_is_help=True)


@app.command()
def leave(
    task: TaskOption,
    account: AccountOption,
    rpc: RpcOption = None,
    deployments: DeploymentsOption = None,
) -> None:
    """Leave a task with your stake and rewards.

    In a running task, a stake that counted in rounds unbonds first: the command then says
    from which round it may leave; run it again then."""
    from flchain.cli.options import out_console
    from flchain.protocol.session import open_client

    client = open_client(rpc, account, deployments=deployments)
    tx = client.leave(task)
    out_console().print(f"[bold green]left task {task}[/] with stake and rewards (tx {tx.tx_hash})")


def stake_amount(stake: str | None) -> Decimal | None:
    """``--stake`` as whole tokens; ConfigError unless positive and storable (checked against
    an 18-decimal token before any connection; against the task's token once connected)."""
    if stake is None:
        return None
    amount = parse_tokens(stake, "--stake")
    to_units(amount, DEFAULT_DECIMALS, "--stake")
    return amount


def describe_event(what: str, round_id: RoundId, task: TaskId) -> str:
    """One line for a participant's step (round 0: a task-level step)."""
    where = f"task {task} round {round_id}" if round_id else f"task {task}"
    return f"{where}: {what}"


@app.command()
def run(
    task: TaskOption,
    account: AccountOption,
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
    store: StoreOption = None,
    stake: Annotated[
        str | None,
        typer.Option("--stake", help="Stake in whole tokens, e.g. 12.5 (default: the minimum)."),
    ] = None,
    train: Annotated[
        bool, typer.Option("--train/--no-train", help="--no-train: aggregator-only node.")
    ] = True,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="Journal dir (salts survive restarts; default $FLCHAIN_HOME/participants, "
            "else ./.flchain/participants).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Give up after S seconds.")
    ] = None,
    threads: Annotated[
        int,
        typer.Option("--threads", help="Torch CPU threads (1 suits many on one host)."),
    ] = 1,
    events: Annotated[
        bool,
        typer.Option("--json", "--events", help="Print one JSON line per step to stdout."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Also log each round's details (INFO).")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="Print nothing but errors and the summary.")
    ] = False,
    device: Annotated[str, device_option(f"Train on {DEVICE_CHOICES}.")] = "auto",
    max_outage: Annotated[
        float | None,
        typer.Option(
            "--max-outage",
            min=0,
            help="Give up after the node or the store has not answered for S seconds "
            "(default: keep retrying, with backoff up to 30 s).",
        ),
    ] = None,
    deployments: DeploymentsOption = None,
    attack: Annotated[
        str | None,
        typer.Option("--attack", hidden=True, help="Experiments only: behave maliciously."),
    ] = None,
) -> None:
    """Join TASK, then train, commit, reveal, aggregate, attest and claim every round.

    Everything is checked before staking (the stake, the data against the task's model);
    a second process on the same account and task refuses to start."""
    import torch

    from flchain.fl.models import DEVICE_ENV, select_device
    from flchain.protocol.session import open_client
    from flchain.roles.journal import chain_scope, hold_account
    from flchain.roles.participant import Participant, ParticipantOptions
    from flchain.roles.reconnect import run_through_outages
    from flchain.storage.locator import open_store

    if verbose:
        logging.getLogger("flchain").setLevel(logging.INFO)
    amount = stake_amount(stake)
    if threads < 1:
        raise ConfigError(f"--threads must be at least 1, got {threads}.")
    chosen = select_device(device)  # refused here, before any transaction, if it is absent
    os.environ[DEVICE_ENV] = str(chosen)  # what the participant's training selects
    torch.set_num_threads(threads)
    local = open_store(store)
    client = open_client(rpc, account, deployments=deployments)
    decimals = client.token_decimals(client.task(task).token)
    units = None if amount is None else to_units(amount, decimals, "--stake")
    journal_dir = journal or journal_home()
    with hold_account(journal_dir, chain_scope(client), task, client.address):
        dataset = _load_data(
            client, local, task, rpc, account, data, shard, units, train, journal_dir
        )
        left: list[RoundId] = []

        def on_event(what: str, round_id: RoundId) -> None:
            if what == "left":
                left.append(round_id)
            if events:
                print(
                    json.dumps({"event": what, "round": round_id, "participant": client.address}),
                    flush=True,
                )
            elif not quiet:
                typer.echo(describe_event(what, round_id, task), file=sys.stderr)

        options = ParticipantOptions(
            stake=units, train=train, attack=attack, journal_dir=journal_dir, timeout=timeout
        )
        report = run_through_outages(
            lambda: Participant(client, local, task, dataset, options, on_event).run(),
            max_outage=max_outage,
            on_outage=lambda exc, delay: typer.echo(
                f"outage: {exc} Retrying in {delay:.0f} s.", file=sys.stderr
            ),
        )
    _finish(report, task, str(chosen), decimals, expelled=bool(left))


def _load_data(
    client: FLClient,
    local: Store,
    task: TaskId,
    rpc: str | None,
    account: str,
    data: str,
    shard: str | None,
    units: int | None,
    train: bool,
    journal_dir: Path,
) -> ArrayDataset | None:
    """The participant's training data, checked against the task's model before joining."""
    from flchain.roles.data.datasets import load_participant_data, parse_shard
    from flchain.roles.data.shard_draws import load_onchain_training_data
    from flchain.roles.participant import Participant, ParticipantOptions
    from flchain.roles.task_validation import check_data_fits, validate_document

    if not train:
        return None
    reader_options = ParticipantOptions(train=False, journal_dir=journal_dir)
    reader = Participant(client, local, task, None, reader_options)
    document = reader.document()
    validate_document(document)  # a task no participant could train: refuse to stake on it
    if data == "onchain":
        return load_onchain_training_data(
            rpc, account, local, task, stake=units, model=document.model
        )
    shard_of = parse_shard(shard) if shard else None
    dataset = load_participant_data(data, document.data, shard_of)
    check_data_fits(document.model, dataset, data)
    return dataset


def _finish(
    report: ParticipantReport, task: TaskId, device: str, decimals: int, *, expelled: bool
) -> None:
    typer.echo(
        f"participant {report.address}: committed {len(report.committed)}, attested "
        f"{len(report.attested)}, claimed {format_tokens(report.claimed, decimals, places=4)} tokens (trained on {device})",
        file=sys.stderr,
    )
    if expelled:
        typer.echo(
            f"error: participant {report.address} was expelled from task {task}: slashes left "
            "its stake below the task's minimum, so it left with what remained; rejoin with a "
            "new stake to continue.",
            file=sys.stderr,
        )
        raise typer.Exit(EXPELLED)
