"""Raw HTML blocks lifted past Python-Markdown, and handoff notes written as HTML.

The rota plugin takes each block between ``<!--rota:html-->`` lines out of a generated
page before Markdown and puts it back into the HTML after: the page must come out as
Markdown alone would have made it (the blocks verbatim, headings with their ids), and
the handoff notes of a month page, written as HTML, must read as the Markdown notes
did.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.mkdocs_plugin import (
    lift_html,
    liftable,
    permalink_of,
    restore_html,
    search_copy,
    with_permalinks,
)
from generator.pipeline import horizon_schedule, load_org
from generator.render.handoff_page import NOTHING_ELSE, handoff_note
from generator.reports.compute import compute_reports
from generator.reports.handoff import handoff_markdown

REPO = Path(__file__).resolve().parents[2]
NOW = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
MARK = "rotahtml0123456789abcdef"


def site_markdown() -> markdown.Markdown:
    """Python-Markdown with the extensions of Rota's default mkdocs.yml."""
    config = yaml.safe_load((REPO / "site_templates" / "mkdocs.default.yml").read_text())
    names: list[str] = []
    options: dict[str, dict[str, object]] = {}
    for ext in config["markdown_extensions"]:
        if isinstance(ext, dict):
            (name, opts), *_ = ext.items()
            names.append(name)
            options[name] = opts or {}
        else:
            names.append(ext)
    return markdown.Markdown(extensions=names, extension_configs=options)


# the permalink Rota's default mkdocs.yml gives headings (toc: permalink: true)
PERMALINK = ("&para;", "headerlink", "Permanent link", False)


def through_plugin(page: str) -> str:
    """The HTML of a page as the plugin has MkDocs make it: lift, Markdown, restore."""
    lifted, blocks, _ = lift_html(page, MARK, PERMALINK)
    return restore_html(site_markdown().convert(lifted), MARK, blocks)


HEADING_ID = re.compile(r'<h[1-6] id="([^"]+)">')


def heading_ids(html: str) -> list[str]:
    return HEADING_ID.findall(html)


def test_a_lifted_block_comes_back_verbatim_between_markdown_parts() -> None:
    page = (
        "# Title\n\nSome *prose*.\n\n<!--rota:html-->\n"
        '<div class="x">\n<p>a *star* stays &amp; <strong>b</strong></p>\n\n</div>\n'
        "<!--/rota:html-->\n\n## Part\n\nMore.\n"
    )
    html = through_plugin(page)
    # the block as written (Markdown would not touch a raw block either), the prose and
    # headings around it rendered, no placeholder left
    assert '<div class="x">\n<p>a *star* stays &amp; <strong>b</strong></p>\n\n</div>' in html
    assert "<p>Some <em>prose</em>.</p>" in html
    assert '<h2 id="part">Part' in html
    assert MARK not in html
    # plain Markdown (no plugin) renders the same page to the same block
    assert '<div class="x">\n<p>a *star* stays &amp;' in site_markdown().convert(page)


def test_a_block_with_text_right_after_it_still_comes_back() -> None:
    # a template that puts prose on the line after the closing marker: the block is still
    # a paragraph of its own, so it comes back and the prose stays a paragraph
    html = through_plugin("Before\n<!--rota:html-->\n<p>block</p>\n<!--/rota:html-->\nAfter\n")
    assert html == "<p>Before</p>\n<p>block</p>\n<p>After</p>"


def test_text_naming_another_mark_is_left_alone() -> None:
    # a page's own text cannot name a placeholder: the mark is new for every build
    page = "rotahtmlffffffffffffffffx0\n\n<!--rota:html-->\n<p>block</p>\n<!--/rota:html-->\n"
    html = through_plugin(page)
    assert "<p>rotahtmlffffffffffffffffx0</p>" in html
    assert html.count("<p>block</p>") == 1


def test_pages_of_repository_markdown_are_never_lifted() -> None:
    # a runbook or postmortem body is its writer's Markdown: a marker in it (say in a code
    # block) is left to Markdown and the sanitiser; Rota's own pages are lifted
    assert not liftable("runbooks/ops/disk-full.md")
    assert not liftable("postmortems/inc-1/index.md")
    assert liftable("postmortems/index.md")
    assert liftable("handoffs/ops/2026-11/index.md")
    assert liftable("people/ada/index.md")


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5))
def test_every_block_comes_back_once_in_order(texts: list[str]) -> None:
    from html import escape

    parts = [
        f'<!--rota:html-->\n<div class="b{i}">{escape(t)}</div>\n<!--/rota:html-->'
        for i, t in enumerate(texts)
    ]
    html = through_plugin("# T\n\n" + "\n\npara\n\n".join(parts) + "\n")
    at = [html.find(f'<div class="b{i}">{escape(t)}</div>') for i, t in enumerate(texts)]
    assert all(a >= 0 for a in at) and at == sorted(at)
    assert MARK not in html


