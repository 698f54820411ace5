"""Element ids as evidence of identity in the alignment."""

from __future__ import annotations

import pytest

from processes.align import ID_EVIDENCE, align, is_distinctive_id
from processes.model import Flow, Process, Step


def chain(steps: list[tuple[str, str]]) -> Process:
    p = Process()
    for n, (sid, label) in enumerate(steps):
        p.add_step(Step(sid, label))
        if n:
            p.add_flow(Flow(steps[n - 1][0], sid))
    return p


@pytest.mark.parametrize("element_id", ["Task_1", "StartEvent_1", "t3", "12", "node_7", "Aktivitet-2"])
def test_numbered_ids_are_not_distinctive(element_id: str) -> None:
    assert not is_distinctive_id(element_id)


@pytest.mark.parametrize("element_id", ["Activity_0x8fk2s", "sid-4F2A9C1E", "01_BB_550+complete", "registrere_soknad"])
def test_generated_and_meaningful_ids_are_distinctive(element_id: str) -> None:
    assert is_distinctive_id(element_id)


A = [("Act_motta9x", "Motta søknad"), ("Act_vurd1q", "Vurdere søknaden"), ("Act_purr7z", "Sende purring"),
     ("Act_vurd2w", "Vurdere søknaden"), ("Act_vedt3k", "Fatte vedtak")]
B = [("Act_motta9x", "Motta søknad"), ("Act_vurd2w", "Vurdere søknaden"), ("Act_purr7z", "Sende purring"),
     ("Act_vurd1q", "Vurdere søknaden"), ("Act_vedt3k", "Fatte vedtak")]


def _score(result: object, pair: tuple[str, str]) -> float:
    (match,) = [m for m in result.matches if (m.a, m.b) == ((pair[0],), (pair[1],))]  # type: ignore[attr-defined]
    return float(match.score)


def test_a_shared_distinctive_id_lifts_a_related_pair_as_documented() -> None:
    a = chain([("Act_s1x9k", "Motta søknad"), ("Act_q7w2e", "Sende svar til søker"), ("Act_v9d3k", "Fatte vedtak")])
    b = chain([("Act_s1x9k", "Motta søknad"), ("Act_q7w2e", "Informere søker"), ("Act_v9d3k", "Fatte vedtak")])
    without = _score(align(a, b, id_evidence=False), ("Act_q7w2e", "Act_q7w2e"))
    lifted = _score(align(a, b), ("Act_q7w2e", "Act_q7w2e"))
    assert without < 1.0
    assert lifted == pytest.approx(without + ID_EVIDENCE * (1.0 - without), abs=1e-6)


def test_generic_ids_do_not_cross_repeated_labels() -> None:
    generic_a = [(f"Task_{n}", label) for n, (_, label) in enumerate(A)]
    generic_b = [(f"Task_{n}", label) for n, (_, label) in enumerate(B)]
    generic_b[1], generic_b[3] = (generic_b[3][0], generic_b[1][1]), (generic_b[1][0], generic_b[3][1])
    with_ids = align(chain(generic_a), chain(generic_b)).pairs()
    assert with_ids == align(chain(generic_a), chain(generic_b), id_evidence=False).pairs()


def test_the_same_id_does_not_pair_unrelated_steps() -> None:
    a = chain([("Act_start1x", "Motta søknad"), ("Act_x9y8z7", "Sende nabovarsel")])
    b = chain([("Act_start1x", "Motta søknad"), ("Act_x9y8z7", "Fakturere gebyr")])
    result = align(a, b)
    assert ("Act_x9y8z7", "Act_x9y8z7") not in result.pairs()
    assert result.missing == ("Act_x9y8z7",) and result.extra == ("Act_x9y8z7",)
