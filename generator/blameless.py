"""The blameless check of postmortems. Pure: people and postmortems → warnings.

It asks one question of every sentence: **who is the agent of the failure?** A system
("the deploy script failed to wait", "the alert did not fire") is what a postmortem
should describe; a person, a role or a team as the one who failed is blame. Four
rules, each named in its warning, each warning with a suggested rewrite:

- ``agent-of-failure``: a person (by name), a role ("the release engineer", "the
  on-call", "the DBA", "support staff") or a team ("the network team") as the subject
  of a failing verb ("forgot", "failed to", "did not check", "should have",
  "ignored", "overlooked", "neglected", "missed", "dropped the ball", "mistakenly
  deleted", "misconfigured", "was careless"), or named in "a mistake by …", "an error
  by …", "a slip by …", "caused by …", "…'s fault", anywhere in the text (the Timeline
  too); "we" is not an agent: the organisation may say "we should have";
- ``names``: a person's full name, first name, id or e-mail address outside the
  Timeline (and a "Responders" section) and in action item titles: the timeline may
  say who did what, the analysis says what the system allowed;
- ``blame-words``: "human error", "operator error", "careless", "sloppy",
  "negligence", "dropped the ball", "blame", "at fault", "…'s fault", unless negated
  ("we do not blame anyone", "no one was at fault", "this was not human error");
- ``try-harder``: an action item (a title, or an item of the Action Items section)
  that asks people to try harder ("remind", "retrain", "ask" or "tell" people, "ensure staff
  double-check", "engineers must…", "be more careful", "pay more attention") instead
  of changing a system. "Retrain the anomaly model" is not aimed at people.

How text is read: a paragraph or list item is one piece of text, its soft-wrapped
lines joined, then cut into sentences, so a name wrapped across two lines is still a
name. Inline code (`` `git blame` ``), fenced code and HTML comments are not read.
Whole words only. A sentence gets at most one warning per rule, and an
``agent-of-failure`` warning stands in for the ``names`` and ``blame-words`` warnings of
its sentence. Only a short
window before a name or an agent is looked at, so reading stays linear in the text.

A roster word is a name only where it reads as one. A first name alone must be
capitalised; it is a thing, not a person, after "the", "a", "in", "at", "to", "from"
and the like ("the Denver region", "in Denver") or before a thing noun ("Denver
region", "Hunter cluster"). A first name that is also an everyday word (Will, Grant,
Mark, Rose, Max…) that starts a sentence is a name only when a verb or a possessive
follows ("Grant approved", "Hunter's page"; not "Grant the role", "Will it hold?",
"Max connections"). Month names (May, August…) never count alone; such people are
matched by full name, id and e-mail. Ids that are plain words are not matched alone.

``<!-- rota: allow blameless -->`` (in the front matter ``# rota: allow blameless``) on
the line before silences the findings located on the next line.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from generator.errors import Diagnostic, Source
from generator.load.tree import RawPostmortem
from generator.model import Person, Postmortem

ALLOW = "rota: allow blameless"
NAMES_ALLOWED_SECTIONS = ("timeline", "responders")
ACTION_SECTIONS = ("action items", "actions", "follow-up", "follow up")
FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
HEADING_RE = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$")
LIST_ITEM_RE = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
COMMENT_ONLY_RE = re.compile(r"^[ \t]*<!--.*-->[ \t]*$")
INLINE_CODE_RE = re.compile(r"`+[^`]*`+|<!--.*?-->")
SENTENCE_END_RE = re.compile(r"(?<=[.!?:;])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")

# Given names that are also everyday English words: alone and starting a sentence,
# they are a name only when a verb follows ("Grant approved", not "Grant the role").
_COMMON = """
    will may june april august summer autumn winter grace hope faith joy rose lily ivy
    iris dawn eve mark bill pat sue frank art jack rich bob max sky ray rob drew gene guy
    jay chase hunter miles page reed rusty sandy skip sterling stone wade win woody amber
    crystal ruby pearl daisy holly heather jade olive poppy hazel robin wren lane dale
    glen clay cliff dean earl king norm penny sage scout river brook carol don dot kit
    lance nick pierce price rod ward ash bay bear blue cash colt duke echo fox gray grey
    harmony honor journey justice lucky marsh memory patience prudence star storm true
    unity west hall young long bell brown green white black grant denver austin paris
    sydney dallas phoenix jordan florence georgia virginia carolina victoria hunter
