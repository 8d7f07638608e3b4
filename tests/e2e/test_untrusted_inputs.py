"""What repository writers cannot do to readers and to Rota: script on the site, feeds
that overwrite each other, line breaks that end a calendar line, one person's shifts
sent to another, half-written files, content from outside the repository, formulas in
spreadsheets, escape sequences on terminals, unbounded templates."""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from generator.cli import cli
from generator.mkdocs_plugin import RotaPlugin
from tests.conftest import NOW, write_org

REVIEW_ORG = Path(__file__).resolve().parent.parent / "golden" / "review" / "org"
REVIEW_NOW = "2026-04-10T12:00:00Z"

TWO_PEOPLE = """\
settings: {organisation: Test, timezone: Europe/London}
people:
  - {id: ann, name: Ann Lee, email: ann@example.com, timezone: Europe/London}
  - {id: bob, name: Bob Stone, email: bob@example.com, timezone: Europe/London}
"""


def team(team_id: str, rotation_id: str, name: str = "Team") -> str:
    return f"""\
  - id: {team_id}
    name: {name}
    rotations:
      - {{id: {rotation_id}, members: [ann, bob], start: "2026-11-02 09:00", shift: 1w}}
    escalation: {{levels: [{{after: 0m, notify: [{rotation_id}]}}]}}
"""


def mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def run(root: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--root", str(root), *args, "--now", NOW])


# --- 1. postmortem pages and the site's own pages are cleaned ---------------------------


def page(src_uri: str) -> object:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), toc=[])


HOSTILE_HTML = (
    '<h2 id="summary">Summary</h2><script>alert(1)</script>'
    '<p onclick="alert(2)">Text <a href="javascript:alert(3)">link</a> '
    '<a href="data:text/html,x">data</a></p>'
    '<iframe src="https://evil.example/"></iframe>'
    '<form action="https://evil.example/"><input name="q"></form>'
)


# what MkDocs hands the plugin for a site served by a web server (directory URLs)
SERVED = SimpleNamespace(use_directory_urls=True)


def test_postmortem_page_html_is_cleaned_after_mkdocs_renders_it() -> None:
    plugin = RotaPlugin()
    plugin.generated = {"postmortems/inc-1/index.md": ""}
    out = plugin.on_page_content(
        HOSTILE_HTML, page=page("postmortems/inc-1/index.md"), config=SERVED, files=None
    )
    assert out is not None
    for live in ["<script", "onclick", "javascript:", "data:", "<iframe", "<form"]:
        assert live not in out
    assert '<h2 id="summary">Summary</h2>' in out and "Text" in out and "link" in out


def test_own_pages_are_cleaned_only_when_the_site_opts_in() -> None:
    plugin = RotaPlugin()
    plugin.generated = {}
    about = page("about.md")
    assert plugin.on_page_content(HOSTILE_HTML, page=about, config=SERVED, files=None) == (
        HOSTILE_HTML
    )
    plugin.clean_docs = True
    out = plugin.on_page_content(HOSTILE_HTML, page=about, config=SERVED, files=None)
    assert out is not None and "<script" not in out and "onclick" not in out


def test_postmortem_new_escapes_what_it_copies_from_the_incident_log(tmp_path: Path) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    org = root / "rotations" / "org.yaml"
    org.write_text(
        org.read_text()
        .replace("title: Search errors", 'title: "<script>alert(1)</script> [x](javascript:a)"')
        .replace("services: [search]}", 'services: ["<img src=x onerror=alert(2)>"]}')
        .replace("alerts: [SearchErrors]", 'alerts: ["{: onclick=alert(3) }"]')
    )
    result = CliRunner().invoke(
        cli, ["--root", str(root), "postmortem", "new", "INC-2", "--now", REVIEW_NOW]
    )
    assert result.exit_code == 0, result.output
    text = (root / "postmortems" / "INC-2.md").read_text()
    assert "<script>" not in text and "<img" not in text and "[x](javascript" not in text
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](javascript:a). A SEV-1 (Critical) "
        "incident of Web" in text
    )
    assert "Services: &lt;img src=x onerror=alert(2)&gt;. Alerts: \\{: onclick=alert(3) \\}." in (
        text
    )


