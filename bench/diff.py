"""Time `rota diff` against one `rota schedule` on the 1,000-person organisation.

    python bench/diff.py [--teams 100] [--people 1000] [--repeat 1] [--keep DIR]

The organisation is the one `bench/make_org.py --lock` writes (a year of history in
its lock file), committed on `main` of a new git repository; a branch adds one week of
leave (2027-01-11 to 2027-01-17, beyond the freeze, so the plan changes) for the first
person with a shift that week, written by `rota request leave`'s YAML edit. Then, as
separate processes with the memo off (ROTA_CACHE_DIR=, so neither run reads a kept
plan): `rota schedule --format json` of the branch, and `rota diff` (base: the merge
base with main, head: the working tree), both with `--now 2026-11-27T12:00:00Z`. For
each: wall time and CPU time (user + system of the process and its children). The
target: `rota diff` within 2.5 × the time of one `rota schedule`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from make_org import write_lock, write_org  # noqa: E402

NOW = "2026-11-27T12:00:00Z"
LEAVE = ("2027-01-11", "2027-01-17")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one process (with its children), and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def someone_on_call(root: Path, env: dict[str, str]) -> str:
    """The first person on call in the leave week (so the leave moves shifts)."""
    import json

    out = subprocess.run(
        [sys.executable, "-m", "generator.cli", "--root", str(root), "schedule", "--now", NOW,
         "--from", f"{LEAVE[0]} 12:00", "--to", f"{LEAVE[0]} 13:00", "--format", "json"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return sorted(s["person"] for s in json.loads(out)["shifts"] if s["person"])[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=100)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="build the repository here")
    args = ap.parse_args()
    from generator.requests import add_leave

    env = {**os.environ, "ROTA_CACHE_DIR": ""}
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="rota-bench-diff-"))
    root = tmp / "org"
    print(f"writing the organisation ({args.people} people, {args.teams} teams) in {root}")
    write_org(root, args.teams, args.people, args.people, 7, 2026)
    write_lock(root, NOW)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.email=b@example.com", "-c", "user.name=Bench", "commit", "-qm", "org")
    git(root, "checkout", "-qb", "leave")
    person = someone_on_call(root, env)
    people = root / "rotations" / "people.yaml"
    people.write_text(
        add_leave(
            people.read_text(encoding="utf-8"), person, [("from", LEAVE[0]), ("to", LEAVE[1])]
        ),
        encoding="utf-8",
    )
    print(f"{person} takes leave {LEAVE[0]} to {LEAVE[1]} (uncommitted: the working tree)")
    rota = [sys.executable, "-m", "generator.cli", "--root", str(root)]
    rows = []
    for _ in range(args.repeat):
        s_wall, s_cpu, _ = timed([*rota, "schedule", "--now", NOW, "--format", "json"], env)
        d_wall, d_cpu, out = timed([*rota, "diff", "--now", NOW], env)
        rows.append((s_wall, s_cpu, d_wall, d_cpu))
    print(out.splitlines()[1] if out else "(no output)")
    print("run  schedule wall     cpu  diff wall     cpu  ratio wall  ratio cpu")
    for n, (sw, sc, dw, dc) in enumerate(rows, 1):
        print(
            f"{n:>3}  {sw:>12.1f}s  {sc:>5.1f}s  {dw:>8.1f}s  {dc:>5.1f}s  "
            f"{dw / sw:>10.2f}  {dc / sc:>9.2f}"
        )
    best = min(rows, key=lambda r: r[2] / r[0])
    verdict = "within" if best[2] / best[0] <= 2.5 else "OVER"
    print(
        f"rota diff takes {best[2] / best[0]:.2f}x the wall time of rota schedule ({verdict} 2.5x)"
    )


if __name__ == "__main__":
    main()
