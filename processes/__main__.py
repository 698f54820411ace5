"""The command line: ``python -m processes COMMAND ...``.

Commands
--------
``show FILE``
    A summary (name, counts by kind, lanes, steps) and the validation report.
    Exit status 0 when there are no errors (warnings are fine), 1 otherwise.
``convert IN OUT``
    Read any readable format, write the format OUT's extension names (or ``--to``).
``render FILE -o OUT``
    Draw the process as SVG, PNG, PDF (or DOT) with Graphviz.

Bad input (unreadable file, unknown format, malformed content) gives one line
on stderr naming the file, the line or element and what is wrong, and exit
status 2, never a traceback. ``-`` as a file name means stdin or stdout.

Each command is one ``add_<name>_command(subparsers)`` function that registers
its arguments and sets ``run``; adding a command means writing one such
function and listing it in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from processes.exceptions import FormatError, ProcessError
from processes.model import Problem, Process, Severity, Step

__all__ = [
    "COMMANDS",
    "add_compare_command",
    "add_convert_command",
    "add_render_command",
    "add_show_command",
    "build_parser",
    "main",
    "read_input",
    "write_output",
]

#: Exit status for bad input (the file cannot be read as a process), as argparse uses for bad usage.
EXIT_BAD_INPUT = 2

# Labels, ids and names come from the input file, and a terminal obeys control
# characters in what it prints: ESC [ 2 J clears the screen, an OSC sequence sets the
# window title or a hyperlink, U+009B is a one-byte CSI, U+202E reverses the text that
# follows. Every line the CLI prints goes through _terminal_safe, which shows C0 controls
# (but tab), DEL, C1 controls and the bidirectional embeddings, overrides and isolates as
# visible \uXXXX escapes; the same escape is valid inside a JSON string.
_UNSAFE_CODES = [
    *range(0x09),
    *range(0x0A, 0x20),
    *range(0x7F, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_TERMINAL_ESCAPES = {code: f"\\u{code:04x}" for code in _UNSAFE_CODES}
_TERMINAL_ESCAPES_KEEP_LINES = {code: e for code, e in _TERMINAL_ESCAPES.items() if code != 0x0A}

_TEXT: dict[str, tuple[str, str]] = {
    "process": ("Prosess", "Process"),
    "steps": ("Steg", "Steps"),
    "gateways": ("Porter", "Gateways"),
    "flows": ("Flyter", "Flows"),
    "lanes": ("Roller", "Lanes"),
    "none": ("ingen", "none"),
    "validation": ("Validering", "Validation"),
    "ok": ("ingen problemer funnet", "no problems found"),
    "errors": ("feil", "errors"),
    "warnings": ("advarsler", "warnings"),
    Severity.ERROR: ("feil", "error"),
    Severity.WARNING: ("advarsel", "warning"),
    "element": ("element", "element"),
    "line": ("linje", "line"),
    "lane": ("rolle", "lane"),
    "in": ("i", "in"),
    "wrote": ("skrev", "wrote"),
}


def _t(key: str, lang: str) -> str:
    nb, en = _TEXT[key]
    return en if lang == "en" else nb


# -- input and output ---------------------------------------------------------------


def read_input(
    path: str,
    *,
    format: str | None = None,
    label_attribute: str | None = None,
    options: Sequence[str] = (),
    max_bytes: int | None = None,
) -> Process:
    """Read a process from a file (``-`` for stdin) through :func:`processes.formats.read_process`.

    Parameters
    ----------
    path
        The file to read, or ``-`` for standard input.
    format
        Read as this format instead of detecting it.
    label_attribute
        For event logs: which attribute names the steps (e.g. ``activityNameEN``).
    options
        Further reader options as ``KEY=VALUE`` strings (e.g. ``case_column=sak``).
    max_bytes
        Refuse larger input; ``None`` keeps the reader's default, 0 means no limit.

    Raises
    ------
    FormatError
        The file cannot be opened or read as a process.
    """
    from processes.formats import detect_format, read_process

    name = "<stdin>" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise FormatError("no such file", code="no_such_file", source=name) from None
    except IsADirectoryError:
        raise FormatError("is a directory, not a file", code="is_a_directory", source=name) from None
    except OSError as error:
        raise FormatError(
            f"cannot read the file: {error.strerror or error}",
            code="cannot_open",
            params={"detail": str(error.strerror or error)},
            source=name,
        ) from None
    reader_options: dict[str, Any] = _parse_options(options)
    if label_attribute is not None:
        fmt = format or detect_format(data, name)
        if fmt == "xes":
            reader_options["label_attribute"] = label_attribute
        elif fmt == "eventlog_csv":
            # In a CSV log the step names are a column.
            reader_options["activity_column"] = label_attribute
        else:
            raise FormatError(
                f"--label-attribute applies to event logs (XES, CSV), but this is a {fmt} file",
                code="option_not_for_format",
                params={"format": fmt},
                source=name,
            )
    if max_bytes is not None:
        reader_options["max_bytes"] = max_bytes or None
    if not options:
        return read_process(data, filename=name, format=format, **reader_options)
    try:
        return read_process(data, filename=name, format=format, **reader_options)
    except (TypeError, ValueError) as error:
        # A reader refused an --option it does not have, or its value; say so, not where in Python.
        raise FormatError(
            f"--option not accepted for this file: {error}",
            code="option_not_accepted",
            params={"detail": str(error)},
            source=name,
        ) from None


def _parse_options(options: Sequence[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise FormatError(
                f"--option must look like KEY=VALUE, not {option!r}", code="option_syntax", params={"option": option}
            )
        parsed[key.strip().replace("-", "_")] = _option_value(value.strip())
    return parsed


def _option_value(text: str) -> Any:
    """``3`` -> 3, ``0.5`` -> 0.5, ``true``/``false`` -> bool, anything else stays text."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def write_output(path: str, data: bytes) -> None:
    """Write bytes to a file, or to stdout for ``-``; the file is only touched once the data is ready."""
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(path).write_bytes(data)
    except OSError as error:
        raise FormatError(
            f"cannot write the file: {error.strerror or error}",
            code="cannot_write",
            params={"detail": str(error.strerror or error)},
            source=path,
        ) from None