"""
COMMON_WORDS = frozenset(_COMMON.split())
# never a name alone: a month or a day
_CALENDAR = """
    january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday
"""
CALENDAR = frozenset(_CALENDAR.split())
# a capitalised first name after one of these is a thing: "the Denver region"
_THING_BEFORE = """
    the a an in at to from near via of into onto on per our their its this that these
    those each every any some which what towards toward across
"""
THING_BEFORE = frozenset(_THING_BEFORE.split())
# ... or before one of these: "Denver region", "Hunter cluster", "Max connections"
_THING_AFTER = """
    region regions zone zones cluster clusters data datacenter datacentre dc office
    offices service services server servers host hosts node nodes site sites bank
    release releases database databases db api app apps pool pools account accounts
    bucket buckets project projects campus pop pops store stores network networks
    connections connection limit limits queue queues instance instances environment
    deployment endpoint endpoints config configuration street avenue branch branches
    model models version versions build builds shard shards tier line lines city
    county area airport mode
"""
THING_AFTER = frozenset(_THING_AFTER.split())
# a verb-like next word that makes a common-word name at a sentence start a person
_PERSON_NEXT = """
    was is had has did does didn't doesn't wasn't hasn't hadn't forgot forgets ran
    runs made makes took takes saw sees went goes left leaves should would could never
    also then wrote writes pushed merged and said says thought thinks knew knows
    decided decides tried tries set sets put puts got gets found finds began begins
    kept keeps let lets led leads sent sends told tells chose chooses broke breaks
    missed misses ignored skipped approved deployed restarted deleted removed
    silenced joined joins declares declared starts started rolls rolled takes
    acknowledges acknowledged will must to
