"""Divergence map, heatmap, exports and step search pages for a cooperation's coordinators."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.routing import BuildError

from processes.divergence import MIN_SILHOUETTE, CellStatus, Clustering, Row
from registry.authz import can_view_divergence, require
from registry.cooperations.models import Cooperation
from registry.cooperations.views import load_cooperation
from registry.divergence.exports import (
    also_text,
    heatmap_table,
    map_table,
    status_symbol,
    status_text,
    to_csv,
    to_xlsx,
)
from registry.divergence.forms import MapFilterForm, StepSearchForm, parse_as_of
from registry.divergence.services import (
    DivergenceState,
    MapFilter,
    apply_filter,
    divergence_state,
    find_standard,
    request_missing,
    search_steps,
    type_summary,
)
from registry.extensions import db
from registry.harmonisation.followup import justified_cells
from registry.harmonisation.words import reason_label
from registry.i18n import norwegian_key
from registry.process_types.models import ProcessType
from registry.tasks import queue_url

__all__ = ["bp"]

bp = Blueprint("divergence", __name__, url_prefix="/samarbeid/<cooperation>")

SORT_LABELS = ("name", "overall", "labels", "structure", "behaviour", "extra")


def _process_type(slug: str) -> ProcessType:
    process_type = db.session.scalar(select(ProcessType).where(ProcessType.slug == slug))
    if process_type is None:
        abort(404, description=_("There is no process type %(slug)s.", slug=slug))
    return process_type


def _cooperation(slug: str) -> Cooperation:
    cooperation = load_cooperation(slug)
    require(can_view_divergence(current_user, cooperation))
    return cooperation


def comparison_link(
    number: str, slug: str, cooperation: str, step_id: str | None = None, *, from_map: bool = False
) -> str | None:
    """The comparison page of a member with the standard, at the step (None while that page is not installed).

    ``from_map``: the page offers a way back to the cooperation's divergence map (``kart``).
    """
    query: dict[str, Any] = {}
    if from_map:
        query["kart"] = cooperation
    if step_id:
        query["steg"] = step_id
    try:
        return url_for(
            "comparisons.with_standard",
            number=number,
            slug=slug,
            cooperation=cooperation,
            _anchor="alignment-title" if step_id else None,
            **query,
        )
    except BuildError:
        return None


def pair_link(number: str, other: str, slug: str, cooperation: str) -> str | None:
    """The comparison of two members' processes, with a way back to the cooperation's map."""
    try:
        return url_for("comparisons.with_variant", number=number, slug=slug, other=other, kart=cooperation)
    except BuildError:
        return None


def variant_link(number: str, slug: str) -> str | None:
    """The variant's page (None while that page is not installed)."""
    try:
        return url_for("variants.show", number=number, slug=slug)
    except BuildError:
        return None


@bp.get("/avvik/")
def index(cooperation: str) -> str:
    """List the process types with the cooperation's standards and links to their maps."""
    coop = _cooperation(cooperation)
    types = sorted(db.session.scalars(select(ProcessType)), key=lambda t: norwegian_key(t.name_nb))
    overview = [(t, find_standard(coop, t), type_summary(coop, t)) for t in types]
    db.session.commit()  # keeps the step classes, if this request had to make them
    form = StepSearchForm(formdata=None)
    form.type.choices = [("", _("All process types"))] + [(t.slug, t.name_nb) for t in types]
    return render_template("divergence/index.html", cooperation=coop, overview=overview, form=form)


def _filter_from(form: MapFilterForm, args: Any) -> MapFilter:
    sort = args.get("sort", "cluster")
    return MapFilter(
        status=form.status.data or "",
        step=form.steg.data or "",
        min_overall=(form.min.data or 0) / 100 if form.min.errors == [] else 0.0,
        county=form.fylke.data or "",
        sort=sort,
        descending=args.get("dir") == "desc",
        hide_role_only=bool(form.skjul_rolle.data),
    )