def _output_format(path: str, to: str | None) -> str:
    from processes.formats import write_format_for

    if to:
        return to.lower().lstrip(".")
    if path == "-":
        raise FormatError("writing to stdout ('-') needs --to FORMAT", code="stdout_needs_format")
    return write_format_for(path)


# -- show -------------------------------------------------------------------------------


def add_show_command(subparsers: Any) -> None:
    """``show FILE``: summary and validation report."""
    parser = subparsers.add_parser(
        "show",
        help="summarise a process and report validation problems",
        description="Print a summary of the process (name, counts by kind, lanes, steps) and every "
        "validation problem with where it is. Exit status: 0 without errors, 1 with errors, "
        "2 if the file cannot be read.",
    )
    parser.add_argument(
        "file", metavar="FILE", help="process file (BPMN, PNML, XES, CSV, XLSX, YAML, JSON) or -"
    )
    _add_read_arguments(parser)
    _add_lang_argument(parser)
    parser.set_defaults(run=run_show)


def run_show(args: argparse.Namespace) -> int:
    """Print the summary and the validation report; return the exit status."""
    process = _read(args)
    lang: str = args.lang
    out = sys.stdout
    for line in summary_lines(process, lang):
        print(_terminal_safe(line), file=out)
    problems = process.validate()
    for line in problem_lines(problems, lang):
        print(_terminal_safe(line), file=out)
    return 1 if any(p.severity == Severity.ERROR for p in problems) else 0


