"""The engine's package boundary: it stays pure, and its public surface is deliberate."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import processes


def _engine_modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages(processes.__path__, "processes.")
        if not m.name.endswith("__main__")
    )


def test_engine_imports_no_web_or_database_framework() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {_engine_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'wtforms', 'flask_sqlalchemy'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_engine_module_declares_all() -> None:
    missing = [
        name
        for name in _engine_modules()
        if not hasattr(importlib.import_module(name), "__all__")
    ]
    assert missing == []


def test_package_exports_resolve() -> None:
    for name in processes.__all__:
        assert getattr(processes, name) is not None, name


#: The engine's public surface. Changing it is a decision: update this list on purpose.
PUBLIC_API = [
    "ACTIVITY_KINDS",
    "Alignment",
    "ChangePlan",
    "Comparison",
    "Conformance",
    "CooperationAssumptions",
    "Difference",
    "DifferenceKind",
    "EVENT_KINDS",
    "Element",
    "FORMATS",
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


def test_public_api_is_pinned() -> None:
    assert sorted(processes.__all__) == PUBLIC_API


def test_submodules_are_not_shadowed_by_functions() -> None:
    import types

    for name in ("align", "compare", "diff", "explain", "render", "similarity", "formats", "maturity"):
        assert isinstance(getattr(processes, name), types.ModuleType), name
