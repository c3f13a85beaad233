"""What every typed contract client shares: its artifact and error ABI, the revert decoder,
the code check, reads with flchain's error mapping, sends through the account's
:class:`~flchain.chain.transactions.TxSender`, receipt events and log paging.

:class:`~flchain.protocol.client.FLClient` (coordinator and registry), the dataset
registry, the inference registry and RoundNotes clients are built on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from flchain.chain.events import LogPager
from flchain.chain.revert import RevertDecoder, guarded_read
from flchain.chain.transactions import TxResult, TxSender
from flchain.errors import ChainError, NotDeployedError
from flchain.protocol.artifacts import load_artifact

__all__ = ["ContractClient", "require_code"]

T = TypeVar("T")


def require_code(w3: Web3, name: str, address: str, chain_id: int) -> None:
    """NotDeployedError, saying what to run, unless a contract lives at ``address``."""
    code = guarded_read(
        lambda: w3.eth.get_code(Web3.to_checksum_address(address)),
        RevertDecoder([], name),
        f"looking for the {name} at {address}",
    )
    if len(code) == 0:
        raise NotDeployedError(
            f"No {name} contract at {address} on chain {chain_id} (was the devnet reset?); "
            "run `flchain deploy --fresh`."
        )


class ContractClient:
    """One deployed contract (``name``, its Hardhat artifact; ``contract.address`` is where it
    lives) seen by one account (``sender``; None for read-only use).

    ``error_sources`` name the contracts whose custom errors may bubble up through this one
    (a call into the coordinator, the registry, a token): reverts are decoded with all of
    their ABIs. ``chain_id`` saves a read when the caller knows it.
    """

    def __init__(
        self,
        w3: Web3,
        name: str,
        address: str,
        sender: TxSender | None = None,
        *,
        error_sources: Sequence[str] = (),
        chain_id: int | None = None,
    ) -> None:
        self.w3 = w3
        self.name = name
        self._sender = sender
        abi = load_artifact(name).abi
        self._error_abi = [*abi, *(entry for n in error_sources for entry in load_artifact(n).abi)]
        self.decoder = RevertDecoder(self._error_abi, name)
        self.contract: Contract = w3.eth.contract(
            address=Web3.to_checksum_address(address), abi=abi
        )
        if chain_id is None:
            chain_id = guarded_read(
                lambda: int(w3.eth.chain_id), self.decoder, "reading the chain id"
            )
        self.chain_id = chain_id
        require_code(w3, name, self.contract.address, self.chain_id)

    @property
    def account(self) -> str:
        """The sending account's address (ChainError for a read-only client)."""
        return self._require_sender().address

    @property
    def optional_sender(self) -> TxSender | None:
        """The account's sender, None for a read-only client (to build a sibling client)."""
        return self._sender

    def _require_sender(self) -> TxSender:
        if self._sender is None:
            raise ChainError(
                f"This {self.name} client is read-only; give it an account (--account) to send "
                "transactions."
            )
        return self._sender

    def _send(self, call: Any, gas: int | None = None) -> TxResult:
        return self._require_sender().transact(
            call, abi=self._error_abi, contract_name=self.name, gas=gas
        )

    def _call(self, fn: Callable[[], T], decoder: RevertDecoder | None = None) -> T:
        return guarded_read(
            fn, decoder or self.decoder, f"reading the {self.name} of chain {self.chain_id}"
        )

    def _event_args(self, event: str, result: TxResult) -> list[Any]:
        """The arguments of every ``event`` this contract emitted in ``result``'s receipt."""
        processed = self.contract.events[event]().process_receipt(
            {"logs": result.logs}, errors=DISCARD
        )
        return [entry["args"] for entry in processed]

    def _pager(
        self, events: Sequence[str], from_block: int = 0, topics: Sequence[int] = ()
    ) -> LogPager:
        """A pager over this contract's ``events``, filtered on their leading indexed
        uint256 arguments (``topics``, e.g. a task id and a round)."""
        return LogPager(
            self.w3,
            self.contract.abi,
            address=self.contract.address,
            from_block=from_block,
            events=list(events),
            extra_topics=["0x" + value.to_bytes(32, "big").hex() for value in topics],
        )
