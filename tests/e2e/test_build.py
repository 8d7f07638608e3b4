from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import NOW


def test_build_sample_site_has_every_page_kind(built_sample: Path) -> None:
    # built_sample: `rota build --now NOW` of the sample, which exited 0
    out = built_sample / "site"
    assert (out / "index.html").is_file()
    assert (out / "teams" / "payments" / "index.html").is_file()
    assert (out / "people" / "marcus-reid" / "index.html").is_file()
    assert (out / "runbooks" / "payments" / "db-pool-exhausted" / "index.html").is_file()
    assert (out / "ical" / "marcus-reid.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert (out / "data" / "schedule.json").is_file()
    # the pay index adds up: a call-out of someone on no rotation has its own row
    rows = pay_rows((out / "pay" / "index.html").read_text(encoding="utf-8"))
    assert rows[-2] == ["Not on any rotation (call-outs)", "1", "35.00"]
    assert rows[-1][0] == "Organisation"
    teams = sum(Decimal(r[2].replace(",", "")) for r in rows[1:-1])
    assert teams == Decimal(rows[-1][2].replace(",", ""))  # nobody in the sample is on two teams


def pay_rows(page: str) -> list[list[str]]:
    """The pay index's table as text, row by row (the header first)."""
    table = page[page.index("<table") : page.index("</table>")]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        if (cells := re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S))
    ]


def test_init_skeleton_builds(tmp_path: Path) -> None:
    target = tmp_path / "neworg"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(target)]).exit_code == 0
    result = runner.invoke(cli, ["--root", str(target), "build", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert (target / "site" / "ical" / "ada.ics").is_file()
