"""``flchain deploy-model`` and ``flchain predict``: on-chain inference from the command line."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress

from flchain.chain.accounts import parse_address
from flchain.cli.options import (
    AccountOption,
    DeploymentsOption,
    JsonOption,
    RoundIdParam,
    RpcOption,
    StoreOption,
    TaskArgument,
    TaskOption,
    echo_json,
    err_console,
)
from flchain.protocol.session import Session
from flchain.roles.inference import deploy_model as run_deploy_model
from flchain.roles.inference import predict_rows, read_feature_rows


def deploy_model(
    task: TaskArgument,
    round_id: Annotated[
        RoundIdParam | None,
        typer.Argument(
            metavar="[ROUND]", help="Round (0: initial model; default: latest finalized).", min=0
        ),
    ] = None,
    rpc: RpcOption = None,
    account: AccountOption = "dev:0",
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deploy a global model as an inference contract; prints its address.

    The model (logistic regression or an MLP with ReLU) is quantized to fixed point, its
    weights stored as contract code, and the contract linked to its (task, round) in the
    InferenceRegistry as --account."""
    session = Session.open(rpc, account, deployments=deployments, store=store)
    err = err_console()
    with Progress(console=err, transient=True, disable=as_json) as progress:
        bar = progress.add_task("deploying weights and contract", total=None)
        deployed = run_deploy_model(
            session.client,
            session.inference,
            session.client.sender,
            session.store,
            task,
            round_id,
            progress=lambda done, total: progress.update(bar, completed=done, total=total),
        )
    if as_json:
        echo_json(asdict(deployed))
        return
    err.print(
        escape(
            f"task {deployed.task_id} round {deployed.round} ({deployed.model_cid}): layers "
            f"{'-'.join(map(str, deployed.sizes))}, {deployed.parameters:,} parameters in "
            f"{len(deployed.chunks)} chunk(s) of int16; deployed for {deployed.deploy_gas:,} "
            f"gas, linked by {deployed.linker} for {deployed.link_gas:,} gas"
        )
    )
    typer.echo(deployed.address)


def predict(
    task: TaskOption,
    input_file: Annotated[
        Path,
        typer.Option(
            "--input",
            help="Feature rows: a CSV file (one row per line) or a .npy array.",
            exists=True,
            dir_okay=False,
        ),
    ],
    round_id: Annotated[
        RoundIdParam | None,
        typer.Option("--round", help="Round (default: latest finalized).", min=0),
    ] = None,
    linker: Annotated[
        str | None,
        typer.Option("--linker", help="Whose link to use (default: the task's owner)."),
    ] = None,
    rpc: RpcOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Classify input rows on chain; prints one class per row.

    The inference contract linked to the (task, round) computes every class in free view
    calls; --json adds its scores (fixed point, 16 fractional bits)."""
    linker = parse_address(linker, "--linker") if linker is not None else None
    session = Session.open(rpc, deployments=deployments)
    client, registry = session.client, session.inference
    rows = read_feature_rows(input_file)
    result = predict_rows(
        client, registry, task, rows, round_id=round_id, linker=linker, source=str(input_file)
    )
    if as_json:
        document = asdict(result)
        document["labels"] = list(result.labels)
        document["scores"] = [list(s) for s in result.scores]
        echo_json(document)
        return
    typer.echo("\n".join(str(label) for label in result.labels))
