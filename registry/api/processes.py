"""Municipalities' processes and cooperations' standards: versions, files, uploads, comparisons.

A process (a municipality's variant or a cooperation's standard) has an ``ETag`` of its
newest version number, ``"v3"``. An upload of a new version must send it back as
``If-Match: "v3"`` once the process has a version: if somebody saved version 4 in between,
the upload is refused with 412 and nothing is saved (checked under the lock that numbers
versions, so two clients cannot both build on version 3 unknowingly).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from processes import FormatError, ProcessError
from registry.api.auth import require_api, require_scope
from registry.api.catalogue import (
    MunicipalityRefSchema,
    load_cooperation,
    load_municipality,
    load_process_type,
)
from registry.api.problems import (
    PROBLEM_CONTENT_TYPE,
    ApiProblem,
    ProblemSchema,
    field_errors,
)
from registry.api.schemas import ListArgs, UtcDateTime, page_of, page_schema, sort_field
from registry.authz import (
    can_edit_municipality,
    can_manage_standards,
    can_read_standards,
    can_view_version,
)
from registry.comparisons.services import (
    STATUS_PREFERENCE,
    QueuedWorkLimitError,
    find_comparison,
    latest_version,
    request_comparison,
    result_of,
    standard_version_for,
)
from registry.cooperations.models import Cooperation
from registry.engine_errors import engine_error_text
from registry.errors import NotFoundError, RegistryError
from registry.exports.services import EXPORT_FORMATS, export_version
from registry.extensions import db
from registry.graphs import parse_upload
from registry.i18n import ui_language
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion, Standard, Variant
from registry.variants.services import (
    VersionConflictError,
    find_variant,
    get_or_create_standard,
    get_or_create_variant,
    save_version,
    version_by_number,
    version_conflict_message,
)

__all__ = ["blp"]

blp = Blueprint(
    "api_processes",
    __name__,
    description="Processes, standards, versions and comparisons",
)

VARIANT = "/municipalities/<number>/processes/<slug>"
STANDARD = "/cooperations/<cooperation>/standards/<slug>"


# --- schemas -----------------------------------------------------------------------------------


class ProcessTypeRefSchema(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.Method(
        "_name", metadata={"type": "string", "description": "In the language asked for"}
    )

    def _name(self, process_type: ProcessType) -> str:
        return process_type.name(ui_language())


class VersionSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    author = ma.fields.Method(
        "_author",
        metadata={
            "type": ["string", "null"],
            "description": "The author's name; null when not known",
        },
    )
    comment = ma.fields.String(required=True)
    source_format = ma.fields.String(required=True)
    source_filename = ma.fields.String(required=True)
    step_count = ma.fields.Integer(required=True)
    status = ma.fields.String(
        allow_none=True,
        metadata={"description": "Standards: draft, approved or published"},
    )
    effective_from = ma.fields.Date(allow_none=True)
    effective_to = ma.fields.Date(allow_none=True)
    files = ma.fields.Method(
        "_files",
        metadata={
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Download address per export format",
        },
    )

    def _author(self, version: Any) -> str | None:
        return version.author.name if version.author is not None else None

    def _files(self, version: Any) -> dict[str, str]:
        return {fmt: version_file_url(version, fmt) for fmt in EXPORT_FORMATS}


class UploadResultSchema(VersionSchema):
    problems = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "What the registry noticed about the process (warnings), worded"
        },
    )


class VariantSchema(ma.Schema):
    municipality = ma.fields.Nested(MunicipalityRefSchema, required=True)
    process_type = ma.fields.Nested(ProcessTypeRefSchema, required=True)
    latest_version = ma.fields.Integer(
        allow_none=True, metadata={"description": "Newest version number"}
    )
    version_count = ma.fields.Integer(required=True)


class StandardSchema(ma.Schema):
    cooperation = ma.fields.Method(
        "_cooperation",
        metadata={
            "type": "object",
            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
            "required": ["slug", "name"],
        },
    )
    process_type = ma.fields.Nested(ProcessTypeRefSchema, required=True)
    latest_version = ma.fields.Integer(allow_none=True)
    compared_version = ma.fields.Integer(
        allow_none=True,
        metadata={
            "description": "The version members are compared with: latest published, else approved, else draft"
        },
    )
    version_count = ma.fields.Integer(required=True)

    def _cooperation(self, obj: dict[str, Any]) -> dict[str, str]:
        return {"slug": obj["cooperation"].slug, "name": obj["cooperation"].name}


class VersionArgs(ListArgs):
    sort = sort_field(["number", "created_at"], "-number")


class FileArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    format = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(
            list(EXPORT_FORMATS),
            error=_l("must be one of: %(choices)s.", choices=", ".join(EXPORT_FORMATS)),
        ),
        metadata={
            "description": "Export format; without it the Accept header decides (default BPMN)"
        },
    )
    lang = ma.fields.String(
        load_default=None,
        validate=ma.validate.OneOf(["nb", "en"], error=_l("must be nb or en.")),
        metadata={
            "description": "Language of drawings' legends; default from Accept-Language"
        },
    )


class UploadForm(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    comment = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(
            max=2000, error=_l("can be at most %(max)s characters.", max=2000)
        ),
        metadata={"description": "What changed, shown in the version history"},
    )
    format = ma.fields.String(
        load_default="",
        metadata={
            "description": "Force a reader (bpmn, yaml, json, xlsx, csv, xes, eventlog_csv …); default: detected"
        },
    )
    label_attribute = ma.fields.String(
        load_default="",
        metadata={"description": "Event logs: attribute with the step name"},
    )
    case_column = ma.fields.String(
        load_default="", metadata={"description": "CSV event logs: case column"}
    )
    activity_column = ma.fields.String(
        load_default="", metadata={"description": "CSV event logs: activity column"}
    )
    timestamp_column = ma.fields.String(
        load_default="", metadata={"description": "CSV event logs: time column"}
    )


class UploadRequestSchema(UploadForm):
    """The upload's multipart body as the OpenAPI description shows it: the file and the form's fields."""

    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": "The process file",
        },
    )


_ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": 'The newest version, e.g. "v3"',
}
_RETRY_HEADER = {
    "schema": {"type": "integer"},
    "description": "Seconds to wait before asking again",
}
_LINK_HEADER = {
    "schema": {"type": "string"},
    "description": "RFC 8288 links to the next, prev, first and last pages",
}


def _upload_doc(kind: str) -> Any:
    """The decorators of an upload operation: request body, responses, If-Match, security."""
    owner = "process" if kind == "variant" else "standard"

    def decorate(view: Any) -> Any:
        for decorator in (
            blp.doc(
                requestBody={
                    "required": True,
                    "content": {"multipart/form-data": {"schema": UploadRequestSchema}},
                },
                security=[{"bearerAuth": []}],
                parameters=[
                    {
                        "in": "header",
                        "name": "If-Match",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": f'The ETag of the newest version you have read ("v3"); required once the {owner} has a version',
                    }
                ],
            ),
            blp.alt_response(
                428,
                schema=ProblemSchema,
                content_type=PROBLEM_CONTENT_TYPE,
                description=f"The {owner} has versions, and If-Match is missing",
                headers={"ETag": _ETAG_HEADER},
            ),
            blp.alt_response(
                412,
                schema=ProblemSchema,
                content_type=PROBLEM_CONTENT_TYPE,
                description="Somebody saved a newer version since the If-Match version",
                headers={"ETag": _ETAG_HEADER},
            ),
            blp.response(
                201,
                UploadResultSchema,
                headers={
                    "Location": {
                        "schema": {"type": "string"},
                        "description": "The new version",
                    },
                    "ETag": _ETAG_HEADER,
                },
            ),
        ):
            view = decorator(view)
        return view

    return decorate


class ProcessListArgs(ListArgs):
    sort = sort_field(["slug", "name"], "slug")


class ComparisonArgs(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    version = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(
            min=1, max=1_000_000, error=_l("must be a version number from 1.")
        ),
        metadata={"description": "The municipality's version; default: the newest"},
    )


class ComparisonSchema(ma.Schema):
    status = ma.fields.String(
        required=True, metadata={"description": "done, pending or failed"}
    )
    standard_version = ma.fields.Integer(required=True)
    variant_version = ma.fields.Integer(required=True)
    similarity = ma.fields.Dict(
        metadata={"description": "overall, labels, structure, behaviour in [0, 1]"}
    )
    result = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "The engine's comparison (matches, missing, extra, differences with their sentences, "
            "summary) in the language asked for; null until done"
        },
    )
    error = ma.fields.String(allow_none=True)
    page = ma.fields.String(
        required=True, metadata={"description": "The comparison page in the registry"}
    )


VersionPage = page_schema(VersionSchema, "VersionPage")
VariantPage = page_schema(VariantSchema, "VariantPage")
StandardPage = page_schema(StandardSchema, "StandardPage")


# --- helpers -----------------------------------------------------------------------------------


def version_file_url(version: ProcessVersion, fmt: str) -> str:
    owner = version.owner
    if version.variant is not None:
        return url_for(
            "api_processes.VariantVersionFile",
            number=owner.municipality.number,  # type: ignore[union-attr]
            slug=owner.process_type.slug,
            version=version.number,
            format=fmt,
        )
    return url_for(
        "api_processes.StandardVersionFile",
        cooperation=owner.cooperation.slug,  # type: ignore[union-attr]
        slug=owner.process_type.slug,
        version=version.number,
        format=fmt,
    )


def _column(owner: Variant | Standard) -> Any:
    return (
        ProcessVersion.variant_id
        if isinstance(owner, Variant)
        else ProcessVersion.standard_id
    )


def _published_only(owner: Variant | Standard) -> bool:
    """True when the caller may see only a standard's published versions (a municipality's are all public)."""
    return isinstance(owner, Standard) and not can_read_standards(
        current_user, owner.cooperation
    )


def _numbers(
    owner: Variant | Standard, *, published_only: bool = False
) -> tuple[int | None, int]:
    """(newest number, count) of the owner's versions, by one aggregate query (no stored file is read)."""
    query = select(func.max(ProcessVersion.number), func.count()).where(
        _column(owner) == owner.id
    )
    if published_only:
        query = query.where(ProcessVersion.status == "published")
    latest, count = db.session.execute(query).one()
    return (int(latest) if latest is not None else None), int(count)


