from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-27T12:00:00Z"

# No test reads the clock: every `rota` command (in this process or a subprocess) and
# every MkDocs build takes its present from ROTA_NOW unless given --now. The suite
# also runs with the machine's clock a year ahead (`make test-later`) to prove it.
os.environ["ROTA_NOW"] = NOW

# the memo of loading and planning (generator/memo.py) is on in the tests, as for
# users, but in a folder of this test process, never the user's cache
_CACHE = tempfile.mkdtemp(prefix="rota-test-cache-")
os.environ["ROTA_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files from the current output (review the diff!)",
    )


def write_org(root: Path, text: str) -> Path:
    """An organisation written as one file, rotations/org.yaml, under ``root``."""
    (root / "rotations").mkdir(exist_ok=True)
    (root / "rotations" / "org.yaml").write_text(text)
    return root


def copy_sample(dest: Path) -> Path:
    """The sample organisation copied to ``dest``, as a clone has it."""
    for name in ("rotations", "runbooks", "postmortems"):
        # not the feed state a local `rota build` of the sample left (it is not
        # committed): every test starts from the sample as a clone has it
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("*.state.json"))
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


@pytest.fixture
def sample_org(tmp_path: Path) -> Path:
    """A private copy of the sample organisation."""
    return copy_sample(tmp_path / "org")


@pytest.fixture(scope="session")
def shared_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the sample organisation for every test of this process that only
    reads it: after the first, its loading and planning come from the memo (which is
    keyed by the organisation's path). Never change it: ``sample_org`` is a copy to change."""
    return copy_sample(tmp_path_factory.mktemp("shared-sample") / "org")


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample organisation after ``rota build --now NOW``: its site in ``site/``,
    its feed state beside its rotations. Built once per test process and shared by
    every test that reads it: never change it (``built_sample_org`` is a copy to change)."""
    from click.testing import CliRunner

    from generator.cli import cli

    root = copy_sample(tmp_path_factory.mktemp("built-sample") / "org")
    result = CliRunner().invoke(cli, ["--root", str(root), "build", "--now", NOW])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def built_sample_org(built_sample: Path, tmp_path: Path) -> Path:
    """A private copy of the sample organisation as ``rota build --now NOW`` left it."""
    dest = tmp_path / "org"
    shutil.copytree(built_sample, dest)
    return dest
