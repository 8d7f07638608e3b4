"""The blameless check of postmortems. Pure: people and postmortems → warnings.

Three rules, each named in its message:

- ``names``: a person's full name, first name, id or e-mail address in Root Cause,
  Contributing Factors or an action item's title (the Timeline and the roles may name
  people: that is what happened, not why);
- ``blame-words``: "human error", "operator error", "careless", "negligence", "blame"
  anywhere in the text or an action item's title;
- ``person-aimed-action``: an action item that asks a person to try harder ("remind",
  "retrain", "be more careful", "don't forget") instead of changing a system.

False positives are kept low: whole words only; a first name alone counts only when it
is capitalised and is not also a common English word ("Will", "May", "Grace"), whose
holders are matched by full name, id and e-mail only; fenced code is not read.
``<!-- rota: allow blameless -->`` (in the front matter ``# rota: allow blameless``) on
the line before silences the findings of the next line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from generator.errors import Diagnostic, Source
from generator.load.tree import RawPostmortem
from generator.model import Person, Postmortem

ALLOW = "rota: allow blameless"
NAME_SECTIONS = ("root cause", "contributing factors")
FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
HEADING_RE = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$")

BLAME_WORDS = re.compile(
    r"(?<![-\w])(?:human[ -]error|operator[ -]error|careless(?:ly|ness)?|"
    r"negligen(?:ce|t|tly)|blam(?:e|ed|es|ing))(?![-\w])",
    re.I,
)
PERSON_AIMED = re.compile(
    r"(?<![-\w])(?:remind(?:s|ed|ing)?|retrain(?:s|ed|ing)?|(?:be )?more careful|"
    r"be careful|don[’']?t forget|do not forget)(?![-\w])",
    re.I,
)

# Given names that are also everyday English words: alone, they are not a name.
_COMMON = """
    will may june april august summer autumn winter grace hope faith joy rose lily ivy
    iris dawn eve mark bill pat sue frank art jack rich bob max sky ray rob drew gene guy
    jay chase hunter miles page reed rusty sandy skip sterling stone wade win woody amber
    crystal ruby pearl daisy holly heather jade olive poppy hazel robin wren lane dale
    glen clay cliff dean earl king norm penny sage scout river brook carol don dot kit
    lance nick pierce price rod ward ash bay bear blue cash colt duke echo fox gray grey
    harmony honor journey justice lucky marsh memory patience prudence star storm true
    unity west hall young long page bell brown green white black