def _compared_number(standard: Standard) -> int | None:
    """The number of the version members are compared with (see standard_version_for), without loading it."""
    for status in STATUS_PREFERENCE:
        number = db.session.scalar(
            select(func.max(ProcessVersion.number)).where(
                ProcessVersion.standard_id == standard.id,
                ProcessVersion.status == status,
            )
        )
        if number is not None:
            return int(number)
    return None


def _variant_view(variant: Variant) -> dict[str, Any]:
    latest, count = _numbers(variant)
    return {
        "municipality": variant.municipality,
        "process_type": variant.process_type,
        "latest_version": latest,
        "version_count": count,
    }


def _standard_view(standard: Standard, *, published_only: bool) -> dict[str, Any]:
    """What the caller may know of a standard: outsiders count only its published versions."""
    latest, count = _numbers(standard, published_only=published_only)
    return {
        "cooperation": standard.cooperation,
        "process_type": standard.process_type,
        "latest_version": latest,
        "compared_version": _compared_number(standard),
        "version_count": count,
    }


def _etag(owner: Variant | Standard | None, *, published_only: bool = False) -> str:
    latest = (
        _numbers(owner, published_only=published_only)[0] if owner is not None else None
    )
    return f'"v{latest or 0}"'


def _load_variant(number: str, slug: str) -> tuple[Municipality, ProcessType, Variant]:
    municipality, process_type = load_municipality(number), load_process_type(slug)
    variant = find_variant(municipality, process_type)
    if variant is None:
        raise ApiProblem(
            404,
            "not-found",
            _(
                "%(municipality)s has not described this process yet.",
                municipality=municipality.name,
            ),
        )
    return municipality, process_type, variant


