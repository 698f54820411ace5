"""Stored comparisons of process versions and the owners' decisions about step correspondences."""