"""
PERSON_NEXT = frozenset(_PERSON_NEXT.split())

ROLE_NOUNS = (
    r"engineers?|operators?|on-?calls?|oncalls?|sres?|developers?|devs?|admins?|"
    r"administrators?|sysadmins?|dbas?|reviewers?|approvers?|technicians?|responders?|"
    r"staff|staffers?|employees?|contractors?|interns?|managers?|analysts?|"
    r"coordinators?|commanders?|(?:team|staff)\s+members?|new\s+hires?|someone|"
    r"somebody|person|he|she|committers?|deployers?|qa|ops|testers?|architects?"
)
TEAM_NOUNS = r"teams?|squads?|crews?|management|leadership"
# words that do not modify a role: "a mistake by the DBA" is not one agent
_NOT_MODIFIER = (
    r"by|of|from|for|with|to|in|on|at|the|a|an|and|or|but|not|who|that|which|was|were|"
    r"is|are|had|has|did|because|when|while|if|after|before|than|as|so|then|it|we"
)
# the role or team that fails: "the release engineer", "our QA team", "support staff"
AGENT_RE = re.compile(
    r"(?<![-\w])(?:(?:the|a|an|our|their|one|two|several|some|each|every|this|that|"
    r"his|her|its)\s+)?(?:(?!(?:"
    + _NOT_MODIFIER
    + r")\s)[\w-]+\s+){0,3}?(?P<noun>"
    + ROLE_NOUNS
    + "|"
    + TEAM_NOUNS
    + r")(?![-\w])",
    re.I,
)
# what may stand between the agent and the failing verb
GAP = (
    r"(?:\s*,[^,.;]{1,80},|\s+on\s+call|"
    r"\s+who(?:\s+(?!(?:that|which|because|and|but|when|while|so|then|saw|noticed|found|"
    r"said|thought|knew|reported|observed|realised|realized|noted|learned)\b)[\w'’-]+){1,6}?|"
    r"\s+(?:on|from|in|of)\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:team|rotation)|"
    r"\s+(?:also|then|later|still|again|just|simply|never\s+even|once\s+again|"
    r"[a-z]+ly))*"
)
DILIGENCE = (
    r"check(?:ed)?|verify|validate|test|notice|review|read|follow|look|see|catch|"
    r"confirm|ensure|escalate|respond|acknowledge|ack|update|monitor|reali[sz]e|"
    r"consider|communicate|double-check|pay\s+attention|heed|think|investigate|"
    r"inform|notify|tell|document|back\s+up|wait|ask|spot|watch|warn|run|restart|"
    r"renew|remove|re-enable|enable|disable|roll\s+back|revert|page|call"
)
DILIGENT = r"(?:" + DILIGENCE + r")(?:ed|d|s)?"
FAILING = re.compile(
    r"\s+(?P<verb>"
    r"(?:had\s+)?forg[oe]t(?:s|ten)?(?:\s+to)?|fail(?:ed|s)?\s+to|neglect(?:ed|s)?(?:\s+to)?|"
    r"ignor(?:ed|es|e)|overlook(?:ed|s)?|"
    r"miss(?:ed|es)(?!\s+(?:its|their|our|the|a|an)\s+(?:slos?|slas?|deadlines?|targets?|"
    r"goals?|window|objectives?))|skip(?:ped|s)|wast(?:ed|es)|"
    r"botch(?:ed|es)|fumbl(?:ed|es)|(?:messed|screwed|slipped)\s+up|"
    r"dropped\s+the\s+ball|"
    r"(?:mistakenly|accidentally|inadvertently|carelessly|wrongly|errantly|negligently|"
    r"recklessly|hastily)|"
    r"(?:should\s+have|should've|ought\s+to\s+have|should\s+not\s+have|shouldn't\s+have|"
    r"(?:was|were)\s+supposed\s+to(?!\s+(?:be|have\s+been)\b))(?!\s+been\s+(?:paged|notified|alerted|"
    r"told|informed|given|shown|warned|called|contacted|able|woken|reached))|"
    r"could\s+have\s+(?:caught|noticed|prevented|avoided|seen|spotted|checked)|"
    r"mis(?:configured|typed|read|judged|handled|applied|interpreted|labell?ed|named|"
    r"understood|calculated)|"
    r"made\s+(?:a|an|the)\s+(?:[\w-]+\s+)?(?:mistake|error|typo|blunder|slip)|"
    r"(?:did\s+not|didn't|does\s+not|doesn't|never|would\s+not|wouldn't)\s+"
    r"(?:bother\s+to\s+|even\s+)?" + DILIGENT + r"|"
    r"(?:did\s+not|didn't|never)\s+bother|bothered\s+to|"
    r"(?:was|were|is|are|had\s+been)\s+(?:too\s+|very\s+|being\s+)?(?:careless|sloppy|"
    r"negligent|lazy|inattentive|reckless|asleep|at\s+fault|to\s+blame|"
    r"responsible\s+for\s+(?:the|this)\s+(?:outage|incident|failure|data\s+loss|"
    r"downtime))|"
    r"caused\s+(?:the|this)\s+(?:outage|incident|failure|downtime|data\s+loss)|"
    r"[a-z]+ed\s+(?:[\w-]+\s+){0,5}?without\s+(?:first\s+)?(?:reading|checking|testing|"
    r"reviewing|looking|verifying|asking|confirming|waiting)|"
    r"[a-z]+ed\s+(?:an?\s+|the\s+)?(?:unreviewed|untested|unapproved|unverified)|"
    r"[a-z]+ed\s+(?:[\w-]+\s+){0,4}?(?:wrongly|incorrectly|by\s+mistake|by\s+accident)|"
    r"(?:ran|used|typed|picked|chose|entered|deployed|restarted|deleted|edited|"
    r"targeted|selected|pushed|sent|gave|passed|applied)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:the|a)\s+wrong"
    r")(?![-\w])",
    re.I,
)
AFTER_AGENT = re.compile(GAP + FAILING.pattern, re.I)
MISTAKE_NOUNS = (
    r"mistakes?|errors?|slips?|oversights?|blunders?|lapses?|typos?|negligence|"
    r"carelessness|sloppiness|(?:sloppy|careless|shoddy)\s+work|fault|inattention|"
    r"lack\s+of\s+(?:attention|care|diligence|rigou?r)|failure\s+to\s+[a-z]+"
)
MISTAKE_BY = re.compile(
    r"(?:(?:" + MISTAKE_NOUNS + r")\s+(?:made\s+)?(?:by|of|from|on\s+the\s+part\s+of)|"
    r"(?:caused|triggered)\s+by)\s+"
    r"(?:(?:the|a|an|our|their)\s+)?(?:[\w-]+\s+){0,2}$",
    re.I,
)
POSSESSIVE_MISTAKE = re.compile(
    r"['’]s\s+(?:own\s+)?(?:" + MISTAKE_NOUNS + r"|mis[a-z]+ed|wrong|bad|faulty|"
    r"broken|untested|unreviewed)(?![-\w])",
    re.I,
)
BLAME_WORDS = re.compile(
    r"(?<![-\w])(?P<w>human[ -]error|operator[ -]error|user[ -]error|pilot[ -]error|"
    r"careless(?:ly|ness)?|negligen(?:ce|t|tly)|sloppy|sloppiness|incompeten(?:t|ce)|"
    r"dropped\s+the\s+ball|(?<!was\s)(?<!were\s)(?<!been\s)blam(?:e|ed|es|ing)|at\s+fault|fault\s+(?:of|lies)|"
    r"['’]s\s+fault)(?![-\w])",
    re.I,
)
NEGATION = re.compile(
    r"(?<![-\w])(?:not|no|never|nobody|none|neither|nor|without|n't)(?![-\w])|n't(?![-\w])",
    re.I,
)
HUMAN = (
    r"(?:(?:the|all|our|every|each)\s+)?(?:[\w-]+\s+){0,2}?(?:"
    + ROLE_NOUNS
    + "|"
    + TEAM_NOUNS
    + r"|everyone|everybody|people|folks)(?![-\w])"
)
TRY_HARDER = re.compile(
    r"(?<![-\w])(?:"
    r"(?P<ask>(?:remind|retrain|re-train|train|educate|coach|tell|instruct|ask|"
    r"reiterate\s+to|communicate\s+to)\s+"
    + HUMAN
    + r"|(?:make\s+sure|ensure|ensuring)\s+(?:that\s+)?"
    + HUMAN
    + r"(?!(?:\s+[\w-]+){0,2}\s+(?:is|are|was|were|gets?|receives?|has|have|can|will|be)\b))|"
    r"(?P<who>" + HUMAN + r"\s+(?:must|should|need\s+to|needs\s+to|have\s+to|has\s+to|"
    r"are\s+to|is\s+to)(?!\s+(?:have|be|get|receive)\b)(?:\s+always)?)|"
    r"(?P<plea>be\s+(?:more\s+|extra\s+)?(?:careful|vigilant|diligent|attentive|cautious)|"
    r"(?:pay|pays|paying)\s+(?:more\s+|closer\s+|extra\s+|better\s+)?attention|"
    r"more\s+carefully|take\s+(?:more\s+)?care|don[’']?t\s+forget|do\s+not\s+forget|"
    r"remember\s+to|try\s+harder)"
    r")(?![-\w])",
    re.I,
)
# "Remind Denver…", "Hold Grant accountable": a person as the object of a plea
ASK_PERSON = re.compile(
    r"(?<![-\w])(?:remind|retrain|re-train|train|educate|coach|tell|instruct|hold)\s+$",
    re.I,
)

WINDOW = 80  # characters looked at before a name or an agent: reading stays linear
WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
POSSESSIVE = ("'s", "’s")


@dataclass(frozen=True)
class Roster:
    """What names a person, for lookup by token: full names (lower case, as words),
    capitalised first names, ids that are not plain words, e-mail addresses. A line
    is read once whatever the size of the organisation."""

    full_names: frozenset[tuple[str, ...]]
    singles: frozenset[str]  # first names, exact case ("Priya", "Grant")
    ids: frozenset[str]
    emails: frozenset[str]
    longest: int  # words in the longest full name


def person_patterns(people: Mapping[str, Person]) -> Roster:
    full: set[tuple[str, ...]] = set()
    singles: set[str] = set()
    ids: set[str] = set()
    emails: set[str] = set()
    for p in people.values():
        words = tuple(WORD_RE.findall(p.name))
        if len(words) >= 2:
            full.add(tuple(w.lower() for w in words))
        first = words[0] if words else ""
        if first[:1].isupper() and first.lower() not in CALENDAR:
            singles.add(first)  # case-sensitive: "Priya", never "priya"
    first_names = {s.lower() for s in singles}
    for p in people.values():
        plain = p.id.isalpha() and (p.id.lower() in COMMON_WORDS | CALENDAR | first_names)
        if not plain:
            ids.add(p.id)
        if p.email:
            emails.add(p.email.lower())
    longest = max((len(n) for n in full), default=1)
    return Roster(frozenset(full), frozenset(singles), frozenset(ids), frozenset(emails), longest)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _single(word: str) -> str:
    for suffix in POSSESSIVE:
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _phrase(run: list[re.Match[str]]) -> tuple[str, ...]:
    words = [m.group(0).lower() for m in run]
    words[-1] = _single(words[-1])
    return tuple(words)


def _reads_as_person(text: str, word: re.Match[str], name: str) -> bool:
    """Whether a capitalised first name alone reads as a person here."""
    before = text[max(0, word.start() - WINDOW) : word.start()]
    prev = re.findall(r"[A-Za-z][\w'’-]*", before)
    prev_word = prev[-1].lower() if prev else ""
    possessive = word.group(0) != name
    rest = WORD_RE.search(text, word.end())
    next_word = rest.group(0).lower() if rest else ""
    if possessive:
        return prev_word not in ("the", "a", "an")
    if prev_word in THING_BEFORE or next_word in THING_AFTER:
        return False
    # "Denver Okafor" is a full name, matched elsewhere; "Chase Bank" is a thing
    if (
        rest
        and not text[word.end() : rest.start()].strip()
        and rest.group(0)[:1].isupper()
        and next_word not in PERSON_NEXT
    ):
        return False
    initial = word.start() <= WINDOW and (
        not prev or re.fullmatch(r"[\s\d:.\-–—*+>#()\[\]]*", before) is not None
    )
    if initial and name.lower() in COMMON_WORDS:
        return next_word in PERSON_NEXT or next_word.endswith("ed")
    return True


def _names(text: str, roster: Roster) -> Iterator[Span]:
    """Each name, id or e-mail address of a person in a piece of text."""
    taken: list[tuple[int, int]] = []
    for m in EMAIL_RE.finditer(text):
        taken.append((m.start(), m.end()))
        if m.group(0).lower() in roster.emails:
            yield Span(m.start(), m.end(), m.group(0))
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
        if not hit:
            word = _single(words[i].group(0))
            if word in roster.ids or (
                word in roster.singles and _reads_as_person(text, words[i], word)
            ):
                hit = 1
        if hit:
            first, last = words[i], words[i + hit - 1]
            yield Span(first.start(), last.end(), text[first.start() : last.end()])
            i += hit
        else:
            i += 1


@dataclass(frozen=True)
class Agent:
    start: int
    end: int
    text: str
    kind: str  # a person | a role | a team


def _agents(sentence: str, names: list[Span]) -> list[Agent]:
    out = [Agent(n.start, n.end, n.text, "a person") for n in names]
    for m in AGENT_RE.finditer(sentence):
        noun = m.group("noun").lower()
        if noun in ("he", "she") and m.start("noun") != m.start():
            continue
        kind = "a team" if re.fullmatch(TEAM_NOUNS, noun, re.I) else "a role"
        out.append(Agent(m.start(), m.end(), m.group(0), kind))
    return out


@dataclass(frozen=True)
class Finding:
    start: int  # offset in the sentence
    rule: str
    message: str


def _quote(sentence: str) -> str:
    s = " ".join(sentence.split())
    return s if len(s) <= 90 else s[:87].rstrip() + "…"


def _rest(sentence: str, at: int, words: int = 8) -> str:
    """The words after ``at``, up to a clause break."""
    tail = re.split(r"[,.;:!?(]", sentence[at:], maxsplit=1)[0]
    return " ".join(tail.split()[:words])


def _suggestion(verb: str, after: str) -> str:
    v = " ".join(verb.lower().split())
    obj = after.strip()
    if re.match(r"(ignor|overlook|miss|skip)", v):
        return f"{obj or 'the signal'} was easy to miss" if obj else "the signal was easy to miss"
    if re.match(r"(should|ought|could)", v):
        return "nothing in the process prompted anyone to act in time"
    base = re.sub(
        r"^(?:had\s+)?(?:forg[oe]t(?:s|ten)?(?:\s+to)?|fail(?:ed|s)?\s+to|"
        r"neglect(?:ed|s)?(?:\s+to)?|did\s+not|didn't|does\s+not|doesn't|never|"
        r"would\s+not|wouldn't|bothered\s+to)\s*(?:bother\s+to\s+|even\s+)?",
        "",
        v,
    )
    if base != v:
        step = " ".join(x for x in (base, obj) if x)
        return f"the process had no step to {step}" if step else "the process had no such step"
    return "the tooling allowed this without a check or a confirmation"


PAST_ACTION = re.compile(
    r"['’]?s?\s+(?P<verb>[a-z]+ed|ran|made|wrote|sent|set|put|took|gave|broke|chose)\s+"
    r"(?P<object>(?:the|a|an|this|that|its|their|his|her)\s+(?:[\w-]+\s+){0,2}?[\w-]+)"
    r"(?=\s*(?:[,.;:!?)]|$|\s+(?:and|but|to|on|in|at|for|with|without|before|after|while|"
    r"because|which|that)\b))"
)


def _without_name(sentence: str, name: Span) -> str:
    """The sentence's action with the person left out: "Ann pushed a config change" →
    "a config change was pushed"."""
    m = PAST_ACTION.match(sentence, name.end)
    if m:
        obj = re.sub(r"^(?:his|her|their)\s+", "the ", m.group("object"))
        return f"{obj} was {m.group('verb')}"
    return "the change was made, and nothing in the process checked it"


def _sentence_findings(
    sentence: str, roster: Roster, names_rule: bool, action: bool, where: str
) -> Iterator[Finding]:
    """The findings of one sentence, at most one per rule."""
    quoted = _quote(sentence)
    names = list(_names(sentence, roster))
    agent_hit = False
    for agent in sorted(_agents(sentence, names), key=lambda a: a.start):
        m = AFTER_AGENT.match(sentence, agent.end)
        before = MISTAKE_BY.search(sentence[max(0, agent.start - WINDOW) : agent.start])
        after = POSSESSIVE_MISTAKE.match(sentence, agent.end)
        if not (m or before or after):
            continue
        if m:
            suggestion = _suggestion(m.group("verb"), _rest(sentence, m.end("verb")))
        else:
            suggestion = "the tooling allowed this without a check or a confirmation"
        who = f"{agent.kind} ({' '.join(agent.text.split())})"
        start = agent.start - len(before.string) + before.start() if before else agent.start
        yield Finding(
            start,
            "agent-of-failure",
            f'"{quoted}" names {who} as the cause; describe what the system allowed '
            f'instead: "{suggestion}"',
        )
        agent_hit = True
        break
    if names_rule and names and not agent_hit:
        n = names[0]
        if action:
            advice = "the owner field says who; let the title say what changes in the system"
        else:
            advice = (
                "say what happened and what the system allowed, not who did it: "
                f'"{_without_name(sentence, n)}"'
            )
        yield Finding(
            n.start, "names", f"\"{quoted}\" names a person ('{n.text}') {where}; {advice}"
        )
    for m in [] if agent_hit else BLAME_WORDS.finditer(sentence):
        window = " ".join(
            re.findall(r"[\w'’]+", sentence[max(0, m.start() - WINDOW) : m.start()])[-5:]
        )
        if NEGATION.search(window):
            continue
        word = " ".join(m.group("w").split()).lstrip("'’s ")
        yield Finding(
            m.start(),
            "blame-words",
            f"\"{quoted}\" calls it '{word}'; describe the conditions that made the "
            'mistake easy to make: "the tool accepted an input that removed more than '
            'intended"',
        )
        break
    if action:
        m = TRY_HARDER.search(sentence)
        if m:
            yield _try_harder(sentence, quoted, m.start(), m.end(), m.lastgroup)
        elif names and ASK_PERSON.search(
            sentence[max(0, names[0].start - WINDOW) : names[0].start]
        ):
            yield _try_harder(sentence, quoted, names[0].start, names[0].end, None)


def _try_harder(sentence: str, quoted: str, start: int, end: int, kind: str | None) -> Finding:
    """A try-harder finding, with the plea turned into a job for the tooling where the
    words allow: "ensure staff double-check the host" → "make the tooling double-check
    the host"."""
    rest = _rest(sentence, end, 10)
    rest = re.sub(r"^(?:[\w-]+\s+)?to\s+", "", rest)
    rest = re.sub(r"^not\s+to\s+", "refuse to ", rest)
    if kind in ("ask", "who") and rest:
        better = f"make the tooling {rest}"
    else:
        better = "add a check, a confirmation or a safer default"
    return Finding(
        start,
        "try-harder",
        f'"{quoted}" asks people to try harder; change a system instead: "{better}"',
    )


