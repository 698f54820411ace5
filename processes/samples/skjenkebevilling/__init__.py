"""Sample data for the skjenkebevilling case type: YAML files only (see :mod:`processes.samples`).

A package only so that packaging tools ship the folder as package data.
"""

__all__: list[str] = []
