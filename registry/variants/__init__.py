"""Municipalities' processes (variants): upload with preview, immutable versions, history, editor."""
