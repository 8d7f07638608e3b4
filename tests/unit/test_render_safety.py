"""Text from YAML and runbook Markdown cannot become markup, links or scripts on pages."""

from __future__ import annotations

import html
import re

import markdown

from generator.mkdocs_plugin import check_paths, prune_nav, sanitise_html
from generator.render.site import (
    alert_slug,
    code_fence,
    commonmark_lists,
    md_text,
    page_base,
    safe_url,
)


def render(md: str) -> str:
    """Markdown to HTML the way the site's pages are rendered (tables, attr_list, md_in_html)."""
    return markdown.markdown(md, extensions=["tables", "attr_list", "md_in_html"])


def test_html_in_a_name_is_shown_as_text_not_markup() -> None:
    name = '<img src=x onerror="alert(1)">Eve'
    out = render(f"# {md_text(name)}\n\nOn call: {md_text(name)}\n")
    assert "<img" not in out
    assert "onerror=" not in out
    # The reader still sees the name exactly as written.
    assert html.unescape(re.sub(r"<[^>]+>", "", out)).count(name) == 2


def test_markdown_link_trick_in_a_note_does_not_become_a_link() -> None:
    note = "[Reset your password](javascript:alert(document.cookie)) and ![x](http://evil/x.png)"
    out = render(f"- {md_text(note)}\n")
    assert "<a " not in out
    assert "<img" not in out
    assert "javascript:alert(document.cookie)" in html.unescape(out)


def test_markdown_emphasis_and_table_pipes_in_titles_stay_literal() -> None:
    title = "Disk *full* | on `db-1` _now_"
    out = render(f"| a | b |\n|---|---|\n| {md_text(title)} | x |\n")
    assert "<em>" not in out and "<code>" not in out
    assert out.count("<td>") == 2  # the pipe in the title did not add a cell
    assert html.unescape(re.sub(r"<[^>]+>", "", out)).count(title) == 1


def test_crlf_in_a_note_cannot_start_a_new_markdown_block() -> None:
    note = "fine\r\n\r\n<script>alert(1)</script>\r\n# Heading"
    out = render(md_text(note))
    assert "<script" not in out and "<h1" not in out


def test_only_http_https_and_mailto_urls_become_links() -> None:
    assert safe_url("https://grafana.example.com/d/db") == "https://grafana.example.com/d/db"
    assert safe_url("mailto:oncall@example.com") == "mailto:oncall@example.com"
    for bad in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        'https://x.example/" onmouseover="alert(1)',
        "https://x.example/\nSet-Cookie: a",
        "",
        None,
    ]:
        assert safe_url(bad) is None, bad


def test_sanitiser_removes_scripts_event_handlers_and_javascript_links() -> None:
    dirty = (
        '<h2 id="mitigation">Mitigation</h2>'
        "<script>alert(1)</script>"
        '<p onclick="alert(2)">Restart <a href="javascript:alert(3)">the pool</a> '
        '<img src="x" onerror="alert(4)"></p>'
        '<iframe src="https://evil.example/"></iframe>'
        "<style>body{display:none}</style>"
        '<a href="https://grafana.example.com/d/1" onmouseover="alert(5)">dashboard</a>'
    )
    clean = sanitise_html(dirty)
    assert "alert(" not in clean
    assert "<script" not in clean and "<iframe" not in clean and "<style" not in clean
    assert "javascript:" not in clean
    assert 'href="https://grafana.example.com/d/1"' in clean
    assert '<h2 id="mitigation">Mitigation</h2>' in clean
    assert "Restart" in clean and "the pool" in clean