@pytest.fixture(scope="module")
def handoffs() -> list:  # type: ignore[type-arg]
    loaded = load_org(REPO, NOW)
    schedule = horizon_schedule(loaded.org, NOW)
    return list(compute_reports(loaded.org, schedule, NOW).handoffs)


def test_notes_as_html_read_as_the_markdown_notes(handoffs: list) -> None:  # type: ignore[type-arg]
    # every note of the sample organisation with something in its sections (incidents
    # with postmortems, notes, leave, overrides, holidays): the month page's HTML note is
    # what Markdown made of the Markdown note, but for the postmortem link, which MkDocs
    # turned from the page's file into its address and the HTML names at once
    full = [h for h in handoffs if h.incidents or h.notes or h.holidays or h.leave or h.overrides]
    assert len(full) > 100
    assert any(i.postmortem_page for h in full for i in h.incidents)
    for h in full:
        expected = site_markdown().convert(handoff_markdown(h, "../../../", 3, shared=False))
        for inc in h.incidents:
            if inc.postmortem_page:
                page = inc.postmortem_page
                expected = expected.replace(page, page.removesuffix("index.md"))
        html = through_plugin(handoff_note(h, "../../../", 3))
        # the note's headings have stable ids (what notifications link to), not ids
        # made from their titles; with those put back, the HTML is Markdown's
        ids = [h.anchor, f"{h.anchor}-incidents", f"{h.anchor}-notes", f"{h.anchor}-coming"]
        assert heading_ids(html) == ids
        for made, stable in zip(heading_ids(expected), ids, strict=True):
            expected = expected.replace(f'"{made}"', f'"{stable}"').replace(
                f'"#{made}"', f'"#{stable}"'
            )
        assert html == expected


def test_a_note_with_nothing_to_hand_over_says_so_in_one_line(handoffs: list) -> None:  # type: ignore[type-arg]
    empty = next(
        h
        for h in handoffs
        if not (h.incidents or h.notes or h.holidays or h.leave or h.overrides)
        and h.outgoing is not None
    )
    html = through_plugin(handoff_note(empty, "../../../", 3))
    assert html.count("<h3 ") == 1 and "<h4" not in html
    assert f"<p>{NOTHING_ELSE}</p>" in html
    assert f"Incoming: <strong>{empty.incoming.name}</strong>" in html


def test_blocks_with_only_blank_lines_between_are_one_block() -> None:
    # one paragraph for Markdown instead of three; the HTML is the same
    page = (
        "# T\n\n<!--rota:html-->\n<p>a</p>\n<!--/rota:html-->\n\n"
        "<!--rota:html-->\n<p>b</p>\n<!--/rota:html-->\n  \n\n"
        "<!--rota:html-->\n<p>c</p>\n<!--/rota:html-->\n\nafter\n"
    )
    _, blocks, _ = lift_html(page, MARK)
    assert blocks == ["<p>a</p>\n<p>b</p>\n<p>c</p>"]
    assert through_plugin(page).endswith("</h1>\n<p>a</p>\n<p>b</p>\n<p>c</p>\n<p>after</p>")


def test_headings_in_a_block_get_the_sites_permalink() -> None:
    page = (
        '<!--rota:html-->\n<h3 id="primary-2026-12-07-0900">Ops &amp; co</h3>\n<p>x</p>\n'
        "<!--/rota:html-->\n"
    )
    # as Python-Markdown's toc extension writes it for ### headings
    assert through_plugin(page).startswith(
        '<h3 id="primary-2026-12-07-0900">Ops &amp; co<a class="headerlink" '
        'href="#primary-2026-12-07-0900" title="Permanent link">&para;</a></h3>'
    )
    leading = ("#", "anchor", "", True)
    _, blocks, _ = lift_html(page, MARK, leading)
    assert blocks[0].startswith(
        '<h3 id="primary-2026-12-07-0900"><a class="anchor" href="#primary-2026-12-07-0900">'
        "#</a>Ops &amp; co</h3>"
    )
    # no permalink configured: the heading as written
    _, blocks, _ = lift_html(page, MARK, None)
    assert blocks[0].startswith('<h3 id="primary-2026-12-07-0900">Ops &amp; co</h3>')


