"""Harmonisation: proposed common standards and members' change plans."""
