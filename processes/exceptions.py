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
    "ObjectCentricLogError",
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


class ObjectCentricLogError(UnsupportedFormatError):
    """A table is an object-centric event log (OCEL), not a step table or a case-centric log.

    One row per event, with an event id, an activity, a timestamp and the objects
    (orders, items, ...) each event touches, but no single case per event. Carries
    ``code`` ``"object_centric_event_log"`` and ``params``: the ``event_id``,
    ``activity`` and ``timestamp`` column names and ``object_types`` (the object
    columns, comma-separated), so that an application can word the message.

    Examples
    --------
    >>> error = ObjectCentricLogError("ocel:eid", "ocel:activity", "ocel:timestamp", ["ocel:type:order"], source="o.csv")
    >>> error.code, error.params["object_types"]
    ('object_centric_event_log', 'ocel:type:order')
    >>> print(str(error).split(": ", 1)[1].split(";")[0])
    this looks like an object-centric event log (OCEL), not a step table
    """

    code = "object_centric_event_log"

    def __init__(
        self,
        event_id: str,
        activity: str,
        timestamp: str,
        object_types: list[str],
        *,
        source: str | None = None,
        line: int | None = None,
    ) -> None:
        self.event_id = event_id
        self.activity = activity
        self.timestamp = timestamp
        self.object_types = list(object_types)
        objects = ", ".join(repr(t) for t in self.object_types)
        super().__init__(
            "this looks like an object-centric event log (OCEL), not a step table; "
            f"one row per event: event id {event_id!r}, activity {activity!r}, timestamp {timestamp!r}"
            + (f" and the objects of each event in {objects}" if objects else ""),
            source=source,
            line=line,
            hint=(
                "to import it, flatten it to an event log for one object type, with that object's id "
                "as the case column beside the activity and the timestamp, and upload that; or fill in "
                "a step table: Steg; Neste steg; Ansvarlig"
            ),
        )

    @property
    def params(self) -> dict[str, str]:
        """The column names in the message; ``object_types`` comma-separated."""
        return {
            "event_id": self.event_id,
            "activity": self.activity,
            "timestamp": self.timestamp,
            "object_types": ", ".join(self.object_types),
        }

    def __reduce__(self) -> tuple[object, ...]:
        return (
            type(self),
            (self.event_id, self.activity, self.timestamp, self.object_types),
            {"source": self.source, "line": self.line},
        )


class ModelError(ProcessError):
    """A process graph was built or changed inconsistently (e.g. a duplicate id)."""
