"""Measure Rota on a large synthetic organisation and compare with plain MkDocs.

    python bench/run.py [--teams 100] [--people 1000] [--no-double] [--builds-only]
                        [--configs repo,minimal] [--out bench/out]

The organisation is the one `bench/make_org.py --lock` writes: a year of
history in its lock file, as an organisation running `rota plan` has. Stages
are timed in this process without the memo (load and validate, schedule,
reports, page rendering, feeds, the MkDocs build), and scheduling once more
with no lock file at all (every rotation planned from its first handoff). The
whole `rota build` and `rota who` are timed as separate processes, start to
exit, with the build's peak memory: the build starts with an empty memo, `who`
runs after it (reading the kept plan) and again with the memo off. The same
generated Markdown is also built with plain `mkdocs build` so Rota's own
overhead is a ratio.

The whole build is measured once per mkdocs.yml (``--configs``): the
repository's own (sections and index pages in ``nav``) and a minimal one, what
MkDocs' documentation starts from (site_name, site_url, theme material with
``font: false``, no ``nav``), where Rota must keep the navigation small by itself.
For each: ``rota build`` wall time and peak memory, the number of pages, the largest
page, the largest page that is not an index, and the average page size, against
plain ``mkdocs build`` of the same pages with that mkdocs.yml and a small nav (the
section index pages). With the minimal mkdocs.yml, also against plain ``mkdocs build``
of as many ORDINARY pages (hand-written Markdown, a 30-row table each, about 14 KiB of
HTML, the same theme, a small nav): ``build_over_ordinary``, the measure a user feels.
Every ratio is given for wall time and for CPU time (user + system): on a machine shared
with other work, CPU time is the steadier one. ``rota who`` is the best of five runs.
``--builds-only`` skips the stage timings and ``rota who``.
Prints a table and writes bench/out/run.json.
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
    """Wall time and peak memory of a command (see ``run_of``)."""
    elapsed, peak, _ = run_of(cmd)
    return elapsed, peak


def run_of(cmd: list[str]) -> tuple[float, int, float]:
    """Wall time, peak memory and CPU time (user + system, the command and every process
    it waited for) of a command. Run in a fresh helper process so RUSAGE_CHILDREN is this
    command's alone. On a machine shared with other work, CPU time is the steadier
    measure: wall time grows with whatever else runs."""
    code = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        f"p = subprocess.run({cmd!r}, capture_output=True, text=True);"
        "e = time.perf_counter() - t;"
        "sys.stderr.write(p.stderr[-3000:]) if p.returncode else None;"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps([p.returncode, e, u.ru_maxrss, u.ru_utime + u.ru_stime]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rc, elapsed, maxrss, cpu = json.loads(out.stdout)
    if rc != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr}")
    return elapsed, maxrss * 1024, cpu


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


MINIMAL_MKDOCS = (
    "site_name: Example Corp on call\n"
    "site_url: https://oncall.example.com/\n"
    "theme:\n  name: material\n  font: false\n"
)
# the section index pages: what a hand-written small nav lists
INDEX_PAGES = (
    "index.html",
    "teams/index.html",
    "people/index.html",
    "runbooks/index.html",
    "runbooks/by-service/index.html",
    "runbooks/by-severity/index.html",
    "runbooks/tags/index.html",
    "runbooks/alerts/index.html",
    "handoffs/index.html",
    "fairness/index.html",
    "pay/index.html",
    "severities/index.html",
    "postmortems/index.html",
    "actions/index.html",
    "incidents/index.html",
)


def page_stats(site: Path) -> dict[str, float]:
    """Pages written (HTML), the largest, the largest that is not an index, the mean, in KiB."""
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    sizes.pop("404.html", None)
    others = [v for k, v in sizes.items() if k not in INDEX_PAGES]
    largest = max(sizes, key=lambda k: sizes[k])
    return {
        "html_pages": len(sizes),
        "largest_page_kib": sizes[largest] / 1024,
        "largest_page": largest,  # type: ignore[dict-item]
        "largest_non_index_kib": max(others, default=0) / 1024,
        "average_page_kib": sum(sizes.values()) / len(sizes) / 1024,
    }


def plain_build(root: Path, files: dict[str, str | bytes], work: Path) -> dict[str, float]:
    """The same generated Markdown with plain ``mkdocs build``, in its own process: the
    files on disk, the organisation's mkdocs.yml with a small nav (section index pages),
    the same theme overrides, CSS and JavaScript, no rota plugin."""
    import yaml

    from generator.mkdocs_plugin import SECTIONS
    from generator.publish.site import mkdocs_config, write_files
    from generator.templates import templates_folder

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
    if cfg.get("nav") is None:
        cfg["nav"] = [{title: path} for title, path in SECTIONS if path in files]
        cfg["not_in_nav"] = "/**"
    (plain / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=True))
    t_plain, plain_peak, cpu = run_of(
        [str(BIN / "mkdocs"), "build", "-q", "-f", str(plain / "mkdocs.yml")]
    )
    stats = page_stats(plain / "site")
    shutil.rmtree(plain, ignore_errors=True)
    return {"s": t_plain, "cpu_s": cpu, "peak_mib": plain_peak / (1024 * 1024), **stats}


ORDINARY_SECTIONS = ("guides", "services", "teams", "reference", "howto", "notes", "reports")
ORDINARY_ROWS = 30


def ordinary_page(n: int) -> str:
    """Page ``n`` of an ordinary documentation site: a heading, a paragraph and a Markdown
    table of 30 rows, about 14 KiB of HTML once Material has built it."""
    rows = "\n".join(
        f"| {n}-{r:02d} | [Service {(n * 7 + r) % 97}](../index.md) | "
        f"2026-{1 + r % 12:02d}-{1 + r % 28:02d} | *Checked* |"
        for r in range(ORDINARY_ROWS)
    )
    return (
        f"# Page {n}\n\nAn ordinary page of a documentation site, written by hand in "
        f"Markdown: one table of {ORDINARY_ROWS} rows.\n\n## Items\n\n"
        "| Item | Service | Date | Note |\n|---|---|---|---|\n" + rows + "\n"
    )


def ordinary_build(pages: int, work: Path) -> dict[str, float]:
    """Plain ``mkdocs build`` of as many ordinary pages as Rota builds (see
    ``ordinary_page``), in sections with an index page each, with the minimal mkdocs.yml
    and a small nav (the section index pages): what the same number of hand-written
    pages costs MkDocs and Material, the measure Rota's pages are held to."""
    import yaml

    site = work / "ordinary"
    docs = site / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nAn ordinary documentation site.\n")
    for section in ORDINARY_SECTIONS:
        (docs / section).mkdir()
        (docs / section / "index.md").write_text(f"# {section.capitalize()}\n\nThe pages.\n")
    for n in range(pages - 1 - len(ORDINARY_SECTIONS)):
        section = ORDINARY_SECTIONS[n % len(ORDINARY_SECTIONS)]
        (docs / section / f"page-{n:05d}.md").write_text(ordinary_page(n))
    cfg = yaml.safe_load(MINIMAL_MKDOCS)
    cfg["nav"] = [{"Home": "index.md"}] + [
        {section.capitalize(): f"{section}/index.md"} for section in ORDINARY_SECTIONS
    ]
    cfg["not_in_nav"] = "/**"
    cfg["markdown_extensions"] = ["tables", "toc"]
    (site / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=True))
    elapsed, peak, cpu = run_of(
        [str(BIN / "mkdocs"), "build", "-q", "-f", str(site / "mkdocs.yml")]
    )
    stats = page_stats(site / "site")
    shutil.rmtree(site, ignore_errors=True)
    return {"s": elapsed, "cpu_s": cpu, "peak_mib": peak / (1024 * 1024), **stats}


