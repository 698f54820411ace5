"""The process engine: process graphs, their formats, and their comparison.

Pure Python (networkx, lxml, ...): no web framework, no database. The
registry web app and the command line (``python -m processes``) build on it.
"""

from __future__ import annotations

from processes.exceptions import (
    FormatError,
    InputTooLargeError,
    ModelError,
    ProcessError,
    UnsupportedFormatError,
)
from processes.model import (
    ACTIVITY_KINDS,
    EVENT_KINDS,
    Element,
    Flow,
    Gateway,
    GatewayKind,
    Mode,
    Problem,
    Process,
    Severity,
    Step,
    StepKind,
)

__version__ = "0.1.0"

__all__ = [
    "ACTIVITY_KINDS",
    "EVENT_KINDS",
    "Element",
    "Flow",
    "FormatError",
    "Gateway",
    "GatewayKind",
    "InputTooLargeError",
    "Mode",
    "ModelError",
    "Problem",
    "Process",
    "ProcessError",
    "Severity",
    "Step",
    "StepKind",
    "UnsupportedFormatError",
    "__version__",
]
