"""The ``rota`` MkDocs plugin: on-call pages inside any MkDocs site.

``plugins: [rota]`` in an mkdocs.yml renders the organisation (``rotations/``
and ``runbooks/`` beside the mkdocs.yml, or ``root:``) into generated pages, so
``mkdocs build``, ``mkdocs serve`` and an existing MkDocs or Backstage TechDocs
site carry the on-call pages. ``rota build`` and ``rota serve`` run MkDocs with
this same plugin: ``rota build`` hands it the files it has already rendered
(``use_files``), the others let it render them itself through the same
``pipeline.site_files``.

Navigation stays small whatever the mkdocs.yml says, because MkDocs writes the
whole navigation into every page: every generated page is kept out of it
(``not_in_nav``). Without a ``nav``, the plugin supplies Rota's sections (home,
teams, people, runbooks, handoffs, fairness, pay, severities: their index pages
only) followed by the site's own pages from ``docs_dir`` as MkDocs would list
them; a ``nav`` of the site's own is left alone, with one warning when it is
large enough to make every page heavy.

Rota's pages are Markdown with raw HTML blocks for what Markdown buys nothing for
(tables, lists of shifts, charts, handoff notes). Each such block is marked
(``<!--rota:html-->`` and ``<!--/rota:html-->`` on lines of their own): the plugin
lifts the marked blocks of generated pages out before Python-Markdown sees the page
(``on_page_markdown``) and puts them back into its HTML (``on_page_content``), so
Markdown parses only the headings and prose around them. The search index, the table of
contents (headings stay Markdown) and the sanitiser see the same page as before;
without the plugin, plain MkDocs renders the same page from the same Markdown, only
slower.

Besides adding the files, the plugin adds the site's stylesheet and script,
Rota's theme overrides, drops navigation entries for pages this organisation
does not have (the pay page when ``publish_pay`` is off), and cleans the HTML of
every page whose body comes from a Markdown file of the repository (runbooks,
postmortems, handoff notes, and the site's own pages under ``docs_dir`` when
``settings.site.clean_docs`` is on) with nh3, after MkDocs has rendered it: that
Markdown may use Markdown, but not raw ``<script>``, ``<style>``, ``<iframe>``,
forms, event-handler attributes (also through ``{: onclick=...}`` attribute
lists) or ``javascript:`` and ``data:`` links. Repository writers are not
trusted to run script in readers' browsers.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape as html_escape
from html import unescape as html_unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nh3
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel, file_sort_key
from mkdocs.structure.pages import Page

from generator.errors import InvalidInput

log = logging.getLogger("mkdocs.plugins.rota")

EXTRA_CSS = "assets/rota.css"
EXTRA_JS = "assets/rota.js"
# Generated pages that carry a Markdown body from the repository (runbooks, postmortems,
# handoff notes): their HTML is cleaned after MkDocs renders it.
SANITISED = ("runbooks/", "handoffs/", "postmortems/")
# Pages whose table of contents lists their parts (h2) and the notes in them (h3), not
# every sub-heading: a month of daily handoffs has four sub-headings per note, and
# Material writes the table of contents into the page twice.
SHORT_TOC = ("handoffs/",)
# Material's instant navigation only follows links listed in sitemap.xml, which MkDocs
# writes only with a site_url. Without settings.site_url (or site_url in mkdocs.yml) the
# site uses this reserved, never-resolving address; pages still link relatively.
PLACEHOLDER_SITE_URL = "https://oncall.invalid/"

# What cleaned HTML may contain after MkDocs renders the Markdown.
ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "label", "span", "div", "time", "kbd"}
GENERIC_ATTRIBUTES = {"class", "id", "title", "lang", "dir", "role", "tabindex"}
GENERIC_ATTRIBUTES |= {"aria-label", "aria-current", "aria-hidden", "aria-describedby"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "hreflang", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "style", "scope"},
    "ol": {"start", "type", "reversed"},
    "input": {"type", "checked", "disabled"},
    "time": {"datetime"},
    "code": {"data-lang"},
    "details": {"open"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Rota's navigation when mkdocs.yml has none: each section's index page, in this order
# (sections the organisation does not have are left out; other generated sections follow).
SECTIONS = (
    ("Home", "index.md"),
    ("Teams", "teams/index.md"),
    ("People", "people/index.md"),
    ("Runbooks", "runbooks/index.md"),
    ("Handoffs", "handoffs/index.md"),
    ("Fairness", "fairness/index.md"),
    ("Pay", "pay/index.md"),
    ("Severities", "severities/index.md"),
    ("Postmortems", "postmortems/index.md"),
    ("Actions", "actions/index.md"),
    ("Incidents", "incidents/index.md"),
)
# A navigation with more pages than this makes every page heavy (MkDocs writes the
# whole navigation into each one): warn.
LARGE_NAV = 150


def rota_nav(generated: Mapping[str, object], own_pages: list[str]) -> list[Any]:
    """Rota's sections (index pages only), then the site's own pages nested as MkDocs
    nests them when mkdocs.yml has no ``nav``."""
    from mkdocs.utils import nest_paths

    known = {path for _, path in SECTIONS}
    nav: list[Any] = [{title: path} for title, path in SECTIONS if path in generated]
    for path in sorted(generated):
        parts = path.split("/")
        if len(parts) == 2 and parts[1] == "index.md" and path not in known:
            nav.append({parts[0].replace("-", " ").capitalize(): path})
    return nav + nest_paths(own_pages)


def nav_pages(nav: Any) -> int:
    """How many page entries (not sections, not external links) a nav holds."""
    if isinstance(nav, list):
        return sum(nav_pages(item) for item in nav)
    if isinstance(nav, dict):
        return sum(nav_pages(value) for value in nav.values())
    if isinstance(nav, str):
        return 0 if "://" in nav else 1
    return 0


def large_nav_warning(count: int) -> str:
    return (
        f"the navigation lists {count} pages and MkDocs writes all of it into every page, "
        "so every page grows with it: list section index pages only and put the rest in "
        "`not_in_nav`, or remove `nav` and let Rota supply its sectioned navigation"
    )


def sanitise_html(html: str) -> str:
    """Page HTML with scripts, event handlers, frames, forms and unsafe URLs removed.

    Markdown's own output (headings, lists, tables, code, admonitions, links to
    http(s), mailto and pages of the site, images) passes unchanged.
    """
    attributes = {tag: set(attrs) | GENERIC_ATTRIBUTES for tag, attrs in ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = set(GENERIC_ATTRIBUTES)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=attributes,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def prune_nav(nav: Any, present: set[str]) -> Any:
    """The nav without entries for pages that do not exist (absent pages break strict builds)."""
    if isinstance(nav, list):
        kept = [prune_nav(item, present) for item in nav]
        return [item for item in kept if item is not None]
    if isinstance(nav, dict):
        out = {}
        for title, value in nav.items():
            pruned = prune_nav(value, present)
            if pruned is not None and pruned != []:
                out[title] = pruned
        return out or None
    if isinstance(nav, str):
        if "://" in nav or not nav.endswith(".md"):
            return nav
        return nav if posixpath.normpath(nav) in present else None
    return nav


def trim_toc(items: Any, depth: int) -> None:
    """Drop table-of-contents entries deeper than ``depth`` (1 is the page title)."""
    for item in items:
        if item.level >= depth:
            item.children = []
        else:
            trim_toc(item.children, depth)


def directory_url(src: str) -> str:
    """Where a page built from ``src`` lives with directory URLs: ``runbooks/x.md`` →
    ``runbooks/x/``, ``teams/index.md`` → ``teams/``, ``index.md`` → ``""``."""
    parent, name = posixpath.split(src)
    stem = posixpath.splitext(name)[0]
    folder = parent if stem in ("index", "README") else posixpath.join(parent, stem)
    return folder + "/" if folder else ""


# A raw HTML block of a generated page, lifted out of Markdown's way (see the docstring).
# ``<!--rota:html unsearched-->`` ... ``<!--/rota:html unsearched-->``: a block the search
# index leaves out (a routine handoff note: its facts are on the people's and team's pages,
# and a search for a name should find the person, not a year of notes).
HTML_BLOCK = re.compile(
    r"^<!--rota:html((?: unsearched)?)-->\n(.*?)\n<!--/rota:html\1-->$", re.M | re.S
)
# Pages whose body is a repository writer's Markdown (runbooks, postmortems): never
# lifted, so a marker written in them (say in a code block) stays what Markdown makes of it.
AUTHORED = re.compile(r"runbooks/|postmortems/[^/]+/")


def liftable(src: str) -> bool:
    """Whether the HTML blocks of the generated page built from ``src`` are lifted."""
    return AUTHORED.match(src) is None


# The end of one block and the start of the next, with only blank lines between.
ADJACENT_BLOCKS = re.compile(
    r"^<!--/rota:html((?: unsearched)?)-->\n(?:[ \t]*\n)*<!--rota:html\1-->\n", re.M
)
# A heading written in a lifted block, with its id (see ``with_permalinks``).
BLOCK_HEADING = re.compile(r'<(h[1-6]) id="([^"]+)">(.*?)</\1>')


def lift_html(
    markdown: str, mark: str, permalink: tuple[str, str, str, bool] | None = None
) -> tuple[str, list[str], set[int]]:
    """The page with each marked HTML block replaced by a paragraph ``{mark}x{n}``, the
    blocks, and the numbers of those the search index leaves out (``unsearched``).
    ``mark`` is letters and digits only, so Markdown leaves it as it is. Blocks of a kind
    with only blank lines between them are one block (one paragraph less for Markdown to
    parse); headings in them get ``permalink`` (see ``with_permalinks``)."""
    blocks: list[str] = []
    unsearched: set[int] = set()
    markdown = ADJACENT_BLOCKS.sub("", markdown)

    def keep(match: re.Match[str]) -> str:
        if match.group(1):
            unsearched.add(len(blocks))
        html = match.group(2)
        blocks.append(with_permalinks(html, permalink) if permalink and "<h" in html else html)
        # blank lines around: a paragraph of its own whatever the template put next to it
        return f"\n{mark}x{len(blocks) - 1}\n"

    return HTML_BLOCK.sub(keep, markdown), blocks, unsearched


def toc_permalink(config: MkDocsConfig) -> tuple[str, str, str, bool] | None:
    """The permalink Python-Markdown's ``toc`` extension adds to headings with this
    site's configuration (text as HTML, class, title, leading), or None without one."""
    if "toc" not in [str(e) for e in config.markdown_extensions]:
        return None
    return permalink_of(config.mdx_configs.get("toc") or {})


