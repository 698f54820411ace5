"""One exception hierarchy for the engine.

Every error the engine raises on bad input is a :class:`ProcessError`. Errors
about an input file are :class:`FormatError` (or a subclass): they carry the
file name, line and element so that a person can find and fix the problem.
"""

from __future__ import annotations

__all__ = [
    "FormatError",
    "InputTooLargeError",
    "ModelError",
    "ProcessError",
    "TooManyStepsError",
    "UnsupportedFormatError",
]


class ProcessError(Exception):
    """Base class of every error the engine raises on bad input."""


class FormatError(ProcessError):
    """An input file could not be read as a process.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    source
        The file name (or another name for the input), if known.
    line
        The 1-based line number in the input, if known.
    element
        The id (or tag) of the offending element, if known.
    hint
        How to fix it, if there is something useful to say.

    Examples
    --------
    >>> str(FormatError("flow points to unknown step 'x'", source="a.bpmn", line=12, element="Flow_1"))
    "a.bpmn, line 12, element 'Flow_1': flow points to unknown step 'x'"
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        element: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.element = element
        self.hint = hint
        super().__init__(str(self))

    def where(self) -> str:
        """Return "file, line N, element 'x'" for the parts that are known."""
        parts = []
        if self.source:
            parts.append(self.source)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.element:
            parts.append(f"element '{self.element}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Keep keyword arguments when pickled (e.g. across process pools).
        return (_rebuild, (type(self), self.message, self.source, self.line, self.element, self.hint))


def _rebuild(
    cls: type[FormatError],
    message: str,
    source: str | None,
    line: int | None,
    element: str | None,
    hint: str | None,
) -> FormatError:
    return cls(message, source=source, line=line, element=element, hint=hint)


class UnsupportedFormatError(FormatError):
    """The input is not in any format the engine can read."""


class InputTooLargeError(FormatError):
    """The input is larger than the configured limit."""


class TooManyStepsError(InputTooLargeError):
    """The process has more steps than the caller allows (``max_steps``).

    Carries ``code`` ``"too_many_steps"`` and ``params`` (``count``, ``limit``), so that
    an application can word the message in its user's language.

    Examples
    --------
    >>> error = TooManyStepsError(2500, 2000, source="stor.bpmn")
    >>> str(error)
    'stor.bpmn: the process has 2,500 steps, more than the limit of 2,000 (split it into sub-processes)'
    >>> error.code, error.params
    ('too_many_steps', {'count': 2500, 'limit': 2000})
    """

    code = "too_many_steps"

    def __init__(self, count: int, limit: int, *, source: str | None = None) -> None:
        self.count = count
        self.limit = limit
        super().__init__(
            f"the process has {count:,} steps, more than the limit of {limit:,}",
            source=source,
            hint="split it into sub-processes",
        )

    @property
    def params(self) -> dict[str, int]:
        """The numbers in the message: ``count`` and ``limit``."""
        return {"count": self.count, "limit": self.limit}

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.count, self.limit), {"source": self.source})


class ModelError(ProcessError):
    """A process graph was built or changed inconsistently (e.g. a duplicate id)."""
