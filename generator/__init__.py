"""Rota: on-call rotations, escalation and runbooks as code."""

__version__ = "0.1.0"
