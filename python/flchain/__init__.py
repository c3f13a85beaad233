"""flchain: federated learning coordinated by Ethereum smart contracts.

The public API is re-exported here; ``__all__`` is checked by a test.
"""

from __future__ import annotations

from flchain.errors import FlchainError

__version__ = "0.1.0"

__all__ = ["FlchainError", "__version__"]
