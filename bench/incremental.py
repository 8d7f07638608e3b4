"""Measure an edit's rebuild against a full build, in `rota build` and in `rota serve`.

    python bench/incremental.py [--teams 100] [--people 1000] [--root DIR] [--check]
                                [--no-serve] [--out bench/out]

On the organisation `bench/make_org.py --lock` writes (or ``--root``, an organisation
already written), with the minimal mkdocs.yml of bench/run.py:

1. ``rota build`` from an empty memo into an empty folder (the full build);
2. one runbook gains a paragraph; ``rota build`` into the same folder (the
   incremental build);
3. with ``--check``, a full build of the same inputs with the memo off into another
   folder, compared with the incremental output file by file (byte for byte);
4. unless ``--no-serve``: ``rota serve`` is started, its first build awaited, the same
   runbook edited again, and the rebuild timed until the runbook's page shows the edit
   (CPU time of the server process, from /proc, for the first build and the rebuild).

Each build runs as its own process; CPU time (user + system, with the processes it
waited for) is the steadier measure on a machine shared with other work. Prints a
table and writes bench/out/incremental.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_org import write_lock, write_org  # noqa: E402

NOW = "2026-11-27T12:00:00Z"
BIN = Path(sys.executable).parent
MINIMAL_MKDOCS = (
    "site_name: Example Corp on call\n"
    "site_url: https://oncall.example.com/\n"
    "theme:\n  name: material\n  font: false\n"
)


def run_of(cmd: list[str]) -> tuple[float, float, str]:
    """Wall time, CPU time (user + system of the command and what it waited for) and
    standard error of a command, run in a helper process so the CPU is its own."""
    code = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        f"p = subprocess.run({cmd!r}, capture_output=True, text=True);"
        "e = time.perf_counter() - t;"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps([p.returncode, e, u.ru_utime + u.ru_stime, p.stderr[-4000:]]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, wall, cpu, err = json.loads(out.stdout)
    if rc:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, cpu, err


def site_line(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if line.startswith("site:")), "")


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(url: str, text: str | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                if text is None or text in response.read().decode():
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {url}")


def measure_serve(root: Path, runbook: Path, page: str) -> dict[str, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    cmd = [str(BIN / "rota"), "--root", str(root), "serve", "--now", NOW]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("Serving on"):
                break
        first_wall = time.perf_counter() - start
        first_cpu = proc_cpu(proc.pid)
        url = f"http://127.0.0.1:{port}/{page}"
        wait_for(url, None, 60)
        marker = "Rebuilt by the preview"
        before = proc_cpu(proc.pid)
        start = time.perf_counter()
        runbook.write_text(runbook.read_text() + f"\n{marker}.\n")
        wait_for(url, marker, 1800)
        return {
            "serve_first_build_s": first_wall,
            "serve_first_build_cpu_s": first_cpu,
            "serve_rebuild_s": time.perf_counter() - start,
            "serve_rebuild_cpu_s": proc_cpu(proc.pid) - before,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--teams", type=int, default=100)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--root", type=Path, default=None, help="an organisation already written")
    ap.add_argument("--check", action="store_true", help="compare with a full build")
    ap.add_argument("--no-serve", action="store_true", help="skip rota serve")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rota-bench-incr-"))
    memo = work / "memo"
    os.environ["ROTA_CACHE_DIR"] = str(memo)
    try:
        root = args.root
        if root is None:
            root = work / "org"
            write_org(root, args.teams, args.people, args.people, 7, 2026)
            write_lock(root, NOW)
            (root / "mkdocs.yml").write_text(MINIMAL_MKDOCS)
        (root / "rotations" / "feeds.state.json").unlink(missing_ok=True)
        site = work / "site"
        build = [str(BIN / "rota"), "--root", str(root), "build", "--now", NOW, "--out", str(site)]
        full_wall, full_cpu, err = run_of(build)
        full_line = site_line(err)
        runbook = sorted((root / "runbooks").rglob("*.md"))[0]
        runbook.write_text(runbook.read_text() + "\nCheck the dashboard before paging.\n")
        state = root / "rotations" / "feeds.state.json"
        feed_memory = state.read_bytes()
        incr_wall, incr_cpu, err = run_of(build)
        result: dict[str, object] = {
            "full_build_s": full_wall,
            "full_build_cpu_s": full_cpu,
            "incremental_build_s": incr_wall,
            "incremental_build_cpu_s": incr_cpu,
            "incremental_over_full_cpu": incr_cpu / full_cpu,
            "incremental_over_full_wall": incr_wall / full_wall,
            "full_site_line": full_line,
            "incremental_site_line": site_line(err),
            "edited": runbook.relative_to(root).as_posix(),
        }
        if args.check:
            state.write_bytes(feed_memory)
            os.environ["ROTA_CACHE_DIR"] = ""
            full = work / "full"
            run_of([*build[:-1], str(full)])
            os.environ["ROTA_CACHE_DIR"] = str(memo)
            a, b = files_of(site), files_of(full)
            differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            result["files"] = len(b)
            result["files_differing_from_a_full_build"] = differ[:20]
        if not args.no_serve:
            rel = runbook.relative_to(root / "runbooks").with_suffix("").as_posix()
            result.update(measure_serve(root, runbook, f"runbooks/{rel}/"))
            result["serve_rebuild_over_first_cpu"] = (
                result["serve_rebuild_cpu_s"] / result["serve_first_build_cpu_s"]  # type: ignore[operator]
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["max_rss_children_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "incremental.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        print(f"{key:40} {shown}")


if __name__ == "__main__":
    main()
