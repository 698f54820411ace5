"""The proposal page reads a stored result, asks a job for it when it is missing, and says when it failed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from registry import tasks
from registry.audit.models import AuditEvent
from registry.cooperations.models import Cooperation
from registry.extensions import db
from registry.harmonisation import services
from registry.harmonisation.models import JustifiedDeviation, StoredProposal
from registry.harmonisation.services import (
    ProposalSettings,
    harmonisation_inputs,
    member_weights,
    proposal_job_failed,
    proposal_key,
)
from registry.municipalities.models import Municipality
from registry.process_types.models import ProcessType
from registry.variants.models import ProcessVersion, Variant
from tests.registry.conftest import make_app
from tests.registry.divergence.world import (
    build_map_world,
    chain_bytes,
    client_as,
    save,
)
from tests.registry.test_tasks import redis_url  # noqa: F401 - the fixture

PROPOSAL = "/samarbeid/digi-trondelag/forslag/byggesak"
DRAFT = PROPOSAL + "/utkast"


def _count_engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count calls of the engine's propose_standard (and empty the per-worker cache, which would hide them)."""
    calls: list[int] = []
    real = services.propose_standard

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "propose_standard", counting)
    services._CACHE.clear()
    return calls


def _key(settings: ProposalSettings | None = None) -> str:
    settings = settings or ProposalSettings()
    coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
    process_type = db.session.scalar(select(ProcessType).where(ProcessType.slug == "byggesak"))
    assert coop is not None and process_type is not None
    inputs = harmonisation_inputs(coop, process_type)
    return proposal_key(inputs, settings, member_weights(inputs, settings.weighting))


