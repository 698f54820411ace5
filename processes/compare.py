"""Compare two processes: alignment, differences, similarity, in one call.

:func:`compare` is the entry point the registry, the command line and
notebooks use. It aligns the steps (:func:`processes.align.align`), lists
the differences (:func:`processes.diff.diff`) and computes the similarity
measures (:mod:`processes.similarity`). The result, a :class:`Comparison`,
explains itself in bokmål or English (:meth:`Comparison.texts`,
:func:`processes.explain.format_report`) and serialises to the JSON shape
of ``python -m processes compare --json`` (:meth:`Comparison.to_json`).

:func:`compare_matrix` computes the overall similarity of every pair of many
processes on all cores.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.context
import os
import weakref
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from processes.align import (
    Alignment,
    MappingMemory,
    Match,
    PreparedProcess,
    align,
    prepare,
)
from processes.diff import Difference, diff
from processes.exceptions import FormatError
from processes.explain import explain, format_report
from processes.labels import Synonyms, normalise
from processes.model import Process
from processes.similarity import ProcessProfile, Similarity, profile, similarities
from processes.suggest import candidates

__all__ = [
    "JSON_DIGITS",
    "Comparison",
    "compare",
    "compare_files",
    "compare_matrix",
    "display_name",
]

#: Similarity scores in the JSON output are rounded to this many decimals.
JSON_DIGITS = 4


@dataclass(frozen=True, eq=False)
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    a, b
        The compared processes (A is usually the standard).
    alignment
        Which steps correspond.
    differences
        What differs, in report order.
    similarity
        The similarity measures.
    a_name, b_name
        What the explanations call A and B (None: "the standard"/"the variant").
    candidates
        Likely partners among the unpaired steps, for a person to confirm or
        reject (:func:`processes.suggest.candidates`); not part of the
        alignment, so the differences still count those steps as missing and
        extra.
    """

    a: Process
    b: Process
    alignment: Alignment
    differences: tuple[Difference, ...]
    similarity: Similarity
    a_name: str | None = None
    b_name: str | None = None
    candidates: tuple[Match, ...] = ()

    def texts(self, lang: str = "nb") -> list[str]:
        """Every difference as one sentence in ``lang`` (``"nb"`` or ``"en"``)."""
        return [
            explain(
                d, self.a, self.b, a_name=self.a_name, b_name=self.b_name, lang=lang
            )
            for d in self.differences
        ]

    def to_dict(self, lang: str = "nb") -> dict[str, Any]:
        """The comparison as plain data, in the shape of :meth:`to_json`."""
        texts = self.texts(lang)
        return {
            "similarity": {
                k: round(v, JSON_DIGITS) for k, v in self.similarity.as_dict().items()
            },
            "matches": [_match_dict(m) for m in self.alignment.matches],
            "missing": list(self.alignment.missing),
            "extra": list(self.alignment.extra),
            "candidates": [_match_dict(m) for m in self.candidates],
            "differences": [
                {"kind": d.kind.value, "text": text, "a": list(d.a), "b": list(d.b)}
                for d, text in zip(self.differences, texts)
            ],
        }

    def to_json(self, lang: str = "nb", *, indent: int | None = None) -> str:
        """Serialise as JSON::

            {"similarity": {"overall": f, "labels": f, "structure": f, "behaviour": f},
             "matches": [{"a": [ids in A], "b": [ids in B], "score": f, "kind": s,
                          "confidence": f or null, "evidence": [codes]}],
             "missing": [ids in A], "extra": [ids in B],
             "candidates": [same shape as matches],
             "differences": [{"kind": s, "text": s, "a": [ids], "b": [ids]}]}

        Texts are in ``lang``; ids are the element ids of the inputs.
        ``score`` is the matcher's similarity of the steps (labels and
        context), ``confidence`` the estimate that the correspondence is
        right and ``evidence`` the codes it rests on (see
        :data:`processes.align.EVIDENCE`). ``candidates`` are likely partners
        among the missing and extra steps, for a person to confirm.
        ``indent`` pretty-prints (None: compact, and much faster).
        """
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=indent)

    def report(self, lang: str = "nb") -> str:
        """A readable text report (see :func:`processes.explain.format_report`)."""
        return format_report(self, lang)


def _match_dict(m: Match) -> dict[str, Any]:
    return {
        "a": list(m.a),
        "b": list(m.b),
        "score": round(float(m.score), JSON_DIGITS),
        "kind": str(m.kind.value if hasattr(m.kind, "value") else m.kind),
        "confidence": None if m.confidence is None else round(float(m.confidence), JSON_DIGITS),
        "evidence": list(m.evidence),
    }