def permalink_of(options: Mapping[str, Any]) -> tuple[str, str, str, bool] | None:
    """The permalink of ``toc`` extension options (see ``toc_permalink``)."""
    link = options.get("permalink", False)
    if not link:
        return None
    text = "&para;" if link is True else html_escape(str(link), quote=False)
    if link is not True and re.fullmatch(r"&#?\w+;", str(link)):
        text = str(link)  # an entity, as the extension writes it
    return (
        text,
        str(options.get("permalink_class", "headerlink")),
        str(options.get("permalink_title", "Permanent link")),
        bool(options.get("permalink_leading", False)),
    )


def with_permalinks(html: str, permalink: tuple[str, str, str, bool]) -> str:
    """Each ``<hN id="x">`` heading of a lifted block with the permalink the site's
    ``toc`` extension gives its Markdown headings."""
    text, css, title, leading = permalink
    title_attr = f' title="{html_escape(title)}"' if title else ""

    def link(match: re.Match[str]) -> str:
        tag, anchor, inner = match.groups()
        a = f'<a class="{html_escape(css)}" href="#{anchor}"{title_attr}>{text}</a>'
        inner = a + inner if leading else inner + a
        return f'<{tag} id="{anchor}">{inner}</{tag}>'

    return BLOCK_HEADING.sub(link, html)