def measure_builds(root: Path, files: dict[str, str | bytes], config: str) -> dict[str, float]:
    """``rota build`` (own process, empty memo) and plain MkDocs with one mkdocs.yml."""
    if config == "minimal":
        (root / "mkdocs.yml").write_text(MINIMAL_MKDOCS)
    else:
        shutil.copy(HERE.parent / "mkdocs.yml", root / "mkdocs.yml")
    (root / "rotations" / "feeds.state.json").unlink(missing_ok=True)
    work = Path(tempfile.mkdtemp(prefix="rota-bench-"))
    memo = Path(tempfile.mkdtemp(prefix="rota-bench-memo-"))
    os.environ["ROTA_CACHE_DIR"] = str(memo)
    out = root / "site"
    try:
        t_build, peak, cpu = run_of(
            [str(BIN / "rota"), "--root", str(root), "build", "--now", NOW, "--out", str(out)]
        )
        rota = page_stats(out)
        shutil.rmtree(out, ignore_errors=True)
        plain = plain_build(root, files, work)
        ordinary = ordinary_build(int(rota["html_pages"]), work) if config == "minimal" else None
    finally:
        os.environ["ROTA_CACHE_DIR"] = ""
        shutil.rmtree(memo, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    result: dict[str, float] = {
        "rota_build_s": t_build,
        "plain_mkdocs_build_s": plain["s"],
        "build_over_plain_mkdocs": t_build / plain["s"],
        "rota_build_cpu_s": cpu,
        "plain_mkdocs_build_cpu_s": plain["cpu_s"],
        "build_over_plain_mkdocs_cpu": cpu / plain["cpu_s"],
        "rota_build_peak_mib": peak / (1024 * 1024),
        "plain_mkdocs_peak_mib": plain["peak_mib"],
    }
    if ordinary is not None:
        result["ordinary_mkdocs_build_s"] = ordinary["s"]
        result["ordinary_mkdocs_build_cpu_s"] = ordinary["cpu_s"]
        result["build_over_ordinary"] = t_build / ordinary["s"]
        result["build_over_ordinary_cpu"] = cpu / ordinary["cpu_s"]
        result["ordinary_average_page_kib"] = ordinary["average_page_kib"]
    for key in ("html_pages", "largest_page_kib", "largest_non_index_kib", "average_page_kib"):
        result[key] = rota[key]
        result[f"plain_{key}"] = plain[key]
    result["average_over_plain"] = rota["average_page_kib"] / plain["average_page_kib"]
    result["largest_page"] = rota["largest_page"]
    return result


def site_sources(root: Path) -> dict[str, str | bytes]:
    """Every file ``rota build`` hands MkDocs (pages, assets, feeds, data)."""
    from generator.feedstate import FeedState
    from generator.pipeline import horizon_schedule, load_org
    from generator.render.ical import render_feeds
    from generator.render.site import render_site

    os.environ["ROTA_CACHE_DIR"] = ""
    org = load_org(root, NOW_AT).org
    schedule = horizon_schedule(org, NOW_AT)
    files = render_site(org, schedule, NOW_AT)
    files.update(render_feeds(org, schedule, NOW_AT, FeedState()).files)
    return files


def measure(root: Path) -> dict[str, float]:

    from generator.feedstate import FeedState
    from generator.pipeline import horizon_schedule, load_org
    from generator.publish.site import mkdocs_config, run_mkdocs
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
    from generator.reports.compute import compute_reports

    reports, t_reports = timed(compute_reports, org, schedule, NOW_AT)
    files, t_render = timed(render_site, org, schedule, NOW_AT, reports)
    feeds, t_feeds = timed(render_feeds, org, schedule, NOW_AT, FeedState())
    files.update(feeds.files)
    work = Path(tempfile.mkdtemp(prefix="rota-bench-"))
    try:
        # MkDocs inside Rota: the pages handed to the rota plugin, as `rota build` does
        (work / "docs").mkdir()
        config = mkdocs_config(root, work / "docs", work / "site")
        _, t_mkdocs = timed(run_mkdocs, config, work, files, NOW_AT)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (root / "rotations" / "feeds.state.json").unlink(missing_ok=True)
    memo = Path(tempfile.mkdtemp(prefix="rota-bench-memo-"))
    os.environ["ROTA_CACHE_DIR"] = str(memo)
    try:
        who = [str(BIN / "rota"), "--root", str(root), "who", "--now", NOW]
        peak_of(who)  # fills the memo, as a build does
        who_warm = [peak_of(who)[0] for _ in range(5)]  # from the memo
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
        "rota_who_s": min(who_warm),  # best of 5
        "rota_who_no_memo_s": statistics.median(who_cold),
    }


def fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[-30:]
    return f"{value:10.2f}" if isinstance(value, float) else f"{value:10}"


TARGETS = {
    "schedule_s": "< 2 s",
    "build_over_ordinary": "<= 1.5",
    "build_over_ordinary_cpu": "<= 1.5",
    "build_over_plain_mkdocs": "<= 1.3",
    "build_over_plain_mkdocs_cpu": "<= 1.3",
    "average_over_plain": "<= 2",
    "largest_non_index_kib": "< 300",
    "rota_who_s": "<= 0.5 s (best of 5)",
    "rota_who_no_memo_s": "(first run after a change)",
    "rota_build_peak_mib": "< 1536",
    "growth_vs_base": "<= 2.2",
    "growth_vs_base_cpu": "<= 2.2",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=100)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--runbooks", type=int, default=1000)
    ap.add_argument("--no-double", action="store_true", help="skip the doubled organisation")
    ap.add_argument(
        "--builds-only", action="store_true", help="only the whole builds, no stage timings"
    )
    ap.add_argument(
        "--configs",
        default="repo,minimal",
        help="which mkdocs.yml to build with: repo (this repository's), minimal (no nav)",
    )
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args()
    configs = [c for c in args.configs.split(",") if c]
    if not configs or any(c not in ("repo", "minimal") for c in configs):
        ap.error("--configs takes repo, minimal or both")
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, object]] = {}
    sizes = [("base", 1)] + ([] if args.no_double else [("double", 2)])
    for label, k in sizes:
        root = Path(tempfile.mkdtemp(prefix=f"rota-org-{label}-"))
        write_org(root, args.teams * k, args.people * k, args.runbooks * k, 7, 2026)
        write_lock(root, NOW)
        try:
            results[label] = {} if args.builds_only else dict(measure(root))
            files = site_sources(root)
            for config in configs:
                results[label][config] = measure_builds(root, files, config)
            del files
        finally:
            shutil.rmtree(root, ignore_errors=True)
    if "double" in results:
        first = configs[0]
        results["double"]["growth_vs_base"] = (
            results["double"][first]["rota_build_s"]  # type: ignore[index]
            / results["base"][first]["rota_build_s"]  # type: ignore[index]
        )
        results["double"]["growth_vs_base_cpu"] = (
            results["double"][first]["rota_build_cpu_s"]  # type: ignore[index]
            / results["base"][first]["rota_build_cpu_s"]  # type: ignore[index]
        )
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "organisation": f"{args.teams} teams, {args.people} people, {args.runbooks} runbooks",
        "horizon": "52 weeks",
        "load": f"load average at the end {os.getloadavg()[0]:.2f}",
    }
    (args.out / "run.json").write_text(json.dumps({"meta": meta, **results}, indent=2) + "\n")
    print(f"machine: {meta['machine']}; organisation: {meta['organisation']}; {meta['load']}")
    columns = [(label, None) for label in results] + [
        (label, config) for label in results for config in configs
    ]

    def value(label: str, config: str | None, key: str) -> object:
        got = results[label] if config is None else results[label].get(config, {})
        return got.get(key) if isinstance(got, dict) else None

    keys: list[str] = []
    for label, config in columns:
        got = results[label] if config is None else results[label].get(config, {})
        if isinstance(got, dict):
            keys += [k for k, v in got.items() if not isinstance(v, dict) and k not in keys]
    head = [label if config is None else f"{label}/{config}" for label, config in columns]
    print(f"{'measure':28} " + " ".join(f"{h:>14}" for h in head) + "  target")
    for key in keys:
        cells = [fmt(value(label, config, key)) for label, config in columns]
        if all(c == "" for c in cells):
            continue
        print(f"{key:28} " + " ".join(f"{c:>14}" for c in cells) + f"  {TARGETS.get(key, '')}")


if __name__ == "__main__":
    main()
