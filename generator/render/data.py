"""Data documents: the pay report as JSON, CSV and a terminal table. Pure.

Money and hours are written as decimal strings with two decimals ("1200.00"),
never floats, so a document adds up to the cent exactly as the report does.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from generator.reports.pay import PayMonth, PayReport
from generator.textsafe import SpreadsheetWriter
from generator.timeutil import iso


def money(value: Decimal) -> str:
    """Two decimals, no exponent: ``Decimal('1200')`` → ``"1200.00"``."""
    return f"{value.quantize(Decimal('0.01')):f}"


def _month_json(m: PayMonth) -> dict[str, Any]:
    return {
        "month": m.month,
        "standby_hours": money(m.standby_hours),
        "standby": money(m.standby),
        "callout_hours": money(m.callout_hours),
        "callout": money(m.callout),
        "total": money(m.total),
        "earned": money(m.earned),
        "capped": m.capped,
        "hours": {cls: money(h) for cls, h in m.hours.items()},
        "callouts": [
            {
                "incident": c.incident,
                "started": iso(c.started_at),
                "minutes": int(c.length.total_seconds() // 60),
                "paid_minutes": int(c.paid_length.total_seconds() // 60),
            }
            for c in m.callouts
        ],
    }


def pay_document(report: PayReport) -> dict[str, Any]:
    """The ``rota pay --format json`` document (SPEC 4; fields are only ever added)."""
    return {
        "currency": report.currency,
        "from": iso(report.start_at),
        "to": iso(report.end_at),
        "total": money(report.total),
        "people": [
            {
                "person": p.person,
                "name": p.name,
                "policy": p.policy,
                "total": money(p.total),
                "months": [_month_json(m) for m in p.months],
            }
            for p in report.people
        ],
    }


PAY_COLUMNS = [
    "person",
    "name",
    "policy",
    "month",
    "currency",
    "standby_hours",
    "standby",
    "callout_hours",
    "callout",
    "capped",
    "total",
]


def pay_csv(report: PayReport) -> str:
    """One row per person and month under a header row; amounts with two decimals.

    CRLF line ends and a quoted field wherever needed (RFC 4180), so it opens
    cleanly in a spreadsheet.
    """
    buf = io.StringIO()
    writer = SpreadsheetWriter(buf, lineterminator="\r\n")
    writer.writerow(PAY_COLUMNS)
    for p in report.people:
        for m in p.months:
            writer.writerow(
                [
                    p.person,
                    p.name,
                    p.policy or "",
                    m.month,
                    report.currency,
                    money(m.standby_hours),
                    money(m.standby),
                    money(m.callout_hours),
                    money(m.callout),
                    "yes" if m.capped else "no",
                    money(m.total),
                ]
            )
    return buf.getvalue()


def pay_table(report: PayReport) -> str:
    """The report for a terminal: one line per person and month, then the total."""
    from generator.render.text import table

    if not report.people:
        return f"no on-call time or call-outs from {iso(report.start_at)} to {iso(report.end_at)}"
    rows: list[list[object]] = []
    for p in report.people:
        for m in p.months:
            rows.append(
                [
                    p.name,
                    m.month,
                    money(m.standby_hours),
                    money(m.standby),
                    money(m.callout_hours),
                    money(m.callout),
                    money(m.total) + (" (cap)" if m.capped else ""),
                ]
            )
    cur = report.currency or "-"
    head = f"on-call pay in {cur} from {iso(report.start_at)} to {iso(report.end_at)}\n\n"
    body = table(["NAME", "MONTH", "STANDBY H", "STANDBY", "CALL-OUT H", "CALL-OUT", "TOTAL"], rows)
    return head + body + f"\n\ntotal: {money(report.total)} {cur}".rstrip()


def pay_files(publish_pay: bool, report: PayReport) -> dict[str, str]:
    """The site's pay data files (``data/pay.csv``), or none when pay is not published."""
    return {"data/pay.csv": pay_csv(report)} if publish_pay else {}
