"""Write a synthetic but realistic organisation for benchmarks.

    python bench/make_org.py OUT --teams 100 --people 1000 [--seed 7]

People in 12 zones and holiday regions, two rotations per team (weekly and
daily, some 12-hour follow-the-sun pairs with coverage windows, some business-
hours only), 15 to 30 days of leave per person in blocks, overrides, a year of
incidents and one runbook per 1,000/teams of realistic length.

With ``--lock NOW`` it also writes the lock file an organisation that has used
Rota since its rotations began would have: every shift from the first handoff
locked up to four weeks after NOW (the freeze), and the plan beyond kept as
tentative up to NOW + the horizon (``rota plan`` run as the year went on).
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

ZONES = [
    ("Europe/London", "GB-ENG"),
    ("Europe/Berlin", "DE-BE"),
    ("Europe/Paris", "FR"),
    ("America/New_York", "US-NY"),
    ("America/Chicago", "US-IL"),
    ("America/Los_Angeles", "US-CA"),
    ("America/Sao_Paulo", "BR-SP"),
    ("Asia/Kolkata", "IN-KA"),
    ("Asia/Singapore", "SG"),
    ("Asia/Tokyo", "JP"),
    ("Australia/Sydney", "AU-NSW"),
    ("Pacific/Auckland", "NZ"),
]
FIRST = [
    "Ada",
    "Ben",
    "Cleo",
    "Dev",
    "Eli",
    "Fay",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lea",
    "Mo",
    "Nia",
    "Oz",
    "Pia",
    "Raj",
    "Sol",
    "Tia",
    "Uma",
    "Vic",
    "Wen",
    "Yan",
    "Zoe",
]
LAST = [
    "Ng",
    "Okafor",
    "Silva",
    "Patel",
    "Kim",
    "Muller",
    "Rossi",
    "Sato",
    "Walsh",
    "Khan",
    "Lopez",
    "Novak",
    "Berg",
    "Costa",
    "Ito",
    "Reid",
]
SERVICES = ["api", "db", "queue", "cache", "web", "auth", "search", "billing", "ingest", "cdn"]
PROBLEMS = [
    ("connection pool exhausted", "database"),
    ("certificate expiring", "tls"),
    ("disk almost full", "storage"),
    ("consumer lag growing", "kafka"),
    ("error rate above SLO", "slo"),
    ("latency p99 above SLO", "slo"),
    ("pods OOMKilled", "kubernetes"),
    ("replication lag", "database"),
    ("DNS failures", "network"),
    ("deploy canary failing", "deploy"),
]
BODY = """## Meaning

The alert fires when {service} reports {problem} for more than five minutes. It is
derived from the {tag} recording rules and pages the on-call engineer of {team}.

## Impact

Requests to {service} slow down or fail. Downstream services retry, which can amplify
the load. Customers see errors on pages that depend on {service}.

## Diagnosis

1. Open the service dashboard and compare the last hour with the same hour last week.
2. Check recent deploys:

   ```shell
   kubectl -n {team} rollout history deploy/{service}
   ```

3. Look at saturation:

   ```promql
   sum(rate(http_requests_total{{service="{service}",code=~"5.."}}[5m]))
     / sum(rate(http_requests_total{{service="{service}"}}[5m]))
   ```

4. Read the logs of one failing pod:

   ```shell
   kubectl -n {team} logs -l app={service} --since=15m | grep -i error | tail -50
   ```

## Mitigation

- If a deploy went out in the last hour, roll it back first:
  `kubectl -n {team} rollout undo deploy/{service}`.
- Otherwise scale out: `kubectl -n {team} scale deploy/{service} --replicas=12`.
- If the dependency is down, fail over or shed load with the feature flag.

## Root cause

Once the service is stable, find out why {problem} happened: compare configuration,
traffic and dependency health before and after the alert, and write it up.

## Escalation

