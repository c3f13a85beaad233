"""``python -m flchain``: the same as the ``flchain`` command."""

from flchain.cli.main import run

run()
