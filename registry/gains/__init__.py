"""Gains (gevinstrealisering) and digital maturity in the registry: stored inputs, estimates shown, exports."""