def test_the_search_copy_keeps_what_materials_index_reads() -> None:
    from material.plugins.search.plugin import Parser

    def index(html: str) -> list[tuple[str | None, str, str]]:
        parser = Parser()
        parser.feed(html)
        parser.close()
        return [
            (s.id, "".join(s.title).strip(), "".join("".join(s.text).split())) for s in parser.data
        ]

    block = (
        '<h3 id="n">Note <code>x</code><a class="headerlink" href="#n" title="Permanent link">'
        '&para;</a></h3>\n<table class="t"><tr><th title="a > b">When</th><td>Mon&nbsp;'
        '<a href="../x/">Ana &amp; Bo</a></td></tr></table>\n<ul>\n<li><span>one</span></li>'
        '<li></li>\n</ul>\n<svg><text x="1">42 h</text></svg><p>Caf\u00e9 <sub>2</sub></p>'
    )
    copy = search_copy(block)
    # the cells, the link and the chart go; the heading stays as written
    assert "<td" not in copy and '<a href="../x/"' not in copy and "<svg" not in copy
    assert copy.startswith(block.split("\n", 1)[0])
    assert index(copy) == index(block)
    # the same text, and a table's cells apart: words of their own to search for
    parser = Parser()
    parser.feed(copy)
    assert "When Mon" in " ".join("".join(parser.data[-1].text).split())
    # what the index treats otherwise is left as written
    for kept in (
        "<pre>a  b</pre>",
        "<div data-search-exclude><p>x</p></div>",
        "<script>1</script>",
    ):
        assert search_copy(f"<div>{kept}</div>") == f"<div>{kept}</div>"


def test_blocks_the_search_leaves_out_are_told_apart_and_never_merged_with_others() -> None:
    page = (
        "<!--rota:html-->\n<p>a</p>\n<!--/rota:html-->\n\n"
        "<!--rota:html unsearched-->\n<p>b</p>\n<!--/rota:html unsearched-->\n\n"
        "<!--rota:html unsearched-->\n<p>c</p>\n<!--/rota:html unsearched-->\n\n"
        "<!--rota:html-->\n<p>d</p>\n<!--/rota:html-->\n"
    )
    _, blocks, unsearched = lift_html(page, MARK)
    assert blocks == ["<p>a</p>", "<p>b</p>\n<p>c</p>", "<p>d</p>"]
    assert unsearched == {1}
    # on the page, all four as written
    assert through_plugin(page) == "<p>a</p>\n<p>b</p>\n<p>c</p>\n<p>d</p>"


@pytest.mark.parametrize(
    "options",
    [
        {"permalink": True},
        {"permalink": "#", "permalink_class": "anchor", "permalink_title": "Link here"},
        {"permalink": "&sect;", "permalink_leading": True},
        {"permalink": "<>", "permalink_title": ""},
        {"permalink": False},
        {},
    ],
)
def test_a_blocks_heading_has_the_permalink_the_toc_extension_gives_markdown_headings(
    options: dict[str, object],
) -> None:
    # Python-Markdown's own toc extension, with the same options, on a Markdown heading
    # given the same id (attr_list): what the plugin must write into a lifted heading
    made = markdown.Markdown(
        extensions=["toc", "attr_list"], extension_configs={"toc": options}
    ).convert("### Ops &amp; *co* { #primary-2026-12-07-0900 }")
    link = permalink_of(options)
    written = '<h3 id="primary-2026-12-07-0900">Ops &amp; <em>co</em></h3>'
    assert (with_permalinks(written, link) if link else written) == made


@pytest.mark.parametrize(
    "block",
    [
        # a heading's title is the index's as written: void tags, runs of white space
        '<h2 id="br">A<br>B</h2>\n<p>x</p>',
        '<h2 id="m"><em>a</em>  <em>b</em><a class="headerlink" href="#m">&para;</a></h2>',
        # a permalink's mark outside a heading is text like any other
        '<p>Para <a class="headerlink" href="#z" title="Permanent link">&para;</a> end</p>',
        # tag names in capitals are the same tags to the parser
        "<P>Upper <CODE>Code</CODE> <SUB>s</SUB><SUP>t</SUP></P>\n<UL><LI>item</LI></UL>\n"
        '<H2 ID="Up">Up <CODE>x</CODE><A CLASS="headerlink" HREF="#Up">&para;</A></H2>',
    ],
)
def test_the_search_copy_keeps_titles_and_tags_as_materials_parser_reads_them(
    block: str,
) -> None:
    # cases an independent check wrote from Material's parser, where an earlier copy
    # differed: titles exactly, text but for white space
    from material.plugins.search.plugin import Parser

    def index(html: str) -> list[tuple[str | None, str, str]]:
        parser = Parser()
        parser.feed(html)
        parser.close()
        return [
            (s.id, "".join(s.title).strip(), "".join("".join(s.text).split())) for s in parser.data
        ]

    assert index(search_copy(block)) == index(block)