def test_sanitiser_keeps_what_markdown_runbooks_use() -> None:
    page = (
        '<div class="admonition warning"><p class="admonition-title">Careful</p></div>'
        '<div class="highlight"><pre><span></span><code><span class="n">kubectl</span>'
        "</code></pre></div>"
        '<table><thead><tr><th style="text-align: right;">n</th></tr></thead>'
        '<tbody><tr><td style="text-align: right;">1</td></tr></tbody></table>'
        '<ol start="3"><li>step</li></ol>'
        '<a href="../../teams/payments/">Payments</a>'
        '<a href="#diagnosis" class="headerlink" title="Permanent link">&para;</a>'
    )
    # Unchanged apart from nh3 writing the (allowed) style declaration compactly.
    expected = page.replace("&para;", "¶").replace("text-align: right;", "text-align:right")
    assert sanitise_html(page) == expected


def test_alert_address_is_the_alert_name_in_lower_case() -> None:
    assert alert_slug("CheckoutDBPoolExhausted") == "checkoutdbpoolexhausted"
    assert alert_slug("KubePodCrashLooping") == "kubepodcrashlooping"
    # Nothing in an alert name can leave the alerts folder.
    assert alert_slug("../../etc/passwd") == "etc-passwd"
    assert "/" not in alert_slug("a/b\\c")


def test_generated_paths_must_stay_inside_the_docs_folder() -> None:
    check_paths({"teams/payments/index.md": "", "ical/team-payments.ics": b""})
    for bad in ["../outside.md", "/etc/passwd", "teams/../../x.md", "a\\..\\b.md"]:
        try:
            check_paths({bad: ""})
        except Exception as exc:
            assert "outside the docs folder" in str(exc)
        else:
            raise AssertionError(f"{bad} was accepted")


def test_code_fence_is_longer_than_any_backticks_in_a_step() -> None:
    assert code_fence("echo hi") == "```"
    # A step containing ``` would close a three-backtick fence early: use four.
    assert code_fence("echo ```; rm -rf /") == "````"


def test_commonmark_list_indentation_keeps_code_inside_the_item() -> None:
    source = "1. Check the pool:\n\n   ```sql\n   SELECT 1;\n     -- indented\n   ```\n\n2. Next\n"
    out = commonmark_lists(source)
    assert out == (
        "1. Check the pool:\n\n    ```sql\n    SELECT 1;\n      -- indented\n    ```\n\n2. Next\n"
    )


def test_pages_link_to_the_site_root_from_their_own_address() -> None:
    # index.md is served at /, teams/payments/index.md at /teams/payments/,
    # runbooks/payments/db-pool.md at /runbooks/payments/db-pool/ (three levels deep).
    assert page_base("index.md") == ""
    assert page_base("teams/payments/index.md") == "../../"
    assert page_base("runbooks/payments/db-pool.md") == "../../../"


def test_nav_drops_entries_for_pages_that_are_not_built() -> None:
    nav = [
        {"Home": "index.md"},
        {"Pay": "pay/index.md"},
        {"More": [{"Wiki": "https://wiki.example.com"}, {"Gone": "gone.md"}]},
    ]
    assert prune_nav(nav, {"index.md"}) == [
        {"Home": "index.md"},
        {"More": [{"Wiki": "https://wiki.example.com"}]},
    ]


def test_secret_personal_feed_addresses_are_not_published_on_pages() -> None:
    from dataclasses import replace
    from datetime import datetime
    from pathlib import Path

    from generator.pipeline import horizon_schedule, load_org
    from generator.render.ical import feed_filename, with_feed_key
    from generator.render.site import render_site

    now = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    org = load_org(Path(__file__).parent.parent / "golden" / "pages" / "org", now).org
    org = replace(org, settings=replace(org.settings, feed_secret=True))
    org = with_feed_key(org, "k" * 32)
    pages = render_site(org, horizon_schedule(org, now), now)
    secret = feed_filename(org, "person", "ada")  # ada-<32 hex>.ics
    assert secret.startswith("ada-") and len(secret) == len("ada-.ics") + 32
    person = str(pages["people/ada/index.md"])
    assert secret not in person
    assert "rota ical --person ada --url" in person
    assert not any(secret in str(text) for text in pages.values())