@dataclass(frozen=True)
class Located:
    line: int  # index in the lines given
    column: int  # 1-based
    rule: str
    message: str


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for m in SENTENCE_END_RE.finditer(text):
        yield start, text[start : m.start()]
        start = m.end()
    if text[start:].strip():
        yield start, text[start:]


def _block_findings(
    lines: list[str],
    indices: list[int],
    roster: Roster,
    names_rule: bool,
    action: bool,
    where: str,
) -> Iterator[Located]:
    """Findings of one paragraph or list item: its lines joined, cut into sentences."""
    starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for i in indices:
        starts.append(offset)
        parts.append(lines[i])
        offset += len(lines[i]) + 1
    text = " ".join(parts)
    masked = INLINE_CODE_RE.sub(lambda m: " " * len(m.group(0)), text)
    for at, sentence in _sentences(masked):
        for f in _sentence_findings(sentence, roster, names_rule, action, where):
            pos = at + f.start
            k = bisect.bisect_right(starts, pos) - 1
            yield Located(indices[k], pos - starts[k] + 1, f.rule, f.message)


def _allowed(lines: list[str], index: int) -> bool:
    """Whether the nearest non-blank line before ``lines[index]`` holds the allow comment."""
    j = index - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j >= 0 and ALLOW in lines[j]


