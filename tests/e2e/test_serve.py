"""`rota serve` as a user runs it: it says where it serves, answers there, and stops
cleanly on Ctrl+C (SIGINT) or SIGTERM, leaving no temporary folder behind."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import NOW, REPO

FIRST_BUILD = 240  # seconds: the first build is about as long as `rota build`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lines_of(stream: IO[str]) -> tuple[queue.Queue[str], threading.Thread]:
    """The lines a process prints, as they come (read by a thread: a read never hangs
    the test past its timeout), and the thread, which ends when the process does."""
    got: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            got.put(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return got, reader


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_prints_its_address_and_leaves_no_temporary_folder_when_stopped(
    tmp_path: Path, stop: signal.Signals
) -> None:
    root = tmp_path / "org"
    for name in ("rotations", "runbooks", "postmortems"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.state.json"))
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    temp = tmp_path / "tmp"  # the server's TMPDIR: whatever it leaves there is a leftover
    temp.mkdir()
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "--root",
            str(root),
            "serve",
            "--now",
            NOW,
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert proc.stdout is not None
    printed, reader = lines_of(proc.stdout)
    try:
        assert printed.get(timeout=60) == "Building the preview..."
        address = f"http://127.0.0.1:{port}/"
        assert printed.get(timeout=FIRST_BUILD) == f"Serving on {address} (press Ctrl+C to stop)"
        assert any(p.name.startswith("rota-serve-") for p in temp.iterdir())  # while serving
        with urllib.request.urlopen(address, timeout=60) as response:
            home = response.read().decode()
        assert "Northwind Payments on call" in home and "data-rota-live" in home
        proc.send_signal(stop)
        assert proc.wait(timeout=60) == 0
        assert sorted(p.name for p in temp.iterdir()) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        reader.join(timeout=30)
        proc.stdout.close()
