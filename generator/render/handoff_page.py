"""A handoff note as a month page holds it: one raw HTML block, headings included.

A month of daily handoffs holds sixty notes; as Markdown (``reports.handoff.
handoff_markdown``) every heading, list and line of them goes through Python-Markdown,
and every heading into the table of contents, which Material writes into the page
twice. Here each note is one HTML block the rota plugin lifts past Markdown (see
``generator/mkdocs_plugin.py``): the same HTML Markdown made of ``handoff_markdown(h,
prefix, level, shared=False)``, which the tests check note for note, but for its
headings' ids, which are stable (``Handoff.anchor``, what notifications link to) rather
than made from the title, and its headings staying out of the table of contents (the
page's parts are there). A note with nothing in its three sections (most of a month's)
says so in one line instead of three sub-headings.
"""

from __future__ import annotations

from html import escape

from generator.reports.handoff import (
    Handoff,
    _gap_text,
    _holiday_label,
    _leave_span,
    _page_url,
    _party_time,
    _title,
    _tz,
    _url_ok,
    _when,
)
from generator.timeutil import human_duration

# A note with no incidents, no notes and nothing in the coming shift (most of a month's):
# this line instead of three sub-headings saying "None" each.
NOTHING_ELSE = (
    "No incidents during the outgoing shift, no notes from it, "
    "no holidays, leave or overrides in the coming shift."
)


def text(value: object) -> str:
    """Text from the inputs as HTML text: one line, ``& < >`` escaped (what Markdown
    makes of ``md_inline``)."""
    return escape(" ".join(str(value).split()), quote=False)


def block(lines: list[str], searched: bool = True) -> list[str]:
    """A raw HTML block marked for the plugin, with the blank lines around it; one the
    site's search leaves out unless ``searched``."""
    kind = "" if searched else " unsearched"
    return [f"<!--rota:html{kind}-->", *lines, f"<!--/rota:html{kind}-->", ""]


def heading(level: int, anchor: str, title: str) -> str:
    """A note's heading as HTML, with the id notifications link to; the rota plugin adds
    the permalink the site's ``toc`` extension would."""
    return f'<h{level} id="{escape(anchor)}">{text(title)}</h{level}>'


def handoff_note(h: Handoff, link_prefix: str, level: int = 3) -> str:
    """The note (without what every handoff of the team shares) for a month page: one
    HTML block, its heading's id ``h.anchor`` (sub-headings ``{anchor}-incidents``,
    ``-notes``, ``-coming``)."""
    team_tz = _tz(h.team_timezone)
    out = [heading(level, h.anchor, _title(h))]
    who_out = (
        f"<strong>{text(h.outgoing.name)}</strong> — {text(_party_time(h.outgoing))}"
        if h.outgoing
        else "nobody (the rotation starts here)"
    )
    items = [
        f"Outgoing: {who_out}",
        f"Incoming: <strong>{text(h.incoming.name)}</strong> — {text(_party_time(h.incoming))}",
    ]
    if h.uncovered_before is not None:
        gap = text(_gap_text(h.uncovered_before, team_tz))
        items.append(f"<strong>Uncovered</strong> before this handoff: {gap}")
    if h.next_at is not None and h.next_person is not None:
        items.append(
            f"Next handoff: {text(_when(h.next_at, team_tz))} to "
            f"<strong>{text(h.next_person.name)}</strong>"
        )
    if h.uncovered_after is not None:
        gap = text(_gap_text(h.uncovered_after, team_tz))
        items.append(f"<strong>Uncovered</strong> after this shift: {gap} (add an override)")
    out += ["<ul>", *(f"<li>{item}</li>" for item in items), "</ul>"]
    if not (h.incidents or h.notes or h.holidays or h.leave or h.overrides):
        # most notes of a month: the three empty sections said in one line, and left out
        # of the site's search (who handed over to whom is on the people's and team's
        # pages; a search for a name should find the person, not a year of notes); a
        # note with uncovered time stays searchable
        uncovered = h.uncovered_before is not None or h.uncovered_after is not None
        return "\n".join(block([*out, f"<p>{NOTHING_ELSE}</p>"], searched=uncovered))
    sub = level + 1

    out.append(heading(sub, f"{h.anchor}-incidents", "Incidents during the outgoing shift"))
    incidents = []
    for inc in h.incidents:
        sev = inc.severity + (f" ({inc.severity_name})" if inc.severity_name else "")
        line = (
            f"<strong>{text(inc.id)}</strong> {text(sev)}: {text(inc.title)} — "
            f"{text(_when(inc.started_at, team_tz))}, {human_duration(inc.length)}"
        )
        if inc.responders:
            line += f"; responders: {text(', '.join(inc.responders))}"
        if inc.postmortem_page:
            href = escape(f"{link_prefix}{_page_url(inc.postmortem_page)}")
            line += f'; <a href="{href}">postmortem</a> ({text(inc.postmortem_status)})'
            if inc.open_actions:
                line += f", open actions: {text(', '.join(inc.open_actions))}"
        elif inc.postmortem and _url_ok(inc.postmortem):
            line += f'; <a href="{escape(inc.postmortem)}">postmortem</a>'
        elif inc.postmortem:
            line += f"; postmortem: {text(inc.postmortem)}"
        incidents.append(f"<li>{line}</li>")
    out += ["<ul>", *incidents, "</ul>"] if incidents else ["<p>None.</p>"]

    out.append(heading(sub, f"{h.anchor}-notes", "Notes from the outgoing shift"))
    notes = [
        f"<p><strong>{text(n.author_name)}</strong> ({n.on:%d %b}): {text(n.notes)}</p>"
        for n in h.notes
    ]
    out += (
        ["<blockquote>", *notes, "</blockquote>"]
        if notes
        else ["<p>No notes were written for this handoff.</p>"]
    )

    out.append(heading(sub, f"{h.anchor}-coming", "The coming shift"))
    coming = [f"{hol.on:%a %d %b}: {text(_holiday_label(hol))}" for hol in h.holidays]
    for lv in h.leave:
        note = f" ({text(lv.note)})" if lv.note else ""
        coming.append(f"{text(lv.name)} on leave {text(_leave_span(lv, team_tz))}{note}")
    for o in h.overrides:
        note = f": {text(o.note)}" if o.note else ""
        coming.append(
            f"Override on {text(o.rotation_name)}: {text(o.name)} "
            f"{text(_when(o.start_at, team_tz))} to {text(_when(o.end_at, team_tz))}{note}"
        )
    out += (
        ["<ul>", *(f"<li>{item}</li>" for item in coming), "</ul>"]
        if coming
        else ["<p>No holidays, leave or overrides.</p>"]
    )
    return "\n".join(block(out))