def _allow_hint(front_matter: bool) -> str:
    allow = "# rota: allow blameless" if front_matter else "<!-- rota: allow blameless -->"
    return f" (or put '{allow}' on the line before)"


def check_body(body: str, roster: Roster) -> Iterator[tuple[int, int, str, str]]:
    """(line index, column, rule, message) for each finding in a postmortem's body."""
    lines = body.split("\n")
    fenced = False
    section = ""
    block: list[int] = []
    block_section = ""

    def flush() -> Iterator[tuple[int, int, str, str]]:
        if not block:
            return
        names_rule = not block_section.startswith(NAMES_ALLOWED_SECTIONS)
        action = block_section.startswith(ACTION_SECTIONS)
        where = f"in '{block_section.title()}'" if block_section else "in the text"
        for f in _block_findings(lines, list(block), roster, names_rule, action, where):
            if ALLOW in lines[f.line] or _allowed(lines, f.line):
                continue
            yield f.line, f.column, f.rule, f.message
        block.clear()

    for i, line in enumerate(lines):
        if FENCE_RE.match(line):
            yield from flush()
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = HEADING_RE.match(line)
        if heading or not line.strip() or COMMENT_ONLY_RE.match(line):
            yield from flush()
            if heading:
                section = heading.group(1).strip().lower()
            continue
        if LIST_ITEM_RE.match(line):
            yield from flush()
        if not block:
            block_section = section
        block.append(i)
    yield from flush()


