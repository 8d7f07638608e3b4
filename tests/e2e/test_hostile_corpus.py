"""One hostile corpus through every page kind: every text field of the inputs and every
kind of Markdown body (runbooks in Markdown and YAML, postmortems, handoff notes, the
site's own pages) holds the same list of hostile strings; after `rota build`, no page
has a live script, event handler, javascript:/data: URL, frame, embedded object, form
or refresh, and the text fields still show the hostile strings as text.

Repository writers are not trusted to run script in readers' browsers."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-27T12:00:00Z"

# Hostile strings; every one carries "alert(" so a script that survives is found.
CORPUS = [
    '<script>alert("s1")</script>',
    '<img src=x onerror=alert("s2")>',
    '[click](javascript:alert("s3"))',
    '![pic](javascript:alert("s4"))',
    '<a href="data:text/html,<script>alert(5)</script>">d</a>',
    '<a href="jav&#x09;ascript:alert(6)">t</a>',
    '<iframe src="https://evil.example/alert(7)"></iframe>',
    '<form action="https://evil.example/alert(8)"><input name=q></form>',
    '{: onclick="alert(9)" }',
    "<svg onload=alert(10)>",
    "<details open ontoggle=alert(11)>x</details>",
    '<object data="javascript:alert(12)"></object><embed src="javascript:alert(13)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(14)">',
    '<base href="javascript:alert(15)//">',
    "<style>body{display:none}</style><!-- alert(16) -->",
    "<https://evil.example/alert(17)> *x* _y_ `z` | a | b |",
]
# One line holding the whole corpus: what a one-line field (a name, a title) gets.
LINE = " ".join(CORPUS)
# Markdown bodies get each hostile string on its own and as Markdown constructs of their own.
BODY_TAIL = "\n\n".join(
    [
        *CORPUS,
        'A paragraph with an attribute list\n{: onclick="alert(20)" }',
        '## Heading {: onmouseover="alert(21)" }',
        '<div markdown="1" onclick="alert(22)">**inside**</div>',
        "[reference link][evil]\n\n[evil]: javascript:alert(23)",
        '<a href=" javascript:alert(24)">spaced</a>',
        '<p style="background:url(javascript:alert(25))">styled</p>',
        "```html\n<script>alert(26)</script>\n```",
        "Still Markdown: **bold** and a [good link](https://example.com/ok).",
    ]
)


def field(label: str) -> str:
    """A one-line field's value: its label, then the corpus."""
    return f"{label} {LINE}"


def postmortem_body() -> str:
    sections = ["Summary", "Impact", "Timeline", "Root Cause", "Contributing Factors"]
    parts = [f"## {name}\n\nWhat happened.\n" for name in sections]
    return "\n".join(parts) + "\n## Action Items\n\nSee above.\n\n" + BODY_TAIL + "\n"


def runbook_body() -> str:
    return (
        "## Meaning\n\nText.\n\n## Impact\n\nText.\n\n## Diagnosis\n\nText.\n\n"
        "## Mitigation\n\nText.\n\n" + BODY_TAIL + "\n"
    )


def write_yaml(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


def front_matter(meta: dict[str, object], body: str) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body


def hostile_org(root: Path) -> Path:
    people = [
        {
            "id": pid,
            "name": field(f"person-{pid}"),
            "email": f"{pid}@example.com",
            "timezone": "Europe/London",
            "holidays": "GB-ENG",
            "leave": [{"from": "2026-12-14", "to": "2026-12-15", "note": field("leave")}]
            if pid == "ann"
            else [],
        }
        for pid in ("ann", "bob", "cat")
    ]
    doc = {
        "settings": {
            "organisation": field("organisation"),
            "timezone": "Europe/London",
            "site": {"publish_pay": True, "clean_docs": True},
        },
        "severities": [
            {
                "id": "SEV-1",
                "name": field("severity-name"),
                "description": field("severity-description"),
                "response": field("severity-response"),
            }
        ],
        "people": people,
        "teams": [
            {
                "id": "web",
                "name": field("team-name"),
                "description": field("team-description"),
                "timezone": "Europe/London",
                "services": [field("service")],
                "handoff_checklist": [field("checklist")],
                "rotations": [
                    {
                        "id": "primary",
                        "name": field("rotation-name"),
                        "members": ["ann", "bob", "cat"],
                        "start": "2026-11-02 09:00",
                        "shift": "1w",
                    }
                ],
                "escalation": {"levels": [{"after": "0m", "notify": ["primary"]}]},
            }
        ],
        "overrides": [
            {
                "team": "web",
                "rotation": "primary",
                "from": "2026-12-01 09:00",
                "to": "2026-12-02 09:00",
                "person": "cat",
                "note": field("override-note"),
            }
        ],
        "incidents": [
            {
                "id": "INC-1",
                "title": field("incident-title"),
                "severity": "SEV-1",
                "team": "web",
                "started": "2026-11-20T10:00:00Z",
                "acknowledged": "2026-11-20T10:05:00Z",
                "resolved": "2026-11-20T11:00:00Z",
                "responders": ["ann"],
                "alerts": [field("alert")],
                "services": [field("service")],
            }
        ],
        "handoffs": [
            {
                "team": "web",
                "rotation": "primary",
                "date": "2026-11-23",
                "author": "ann",
                "notes": field("handoff-note") + "\n\n" + BODY_TAIL,
            }
        ],
        "pay": {
            "currency": "GBP",
            "default_policy": "standard",
            "policies": {
                "standard": {"standby": {"unit": "hour", "weekday": 1, "weekend": 2, "holiday": 3}}
            },
        },
    }
    write_yaml(root / "rotations" / "org.yaml", doc)
    meta = {
        "title": field("runbook-title"),
        "team": "web",
        "service": field("service"),
        "alerts": [field("alert")],
        "severity": "SEV-1",
        "last_reviewed": "2026-11-01",
        "tags": [field("tag")],
        "dashboards": [{"name": field("dashboard"), "url": "https://grafana.example.com/d/x"}],
    }
    (root / "runbooks" / "web").mkdir(parents=True)
    (root / "runbooks" / "web" / "shop-down.md").write_text(
        front_matter(meta, runbook_body()), encoding="utf-8"
    )
    write_yaml(
        root / "runbooks" / "web" / "steps.yaml",
        {
            "title": field("yaml-runbook-title"),
            "team": "web",
            "last_reviewed": "2026-11-01",
            "summary": field("summary") + "\n" + BODY_TAIL,
            "steps": [
                {
                    "title": field("step-title"),
                    "run": "echo '" + LINE.replace("'", "") + "'",
                    "expect": field("step-expect") + "\n" + BODY_TAIL,
                    "notes": field("step-notes") + "\n" + BODY_TAIL,
                }
            ],
        },
    )
    pm_meta = {
        "incident": "INC-1",
        "status": "draft",
        "authors": ["ann"],
        "action_items": [
            {
                "id": "A1",
                "title": field("action-title"),
                "owner": "ann",
                "priority": "P1",
                "type": "prevent",
                "due": "2026-12-20",
                "link": "https://tracker.example.com/A1",
            }
        ],
    }
    (root / "postmortems").mkdir()
    (root / "postmortems" / "INC-1.md").write_text(
        front_matter(pm_meta, postmortem_body()), encoding="utf-8"
    )
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text(
        "# About this site\n\nOur own page.\n\n" + BODY_TAIL + "\n", encoding="utf-8"
    )
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile_org(tmp_path_factory.mktemp("corpus"))
    result = CliRunner().invoke(
        cli, ["--root", str(root), "build", "--now", NOW, "--out", str(root / "site")]
    )
    assert result.exit_code == 0, result.output
    return root / "site"


UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "srcset"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "base", "applet"}


