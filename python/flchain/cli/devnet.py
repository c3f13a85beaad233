"""``flchain devnet``: start, stop, inspect and reset the local Anvil devnet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flchain.chain.devnet import (
    DevnetInfo,
    default_state_dir,
    devnet_status,
    reset_devnet,
    start_devnet,
    stop_devnet,
)
from flchain.cli.options import RpcOption, out_console

app = typer.Typer(help="Local Anvil devnet commands.", no_args_is_help=True)

StateDirOption = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        help="Devnet directory (default: $FLCHAIN_HOME/devnet, else ./.flchain/devnet).",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object, nothing else.")]


def _record(info: DevnetInfo) -> dict[str, object]:
    return {
        "rpc_url": info.rpc_url,
        "chain_id": info.chain_id,
        "pid": info.pid,
        "state_dir": str(info.state_dir),
    }


@app.command()
def start(
    state_dir: StateDirOption = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port; 0 picks a free one.")] = 0,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on; 0.0.0.0 lets other machines in (dev keys are public: "
            "a trusted network only).",
        ),
    ] = "127.0.0.1",
    block_time: Annotated[
        float | None,
        typer.Option(
            "--block-time",
            min=0.001,
            help="Mine a block every S seconds, as a real chain moves its clock (default: a "
            "block per transaction).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Start the devnet in the background; its chain persists in the state dir."""
    info = start_devnet(state_dir, port=port, host=host, block_time=block_time)
    if as_json:
        typer.echo(json.dumps(_record(info)))
        return
    out = out_console()
    out.print(f"[bold green]devnet running[/] at [bold]{info.rpc_url}[/]")
    out.print(f"  chain id  {info.chain_id}\n  pid       {info.pid}\n  state     {info.state_dir}")
    out.print("stop it with [bold]flchain devnet stop[/]")


@app.command()
def status(state_dir: StateDirOption = None, as_json: JsonOption = False) -> None:
    """Say whether the devnet runs and answers; exit code 1 if it does not."""
    result = devnet_status(state_dir)
    if as_json:
        record = _record(result.info) if result.info else {"state_dir": str(result.state_dir)}
        record |= {"running": result.running, "detail": result.detail}
        record |= {"block_number": result.block_number}
        typer.echo(json.dumps(record))
    elif result.running and result.info is not None:
        info = result.info
        out_console().print(
            f"[bold green]running[/] at [bold]{info.rpc_url}[/] (chain {info.chain_id}, "
            f"pid {info.pid}, block {result.block_number}, state {info.state_dir})"
        )
    else:
        out_console().print(
            f"[bold red]not running[/]: {result.detail}; start it with "
            "[bold]flchain devnet start[/]"
        )
    if not result.running:
        raise typer.Exit(1)


@app.command()
def stop(state_dir: StateDirOption = None) -> None:
    """Stop the devnet; its chain state is saved for the next start."""
    info = stop_devnet(state_dir)
    where = state_dir or default_state_dir()
    if info is None:
        out_console().print(f"no devnet was running for {where}")
    else:
        out_console().print(f"[bold]stopped[/] the devnet at {info.rpc_url} (pid {info.pid})")


@app.command()
def reset(state_dir: StateDirOption = None) -> None:
    """Stop the devnet and delete its chain state: the next start is a fresh chain."""
    info = reset_devnet(state_dir)
    where = state_dir or default_state_dir()
    if info is not None:
        out_console().print(f"[bold]stopped[/] the devnet at {info.rpc_url} (pid {info.pid})")
    out_console().print(
        f"[bold]deleted[/] the chain state in {where}; the next start is a fresh chain"
    )


@app.command()
def mine(
    blocks: Annotated[int, typer.Argument(min=1, max=100_000, help="Blocks to mine.")] = 1,
    rpc: RpcOption = None,
) -> None:
    """Mine BLOCKS blocks now (Anvil or Hardhat node)."""
    from flchain.chain.connection import connect
    from flchain.chain.controls import mine as mine_blocks

    head = mine_blocks(connect(rpc), blocks)
    out_console().print(f"mined {blocks} block(s); head is block {head}")


@app.command()
def warp(
    seconds: Annotated[int, typer.Argument(min=1, help="Seconds to move the chain clock.")],
    rpc: RpcOption = None,
) -> None:
    """Move the chain clock SECONDS forward and mine a block at the new time (testing
    deadlines; participants must survive several deadlines passing at once)."""
    from flchain.chain.connection import connect
    from flchain.chain.controls import increase_time
    from flchain.chain.controls import mine as mine_blocks

    w3 = connect(rpc)
    increase_time(w3, seconds)
    head = mine_blocks(w3, 1)
    stamp = int(w3.eth.get_block(head)["timestamp"])
    out_console().print(f"moved the clock {seconds} s; block {head} has timestamp {stamp}")
