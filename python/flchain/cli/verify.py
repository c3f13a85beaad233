"""``flchain verify TASK ROUND``: recompute a round and check it against the chain."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from flchain.cli.options import (
    DeploymentsOption,
    JsonOption,
    ReaderAccountOption,
    RoundIdParam,
    RpcOption,
    StoreOption,
    TaskArgument,
)
from flchain.protocol.session import open_client
from flchain.roles.verifier import verify_round
from flchain.storage.locator import open_store


def _bits(bitmap: int) -> str:
    return "{" + ", ".join(str(i) for i in range(256) if bitmap >> i & 1) + "}"


def verify(
    task: TaskArgument,
    round_id: Annotated[
        RoundIdParam, typer.Argument(metavar="ROUND", help="A finalized round.", min=1)
    ],
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    account: ReaderAccountOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-fetch a round's revealed updates, recompute the aggregate and the accepted set, and
    check both against the chain. Exits 0 only if they match. A private task's rounds are
    verified by its members and owner (--account)."""
    client = open_client(rpc, account, deployments=deployments)
    signer = client.sender.signer if account is not None else None
    result = verify_round(client, open_store(store), task, round_id, signer)
    if as_json:
        typer.echo(json.dumps({
            "task_id": task, "round": round_id, "rule": result.rule, "ok": result.ok,
            "model": {"chain": str(result.chain_model), "recomputed": str(result.recomputed_model)},
            "accepted": {"chain": _bits(result.chain_accepted), "recomputed": _bits(result.recomputed_accepted)},
            "metrics_match": result.chain_metrics == result.recomputed_metrics,
            "rejected": {str(k): v for k, v in sorted(result.rejected.items())},
        }))  # fmt: skip
    else:
        out = Console(highlight=False)
        mark = {True: "[green]match[/]", False: "[red]MISMATCH[/]"}
        out.print(f"task {task} round {round_id}, rule {result.rule}")
        out.print(f"  model     {mark[result.model_matches]}  chain {result.chain_model}")
        if not result.model_matches:
            out.print(f"                 recomputed {result.recomputed_model}")
        out.print(
            f"  accepted  {mark[result.accepted_matches]}  chain {_bits(result.chain_accepted)}"
        )
        if not result.accepted_matches:
            out.print(f"                 recomputed {_bits(result.recomputed_accepted)}")
        out.print(f"  metrics   {mark[result.chain_metrics == result.recomputed_metrics]}")
        for index, reason in sorted(result.rejected.items()):
            out.print(f"  rejected update {index}: {reason}")
        out.print(
            "[bold green]verified[/]"
            if result.ok
            else "[bold red]the chain's result differs from the recomputed one[/]"
        )
    if not result.ok:
        raise typer.Exit(1)