class Live(HTMLParser):
    """What a browser would run, follow or submit in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._script = False
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script, self._style = tag == "script", tag == "style"
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        # the theme's own forms (search, colour palette) submit nowhere
        theme_form = (values.get("class") or "").startswith("md-") and "action" not in values
        if tag == "form" and not theme_form:
            self.problems.append(f"<form {values}>")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value}>")
            squeezed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(UNSAFE_SCHEMES):
                self.problems.append(f"<{tag} {name}={value}>")
            if name == "style" and "javascript:" in squeezed:
                self.problems.append(f"<{tag} style={value}>")

    def handle_endtag(self, tag: str) -> None:
        self._script = self._style = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert(" in data:
            self.problems.append(f"<script>{data[:60]}")
        elif self._style and "display:none" in data.replace(" ", ""):
            self.problems.append(f"<style>{data[:60]}")
        elif not self._script and not self._style:
            self.text.append(data)


def read(page: Path) -> Live:
    found = Live()
    found.feed(page.read_text(encoding="utf-8"))
    return found


def test_no_page_has_live_script_handler_unsafe_url_frame_or_form(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    kinds = {p.relative_to(site).parts[0] for p in pages}
    # every page kind was built from the hostile organisation
    for kind in ["people", "teams", "runbooks", "handoffs", "postmortems", "actions"]:
        assert kind in kinds, kind
    for kind in ["severities", "incidents", "fairness", "pay", "about", "index.html"]:
        assert kind in kinds, kind
    problems = {str(p.relative_to(site)): read(p).problems for p in pages}
    assert {page: found for page, found in problems.items() if found} == {}


# (page, the label of a one-line field the page shows)
SHOWN = [
    ("people/ann/index.html", "person-ann"),
    ("teams/web/index.html", "team-name"),
    ("teams/web/index.html", "rotation-name"),
    ("teams/web/index.html", "team-description"),
    ("runbooks/web/shop-down/index.html", "runbook-title"),
    ("runbooks/web/shop-down/index.html", "service"),
    ("runbooks/web/shop-down/index.html", "dashboard"),
    ("runbooks/web/steps/index.html", "yaml-runbook-title"),
    ("runbooks/web/steps/index.html", "step-title"),
    ("postmortems/inc-1/index.html", "incident-title"),
    ("postmortems/inc-1/index.html", "service"),
    ("postmortems/inc-1/index.html", "action-title"),
    ("actions/index.html", "action-title"),
    ("severities/index.html", "severity-name"),
    ("severities/index.html", "severity-response"),
    ("handoffs/web/2026-11/index.html", "handoff-note"),
    ("handoffs/web/2026-11/index.html", "checklist"),
]


@pytest.mark.parametrize(("page", "label"), SHOWN)
def test_hostile_text_is_shown_as_written(site: Path, page: str, label: str) -> None:
    shown = " ".join(" ".join(read(site / page).text).split())  # character references read
    assert f"{label} {LINE}" in shown


def test_markdown_bodies_still_render_after_cleaning(site: Path) -> None:
    for page in [
        "runbooks/web/shop-down/index.html",
        "postmortems/inc-1/index.html",
        "about/index.html",
    ]:
        text = (site / page).read_text(encoding="utf-8")
        assert "<strong>bold</strong>" in text, page
        assert '<a href="https://example.com/ok">good link</a>' in text, page
        # the code block shows the script as text
        assert "<script>alert(26)</script>" in "".join(read(site / page).text), page
