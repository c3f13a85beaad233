"""``flchain task``: create a task from a config file, start it, and see where it stands."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flchain.cli.options import (
    AccountOption,
    DeploymentsOption,
    JsonOption,
    RpcOption,
    StoreOption,
    TaskArgument,
    echo_json,
    out_console,
)
from flchain.cli.registry import tokens
from flchain.protocol.session import open_client
from flchain.roles.owner import create_task
from flchain.roles.privacy.keyrings import KeyringPublisher
from flchain.roles.task_status_view import TaskStatusView, task_status
from flchain.roles.taskfile import load_task_file
from flchain.storage.locator import open_store

app = typer.Typer(help="Create, start and follow training tasks.", no_args_is_help=True)


@app.command()
def create(
    config: Annotated[
        Path, typer.Option("--config", help="Task config (TOML), e.g. examples/digits.toml.")
    ],
    rpc: RpcOption = None,
    account: AccountOption = "dev:0",
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Publish the initial model and task document, escrow the rewards and create the task."""
    task_file = load_task_file(config)
    content = open_store(store)
    client = open_client(rpc, account, deployments=deployments)
    created = create_task(client, content, task_file)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "task": created.task_id,
                    "initial_model": str(created.initial_model),
                    "document": str(created.document),
                    "tx_hash": created.tx_hash,
                    "gas_used": created.gas_used,
                }
            )
        )
        return
    out = out_console()
    out.print(f"[bold green]created task {created.task_id}[/] ({task_file.document.name})")
    out.print(f"  initial model  {created.initial_model}")
    out.print(f"  task document  {created.document}")
    out.print(f"  transaction    {created.tx_hash} ({created.gas_used:,} gas)")
    privacy = task_file.document.privacy
    if privacy is not None:
        out.print(
            f"  privacy        {privacy.mode}-level DP, noise multiplier {privacy.noise_multiplier:.4g}, "
            f"budget epsilon {privacy.epsilon} at delta {privacy.delta:g} (in the task document)"
        )
    out.print(
        f"participants join with [bold]flchain participant run --task {created.task_id} --account dev:N[/]"
    )
    out.print(f"then start round 1 with [bold]flchain task start {created.task_id}[/]")
    if task_file.document.private:
        out.print(
            f"a private task: keep [bold]flchain task keyring {created.task_id}[/] running (it "
            "publishes each round's keyring; members wait for it)"
        )


@app.command()
def start(
    task: TaskArgument,
    rpc: RpcOption = None,
    account: AccountOption = "dev:0",
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open the task's first round (the owner does this once participants have joined)."""
    client = open_client(rpc, account, deployments=deployments)
    round_id, tx = client.start_round(task)
    rnd = client.round(task, round_id)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "task": task,
                    "round": round_id,
                    "tx_hash": tx.tx_hash,
                    "commit_deadline": rnd.commit_deadline,
                    "reveal_deadline": rnd.reveal_deadline,
                    "attest_deadline": rnd.attest_deadline,
                }
            )
        )
        return
    out_console().print(f"[bold green]started round {round_id}[/] of task {task} (tx {tx.tx_hash})")


def _deadline(deadline: int | None, now: int) -> str:
    if deadline is None:
        return "-"
    left = deadline - now
    return f"{deadline} ({'in ' + str(left) + ' s' if left > 0 else 'passed'})"


def _print_status(view: TaskStatusView) -> None:
    out = out_console()
    task = view.task
    out.print(
        f"[bold]task {task.task_id}[/] {task.status}: round {view.round} ({view.phase}), "
        f"{task.finalized_rounds}/{task.num_rounds} rounds finalized, rule {task.rule}"
    )
    out.print(f"  chain time       {view.chain_time}")
    out.print(f"  commit deadline  {_deadline(view.commit_deadline, view.chain_time)}")
    out.print(f"  reveal deadline  {_deadline(view.reveal_deadline, view.chain_time)}")
    out.print(f"  attest deadline  {_deadline(view.attest_deadline, view.chain_time)}")
    out.print(f"  stake {tokens(task.total_stake)}, reward pool {tokens(task.reward_pool)} tokens")
    table = Table(title=f"{len(view.members)} member(s)")
    for column in ("participant", "state", "stake", "rewards", "from round"):
        table.add_column(column, overflow="fold")
    for m in view.members:
        table.add_row(m.address, m.state, tokens(m.stake), tokens(m.rewards), str(m.first_round))
    out.print(table)


@app.command()
def status(
    task: TaskArgument,
    rpc: RpcOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the task's current round, phase, deadlines (chain time) and members."""
    view = task_status(open_client(rpc, deployments=deployments), task)
    if as_json:
        echo_json(asdict(view))
        return
    _print_status(view)


@app.command()
def keyring(
    task: TaskArgument,
    rpc: RpcOption = None,
    account: AccountOption = "dev:0",
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Stop after S seconds.")
    ] = None,
) -> None:
    """The owner's duty in a private task: publish each round's keyring during its commit
    phase, until the task ends. Members wait for it before they train."""
    client = open_client(rpc, account, deployments=deployments)
    publisher = KeyringPublisher(client, open_store(store), task)
    out = out_console()
    out.print(f"publishing the keyrings of task {task} (Ctrl-C to stop)")
    served = publisher.run(
        timeout=timeout, on_publish=lambda r: out.print(f"  round {r}: keyring published")
    )
    out.print(f"published {len(served)} keyring(s): rounds {', '.join(map(str, served)) or '-'}")