def _find_standard(
    cooperation: Cooperation, process_type: ProcessType
) -> Standard | None:
    return db.session.scalar(
        select(Standard).where(
            Standard.cooperation_id == cooperation.id,
            Standard.process_type_id == process_type.id,
        )
    )


def _load_standard(
    cooperation_slug: str, slug: str
) -> tuple[Cooperation, ProcessType, Standard]:
    cooperation, process_type = (
        load_cooperation(cooperation_slug),
        load_process_type(slug),
    )
    standard = _find_standard(cooperation, process_type)
    if standard is None:
        raise ApiProblem(
            404,
            "not-found",
            _(
                "%(cooperation)s has no standard for this process type yet.",
                cooperation=cooperation.name,
            ),
        )
    return cooperation, process_type, standard


def _version(owner: Variant | Standard, number: int) -> ProcessVersion:
    try:
        version = version_by_number(owner, number)
    except NotFoundError as exc:
        raise ApiProblem(404, "not-found", exc.message) from exc
    require_api(can_view_version(current_user, version))
    return version


def _visible_versions(owner: Variant | Standard) -> Any:
    """The versions the caller may see, without their stored files (a list never sends them)."""
    query = (
        select(ProcessVersion)
        .where(_column(owner) == owner.id)
        .options(
            defer(ProcessVersion.source_data),
            defer(ProcessVersion.content),
            selectinload(ProcessVersion.author),
        )
    )
    if _published_only(owner):
        query = query.where(ProcessVersion.status == "published")
    return query


