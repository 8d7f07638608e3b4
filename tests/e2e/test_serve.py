"""`rota serve` as a user runs it: it says where it serves, answers there, rebuilds when
an input changes, and stops cleanly on Ctrl+C (SIGINT) or SIGTERM, leaving no temporary
folder behind."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import NOW

FIRST_BUILD = 240  # seconds: the first build is about as long as `rota build`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_serve(root: Path, port: int, **popen: Any) -> subprocess.Popen[str]:
    """``rota serve --now NOW`` of ``root`` on 127.0.0.1:``port``, as a process."""
    return subprocess.Popen(
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
        text=True,
        encoding="utf-8",
        **popen,
    )


def fetch(url: str) -> str:
    # The preview server answers once a rebuild (about as long as `rota build`) is done.
    with urllib.request.urlopen(url, timeout=FIRST_BUILD) as response:
        return str(response.read().decode())


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
    tmp_path: Path, sample_org: Path, stop: signal.Signals
) -> None:
    temp = tmp_path / "tmp"  # the server's TMPDIR: whatever it leaves there is a leftover
    temp.mkdir()
    port = free_port()
    proc = start_serve(
        sample_org,
        port,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert proc.stdout is not None
    printed, reader = lines_of(proc.stdout)
    try:
        assert printed.get(timeout=60) == "Building the preview..."
        address = f"http://127.0.0.1:{port}/"
        assert printed.get(timeout=FIRST_BUILD) == f"Serving on {address} (press Ctrl+C to stop)"
        assert any(p.name.startswith("rota-serve-") for p in temp.iterdir())  # while serving
        home = fetch(address)
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


def test_serve_rebuilds_when_rotations_change(sample_org: Path) -> None:
    root = sample_org
    port = free_port()
    proc = start_serve(
        root,
        port,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # on the real clock even when the tests run with the clock a year ahead (make
        # test-later): libfaketime shifts the monotonic clock but not the waits timed on
        # it, so the watcher's polling would wait for a year. The preview has --now.
        env={k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")},
    )
    try:
        url = f"http://127.0.0.1:{port}/people/marcus-reid/"
        deadline = time.monotonic() + 180
        page = ""
        while time.monotonic() < deadline:
            try:
                page = fetch(url)
                break
            except OSError:
                time.sleep(1)
        assert "Marcus Reid" in page
        people = root / "rotations/people.yaml"
        people.write_text(
            people.read_text().replace("name: Marcus Reid", "name: Marcus Reid-Okoye")
        )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if "Marcus Reid-Okoye" in fetch(url):
                break
            time.sleep(1)
        assert "Marcus Reid-Okoye" in fetch(url)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