def _filter_form(state: DivergenceState) -> MapFilterForm:
    form = MapFilterForm(request.args)
    form.status.choices = [("", _("Any status"))] + [
        (s.value, f"{status_symbol(s)} {status_text(s)}") for s in CellStatus
    ]
    columns = state.dmap.columns if state.dmap is not None else ()
    lang = "en" if str(get_locale()).startswith("en") else "nb"
    form.steg.choices = [("", _("Any step"))] + [(c.step_id, c.name(lang)) for c in columns]
    counties = sorted({(m.municipality.county_number, m.municipality.county_name) for m in state.members})
    form.fylke.choices = [("", _("All counties"))] + [(n, f"{name} ({n})") for n, name in counties]
    rows = len(state.dmap.rows) if state.dmap is not None else 0
    form.grupper.choices = [("", _("Automatic"))] + [
        (str(k), str(k)) for k in range(1, min(max(rows, 1), MAX_GROUPS) + 1)
    ]
    form.validate()
    return form


#: The most groups a coordinator can ask for on the map page.
MAX_GROUPS = 50


def _groups_from(args: Any) -> int | None:
    """The number of groups asked for in the query (``grupper``), or None for automatic.

    Anything else than a whole number from 1 to :data:`MAX_GROUPS` counts as automatic; the
    form then says what was wrong.
    """
    raw = str(args.get("grupper", "")).strip()
    if raw.isdigit() and 1 <= int(raw) <= MAX_GROUPS:
        return int(raw)
    return None


def _score(value: float | None) -> str:
    return str(format_decimal(value or 0.0, format="0.00"))


def grouping_text(clustering: Clustering | None) -> str:
    """Say in the user's language how many groups the map has and why."""
    if clustering is None:
        return ""
    num = clustering.count
    if clustering.rule == "silhouette":
        text = _(
            "%(num)s groups, chosen automatically: this division separates the municipalities best "
            "(silhouette %(score)s of 1).",
            num=num,
            score=_score(clustering.silhouette),
        )
        if clustering.best_other is not None:
            text += " " + _("The best other division has %(score)s.", score=_score(clustering.best_other))
        return text
    if clustering.rule == "one":
        return _(
            "One group, chosen automatically: no division separates the municipalities clearly "
            "(best silhouette %(score)s of 1; %(least)s is needed).",
            score=_score(clustering.best_other),
            least=_score(clustering.needed if clustering.needed is not None else MIN_SILHOUETTE),
        )
    if clustering.rule == "requested":
        text = ngettext("%(num)s group, as chosen in the filter.", "%(num)s groups, as chosen in the filter.", num)
        if clustering.silhouette is not None:
            text += " " + _("Silhouette %(score)s of 1.", score=_score(clustering.silhouette))
        return text
    return ngettext("%(num)s group, chosen automatically.", "%(num)s groups, chosen automatically.", num)


def _bad_date(cooperation: Cooperation, process_type: ProcessType, message: str) -> tuple[str, int]:
    """The page for a «per dato» that cannot be used: what was wrong, the date field again, and a way back."""
    form = MapFilterForm(request.args if request.method == "GET" else request.form)
    form.dato.errors = [message]
    html = render_template("divergence/bad_date.html", cooperation=cooperation, process_type=process_type,
                           form=form, message=message)
    return html, 422


def _as_of_args(day: dt.date | None) -> dict[str, str]:
    return {"dato": day.isoformat()} if day is not None else {}


@bp.get("/avvik/<slug>")
def show(cooperation: str, slug: str) -> str | tuple[str, int]:
    """The divergence map and the pairwise similarity heatmap of the members (optionally «per dato»)."""
    coop = _cooperation(cooperation)
    process_type = _process_type(slug)
    day, date_error = parse_as_of(request.args.get("dato"))
    if date_error is not None:
        return _bad_date(coop, process_type, date_error)
    state = divergence_state(coop, process_type, groups=_groups_from(request.args), on=day)
    form = _filter_form(state)
    flt = _filter_from(form, request.args)
    rows = apply_filter(state, flt)
    if queue_url() and (state.not_requested or state.missing_pairs):
        # A worker computes in the background; the page shows what is stored meanwhile.
        request_missing(state)
        db.session.commit()
        state.pending.extend(state.not_requested)
        state.not_requested = []
    heat_order: list[int] = []
    if state.dmap is not None:
        wanted = {r.key for r in rows}
        heat_order = [i for i, k in enumerate(state.dmap.heatmap.keys) if k in wanted]
    base_args = {k: v for k, v in request.args.items() if k not in ("sort", "dir")}
    tables = _tables_html(
        state,
        rows=rows,
        flt=flt,
        cooperation=coop,
        process_type=process_type,
        heat_order=heat_order,
        base_args=base_args,
    )
    return render_template(
        "divergence/show.html",
        cooperation=coop,
        process_type=process_type,
        state=state,
        rows=rows,
        form=form,
        flt=flt,
        base_args=base_args,
        export_args={k: v for k, v in request.args.items()},
        tables=tables,
        grouping=grouping_text(state.dmap.clustering if state.dmap is not None else None),
        sort_labels=SORT_LABELS,
        inline_mode=not queue_url(),
        as_of_args=_as_of_args(day),
    )


