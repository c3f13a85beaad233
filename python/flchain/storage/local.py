"""``LocalStore``: the embedded, directory-backed block store (flchain's default).

Layout under the root directory::

    blocks/<shard>/<multihash in base32>   one file per block, keyed by multihash as in
                                           Kubo's flatfs (shard: next-to-last 2 characters)
    pins/<CID>                             one empty file per pinned root

Several processes may write at once: every file is written to a temporary name in its
final directory and moved into place with ``os.replace``, so a reader sees a whole block
or none. Blocks are immutable: adding content again skips intact blocks and rewrites
corrupt ones.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from flchain.errors import ContentNotFoundError, StorageError
from flchain.storage.block import Block, verify_block
from flchain.storage.car import export_car, read_car
from flchain.storage.cid import DAG_PB, Cid
from flchain.storage.unixfs import FileDag, build_file_dag, child_cids, read_file

__all__ = ["DEFAULT_CID_VERSION", "DEFAULT_STORE_ROOT", "LocalStore"]

DEFAULT_STORE_ROOT = Path(".flchain/store")
"""Where ``flchain`` keeps its store when no directory is given (relative to the cwd)."""
DEFAULT_CID_VERSION = 1
"""CIDv1 with raw leaves, as ``ipfs add --cid-version=1``."""

_TMP_PREFIX = ".tmp-"
logger = logging.getLogger(__name__)


class LocalStore:
    """A content store in a directory; CIDs equal Kubo's ``ipfs add`` CIDs."""

    def __init__(self, root: Path | str, *, cid_version: int = DEFAULT_CID_VERSION) -> None:
        if cid_version not in (0, 1):
            raise ValueError(f"cid_version must be 0 or 1, got {cid_version}")
        self.root = Path(root)
        self.cid_version = cid_version
        self._blocks = self.root / "blocks"
        self._pins = self.root / "pins"

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    # -- Store -------------------------------------------------------------------------

    def put(self, data: bytes) -> Cid:
        """Store ``data`` as a UnixFS file; return its CID."""
        return self.put_file(data).root

    def get(self, cid: Cid) -> bytes:
        """The file's bytes, every block verified against its CID on the way."""
        return read_file(cid, self.get_block)

    def has(self, cid: Cid) -> bool:
        """Whether every block of the DAG under ``cid`` is in the store."""
        stack = [cid]
        while stack:
            current = stack.pop()
            if not self.has_block(current):
                return False
            if current.codec == DAG_PB:
                stack.extend(child_cids(current, self.get_block(current)))
        return True

    def pin(self, cid: Cid) -> None:
        """Record ``cid`` as pinned; its whole DAG must be in the store."""
        if not self.has(cid):
            raise ContentNotFoundError(
                f"Cannot pin {cid}: its content is not (completely) in the store at "
                f"{self.root}; add it or import its CAR file first."
            )
        self._write_atomic(self._pins / str(cid), b"")
        logger.debug("pinned %s in %s", cid, self.root)

    # -- files, blocks and CARs ----------------------------------------------------------

    def put_file(
        self, data: bytes, *, cid_version: int | None = None, raw_leaves: bool | None = None
    ) -> FileDag:
        """Store ``data`` as a UnixFS file and return its whole DAG.

        ``cid_version`` defaults to the store's; ``raw_leaves`` to Kubo's choice for it.
        """
        version = self.cid_version if cid_version is None else cid_version
        dag = build_file_dag(data, version, raw_leaves=raw_leaves)
        self.put_blocks(dag.blocks)
        logger.debug("stored %s (%d bytes, %d blocks)", dag.root, len(data), len(dag.blocks))
        return dag

    def put_blocks(self, blocks: Iterable[Block]) -> None:
        """Store blocks after checking each against its CID (IntegrityError otherwise)."""
        for block in blocks:
            verify_block(block.cid, block.data)
            path = self._block_path(block.cid)
            if not _holds(path, block.data):
                self._write_atomic(path, block.data)

    def get_block(self, cid: Cid) -> bytes:
        """The stored bytes of one block, verified against ``cid``."""
        path = self._block_path(cid)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ContentNotFoundError(
                f"No content for {cid} in the store at {self.root}; add it "
                "(flchain ipfs add) or import its CAR file first."
            ) from None
        except OSError as exc:
            raise StorageError(f"Cannot read block {cid} from {path}: {exc.strerror}.") from exc
        verify_block(cid, data, where=str(path))
        return data

    def has_block(self, cid: Cid) -> bool:
        """Whether the block itself is in the store (its children are not checked)."""
        return self._block_path(cid).is_file()

    def pinned(self) -> frozenset[Cid]:
        """The CIDs pinned in this store."""
        if not self._pins.is_dir():
            return frozenset()
        return frozenset(
            Cid.parse(entry.name)
            for entry in self._pins.iterdir()
            if not entry.name.startswith(_TMP_PREFIX)
        )

    def export_car(self, cid: Cid) -> bytes:
        """The CARv1 archive of the DAG under ``cid`` (for ``ipfs dag import``)."""
        return export_car(cid, self.get_block)

    def import_car(self, data: bytes, *, pin_roots: bool = True) -> tuple[Cid, ...]:
        """Store every block of a CARv1 archive; pin its roots (as ``ipfs dag import``)."""
        car = read_car(data)
        self.put_blocks(car.blocks)
        if pin_roots:
            for root in car.roots:
                self.pin(root)
        return car.roots

    # -- files on disk -------------------------------------------------------------------

    def _block_path(self, cid: Cid) -> Path:
        name = base64.b32encode(cid.multihash).decode("ascii").rstrip("=").lower()
        return self._blocks / name[-3:-1] / name

    def _write_atomic(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` so no reader ever sees a partial file."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX)
        except OSError as exc:
            raise StorageError(
                f"Cannot write to the store at {self.root}: {exc.strerror}; check that the "
                "directory is writable or choose another with --root / FLCHAIN_STORE."
            ) from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StorageError(
                f"Cannot write {path}: {exc.strerror}; check free space and permissions."
            ) from exc


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` already holds exactly ``data`` (a corrupt copy gets rewritten)."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