def postmortem_new_limited(root: Path) -> subprocess.CompletedProcess[str]:
    """``rota postmortem new INC-2`` in a process of at most 2 GiB, so that a template
    that would allocate without bound fails the test instead of exhausting the machine."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    return subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "--root",
            str(root),
            "postmortem",
            "new",
            "INC-2",
            "--now",
            REVIEW_NOW,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limit,
    )


@pytest.mark.parametrize(
    "body",
    [
        '{{ "x" * 10000000000 }}',
        "{{ 10 ** 10 ** 10 ** 10 ** 10 ** 10 }}",
        '{{ "{:>9999999999}".format(1) }}',
        "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s | length }}",
        "{% set ns = namespace(n=10) %}{% for i in range(64) %}{% set ns.n = ns.n * ns.n %}"
        "{% endfor %}{{ ns.n }}",
    ],
)
def test_a_postmortem_template_cannot_allocate_without_bound(tmp_path: Path, body: str) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    (root / "postmortems" / "_template.md").write_text("---\nincident: x\n---\n" + body)
    result = postmortem_new_limited(root)
    assert result.returncode == 1
    assert "\npostmortems/_template.md:4:1: error: template: " in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "postmortems" / "INC-2.md").exists()


def test_a_postmortem_template_cannot_write_without_bound(tmp_path: Path) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    (root / "postmortems" / "_template.md").write_text(
        "{% for i in range(99999) %}{% for j in range(99999) %}xxxxxxxxxx{% endfor %}{% endfor %}"
    )
    result = postmortem_new_limited(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "postmortems/_template.md:1:1: error: template: the template writes more than 1024 KiB"
    )


# --- 3. feed and export file names are unique by construction ---------------------------


def test_pager_feeds_of_rotations_whose_joined_names_are_equal_are_both_published(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from generator.pipeline import load_org, render_all

    root = write_org(
        tmp_path,
        TWO_PEOPLE
        + "teams:\n"
        + team("a-b", "c", "First")
        + team("a", "b-c", "Second")
        + team("ops", "primary", "Ops"),
    )
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    files = render_all(load_org(root, now), now).files
    first, second = files["ical/pager/a-b/c.ics"], files["ical/pager/a/b-c.ics"]
    names = {str(Calendar.from_ical(data)["X-WR-CALNAME"]) for data in (first, second)}
    assert names == {"First C (pager)", "Second B C (pager)"}
    # the old address is ambiguous there: neither feed is published at it
    assert "ical/pager/a-b-c.ics" not in files
    # elsewhere the old address keeps serving the same feed
    assert files["ical/pager/ops-primary.ics"] == files["ical/pager/ops/primary.ics"]
    assert 'href="../../ical/pager/a-b/c.ics"' in str(files["teams/a-b/index.md"])
    assert 'href="../../ical/pager/a/b-c.ics"' in str(files["teams/a/index.md"])


def test_export_out_dir_writes_one_file_per_rotation_in_a_folder_per_team(
    tmp_path: Path,
) -> None:
    root = write_org(
        mkdir(tmp_path / "org"), TWO_PEOPLE + "teams:\n" + team("a-b", "c") + team("a", "b-c")
    )
    result = CliRunner().invoke(
        cli,
        [
            "--root",
            str(root),
            "export",
            "opsgenie",
            "--from",
            "2026-11-30T09:00:00Z",
            "--to",
            "2026-12-14T09:00:00Z",
            "--out-dir",
            str(tmp_path / "out"),
            "--now",
            NOW,
        ],
    )
    assert result.exit_code == 0, result.output
    written = sorted(
        p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.json")
    )
    assert written == ["a-b/c.json", "a/b-c.json"]


# --- 4. control characters where values enter --------------------------------------------


def test_a_line_break_in_a_name_is_a_located_error(tmp_path: Path) -> None:
    root = write_org(
        tmp_path,
        TWO_PEOPLE.replace("name: Bob Stone", "name: Bob")
        + "teams:\n"
        + team("ops", "primary").replace("name: Team", "name: >\n      Ops\n      Team"),
    )
    for command in (
        ["validate"],
        ["build", "--out", str(tmp_path / "site")],
        ["ical", "--team", "ops"],
    ):
        result = run(root, *command)
        assert result.exit_code == 1, command
        assert result.stderr.splitlines()[0] == (
            "rotations/org.yaml:7:11: error: expected a non-empty text, found "
            "'Ops Team ': it holds a line break (U+000A); write it on one line (a folded "
            "value '>' or a literal block '|' ends with a line break: use '>-' or a quoted text)"
        ), command
        assert "Traceback" not in result.output


def test_control_characters_and_trailing_line_breaks_are_refused_in_ids_and_emails(
    tmp_path: Path,
) -> None:
    root = write_org(
        tmp_path,
        TWO_PEOPLE.replace("email: ann@example.com", 'email: "ann@example.com\\n"').replace(
            "name: Bob Stone", 'name: "Bob \\e[2J"'
        )
        + "teams:\n"
        + team("ops", "primary")
        + 'severities:\n  - {id: "SEV-1\\n", name: Critical, description: Down}\n',
    )
    result = run(root, "validate")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "rotations/org.yaml:3:37: error: expected an e-mail address, found 'ann@example.com ': "
        "it holds a line break (U+000A); write it on one line (a folded value '>' or a "
        "literal block '|' ends with a line break: use '>-' or a quoted text)"
    )
    assert lines[1] == (
        "rotations/org.yaml:4:21: error: expected a non-empty text, found 'Bob  [2J': "
        "it holds the control character U+001B; remove it"
    )
    assert lines[-2] == (
        "rotations/org.yaml:12:10: error: expected an id (letters, digits, '.', '_' and '-'), "
        "found 'SEV-1 ': it holds a line break (U+000A); write it on one line (a folded value "
        "'>' or a literal block '|' ends with a line break: use '>-' or a quoted text)"
    )


def test_a_multi_line_note_may_hold_line_breaks_but_no_other_controls(tmp_path: Path) -> None:
    root = write_org(
        tmp_path,
        TWO_PEOPLE
        + "teams:\n"
        + team("ops", "primary")
        + "handoffs:\n  - team: ops\n    rotation: primary\n    date: 2026-11-23\n"
        + "    author: ann\n    notes: |\n      line one\n      line two\n"
        + '  - {team: ops, rotation: primary, date: 2026-11-30, author: ann, notes: "bell \\a"}\n',
    )
    result = run(root, "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "rotations/org.yaml:19:74: error: expected a non-empty text, found 'bell  ': "
        "it holds the control character U+0007; remove it",
        "rota: 1 error(s), 0 warning(s)",
    ]


# --- 5. e-mail addresses are unique ignoring case ------------------------------------------


def test_emails_that_differ_only_in_case_are_an_error_naming_both(tmp_path: Path) -> None:
    root = write_org(
        tmp_path,
        TWO_PEOPLE.replace("email: bob@example.com", "email: Ann@Example.com")
        + "teams:\n"
        + team("ops", "primary"),
    )
    result = run(root, "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "rotations/org.yaml:4:39: error: 'bob' has the e-mail address of 'ann' "
        "('ann@example.com' at rotations/org.yaml:3); addresses are compared ignoring "
        "case: give each person their own"
    )


# --- 9. atomic writes ------------------------------------------------------------------------


def test_a_full_disk_during_postmortem_new_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    before = sorted(p.name for p in (root / "postmortems").iterdir())

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("generator.publish.atomic.os.fsync", full)
    result = CliRunner().invoke(
        cli, ["--root", str(root), "postmortem", "new", "INC-2", "--now", REVIEW_NOW]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"rota: error: cannot write {root}/postmortems/INC-2.md: No space left on device"
    )
    assert sorted(p.name for p in (root / "postmortems").iterdir()) == before


def test_a_full_disk_during_import_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "integrations" / "fixtures" / "pagerduty-v2"
    (tmp_path / "rotations").mkdir()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("generator.publish.atomic.os.fsync", full)
    result = CliRunner().invoke(
        cli,
        [
            "--root",
            str(tmp_path),
            "import",
            "pagerduty",
            str(fixtures / "schedule.json"),
            str(fixtures / "users.json"),
            "--out",
            str(tmp_path / "rotations" / "pd.yaml"),
            "--partial",
            "--now",
            "2026-03-01T12:00:00Z",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"rota: error: cannot write {tmp_path}/rotations/pd.yaml: No space left on device"
    )
    assert list((tmp_path / "rotations").iterdir()) == []


def test_plan_into_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    root = write_org(tmp_path, TWO_PEOPLE + "teams:\n" + team("ops", "primary"))
    (root / "rotations" / "assignments.lock.yaml").mkdir()  # a folder where the file goes
    result = run(root, "plan")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"rota: error: cannot write {root}/rotations/assignments.lock.yaml: "
    )
    assert "internal error" not in result.stderr


def test_build_into_a_folder_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    root = write_org(tmp_path, TWO_PEOPLE + "teams:\n" + team("ops", "primary"))
    (tmp_path / "afile").write_text("x")
    result = run(root, "build", "--out", str(tmp_path / "afile" / "site"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        f"rota: build failed: cannot write the site in {tmp_path}/afile: "
    )


def test_a_feed_state_nested_too_deeply_is_a_located_error(tmp_path: Path) -> None:
    root = write_org(tmp_path, TWO_PEOPLE + "teams:\n" + team("ops", "primary"))
    (root / "rotations" / "feeds.state.json").write_text("[" * 100_000)
    result = run(root, "ical", "--team", "ops")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "rotations/feeds.state.json:1:1: error: not JSON: nested too deeply; "
    )


# --- 10. content from outside the repository, stale builds, memo ----------------------------


def test_a_postmortems_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(root / "postmortems", elsewhere)
    (root / "postmortems").symlink_to(elsewhere)
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", REVIEW_NOW])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"postmortems:1:1: error: postmortems/ is a symbolic link (to {elsewhere}); Rota "
        "reads only folders of the repository: replace the link with the folder itself"
    )
    new = CliRunner().invoke(
        cli, ["--root", str(root), "postmortem", "new", "INC-2", "--now", REVIEW_NOW]
    )
    assert new.exit_code == 1
    assert not (elsewhere / "INC-2.md").exists()


def test_a_runbook_linking_outside_the_repository_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "org"
    shutil.copytree(REVIEW_ORG, root)
    (tmp_path / "secret.md").write_text("---\ntitle: x\nteam: web\n---\nsecret\n")
    (root / "runbooks" / "web" / "secret.md").symlink_to(tmp_path / "secret.md")
    result = CliRunner().invoke(cli, ["--root", str(root), "validate", "--now", REVIEW_NOW])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"runbooks/web/secret.md:1:1: error: symbolic link to {tmp_path}/secret.md, outside "
        "runbooks/: Rota reads only files of the repository"
    )


def test_theme_custom_dir_must_be_inside_the_repository(tmp_path: Path) -> None:
    root = write_org(mkdir(tmp_path / "org"), TWO_PEOPLE + "teams:\n" + team("ops", "primary"))
    (tmp_path / "theme").mkdir()
    (root / "mkdocs.yml").write_text(
        "site_name: x\ntheme: {name: material, custom_dir: ../theme}\n"
    )
    result = run(root, "build", "--out", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert "theme.custom_dir '../theme' is outside the repository" in result.stderr
    assert not (tmp_path / "site").exists()


def test_build_folders_left_by_killed_builds_are_removed(tmp_path: Path) -> None:
    from generator.publish.site import BUILD_LOCK, remove_stale_builds

    out = tmp_path / "site"
    killed = tmp_path / ".site.build-killed"  # its build held a lock, now released
    (killed / "docs").mkdir(parents=True)
    (killed / BUILD_LOCK).write_text("")
    running = tmp_path / ".site.build-running"
    running.mkdir()
    (running / BUILD_LOCK).write_text("")
    # no clock: the folders' times are set, and the present is passed in
    now = 1_800_000_000.0
    old = tmp_path / ".site.build-old"  # from before build locks, an hour old
    old.mkdir()
    os.utime(old, (now - 3600, now - 3600))
    young = tmp_path / ".site.build-young"  # its build is just starting
    young.mkdir()
    os.utime(young, (now - 5, now - 5))
    with (running / BUILD_LOCK).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        removed = remove_stale_builds(out, now)
    assert sorted(p.name for p in removed) == [".site.build-killed", ".site.build-old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.build-running",
        ".site.build-young",
    ]


def test_a_memo_entry_of_the_wrong_shape_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from generator.load.tree import input_files
    from generator.memo import Memo

    cache = tmp_path / "cache"
    monkeypatch.setenv("ROTA_CACHE_DIR", str(cache))
    root = write_org(mkdir(tmp_path / "org"), TWO_PEOPLE + "teams:\n" + team("ops", "primary"))
    memo = Memo.open(root, input_files(root))
    assert memo is not None
    cache.mkdir(mode=0o700)
    for part, wrong in [("org", ("not", "an org")), ("lock", {}), ("plan", (1, 2))]:
        (cache / f"{memo.digest}.{part}").write_bytes(pickle.dumps(wrong))
    for _ in range(2):
        result = run(root, "who")
        assert result.exit_code == 0, result.output
        assert "internal error" not in result.output


# --- 10. spreadsheets and terminals --------------------------------------------------------


def test_csv_cells_that_would_be_formulas_are_neutralised_numbers_stay(tmp_path: Path) -> None:
    root = write_org(
        tmp_path,
        TWO_PEOPLE.replace("name: Ann Lee", 'name: "=HYPERLINK(\\"http://x\\",\\"y\\")"').replace(
            "name: Bob Stone", 'name: "@SUM(A1)"'
        )
        + "teams:\n"
        + team("ops", "primary")
        + "pay:\n  currency: GBP\n  default_policy: std\n  policies:\n"
        + "    std: {standby: {unit: hour, weekday: 1, weekend: 1, holiday: 1}}\n",
    )
    pay = run(
        root,
        "pay",
        "--format",
        "csv",
        "--from",
        "2026-11-02T09:00:00Z",
        "--to",
        "2026-11-16T09:00:00Z",
    )
    assert pay.exit_code == 0, pay.output
    rows = pay.stdout.splitlines()
    assert rows[1].startswith('ann,"\'=HYPERLINK(""http://x"",""y"")",std,2026-11,GBP,')
    assert rows[2].startswith("bob,'@SUM(A1),std,2026-11,GBP,")
    fairness = run(
        root,
        "fairness",
        "--format",
        "csv",
        "--from",
        "2026-11-02T09:00:00Z",
        "--to",
        "2026-11-09T09:00:00Z",
    )
    deviations = [row["deviation"] for row in csv.DictReader(io.StringIO(fairness.stdout))]
    assert sorted(deviations) == ["-0.5", "0.5"]  # a negative number is still a number


def test_csv_cell_and_terminal_text() -> None:
    from generator.render.text import table
    from generator.textsafe import csv_cell

    assert csv_cell("=1+2") == "'=1+2"
    assert csv_cell("+1 555") == "'+1 555"
    assert csv_cell("-cmd|x") == "'-cmd|x"
    assert csv_cell("\tx") == "'\tx"
    assert csv_cell("-3.5") == "-3.5" and csv_cell(-3.5) == -3.5 and csv_cell("Ann") == "Ann"
    shown = table(["NAME"], [["Eve\x1b]0;pwned\x07\x1b[2J"]])
    assert shown == "NAME\n" + "-" * 17 + "\nEve ]0;pwned  [2J"


def test_own_pages_linking_outside_the_repository_are_refused(tmp_path: Path) -> None:
    root = write_org(mkdir(tmp_path / "org"), TWO_PEOPLE + "teams:\n" + team("ops", "primary"))
    (root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: docs\ntheme: {name: material}\n")
    (root / "docs").mkdir()
    (tmp_path / "secret.md").write_text("# secret\n")
    (root / "docs" / "notes.md").symlink_to(tmp_path / "secret.md")
    result = run(root, "build", "--out", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"rota: build failed: docs/notes.md: symbolic link to {tmp_path}/secret.md, outside "
        f"the repository; Rota publishes only files of the repository; {tmp_path}/site was "
        "left as it was"
    )
    assert not (tmp_path / "site").exists()


def test_a_person_whose_feed_would_overwrite_a_teams_is_an_error(tmp_path: Path) -> None:
    root = write_org(
        tmp_path,
        TWO_PEOPLE.replace("id: bob,", "id: team-ops,")
        + "teams:\n"
        + team("ops", "primary").replace("[ann, bob]", "[ann, team-ops]"),
    )
    result = run(root, "validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "rotations/org.yaml:4:5: error: person id 'team-ops' names the same feed as team 'ops' "
        "(ical/team-ops.ics): choose another id"
    )
