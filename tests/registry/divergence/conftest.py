"""Fixtures: the small DigiTrøndelag world of world.py."""

from tests.registry.divergence.world import world  # noqa: F401
