"""Municipalities (kommuner): the reference list, successions after mergers and splits, pages."""
