"""Jinja2 templates of every generated page, and Material overrides (package data)."""
