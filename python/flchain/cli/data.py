"""``flchain data``: datasets as shards on chain: publish, list, link to a task, draw, fetch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from flchain.cli.options import (
    AccountOption,
    DeploymentsOption,
    JsonOption,
    RpcOption,
    StoreOption,
    TaskIdParam,
    TaskOption,
    echo_json,
    err_console,
    out_console,
)
from flchain.errors import ConfigError, InvalidCidError
from flchain.protocol.dataset_records import DatasetId, DatasetInfo
from flchain.protocol.session import Session
from flchain.roles.data.publisher import (
    dataset_name,
    default_license,
    load_source,
    publish_dataset,
)
from flchain.roles.data.shard_draws import (
    close_draw_when_full,
    devnet_miner,
    linked_dataset,
    load_assigned_data,
)
from flchain.roles.data.shard_fetch import FetchedShard, fetch_shards
from flchain.roles.taskfile import load_task_file
from flchain.storage.cid import Cid
from flchain.storage.locator import open_store

app = typer.Typer(
    help="Datasets as shards on chain: publish, list, link to a task, draw and fetch shards.",
    no_args_is_help=True,
)


#: Shown for a registry record whose digest and codec make no CID flchain understands.
INVALID_CID = "invalid CID"


def _cid(digest: bytes, codec: int) -> str:
    """The CID a registry record names, or "invalid CID": anyone registers datasets, and one
    record with a codec flchain does not know must not abort a listing."""
    try:
        return str(Cid.from_chain(digest, codec))
    except InvalidCidError:
        return INVALID_CID


def _dataset_json(info: DatasetInfo) -> dict[str, Any]:
    return {
        "dataset": info.dataset_id,
        "name": info.name,
        "owner": info.owner,
        "shards": info.shard_count,
        "bytes": info.total_bytes,
        "sealed": info.sealed,
        "schema": _cid(info.schema_digest, info.schema_codec),
        "license": _cid(info.license_digest, info.license_codec),
        "block": info.registered_block,
    }


@app.command()
def publish(
    source: Annotated[
        str, typer.Argument(help="digits, a directory of IDX files (MNIST), or FILE.npz (x, y).")
    ],
    shards: Annotated[int, typer.Option("--shards", "-k", help="Number of shards K.", min=1)],
    name: Annotated[str | None, typer.Option("--name", help="Name (default: from SOURCE).")] = None,
    license_file: Annotated[
        Path | None, typer.Option("--license", help="License text file (default: known or none).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Shuffle seed of the split.")] = 0,
    train_split_of: Annotated[
        Path | None,
        typer.Option("--train-split-of", help="Task config: publish only its training split."),
    ] = None,
    resume: Annotated[
        int | None,
        typer.Option(
            "--resume",
            help="Finish the interrupted publication of this dataset id (same arguments).",
            min=1,
        ),
    ] = None,
    account: AccountOption = "dev:0",
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cut SOURCE into K shards, upload them to the store and register them on chain.

    The dataset id is printed (stderr) as soon as it is registered: if the publication is
    interrupted, run the same command with --resume ID to add the missing shards and seal it."""
    split = load_task_file(train_split_of).document.data if train_split_of else None
    data = load_source(source, split)
    license_text = license_file.read_bytes() if license_file else default_license(source)
    registry = Session.open(rpc, account, deployments=deployments).datasets
    label = name or Path(source.removeprefix("mnist:")).stem or source
    out, err = out_console(), err_console()
    published = publish_dataset(
        registry, open_store(store), data, name=dataset_name(label), num_shards=shards,
        license_text=license_text, seed=seed, resume=DatasetId(resume) if resume else None,
        on_progress=lambda m: err.print(f"[dim]{escape(m)}[/]"),
    )  # fmt: skip
    if as_json:
        typer.echo(json.dumps({
            "dataset": published.dataset_id, "name": published.name,
            "schema": str(published.schema_cid), "license": str(published.license_cid),
            "bytes": published.total_bytes, "gas_used": published.gas_used,
            "shards": [{"index": s.index, "cid": str(s.cid), "size": s.size,
                        "sha256": s.content_digest.hex(), "samples": s.samples}
                       for s in published.shards],
        }, sort_keys=True))  # fmt: skip
        return
    out.print(
        f"[bold green]dataset {published.dataset_id}[/] {escape(published.name)}: "
        f"{len(published.shards)} "
        f"shards, {len(data)} samples, {published.total_bytes:,} bytes, "
        f"{published.gas_used:,} gas in {published.transactions} transactions"
    )
    typer.echo(published.dataset_id)