def summary_lines(process: Process, lang: str = "nb") -> list[str]:
    """The summary part of ``show``, line by line.

    Examples
    --------
    >>> from processes.model import Flow, Step, StepKind
    >>> p = Process("p", "Startlån", lanes=["Saksbehandler"])
    >>> p.add_step(Step("s", "Søknad mottatt", StepKind.START_EVENT, lane="Saksbehandler"))
    >>> p.add_step(Step("a", "Vurdere søknaden", lane="Saksbehandler"))
    >>> p.add_flow(Flow("s", "a"))
    >>> print("\\n".join(summary_lines(p)))
    Prosess: Startlån (id: p)
    Steg: 2 (start 1, oppgave 1)
    Porter: 0
    Flyter: 1
    Roller: Saksbehandler
    <BLANKLINE>
    Steg:
      s  Søknad mottatt  [start; rolle: Saksbehandler]
      a  Vurdere søknaden  [oppgave; rolle: Saksbehandler]
    """
    from processes.render import kind_name, mode_cue

    steps, gateways = process.steps, process.gateways
    kinds = Counter(kind_name(s.kind, lang) for s in steps)
    gateway_kinds = Counter(kind_name(g.kind, lang) for g in gateways)
    lines = [f"{_t('process', lang)}: {process.name or process.id} (id: {process.id})"]
    lines.append(f"{_t('steps', lang)}: {len(steps)}" + _counts(kinds))
    lines.append(f"{_t('gateways', lang)}: {len(gateways)}" + _counts(gateway_kinds))
    lines.append(f"{_t('flows', lang)}: {len(process.flows)}")
    lanes = list(dict.fromkeys([*process.lanes, *(e.lane for e in process.elements if e.lane)]))
    lines.append(f"{_t('lanes', lang)}: {', '.join(lanes) if lanes else _t('none', lang)}")
    lines.append("")
    lines.append(f"{_t('steps', lang)}:")
    depth = _depths(process)
    for element in process.elements:
        if not isinstance(element, Step):
            continue
        details = [kind_name(element.kind, lang)]
        if element.lane:
            details.append(f"{_t('lane', lang)}: {element.lane}")
        if element.mode is not None:
            details.append(mode_cue(element.mode, lang))
        indent = "  " * (depth.get(element.id, 0) + 1)
        lines.append(f"{indent}{element.id}  {element.label or '—'}  [{'; '.join(details)}]")
    return lines


def _counts(counter: Counter[str]) -> str:
    if not counter:
        return ""
    return " (" + ", ".join(f"{name} {count}" for name, count in counter.items()) + ")"


def _depths(process: Process) -> dict[str, int]:
    """How deep each element is nested in sub-processes (a parent cycle counts as top level)."""
    depths: dict[str, int] = {}
    for element in process.elements:
        depth, seen, current = 0, {element.id}, element
        while current.parent is not None and current.parent not in seen:
            parent = process.get(current.parent)
            if parent is None:
                break
            seen.add(parent.id)
            depth, current = depth + 1, parent
        depths[element.id] = depth
    return depths


def problem_lines(problems: Sequence[Problem], lang: str = "nb") -> list[str]:
    """The validation part of ``show``: a count, then one line per problem with where it is.

    Examples
    --------
    >>> from processes.model import Problem, Severity
    >>> problem = Problem(Severity.ERROR, "unreachable", "x", 12, {"label": "Befaring"})
    >>> print("\\n".join(problem_lines([problem], "en")))
    <BLANKLINE>
    Validation: 1 errors, 0 warnings
      error: The step “Befaring” cannot be reached from the start of the process. [element 'x', line 12]
    """
    errors = sum(1 for p in problems if p.severity == Severity.ERROR)
    lines = ["", f"{_t('validation', lang)}: "]
    if not problems:
        lines[-1] += _t("ok", lang)
        return lines
    lines[-1] += f"{errors} {_t('errors', lang)}, {len(problems) - errors} {_t('warnings', lang)}"
    for problem in problems:
        where = []
        if problem.element_id:
            where.append(f"{_t('element', lang)} '{problem.element_id}'")
        if problem.line is not None:
            where.append(f"{_t('line', lang)} {problem.line}")
        suffix = f" [{', '.join(where)}]" if where else ""
        lines.append(f"  {_t(problem.severity, lang)}: {problem.message(lang)}{suffix}")
    return lines


