"""The one adapter between database rows and engine objects.

Rows hold bytes and text (the original upload, canonical YAML, JSON results); the
engine (:mod:`processes`) works on :class:`~processes.Process`, alignments and
comparisons. Everything that crosses that line goes through this module, so the
engine never sees an ORM row and views never parse a process themselves.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import processes
from processes import FormatError, Problem, Process
from processes.align import (
    DEFAULT_THRESHOLD,
    Alignment,
    MappingMemory,
    Match,
    MatchKind,
)
from processes.compare import Comparison as EngineComparison
from processes.explain import summarise
from processes.formats import detect_format, read_process, write_process

__all__ = [
    "ENGINE_VERSION",
    "READER_OPTIONS",
    "ParsedUpload",
    "alignment_from_result",
    "canonical_content",
    "comparison_parameters",
    "comparison_result",
    "decision_memory",
    "load_process",
    "parse_upload",
    "process_from_content",
]

#: Reader options a person may choose in the upload form, per format (the event logs).
READER_OPTIONS: dict[str, frozenset[str]] = {
    "xes": frozenset({"label_attribute"}),
    "eventlog_csv": frozenset({"label_attribute", "case_column", "activity_column", "timestamp_column"}),
}

#: Stamped on every stored comparison; a different value marks a result as stale.
ENGINE_VERSION: str = processes.__version__

# Parsed versions by content hash. Version content never changes, so an entry never goes
# stale; the bound keeps memory flat on a server that shows many processes.
_CACHE_SIZE = 256
_cache: OrderedDict[str, Process] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class ParsedUpload:
    """An uploaded file read into a process, with what the owner must see before saving."""

    process: Process
    source_format: str
    content: str
    problems: tuple[Problem, ...] = field(default=())
    #: Reader options the user gave that do not apply to the detected format.
    ignored_options: tuple[str, ...] = field(default=())

    @property
    def step_count(self) -> int:
        """Number of steps (tasks, events, sub-processes), not gateways."""
        return len(self.process.steps)

    @property
    def has_errors(self) -> bool:
        """True when a problem has severity ``error``."""
        return any(p.severity == processes.Severity.ERROR for p in self.problems)


def canonical_content(process: Process) -> str:
    """The canonical native YAML stored as a version's content."""
    return write_process(process, "yaml").decode("utf-8")


def process_from_content(content: str, *, source: str | None = None) -> Process:
    """Read stored canonical YAML back into a fresh (mutable, caller-owned) process."""
    key = hashlib.sha256(content.encode("utf-8")).hexdigest()
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached.copy()
    # Stored content was written by the engine, so no size limit applies to reading it back.
    process = read_process(content.encode("utf-8"), filename=source, format="native", max_bytes=None)
    with _cache_lock:
        _cache[key] = process
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return process.copy()


def load_process(version: Any) -> Process:
    """The process of a :class:`~registry.variants.models.ProcessVersion` row."""
    process = process_from_content(version.content, source=f"version {version.id}")
    return process


def parse_upload(
    data: bytes,
    *,
    filename: str | None,
    fmt: str | None = None,
    max_bytes: int | None = None,
    max_steps: int | None = None,
    options: Mapping[str, Any] | None = None,
) -> ParsedUpload:
    """Read an uploaded file in any importer format; FormatError says file, line and what is wrong.

    ``fmt`` forces a format (a name from :data:`processes.formats.FORMATS`), otherwise it is
    detected. ``options`` go to the reader (label attribute, CSV columns for event logs).
    ``max_steps`` refuses larger processes with :class:`~processes.TooManyStepsError`.
    """
    source_format = fmt or detect_format(data, filename)
    allowed = READER_OPTIONS.get(source_format, frozenset())
    given = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    used = {k: v for k, v in given.items() if k in allowed}
    process = read_process(
        data, filename=filename, format=source_format, max_bytes=max_bytes, max_steps=max_steps, **used
    )
    content = canonical_content(process)
    # Problems are those of the process as it will be stored, so preview and history agree.
    return ParsedUpload(
        process=process,
        source_format=source_format,
        content=content,
        problems=tuple(process.validate()),
        ignored_options=tuple(sorted(set(given) - set(used))),
    )


def decision_memory(decisions: Iterable[Any]) -> MappingMemory:
    """Turn :class:`~registry.comparisons.models.MappingDecision` rows into the aligner's memory.

    Both the step ids and the labels are used: ids for versions that keep them, labels
    so that a decision survives a new version with new ids. A later decision about the
    same pair overrides an earlier one.
    """
    latest: dict[tuple[str, str], Any] = {}
    for d in sorted(decisions, key=lambda d: (d.decided_at, d.id or 0)):
        latest[(d.a_step_id, d.b_step_id)] = d
    confirmed = frozenset(k for k, d in latest.items() if d.decision == "confirmed")
    rejected = frozenset(k for k, d in latest.items() if d.decision == "rejected")
    confirmed_labels = frozenset(
        (d.a_label, d.b_label) for d in latest.values() if d.decision == "confirmed" and d.a_label and d.b_label
    )
    rejected_labels = frozenset(
        (d.a_label, d.b_label) for d in latest.values() if d.decision == "rejected" and d.a_label and d.b_label
    )
    return MappingMemory(
        confirmed=confirmed,
        rejected=rejected,
        confirmed_labels=confirmed_labels,
        rejected_labels=rejected_labels - confirmed_labels,
    )


def comparison_parameters(memory: MappingMemory, *, threshold: float = DEFAULT_THRESHOLD) -> tuple[str, str]:
    """The parameters JSON of a comparison and its hash (which also covers the mapping memory)."""
    memory_text = json.dumps(
        {
            "confirmed": sorted(memory.confirmed),
            "rejected": sorted(memory.rejected),
            "confirmed_labels": sorted(memory.confirmed_labels),
            "rejected_labels": sorted(memory.rejected_labels),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    memory_hash = hashlib.sha256(memory_text.encode("utf-8")).hexdigest()
    parameters = json.dumps(
        {"threshold": threshold, "memory_hash": memory_hash, "decisions": len(memory.confirmed) + len(memory.rejected)},
        sort_keys=True,
    )
    return parameters, hashlib.sha256(parameters.encode("utf-8")).hexdigest()


def comparison_result(comparison: EngineComparison) -> dict[str, Any]:
    """What a comparison row stores: the engine's JSON shape in bokmål and English, and the names used."""
    return {
        "nb": _with_summary(comparison, "nb"),
        "en": _with_summary(comparison, "en"),
        "a_name": comparison.a_name,
        "b_name": comparison.b_name,
    }


def _with_summary(comparison: EngineComparison, lang: str) -> dict[str, Any]:
    """The engine's JSON shape, plus ``summary``: the differences with many flow differences grouped by step."""
    data = comparison.to_dict(lang)
    data["summary"] = summarise(
        comparison.differences, comparison.a, comparison.b,
        a_name=comparison.a_name, b_name=comparison.b_name, lang=lang,
    )
    return data


def alignment_from_result(result: Mapping[str, Any]) -> Alignment:
    """The alignment stored in a comparison result (the table the owner confirms or rejects)."""
    data = result.get("nb") or result
    try:
        matches = tuple(
            Match(tuple(m["a"]), tuple(m["b"]), float(m["score"]), MatchKind(m["kind"])) for m in data["matches"]
        )
        return Alignment(matches=matches, missing=tuple(data["missing"]), extra=tuple(data["extra"]))
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"stored comparison result is not in the expected shape: {error}") from error