def check_postmortem(pm: Postmortem, raw_text: str | None, roster: Roster) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for index, column, rule, message in check_body(pm.body, roster):
        src = Source(pm.path, pm.body_line + index, column)
        out.append(Diagnostic(src, "warning", f"blameless [{rule}]: {message}{_allow_hint(False)}"))
    file_lines = raw_text.splitlines() if raw_text is not None else []
    for item in pm.action_items:
        src = item.title_source
        index = src.line - 1
        if 0 <= index < len(file_lines) and _allowed(file_lines, index):
            continue
        where = f"in the title of action item '{item.id}'"
        masked = INLINE_CODE_RE.sub(lambda m: " " * len(m.group(0)), item.title)
        for f in _sentence_findings(masked, roster, names_rule=True, action=True, where=where):
            message = f"blameless [{f.rule}]: {f.message}{_allow_hint(True)}"
            out.append(Diagnostic(src, "warning", message))
    return out


def check_blameless(
    people: Mapping[str, Person],
    postmortems: Iterable[Postmortem],
    raws: Iterable[RawPostmortem] = (),
) -> list[Diagnostic]:
    """Every finding of the four rules in every postmortem, as warnings."""
    roster = person_patterns(people)
    texts = {r.path: r.text for r in raws}
    out: list[Diagnostic] = []
    for pm in postmortems:
        out.extend(check_postmortem(pm, texts.get(pm.path), roster))
    return out
