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


@pytest.fixture
def sample_org(tmp_path: Path) -> Path:
    """A private copy of the sample organisation."""
    dest = tmp_path / "org"
    for name in ("rotations", "runbooks", "postmortems"):
        # not the feed state a local `rota build` of the sample left (it is not
        # committed): every test starts from the sample as a clone has it
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("*.state.json"))
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest
