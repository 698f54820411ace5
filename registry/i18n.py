"""Languages: Norwegian bokmål by default, English by a visible switch.

The choice is kept in the session and in a long-lived cookie. Without a choice the
browser's Accept-Language decides: ``no``, ``nn`` and ``nb-*`` give bokmål (there is
no nynorsk catalogue yet), ``en-*`` English, anything else bokmål.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from processes.text import norwegian_key as _engine_norwegian_key
from registry.extensions import babel

__all__ = ["LANGUAGES", "choose_language", "format_label", "init_i18n", "norwegian_key", "ui_language"]

#: UI language code → Babel locale used for dates and numbers.
LANGUAGES = {"nb": "nb_NO", "en": "en_GB"}
COOKIE = "lang"
_NORWEGIAN = {"nb", "no", "nn"}


def choose_language() -> str:
    """The UI language for this request: the user's choice, else Accept-Language, else bokmål."""
    # The API speaks the language of Accept-Language alone: a browser's cookie must not decide
    # what a script gets.
    from registry.api.problems import is_api_request

    chosen = None if is_api_request() else session.get(COOKIE) or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    for value, _quality in request.accept_languages:
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary in _NORWEGIAN:
            return "nb"
        if primary == "en":
            return "en"
    return "nb"


def _select_locale() -> str:
    # Command-line output (outside a request) is English, like the commands' own messages.
    if not has_request_context():
        return LANGUAGES["en"]
    return LANGUAGES[choose_language()]


def ui_language() -> str:
    """``nb`` or ``en``, for the ``lang`` attribute."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "nb"


def _date(value: dt.date | None, format: str = "long") -> str:
    return format_date(value, format) if value is not None else ""


def _datetime(value: dt.datetime | None, format: str = "medium") -> str:
    return format_datetime(value, format) if value is not None else ""


def _number(value: float | Decimal) -> str:
    return str(format_decimal(value))


def format_label(name: str | None) -> str:
    """A file format as a process owner would name it («BPMN-tegning», «regneark»), not the reader's code name."""
    from flask_babel import gettext as _

    labels = {
        "bpmn": _("BPMN drawing"),
        "pnml": _("Petri net"),
        "xes": _("event log (XES)"),
        "eventlog_csv": _("event log (CSV)"),
        "native": _("the registry's own format (YAML/JSON)"),
        "tabular": _("spreadsheet"),
        "editor": _("quick editor"),
    }
    return labels.get(name or "", name or "–")


def init_i18n(app: Flask) -> None:
    """Connect Flask-Babel to the catalogue in registry/translations and add template filters."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=_select_locale)
    app.add_template_filter(_date, "date")
    app.add_template_filter(_datetime, "datetime")
    app.add_template_filter(_number, "number")
    app.add_template_filter(format_label, "format_label")
    app.jinja_env.globals["ui_language"] = ui_language


def norwegian_key(name: str) -> tuple[str, str]:
    """Sort key for names in Norwegian order: a–z, then æ, ø, å (Ørland before Åfjord).

    The engine's :func:`processes.text.norwegian_key`, so pages and engine sort alike. Lists
    are sorted in Python after loading: SQL ``ORDER BY`` puts Å before Ø on SQLite and on
    PostgreSQL without a Norwegian collation.
    """
    return _engine_norwegian_key(name)
