"""The process engine: process graphs, their formats, and their comparison.

Pure Python (networkx, lxml, ...): no web framework, no database. The
registry web app and the command line (``python -m processes``) build on it.

The functions named like their modules (``align``, ``compare``, ``diff``,
``explain``, ``render``) are imported from those modules, e.g.
``from processes.compare import compare``, so that ``processes.compare``
stays the module.
"""

from __future__ import annotations

from processes.align import (
    Alignment,
    MappingMemory,
    Match,
    MatchKind,
    PreparedProcess,
    prepare,
)
from processes.compare import Comparison, compare_matrix
from processes.conformance import Conformance
from processes.diff import Difference, DifferenceKind
from processes.diffview import diff_diagram
from processes.discover import ProcessTree, discover_process, discover_tree
from processes.exceptions import (
    FormatError,
    InputTooLargeError,
    ModelError,
    ObjectCentricLogError,
    ProcessError,
    TooManyStepsError,
    UnsupportedFormatError,
)
from processes.explain import format_report
from processes.formats import (
    FORMATS,
    FormatInfo,
    detect_format,
    read_process,
    write_process,
)
from processes.gains import (
    CooperationAssumptions,
    GainError,
    GainEstimate,
    ProcessInput,
    StepInput,
)
from processes.generate import generate_variants, synthetic_process
from processes.harmonise import (
    ChangePlan,
    Proposal,
    StepClasses,
    apply_plan,
    change_plan,
    propose_standard,
    step_classes,
)
from processes.labels import Synonyms
from processes.maturity import Maturity, MaturityTable, maturity_table
from processes.model import (
    ACTIVITY_KINDS,
    EVENT_KINDS,
    Element,
    Flow,
    FlowKind,
    Gateway,
    GatewayKind,
    Mode,
    Problem,
    Process,
    Severity,
    Step,
    StepKind,
)
from processes.render import Style, layout
from processes.similarity import Similarity, graph_edit_distance, similarities

__version__ = "0.3.0"

__all__ = [
    "ACTIVITY_KINDS",
    "EVENT_KINDS",
    "FORMATS",
    "Alignment",
    "ChangePlan",
    "Comparison",
    "Conformance",
    "CooperationAssumptions",
    "Difference",
    "DifferenceKind",
    "Element",
    "Flow",
    "FlowKind",
    "FormatError",
    "FormatInfo",
    "GainError",
    "GainEstimate",
    "Gateway",
    "GatewayKind",
    "InputTooLargeError",
    "MappingMemory",
    "Match",
    "MatchKind",
    "Maturity",
    "MaturityTable",
    "Mode",
    "ModelError",
    "ObjectCentricLogError",
    "PreparedProcess",
    "Problem",
    "Process",
    "ProcessError",
    "ProcessInput",
    "ProcessTree",
    "Proposal",
    "Severity",
    "Similarity",
    "Step",
    "StepClasses",
    "StepInput",
    "StepKind",
    "Style",
    "Synonyms",
    "TooManyStepsError",
    "UnsupportedFormatError",
    "__version__",
    "apply_plan",
    "change_plan",
    "compare_matrix",
    "detect_format",
    "diff_diagram",
    "discover_process",
    "discover_tree",
    "format_report",
    "generate_variants",
    "graph_edit_distance",
    "layout",
    "maturity_table",
    "prepare",
    "propose_standard",
    "read_process",
    "similarities",
    "step_classes",
    "synthetic_process",
    "write_process",
]