# -- convert ------------------------------------------------------------------------------


def add_convert_command(subparsers: Any) -> None:
    """``convert IN OUT``: read any format, write another."""
    parser = subparsers.add_parser(
        "convert",
        help="convert a process to another format",
        description="Read a process in any readable format and write it in the format the output "
        "file's extension names (.yaml .yml .json .bpmn .csv .xlsx .dot .svg .png .pdf) or --to.",
    )
    parser.add_argument("input", metavar="IN", help="process file to read, or -")
    parser.add_argument("output", metavar="OUT", help="file to write, or - for stdout (needs --to)")
    parser.add_argument(
        "--to",
        metavar="FMT",
        help="output format: yaml, json, bpmn, csv, xlsx, dot, svg, png or pdf (default: from OUT)",
    )
    _add_read_arguments(parser)
    _add_lang_argument(parser, help="language of words added to drawings (dot, svg, png, pdf)")
    parser.set_defaults(run=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    """Read, write in the new format; return the exit status."""
    from processes.formats import write_process

    fmt = _output_format(args.output, args.to)
    process = _read(args)
    options: dict[str, Any] = {"lang": args.lang} if fmt in ("dot", "svg", "png", "pdf") else {}
    with _without_fontconfig_noise():
        data = write_process(process, fmt, **options)
    write_output(args.output, data)
    _report_written(args.output, fmt, data, args.lang)
    return 0


# -- render -------------------------------------------------------------------------------

_DRAWING_FORMATS = ("svg", "png", "pdf", "dot")


def add_render_command(subparsers: Any) -> None:
    """``render FILE -o OUT``: draw the process."""
    parser = subparsers.add_parser(
        "render",
        help="draw a process as SVG, PNG or PDF",
        description="Draw the process with Graphviz: lanes as swimlanes, a shape per step kind, "
        "the mode as a symbol and word. Uses the 'dot' program when it is on PATH and the "
        "Graphviz bundled with pygraphviz otherwise.",
    )
    parser.add_argument("file", metavar="FILE", help="process file to read, or -")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="drawing to write (.svg, .png, .pdf or .dot), or -",
    )
    parser.add_argument("--to", metavar="FMT", choices=_DRAWING_FORMATS, help="svg, png, pdf or dot")
    parser.add_argument("--title", help="heading above the drawing (default: the process name)")
    _add_read_arguments(parser)
    _add_lang_argument(parser)
    parser.set_defaults(run=run_render)


def run_render(args: argparse.Namespace) -> int:
    """Draw the process; return the exit status."""
    from processes.render import render

    fmt = _output_format(args.output, args.to)
    if fmt not in _DRAWING_FORMATS:
        raise FormatError(
            f"render draws svg, png, pdf or dot, not {fmt}",
            code="not_a_drawing_format",
            params={"format": fmt},
            source=args.output,
            hint="use 'convert' for other formats",
        )
    process = _read(args)
    title = args.title if args.title is not None else (process.name or None)
    with _without_fontconfig_noise():
        data = render(process, fmt, lang=args.lang, title=title)  # type: ignore[arg-type]
    write_output(args.output, data)
    _report_written(args.output, fmt, data, args.lang)
    return 0


# -- compare ------------------------------------------------------------------------------


