"""Form helpers shared by every feature."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError as FieldValidationError

from registry.errors import RegistryError
from registry.syntax import is_email_address, is_slug

__all__ = ["DATE_FORMATS", "EmailAddress", "NumberListField", "Slug", "attach_error"]

#: ISO (what date pickers send) and the Norwegian way of typing a date (31.12.2024).
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]

_NUMBER_RE = re.compile(r"^\d{4}$")


class EmailAddress:
    """A plain syntax check; the registry never sends mail, so no DNS lookups."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and not is_email_address(field.data.strip()):
            raise FieldValidationError(_l("Enter an e-mail address such as name@kommune.no."))


class Slug:
    """Lower-case letters a–z and digits joined by single hyphens (see :func:`registry.syntax.is_slug`)."""

    def __init__(self, message: Any) -> None:
        self.message = message  # a lazy string, worded when the form is shown

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and not is_slug(field.data):
            raise FieldValidationError(self.message)


class NumberListField(StringField):
    """Municipality numbers separated by commas or spaces; ``data`` is a list of four-digit strings."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = valuelist[0] if valuelist else ""
        self.raw_text = raw
        self.data = [part for part in re.split(r"[\s,;]+", raw) if part]

    def _value(self) -> str:
        if hasattr(self, "raw_text"):
            return str(self.raw_text)
        return ", ".join(self.data or [])

    def pre_validate(self, form: FlaskForm) -> None:
        bad = [part for part in self.data or [] if not _NUMBER_RE.match(part)]
        if bad:
            raise FieldValidationError(
                _l("Municipality numbers have four digits, e.g. 5001. Not valid: %(values)s", values=", ".join(bad))
            )


def attach_error(form: FlaskForm, error: RegistryError) -> None:
    """Show a service error beside its field, or above the form when it has none."""
    field = getattr(form, error.field, None) if error.field else None
    if isinstance(field, Field):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
