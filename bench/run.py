"""Measure Rota on a large synthetic organisation and compare with plain MkDocs.

    python bench/run.py [--teams 100] [--people 1000] [--no-double] [--out bench/out]

The organisation is the one `bench/make_org.py --lock` writes: a year of
history in its lock file, as an organisation running `rota plan` has. Stages
are timed in this process without the memo (load and validate, schedule,
reports, page rendering, feeds, the MkDocs build), and scheduling once more
with no lock file at all (every rotation planned from its first handoff). The
whole `rota build` and `rota who` are timed as separate processes, start to
exit, with the build's peak memory: the build starts with an empty memo, `who`
runs after it (reading the kept plan) and again with the memo off. The same
generated Markdown is also built with plain `mkdocs build` so Rota's own
overhead is a ratio. Prints a table and writes bench/out/run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from make_org import write_lock, write_org  # noqa: E402

NOW = "2026-11-27T12:00:00Z"
NOW_AT = datetime(2026, 11, 27, 12, tzinfo=UTC)
BIN = Path(sys.executable).parent


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def peak_of(cmd: list[str]) -> tuple[float, int]:
    """Run in a fresh helper process so RUSAGE_CHILDREN is this command's alone."""
    code = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        f"p = subprocess.run({cmd!r}, capture_output=True, text=True);"
        "e = time.perf_counter() - t;"
        "sys.stderr.write(p.stderr[-3000:]) if p.returncode else None;"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(json.dumps([p.returncode, e, r]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, elapsed, maxrss = json.loads(out.stdout)
    if rc != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr}")
    return elapsed, maxrss * 1024


SCHEDULE = """
import sys, time
from datetime import datetime
from pathlib import Path
from generator.pipeline import horizon_schedule, load_org
now = datetime.fromisoformat(sys.argv[2])
org = load_org(Path(sys.argv[1]), now).org
start = time.perf_counter()
horizon_schedule(org, now)
print(time.perf_counter() - start)
"""


def schedule_time(root: Path) -> float:
    """Seconds ``horizon_schedule`` takes in a fresh process (after loading)."""
    out = subprocess.run(
        [sys.executable, "-c", SCHEDULE, str(root), NOW_AT.isoformat()],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
    )
    return float(out.stdout.strip())


def measure(root: Path) -> dict[str, float]:
    import yaml

    from generator.feedstate import FeedState
    from generator.pipeline import horizon_schedule, load_org
    from generator.publish.site import mkdocs_config, run_mkdocs, templates_folder, write_files
    from generator.render.ical import render_feeds
    from generator.render.site import render_site

    os.environ["ROTA_CACHE_DIR"] = ""  # every stage from scratch: no memo
    # scheduling: the median of three fresh processes (one run in a long-lived
    # process varies with what ran before it)
    t_schedule = statistics.median(schedule_time(root) for _ in range(3))
    # from nothing: no lock file, every rotation planned from its first handoff
    lock = root / "rotations" / "assignments.lock.yaml"
    lock.rename(root / "lock.yaml")
    try:
        t_unlocked = statistics.median(schedule_time(root) for _ in range(3))
    finally:
        (root / "lock.yaml").rename(lock)
    loaded, t_load = timed(load_org, root, NOW_AT)
    org = loaded.org
    schedule = horizon_schedule(org, NOW_AT)
    t_reports = 0.0
    start, end = NOW_AT - org.settings.history, NOW_AT + org.settings.horizon
    for module, fn in (
        ("generator.reports.fairness", "compute_fairness"),
        ("generator.reports.pay", "compute_pay"),
        ("generator.reports.handoff", "compute_handoffs"),
    ):
        mod = __import__(module, fromlist=[fn])
        _, t = timed(getattr(mod, fn), org, schedule, start, end)
        t_reports += t
    files, t_render = timed(render_site, org, schedule, NOW_AT)
    feeds, t_feeds = timed(render_feeds, org, schedule, NOW_AT, FeedState())
    files.update(feeds.files)
    work = Path(tempfile.mkdtemp(prefix="rota-bench-"))
    try:
        # MkDocs inside Rota: the pages handed to the rota plugin, as `rota build` does
        (work / "docs").mkdir()
        config = mkdocs_config(root, work / "docs", work / "site")
        _, t_mkdocs = timed(run_mkdocs, config, work, files, NOW_AT)
        # the same Markdown with plain `mkdocs build`, in its own process: the files on
        # disk, the same theme overrides, CSS and JavaScript, no rota plugin
        plain = work / "plain"
        write_files(plain / "docs", files)
        shutil.copytree(templates_folder() / "overrides", plain / "overrides")
        cfg = mkdocs_config(root, plain / "docs", plain / "site")
        cfg["plugins"] = [p for p in cfg["plugins"] if not (isinstance(p, dict) and "rota" in p)]
        cfg["theme"]["custom_dir"] = str(plain / "overrides")
        cfg["extra_css"] = ["assets/rota.css"]
        cfg["extra_javascript"] = ["assets/rota.js"]
        cfg["strict"] = False
        cfg["site_url"] = cfg.get("site_url") or "https://oncall.invalid/"
        (plain / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=True))
        t_plain, plain_peak = peak_of(
            [str(BIN / "mkdocs"), "build", "-q", "-f", str(plain / "mkdocs.yml")]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (root / "rotations" / "feeds.state.json").unlink(missing_ok=True)
    # the build starts with an empty memo and fills it, as a first build does
    memo = Path(tempfile.mkdtemp(prefix="rota-bench-memo-"))
    os.environ["ROTA_CACHE_DIR"] = str(memo)
    try:
        out = str(root / "site")
        t_build, peak = peak_of(
            [str(BIN / "rota"), "--root", str(root), "build", "--now", NOW, "--out", out]
        )
        who = [str(BIN / "rota"), "--root", str(root), "who", "--now", NOW]
        who_warm = [peak_of(who)[0] for _ in range(3)]  # after the build: from the memo
        os.environ["ROTA_CACHE_DIR"] = ""
        who_cold = [peak_of(who)[0] for _ in range(3)]  # no memo: load and plan
    finally:
        shutil.rmtree(memo, ignore_errors=True)
    return {
        "pages": sum(1 for p in files if p.endswith(".md")),
        "shifts": len(schedule.shifts),
        "load_validate_s": t_load,
        "schedule_s": t_schedule,
        "schedule_no_lock_file_s": t_unlocked,
        "reports_s": t_reports,
        "render_s": t_render,
        "feeds_s": t_feeds,
        "mkdocs_in_rota_s": t_mkdocs,
        "rota_build_s": t_build,
        "plain_mkdocs_build_s": t_plain,
        "build_over_plain_mkdocs": t_build / t_plain,
        "rota_build_peak_mib": peak / (1024 * 1024),
        "plain_mkdocs_peak_mib": plain_peak / (1024 * 1024),
        "rota_who_s": statistics.median(who_warm),
        "rota_who_no_memo_s": statistics.median(who_cold),
    }


def fmt(value: object) -> str:
    if value is None:
        return ""
    return f"{value:10.2f}" if isinstance(value, float) else f"{value:10}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=100)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--runbooks", type=int, default=1000)
    ap.add_argument("--no-double", action="store_true", help="skip the doubled organisation")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    sizes = [("base", 1)] + ([] if args.no_double else [("double", 2)])
    for label, k in sizes:
        root = Path(tempfile.mkdtemp(prefix=f"rota-org-{label}-"))
        write_org(root, args.teams * k, args.people * k, args.runbooks * k, 7, 2026)
        write_lock(root, NOW)
        try:
            results[label] = measure(root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    if "double" in results:
        results["double"]["growth_vs_base"] = (
            results["double"]["rota_build_s"] / results["base"]["rota_build_s"]
        )
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "organisation": f"{args.teams} teams, {args.people} people, {args.runbooks} runbooks",
        "horizon": "52 weeks",
    }
    (args.out / "run.json").write_text(json.dumps({"meta": meta, **results}, indent=2) + "\n")
    print(f"machine: {meta['machine']}; organisation: {meta['organisation']}")
    targets = {
        "schedule_s": "< 2 s",
        "build_over_plain_mkdocs": "<= 1.3",
        "rota_who_s": "< 0.5 s",
        "rota_who_no_memo_s": "(first run after a change)",
        "rota_build_peak_mib": "< 1536",
        "growth_vs_base": "<= 2.2",
    }
    keys = list(results["base"])
    if "double" in results:
        keys.append("growth_vs_base")
    print(f"{'measure':28} {'base':>10} {'double':>10}  target")
    for key in keys:
        base = results["base"].get(key)
        dbl = results.get("double", {}).get(key)
        print(f"{key:28} {fmt(base):>10} {fmt(dbl):>10}  {targets.get(key, '')}")


if __name__ == "__main__":
    main()
