"""``flchain registry``: tasks, rounds and global models, read from the chain and the store.

Read-only: it needs no account and no running participant. Each command imports what it
needs when it runs: ``registry tasks`` reads over plain JSON-RPC and starts without web3
(see ``bench/cli_startup.py``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from flchain.cli.options import (
    DeploymentsOption,
    JsonOption,
    ReaderAccountOption,
    RoundArgument,
    RpcOption,
    StoreOption,
    TaskArgument,
    echo_json,
    out_console,
)
from flchain.errors import ConfigError
from flchain.protocol.amounts import format_tokens

if TYPE_CHECKING:
    from flchain.protocol.client import FLClient
    from flchain.roles.privacy.view import TaskPrivacy
    from flchain.roles.registry_view import RoundDetail

app = typer.Typer(help="Query the on-chain model registry.", no_args_is_help=True)


def _client(rpc: str | None, deployments: Path | None) -> FLClient:
    from flchain.protocol.session import open_client

    return open_client(rpc, deployments=deployments)


def tokens(amount: int) -> str:
    """Base units (18 decimals) as whole tokens, exactly, without trailing zeros."""
    return format_tokens(amount)


def _dash(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "-" if value is None else str(value)


@app.command()
def tasks(
    rpc: RpcOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """List every task: owner, status, rounds, members, rule, stake and reward pool."""
    from flchain.protocol.task_reader import open_task_reader
    from flchain.roles.task_view import list_tasks

    client = open_task_reader(rpc, deployments)
    rows = list_tasks(client)
    if as_json:
        echo_json({"chain_id": client.deployment.chain_id, "tasks": [asdict(row) for row in rows]})
        return
    table = Table(title=f"Tasks on chain {client.deployment.chain_id}")
    for column in ("task", "owner", "status", "rounds", "members", "rule", "stake", "reward pool"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.task_id),
            row.owner,
            row.status,
            f"{row.finalized_rounds}/{row.num_rounds}",
            str(row.members),
            row.rule,
            tokens(row.total_stake),
            tokens(row.reward_pool),
        )
    out_console().print(table if rows else "no tasks yet; create one with `flchain task create`")


@app.command()
def rounds(
    task: TaskArgument,
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a task's rounds (round 0 is the initial model) with their models and metrics."""
    from flchain.roles.registry_view import list_rounds
    from flchain.storage.locator import open_store

    rows = list_rounds(_client(rpc, deployments), open_store(store), task)
    if as_json:
        echo_json({"task": task, "rounds": [asdict(row) for row in rows]})
        return
    table = Table(title=f"Rounds of task {task}")
    private = any(row.epsilon is not None for row in rows)
    columns = ["round", "phase", "parent", "revealed", "contributors", "attesters", "model"]
    for column in [*columns, "metrics", *(["epsilon"] if private else [])]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.round),
            row.phase,
            _dash(row.parent_round),
            str(row.revealed),
            _dash(row.contributors),
            _dash(row.attesters),
            _dash(row.model_cid),
            _dash(row.metrics_cid),
            *([f"{row.epsilon:.3f}" if row.epsilon is not None else "-"] if private else []),
        )
    out_console().print(table)


def _print_detail(detail: RoundDetail) -> None:
    out = out_console()
    out.print(f"[bold]task {detail.task_id} round {detail.round}[/] ({detail.phase})")
    out.print(f"  model    {_dash(detail.model_cid)}")
    out.print(f"  parent   {_dash(detail.parent_round)}")
    out.print(f"  metrics  {_dash(detail.metrics_cid)}")
    out.print(f"  gas      {detail.gas_used:,} in {detail.transactions} transaction(s)")
    if detail.contributors:
        table = Table(title="Contributors")
        for column in ("reveal", "participant", "update", "accepted"):
            table.add_column(column, overflow="fold")
        for c in detail.contributors:
            table.add_row(str(c.reveal_index), c.address, c.update_cid, _dash(c.accepted))
        out.print(table)
    if detail.attestations:
        table = Table(title="Attestations")
        for column in ("attester", "model", "result", "agrees", "weight"):
            table.add_column(column, overflow="fold")
        for a in detail.attestations:
            table.add_row(
                a.attester, a.model_cid, a.result_id[:18], _dash(a.agrees), tokens(a.weight)
            )
        out.print(table)
    if detail.metrics is not None:
        out.print("metrics document:")
        out.print_json(json.dumps(detail.metrics, sort_keys=True))
    elif detail.metrics_cid is not None:
        out.print("[yellow]the store does not hold the metrics document[/]")