def restore_html(html: str, mark: str, blocks: list[str]) -> str:
    """The page's HTML with each placeholder paragraph replaced by its block."""
    if not blocks:
        return html
    return re.sub(rf"<p>{mark}x(\d+)</p>", lambda m: blocks[int(m.group(1))], html)


# What Material's search index keeps of a page's HTML (material/plugins/search/plugin.py,
# ``Parser``): the text, of the markup only these tags, bare, and headings with an id,
# where its sections start. Every other tag costs its HTML parser a Python call and
# leaves nothing in the index.
TAG_REST = r"(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"  # a tag's attributes (quoted '>' too) and end
SEARCH_DROPPED_TAG = re.compile(
    r"</?(?!(?:p|code|li|ol|ul|sub|sup|h[1-6])\b)[a-z][^\s/>]*" + TAG_REST, re.I
)
# Tags between words: Material's parser drops them and runs the cells of a table row
# together ("Ana Ngstandard103.50"); the copy leaves a space, so each is a word to search.
SEARCH_BETWEEN_WORDS = re.compile(
    r"</?(?:td|th|tr|dd|dt|div|br|table|thead|tbody|caption|figure|figcaption|section)\b"
    + TAG_REST,
    re.I,
)
# A heading, kept as written: its title is the index's, white space and all.
SEARCH_HEADING = re.compile(r"<h([1-6])\b" + TAG_REST + r".*?</h\1\s*>", re.I | re.S)
# What makes the index read a block other than as text and those tags: ``pre`` keeps its
# white space, some elements are skipped with their content.
SEARCH_AS_WRITTEN = re.compile(
    r"<(?:pre|script|style|object|textarea)\b|data-search-|linenodiv|<!\[", re.I
)