def compare(
    a: Process,
    b: Process,
    *,
    alignment: Alignment | None = None,
    memory: MappingMemory | None = None,
    synonyms: Synonyms | None = None,
    a_name: str | None = None,
    b_name: str | None = None,
) -> Comparison:
    """Compare process ``a`` (e.g. the standard) with process ``b`` (e.g. a municipality's variant).

    Parameters
    ----------
    a, b
        The processes.
    alignment
        Use this alignment instead of computing one (for example one a
        person has corrected).
    memory
        Confirmed and rejected correspondences for the aligner.
    synonyms
        Synonym groups for the aligner (default: the built-in list).
    a_name, b_name
        What to call A and B in sentences, e.g. "Malvik".

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> def chain(*labels):
    ...     p = Process()
    ...     for i, label in enumerate(labels):
    ...         p.add_step(Step(f"s{i}", label))
    ...         if i:
    ...             p.add_flow(Flow(f"s{i - 1}", f"s{i}"))
    ...     return p
    >>> c = compare(chain("Motta søknad", "Sende nabovarsel", "Fatte vedtak"),
    ...             chain("Motta søknad", "Fatte vedtak"), b_name="Malvik")
    >>> c.texts()
    ['Steget «Sende nabovarsel» finnes i standarden, men mangler i Malvik.']
    >>> c.similarity.labels  # 4 of 5 steps matched, with identical labels
    0.8
    """
    if alignment is None:
        alignment = align(a, b, memory=memory, synonyms=synonyms)
    pa, pb = _profile(a), _profile(b)
    return Comparison(
        a=a,
        b=b,
        alignment=alignment,
        differences=diff(a, b, alignment, profiles=(pa, pb)),
        similarity=similarities(pa, pb, alignment, synonyms=synonyms),
        a_name=a_name,
        b_name=b_name,
        candidates=candidates(a, b, alignment, memory=memory, synonyms=synonyms),
    )


# Profiles of recently compared Process objects: comparing one standard with many variants
# computes the standard's profile once. An entry is used only while the object is alive and
# unchanged (same elements and flows).
_PROFILES: dict[
    int, tuple[weakref.ref[Process], tuple[object, ...], ProcessProfile]
] = {}
_PROFILES_SIZE = 256


def _profile(process: Process) -> ProcessProfile:
    key = id(process)
    fingerprint = (tuple(process.elements), tuple(process.flows))
    hit = _PROFILES.get(key)
    if hit is not None and hit[0]() is process and hit[1] == fingerprint:
        return hit[2]
    result = profile(process)
    if len(_PROFILES) >= _PROFILES_SIZE:
        for stale in [k for k, v in _PROFILES.items() if v[0]() is None] or list(
            _PROFILES
        )[: _PROFILES_SIZE // 2]:
            del _PROFILES[stale]
    _PROFILES[key] = (weakref.ref(process), fingerprint, result)
    return result


def _read(path: str | os.PathLike[str]) -> Process:
    from processes.formats import read_process

    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FormatError(
            f"cannot read the file: {exc.strerror or exc}",
            code="cannot_open",
            params={"detail": str(exc.strerror or exc)},
            source=str(path),
            hint="check the path",
        ) from None
    return read_process(data, filename=p.name)


def display_name(process: Process) -> str | None:
    """The name a comparison uses for ``process``: its municipality's name, if the metadata has one.

    The bundled samples carry the number in ``municipality`` and the name in
    ``municipality_name``; a numeric value is not a name.

    Examples
    --------
    >>> display_name(Process(metadata={"municipality": "5031", "municipality_name": "Malvik"}))
    'Malvik'
    >>> display_name(Process(metadata={"municipality": "5031"})) is None
    True
    """
    for key in ("municipality_name", "municipality"):
        value = process.metadata.get(key, "").strip()
        if value and not value.isdigit():
            return value
    return None


def compare_files(
    path_a: str | os.PathLike[str],
    path_b: str | os.PathLike[str],
    *,
    as_json: bool = False,
    lang: str = "nb",
    a_name: str | None = None,
    b_name: str | None = None,
) -> str:
    """Read two process files (any readable format) and return the comparison as text or JSON.

    This is ``python -m processes compare A B [--json] [--lang nb|en]``
    without the argument parsing. Names default to the ``municipality_name``
    (or a non-numeric ``municipality``) in each process's metadata, else
    "the standard"/"the variant".

    Raises
    ------
    FormatError
        A file cannot be read or parsed (the message names file and place).
    ValueError
        ``lang`` is not ``"nb"`` or ``"en"``.
    """
    if lang not in ("nb", "en"):
        raise ValueError(f"unknown language {lang!r}; use nb or en")
    a, b = _read(path_a), _read(path_b)
    comparison = compare(
        a,
        b,
        a_name=a_name or display_name(a),
        b_name=b_name or display_name(b),
    )
    if as_json:
        return comparison.to_json(lang, indent=2) + "\n"
    return comparison.report(lang)


# -- many processes ------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(
    processes: Sequence[Process], synonyms: Synonyms | None, vocabulary: Sequence[str]
) -> None:
    _WORKER["processes"] = processes
    _WORKER["synonyms"] = synonyms
    _WORKER["vocabulary"] = vocabulary
    _WORKER["cache"] = {}


