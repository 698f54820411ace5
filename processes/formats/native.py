"""The native process format: YAML or JSON that a person can write by hand.

A file is one mapping::

    id: byggesak-standard                 # optional, default "process"
    name: Søknad om tillatelse i ett trinn
    lanes: [Servicetorget, Byggesak]      # optional; derived from the steps if absent
    steps:
      - {id: start, label: Søknad mottatt, kind: start_event, lane: Servicetorget}
      - {id: vurdere, label: Vurdere søknaden, lane: Byggesak, mode: digital}
      - Vedtak sendt                      # a plain string: id and label are both the string
    gateways:
      - {id: g1, kind: exclusive, label: Komplett?}
    flows:
      - start -> vurdere                  # "a -> b", or a chain "a -> b -> c"
      - {from: vurdere, to: Vedtak sendt, condition: Godkjent}

A collaboration of several parties gives each step its ``pool`` (the party,
e.g. ``pool: Søker``) and has message flows between them:
``{from: sende, to: mottatt, kind: message, condition: Søknad}`` (the
condition of a message flow is the message's name; ``kind`` is ``sequence``
by default).

The JSON form has the same structure. The JSON Schema is
``processes/schema/process.schema.json``. Every error names the file, the line
and the key (``steps[2].kind``; list positions count from 0), says what is
wrong and how to fix it. Writing then reading gives an equal :class:`Process`.

Choices worth knowing:

- Flows refer to element **ids**. A flow endpoint that is a step's label
  rather than its id is an error whose hint names the id.
- Unknown keys, kinds and modes are errors (with a did-you-mean or the list
  of allowed values), not silently dropped data.
- Plain (unquoted) YAML scalars in text fields are read as written:
  ``municipality: 5001`` gives ``"5001"`` and ``id: 007`` gives ``"007"``
  (YAML 1.1 would otherwise turn them into numbers or booleans).
- Anchors/aliases (``&a``/``*a``) and tags (``!!python/...``) are refused.
"""

from __future__ import annotations

import difflib
import itertools
import json
import json.decoder
import json.scanner
import math
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any, Literal

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from processes.exceptions import FormatError, ModelError
from processes.formats._xml import DEFAULT_MAX_BYTES, check_size
from processes.model import (
    Flow,
    FlowKind,
    Gateway,
    GatewayKind,
    Mode,
    Process,
    Step,
    StepKind,
)

__all__ = [
    "NATIVE_FLOW_KEYS",
    "NATIVE_GATEWAY_KEYS",
    "NATIVE_STEP_KEYS",
    "NATIVE_TOP_KEYS",
    "read_native",
    "write_native",
]

#: Keys allowed at the top of a native file, in the order the writer uses.
NATIVE_TOP_KEYS = ("id", "name", "documentation", "metadata", "lanes", "steps", "gateways", "flows")
#: Keys allowed in a step mapping, in the order the writer uses.
NATIVE_STEP_KEYS = (
    "id",
    "label",
    "kind",
    "lane",
    "mode",
    "system",
    "legal_basis",
    "handling_days",
    "documentation",
    "parent",
    "attached_to",
    "metrics",
    "attributes",
    "pool",
)
#: Keys allowed in a gateway mapping, in the order the writer uses.
NATIVE_GATEWAY_KEYS = ("id", "kind", "label", "lane", "parent", "pool")
#: Keys allowed in a flow mapping (``source``/``target`` are accepted for ``from``/``to``).
NATIVE_FLOW_KEYS = ("from", "to", "condition", "id", "metrics", "kind")

_ARROW = "->"
_GATEWAY_ALIASES = {"xor": "exclusive", "and": "parallel", "or": "inclusive", "event": "event_based"}
_YAML_STR = "tag:yaml.org,2002:str"
_YAML_PLAIN_TYPES = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


# --------------------------------------------------------------------------
# A parsed document: dicts and lists that remember their lines.
# --------------------------------------------------------------------------


class _LDict(dict[str, Any]):
    """A mapping from the file, with its line and the lines and raw text of its entries."""

    def __init__(self, line: int | None) -> None:
        super().__init__()
        self.line = line
        self.item_lines: dict[str, int] = {}
        self.raw: dict[str, str] = {}


class _LList(list[Any]):
    """A sequence from the file, with its line and the lines and raw text of its items."""

    def __init__(self, line: int | None) -> None:
        super().__init__()
        self.line = line
        self.item_lines: dict[int, int] = {}
        self.raw: dict[int, str] = {}