_ACCEPT = {mimetype: fmt for fmt, (mimetype, _ext) in EXPORT_FORMATS.items()}
_ACCEPT.update(
    {
        "application/bpmn+xml": "bpmn",
        "text/xml": "bpmn",
        "application/x-yaml": "yaml",
        "text/yaml": "yaml",
    }
)


def _file_format(args: dict[str, Any]) -> str:
    if args.get("format"):
        return str(args["format"])
    accepted = request.accept_mimetypes
    if not accepted or accepted.best in ("*/*", None):
        return "bpmn"
    best = accepted.best_match(list(_ACCEPT))
    if best is None:
        raise ApiProblem(
            406,
            "not-acceptable",
            _(
                "The process can be sent as %(formats)s. Ask for one with ?format= or the Accept header.",
                formats=", ".join(EXPORT_FORMATS),
            ),
        )
    return _ACCEPT[best]


def _send_file(version: ProcessVersion, args: dict[str, Any]) -> Response:
    fmt = _file_format(args)
    lang = args.get("lang") or ui_language()
    try:
        export = export_version(version, fmt, lang=lang)
    except ProcessError as exc:
        raise ApiProblem(422, "cannot-export", engine_error_text(exc)) from exc
    response = Response(export.data, mimetype=export.mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.filename}"'
    )
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


_FILE_RESPONSES = {
    200: {
        "description": "The version in the chosen format",
        "content": {
            mimetype: {"schema": {"type": "string", "format": "binary"}}
            for mimetype, _e in EXPORT_FORMATS.values()
        },
    }
}


def _entity_tags(header: str) -> list[int] | None:
    """The version numbers named by an If-Match header; None for ``*``.

    RFC 9110 §13.1.1: a list of entity tags, compared strongly, so a weak tag (``W/"v3"``)
    never matches. A tag that is not ``"v<number>"`` is refused with 400.
    """
    value = header.strip()
    if value == "*":
        return None
    numbers = []
    for part in value.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            continue
        inner = tag[1:-1] if len(tag) >= 2 and tag[0] == tag[-1] == '"' else ""
        if not (inner.startswith("v") and inner[1:].isdigit() and len(inner) <= 10):
            raise ApiProblem(
                400,
                "bad-if-match",
                _(
                    'If-Match must be the ETag of the process, e.g. "v3"; it was %(value)s.',
                    value=header[:40],
                ),
            )
        numbers.append(int(inner[1:]))
    return numbers


