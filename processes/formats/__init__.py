"""Reading and writing processes in every supported format.

Contract (every format module follows it):

- ``read_<fmt>(data: bytes, *, source: str | None = None, **options) -> Process``
  raises :class:`processes.exceptions.FormatError` (or a subclass) on bad
  input, naming file, line/element and what is wrong; never anything else.
- ``write_<fmt>(process: Process, **options) -> bytes`` for writable formats.

:func:`read_process` detects the format by content (the file name is only a
tie-breaker) and dispatches; :func:`write_process` picks the writer by name.
"""

from __future__ import annotations

__all__: list[str] = []
