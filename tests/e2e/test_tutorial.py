"""The tutorial (guide/docs/tutorial.md), run as written.

The test reads the tutorial's fenced blocks in order: a block with a ``title`` is a file
the reader writes (the test writes it, with exactly the block's text), and every ``sh``
block is run, line by line as the page shows it, in one bash session inside a fresh
temporary folder, with ``ROTA_NOW`` fixed to 2026-11-27T12:00:00Z and git's author set.

Two narrow, explicit exceptions, both checked to apply to exactly the lines they name:

- Installing: instead of creating ``rota-env`` and pip-installing Rota into it (which
  would need the package index and a minute or two), ``rota-env`` is a link to this test's own
  virtualenv, which holds the current checkout installed in editable mode. The page's
  ``source rota-env/bin/activate`` then runs as written, with that virtualenv taken off
  ``PATH`` first, so ``rota`` is found only through the activation.
- ``rota serve`` runs until stopped: the test starts it in the background on a free
  port (``--dev-addr``), waits until its address answers with the home page, and stops it.

Then the test checks what the reader was told they would have: every output the page
shows (its ``text`` blocks) among what the commands printed, a site with the team and
its feeds, Tom kept off call during his leave, and a commit holding the lock file and
the feed memory.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import generator
from tests.conftest import NOW, REPO

TUTORIAL = REPO / "guide" / "docs" / "tutorial.md"
FENCE = re.compile(
    r"^(?P<fence>`{3,})(?P<lang>[\w-]*)(?P<attrs>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.M | re.S,
)
TITLE = re.compile(r'title="([^"]+)"')

INSTALL = ["python3 -m venv rota-env", "rota-env/bin/pip install /path/to/rota"]
SERVE = "rota serve"


def blocks(text: str) -> list[tuple[str, str | None, str]]:
    """The page's fenced blocks in order: (language, title or None, body)."""
    out = []
    for m in FENCE.finditer(text):
        title = TITLE.search(m["attrs"])
        out.append((m["lang"], title[1] if title else None, m["body"]))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tutorial_script(text: str, venv: Path, port: int) -> str:
    """The tutorial as one bash script: files written from the titled blocks, commands run."""
    lines = [
        "set -euo pipefail",
        # `rota serve` in the background, checked to answer at its address, then stopped
        "serve_and_check() {",
        '  "$@" & local pid=$!',
        "  for _ in $(seq 1 600); do",
        f"    if python3 -c 'import urllib.request as u; "
        f'print(u.urlopen("http://127.0.0.1:{port}/", timeout=2).read().decode())\''
        " > served.html 2>/dev/null; then break; fi",
        '    kill -0 "$pid" || { echo "rota serve exited" >&2; return 1; }',
        "    sleep 0.2",
        "  done",
        '  kill "$pid"; wait "$pid" || true',
        "  grep -q 'Platform' served.html && mv served.html ../served.html",
        "}",
    ]
    seen_install: list[str] = []
    serves = 0
    for lang, title, body in blocks(text):
        if title is not None:
            lines.append(f'mkdir -p "$(dirname {title})"')
            lines.append(f"cat > {title} <<'ROTA_TUTORIAL_EOF'\n{body}ROTA_TUTORIAL_EOF")
        elif lang == "sh":
            for line in body.splitlines():
                if line == INSTALL[0]:
                    seen_install.append(line)
                    lines.append(f"ln -s {venv} rota-env")
                elif line == INSTALL[1]:
                    seen_install.append(line)
                    lines.append("test -x rota-env/bin/rota")
                elif line == SERVE:
                    serves += 1
                    lines.append(f"serve_and_check rota serve --dev-addr 127.0.0.1:{port}")
                else:
                    lines.append(line)
    assert seen_install == INSTALL, "the tutorial's install step changed: update this test"
    assert serves == 1, "the tutorial's `rota serve` step changed: update this test"
    return "\n".join(lines) + "\n"


def test_tutorial_runs_as_written(tmp_path: Path) -> None:
    venv = Path(sys.prefix)
    assert (venv / "bin" / "activate").is_file(), "run the tests from Rota's virtualenv"
    # that virtualenv runs this checkout's Rota (an editable install), as the page's
    # `pip install /path/to/rota` would install it
    assert Path(generator.__file__).resolve().parent == REPO / "generator"
    text = TUTORIAL.read_text(encoding="utf-8")
    script = tutorial_script(text, venv, _free_port())
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p) != venv / "bin"]
    env = {
        **os.environ,
        "PATH": os.pathsep.join(path),
        "ROTA_NOW": NOW,
        "HOME": str(tmp_path),
        "GIT_AUTHOR_NAME": "Ada Lovell",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada Lovell",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    work = tmp_path / "work"
    work.mkdir()
    run = subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"

    # the output the page shows is the output the reader gets
    printed = "\n".join(line.rstrip() for line in run.stdout.splitlines())
    shown = [body for lang, title, body in blocks(text) if lang == "text" and title is None]
    assert shown, "the tutorial shows no output to check"
    for body in shown:
        assert body.rstrip("\n") in printed
    org = work / "oncall"

    # the site, served and on disk, with the team and everyone's feeds
    assert "Platform" in (work / "served.html").read_text(encoding="utf-8")
    assert (org / "site" / "teams" / "platform" / "index.html").is_file()
    assert (org / "site" / "runbooks" / "alerts" / "gatewayhigh5xx" / "index.html").is_file()
    feeds = {p.name for p in (org / "site" / "ical").glob("*.ics")}
    people = ["mia", "noah", "ada", "tom", "rosa", "sam"]
    assert feeds == {f"{p}.ics" for p in people} | {"team-platform.ics"}

    # Tom is off call during his winter break; Ada holds Europe's weeks then
    shifts = json.loads(
        subprocess.run(
            [
                str(venv / "bin" / "rota"),
                "schedule",
                "--team",
                "platform",
                "--from",
                "2026-12-21T00:00:00Z",
                "--to",
                "2027-01-02T00:00:00Z",
                "--format",
                "json",
            ],
            cwd=org,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["shifts"]
    europe = [s for s in shifts if s["rotation"] == "emea"]
    assert europe and {s["person"] for s in europe} == {"ada"}

    # one commit, holding the lock file and the feed memory
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=org, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "rotations/assignments.lock.yaml" in tracked
    assert "rotations/feeds.state.json" in tracked
    assert not [p for p in tracked if p.startswith("site/")]
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=org, env=env, capture_output=True, text=True, check=True
    ).stdout
    assert log == "Platform on-call: follow-the-sun in Sydney, London and New York\n"
