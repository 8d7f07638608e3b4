"""The navigation Rota supplies when mkdocs.yml has none, and how it sizes one it is given."""

from __future__ import annotations

from generator.mkdocs_plugin import LARGE_NAV, nav_pages, rota_nav, trim_toc


def test_rota_nav_lists_section_index_pages_in_order_then_the_sites_own_pages() -> None:
    generated = {
        "index.md": "",
        "teams/index.md": "",
        "teams/payments/index.md": "",
        "people/index.md": "",
        "people/alice/index.md": "",
        "runbooks/index.md": "",
        "runbooks/by-service/index.md": "",
        "runbooks/payments/db.md": "",
        "handoffs/index.md": "",
        "fairness/index.md": "",
        "fairness/payments/index.md": "",
        "severities/index.md": "",
        "incidents/index.md": "",
        "status/index.md": "",  # a section Rota adds later: after the known ones
        "assets/rota.css": "",
    }
    own = ["about.md", "guides/paging.md", "guides/tools/pagerduty.md"]
    assert rota_nav(generated, own) == [
        {"Home": "index.md"},
        {"Teams": "teams/index.md"},
        {"People": "people/index.md"},
        {"Runbooks": "runbooks/index.md"},
        {"Handoffs": "handoffs/index.md"},
        {"Fairness": "fairness/index.md"},
        # no pay page (publish_pay off): no Pay entry
        {"Severities": "severities/index.md"},
        {"Incidents": "incidents/index.md"},
        {"Status": "status/index.md"},
        "about.md",
        {"Guides": ["guides/paging.md", {"Tools": ["guides/tools/pagerduty.md"]}]},
    ]


def test_nav_pages_counts_pages_not_sections_or_external_links() -> None:
    nav = [
        {"Home": "index.md"},
        {"Guides": ["a.md", {"More": ["b.md", "c.md"]}]},
        {"Status": "https://status.example.com/"},
    ]
    assert nav_pages(nav) == 4
    assert nav_pages([f"p{i}.md" for i in range(LARGE_NAV + 1)]) > LARGE_NAV


class Entry:
    def __init__(self, level: int, children: list[Entry]):
        self.level = level
        self.children = children


def test_trim_toc_keeps_the_title_and_its_sections_only() -> None:
    h3 = Entry(3, [])
    sections = [Entry(2, [h3]), Entry(2, [])]
    toc = [Entry(1, sections)]
    trim_toc(toc, 2)
    assert toc[0].children == sections
    assert [s.children for s in sections] == [[], []]