def search_copy(block: str) -> str:
    """A lifted block as Material's search index reads it: the same text, kept tags and
    headings, without the tags it drops (a table's cells, links, spans, an SVG's shapes).
    The index made of it has the same sections, titles and text, but for white space in
    the text: a table's cells, run together by Material's parser, are words of their own
    here (a test builds the sample site both ways). Headings are kept as written; Rota
    writes them at the block's top level, as the index's sections need. A block with
    anything the index treats otherwise is kept as it is."""
    if SEARCH_AS_WRITTEN.search(block):
        return block
    out, at = [], 0
    for heading in SEARCH_HEADING.finditer(block):
        out += [_search_text(block[at : heading.start()]), heading.group(0)]
        at = heading.end()
    out.append(_search_text(block[at:]))
    return "".join(out)


def _search_text(html: str) -> str:
    """HTML without headings as the search copy has it (see ``search_copy``)."""
    return SEARCH_DROPPED_TAG.sub("", SEARCH_BETWEEN_WORDS.sub(" ", html))


def material_search_index(config: MkDocsConfig) -> Any:
    """Material's search index for this build, or None (no search, or another plugin)."""
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        if plugin is None or not type(plugin).__module__.startswith("material.plugins.search"):
            continue
        if not getattr(plugin, "config", {}).get("enabled", True):
            return None
        index = getattr(plugin, "search_index", None)
        if callable(getattr(index, "add_entry_from_context", None)):
            return index
    return None


class SearchCopies:
    """Material's ``SearchIndex.add_entry_from_context`` reading each page in ``pages``
    from its search copy instead of its HTML; the page's HTML is put back at once."""

    def __init__(self, add: Any) -> None:
        self.add = add
        self.pages: dict[str, str] = {}

    def __call__(self, page: Page) -> Any:
        copy = self.pages.pop(page.file.src_uri, None)
        if copy is None:
            return self.add(page)
        content, page.content = page.content, copy
        try:
            return self.add(page)
        finally:
            page.content = content


HREF = re.compile(r'(<a\b[^>]*?\bhref=")([^"]*)(")')


def file_links(html: str, src: str, dest: str, dests: set[str]) -> str:
    """Links written for directory URLs (``href="../people/ana/"``), made to name the file
    when the site has none (``use_directory_urls: false``, as offline):
    ``../people/ana/index.html``, or ``x.html`` for a page built from ``x.md``.

    Rota's pages (and raw HTML in anyone's pages) write links to a folder relative to the
    page's directory URL; opened from disk a folder shows a file listing, not its
    index.html. Only relative links whose path ends in ``/`` are changed: MkDocs has
    already made Markdown links to ``.md`` files right."""
    here = directory_url(src)
    at = posixpath.dirname(dest)

    def fix(match: re.Match[str]) -> str:
        href = html_unescape(match.group(2))
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.endswith("/"):
            return match.group(0)
        if parts.path.startswith("/"):
            return match.group(0)
        folder = posixpath.normpath(posixpath.join(here, parts.path))
        folder = "" if folder == "." else folder
        if folder.startswith(".."):
            return match.group(0)
        index = posixpath.join(folder, "index.html")
        target = index
        if index not in dests and folder and f"{folder}.html" in dests:
            target = f"{folder}.html"
        new = posixpath.relpath(target, at or ".")
        new += (f"?{parts.query}" if parts.query else "") + (
            f"#{parts.fragment}" if parts.fragment else ""
        )
        return match.group(1) + html_escape(new, quote=True) + match.group(3)

    return HREF.sub(fix, html)


def offline_plugin_on(config: MkDocsConfig) -> bool:
    """Whether Material's ``offline`` plugin builds this site for opening from disk."""
    for name in ("material/offline", "offline"):
        plugin = config.plugins.get(name)
        if plugin is not None:
            return bool(getattr(plugin, "config", {}).get("enabled", True))
    return False