#: Rendered tables kept per worker process: up to about 350 KiB each (38 × 40 with its heatmap),
#: so at most about 20 MiB; the least recently used goes first.
_TABLES_CACHE_SIZE = 64
_TABLES_LOCK = threading.Lock()


def _tables_html(
    state: DivergenceState,
    *,
    rows: list[Row],
    heat_order: list[int],
    cooperation: Cooperation,
    process_type: ProcessType,
    **context: Any,
) -> Markup:
    """The map table and heatmap as HTML, reused while the stored rows, the query and the language are the same.

    They are most of the page's server time (about 3,000 cells) and depend on nothing else:
    not on who is signed in, and no form or token is inside them.
    """
    if state.dmap is None or state.cache_key is None:
        return Markup("")
    # Justified deviations are shown apart in their cells (and are part of the cache key).
    variant_of = {m.municipality.id: m.variant.id for m in state.members if m.variant is not None}
    justified, justified_extra = justified_cells(
        cooperation,
        process_type.id,
        [(c.step_id, c.label) for c in state.dmap.columns],
        {key: variant_of[m.id] for key, m in state.municipality_of.items() if m.id in variant_of},
        on=getattr(state, "as_of", None),
    )
    # The rows shown (a filter may depend on more than the stored results: a municipality's
    # county), the slugs in the links (an admin may change them), the query and the language.
    key = (
        state.cache_key,
        tuple(row.key for row in rows),
        (cooperation.slug, process_type.slug),
        tuple(sorted(request.args.items(multi=True))),
        str(get_locale()),
        tuple(sorted(justified.items())),
        tuple(sorted(justified_extra.items())),
    )
    cache: OrderedDict[tuple[Any, ...], Markup] = current_app.extensions.setdefault(
        "divergence_tables", OrderedDict()
    )
    with _TABLES_LOCK:
        html = cache.get(key)
        if html is not None:
            cache.move_to_end(key)
            return html
    # Built once per page, not once per cell: a 38 × 40 map has 1,520 cells, its heatmap 1,444.
    html = Markup(
        render_template(
            "divergence/_tables.html",
            lang="en" if str(get_locale()).startswith("en") else "nb",
            state=state,
            rows=rows,
            heat_order=heat_order,
            cooperation=cooperation,
            process_type=process_type,
            row_links={
                key: comparison_link(m.number, process_type.slug, cooperation.slug, from_map=True)
                for key, m in state.municipality_of.items()
            },
            heat_links=_heat_links(state, heat_order, process_type.slug, cooperation.slug),
            column_anchors=[
                urlencode({"steg": c.step_id, **_as_of_args(state.as_of)}) + "#steg-" + quote(c.step_id, safe="")
                for c in state.dmap.columns
            ],
            status_info={s: (status_symbol(s), status_text(s)) for s in CellStatus},
            also_texts={cell.also: also_text(cell.also) for row in rows for cell in row.cells if cell.also},
            heat_cells=_heat_cells(state, heat_order),
            justified=justified,
            justified_extra=justified_extra,
            reason_label=reason_label,
            **context,
        )
    )
    with _TABLES_LOCK:
        cache[key] = html
        while len(cache) > _TABLES_CACHE_SIZE:
            cache.popitem(last=False)
    return html


def _heat_links(state: DivergenceState, order: list[int], slug: str, cooperation: str) -> list[list[str | None]]:
    """Per heatmap row (in ``order``): the link of each cell to the pair's comparison (None on the diagonal)."""
    if state.dmap is None:
        return []
    # One url_for for the 1,444 cells of a 38 × 38 heatmap (the path comes before the slugs).
    pattern = pair_link("NUMBER-A", "NUMBER-B", slug, cooperation)
    if pattern is None:
        return []
    keys = state.dmap.heatmap.keys
    numbers = [quote(state.municipality_of[k].number, safe="") if k in state.municipality_of else None for k in keys]
    links: list[list[str | None]] = []
    for i in order:
        line: list[str | None] = []
        for j in order:
            a, b = numbers[i], numbers[j]
            line.append(pattern.replace("NUMBER-A", a, 1).replace("NUMBER-B", b, 1) if a and b and i != j else None)
        links.append(line)
    return links


