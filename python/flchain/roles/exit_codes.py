"""Exit codes of a participant process that its supervisors (``flchain demo``, scripts) read.

0: the task ended and the participant claimed; 1: an error (one line on stderr);
:data:`EXPELLED`: slashes left its stake below the task's minimum, so it left the task with
what remained (an outcome of the protocol, not a crash: a supervisor may carry on).
"""

from __future__ import annotations

__all__ = ["EXPELLED"]

EXPELLED = 3
