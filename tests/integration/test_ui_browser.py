"""``flchain ui`` in a real browser: Chromium (Debian's, driven by Playwright, headless) against
the dashboard served by uvicorn over the session's Anvil and a tmp store.

The module builds, inside a module snapshot: task 1, two rounds played to the end by two
members with real training (ui_world.py), its last model deployed as an inference contract;
and task 2, one round opened and left for the live test to play while a page watches.
Every wait is for a condition in the page (Playwright's auto-waiting `expect`), never a sleep.
Each page's screenshot goes to docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from rich.console import Console
from ui_world import PlayedRound, play_round, task_config
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import revert, snapshot
from flchain.chain.transactions import TxSender
from flchain.cli.ui import DemoDashboard
from flchain.fl import build_model, evaluate, load_into
from flchain.protocol.client import FLClient
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.protocol.deploy import deploy
from flchain.protocol.inference_registry import InferenceRegistryClient
from flchain.roles.data.datasets import load_test_data
from flchain.roles.data.publisher import load_source, publish_dataset
from flchain.roles.inference import deploy_model, predict_rows
from flchain.roles.owner import create_task
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore
from flchain.ui import Dashboard, Reader, UiServer

pytestmark = pytest.mark.integration

TOKEN = 10**18
CHROMIUM = os.environ.get("FLCHAIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: Where the page screenshots go: the README's (docs/screenshots) with FLCHAIN_SCREENSHOTS=docs/screenshots,
#: else a temporary directory, so a test run leaves the checkout unchanged.
SCREENSHOTS = Path(
    os.environ.get("FLCHAIN_SCREENSHOTS") or Path(tempfile.gettempdir()) / "flchain-ui-screenshots"
)
#: On-chain strings are attacker-controlled: the page must show this as text, not markup.
DATASET_NAME = 'digits <img src=x onerror="window.pwned=1">'
TIMEOUT_MS = 60_000  # generous: a loaded 2-core machine; conditions, not durations, are asserted


@dataclass(frozen=True)
class World:
    w3: Web3
    store: LocalStore
    owner: FLClient
    members: list[FLClient]
    silent: FLClient
    rounds: list[PlayedRound]
    deployments: Path
    inference: str
    live_task: int
    url: str
    dashboard: Dashboard


@pytest.fixture(scope="module")
def world(w3: Web3, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    module_snapshot = snapshot(w3)
    deployments = tmp_path_factory.mktemp("deployments")
    store = LocalStore(tmp_path_factory.mktemp("store"))
    report = deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=deployments)
    assert report.deployment is not None
    owner, alice, bob, carol = (
        FLClient(w3, report.deployment, TxSender(w3, dev_signer(i, DEV_CHAIN_ID))) for i in range(4)
    )
    finished = task_config("digits-finished", rounds=2)
    task_id = create_task(owner, store, finished).task_id
    for member in (alice, bob, carol):
        member.join(task_id, 10 * TOKEN)
    owner.start_round(task_id)
    rounds = [
        play_round(w3, store, owner, [alice, bob], finished, task_id),
        play_round(w3, store, owner, [alice, bob], finished, task_id, silent=carol),
    ]
    owner.settle(task_id, carol.address)  # carol's unrevealed commit of round 2: slashed
    datasets = DatasetRegistryClient.open(w3, owner.sender, deployments)
    publish_dataset(
        datasets, store, load_source("digits"), name=DATASET_NAME, num_shards=4,
        license_text=b"CC BY 4.0",
    )  # fmt: skip
    registry = InferenceRegistryClient.for_chain(w3, deployments, owner.sender)
    deployed = deploy_model(owner, registry, owner.sender, store, task_id)
    live = create_task(owner, store, task_config("digits-live", rounds=1)).task_id
    for member in (alice, bob):
        member.join(live, 10 * TOKEN)
    owner.start_round(live)
    reader = Reader(FLClient(w3, report.deployment), store, deployments)
    with UiServer(reader, port=0, poll_seconds=0.2) as server:
        yield World(
            w3, store, owner, [alice, bob], carol, rounds, deployments, deployed.address, live,
            server.url, server.app.state.dashboard,
        )  # fmt: skip
    revert(w3, module_snapshot)


@pytest.fixture(scope="module")
def page(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, timeout=TIMEOUT_MS * 2,
        )  # fmt: skip
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        yield context.new_page()
        context.close()


def _url(world: World, path: str) -> str:
    return world.url.rstrip("/") + path


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_tasks_page_lists_the_finished_task_with_its_rounds_rule_and_stake(
    world: World, page: Page
) -> None:
    page.goto(_url(world, "/"))
    row = page.locator('tr[data-task="1"]')

    expect(row).to_contain_text("digits-finished")
    expect(row.locator("td.rounds")).to_have_text("2/2")
    expect(row).to_contain_text("completed")
    expect(row).to_contain_text("fedavg")
    expect(row).to_contain_text("public")
    expect(page.locator('tr[data-task="2"]')).to_contain_text("digits-live")
    _shot(page, "tasks")


def _expected_curve(world: World) -> list[tuple[int, float, float]]:
    """Each registered model of task 1 evaluated here, independently of the dashboard."""
    doc = task_config("x", 1).document
    test = load_test_data("digits", doc.data)
    points = []
    for round_id in (0, 1, 2):
        record = world.owner.model_at(1, round_id)
        model = build_model(doc.model, seed=0)
        load_into(model, world.store.get(Cid.from_chain(record.model_digest, record.codec)))
        accuracy, loss = evaluate(model, test)
        points.append((round_id, accuracy, loss))
    return points


def test_task_page_charts_one_evaluated_point_per_round_and_lists_participants(
    world: World, page: Page
) -> None:
    page.goto(_url(world, "/tasks/1"))
    chart = page.locator("#chart")

    expect(chart).to_have_attribute("data-points", "3")  # round 0 and the two rounds
    traces = page.evaluate(
        "() => document.getElementById('chart').data.map(t => [t.name, t.x, t.y])"
    )
    markers = page.locator("#chart .scatterlayer .trace .points path")
    expect(markers).to_have_count(2 * 3)  # drawn: accuracy and loss, one marker per round
    expected = _expected_curve(world)
    (acc_name, rounds, accuracy), (loss_name, _, loss) = traces
    assert (acc_name, loss_name, rounds) == ("accuracy", "loss", [0, 1, 2])
    assert accuracy == pytest.approx([a for _, a, _ in expected], abs=1e-9)
    assert loss == pytest.approx([lo for _, _, lo in expected], rel=1e-6)
    assert accuracy[2] > accuracy[0]  # it learned
    for member in world.members:
        expect(page.locator(f'tr[data-member="{member.address}"]')).to_contain_text("10")
    slashed = page.locator(f'tr[data-member="{world.silent.address}"] .slash')
    expect(slashed).to_have_text("round 2: 1 (unrevealed commit)")  # 10% of 10 tokens
    expect(page.locator('#rounds tr[data-round="2"]')).to_contain_text("finalized")
    _shot(page, "task")


def test_round_page_shows_the_accepted_set_the_winning_result_and_verifies(
    world: World, page: Page
) -> None:
    played = world.rounds[1]
    page.goto(_url(world, f"/tasks/1/rounds/{played.round}"))

    expect(page.locator("#accepted li")).to_have_text(list(played.members))
    expect(page.locator("#commits tbody tr")).to_have_count(3)  # carol committed, never revealed
    expect(page.locator("#reveals tbody tr")).to_have_count(2)
    won = page.locator("#results tr.won")
    expect(won).to_have_count(1)
    expect(won).to_contain_text(str(played.result.model_cid)[:10])
    expect(page.locator("#round-phase")).to_have_text("finalized")
    page.locator("#verify").click()
    expect(page.locator("#verify-status.ok")).to_contain_text("verified")
    _shot(page, "round")


def test_datasets_page_lists_the_dataset_with_its_name_as_text_not_markup(
    world: World, page: Page
) -> None:
    page.goto(_url(world, "/datasets"))

    row = page.locator('tr[data-dataset="1"]')
    expect(row).to_contain_text(DATASET_NAME)
    expect(row).to_contain_text("yes")  # sealed
    expect(row.locator("td").nth(3)).to_have_text("4")  # shards
    expect(page.locator("#datasets img")).to_have_count(0)
    assert page.evaluate("() => window.pwned === undefined")
    _shot(page, "datasets")


def test_inference_page_predicts_uploaded_csv_rows_with_the_linked_contract(
    world: World, page: Page, tmp_path: Path
) -> None:
    doc = task_config("x", 1).document
    rows = load_test_data("digits", doc.data).features[:5].reshape(5, -1)
    csv = tmp_path / "rows.csv"
    csv.write_text("\n".join(",".join(f"{v:g}" for v in row) for row in rows) + "\n")
    page.goto(_url(world, "/inference"))

    expect(page.locator("#links")).to_contain_text(world.inference)
    page.fill("#predict input[name=task]", "1")
    page.set_input_files("#predict input[name=rows]", str(csv))
    page.click("#predict button[type=submit]")
    cells = page.locator("#predictions tbody tr td:nth-child(2)")
    expect(cells).to_have_count(5)
    shown = [int(text) for text in cells.all_text_contents()]
    _shot(page, "inference")
    registry = InferenceRegistryClient.for_chain(world.w3, world.deployments)
    reader = FLClient(world.w3, world.owner.deployment)
    assert shown == list(predict_rows(reader, registry, 1, rows).labels)


def test_task_page_shows_a_new_round_without_reload(world: World, page: Page) -> None:
    page.goto(_url(world, f"/tasks/{world.live_task}"))
    expect(page.locator("#chart")).to_have_attribute("data-points", "1")
    expect(page.locator('#rounds tr[data-round="1"]')).to_contain_text("commit")
    page.evaluate("() => { window.notReloaded = true; }")

    task_file = task_config("digits-live", rounds=1)
    play_round(world.w3, world.store, world.owner, world.members, task_file, world.live_task)

    expect(page.locator('#rounds tr[data-round="1"]')).to_contain_text("finalized")
    expect(page.locator("#chart")).to_have_attribute("data-points", "2")
    assert page.evaluate("() => window.notReloaded === true")


def test_unknown_task_page_names_the_problem_without_a_traceback(world: World) -> None:
    response = httpx.get(_url(world, "/tasks/99"), timeout=30)

    assert response.status_code == 404
    assert "Task 99 does not exist" in response.text
    assert "Traceback" not in response.text


def test_predict_with_rows_of_the_wrong_width_names_the_problem(world: World) -> None:
    response = httpx.post(
        _url(world, "/inference/predict"),
        data={"task": "1"},
        files={"rows": ("bad.csv", b"1,2,3\n4,5,6\n", "text/csv")},
        timeout=60,
    )

    assert response.status_code == 400
    assert "bad.csv has rows of 3 features" in response.text
    assert "takes 64 features per row" in response.text


def test_curve_evaluates_each_registered_model_once(world: World) -> None:
    first = httpx.get(_url(world, "/tasks/1/curve"), timeout=60).json()
    evaluated = world.dashboard.evaluator.evaluations

    again = httpx.get(_url(world, "/tasks/1/curve"), timeout=60).json()

    assert [p["round"] for p in first["points"]] == [0, 1, 2]
    assert again == first
    assert world.dashboard.evaluator.evaluations == evaluated  # served from the CID cache


def test_demo_dashboard_serves_the_task_page_once_the_task_exists(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    # Not a fault stand-in: only keeps the test from launching the desktop's browser.
    monkeypatch.setattr("webbrowser.open", opened.append)
    console = Console(file=io.StringIO())
    dashboard = DemoDashboard(console, world.store.root, world.deployments)
    rpc_url = str(getattr(world.w3.provider, "endpoint_uri", ""))

    dashboard.start_once(rpc_url, 0)  # the demo's task does not exist yet: nothing starts
    assert dashboard.url is None
    try:
        dashboard.start_once(rpc_url, 1)
        dashboard.start_once(rpc_url, 1)  # once only
        assert dashboard.url is not None
        page = httpx.get(dashboard.url, timeout=30)
    finally:
        dashboard.stop()

    assert opened == [dashboard.url]
    assert page.status_code == 200
    assert "digits-finished" in page.text


def test_loopback_dashboard_refuses_a_foreign_host_header(world: World) -> None:
    foreign = httpx.get(_url(world, "/"), headers={"Host": "attacker.example"}, timeout=30)
    local = httpx.get(_url(world, "/"), headers={"Host": "localhost"}, timeout=30)

    assert foreign.status_code == 400  # a DNS-rebound page cannot read the dashboard
    assert local.status_code == 200
