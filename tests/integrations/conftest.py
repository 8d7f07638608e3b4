"""Fixtures for the sync tests: a copy of the test organisation and the fake tools."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integrations.fake_tools import FakeTools, serve

HERE = Path(__file__).parent


@pytest.fixture
def org(tmp_path: Path) -> Path:
    shutil.copytree(HERE / "org", tmp_path / "org")
    return tmp_path / "org"


@pytest.fixture
def tools() -> Iterator[FakeTools]:
    with serve() as fake:
        yield fake
        assert fake.violations == []  # every body Rota sent matched the documented schema
