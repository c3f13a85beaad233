"""``flchain demo``: the live view of a full federated training on the local devnet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from flchain.chain.anvil import DEV_ACCOUNT_COUNT
from flchain.cli.options import DEVICE_CHOICES, device_option
from flchain.cli.ui import DemoDashboard
from flchain.demo.run import DemoOptions, DemoState, run_demo
from flchain.demo.summary import TOKEN, write_outputs
from flchain.roles.adversary import ATTACKS


def _short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def _view(state: DemoState) -> Group:
    head = Table.grid(padding=(0, 2))
    head.add_row(
        f"[bold]task[/] {state.task_id}",
        f"[bold]round[/] {state.round}/{state.total_rounds}",
        f"[bold]phase[/] {state.phase}",
        f"[dim]{state.rpc_url}[/]",
    )
    people = Table(title="participants", title_justify="left")
    for column in ("participant", "state", "stake", "rewards"):
        people.add_column(column)
    for view in state.participants:
        people.add_row(
            _short(view.address),
            view.state,
            f"{view.stake / TOKEN:g}",
            f"{view.rewards / TOKEN:.2f}",
        )
    rounds = Table(title="global model per round", title_justify="left")
    for column in ("round", "accuracy", "loss", "accepted", "attesters", "gas", "rewards", "time"):
        rounds.add_column(column, justify="right")
    if state.privacy is not None:
        rounds.add_column("epsilon", justify="right")
    rounds.add_row(
        "0", f"{state.initial_accuracy:.3f}", f"{state.initial_loss:.3f}", "-", "-", "-", "-", "-"
    )
    for r in state.rounds:
        rounds.add_row(
            str(r.round), f"{r.accuracy:.3f}", f"{r.loss:.3f}", str(r.contributors), str(r.attesters),
            f"{r.gas_used / 1e6:.2f}M", f"{sum(r.rewards.values()) / TOKEN:.0f}", f"{r.seconds:.1f}s",
            *([] if r.epsilon is None else [f"{r.epsilon:.2f}"]),
        )  # fmt: skip
    return Group(head, people, rounds, f"[dim]{state.message}[/]")


def demo(
    participants: Annotated[
        int,
        typer.Option(
            "--participants",
            "-n",
            help=f"Participants (1-{DEV_ACCOUNT_COUNT - 1}, one dev account each).",
        ),
    ] = 5,
    rounds: Annotated[
        int | None, typer.Option("--rounds", "-r", help="Rounds (default: the config's).")
    ] = None,
    config: Annotated[Path, typer.Option("--config", help="Task config (TOML).")] = Path(
        "examples/digits.toml"
    ),
    partition: Annotated[
        str | None, typer.Option("--partition", help="iid or dirichlet:ALPHA.")
    ] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="Aggregation rule (default: the config's).")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Where summary.json and rounds.png go.")
    ] = Path("out/demo"),
    attack: Annotated[
        str | None,
        typer.Option(
            "--attack", help=f"Experiments: the last K participants attack ({', '.join(ATTACKS)})."
        ),
    ] = None,
    malicious: Annotated[
        int, typer.Option("--malicious", help="K: how many participants attack.")
    ] = 0,
    dp_epsilon: Annotated[
        float | None,
        typer.Option(
            "--dp-epsilon",
            help="Differential privacy: an epsilon budget per participant (delta 1e-5; DP-SGD "
            "unless the config's [privacy] says otherwise); the noise is calibrated to spend it.",
        ),
    ] = None,
    private: Annotated[
        bool,
        typer.Option(
            "--private",
            help="Encrypt every update and global model for the task's members; with FedAvg, "
            "also secure aggregation (only the sum of updates is ever visible).",
        ),
    ] = False,
    data: Annotated[
        str,
        typer.Option(
            "--data",
            help="digits: each participant cuts its own shard; onchain: the owner publishes the "
            "training data as shards on chain and each participant trains on the ones it is dealt.",
        ),
    ] = "digits",
    ui: Annotated[
        bool, typer.Option("--ui", help="Also serve the web dashboard and open it in a browser.")
    ] = False,
    device: Annotated[
        str, device_option(f"Participants train on {DEVICE_CHOICES}; summary.json records it.")
    ] = "auto",
) -> None:
    """Train a model across N participants on the local devnet and show it live."""
    console = Console()
    options = DemoOptions(
        participants=participants, rounds=rounds, config=config, partition=partition, rule=rule,
        attack=attack, malicious=malicious if attack else 0, dp_epsilon=dp_epsilon,
        private=private, data=data, device=device,
    )  # fmt: skip
    dashboard = DemoDashboard(console, options.store) if ui else None
    try:
        with Live(console=console, refresh_per_second=4, transient=False) as live:

            def show(s: DemoState) -> None:
                if dashboard is not None:
                    dashboard.start_once(s.rpc_url, s.task_id)
                live.update(_view(s))

            state = run_demo(options, show)
            live.update(_view(state))
    except KeyboardInterrupt:
        console.print(
            "\n[yellow]interrupted:[/] participants and the devnet were stopped; the chain kept "
            "every finalized round (`flchain devnet start` to look at it)."
        )
        raise typer.Exit(130) from None
    finally:
        if dashboard is not None:
            dashboard.stop()
    console.print()
    summary, plot = write_outputs(state, out)
    final = state.rounds[-1] if state.rounds else None
    if final is not None:
        console.print(
            f"[bold green]done:[/] task {state.task_id}, {len(state.rounds)} rounds, final test accuracy "
            f"[bold]{final.accuracy:.3f}[/] (initial {state.initial_accuracy:.3f}), trained on "
            f"{state.device}"
        )
    console.print(f"wrote {summary} and {plot}")
    console.print(
        "the chain persists: `flchain devnet start` then `flchain registry tasks` shows this task."
    )
