"""Utvikling over tid: each member's similarity to the standard across its versions, and the cooperation per month."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_percent, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from registry.authz import can_view_divergence, require
from registry.charts import Bars, Series, bar_chart, line_chart
from registry.cooperations.models import Cooperation
from registry.cooperations.views import load_cooperation
from registry.divergence.views import _process_type
from registry.extensions import db
from registry.harmonisation.adoption import (
    DEFAULT_THRESHOLD,
    DONE,
    FAILED,
    MISSING,
    NO_STANDARD,
    PENDING,
    AdoptionState,
    MemberHistory,
    adoption_state,
    request_missing,
)
from registry.harmonisation.adoption_forms import AdoptionForm
from registry.tasks import queue_url

__all__ = ["bp"]

bp = Blueprint("adoption", __name__, url_prefix="/samarbeid/<cooperation>/utvikling")


def _cooperation(slug: str) -> Cooperation:
    cooperation = load_cooperation(slug)
    require(can_view_divergence(current_user, cooperation))
    return cooperation


def _percent(value: float | None) -> str:
    """A share in [0, 1] as the page writes it («83 %»)."""
    return str(format_percent(value, format="#,##0 %")) if value is not None else "–"


def _status_text(status: str) -> str:
    return {
        PENDING: _("being computed…"),
        MISSING: _("not computed yet"),
        FAILED: _("could not be computed"),
        NO_STANDARD: _("no standard published then"),
    }.get(status, "")


def _member_chart(history: MemberHistory, index: int) -> dict[str, Any]:
    """The line chart of one member's versions and the rows of its table."""
    name = history.municipality.name
    values = [p.overall * 100 if p.status == DONE and p.overall is not None else None for p in history.points]
    labels = [_("v%(number)s", number=p.version.number) for p in history.points]
    known = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None]
    if known:
        description = _(
            "Similarity of %(name)s's versions to the standard: %(values)s.",
            name=name,
            values=", ".join(f"{label} {_percent(v / 100)}" for label, v in known),
        )
    else:
        description = _("No similarity of %(name)s's versions to the standard is computed yet.", name=name)
    chart = line_chart(
        [Series(name, values)],
        labels,
        title=_("%(name)s: similarity to the standard by version", name=name),
        description=description,
        id_prefix=f"member-{index}",
        empty_text=_("Nothing computed yet"),
        value_format=lambda v: _percent(v / 100),
    )
    rows = [
        [
            _("Version %(number)s", number=p.version.number),
            format_date(p.made_at, format="medium"),
            _("version %(number)s", number=p.standard_version.number) if p.standard_version is not None else "–",
            _percent(p.overall) if p.status == DONE else _status_text(p.status),
        ]
        for p in history.points
    ]
    return {"chart": chart, "rows": rows, "name": name, "id": f"member-{index}"}


