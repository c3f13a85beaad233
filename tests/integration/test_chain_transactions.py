"""TxSender against a real Anvil: concurrency, reverts decoded, status-0 replay, timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account
from web3 import HTTPProvider, Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.types import RPCEndpoint, RPCResponse

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import mine, revert, snapshot
from flchain.chain.devnet import Devnet
from flchain.chain.revert import RevertDecoder
from flchain.chain.transactions import TxRequest, TxSender
from flchain.errors import ContractRevertError, TransactionError, TransactionTimeoutError

pytestmark = pytest.mark.integration


def _sender(w3: Web3, index: int) -> TxSender:
    return TxSender(w3, dev_signer(index, DEV_CHAIN_ID), receipt_timeout=30)


def test_deploy_returns_contract_address_when_mined(w3: Web3, probe: Contract) -> None:
    assert w3.eth.get_code(probe.address) != b""


def test_transact_returns_result_with_logs_when_call_succeeds(w3: Web3, probe: Contract) -> None:
    result = _sender(w3, 0).transact(probe.functions.ping(5, "hello"), contract_name="ChainProbe")

    assert result.status == 1
    assert result.block_number == w3.eth.block_number
    assert result.gas_used > 21_000
    assert len(result.logs) == 1
    assert probe.functions.counter().call() == 1


def test_concurrent_sends_succeed_without_nonce_errors_when_ten_accounts_send_five_each(
    w3: Web3, probe: Contract
) -> None:
    senders = [_sender(w3, i) for i in range(10)]
    jobs = [(s, n) for s in senders for n in range(5)]

    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        results = list(
            pool.map(lambda job: job[0].transact(probe.functions.ping(job[1], "")), jobs)
        )

    assert all(r.status == 1 for r in results)
    assert len({r.tx_hash for r in results}) == 50
    assert probe.functions.counter().call() == 50
    for sender in senders:
        assert probe.functions.perSender(sender.address).call() == 5


def test_concurrent_sends_succeed_when_threads_share_one_account(w3: Web3, probe: Contract) -> None:
    sender = _sender(w3, 1)
    start_nonce = w3.eth.get_transaction_count(sender.address)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: sender.transact(probe.functions.ping(i, "")), range(24)))

    nonces = sorted(w3.eth.get_transaction(r.tx_hash)["nonce"] for r in results)
    assert nonces == list(range(start_nonce, start_nonce + 24))


def test_send_resyncs_nonce_when_account_was_used_elsewhere(w3: Web3, probe: Contract) -> None:
    sender = _sender(w3, 2)
    sender.transact(probe.functions.ping(1, ""))  # the sender now counts nonces locally
    other = Account.from_key(dev_signer(2, DEV_CHAIN_ID)._account.key)
    tx = probe.functions.ping(2, "").build_transaction(
        {"from": other.address, "nonce": w3.eth.get_transaction_count(other.address)}
    )
    w3.eth.send_raw_transaction(other.sign_transaction(tx).raw_transaction)

    result = sender.transact(probe.functions.ping(3, ""))

    assert result.status == 1
    assert probe.functions.perSender(sender.address).call() == 3


def _refused_transact(
    w3: Web3, account: int, call: ContractFunction, **options: Any
) -> tuple[ContractRevertError, int]:
    """Transact ``call`` to the ChainProbe as dev ``account``, which must raise
    ContractRevertError: the error, and how many transactions the account sent meanwhile."""
    sender = _sender(w3, account)
    nonce_before = w3.eth.get_transaction_count(sender.address)
    with pytest.raises(ContractRevertError) as caught:
        sender.transact(call, contract_name="ChainProbe", **options)
    return caught.value, w3.eth.get_transaction_count(sender.address) - nonce_before


def test_transact_raises_decoded_custom_error_without_sending_when_call_would_revert(
    w3: Web3, probe: Contract
) -> None:
    error, sent = _refused_transact(w3, 0, probe.functions.failCustom(7))

    assert str(error) == "ChainProbe rejected the call: ProbeTaskNotFound(taskId=7)"
    assert error.error_name == "ProbeTaskNotFound"
    assert error.error_args == {"taskId": 7}
    assert sent == 0


def test_transact_decodes_address_bytes_and_string_args_when_custom_error_has_them(
    w3: Web3, probe: Contract
) -> None:
    sender = _sender(w3, 3)
    role = b"\x01" * 32

    with pytest.raises(ContractRevertError) as caught:
        sender.transact(probe.functions.failUnauthorized(role), contract_name="ChainProbe")

    assert caught.value.error_name == "ProbeUnauthorized"
    assert caught.value.error_args == {
        "caller": sender.address,
        "role": role,
        "note": "members only",
    }
    assert f"caller={sender.address}" in str(caught.value)


@pytest.mark.parametrize(
    ("call", "name", "fragment"),
    [
        ("failString", "Error", 'rejected the call: "probe: string reason"'),
        ("failPanic", "Panic", "Panic(0x12): division or modulo by zero"),
        ("failEmpty", "", "without a reason"),
    ],
)
def test_transact_decodes_builtin_reverts_when_contract_uses_them(
    w3: Web3, probe: Contract, call: str, name: str, fragment: str
) -> None:
    fn = (
        getattr(probe.functions, call)(0)
        if call == "failPanic"
        else getattr(probe.functions, call)()
    )

    with pytest.raises(ContractRevertError) as caught:
        _sender(w3, 0).transact(fn, contract_name="ChainProbe")

    assert caught.value.error_name == name
    assert fragment in str(caught.value)


def test_revert_decoder_reads_web3_exceptions_when_eth_call_reverts(
    w3: Web3, probe: Contract, probe_artifact: dict[str, Any]
) -> None:
    decoder = RevertDecoder(probe_artifact["abi"], "ChainProbe")

    with pytest.raises(Exception) as caught:  # noqa: PT011 - web3's own exception types
        probe.functions.incrementBelow(0).call()
    decoded = decoder.from_exception(caught.value)

    assert decoded is not None
    assert str(decoded) == "ChainProbe rejected the call: ProbeLimitExceeded(counter=0, limit=0)"


def test_mined_failure_is_replayed_and_decoded_when_gas_was_given(
    w3: Web3, probe: Contract
) -> None:
    error, sent = _refused_transact(w3, 4, probe.functions.failCustom(9), gas=100_000)

    assert error.error_args == {"taskId": 9}
    assert "ProbeTaskNotFound(taskId=9) (transaction 0x" in str(error)
    assert sent == 1


def test_mined_failure_says_out_of_gas_when_gas_limit_too_low(w3: Web3, probe: Contract) -> None:
    with pytest.raises(TransactionError, match="ran out of gas"):
        _sender(w3, 5).transact(probe.functions.ping(1, "x"), gas=30_000)


def test_send_works_after_snapshot_revert_when_nonces_were_counted(
    w3: Web3, probe: Contract
) -> None:
    sender = _sender(w3, 6)
    snap = snapshot(w3)
    sender.transact(probe.functions.ping(1, ""))
    revert(w3, snap)

    result = sender.send(TxSender.request_for(probe.functions.ping(2, "")), timeout=5)

    assert result.status == 1


class _LossyProvider(HTTPProvider):
    """Fails the first eth_sendRawTransaction with a connection error, before or after
    the node got it (a lost request or a lost response)."""

    def __init__(self, url: str, deliver_first: bool) -> None:
        super().__init__(url)
        self.deliver_first = deliver_first
        self.sends = 0

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        if method == "eth_sendRawTransaction":
            self.sends += 1
            if self.sends == 1:
                if self.deliver_first:
                    super().make_request(method, params)
                raise requests.ConnectionError("connection reset (simulated)")
        return super().make_request(method, params)


@pytest.mark.parametrize("delivered", [True, False])
def test_send_mines_exactly_once_when_first_delivery_fails_transiently(
    w3: Web3, probe: Contract, delivered: bool
) -> None:
    provider = _LossyProvider(str(w3.provider.endpoint_uri), deliver_first=delivered)  # type: ignore[attr-defined]
    sender = TxSender(Web3(provider), dev_signer(7, DEV_CHAIN_ID))
    nonce_before = w3.eth.get_transaction_count(sender.address)

    result = sender.transact(probe.functions.ping(1, ""))

    assert result.status == 1
    assert provider.sends == (1 if delivered else 2)
    assert w3.eth.get_transaction_count(sender.address) == nonce_before + 1
    assert probe.functions.perSender(sender.address).call() == 1


@pytest.fixture(scope="module")
def unmined(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web3]:
    state_dir: Path = tmp_path_factory.mktemp("unmined")
    with Devnet(state_dir, persist=False, mining=False) as devnet:
        yield connect(devnet.rpc_url, expected_chain_id=DEV_CHAIN_ID)


def test_wait_raises_timeout_with_hash_when_node_does_not_mine(unmined: Web3) -> None:
    sender = TxSender(unmined, dev_signer(0, DEV_CHAIN_ID), receipt_timeout=0.5)
    to = dev_signer(1, DEV_CHAIN_ID).address
    pending = sender.submit(TxRequest(to, b"", value=1, gas=21_000))
    with pytest.raises(TransactionTimeoutError) as caught:
        sender.wait(pending)
    mine(unmined)
    result = sender.wait(pending)

    assert pending.tx_hash in str(caught.value)
    assert result.status == 1
