"""Illustrative Norwegian casework processes bundled with the engine.

For each casework type there is a **standard** (the process a cooperation
of municipalities has agreed on) and eight or more **municipal variants**
named after Trøndelag municipalities (2024 names and numbers). They were
written for this project to exercise the comparison engine and to make the
registry's demo rich: the variants have the differences real municipalities
have (missing and extra steps, another order, parallel instead of
sequential, optional instead of mandatory, other wording including nynorsk,
a step split in two or two merged, other lanes, systems, legal bases and
deadlines).

**They are illustrative, not the municipalities' actual processes.** Every
file says so in its documentation and carries ``illustrative: "true"`` in its
metadata.

The files are native YAML (:mod:`processes.formats.native`) under
``processes/samples/<case type>/``: ``standard.yaml``,
``<kommunenummer>-<name>.yaml`` per variant, and ``about.yaml`` with the case
type's names and legal basis and, per variant, the differences that were
introduced and the true correspondence between its steps and the standard's
(a rough ground truth for tests).

Examples
--------
>>> [c.slug for c in case_types()]
['byggesak', 'startlan', 'skjenkebevilling', 'innsyn']
>>> std = standard("byggesak")
>>> std.name
'Søknad om tillatelse i ett trinn'
>>> sorted(variants("byggesak"))[:3]
['5001', '5006', '5007']
>>> load_sample("byggesak", "5028").metadata["municipality_name"]
'Melhus'
>>> [c.kind for c in truth("byggesak", "5031")][:2]
['identical', 'renamed']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from processes.formats.native import read_native
from processes.generate import Correspondence
from processes.model import Process

__all__ = [
    "MUNICIPALITIES",
    "CaseType",
    "SampleDifference",
    "case_type",
    "case_types",
    "differences",
    "load_sample",
    "sample_bytes",
    "standard",
    "truth",
    "variants",
]

# The order in which case types are listed (the folders hold the data).
_CASE_ORDER = ("byggesak", "startlan", "skjenkebevilling", "innsyn")

#: The Trøndelag municipalities (2024 kommunenummer → name) the samples use.
MUNICIPALITIES: dict[str, str] = {
    "5001": "Trondheim - Tråante",
    "5006": "Steinkjer",
    "5007": "Namsos",
    "5014": "Frøya",
    "5021": "Oppdal",
    "5022": "Rennebu",
    "5025": "Røros - Rosse",
    "5027": "Midtre Gauldal",
    "5028": "Melhus",
    "5029": "Skaun",
    "5031": "Malvik",
    "5032": "Selbu",
    "5034": "Meråker",
    "5035": "Stjørdal",
    "5036": "Frosta",
    "5037": "Levanger",
    "5038": "Verdal",
    "5053": "Inderøy",
    "5054": "Indre Fosen",
    "5055": "Heim",
    "5056": "Hitra",
    "5057": "Ørland",
    "5058": "Åfjord",
    "5059": "Orkland",
    "5060": "Nærøysund",
    "5061": "Rindal",
}


@dataclass(frozen=True)
class CaseType:
    """A casework type with its names, legal basis and sample municipalities."""

    slug: str
    name_nb: str
    name_en: str
    legal_basis: str
    k_kode: str | None
    description_nb: str
    description_en: str
    municipalities: tuple[str, ...]


@dataclass(frozen=True)
class SampleDifference:
    """A difference deliberately written into a variant (see ``about.yaml``).

    ``kind`` is one of ``missing``, ``extra``, ``renamed``, ``split``,
    ``merged``, ``order``, ``parallel``, ``sequential``, ``optional``,
    ``mandatory``, ``lane``, ``mode``, ``system``, ``legal_basis``,
    ``deadline``; ``standard`` and ``variant`` are the step ids involved and
    ``note`` says it in Norwegian.
    """

    kind: str
    standard: tuple[str, ...]
    variant: tuple[str, ...]
    note: str

    @property
    def engine_kind(self) -> str | None:
        """The kind of difference the comparison engine reports for this one.

        The names of :class:`processes.diff.DifferenceKind` (e.g.
        ``"order_changed"``); ``None`` for a process-wide difference that names
        no step (a renamed lane, another saksbehandlingsfrist in the metadata).

        Examples
        --------
        >>> differences("byggesak", "5031")[0].engine_kind
        'renamed_step'
        """
        if not self.standard and not self.variant:
            return None
        return _ENGINE_KINDS[self.kind]


# The sample's finer kinds -> the comparison engine's kinds (processes.diff).
_ENGINE_KINDS = {
    "missing": "missing_step",
    "extra": "extra_step",
    "renamed": "renamed_step",
    "split": "split_step",
    "merged": "merged_steps",
    "order": "order_changed",
    "parallel": "parallel_vs_sequential",
    "sequential": "parallel_vs_sequential",
    "optional": "optional_vs_mandatory",
    "mandatory": "optional_vs_mandatory",
    "lane": "lane_changed",
    "mode": "mode_changed",
    "system": "system_changed",
    "legal_basis": "legal_basis_changed",
    "deadline": "handling_days_changed",
}


def _folder(slug: str) -> Traversable:
    return files(__name__).joinpath(slug)


@functools.cache
def _about(slug: str) -> dict[str, Any]:
    if slug not in _CASE_ORDER:
        raise KeyError(f"unknown case type {slug!r}; the samples have: {', '.join(_CASE_ORDER)}")
    data = yaml.safe_load(_folder(slug).joinpath("about.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _slug(case: str | CaseType) -> str:
    slug = case.slug if isinstance(case, CaseType) else case
    _about(slug)  # raises KeyError for an unknown case type
    return slug


def case_types() -> list[CaseType]:
    """Return the casework types that have samples, in a fixed order.

    Examples
    --------
    >>> [c.name_nb for c in case_types()][:2]
    ['Byggesak – søknad om tillatelse i ett trinn', 'Startlån']
    """
    return [case_type(slug) for slug in _CASE_ORDER]


def case_type(slug: str) -> CaseType:
    """Return one casework type by its slug (e.g. ``"byggesak"``); KeyError if unknown.

    Examples
    --------
    >>> case_type("skjenkebevilling").legal_basis
    'alkoholl. §§ 1-7, 1-7a, 1-7b, 1-7c, 7-1'
    >>> case_type("innsyn").municipalities[:3]
    ('5001', '5031', '5034')
    """
    about = _about(slug)
    return CaseType(
        slug=slug,
        name_nb=about["name_nb"],
        name_en=about["name_en"],
        legal_basis=about["legal_basis"],
        k_kode=about.get("k_kode"),
        description_nb=about["description_nb"],
        description_en=about["description_en"],
        municipalities=tuple(sorted(about["variants"])),
    )


def _file_name(slug: str, name: str) -> str:
    about = _about(slug)
    if name in ("standard", "standard.yaml"):
        return str(about["standard"])
    info = about["variants"].get(name)
    if info is not None:
        return str(info["file"])
    for info in about["variants"].values():
        if name in (info["file"], info["file"].removesuffix(".yaml")):
            return str(info["file"])
    known = ", ".join(["standard", *sorted(about["variants"])])
    raise KeyError(f"no sample {name!r} for case type {slug!r}; choose one of: {known}")


def sample_bytes(case: str | CaseType, name: str = "standard") -> bytes:
    """Return the YAML file of a sample as bytes (e.g. to store it as an upload).

    ``name`` is ``"standard"``, a kommunenummer (``"5028"``) or a file name
    (``"5028-melhus"`` or ``"5028-melhus.yaml"``).

    Examples
    --------
    >>> sample_bytes("innsyn").splitlines()[0].decode()
    '# Samarbeidets omforente prosess for innsyn i offentlige dokumenter.'
    """
    slug = _slug(case)
    return _folder(slug).joinpath(_file_name(slug, name)).read_bytes()


def load_sample(case: str | CaseType, name: str = "standard") -> Process:
    """Read one sample as a :class:`~processes.model.Process` (a fresh object each call).

    Parameters
    ----------
    case
        Case type slug or :class:`CaseType`.
    name
        ``"standard"``, a kommunenummer, or the file name with or without ``.yaml``.

    Raises
    ------
    KeyError
        For an unknown case type or sample, listing the ones that exist.

    Examples
    --------
    >>> load_sample("startlan", "5022-rennebu").metadata["language"]
    'nn'
    """
    slug = _slug(case)
    file_name = _file_name(slug, name)
    return read_native(sample_bytes(slug, name), source=f"processes/samples/{slug}/{file_name}")


def standard(case: str | CaseType) -> Process:
    """Return the cooperation's standard for a case type.

    Examples
    --------
    >>> len(standard("startlan").steps)
    22
    """
    return load_sample(case, "standard")


def variants(case: str | CaseType) -> dict[str, Process]:
    """Return every municipal variant of a case type, keyed by kommunenummer (sorted).

    Examples
    --------
    >>> {code: p.metadata["municipality_name"] for code, p in variants("innsyn").items()}["5060"]
    'Nærøysund'
    """
    slug = _slug(case)
    return {code: load_sample(slug, code) for code in sorted(_about(slug)["variants"])}


def truth(case: str | CaseType, municipality: str) -> tuple[Correspondence, ...]:
    """Return the true correspondence between the standard's steps and a variant's.

    Each :class:`~processes.generate.Correspondence` pairs step ids of the
    standard with step ids of the variant (``identical``, ``renamed``,
    ``split`` or ``merged``); standard steps the variant lacks appear in none,
    and the variant's extra steps appear in none.

    Examples
    --------
    >>> [c for c in truth("byggesak", "5037") if c.kind == "split"]
    [Correspondence(standard=('vurdere',), variant=('vurdere_plan', 'vurdere_tek'), kind='split')]
    """
    info = _variant_info(case, municipality)
    return tuple(
        Correspondence(tuple(c["standard"]), tuple(c["variant"]), str(c["kind"])) for c in info["correspondence"]
    )


def differences(case: str | CaseType, municipality: str) -> tuple[SampleDifference, ...]:
    """Return the differences deliberately written into a variant, in the order they were made.

    Examples
    --------
    >>> [(d.kind, d.standard) for d in differences("skjenkebevilling", "5038")]
    [('missing', ('kopi',)), ('deadline', ('formannskap',))]
    """
    info = _variant_info(case, municipality)
    return tuple(
        SampleDifference(str(d["kind"]), tuple(d["standard"]), tuple(d["variant"]), str(d["note"]))
        for d in info["differences"]
    )


def _variant_info(case: str | CaseType, municipality: str) -> dict[str, Any]:
    slug = _slug(case)
    info = _about(slug)["variants"].get(municipality)
    if info is None:
        known = ", ".join(sorted(_about(slug)["variants"]))
        raise KeyError(f"no variant for municipality {municipality!r} in {slug!r}; choose one of: {known}")
    assert isinstance(info, dict)
    return info