def _if_match(owner: Variant | Standard | None) -> int | None:
    """The newest version number the client has seen, from If-Match (checked again under the lock when saving).

    Without If-Match a process that has versions is refused with 428; an If-Match that does
    not name the newest version (or ``*`` for a process without versions) with 412.
    Returns the number to check under the lock, or None for ``*`` on a process with versions.
    """
    header = request.headers.get("If-Match")
    latest = (_numbers(owner)[0] or 0) if owner is not None else 0
    etag = f'"v{latest}"'
    if header is None:
        if latest:
            raise ApiProblem(
                428,
                "version-required",
                _(
                    "The process has versions already. Send If-Match with the newest version you have read "
                    "(its ETag, e.g. If-Match: %(etag)s), so that nobody's version is overwritten unknowingly.",
                    etag=etag,
                ),
                headers={"ETag": etag},
            )
        return 0
    tags = _entity_tags(header)
    if tags is None:
        if not latest:
            raise ApiProblem(
                412,
                "version-conflict",
                _(
                    "If-Match: * needs a version to match, and the process has none yet. Send the upload without If-Match."
                ),
                headers={"ETag": etag},
            )
        return None
    if latest in tags:
        return latest
    raise ApiProblem(
        412,
        "version-conflict",
        version_conflict_message(latest, max(tags, default=0)),
        headers={"ETag": etag},
    )


class _Uploaded:
    """A saved version with what the registry noticed about it, for :class:`UploadResultSchema`."""

    def __init__(self, version: ProcessVersion, problems: list[dict[str, Any]]) -> None:
        self._version = version
        self.problems = problems

    def __getattr__(self, name: str) -> Any:
        return getattr(self._version, name)


def _load_upload() -> tuple[dict[str, Any], Any]:
    """The multipart form's fields and its file; 422 with one entry per field when they are wrong."""
    errors: list[dict[str, str]] = []
    form: dict[str, Any] = {}
    try:
        form = UploadForm().load(request.form)
    except ma.ValidationError as exc:
        errors += field_errors({"form": exc.messages})
    file = request.files.get("file")
    if file is None:
        errors.append(
            {
                "location": "files",
                "field": "file",
                "message": _(
                    "is required: send the process file as the multipart field «file»."
                ),
            }
        )
    if errors:
        detail = "; ".join(
            f"{e.get('field', e['location'])} {e['message'].rstrip('.')}"
            for e in errors
        )
        raise ApiProblem(
            422,
            "validation",
            _("Some parameters are not valid: %(fields)s.", fields=detail),
            errors=errors,
        )
    return form, file