def check_paths(files: Mapping[str, str | bytes]) -> None:
    """Every generated path stays inside the docs folder (ids are slugs; this is a backstop)."""
    for rel in files:
        norm = posixpath.normpath(rel)
        if rel.startswith("/") or norm.startswith("..") or norm != rel or "\\" in rel:
            raise PluginError(f"refusing to generate a file outside the docs folder: {rel!r}")


def parse_now(text: str | None) -> datetime:
    """The plugin's present: ``now:`` or ROTA_NOW (ISO 8601), else the clock."""
    value = text or os.environ.get("ROTA_NOW") or "now"
    if value == "now":
        return datetime.now(UTC).replace(microsecond=0)
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PluginError(f"rota: now '{value}' is not an ISO 8601 instant") from None
    if at.tzinfo is None:
        raise PluginError(f"rota: now '{value}' needs an offset or Z")
    return at


class RotaPluginConfig(Config):
    root = c.Optional(c.Type(str))  # the organisation's folder; default: beside mkdocs.yml
    now = c.Optional(c.Type(str))  # ISO 8601; default: ROTA_NOW, else the clock
    # rebuild only the pages whose Markdown changed since the last build into the same
    # site folder (``rota serve``; see ``publish.incremental``)
    incremental = c.Type(bool, default=False)


