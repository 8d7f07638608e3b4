"""Where a site build's time goes, per kind of page.

    python bench/pages_profile.py ORG [--out SITE] [--cprofile FILE]

Builds the organisation in ORG (``bench/make_org.py --lock`` writes one) as
``rota build`` does, in this process, and times each page's stages by the kind
of page (handoff months, people, pay, fairness, teams, runbooks, incidents,
index pages and the rest): Rota's rendering of the page's Markdown (Jinja), then
MkDocs' Markdown to HTML (``convert``: reading, Python-Markdown, the plugin's
``on_page_content``) and its writing of the page (``write``: the search index
entry, the theme's template, the file). Times are CPU seconds of this process
(``time.process_time``): on a machine shared with other work they are steadier
than wall time. Prints a table: pages, HTML KiB per page, seconds per stage,
milliseconds per page; then the Jinja time per template and the garbage collector's.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
KINDS = (
    ("handoff month", re.compile(r"handoffs/[^/]+/\d{4}-\d\d/")),
    ("person", re.compile(r"people/[^/]+/")),
    ("pay (team)", re.compile(r"pay/[^/]+/")),
    ("fairness (team)", re.compile(r"fairness/[^/]+/")),
    ("team", re.compile(r"teams/[^/]+/")),
    ("runbook", re.compile(r"runbooks/(?!by-service/|by-severity/|tags/|alerts/)[^/]+/[^/]+\.md$")),
    ("runbook lists", re.compile(r"runbooks/")),
    ("incidents", re.compile(r"incidents/")),
)


def kind_of(src: str) -> str:
    for name, pattern in KINDS:
        if pattern.match(src):
            return name
    return "index and other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("org", type=Path)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--cprofile", type=Path, default=None, help="also write a cProfile here")
    args = ap.parse_args()
    os.environ["ROTA_CACHE_DIR"] = ""

    import mkdocs.commands.build as mk_build

    from generator.pipeline import build_loaded, load_org

    cpu: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pages: dict[str, int] = defaultdict(int)
    size: dict[str, int] = defaultdict(int)

    def timed(stage: str, key: Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **kw: Any) -> Any:
            start = time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                cpu[kind_of(key(*a, **kw))][stage] += time.process_time() - start

        return wrapper

    def page_src(page: Any, *_: Any, **__: Any) -> str:
        return str(page.file.src_uri)

    populate = mk_build._populate_page
    build_page = mk_build._build_page
    mk_build._populate_page = timed("convert", page_src, populate)  # type: ignore[assignment]

    def counting_build(page: Any, *a: Any, **kw: Any) -> Any:
        out = build_page(page, *a, **kw)
        kind = kind_of(page.file.src_uri)
        pages[kind] += 1
        path = Path(page.file.abs_dest_path)
        size[kind] += path.stat().st_size if path.exists() else 0
        return out

    mk_build._build_page = timed("write", page_src, counting_build)  # type: ignore[assignment]

    import jinja2

    jinja: dict[str, float] = defaultdict(float)
    template_render = jinja2.Template.render

    def timed_render(self: jinja2.Template, *a: Any, **kw: Any) -> str:
        start = time.process_time()
        try:
            return template_render(self, *a, **kw)
        finally:
            jinja[str(self.name)] += time.process_time() - start

    jinja2.Template.render = timed_render  # type: ignore[method-assign]

    import gc

    gc_spent = [0.0, 0.0]  # CPU seconds in the collector, full collections
    gc_started = [0.0]

    def gc_timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.process_time()
        else:
            gc_spent[0] += time.process_time() - gc_started[0]
            gc_spent[1] += info["generation"] == 2

    gc.callbacks.append(gc_timer)

    out = args.out or Path(os.environ.get("TMPDIR", "/tmp")) / "rota-pages-profile"
    loaded = load_org(args.org, NOW)
    profile = cProfile.Profile() if args.cprofile else None
    start = time.process_time()
    if profile:
        profile.enable()
    build_loaded(loaded, args.org, out, NOW)
    if profile:
        profile.disable()
        profile.dump_stats(str(args.cprofile))
    total = time.process_time() - start
    print(
        f"{'kind':18} {'pages':>6} {'KiB/page':>9} {'convert s':>10} {'write s':>8} {'ms/page':>8}"
    )
    for kind in sorted(pages, key=lambda k: -sum(cpu[k].values())):
        n = pages[kind]
        conv, write = cpu[kind]["convert"], cpu[kind]["write"]
        print(
            f"{kind:18} {n:6} {size[kind] / n / 1024:9.1f} {conv:10.2f} {write:8.2f} "
            f"{(conv + write) / n * 1000:8.1f}"
        )
    print("Jinja CPU s per template (Rota's pages and the theme's):")
    for name, spent in sorted(jinja.items(), key=lambda kv: -kv[1])[:14]:
        print(f"  {name:32} {spent:8.2f}")
    print(f"garbage collector: {gc_spent[0]:.1f} s CPU, {int(gc_spent[1])} full collections")
    mk = sum(sum(v.values()) for v in cpu.values())
    print(f"build CPU {total:.1f} s, of which MkDocs pages {mk:.1f} s")


if __name__ == "__main__":
    main()