@app.command()
def show(
    task: TaskArgument,
    round_id: RoundArgument = None,
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a round: model, parent, contributors, attestations, metrics and gas used."""
    from flchain.roles.registry_view import describe_round
    from flchain.storage.locator import open_store

    detail = describe_round(_client(rpc, deployments), open_store(store), task, round_id)
    if as_json:
        echo_json(asdict(detail))
        return
    _print_detail(detail)


@app.command()
def download(
    task: TaskArgument,
    round_id: RoundArgument = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write the model to.", dir_okay=False)
    ] = Path("model.bin"),
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    account: ReaderAccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a round's global model (default: the latest) to a file, verified by its CID; a
    private task's model is decrypted with the keys of a member's account (--account)."""
    from flchain.protocol.session import open_client
    from flchain.roles.model_download import download_model, load_instructions
    from flchain.roles.privacy.round_keys import open_global_model
    from flchain.storage.locator import open_store

    client = open_client(rpc, account, deployments=deployments)
    local = open_store(store)
    model = download_model(client, local, task, round_id)
    signer = client.sender.signer if account is not None else None
    data = open_global_model(client, local, task, model.round, model.data, signer)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise ConfigError(
            f"Cannot write {output}: {exc.strerror}; choose another file with -o."
        ) from exc
    load = load_instructions(model.spec, str(output))
    if as_json:
        spec = json.loads(model.spec.to_json()) if model.spec else None
        echo_json(
            {
                "task": model.task_id,
                "round": model.round,
                "cid": str(model.cid),
                "file": str(output),
                "bytes": len(data),
                "decrypted": data is not model.data,
                "spec": spec,
                "load": load,
            }
        )
        return
    out = out_console()
    out.print(
        f"wrote the model of task {model.task_id} round {model.round} ({model.cid}) to {output}"
    )
    out.print(f"load it with:\n{load}")


def _print_privacy(view: TaskPrivacy) -> None:
    out = out_console()
    params = view.params
    budget = params["epsilon"]
    out.print(f"[bold]task {view.task_id}[/]: differential privacy, mode {params['mode']}")
    out.print(
        f"  noise multiplier {params['noise_multiplier']:.4g}, clip norm {params['clip_norm']:g}, "
        f"delta {params['delta']:g}, accountant {params['accountant']}"
        + (f", sample rate {params['sample_rate']:.4g}" if params["sample_rate"] else "")
        + (f", colluders {params['colluders']}" if params["mode"] == "client" else "")
    )
    out.print(
        f"  budget {'none' if budget is None else f'epsilon {budget:g}'}"
        + (
            f" ({view.affordable_rounds} contributed round(s) fit)"
            if view.affordable_rounds is not None
            else ""
        )
    )
    rounds = Table(title="Epsilon per round")
    for column in ("round", "contributors", "epsilon of the round", "epsilon spent so far"):
        rounds.add_column(column, justify="right")
    for r in view.rounds:
        rounds.add_row(
            str(r.round), str(r.contributors), f"{r.epsilon_round:.3f}", f"{r.epsilon_spent:.3f}"
        )
    out.print(rounds)
    people = Table(title="Epsilon per participant")
    for column in ("participant", "rounds contributed", "epsilon", "budget spent"):
        people.add_column(column, overflow="fold")
    for p in view.participants:
        people.add_row(p.address, str(len(p.rounds)), f"{p.epsilon:.3f}", _dash(p.exhausted))
    out.print(people)


@app.command()
def privacy(
    task: TaskArgument,
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a task's DP parameters and the epsilon spent per round and per participant,
    recomputed from the task document and the chain."""
    from flchain.roles.privacy.view import task_privacy
    from flchain.storage.locator import open_store

    view = task_privacy(_client(rpc, deployments), open_store(store), task)
    if view is None:
        raise ConfigError(
            f"Task {task} has no differential privacy (or --store lacks its task document); "
            "a task gets it from a [privacy] section in its config."
        )
    if as_json:
        echo_json(asdict(view))
        return
    _print_privacy(view)