def _upload(owner_kind: str, **where: Any) -> tuple[Any, int, dict[str, str]]:
    """Read the file with the form's parser and limits and save it as the next version."""
    form, file = _load_upload()
    data = file.read()
    filename = (file.filename or "upload").rsplit("/", 1)[-1][:255]
    max_bytes = current_app.config.get("MAX_CONTENT_LENGTH")
    try:
        parsed = parse_upload(
            data,
            filename=filename,
            fmt=form["format"] or None,
            max_bytes=max_bytes,
            max_steps=current_app.config.get("UPLOAD_MAX_STEPS"),
            options={
                k: form[k]
                for k in (
                    "label_attribute",
                    "case_column",
                    "activity_column",
                    "timestamp_column",
                )
            },
        )
    except FormatError as exc:
        raise ApiProblem(
            422,
            "format-error",
            engine_error_text(exc),
            errors=[
                {
                    "location": "files",
                    "field": "file",
                    "message": engine_error_text(exc),
                }
            ],
        ) from exc
    except ProcessError as exc:
        raise ApiProblem(422, "process-error", engine_error_text(exc)) from exc
    if owner_kind == "variant":
        municipality, process_type = where["municipality"], where["process_type"]
        owner: Variant | Standard | None = find_variant(municipality, process_type)
    else:
        owner = _find_standard(where["cooperation"], where["process_type"])
    expected = _if_match(owner)
    try:
        if owner is None:
            owner = (
                get_or_create_variant(where["municipality"], where["process_type"])
                if owner_kind == "variant"
                else get_or_create_standard(where["cooperation"], where["process_type"])
            )
        version = save_version(
            owner,
            content=parsed.content,
            step_count=parsed.step_count,
            source_format=parsed.source_format,
            source_filename=filename,
            source_data=data,
            author=current_user._get_current_object(),
            comment=form["comment"],
            expected_latest=expected,
        )
    except VersionConflictError as exc:
        db.session.rollback()
        raise ApiProblem(
            412, "version-conflict", exc.message, headers={"ETag": f'"v{exc.latest}"'}
        ) from exc
    except RegistryError as exc:
        db.session.rollback()
        raise ApiProblem(422, "validation", exc.message) from exc
    db.session.commit()
    lang = ui_language()
    problems = [
        {
            "code": p.code,
            "severity": str(p.severity),
            "element": p.element_id,
            "message": p.message(lang),
        }
        for p in parsed.problems
    ]
    body = _Uploaded(version, problems)
    endpoint = (
        "api_processes.VariantVersion"
        if owner_kind == "variant"
        else "api_processes.StandardVersion"
    )
    location = url_for(endpoint, **(request.view_args or {}), version=version.number)
    return body, 201, {"Location": location, "ETag": f'"v{version.number}"'}


# --- municipalities' processes ----------------------------------------------------------------


@blp.route("/municipalities/<number>/processes")
class Variants(MethodView):
    @blp.arguments(ProcessListArgs, location="query")
    @blp.response(200, VariantPage, headers={"Link": _LINK_HEADER})
    def get(self, args: dict[str, Any], number: str) -> Any:
        """The municipality's processes, one per process type"""
        municipality = load_municipality(number)
        query = (
            select(Variant)
            .join(ProcessType)
            .where(Variant.municipality_id == municipality.id)
        )
        page, headers = page_of(
            query,
            args,
            sort={"slug": ProcessType.slug, "name": ProcessType.name_nb},
            key=Variant.id,
        )
        page["items"] = [_variant_view(v) for v in page["items"]]
        return page, headers


@blp.route(VARIANT)
class VariantItem(MethodView):
    @blp.response(
        200,
        VariantSchema,
        headers={
            "ETag": {
                "schema": {"type": "string"},
                "description": 'Newest version, "v3"',
            }
        },
    )
    def get(self, number: str, slug: str) -> Any:
        """One municipality's process of one type; its ETag is the newest version number"""
        _m, _t, variant = _load_variant(number, slug)
        return _variant_view(variant), {"ETag": _etag(variant)}


@blp.route(VARIANT + "/versions")
class VariantVersions(MethodView):
    @blp.arguments(VersionArgs, location="query")
    @blp.response(200, VersionPage, headers={"Link": _LINK_HEADER})
    def get(self, args: dict[str, Any], number: str, slug: str) -> Any:
        """The process's versions"""
        _m, _t, variant = _load_variant(number, slug)
        sort = {
            "number": ProcessVersion.number,
            "created_at": ProcessVersion.created_at,
        }
        return page_of(
            _visible_versions(variant), args, sort=sort, key=ProcessVersion.id
        )

    @_upload_doc("variant")
    def post(self, number: str, slug: str) -> Any:
        """Upload a new version (needs a token with the write scope)

        The file is read by the same readers, with the same limits, as the upload form
        (BPMN, YAML/JSON, spreadsheets, event logs); there is no preview: it is saved at once.
        """
        require_scope("write")
        municipality, process_type = load_municipality(number), load_process_type(slug)
        require_api(can_edit_municipality(current_user, municipality))
        if not municipality.is_current:
            successors = ", ".join(str(m) for m in municipality.successors) or "–"
            raise ApiProblem(
                409,
                "former-municipality",
                _(
                    "%(municipality)s no longer exists; upload under %(successors)s.",
                    municipality=municipality.name,
                    successors=successors,
                ),
            )
        return _upload("variant", municipality=municipality, process_type=process_type)


