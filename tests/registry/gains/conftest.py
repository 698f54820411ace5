"""Fixtures: the small DigiTrøndelag world of the divergence tests."""

from tests.registry.divergence.world import world  # noqa: F401