def _heat_cells(state: DivergenceState, order: list[int]) -> list[list[tuple[str, int] | None]]:
    """Per heatmap row (in ``order``): (shade class, per cent) of each cell, or None if not computed.

    Shades: none up to 54 %, then one step darker for every 5 % up to 100 % (heat-0 … heat-10).
    """
    if state.dmap is None:
        return []
    values = state.dmap.heatmap.values
    cells: list[list[tuple[str, int] | None]] = []
    for i in order:
        line: list[tuple[str, int] | None] = []
        for j in order:
            v = values[i][j]
            if v is None:
                line.append(None)
            else:
                shade = min(max(math.floor((v - 0.5) * 20), 0), 10)
                line.append((f"heat-{shade}", round(v * 100)))
        cells.append(line)
    return cells


@bp.post("/avvik/<slug>/beregn")
def compute(cooperation: str, slug: str) -> Response | tuple[str, int]:
    """Request the comparisons the map still lacks (computed now without a queue, else by a worker)."""
    coop = _cooperation(cooperation)
    process_type = _process_type(slug)
    day, date_error = parse_as_of(request.form.get("dato"))
    if date_error is not None:
        return _bad_date(coop, process_type, date_error)
    state = divergence_state(coop, process_type, on=day)
    count = request_missing(state, limit=current_app.config.get("DIVERGENCE_REQUEST_LIMIT", 2000))
    db.session.commit()
    if count:
        flash(_("%(count)s comparisons were requested.", count=count), "success")
    else:
        flash(_("Nothing was missing."), "success")
    return redirect(url_for("divergence.show", cooperation=coop.slug, slug=process_type.slug, **_as_of_args(day)))


@bp.get("/avvik/<slug>/eksport.<fmt>")
def export(cooperation: str, slug: str, fmt: str) -> Response | tuple[str, int]:
    """Download the map and the heatmap (as filtered on the page, also «per dato») as CSV or XLSX."""
    coop = _cooperation(cooperation)
    process_type = _process_type(slug)
    if fmt not in ("csv", "xlsx"):
        abort(404, description=_("Exports are available as CSV and XLSX."))
    day, date_error = parse_as_of(request.args.get("dato"))
    if date_error is not None:
        return _bad_date(coop, process_type, date_error)
    state = divergence_state(coop, process_type, groups=_groups_from(request.args), on=day)
    if state.dmap is None:
        abort(404, description=_("There is no divergence map to export yet."))
    form = _filter_form(state)
    rows = apply_filter(state, _filter_from(form, request.args))
    stamp = (day or dt.date.today()).isoformat()
    base = f"avvikskart-{coop.slug}-{process_type.slug}-{stamp}"
    if fmt == "xlsx":
        data = to_xlsx([(_("Divergence map"), map_table(state, rows)), (_("Similarity"), heatmap_table(state, rows))])
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        filename = base + ".xlsx"
    else:
        table = request.args.get("tabell", "kart")
        if table == "likhet":
            data, filename = to_csv(heatmap_table(state, rows)), base + "-likhet.csv"
        else:
            data, filename = to_csv(map_table(state, rows)), base + ".csv"
        mimetype = "text/csv; charset=utf-8"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/sok")
def search(cooperation: str) -> str:
    """Which members have a step like the one searched for, grouped by municipality."""
    coop = _cooperation(cooperation)
    types = sorted(db.session.scalars(select(ProcessType)), key=lambda t: norwegian_key(t.name_nb))
    form = StepSearchForm(request.args if "q" in request.args else None)
    form.type.choices = [("", _("All process types"))] + [(t.slug, t.name_nb) for t in types]
    results = None
    total = 0
    if "q" in request.args and form.validate():
        chosen = [t for t in types if t.slug == form.type.data] if form.type.data else list(types)
        results = search_steps(coop, form.q.data.strip(), process_types=chosen)
        total = len({g.member.municipality.number for _, groups, _without in results for g in groups})
    return render_template(
        "divergence/search.html",
        cooperation=coop,
        form=form,
        results=results,
        total=total,
        variant_link=variant_link,
    )