@blp.route(VARIANT + "/versions/<int:version>")
class VariantVersion(MethodView):
    @blp.response(200, VersionSchema)
    def get(self, number: str, slug: str, version: int) -> Any:
        """One version's metadata, with the addresses of its files"""
        _m, _t, variant = _load_variant(number, slug)
        return _version(variant, version)


@blp.route(VARIANT + "/versions/<int:version>/file")
class VariantVersionFile(MethodView):
    @blp.arguments(FileArgs, location="query")
    @blp.doc(responses=_FILE_RESPONSES)
    def get(
        self, args: dict[str, Any], number: str, slug: str, version: int
    ) -> Response:
        """Download a version as BPMN, JSON, YAML, SVG, PNG or PDF"""
        _m, _t, variant = _load_variant(number, slug)
        return _send_file(_version(variant, version), args)


@blp.route(VARIANT + "/comparisons/standard/<cooperation>")
class VariantComparison(MethodView):
    @blp.arguments(ComparisonArgs, location="query")
    @blp.response(200, ComparisonSchema)
    @blp.alt_response(
        202,
        schema=ComparisonSchema,
        description="Requested; ask again (Retry-After)",
        headers={"Retry-After": _RETRY_HEADER},
    )
    def get(
        self, args: dict[str, Any], number: str, slug: str, cooperation: str
    ) -> Any:
        """The process compared with the cooperation's standard, with the sentences in the language asked for

        With a token a missing comparison is requested (computed at once without a task queue,
        else by a worker: then 202 with Retry-After); anonymous callers only read stored ones.
        """
        municipality, process_type, variant = _load_variant(number, slug)
        coop = load_cooperation(cooperation)
        b = (
            _version(variant, args["version"])
            if args["version"]
            else latest_version(variant)
        )
        if b is None:
            raise ApiProblem(
                404,
                "not-found",
                _(
                    "%(municipality)s has not described this process yet.",
                    municipality=municipality.name,
                ),
            )
        standard = _find_standard(coop, process_type)
        a = standard_version_for(standard) if standard is not None else None
        if a is None:
            raise ApiProblem(
                404,
                "not-found",
                _(
                    "%(cooperation)s has no standard version yet.",
                    cooperation=coop.name,
                ),
            )
        require_api(can_view_version(current_user, a))
        try:
            if current_user.is_authenticated:
                row = request_comparison(
                    a,
                    b,
                    user=current_user,
                    max_pending=int(current_app.config["TASK_MAX_PENDING_PER_USER"]),
                )
            else:
                row = find_comparison(a, b)
        except QueuedWorkLimitError as exc:
            db.session.rollback()
            raise ApiProblem(
                429, "queue-full", exc.message, headers={"Retry-After": "30"}
            ) from exc
        db.session.commit()
        page = url_for(
            "comparisons.with_standard",
            number=municipality.number,
            slug=process_type.slug,
            cooperation=coop.slug,
        )
        body: dict[str, Any] = {
            "status": row.status if row is not None else "not-computed",
            "standard_version": a.number,
            "variant_version": b.number,
            "similarity": {},
            "result": None,
            "error": None,
            "page": page,
        }
        if row is None:
            # Anonymous callers never start work: asking again would not help, so no 202.
            body["error"] = _(
                "Not computed yet. Ask again with a token to have it computed."
            )
            return body
        if row.status == "pending":
            return body, 202, {"Retry-After": "5"}
        if row.status == "failed":
            body["error"] = row.error or _("The comparison failed.")
            return body
        result = result_of(row)
        body["similarity"] = {
            "overall": row.overall,
            "labels": row.labels,
            "structure": row.structure,
            "behaviour": row.behaviour,
        }
        body["result"] = result.get(ui_language())
        return body