def _features(i: int) -> tuple[PreparedProcess, ProcessProfile]:
    cache: dict[int, tuple[PreparedProcess, ProcessProfile]] = _WORKER["cache"]
    hit = cache.get(i)
    if hit is None:
        p = _WORKER["processes"][i]
        hit = (
            prepare(p, synonyms=_WORKER["synonyms"], vocabulary=_WORKER["vocabulary"]),
            profile(p),
        )
        cache[i] = hit
    return hit


# What to do when the worker processes cannot start because each one runs the calling
# script again (spawn and the fork server import the main module in every worker).
_GUARD_ADVICE = (
    "Every worker process imports the main script again: put the code that calls "
    "compare_matrix under 'if __name__ == \"__main__\":', or pass workers=1 to compare "
    "in this process."
)


def _pair_chunk(pairs: Sequence[tuple[int, int]]) -> list[float]:
    out = []
    syn = _WORKER["synonyms"]
    for i, j in pairs:
        (xa, pa), (xb, pb) = _features(i), _features(j)
        out.append(
            similarities(pa, pb, align(xa, xb, synonyms=syn), synonyms=syn).overall
        )
    return out


def compare_matrix(
    processes: Sequence[Process],
    *,
    workers: int | None = None,
    synonyms: Synonyms | None = None,
    chunk_size: int | None = None,
    shared_vocabulary: bool = True,
) -> npt.NDArray[np.float64]:
    """Overall similarity of every pair of ``processes``, as a symmetric matrix.

    Entry ``[i, j]`` (and ``[j, i]``) is the overall similarity of
    ``processes[i]`` and ``processes[j]`` as :func:`compare` computes it,
    for ``i < j``; the diagonal is 1. Each worker prepares every process
    once (label analysis, behavioural profile) and then takes chunks of
    pairs; results do not depend on the number of workers.

    With ``shared_vocabulary`` (the default), compound words are split with
    the words of *all* the processes, the set's own lexicon, so each process
    is analysed once. :func:`compare` on one pair uses the two processes'
    words only, which for a pair of variants means analysing both again;
    the two can differ where a compound splits only with a third process's
    words. ``shared_vocabulary=False`` gives exactly :func:`compare`'s values.

    Parameters
    ----------
    processes
        The processes.
    workers
        Worker processes; default: every core (``os.cpu_count()``). 1 runs
        in this process.
    synonyms
        Synonym groups for the aligner.
    chunk_size
        Pairs per task; default: enough for about 16 tasks per worker.
    shared_vocabulary
        Analyse compounds with the words of all processes (faster), see above.

    Examples
    --------
    >>> from processes.model import Flow, Process, Step
    >>> ps = []
    >>> for labels in (["Motta søknad", "Fatte vedtak"], ["Motta søknad", "Fatte vedtak"], ["Befaring", "Arkivere"]):
    ...     p = Process()
    ...     for x in labels:
    ...         p.add_step(Step(x, x))
    ...     p.add_flow(Flow(labels[0], labels[1]))
    ...     ps.append(p)
    >>> compare_matrix(ps, workers=1).round(2).tolist()
    [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # A worker re-running a script without the __main__ guard: starting a pool here
        # would recurse, and computing here would do the whole work once per worker.
        raise RuntimeError(f"compare_matrix was called while a worker process was starting. {_GUARD_ADVICE}")
    n = len(processes)
    result = np.eye(n, dtype=np.float64)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    if not pairs:
        return result
    workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
    workers = min(workers, len(pairs))
    size = chunk_size or max(1, -(-len(pairs) // (workers * 16)))
    chunks = [pairs[k : k + size] for k in range(0, len(pairs), size)]
    vocabulary: list[str] = []
    if shared_vocabulary:
        vocabulary = sorted(
            {w for p in processes for s in p.steps for w in normalise(s.label).split()}
        )
    if workers == 1:
        _init_worker(processes, synonyms, vocabulary)
        try:
            values = [v for chunk in chunks for v in _pair_chunk(chunk)]
        finally:
            _WORKER.clear()
    else:
        # A fork server (one clean, single-threaded process that has imported the engine once)
        # starts workers quickly and never forks a threaded parent such as a web server;
        # where there is none (Windows), spawn clean interpreters.
        context: multiprocessing.context.BaseContext
        if "forkserver" in multiprocessing.get_all_start_methods():
            server = multiprocessing.get_context("forkserver")
            server.set_forkserver_preload(["processes.compare"])
            context = server
        else:
            context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(list(processes), synonyms, vocabulary),
            ) as pool:
                values = [
                    v
                    for chunk_values in pool.map(_pair_chunk, chunks)
                    for v in chunk_values
                ]
        except BrokenProcessPool as error:
            # Workers that die while starting are almost always a script without the
            # guard (each worker says so on stderr); anything else shows as the cause.
            raise RuntimeError(
                "compare_matrix: the worker processes stopped while starting, most likely because "
                f"the calling script has no main guard. {_GUARD_ADVICE}"
            ) from error
    rows, cols = np.array(pairs).T
    result[rows, cols] = values
    result[cols, rows] = values
    return result
