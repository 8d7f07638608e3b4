"""Where Rota's own site templates are: the package data ``generator.site_templates``
(the repository's ``site_templates/`` folder, shipped in the wheel). Rendering reads
the page templates from it, publishing the MkDocs defaults and theme overrides."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def templates_folder() -> Path:
    """The packaged ``site_templates`` folder (pages, ``overrides/``, ``mkdocs.default.yml``)."""
    return Path(str(files("generator.site_templates")))