# --- cooperations' standards ------------------------------------------------------------------


@blp.route("/cooperations/<cooperation>/standards")
class Standards(MethodView):
    @blp.arguments(ProcessListArgs, location="query")
    @blp.response(200, StandardPage, headers={"Link": _LINK_HEADER})
    def get(self, args: dict[str, Any], cooperation: str) -> Any:
        """The cooperation's standards, one per process type"""
        coop = load_cooperation(cooperation)
        query = (
            select(Standard).join(ProcessType).where(Standard.cooperation_id == coop.id)
        )
        page, headers = page_of(
            query,
            args,
            sort={"slug": ProcessType.slug, "name": ProcessType.name_nb},
            key=Standard.id,
        )
        outsider = not can_read_standards(current_user, coop)
        page["items"] = [
            _standard_view(s, published_only=outsider) for s in page["items"]
        ]
        return page, headers


@blp.route(STANDARD)
class StandardItem(MethodView):
    @blp.response(200, StandardSchema, headers={"ETag": _ETAG_HEADER})
    def get(self, cooperation: str, slug: str) -> Any:
        """One standard; its ETag is the newest version number"""
        _c, _t, standard = _load_standard(cooperation, slug)
        outsider = _published_only(standard)
        return _standard_view(standard, published_only=outsider), {
            "ETag": _etag(standard, published_only=outsider)
        }


@blp.route(STANDARD + "/versions")
class StandardVersions(MethodView):
    @blp.arguments(VersionArgs, location="query")
    @blp.response(200, VersionPage, headers={"Link": _LINK_HEADER})
    def get(self, args: dict[str, Any], cooperation: str, slug: str) -> Any:
        """The standard's versions (only published ones for callers who may not read drafts)"""
        _c, _t, standard = _load_standard(cooperation, slug)
        sort = {
            "number": ProcessVersion.number,
            "created_at": ProcessVersion.created_at,
        }
        return page_of(
            _visible_versions(standard), args, sort=sort, key=ProcessVersion.id
        )

    @_upload_doc("standard")
    def post(self, cooperation: str, slug: str) -> Any:
        """Upload a new draft version of the standard (needs a token with the coordinate scope)

        Approving and publishing stay on the standard's page, where the coordinator sees the
        comparison with the members first.
        """
        require_scope("coordinate")
        coop, process_type = load_cooperation(cooperation), load_process_type(slug)
        require_api(can_manage_standards(current_user, coop))
        return _upload("standard", cooperation=coop, process_type=process_type)


@blp.route(STANDARD + "/versions/<int:version>")
class StandardVersion(MethodView):
    @blp.response(200, VersionSchema)
    def get(self, cooperation: str, slug: str, version: int) -> Any:
        """One version of the standard"""
        _c, _t, standard = _load_standard(cooperation, slug)
        return _version(standard, version)


@blp.route(STANDARD + "/versions/<int:version>/file")
class StandardVersionFile(MethodView):
    @blp.arguments(FileArgs, location="query")
    @blp.doc(responses=_FILE_RESPONSES)
    def get(
        self, args: dict[str, Any], cooperation: str, slug: str, version: int
    ) -> Response:
        """Download a version of the standard"""
        _c, _t, standard = _load_standard(cooperation, slug)
        return _send_file(_version(standard, version), args)


@blp.route(STANDARD + "/file")
class StandardFile(MethodView):
    @blp.arguments(FileArgs, location="query")
    @blp.doc(responses=_FILE_RESPONSES)
    def get(self, args: dict[str, Any], cooperation: str, slug: str) -> Response:
        """Download the version members are compared with (published, else approved, else draft)"""
        coop, _t, standard = _load_standard(cooperation, slug)
        version = standard_version_for(standard)
        if version is None:
            raise ApiProblem(
                404,
                "not-found",
                _(
                    "%(cooperation)s has no standard version yet.",
                    cooperation=coop.name,
                ),
            )
        require_api(can_view_version(current_user, version))
        return _send_file(version, args)
