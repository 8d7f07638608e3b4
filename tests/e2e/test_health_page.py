"""The team page's rotation health section, on the sample built with --now NOW."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli


def rows(page: str, rotation: str) -> dict[str, list[str]]:
    """Member name -> the cells of their row in the rotation's health table."""
    section = page[page.index('id="rotation-health"') : page.index('id="fairness-and-pay"')]
    start = section.index(f"Rotation health, {rotation}")
    table = section[start : section.index("</table>", start)]
    out = {}
    for row in re.findall(r"<tr><td>(.*?)</tr>", table, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in row.split("</td><td>")]
        out[cells[0]] = [c.removesuffix("</td>") for c in cells[1:]]
    return out


def test_team_page_says_the_rotation_is_too_small_for_the_sre_limit(built_sample: Path) -> None:
    page = (built_sample / "site" / "teams" / "payments" / "index.html").read_text()
    # 2 rotations x 168 h among 6 people: 336 / 1008 = 33 %; 336 / 42 = 8 people
    assert (
        "<strong>Too small:</strong> Payments Primary + Secondary, 6 people, 24/7 weekly: "
        "each on call 33 % of the time; google-sre asks ≤ 25 %: 8 people (2 more)."
    ) in html.unescape(page)


def test_team_page_and_rota_health_give_the_same_numbers(built_sample: Path) -> None:
    page = (built_sample / "site" / "teams" / "payments" / "index.html").read_text()
    primary = rows(page, "Primary")
    assert len(primary) == 6
    result = CliRunner().invoke(
        cli, ["--root", str(built_sample), "health", "--team", "payments", "--format", "json"]
    )
    assert result.exit_code == 0, result.output

    (team,) = json.loads(result.stdout)["teams"]
    names = {p["id"]: p["name"] for p in people(built_sample)}
    for m in team["rotations"][0]["members"]:
        cells = primary[names[m["person"]]]
        assert cells[0] == f"{round(m['share'] * 100)} %"
        assert cells[1] == f"{round(m['team_share'] * 100)} %"
        run = m["longest_run"]
        days = f"{run['hours'] / 24:.1f}".removesuffix(".0")
        assert cells[2] == f"{run['periods']} ({days} d)"
        assert cells[4] == f"{m['nights_per_year']:.0f}"
        assert cells[7] == f"{m['sleep_pages']} of {m['pages']}"


def people(root: Path) -> list[dict[str, str]]:
    import yaml

    return yaml.safe_load((root / "rotations" / "people.yaml").read_text())["people"]