def test_the_stored_proposal_is_shown_without_computing_it_again(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_engine_calls(monkeypatch)
    client = client_as(app, "coordinator")
    first = client.get(PROPOSAL).get_data(as_text=True)
    assert "3 of 4" in first and len(calls) == 1
    services._CACHE.clear()  # another worker: only the database knows the proposal
    second = client_as(app, "coordinator", lang="nb").get(PROPOSAL).get_data(as_text=True)
    assert "3 av 4" in second and "Med forslaget må de 4 kommunene gjøre" in second
    assert len(calls) == 1
    with app.app_context():
        rows = list(db.session.scalars(select(StoredProposal)))
        assert len(rows) == 1 and rows[0].status == "done"
        view = json.loads(rows[0].view)
        assert set(view["texts"]) == {"nb", "en"} and "<svg" in view["texts"]["nb"]["svg"]
        # Each drawing is titled in its own language, whoever asked first.
        assert "Forslag til felles standard" in view["texts"]["nb"]["svg"]
        assert "Proposed common standard" in view["texts"]["en"]["svg"]


def test_other_settings_are_another_stored_proposal(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    client.get(PROPOSAL)
    html = client.get(PROPOSAL + "?oppslutning=90").get_data(as_text=True)
    assert "Befaring" in html.split("Steps left out", 1)[1]
    with app.app_context():
        assert db.session.query(StoredProposal).count() == 2


def test_the_key_changes_when_a_member_saves_a_new_version(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        before = _key()
        melhus = db.session.scalar(
            select(Variant).join(Municipality).where(Municipality.number == "5028")
        )
        assert melhus is not None
        save(melhus, chain_bytes(("Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden",
                                  "Fatte vedtak", "Arkivere")))
        db.session.commit()
        after = _key()
    assert after != before
    html = client_as(app, "coordinator").get(PROPOSAL).get_data(as_text=True)
    assert "4 of 4" in html.split("Befaring", 1)[1][:400]


def test_a_new_version_replaces_the_stored_proposal(app: Flask, world: dict[str, Any]) -> None:
    client = client_as(app, "coordinator")
    assert "3 of 4" in client.get(PROPOSAL).get_data(as_text=True).split("Befaring", 1)[1][:400]
    with app.app_context():
        old = db.session.scalar(select(StoredProposal))
        assert old is not None
        old_id = old.id
        melhus = db.session.scalar(select(Variant).join(Municipality).where(Municipality.number == "5028"))
        assert melhus is not None
        save(melhus, chain_bytes(("Motta søknad", "Registrere søknaden", "Befaring", "Vurdere søknaden",
                                  "Fatte vedtak", "Arkivere")))
        db.session.commit()
    assert "4 of 4" in client.get(PROPOSAL).get_data(as_text=True).split("Befaring", 1)[1][:400]
    with app.app_context():  # the result for the old inputs is gone: one row per settings
        rows = list(db.session.scalars(select(StoredProposal)))
        assert [row.inputs_key for row in rows] == [_key()] and rows[0].id != old_id


def test_the_key_changes_with_settings_and_justified_deviations(app: Flask, world: dict[str, Any]) -> None:
    with app.app_context():
        plain = _key()
        assert _key(ProposalSettings(min_support=0.75)) != plain
        assert _key(ProposalSettings(count_justified=True)) != plain
        melhus = db.session.scalar(select(Variant).join(Municipality).where(Municipality.number == "5028"))
        coop = db.session.scalar(select(Cooperation).where(Cooperation.slug == "digi-trondelag"))
        assert melhus is not None and coop is not None
        db.session.add(JustifiedDeviation(variant_id=melhus.id, cooperation_id=coop.id, standard_step_id="s2",
                                          standard_step_label="Befaring", category="organisation",
                                          reason="Vi er for små."))
        db.session.flush()
        assert _key() != plain


def test_an_engine_failure_is_shown(app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the consensus would not settle")

    monkeypatch.setattr(services, "propose_standard", broken)
    services._CACHE.clear()
    response = client_as(app, "coordinator").get(PROPOSAL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The proposal could not be computed." in html and "the consensus would not settle" in html
    assert "Make it a draft of the standard" not in html and "Steps left out" not in html


def test_a_draft_saves_the_stored_proposal_and_says_so(
    app: Flask, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_as(app, "coordinator")
    client.get(PROPOSAL + "?oppslutning=90")
    calls = _count_engine_calls(monkeypatch)
    response = client.post(DRAFT, data={"oppslutning": "90"})
    assert response.status_code == 302
    assert calls == []  # saved from the stored proposal, not computed again
    with app.app_context():
        row = db.session.scalar(select(StoredProposal))
        assert row is not None
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.number == 2,
                                                                 ProcessVersion.standard_id.is_not(None)))
        assert version is not None and version.content == json.loads(row.view)["content"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.note == "proposal"))
        assert event is not None
        provenance = event.changes["provenance"]["new"]
        assert provenance["stored_proposal"] == row.id and provenance["inputs_key"] == row.inputs_key


class FakeQueue:
    """Stands in for RQ: keeps what is enqueued, runs nothing."""

    def __init__(self) -> None:
        self.jobs: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def enqueue(self, *args: Any, **kwargs: Any) -> None:
        self.jobs.append((args, kwargs))

    def proposal_jobs(self) -> list[tuple[Any, ...]]:
        return [args for args, _kw in self.jobs if args[1] == tasks.function_path(services.compute_proposal)]


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Flask, FakeQueue]]:
    """An app in queue mode whose queue is a :class:`FakeQueue` (every job counts as still queued)."""
    queue = FakeQueue()
    monkeypatch.setattr(tasks, "get_queue", lambda url=None: queue)
    monkeypatch.setattr(tasks, "job_state", lambda job_id: "queued")
    app = make_app(TASK_QUEUE_URL="redis://queue.invalid:6379/0")
    with app.app_context():
        build_map_world()
        db.session.commit()
    yield app, queue
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_with_a_queue_the_page_says_it_is_being_computed_until_the_job_has_run(
    queued: tuple[Flask, FakeQueue],
) -> None:
    app, queue = queued
    client = client_as(app, "coordinator")
    html = client.get(PROPOSAL).get_data(as_text=True)
    assert "The proposal is being computed…" in html and "Reload the page in a little while." in html
    assert "3 of 4" not in html
    jobs = queue.proposal_jobs()
    assert len(jobs) == 1
    assert "Forslaget beregnes…" in client_as(app, "coordinator", lang="nb").get(PROPOSAL).get_data(as_text=True)
    assert len(queue.proposal_jobs()) == 1  # asked for once
    with app.app_context():
        tasks.run_job(*jobs[0][1:])
    html = client.get(PROPOSAL).get_data(as_text=True)
    assert "being computed" not in html and "3 of 4" in html and "<svg" in html


def test_with_a_queue_a_failed_job_is_shown(queued: tuple[Flask, FakeQueue]) -> None:
    app, _queue = queued
    client = client_as(app, "coordinator")
    client.get(PROPOSAL)
    with app.app_context():
        row = db.session.scalar(select(StoredProposal))
        assert row is not None and row.status == "pending" and row.job_id
        proposal_job_failed(row.id, "abandoned")
        db.session.commit()
    html = client.get(PROPOSAL).get_data(as_text=True)
    assert "The proposal could not be computed." in html
    assert "The background job stopped before it finished" in html
    assert "being computed" not in html


def test_a_worker_on_redis_computes_the_proposal(redis_url: str) -> None:  # noqa: F811
    from rq import SimpleWorker

    app = make_app(TASK_QUEUE_URL=redis_url)
    with app.app_context():
        build_map_world()
        db.session.commit()
    client = client_as(app, "coordinator")
    assert "The proposal is being computed…" in client.get(PROPOSAL).get_data(as_text=True)
    queue = tasks.get_queue(redis_url)
    with app.app_context():
        assert SimpleWorker([queue], connection=queue.connection).work(burst=True)
    html = client.get(PROPOSAL).get_data(as_text=True)
    assert "being computed" not in html and "3 of 4" in html and "<svg" in html
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