def _cooperation_charts(state: AdoptionState) -> dict[str, Any]:
    """The share at or above the threshold per month, and the changes open and done, as charts with tables."""
    labels = [str(format_date(m.month, format="MMM yyyy")) for m in state.months]
    threshold = _percent(state.threshold)
    shares = [m.share * 100 if m.share is not None else None for m in state.months]
    known = [(label, v) for label, v in zip(labels, shares, strict=True) if v is not None]
    share_chart = line_chart(
        [Series(_("Share"), shares)],
        labels,
        title=_("Share of members at or above %(threshold)s similarity, at the end of each month", threshold=threshold),
        description=(
            _("From %(first)s (%(first_value)s) to %(last)s (%(last_value)s).", first=known[0][0],
              first_value=_percent(known[0][1] / 100), last=known[-1][0], last_value=_percent(known[-1][1] / 100))
            if known
            else _("No month has a computed similarity yet.")
        ),
        id_prefix="share",
        empty_text=_("Nothing computed yet"),
        value_format=lambda v: _percent(v / 100),
    )
    share_rows = [
        [
            # Each month links to the map as it was on the day counted.
            Markup('<a href="{}">{}</a>').format(
                url_for("divergence.show", cooperation=state.cooperation.slug, slug=state.process_type.slug,
                        dato=m.day.isoformat()),
                escape(label),
            ),
            _("version %(number)s", number=m.standard_version.number) if m.standard_version is not None else "–",
            m.with_process,
            m.known,
            m.at_or_above,
            _percent(m.share),
        ]
        for label, m in zip(labels, state.months, strict=True)
    ]
    opened = [float(m.open_changes) for m in state.months]
    done = [float(m.done_changes) for m in state.months]
    changes_chart = bar_chart(
        [Bars(_("Open at the end of the month"), opened), Bars(_("Done in the month"), done)],
        labels,
        title=_("Changes open and done per month"),
        description=(
            _("At the end of %(last)s %(open)s changes were open; %(done)s were done that month.",
              last=labels[-1], open=state.months[-1].open_changes, done=state.months[-1].done_changes)
            if labels
            else _("No months to show.")
        ),
        id_prefix="changes",
        empty_text=_("No changes followed up yet"),
    )
    change_rows = [[label, m.open_changes, m.done_changes] for label, m in zip(labels, state.months, strict=True)]
    return {
        "share_chart": share_chart,
        "share_rows": share_rows,
        "changes_chart": changes_chart,
        "change_rows": change_rows,
    }


def _threshold(form: AdoptionForm) -> tuple[float | None, int]:
    """The threshold in [0, 1] and the status: 422 (and None) when the field is not a whole number from 0 to 100."""
    if "grense" not in request.args:
        return DEFAULT_THRESHOLD / 100, 200
    if form.validate() and form.grense.data is not None:
        return form.grense.data / 100, 200
    if form.grense.data is None and not form.grense.errors:
        return DEFAULT_THRESHOLD / 100, 200  # left empty: the default
    form.grense.errors = [_("Give a whole number from 0 to 100, for example 80.")]
    return None, 422


@bp.get("/<slug>")
def show(cooperation: str, slug: str) -> tuple[str, int]:
    """Each member's similarity to the standard by version, and the cooperation's share and changes per month."""
    coop = _cooperation(cooperation)
    process_type = _process_type(slug)
    form = AdoptionForm(request.args)
    threshold, status = _threshold(form)
    state = adoption_state(coop, process_type, threshold=threshold if threshold is not None else DEFAULT_THRESHOLD / 100)
    requested = 0
    if queue_url() and state.missing:
        # A worker computes in the background; the page shows what is stored meanwhile.
        requested = request_missing(state, limit=current_app.config.get("DIVERGENCE_REQUEST_LIMIT", 2000))
        db.session.commit()
        state.pending += requested
        state.missing = state.missing[requested:]
    members = [_member_chart(h, i) for i, h in enumerate(state.members) if h.points]
    html = render_template(
        "harmonisation/adoption.html",
        cooperation=coop,
        process_type=process_type,
        state=state,
        form=form,
        threshold_ok=threshold is not None,
        threshold=_percent(threshold) if threshold is not None else "",
        member_charts=members,
        without=[h for h in state.members if not h.points],
        inline_mode=not queue_url(),
        **(_cooperation_charts(state) if threshold is not None and state.months else {}),
    )
    return html, status


@bp.post("/<slug>/beregn")
def compute(cooperation: str, slug: str) -> Response:
    """Request the comparisons the page still lacks (computed now without a queue, else by a worker)."""
    coop = _cooperation(cooperation)
    process_type = _process_type(slug)
    state = adoption_state(coop, process_type)
    count = request_missing(state, limit=current_app.config.get("DIVERGENCE_REQUEST_LIMIT", 2000))
    db.session.commit()
    if count:
        flash(ngettext("%(num)s comparison was requested.", "%(num)s comparisons were requested.", count), "success")
    else:
        flash(_("Nothing was missing."), "success")
    return redirect(url_for("adoption.show", cooperation=coop.slug, slug=process_type.slug))
