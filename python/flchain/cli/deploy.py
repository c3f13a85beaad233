"""``flchain deploy``: apply the migrations a chain lacks and record them."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from flchain.chain.accounts import load_signer
from flchain.chain.connection import connect
from flchain.chain.transactions import TxSender
from flchain.cli.options import AccountOption, DeploymentsOption, JsonOption, RpcOption, out_console
from flchain.protocol.deploy import deploy as run_deploy


def deploy(
    rpc: RpcOption = None,
    account: AccountOption = "dev:0",
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Ignore the existing record and deploy everything anew.")
    ] = False,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deploy flchain's contracts: run the migration steps not yet applied on that chain."""
    w3 = connect(rpc)
    sender = TxSender(w3, load_signer(account, chain_id=int(w3.eth.chain_id)))
    report = run_deploy(w3, sender, directory=deployments, fresh=fresh)
    assert report.deployment is not None
    if as_json:
        typer.echo(json.dumps({
            "chain_id": report.chain_id, "record": str(report.record_path), "applied": report.applied,
            "changed_artifacts": report.changed_artifacts, "coordinator": report.deployment.coordinator,
            "registry": report.deployment.registry, "token": report.deployment.token,
        }))  # fmt: skip
        return
    out = out_console()
    if report.applied:
        out.print(f"[bold green]applied[/] {', '.join(report.applied)} on chain {report.chain_id}")
    else:
        out.print(f"chain {report.chain_id} is up to date: nothing to apply")
    for name in report.changed_artifacts:
        out.print(
            f"[yellow]note:[/] {name}'s compiled bytecode changed since it was deployed; the "
            "deployed one is kept (use --fresh to deploy anew)."
        )
    out.print(f"  coordinator {report.deployment.coordinator}")
    out.print(f"  registry    {report.deployment.registry}")
    out.print(f"  token       {report.deployment.token}")
    out.print(f"  record      {report.record_path}")
