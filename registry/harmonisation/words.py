"""The harmonisation words in the user's language: effort classes, follow-up statuses, reasons for deviations."""

from __future__ import annotations

from flask_babel import gettext as _

from processes.harmonise import Effort

__all__ = ["effort_label", "follow_up_choices", "follow_up_label", "reason_choices", "reason_label"]


def effort_label(effort: Effort) -> str:
    """The effort class in the user's language."""
    return {
        Effort.SMALL: _("small effort"),
        Effort.MEDIUM: _("medium effort"),
        Effort.LARGE: _("large effort"),
    }[effort]


def follow_up_label(status: str) -> str:
    """A change's follow-up status in the user's language (``justified``: a justified deviation)."""
    return {
        "not_started": _("not started"),
        "planned": _("planned"),
        "in_progress": _("in progress"),
        "done": _("done"),
        "justified": _("justified deviation"),
    }[status]


def follow_up_choices() -> list[tuple[str, str]]:
    """The statuses a process owner can choose for a change."""
    return [(s, follow_up_label(s)) for s in ("not_started", "planned", "in_progress", "done")]


def reason_label(category: str) -> str:
    """The category of a justified deviation's reason in the user's language."""
    return {
        "law": _("law or regulation"),
        "local_regulation": _("local regulation or plan"),
        "organisation": _("organisation or size"),
        "system": _("case-handling system"),
        "temporary": _("temporary"),
    }[category]


def reason_choices() -> list[tuple[str, str]]:
    """The reason categories to choose from."""
    return [(c, reason_label(c)) for c in ("law", "local_regulation", "organisation", "system", "temporary")]