"""
COMMON_WORDS = frozenset(_COMMON.split())


WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
POSSESSIVE = ("'s", "’s")


@dataclass(frozen=True)
class Roster:
    """What names a person, for lookup by token: full names (lower case, as words),
    first names that are not common words and ids (exact case), e-mail addresses. A
    line is read once whatever the size of the organisation."""

    full_names: frozenset[tuple[str, ...]]
    singles: frozenset[str]
    emails: frozenset[str]
    longest: int  # words in the longest full name


def person_patterns(people: Mapping[str, Person]) -> Roster:
    full: set[tuple[str, ...]] = set()
    singles: set[str] = set()
    emails: set[str] = set()
    for p in people.values():
        words = tuple(WORD_RE.findall(p.name))
        if len(words) >= 2:
            full.add(tuple(w.lower() for w in words))
        first = words[0] if words else ""
        if first[:1].isupper() and first.lower() not in COMMON_WORDS:
            singles.add(first)  # case-sensitive: "Priya", never "priya"
        if p.id.lower() not in COMMON_WORDS:
            singles.add(p.id)
        if p.email:
            emails.add(p.email.lower())
    longest = max((len(n) for n in full), default=1)
    return Roster(frozenset(full), frozenset(singles), frozenset(emails), longest)


def _name_findings(text: str, roster: Roster) -> Iterator[tuple[int, str]]:
    """(column, what) for each name, id or e-mail address in one line."""
    taken: list[tuple[int, int]] = []
    for m in EMAIL_RE.finditer(text):
        taken.append((m.start(), m.end()))
        if m.group(0).lower() in roster.emails:
            yield m.start() + 1, m.group(0)
    words = [w for w in WORD_RE.finditer(text) if not any(a <= w.start() < b for a, b in taken)]
    i = 0
    while i < len(words):
        hit = 0
        for n in range(min(roster.longest, len(words) - i), 1, -1):
            run = words[i : i + n]
            gaps = (text[x.end() : y.start()] for x, y in itertools.pairwise(run))
            if all(g.isspace() for g in gaps) and _phrase(run) in roster.full_names:
                hit = n
                break
        if not hit and _single(words[i].group(0)) in roster.singles:
            hit = 1
        if hit:
            first, last = words[i], words[i + hit - 1]
            yield first.start() + 1, text[first.start() : last.end()]
            i += hit
        else:
            i += 1


def _single(word: str) -> str:
    for suffix in POSSESSIVE:
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _phrase(run: list[re.Match[str]]) -> tuple[str, ...]:
    words = [m.group(0).lower() for m in run]
    words[-1] = _single(words[-1])
    return tuple(words)


def _findings(
    text: str, roster: Roster, names: bool, title: bool
) -> Iterator[tuple[int, str, str]]:
    """(column, rule, what) for each finding in one line of text."""
    if names:
        for column, what in _name_findings(text, roster):
            yield column, "names", what
    for m in BLAME_WORDS.finditer(text):
        yield m.start() + 1, "blame-words", m.group(0)
    if title:
        for m in PERSON_AIMED.finditer(text):
            yield m.start() + 1, "person-aimed-action", m.group(0)


MESSAGES = {
    "names": "blameless (names): '{what}' names a person in {where}; say what the system "
    "allowed, not who did it",
    "blame-words": "blameless (blame-words): '{what}' in {where} assigns blame; describe "
    "the conditions that made the mistake easy to make",
    "person-aimed-action": "blameless (person-aimed-action): '{what}' in {where} asks a "
    "person to try harder; change a system or a process instead",
}


def _message(rule: str, what: str, where: str, front_matter: bool = False) -> str:
    allow = "# rota: allow blameless" if front_matter else "<!-- rota: allow blameless -->"
    return MESSAGES[rule].format(what=what, where=where) + f" (or put '{allow}' on the line before)"


def _allowed(lines: list[str], index: int) -> bool:
    """Whether the nearest non-blank line before ``lines[index]`` holds the allow comment."""
    j = index - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j >= 0 and ALLOW in lines[j]


def check_postmortem(pm: Postmortem, raw_text: str | None, roster: Roster) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    body_lines = pm.body.splitlines()
    fenced = False
    section = ""
    for i, line in enumerate(body_lines):
        if FENCE_RE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = HEADING_RE.match(line)
        if heading:
            section = heading.group(1).strip().lower()
            continue
        if ALLOW in line or _allowed(body_lines, i):
            continue
        names = section.startswith(NAME_SECTIONS)
        where = f"'{section.title()}'" if section else "the text"
        for column, rule, what in _findings(line, roster, names, title=False):
            src = Source(pm.path, pm.body_line + i, column)
            out.append(Diagnostic(src, "warning", _message(rule, what, where)))
    file_lines = raw_text.splitlines() if raw_text is not None else []
    for item in pm.action_items:
        src = item.title_source
        index = src.line - 1
        if 0 <= index < len(file_lines) and _allowed(file_lines, index):
            continue
        where = f"the title of action item '{item.id}'"
        for _, rule, what in _findings(item.title, roster, True, title=True):
            out.append(Diagnostic(src, "warning", _message(rule, what, where, True)))
    return out


def check_blameless(
    people: Mapping[str, Person],
    postmortems: Iterable[Postmortem],
    raws: Iterable[RawPostmortem] = (),
) -> list[Diagnostic]:
    """Every finding of the three rules in every postmortem, as warnings."""
    roster = person_patterns(people)
    texts = {r.path: r.text for r in raws}
    out: list[Diagnostic] = []
    for pm in postmortems:
        out.extend(check_postmortem(pm, texts.get(pm.path), roster))
    return out