def add_compare_command(subparsers: Any) -> None:
    """``compare A B``: align two processes, list their differences and score their similarity."""
    parser = subparsers.add_parser(
        "compare",
        help="compare a process (B) with a standard or another variant (A)",
        description="Align the steps of A and B, list every difference as a sentence and give the "
        "label, structure, behaviour and overall similarity in [0, 1]. With --json the result is "
        "the documented JSON shape; ids are the element ids of the input files.",
    )
    parser.add_argument("file", metavar="A", help="the standard (or first variant): any readable format")
    parser.add_argument("other", metavar="B", help="the variant to compare with A")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a readable report")
    parser.add_argument("--a-name", metavar="NAME", help="name of A in sentences (default: from its metadata)")
    parser.add_argument("--b-name", metavar="NAME", help="name of B in sentences (default: from its metadata)")
    _add_read_arguments(parser)
    _add_lang_argument(parser)
    parser.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """Print the comparison report or JSON; return the exit status."""
    from processes.compare import compare, display_name

    a = _read(args)
    b = read_input(
        args.other,
        format=args.input_format,
        label_attribute=args.label_attribute,
        options=args.option,
        max_bytes=args.max_bytes,
    )
    comparison = compare(a, b, a_name=args.a_name or display_name(a), b_name=args.b_name or display_name(b))
    if args.json:
        print(_terminal_safe(comparison.to_json(args.lang, indent=2), keep_newlines=True))
    else:
        print(_terminal_safe(comparison.report(args.lang), keep_newlines=True), end="")
    return 0


# -- shared ---------------------------------------------------------------------------------


def _add_read_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", dest="input_format", metavar="FMT", help="input format, instead of detecting it"
    )
    parser.add_argument(
        "--label-attribute",
        metavar="NAME",
        help="event logs: the attribute that names the steps, e.g. activityNameEN",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="further reader option, e.g. case_column=sak (repeatable)",
    )
    parser.add_argument("--max-bytes", type=int, metavar="N", help="refuse larger input files (0: no limit)")


def _add_lang_argument(parser: argparse.ArgumentParser, help: str = "language of the output") -> None:
    parser.add_argument("--lang", choices=("nb", "en"), default="nb", help=f"{help} (default: nb)")


def _read(args: argparse.Namespace) -> Process:
    path: str = getattr(args, "file", None) or args.input
    return read_input(
        path,
        format=args.input_format,
        label_attribute=args.label_attribute,
        options=args.option,
        max_bytes=args.max_bytes,
    )


@contextlib.contextmanager
def _without_fontconfig_noise() -> Iterator[None]:
    """Drop the one harmless line the bundled Graphviz's fontconfig prints on some systems.

    It is older than the system's font configuration and says so on stderr, from C, once
    per process; everything else written to stderr meanwhile is passed on.
    """
    try:
        stderr_fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield  # stderr is not a real file (e.g. captured); nothing to filter
        return
    sys.stderr.flush()
    saved = os.dup(stderr_fd)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), stderr_fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, stderr_fd)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode("utf-8", "replace").splitlines(keepends=True):
                if not line.startswith("Fontconfig warning:"):
                    sys.stderr.write(line)


def _report_written(path: str, fmt: str, data: bytes, lang: str) -> None:
    if path != "-":
        print(_terminal_safe(f"{_t('wrote', lang)} {path} ({fmt}, {len(data)} bytes)"), file=sys.stderr)


#: The subcommands, in the order ``--help`` lists them.
COMMANDS: list[Callable[[Any], None]] = [
    add_show_command,
    add_convert_command,
    add_render_command,
    add_compare_command,
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command in :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="python -m processes",
        description="Read, check, convert, draw and compare casework processes.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 validation errors, 2 bad input or usage)."""
    _tolerant_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except ProcessError as error:
        print(f"error: {_terminal_safe(_one_line(str(error)))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader of stdout went away (e.g. `| head`); nothing more to say.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    return status


def _tolerant_output() -> None:
    """Print æøå and the mode symbols as escapes, not a traceback, on a terminal that lacks them."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with the control characters a terminal would obey shown as ``\\uXXXX`` escapes.

    ``keep_newlines`` keeps line feeds, for multi-line text such as the comparison report
    (tests/processes/test_cli_escaping.py shows what is escaped).
    """
    return text.translate(_TERMINAL_ESCAPES_KEEP_LINES if keep_newlines else _TERMINAL_ESCAPES)


if __name__ == "__main__":
    sys.exit(main())