@app.command("ls")
def list_datasets(
    dataset: Annotated[
        int | None, typer.Argument(help="A dataset id: list its shards instead.", min=1)
    ] = None,
    rpc: RpcOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the registered datasets, or one dataset's shards."""
    registry = Session.open(rpc, deployments=deployments).datasets
    if dataset is not None:
        _list_shards(registry.dataset(dataset), registry.shards(dataset), as_json)
        return
    infos = list(registry.datasets())
    if as_json:
        echo_json([_dataset_json(i) for i in infos])
        return
    table = Table(title=f"{len(infos)} dataset(s)")
    for column in ("id", "name", "shards", "bytes", "sealed", "owner", "schema", "license"):
        table.add_column(column, overflow="fold")
    for i in infos:
        doc = _dataset_json(i)
        table.add_row(
            str(i.dataset_id), escape(i.name), str(i.shard_count), f"{i.total_bytes:,}",
            "yes" if i.sealed else "no", i.owner, doc["schema"], doc["license"],
        )  # fmt: skip
    out_console().print(table)


def _list_shards(info: DatasetInfo, shards: list[Any], as_json: bool) -> None:
    rows = [
        {"index": s.index, "cid": _cid(s.cid_digest, s.codec), "size": s.size,
         "sha256": s.content_digest.hex()}
        for s in shards
    ]  # fmt: skip
    if as_json:
        echo_json({**_dataset_json(info), "shard_list": rows})
        return
    table = Table(title=f"dataset {info.dataset_id} ({escape(info.name)}): {len(rows)} shard(s)")
    for column in ("index", "cid", "bytes", "sha256"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(str(row["index"]), row["cid"], f"{row['size']:,}", row["sha256"])
    out_console().print(table)


@app.command()
def link(
    task: TaskOption,
    dataset: Annotated[int, typer.Option("--dataset", help="Sealed dataset id.", min=1)],
    per_member: Annotated[
        int, typer.Option("--per-member", help="Consecutive shards per member.", min=1)
    ] = 1,
    account: AccountOption = "dev:0",
    rpc: RpcOption = None,
    deployments: DeploymentsOption = None,
) -> None:
    """Link TASK (yours) to the dataset it trains on; members then request shards."""
    registry = Session.open(rpc, account, deployments=deployments).datasets
    tx = registry.link_task(task, dataset, per_member)
    out_console().print(
        f"[bold green]task {task}[/] trains on dataset {dataset}, {per_member} shard(s) per "
        f"member (tx {tx.tx_hash})"
    )


@app.command()
def draw(
    task: TaskOption,
    tickets: Annotated[
        int, typer.Option("--tickets", help="Wait until the draw holds this many requests.", min=1)
    ] = 1,
    timeout: Annotated[float, typer.Option("--timeout", help="Give up after S seconds.")] = 600.0,
    account: AccountOption = "dev:0",
    rpc: RpcOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close TASK's open draw (as its owner) once it holds TICKETS requests, and fix it from
    the next block's hash (on the devnet, which mines only on transactions, it mines that block)."""
    registry = Session.open(rpc, account, deployments=deployments).datasets
    fixed = close_draw_when_full(
        registry, task, tickets, timeout=timeout, advance=devnet_miner(registry.w3)
    )
    document = {
        "task": task, "draw": fixed.draw, "tickets": fixed.tickets,
        "target_block": fixed.target_block, "seed": fixed.seed.hex(),
    }  # fmt: skip
    if as_json:
        echo_json(document)
        return
    out_console().print(
        f"[bold green]draw {fixed.draw}[/] of task {task} fixed: {fixed.tickets} ticket(s), "
        f"target block {fixed.target_block}, seed 0x{fixed.seed.hex()}"
    )


@app.command()
def fetch(
    task: Annotated[
        TaskIdParam | None,
        typer.Option("--task", help="Fetch your assigned shards of TASK.", min=1),
    ] = None,
    dataset: Annotated[
        int | None, typer.Option("--dataset", help="Fetch this dataset's shards.", min=1)
    ] = None,
    shard: Annotated[
        list[int] | None, typer.Option("--shard", help="With --dataset: only this index (repeat).")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="With --task: the member (dev:N, ...).")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the verified shard files here.")
    ] = None,
    join: Annotated[
        bool, typer.Option("--join", help="With --task: join it first (minimum stake) if needed.")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Wait at most S seconds.")] = 600.0,
    rpc: RpcOption = None,
    store: StoreOption = None,
    deployments: DeploymentsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fetch shards and verify each against its registered size and digest. With --task, the
    member's assigned shards: it requests them if it has not, waits for the task owner to
    close the draw (`flchain data draw`), then fetches the ones dealt to it."""
    if (task is None) == (dataset is None):
        raise ConfigError("Give exactly one of --task (your assigned shards) or --dataset.")
    if task is not None and account is None:
        raise ConfigError("--task needs --account: the member whose shards to fetch.")
    session = Session.open(rpc, account, deployments=deployments)
    client, registry = session.client, session.datasets
    local = open_store(store)
    if task is not None:
        linked_dataset(registry, task)
        if not join and not client.member(task, client.address).joined:
            raise ConfigError(
                f"{client.address} is not a member of task {task}; add --join to join it with "
                "the minimum stake, or run `flchain participant run --task ... --data onchain`."
            )
        assigned = load_assigned_data(
            client, registry, local, task, timeout=timeout, advance=devnet_miner(client.w3)
        )
        fetched = assigned.shards
    else:
        assert dataset is not None
        fetched = fetch_shards(registry, local, dataset, shard or None)
    _report(fetched, out_dir, as_json)


def _report(fetched: list[FetchedShard], out_dir: Path | None, as_json: bool) -> None:
    paths: list[Path | None] = []
    for s in fetched:
        path = None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / f"dataset-{s.dataset_id}-shard-{s.info.index:05d}.safetensors"
            path.write_bytes(s.data)
        paths.append(path)
    if as_json:
        rows = [
            {"dataset": s.dataset_id, "index": s.info.index, "cid": str(s.cid),
             "size": s.info.size, "verified": True, "path": str(p) if p else None}
            for s, p in zip(fetched, paths, strict=True)
        ]  # fmt: skip
        echo_json(rows)
        return
    table = Table(title=f"{len(fetched)} shard(s) fetched and verified")
    for column in ("dataset", "index", "cid", "bytes", "file"):
        table.add_column(column, overflow="fold")
    for s, p in zip(fetched, paths, strict=True):
        table.add_row(
            str(s.dataset_id),
            str(s.info.index),
            str(s.cid),
            f"{s.info.size:,}",
            escape(str(p or "-")),
        )
    out_console().print(table)