If mitigation does not help within 30 minutes, escalate to the secondary and the
service owner.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--teams", type=int, default=100)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--runbooks", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--lock", metavar="NOW", default=None, help="write the lock file at NOW")
    args = ap.parse_args()
    write_org(args.out, args.teams, args.people, args.runbooks, args.seed, args.year)
    if args.lock:
        write_lock(args.out, args.lock)


def write_lock(out: Path, now: str) -> None:
    """The lock file of a year of `rota plan`: history locked through the freeze."""
    import os
    import subprocess
    import sys
    from datetime import datetime

    rota = [sys.executable, "-m", "generator.cli", "--root", str(out), "plan"]
    env = {**os.environ, "ROTA_CACHE_DIR": ""}
    at = datetime.fromisoformat(now.replace("Z", "+00:00"))
    first = (at - timedelta(days=7 * 43)).isoformat()  # early in the year: all history ahead
    until = (at + timedelta(days=28)).isoformat()
    for args in (["--now", first, "--until", until], ["--now", now]):
        subprocess.run([*rota, *args], env=env, check=True, capture_output=True)


def write_org(
    out: Path, n_teams: int, n_people: int, n_runbooks: int, seed: int, year: int
) -> None:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "rotations" / "teams").mkdir(parents=True)
    (out / "runbooks").mkdir()
    repo = Path(__file__).resolve().parent.parent
    shutil.copy(repo / "mkdocs.yml", out / "mkdocs.yml")
    start = date(year, 1, 5)
    people = []
    lines = ["people:"]
    for i in range(n_people):
        tz, region = ZONES[i % len(ZONES)]
        pid = f"p{i:04d}"
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"
        people.append((pid, tz, region))
        lines.append(f"  - id: {pid}")
        lines.append(f"    name: {name}")
        lines.append(f"    email: {pid}@example.com")
        lines.append(f"    timezone: {tz}")
        lines.append(f"    holidays: {region}")
        days = rng.randint(15, 30)
        lines.append("    leave:")
        day = start + timedelta(days=rng.randint(0, 60))
        while days > 0:
            block = min(days, rng.choice([3, 5, 7, 10, 14]))
            end = day + timedelta(days=block - 1)
            lines.append(f"      - {{from: {day.isoformat()}, to: {end.isoformat()}, note: Leave}}")
            days -= block
            day = end + timedelta(days=rng.randint(20, 90))
    (out / "rotations" / "people.yaml").write_text("\n".join(lines) + "\n")
    lines = ["severities:"]
    for sev, name in (
        ("SEV-1", "Critical"),
        ("SEV-2", "Major"),
        ("SEV-3", "Minor"),
        ("SEV-4", "Low"),
    ):
        lines.append(f"  - {{id: {sev}, name: {name}, description: {name} impact}}")
    lines += [
        "settings:",
        "  organisation: Bench Corp",
        "  horizon: 52w",
        "  history: 4w",
        "pay:",
        "  currency: EUR",
        "  default_policy: standard",
        "  policies:",
        "    standard:",
        "      standby: {weekday: 1.50, weekend: 3.00, holiday: 4.50}",
        "      callout: {rate: 35.00, minimum: 1h, round_up: 15m}",
        "      cap: {per: month, amount: 1200}",
    ]
    (out / "rotations" / "settings.yaml").write_text("\n".join(lines) + "\n")
    per_team = max(4, n_people // n_teams)
    incidents = ["incidents:"]
    overrides = ["overrides:"]
    inc = 0
    for t in range(n_teams):
        tid = f"team-{t:03d}"
        members = [people[(t * per_team + k) % n_people] for k in range(per_team)]
        ids = [m[0] for m in members]
        tz = members[0][1]
        kind = t % 4
        lines = [
            "teams:",
            f"  - id: {tid}",
            f"    name: Team {t}",
            f"    timezone: {tz}",
            f"    services: [{', '.join(f'{tid}-{s}' for s in SERVICES[:3])}]",
            "    rotations:",
        ]
        half = len(ids) // 2
        if kind == 0:  # weekly primary/secondary
            rots = [
                ("primary", ids, "1w", '"09:00"', None),
                ("secondary", ids, "1w", '"09:00"', None),
            ]
        elif kind == 1:  # daily with business-hours coverage + weekly
            rots = [
                ("primary", ids, "1w", '"10:00"', None),
                (
                    "business",
                    ids,
                    "1d",
                    '"09:00"',
                    '[{days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}]',
                ),
            ]
        elif kind == 2:  # follow-the-sun 12-hour pair
            rots = [
                ("day", ids[:half], "1d", '"08:00"', '[{from: "08:00", to: "20:00"}]'),
                ("night", ids[half:], "1d", '"20:00"', '[{from: "20:00", to: "08:00"}]'),
            ]
        else:  # daily and weekly
            rots = [
                ("primary", ids, "1d", '"09:00"', None),
                ("escalation", ids, "1w", '"09:00"', None),
            ]
        for rid, mem, shift, at, coverage in rots:
            lines += [
                f"      - id: {rid}",
                f"        members: [{', '.join(mem)}]",
                f'        start: "{start.isoformat()} {at.strip(chr(34))}"',
                f"        shift: {shift}",
                "        min_rest: 1d" if shift == "1w" else "",
            ]
            if coverage:
                lines.append(f"        coverage: {coverage}")
        lines = [x for x in lines if x]
        lines += [
            "    escalation:",
            "      levels:",
            f"        - {{after: 0m, notify: [{rots[0][0]}]}}",
            f"        - {{after: 15m, notify: [{rots[1][0]}]}}",
            f'        - {{after: 30m, notify: ["person:{ids[-1]}"]}}',
            "    handoff_checklist: [Read the open incidents, Check the dashboards]",
        ]
        (out / "rotations" / "teams" / f"{tid}.yaml").write_text("\n".join(lines) + "\n")
        for _ in range(rng.randint(4, 16)):
            inc += 1
            day = date(year - 1, 12, 1) + timedelta(days=rng.randint(0, 360))
            hour, minute, mins = rng.randint(0, 23), rng.randint(0, 59), rng.randint(10, 300)
            started = f"{day.isoformat()}T{hour:02d}:{minute:02d}:00Z"
            h2 = hour * 60 + minute + mins
            end_day = day + timedelta(days=h2 // 1440)
            resolved = f"{end_day.isoformat()}T{(h2 % 1440) // 60:02d}:{h2 % 60:02d}:30Z"
            incidents.append(
                f"  - {{id: INC-{inc}, title: Incident {inc}, severity: SEV-{rng.randint(1, 4)}, "
                f'team: {tid}, started: "{started}", resolved: "{resolved}", '
                f"responders: [{rng.choice(ids)}]}}"
            )
        day = start + timedelta(days=7 * rng.randint(40, 60))
        overrides.append(
            f'  - {{team: {tid}, rotation: {rots[0][0]}, from: "{day.isoformat()} 12:00", '
            f'to: "{(day + timedelta(days=1)).isoformat()} 12:00", person: {ids[1]}, '
            "note: swap}"
        )
    (out / "rotations" / "incidents.yaml").write_text("\n".join(incidents) + "\n")
    (out / "rotations" / "overrides.yaml").write_text("\n".join(overrides) + "\n")
    for r in range(n_runbooks):
        t = r % n_teams
        tid = f"team-{t:03d}"
        problem, tag = PROBLEMS[r % len(PROBLEMS)]
        service = f"{tid}-{SERVICES[r % 3]}"
        folder = out / "runbooks" / tid
        folder.mkdir(exist_ok=True)
        alert = f"{''.join(w.title() for w in service.split('-'))}{r}"
        front = (
            f"---\ntitle: {service} {problem} ({r})\nteam: {tid}\nservice: {service}\n"
            f"alerts: [{alert}]\nseverity: SEV-{1 + r % 4}\n"
            f"last_reviewed: {year}-{1 + r % 11:02d}-15\ntags: [{tag}]\n---\n"
        )
        body = BODY.format(service=service, problem=problem, tag=tag, team=tid)
        (folder / f"runbook-{r:04d}.md").write_text(front + body)


if __name__ == "__main__":
    main()