_Container = _LDict | _LList


def _line_of(container: _Container, key: Any = None) -> int | None:
    if key is not None:
        line = container.item_lines.get(key)
        if line is not None:
            return line
    return container.line


def _decode(data: bytes | str, source: str | None) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)",
            code="encoding",
            params={"byte": f"0x{data[exc.start]:02x}"},
            source=source,
            line=line,
            hint="save the file as UTF-8",
        ) from None


class _YamlReader:
    """Turns a composed YAML node tree into _LDict/_LList/scalars, refusing what a process never needs."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()

    def fail(
        self,
        node: Node,
        message: str,
        hint: str | None = None,
        *,
        code: str,
        params: Mapping[str, str | int] | None = None,
    ) -> FormatError:
        return FormatError(
            message, code=code, params=params, source=self.source, line=node.start_mark.line + 1, hint=hint
        )

    def convert(self, node: Node) -> tuple[Any, str | None]:
        """Return (value, raw text of a plain non-string scalar or None)."""
        if id(node) in self.seen:
            # The node is the anchored original; PyYAML does not keep where the alias was.
            raise self.fail(
                node,
                "this value is reused elsewhere with a YAML alias (*name); aliases are not supported",
                "write the value out where it is used",
                code="yaml_alias",
            )
        self.seen.add(id(node))
        line = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            if node.tag == _YAML_STR:
                return node.value, None
            if node.tag not in _YAML_PLAIN_TYPES:
                raise self.fail(
                    node, f"the YAML tag {node.tag!r} is not supported", "remove the tag",
                    code="yaml_tag", params={"tag": node.tag},
                )
            raw = node.value if node.style is None else None
            if node.tag == "tag:yaml.org,2002:timestamp":
                return node.value, raw
            try:
                return self.constructor.construct_object(node, deep=True), raw
            except (yaml.YAMLError, ValueError, OverflowError):
                return node.value, raw
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self.fail(
                    node, f"the YAML tag {node.tag!r} is not supported", "remove the tag",
                    code="yaml_tag", params={"tag": node.tag},
                )
            seq = _LList(line)
            for index, child in enumerate(node.value):
                value, raw = self.convert(child)
                seq.append(value)
                seq.item_lines[index] = child.start_mark.line + 1
                if raw is not None:
                    seq.raw[index] = raw
            return seq, None
        if isinstance(node, MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise self.fail(
                    node, f"the YAML tag {node.tag!r} is not supported", "remove the tag",
                    code="yaml_tag", params={"tag": node.tag},
                )
            mapping = _LDict(line)
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise self.fail(
                        key_node, "a key must be a plain text, not a list or mapping", code="yaml_key",
                        params={"key": ""},
                    )
                key = key_node.value
                if key_node.tag not in (_YAML_STR, *_YAML_PLAIN_TYPES):
                    raise self.fail(
                        key_node,
                        f"the key {key!r} has an unsupported YAML tag or is a merge key (<<)",
                        code="yaml_key",
                        params={"key": key},
                    )
                if key in mapping:
                    raise self.fail(
                        key_node,
                        f"the key {key!r} appears twice in the same mapping "
                        f"(first on line {mapping.item_lines[key]})",
                        "keep one of them",
                        code="duplicate_key",
                        params={"key": key, "first_line": mapping.item_lines[key]},
                    )
                value, raw = self.convert(value_node)
                mapping[key] = value
                mapping.item_lines[key] = key_node.start_mark.line + 1
                if raw is not None:
                    mapping.raw[key] = raw
            return mapping, None
        raise self.fail(node, "unsupported YAML node", code="yaml_syntax", params={"detail": "unsupported node"})  # pragma: no cover - PyYAML has only three node types


def _parse_yaml(text: str, source: str | None) -> Any:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        hint = None
        if "flow" in what:
            # PyYAML ends unquoted text inside {...} and [...] at any of , : ? [ ] { }
            hint = (
                'inside {...} or [...], put text containing , : ? [ ] { } in quotes, e.g. label: "Komplett?"'
            )
        raise FormatError(
            f"the file is not valid YAML: {what}",
            code="yaml_flow_syntax" if hint else "yaml_syntax",
            params={"detail": what},
            source=source,
            line=mark.line + 1 if mark else None,
            hint=hint,
        ) from None
    except yaml.YAMLError as exc:
        raise FormatError(
            f"the file is not valid YAML: {exc}", code="yaml_syntax", params={"detail": str(exc)}, source=source
        ) from None
    except RecursionError:
        raise FormatError(
            "the file is nested too deeply to be a process", code="nested_too_deeply", source=source
        ) from None
    if node is None:
        raise FormatError(
            "the file is empty", code="empty_file", source=source, hint="start with 'name:' and a 'steps:' list"
        )
    try:
        return _YamlReader(source).convert(node)[0]
    except RecursionError:
        raise FormatError(
            "the file is nested too deeply to be a process", code="nested_too_deeply", source=source
        ) from None


class _LineJSONDecoder(json.JSONDecoder):
    """A JSON decoder whose objects and arrays remember the line they start on.

    The pure-Python scanner passes the start offset to ``parse_object`` and
    ``parse_array``; wrapping them is the documented extension point that
    gives us lines without a second parser.
    """

    def __init__(self, text: str) -> None:
        super().__init__(object_pairs_hook=list, strict=True)
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        base_object: Callable[..., tuple[Any, int]] = getattr(self, "parse_object")  # noqa: B009
        base_array: Callable[..., tuple[Any, int]] = getattr(self, "parse_array")  # noqa: B009

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            start = s_and_end[1]
            pairs, end = base_object(s_and_end, *args)
            mapping = _LDict(self._line(start))
            for key, value in pairs:
                if key in mapping:
                    raise _JSONDuplicateKey(key, mapping.line)
                mapping[key] = value
                if isinstance(value, _LDict | _LList):
                    mapping.item_lines[key] = value.line  # type: ignore[assignment]
            return mapping, end

        def parse_array(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            start = s_and_end[1]
            values, end = base_array(s_and_end, *args)
            seq = _LList(self._line(start))
            seq.extend(values)
            for index, value in enumerate(values):
                if isinstance(value, _LDict | _LList):
                    seq.item_lines[index] = value.line  # type: ignore[assignment]
            return seq, end

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.scan_once = getattr(json.scanner, "py_make_scanner")(self)  # noqa: B009

    def _line(self, offset: int) -> int:
        return bisect_right(self._newlines, offset - 1) + 1


class _JSONDuplicateKey(Exception):
    def __init__(self, key: str, line: int | None) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


def _parse_json(text: str, source: str | None) -> Any:
    try:
        return _LineJSONDecoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"the file is not valid JSON: {exc.msg} (column {exc.colno})",
            code="json_syntax",
            params={"detail": exc.msg, "column": exc.colno},
            source=source,
            line=exc.lineno,
        ) from None
    except _JSONDuplicateKey as exc:
        raise FormatError(
            f"the key {exc.key!r} appears twice in the same object",
            code="duplicate_key",
            params={"key": exc.key},
            source=source,
            line=exc.line,
            hint="keep one of them",
        ) from None
    except RecursionError:
        raise FormatError(
            "the file is nested too deeply to be a process", code="nested_too_deeply", source=source
        ) from None


# --------------------------------------------------------------------------
# From the parsed document to a Process
# --------------------------------------------------------------------------


def _path(parent: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _closest(word: object, choices: list[str] | tuple[str, ...]) -> str:
    """The choice closest to ``word``, or "" (a parameter for the application's own "did you mean")."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return close[0] if close else ""


def _did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class _Builder:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def error(
        self,
        container: _Container,
        key: Any,
        path: str,
        message: str,
        *,
        code: str,
        params: Mapping[str, str | int] | None = None,
        hint: str | None = None,
        element: str | None = None,
    ) -> FormatError:
        return FormatError(
            f"{path}: {message}" if path else message,
            code=code,
            params={"path": path, **(params or {})},
            source=self.source,
            line=_line_of(container, key),
            element=element,
            hint=hint,
        )

    # -- typed getters ----------------------------------------------------
    def check_keys(
        self, mapping: _LDict, path: str, allowed: tuple[str, ...], element: str | None = None
    ) -> None:
        for key in mapping:
            if key not in allowed:
                hint = _did_you_mean(key, allowed) or "allowed keys: " + ", ".join(allowed)
                raise self.error(
                    mapping, key, _path(path, key), "unknown key", code="unknown_key",
                    params={"key": str(key), "allowed": ", ".join(allowed), "suggestion": _closest(key, allowed)},
                    hint=hint, element=element,
                )

    def text(
        self,
        container: _Container,
        key: Any,
        path: str,
        *,
        element: str | None = None,
        required: bool = False,
    ) -> str | None:
        value = container.get(key) if isinstance(container, _LDict) else container[key]
        if value is None:
            if required:
                raise self.error(
                    container, key, path, "a value is required here", code="value_required", element=element
                )
            return None
        raw = container.raw.get(key)
        if raw is not None and not isinstance(value, str):
            return raw  # a plain scalar such as 5001 or 007: keep what the person wrote
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        kind = (
            "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else repr(value)
        )
        raise self.error(
            container, key, path, f"expected text, got {kind}", code="expected_text", params={"value": kind},
            hint="put the text in quotes", element=element,
        )

    def string_map(
        self, container: _LDict, key: str, path: str, element: str | None = None
    ) -> dict[str, str]:
        value = container.get(key)
        if value is None:
            return {}
        if not isinstance(value, _LDict):
            raise self.error(
                container, key, path, "expected a mapping of names to texts", code="expected_mapping",
                params={"what": "texts"}, element=element,
            )
        return {k: self.text(value, k, _path(path, k), element=element) or "" for k in value}

    def number(
        self, container: _Container, key: Any, path: str, element: str | None = None
    ) -> float | int | None:
        value = container[key] if isinstance(container, list) else container.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(
                container, key, path, f"expected a number, got {value!r}", code="expected_number",
                params={"value": repr(value)}, element=element,
            )
        if not math.isfinite(value):
            raise self.error(
                container, key, path, f"expected a finite number, got {value!r}", code="expected_number",
                params={"value": repr(value)}, element=element,
            )
        return value

    def metrics(self, container: _LDict, key: str, path: str, element: str | None = None) -> dict[str, float]:
        value = container.get(key)
        if value is None:
            return {}
        if not isinstance(value, _LDict):
            raise self.error(
                container, key, path, "expected a mapping of names to numbers", code="expected_mapping",
                params={"what": "numbers"}, element=element,
            )
        out: dict[str, float] = {}
        for name in value:
            number = self.number(value, name, _path(path, name), element)
            if number is None:
                raise self.error(
                    value, name, _path(path, name), "expected a number", code="expected_number",
                    params={"value": ""}, element=element,
                )
            out[name] = number
        return out

    def enum(
        self,
        container: _LDict,
        key: str,
        path: str,
        allowed: list[str],
        *,
        aliases: Mapping[str, str] | None = None,
        element: str | None = None,
        other: tuple[list[str], str] | None = None,
    ) -> str | None:
        value = self.text(container, key, path, element=element)
        if value is None:
            return None
        normal = re.sub(r"[\s\-]+", "_", value.strip().lower())
        normal = (aliases or {}).get(normal, normal)
        if normal in allowed:
            return normal
        if other is not None and normal in other[0]:
            raise self.error(
                container, key, path, f"{value!r} {other[1]}", code="wrong_list",
                params={"value": value, "list": "steps" if "'steps'" in other[1] else "gateways"}, element=element,
            )
        hint = "allowed values: " + ", ".join(allowed)
        close = _did_you_mean(normal, allowed)
        raise self.error(
            container,
            key,
            path,
            f"unknown value {value!r}",
            code="unknown_value",
            params={"value": value, "allowed": ", ".join(allowed), "suggestion": _closest(normal, allowed)},
            hint=f"{close} {hint}" if close else hint,
            element=element,
        )

    def list_of(self, container: _LDict, key: str, path: str) -> _LList:
        value = container.get(key)
        if value is None:
            return _LList(_line_of(container, key))
        if not isinstance(value, _LList):
            raise self.error(container, key, path, "expected a list (one '- ' item per line)", code="expected_list")
        return value

    # -- elements ----------------------------------------------------------
    def step(self, steps: _LList, index: int) -> Step:
        path = f"steps[{index}]"
        item = steps[index]
        line = _line_of(steps, index)
        if not isinstance(item, _LDict):
            text = self.text(steps, index, path)
            if not text or not text.strip():
                raise self.error(
                    steps, index, path, "a step needs an id", code="missing_id", params={"tag": "step"},
                    hint="write '- id: ...' or the step's name",
                )
            return Step(text, text, line=line)
        step_id = self.text(item, "id", path + ".id") if "id" in item else None
        if not step_id:
            raise self.error(
                steps, index, path, "the step has no 'id'", code="missing_id", params={"tag": "step"},
                hint="add 'id: <short name>'",
            )
        self.check_keys(item, path, NATIVE_STEP_KEYS, step_id)
        kind = self.enum(
            item,
            "kind",
            path + ".kind",
            [k.value for k in StepKind],
            element=step_id,
            other=([k.value for k in GatewayKind], "is a gateway kind; put gateways in the 'gateways' list"),
        )
        mode = self.enum(item, "mode", path + ".mode", [m.value for m in Mode], element=step_id)
        days = self.number(item, "handling_days", path + ".handling_days", step_id)
        if days is not None and days < 0:
            raise self.error(
                item, "handling_days", path + ".handling_days", "must not be negative", code="negative_number",
                params={"value": f"{days:g}"}, element=step_id,
            )
        t = self.text
        return Step(
            step_id,
            t(item, "label", path + ".label", element=step_id) or "",
            StepKind(kind or StepKind.TASK),
            lane=t(item, "lane", path + ".lane", element=step_id),
            mode=Mode(mode) if mode else None,
            system=t(item, "system", path + ".system", element=step_id),
            legal_basis=t(item, "legal_basis", path + ".legal_basis", element=step_id),
            handling_days=float(days) if days is not None else None,
            documentation=t(item, "documentation", path + ".documentation", element=step_id),
            parent=t(item, "parent", path + ".parent", element=step_id),
            attached_to=t(item, "attached_to", path + ".attached_to", element=step_id),
            metrics=self.metrics(item, "metrics", path + ".metrics", step_id),
            attributes=self.string_map(item, "attributes", path + ".attributes", step_id),
            line=line,
            pool=t(item, "pool", path + ".pool", element=step_id),
        )

    def gateway(self, gateways: _LList, index: int) -> Gateway:
        path = f"gateways[{index}]"
        item = gateways[index]
        if not isinstance(item, _LDict):
            raise self.error(
                gateways, index, path, "a gateway is a mapping", code="not_a_mapping", params={"what": "gateway"},
                hint="write '- {id: g1, kind: exclusive}'",
            )
        gw_id = self.text(item, "id", path + ".id") if "id" in item else None
        if not gw_id:
            raise self.error(
                gateways, index, path, "the gateway has no 'id'", code="missing_id", params={"tag": "gateway"},
                hint="add 'id: <short name>'",
            )
        self.check_keys(item, path, NATIVE_GATEWAY_KEYS, gw_id)
        kind = self.enum(
            item,
            "kind",
            path + ".kind",
            [k.value for k in GatewayKind],
            aliases=_GATEWAY_ALIASES,
            element=gw_id,
            other=([k.value for k in StepKind], "is a step kind; put steps in the 'steps' list"),
        )
        return Gateway(
            gw_id,
            GatewayKind(kind or GatewayKind.EXCLUSIVE),
            self.text(item, "label", path + ".label", element=gw_id) or "",
            lane=self.text(item, "lane", path + ".lane", element=gw_id),
            parent=self.text(item, "parent", path + ".parent", element=gw_id),
            line=_line_of(gateways, index),
            pool=self.text(item, "pool", path + ".pool", element=gw_id),
        )

    def flows(self, flows: _LList, index: int) -> list[Flow]:
        path = f"flows[{index}]"
        item = flows[index]
        line = _line_of(flows, index)
        hint = "write flows as 'a -> b' or {from: a, to: b, condition: ...}"
        if isinstance(item, _LDict):
            self.check_keys(item, path, (*NATIVE_FLOW_KEYS, "source", "target"))
            ends: list[str] = []
            for key, alias in (("from", "source"), ("to", "target")):
                if key in item and alias in item:
                    raise self.error(
                        item, alias, path, f"both '{key}' and '{alias}' are given", code="flow_end_twice",
                        params={"key": key, "alias": alias}, hint="keep one",
                    )
                name = key if key in item else alias
                value = self.text(item, name, f"{path}.{name}") if name in item else None
                if not value:
                    raise self.error(
                        flows, index, path, f"the flow has no '{key}'", code="flow_missing_end", params={"key": key},
                        hint=hint,
                    )
                ends.append(value)
            kind = self.enum(item, "kind", path + ".kind", [k.value for k in FlowKind])
            return [
                Flow(
                    ends[0],
                    ends[1],
                    condition=self.text(item, "condition", path + ".condition"),
                    id=self.text(item, "id", path + ".id"),
                    metrics=self.metrics(item, "metrics", path + ".metrics"),
                    line=line,
                    kind=FlowKind(kind or FlowKind.SEQUENCE),
                )
            ]
        text = self.text(flows, index, path)
        if text is None:
            raise self.error(flows, index, path, "empty flow", code="bad_flow", params={"text": ""}, hint=hint)
        if _ARROW not in text:
            raise self.error(
                flows, index, path, f"{text!r} has no '->'", code="bad_flow", params={"text": text}, hint=hint
            )
        parts = [part.strip() for part in text.split(_ARROW)]
        for position, part in enumerate(parts):
            if not part:
                what = (
                    "no source"
                    if position == 0
                    else "no target"
                    if position == len(parts) - 1
                    else "an empty step"
                )
                raise self.error(
                    flows, index, path, f"{text!r} has {what}", code="bad_flow", params={"text": text}, hint=hint
                )
        return [Flow(a, b, line=line) for a, b in itertools.pairwise(parts)]


def _check_references(
    builder: _Builder, process: Process, flow_paths: list[tuple[Flow, _LList, int]]
) -> None:
    ids = [e.id for e in process.elements]
    by_label: dict[str, list[str]] = {}
    for step in process.steps:
        by_label.setdefault(step.label, []).append(step.id)

    def unknown(ref: str, what: str, *, code: str) -> tuple[str, str | None, str, dict[str, str | int]]:
        labelled = by_label.get(ref, [])
        if len(labelled) == 1:
            message = f"{ref!r} is the label of step {labelled[0]!r}, not an id"
            code = "label_not_id"
            return message, f"write {labelled[0]!r}", code, {"ref": ref, "id": labelled[0]}
        params: dict[str, str | int] = {"ref": ref, "suggestion": _closest(ref, ids)}
        return f"{what} {ref!r} is not the id of any step or gateway", _did_you_mean(ref, ids), code, params

    for flow, flows, index in flow_paths:
        for end in (flow.source, flow.target):
            if end not in process:
                message, hint, code, params = unknown(end, "the flow end", code="unknown_flow_end")
                raise builder.error(
                    flows, index, f"flows[{index}]", message, code=code, params=params, hint=hint, element=flow.id
                )
    for element in process.elements:
        refs = [("parent", element.parent)]
        if isinstance(element, Step):
            refs.append(("attached_to", element.attached_to))
        for key, ref in refs:
            if ref is None:
                continue
            target = process.get(ref)
            if not isinstance(target, Step):
                message, hint, code, params = unknown(ref, key, code="unknown_reference")
                if target is not None:
                    message, hint = f"{key} {ref!r} is a gateway; it must be a step", None
                    code, params = "reference_to_gateway", {"ref": ref}
                raise FormatError(
                    f"{key}: {message}",
                    code=code,
                    params={"key": key, **params},
                    source=builder.source,
                    line=element.line,
                    element=element.id,
                    hint=hint,
                )
            if ref == element.id:
                raise FormatError(
                    f"{key}: the element refers to itself",
                    code="self_reference",
                    params={"key": key},
                    source=builder.source,
                    line=element.line,
                    element=element.id,
                )


def read_native(
    data: bytes | str, *, source: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> Process:
    """Read a process from the native YAML or JSON format.

    Parameters
    ----------
    data
        The file's content (UTF-8, with or without BOM). JSON is recognised
        by its leading ``{``; everything else is read as YAML.
    source
        The file name, used in error messages.
    max_bytes
        Refuse larger input (``None``: no limit).

    Returns
    -------
    Process
        Steps and gateways in file order; each has ``line`` set.

    Raises
    ------
    FormatError
        Anything wrong with the file, naming the line and the key
        (e.g. ``flows[3]: 'registrere -> ' has no target``).

    Examples
    --------
    >>> p = read_native('''
    ... name: Eksempel
    ... steps:
    ...   - {id: s, label: Søknad mottatt, kind: start_event}
    ...   - {id: v, label: Vurdere søknaden, mode: digital}
    ... flows: [s -> v]
    ... ''')
    >>> [(s.id, s.kind.value) for s in p.steps]
    [('s', 'start_event'), ('v', 'task')]
    >>> read_native(b"steps: []\\nflows: ['s -> ']", source="p.yaml")
    Traceback (most recent call last):
    ...
    processes.exceptions.FormatError: p.yaml, line 2: flows[0]: 's -> ' has no target (write flows as 'a -> b' or {from: a, to: b, condition: ...})
    """
    if isinstance(data, bytes):
        check_size(data, max_bytes=max_bytes, source=source)
    text = _decode(data, source)
    if not text.strip():
        raise FormatError(
            "the file is empty", code="empty_file", source=source, hint="start with 'name:' and a 'steps:' list"
        )
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document = _parse_json(text, source)
        except FormatError as json_error:
            # A YAML flow mapping also starts with "{"; report the JSON error only if YAML fails too.
            try:
                document = _parse_yaml(text, source)
            except FormatError:
                raise json_error from None
    else:
        document = _parse_yaml(text, source)
    return _build(document, source)


def _build(document: Any, source: str | None) -> Process:
    builder = _Builder(source)
    if not isinstance(document, _LDict):
        raise FormatError(
            "the file is not a process: expected a mapping with 'name:' and 'steps:'",
            code="not_a_process",
            source=source,
            line=getattr(document, "line", 1),
        )
    if "steps" not in document and not any(_did_you_mean(key, NATIVE_TOP_KEYS) for key in document):
        # Nothing here looks like a process key: some other YAML/JSON file.
        keys = ", ".join(repr(key) for key in list(document)[:8]) or "none"
        raise FormatError(
            f"the file is not a process: it has no 'steps' list (its keys are {keys})",
            code="not_a_process",
            params={"keys": keys},
            source=source,
            line=document.line,
            hint="a process file has 'name:' and 'steps:' with one '- id: ...' per step",
        )
    builder.check_keys(document, "", NATIVE_TOP_KEYS)
    if "steps" not in document:
        raise FormatError(
            "the file has no 'steps' list",
            code="no_steps",
            source=source,
            line=document.line,
            hint="add 'steps:' with one '- id: ...' per step",
        )
    process = Process(
        builder.text(document, "id", "id") or "process",
        builder.text(document, "name", "name") or "",
        metadata=builder.string_map(document, "metadata", "metadata"),
        documentation=builder.text(document, "documentation", "documentation"),
    )
    steps = builder.list_of(document, "steps", "steps")
    gateways = builder.list_of(document, "gateways", "gateways")
    flows = builder.list_of(document, "flows", "flows")

    first_line: dict[str, int | None] = {}
    elements: list[Step | Gateway] = [builder.step(steps, i) for i in range(len(steps))]
    elements += [builder.gateway(gateways, i) for i in range(len(gateways))]
    for element in elements:
        if element.id in first_line:
            where = f" (first on line {first_line[element.id]})" if first_line[element.id] else ""
            raise FormatError(
                f"the id {element.id!r} is used twice{where}",
                code="duplicate_id",
                params={"id": element.id, "first_line": first_line[element.id] or ""},
                source=source,
                line=element.line,
                element=element.id,
                hint="give every step and gateway its own id",
            )
        first_line[element.id] = element.line
        try:
            if isinstance(element, Step):
                process.add_step(element)
            else:
                process.add_gateway(element)
        except ModelError as exc:  # pragma: no cover - ids are checked above
            raise FormatError(
                str(exc), code="invalid_element", params={"detail": str(exc)}, source=source, line=element.line,
                element=element.id,
            ) from None

    if "lanes" in document:
        lanes = builder.list_of(document, "lanes", "lanes")
        names: list[str] = []
        for i in range(len(lanes)):
            name = builder.text(lanes, i, f"lanes[{i}]", required=True) or ""
            if name in names:
                raise builder.error(
                    lanes, i, f"lanes[{i}]", f"the lane {name!r} is listed twice", code="duplicate_lane",
                    params={"lane": name},
                )
            names.append(name)
        process.lanes = names
    else:
        # No lane list: the lanes are those the steps name, in order of first use.
        process.lanes = list(dict.fromkeys(e.lane for e in process.elements if e.lane is not None))

    flow_paths: list[tuple[Flow, _LList, int]] = []
    for i in range(len(flows)):
        for flow in builder.flows(flows, i):
            flow_paths.append((flow, flows, i))
            process.add_flow(flow)
    _check_references(builder, process, flow_paths)
    return process


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line text as literal blocks and no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write them by hand.
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Literal blocks read best for documentation; the emitter falls back to
    # quoting by itself when a block cannot hold the text exactly.
    style = "|" if "\n" in value.strip("\n") else None
    return dumper.represent_scalar(_YAML_STR, value, style=style)


_Dumper.add_representer(str, _represent_str)


class _Inline(dict[str, Any]):
    """A small mapping of numbers, written on one line: ``{frequency: 12, cases: 9}``."""


def _represent_inline(dumper: yaml.SafeDumper, value: _Inline) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(_Inline, _represent_inline)


def _number(value: float, what: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelError(f"{what} is {value!r}; only finite numbers can be written")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _simple_end(element_id: str) -> bool:
    return (
        _ARROW not in element_id
        and element_id == element_id.strip()
        and "\n" not in element_id
        and bool(element_id)
    )


def _to_document(process: Process) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": process.id}
    if process.name:
        doc["name"] = process.name
    if process.documentation is not None:
        doc["documentation"] = process.documentation
    if process.metadata:
        doc["metadata"] = dict(process.metadata)
    derived = list(dict.fromkeys(e.lane for e in process.elements if e.lane is not None))
    if process.lanes or derived:
        # An empty list is written when steps have lanes but the process lists none,
        # since a missing key would make the reader derive them.
        doc["lanes"] = list(process.lanes)
    steps: list[dict[str, Any]] = []
    for s in process.steps:
        item: dict[str, Any] = {"id": s.id}
        if s.label:
            item["label"] = s.label
        if s.kind != StepKind.TASK:
            item["kind"] = s.kind.value
        for key in ("lane",):
            if s.lane is not None:
                item[key] = s.lane
        if s.mode is not None:
            item["mode"] = s.mode.value
        for key, value in (("system", s.system), ("legal_basis", s.legal_basis)):
            if value is not None:
                item[key] = value
        if s.handling_days is not None:
            item["handling_days"] = _number(s.handling_days, f"handling_days of step {s.id!r}")
        for key, value in (
            ("documentation", s.documentation),
            ("parent", s.parent),
            ("attached_to", s.attached_to),
        ):
            if value is not None:
                item[key] = value
        if s.metrics:
            item["metrics"] = _Inline(
                {k: _number(v, f"metric {k!r} of step {s.id!r}") for k, v in s.metrics.items()}
            )
        if s.attributes:
            item["attributes"] = {str(k): str(v) for k, v in s.attributes.items()}
        if s.pool is not None:
            item["pool"] = s.pool
        steps.append(item)
    doc["steps"] = steps
    gateways: list[dict[str, Any]] = []
    for g in process.gateways:
        gw: dict[str, Any] = {"id": g.id, "kind": g.kind.value}
        if g.label:
            gw["label"] = g.label
        if g.lane is not None:
            gw["lane"] = g.lane
        if g.parent is not None:
            gw["parent"] = g.parent
        if g.pool is not None:
            gw["pool"] = g.pool
        gateways.append(gw)
    if gateways:
        doc["gateways"] = gateways
    flows: list[Any] = []
    for f in process.flows:
        if (
            f.condition is None
            and f.id is None
            and not f.metrics
            and not f.is_message
            and _simple_end(f.source)
            and _simple_end(f.target)
        ):
            flows.append(f"{f.source} {_ARROW} {f.target}")
            continue
        obj: dict[str, Any] = {"from": f.source, "to": f.target}
        if f.condition is not None:
            obj["condition"] = f.condition
        if f.id is not None:
            obj["id"] = f.id
        if f.metrics:
            obj["metrics"] = _Inline(
                {
                    k: _number(v, f"metric {k!r} of flow {f.source!r} -> {f.target!r}")
                    for k, v in f.metrics.items()
                }
            )
        if f.is_message:
            obj["kind"] = f.kind.value
        flows.append(obj)
    doc["flows"] = flows
    return doc


def write_native(process: Process, *, format: Literal["yaml", "json"] = "yaml") -> bytes:
    """Write a process in the native format (UTF-8, keys in a fixed order).

    Flows without condition, id or metrics are written as ``"a -> b"``;
    default values (kind ``task``, empty label) are left out. Reading the
    output with :func:`read_native` gives an equal process.

    Parameters
    ----------
    process
        The process to write.
    format
        ``"yaml"`` (default) or ``"json"``.

    Raises
    ------
    ModelError
        A metric or handling time is not a finite number.

    Examples
    --------
    >>> p = Process("p", "Eksempel")
    >>> p.add_step(Step("s", "Søknad mottatt", StepKind.START_EVENT))
    >>> p.add_step(Step("v", "Vurdere søknaden", handling_days=3.0))
    >>> p.add_flow(Flow("s", "v"))
    >>> print(write_native(p).decode())
    id: p
    name: Eksempel
    steps:
      - id: s
        label: Søknad mottatt
        kind: start_event
      - id: v
        label: Vurdere søknaden
        handling_days: 3
    flows:
      - s -> v
    <BLANKLINE>
    >>> read_native(write_native(p, format="json")) == p
    True
    """
    doc = _to_document(process)
    if format == "json":
        return (json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode("utf-8")
    if format != "yaml":
        raise ValueError(f"format must be 'yaml' or 'json', not {format!r}")
    text = yaml.dump(
        doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096
    )
    return text.encode("utf-8")