class RotaPlugin(BasePlugin[RotaPluginConfig]):
    """Adds the on-call pages, assets and feeds as generated files."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.preset: dict[str, str | bytes] | None = None
        self.generated: dict[str, str | bytes] = {}
        self.site_url: str | None = None
        self.supply_nav = False  # mkdocs.yml has no nav: Rota supplies one in on_files
        self.advice: list[str] = []  # warnings about mkdocs.yml, for `rota build` to print
        self.dests: set[str] | None = None  # every file the site has (offline link rewriting)
        self.clean_docs = False  # settings.site.clean_docs: clean the site's own pages too
        # raw HTML blocks lifted out of the page being rendered (see lift_html); the mark
        # is new for every build, so no page's own text can name a placeholder
        self.mark = "rotahtml" + secrets.token_hex(8)
        self.lifted: dict[str, tuple[list[str], set[int]]] = {}
        # what Material's search index reads of a page with lifted blocks (search_copy)
        self.search_pages: dict[str, str] = {}
        # the permalink the site's toc extension gives headings (toc_permalink), per build
        self.permalink: tuple[str, str, str, bool] | None = None
        self.tracker: Any = None  # an incremental build's (``publish.incremental.Tracker``)

    def advise(self, message: str) -> None:
        """A warning about the site's mkdocs.yml. Under `rota build` (which fails on any
        MkDocs warning) it is handed back to print; under plain MkDocs it is logged."""
        if self.preset is not None:
            if message not in self.advice:
                self.advice.append(message)
        else:
            log.warning("rota: %s", message)

    def use_files(
        self,
        files: Mapping[str, str | bytes],
        site_url: str | None = None,
        clean_docs: bool = False,
    ) -> None:
        """Use files rendered already (by ``rota build``) instead of rendering again."""
        self.preset = dict(files)
        self.site_url = site_url
        self.clean_docs = clean_docs

    def organisation_root(self, config: MkDocsConfig) -> Path:
        if self.config.root:
            base = Path(config.config_file_path or ".").parent
            return (base / self.config.root).resolve()
        return Path(config.config_file_path or "mkdocs.yml").resolve().parent

    def render(self, config: MkDocsConfig) -> dict[str, str | bytes]:
        from generator.pipeline import load_org, site_files

        root = self.organisation_root(config)
        now = parse_now(self.config.now)
        try:
            loaded = load_org(root, now)
            _, files = site_files(loaded, now)
            self.site_url = loaded.org.settings.site_url
            self.clean_docs = loaded.org.settings.clean_docs
        except InvalidInput as exc:
            lines = "\n".join(str(d) for d in exc.diagnostics)
            raise PluginError(f"rota: the organisation in {root} is invalid:\n{lines}") from None
        return files

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        files = self.preset if self.preset is not None else self.render(config)
        check_paths(files)
        self.generated = dict(files)
        if EXTRA_CSS not in [str(x) for x in config.extra_css]:
            config.extra_css.append(EXTRA_CSS)
        if EXTRA_JS not in [str(x) for x in config.extra_javascript]:
            config.extra_javascript.append(EXTRA_JS)
        self._add_overrides(config)
        self.permalink = toc_permalink(config)
        if offline_plugin_on(config):
            from generator.render.site import OFFLINE_WORKER, offline_files

            self.generated.update(offline_files(self.generated))
            config.extra["polyfills"] = [
                *(p for p in config.extra.get("polyfills", []) if "iframe-worker" not in str(p)),
                OFFLINE_WORKER,
            ]
            features = config.theme.get("features")
            if isinstance(features, list):
                features[:] = [f for f in features if not str(f).startswith("navigation.instant")]
        if not config.site_url:
            config.site_url = (self.site_url or PLACEHOLDER_SITE_URL).rstrip("/") + "/"
        self.supply_nav = config.nav is None
        if config.nav is not None:
            docs = Path(config.docs_dir)
            present = {p for p in files if p.endswith(".md")}
            present |= {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")}
            config.nav = prune_nav(config.nav, present) or []
            count = nav_pages(config.nav)
            if count > LARGE_NAV:
                self.advise(large_nav_warning(count))
        return config

    def _add_overrides(self, config: MkDocsConfig) -> None:
        from generator.templates import templates_folder

        dirs = config.theme.dirs
        at = 1 if config.theme.custom_dir else 0
        org = self.organisation_root(config) / "site_templates" / "overrides"
        for folder in (templates_folder() / "overrides", org):
            if folder.is_dir() and str(folder) not in dirs:
                dirs.insert(at, str(folder))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        self.dests = None
        for path in sorted(self.generated):
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            # generated pages stay out of the navigation: a nav may still list them
            inclusion = (
                InclusionLevel.NOT_IN_NAV if path.endswith(".md") else InclusionLevel.UNDEFINED
            )
            files.append(
                File.generated(config, path, content=self.generated[path], inclusion=inclusion)
            )
        if self.supply_nav:
            own = sorted(
                (
                    f
                    for f in files.documentation_pages()
                    if f.src_uri not in self.generated and f.inclusion.is_in_nav()
                ),
                key=file_sort_key,
            )
            config.nav = rota_nav(self.generated, [f.src_uri for f in own])
            count = nav_pages(config.nav)
            if count > LARGE_NAV:
                self.advise(large_nav_warning(count))
        if self.tracker is None and self.config.incremental:
            from generator.publish.incremental import served_tracker

            self.tracker = served_tracker(config)
        if self.tracker is not None:
            self.tracker.on_files(files, config)
        return files

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        src = page.file.src_uri
        if src not in self.generated or not liftable(src) or "<!--rota:html" not in markdown:
            return markdown
        markdown, blocks, unsearched = lift_html(markdown, self.mark, self.permalink)
        self.lifted[src] = (blocks, unsearched)
        return markdown

    @event_priority(100)  # before Material's search plugin indexes the page
    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        """Have Material's search index read the page's search copy (``search_copy``)
        while it indexes the page, and the page stay as it is for everything else."""
        copy = self.search_pages.pop(page.file.src_uri, None)
        index = material_search_index(config) if copy is not None else None
        if copy is None or index is None:
            return context
        add = index.add_entry_from_context
        if not isinstance(add, SearchCopies):
            add = index.add_entry_from_context = SearchCopies(add)
        add.pages[page.file.src_uri] = copy
        return context

    @event_priority(50)  # before Material's search plugin writes its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.tracker is not None:
            self.tracker.before_search_index(config)

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        src = page.file.src_uri
        blocks, unsearched = self.lifted.pop(src, ([], set()))
        if blocks and material_search_index(config) is not None:
            copies = ["" if n in unsearched else search_copy(b) for n, b in enumerate(blocks)]
            self.search_pages[src] = restore_html(html, self.mark, copies)
        html = restore_html(html, self.mark, blocks)
        if src in self.generated and src.startswith(SHORT_TOC):
            trim_toc(page.toc, 3)
        if src in self.generated:
            if src.startswith(SANITISED):
                html = sanitise_html(html)
        elif self.clean_docs:
            html = sanitise_html(html)
        if not config.use_directory_urls:
            if self.dests is None:
                self.dests = {f.dest_uri for f in files}
            html = file_links(html, src, page.file.dest_uri, self.dests)
        return html
