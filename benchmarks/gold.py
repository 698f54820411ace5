"""Gold step alignments in the Alignment API RDF/XML format.

The Process Model Matching Contest and the BPIC 2015 matching data store a
gold alignment as ``<Cell>`` elements, each with ``entity1`` and ``entity2``
resources of the form ``http://<model>#<element-id>``, a ``relation``
(``=`` for equivalence) and a ``measure``. The element ids are the ids of
the transitions in the PNML files of the two models, which
:func:`processes.formats.pnml.read_pnml` keeps as step ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from processes.exceptions import FormatError
from processes.formats._xml import local_name, parse_xml

__all__ = ["GoldAlignment", "GoldCell", "read_gold", "split_resource"]

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


@dataclass(frozen=True)
class GoldCell:
    """One correspondence of a gold alignment."""

    model1: str
    id1: str
    model2: str
    id2: str
    relation: str
    measure: float


@dataclass(frozen=True)
class GoldAlignment:
    """All cells of one gold file, with the two model names."""

    model1: str
    model2: str
    cells: tuple[GoldCell, ...]

    def pairs(self, relation: str = "=") -> frozenset[tuple[str, str]]:
        """(id in model 1, id in model 2) of every cell with this relation."""
        return frozenset((c.id1, c.id2) for c in self.cells if c.relation == relation)


def split_resource(uri: str) -> tuple[str, str]:
    """Split ``http://<model>#<id>`` into (model, id).

    >>> split_resource("http://BPIC15_1_01_BB#01_BB_635+complete")
    ('BPIC15_1_01_BB', '01_BB_635+complete')
    """
    if "#" not in uri:
        raise ValueError(f"not a model#element resource: {uri!r}")
    model, element = uri.split("#", 1)
    for prefix in ("http://", "https://"):
        model = model.removeprefix(prefix)
    return model.rstrip("/"), element


def read_gold(path: Path) -> GoldAlignment:
    """Read one Alignment API RDF/XML file.

    The model names come from the cells; when the file has no cells they
    come from the file name ``<model1>-<model2>.rdf``.
    """
    source = str(path)
    root = parse_xml(path.read_bytes(), source=source)
    cells: list[GoldCell] = []
    for cell in root.iter():
        if local_name(cell.tag) != "Cell":
            continue
        parts: dict[str, str] = {}
        for child in cell:
            name = local_name(child.tag)
            if name in ("entity1", "entity2"):
                parts[name] = (
                    child.get(_RDF + "resource") or child.get("resource") or ""
                )
            elif name in ("relation", "measure"):
                parts[name] = (child.text or "").strip()
        if not parts.get("entity1") or not parts.get("entity2"):
            raise FormatError(
                "a Cell lacks entity1 or entity2", source=source, line=cell.sourceline
            )
        m1, i1 = split_resource(parts["entity1"])
        m2, i2 = split_resource(parts["entity2"])
        cells.append(
            GoldCell(
                m1,
                i1,
                m2,
                i2,
                parts.get("relation", "="),
                float(parts.get("measure") or 1.0),
            )
        )
    stem = path.stem
    if cells:
        model1, model2 = cells[0].model1, cells[0].model2
    elif "-" in stem:
        model1, model2 = stem.split("-", 1)
    else:
        raise FormatError(
            "cannot tell the two models of an empty alignment", source=source
        )
    return GoldAlignment(model1, model2, tuple(cells))
