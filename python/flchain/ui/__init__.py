"""``flchain ui``: a local web dashboard over any chain and store flchain can reach.

Read-only: tasks, rounds, participants, the model lineage, datasets and inference contracts,
live as blocks arrive, with accuracy and loss per round evaluated from the registered models.
"""

from flchain.ui.app import Dashboard, create_app
from flchain.ui.server import UiServer, open_dashboard
from flchain.ui.source import Reader, UiSource

__all__ = ["Dashboard", "Reader", "UiServer", "UiSource", "create_app", "open_dashboard"]
