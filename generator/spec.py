"""The declared shape of every input file: one definition serves conversion,
error messages and the JSON Schema printed by ``rota schema``.

``convert`` turns located YAML values (see ``load.yamlload``) into typed Python
values, reporting every problem with its place; it never raises on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from generator.errors import Diagnostics, Source, did_you_mean, key_hint
from generator.load.yamlload import LDict, LList
from generator.timeutil import parse_duration

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
IDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOCAL_DT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
ABS_DT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
# Characters no text from the inputs may hold: C0 and C1 controls (line breaks and tabs
# too, in one-line texts: names, ids, titles, e-mails), DEL, and the Unicode line and
# paragraph separators. They would end a line of a calendar feed, a CSV row or a Markdown
# block, or drive a terminal. Multi-line texts (notes, shell snippets) may hold \n and \t.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTILINE_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


class Rec(dict[str, Any]):
    """A converted object: field values by name, and where each came from."""

    source: Source
    sources: dict[str, Source]

    def at(self, name: str) -> Source:
        return self.sources.get(name, self.source)


class Items(list[Any]):
    """A converted list, and the items as written that failed to convert (reported
    already): references to their ids are not errors of their own."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: list[Any] = []

    def failed_ids(self, key: str = "id") -> set[str]:
        return {
            item[key]
            for item in self.failed
            if isinstance(item, dict) and isinstance(item.get(key), str)
        }


class Spec:
    doc = ""

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def describe(self) -> str:
        return self.doc


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) < 40 else "a text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


@dataclass
class Scalar(Spec):
    """A string-valued spec parsed by ``parse``; ``expected`` names what is right."""

    expected: str
    parse: Callable[[str], Any]
    json: dict[str, Any]
    accept_numbers: bool = False
    multiline: bool = False  # line breaks and tabs allowed (notes, shell snippets)

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        if self.accept_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            diags.error(src, f"expected {self.expected}, found {_type_name(value)}")
            return INVALID
        bad = (MULTILINE_CONTROL_RE if self.multiline else CONTROL_RE).search(value)
        if bad is not None:
            diags.error(src, f"expected {self.expected}, found '{_clip(value)}': {_control(bad)}")
            return INVALID
        try:
            return self.parse(value)
        except ValueError as exc:
            detail = str(exc)
            msg = f"expected {self.expected}, found '{_clip(value)}'"
            diags.error(src, f"{msg}: {detail}" if detail else msg)
            return INVALID

    def schema(self) -> dict[str, Any]:
        return {**self.json, "description": self.expected}

    def describe(self) -> str:
        return self.expected


def _clip(text: str, n: int = 60) -> str:
    text = CONTROL_RE.sub(" ", text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _control(found: re.Match[str]) -> str:
    char = found.group(0)
    code = f"U+{ord(char):04X}"
    if char in "\n\r\u2028\u2029":
        return (
            f"it holds a line break ({code}); write it on one line (a folded value '>' "
            "or a literal block '|' ends with a line break: use '>-' or a quoted text)"
        )
    return f"it holds the control character {code}; remove it"


def _nonempty(text: str) -> str:
    if not text.strip():
        raise ValueError("it is empty")
    return text


def _pattern(regex: re.Pattern[str], hint: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not regex.fullmatch(text):
            raise ValueError(hint)
        return text

    return parse


def _date(text: str) -> date:
    if not DATE_RE.fullmatch(text):
        raise ValueError("")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _datetime(text: str) -> datetime:
    """A local (naive) or absolute (aware) date-time."""
    if not (LOCAL_DT_RE.fullmatch(text) or ABS_DT_RE.fullmatch(text)):
        raise ValueError("")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _date_or_datetime(text: str) -> date | datetime:
    if DATE_RE.fullmatch(text):
        return _date(text)
    return _datetime(text)


def _time(text: str) -> int:
    """Minutes after midnight; ``24:00`` is the end of the day."""
    m = TIME_RE.fullmatch(text)
    if not m:
        raise ValueError("")
    hour, minute = int(m.group(1)), int(m.group(2))
    if (hour, minute) == (24, 0):
        return 24 * 60
    if hour > 23 or minute > 59:
        raise ValueError("no such time of day")
    return hour * 60 + minute


def _zone(text: str) -> str:
    from generator.timeutil import zone

    try:
        zone(text)
    except (KeyError, ValueError):
        from generator.timeutil import known_zones

        raise ValueError("not an IANA time zone" + did_you_mean(text, known_zones())) from None
    return text


def _region(text: str) -> str:
    from generator.timeutil import region_calendar

    try:
        region_calendar(text, 2026)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return text


def _url(text: str) -> str:
    if not re.fullmatch(r"^https?://[^\s<>\"']+$", text):
        raise ValueError("only http:// and https:// addresses are allowed")
    return text


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise ValueError("") from None
    if not value.is_finite() or value < 0:
        raise ValueError("amounts are zero or more")
    return value


STR = Scalar("a non-empty text", _nonempty, {"type": "string", "minLength": 1})
TEXT = Scalar("a non-empty text", _nonempty, {"type": "string", "minLength": 1}, multiline=True)
SLUG = Scalar(
    "a slug (lower-case letters, digits and '-', starting with a letter or digit)",
    _pattern(SLUG_RE, "use only a-z, 0-9 and '-'"),
    {"type": "string", "pattern": SLUG_RE.pattern},
)
IDENT = Scalar(
    "an id (letters, digits, '.', '_' and '-')",
    _pattern(IDENT_RE, "use only letters, digits, '.', '_' and '-'"),
    {"type": "string", "pattern": IDENT_RE.pattern},
)
EMAIL = Scalar("an e-mail address", _pattern(EMAIL_RE, ""), {"type": "string", "format": "email"})
URL = Scalar("an http(s) URL", _url, {"type": "string", "pattern": "^https?://"})
DURATION = Scalar(
    "a duration such as 30m, 12h, 1d or 1w",
    lambda t: parse_duration(t),
    {"type": "string", "pattern": r"^\d+(m|h|d|w)$"},
)
DATE = Scalar(
    "a date such as 2026-12-24",
    _date,
    {"type": "string", "pattern": DATE_RE.pattern},
)
DATETIME = Scalar(
    "a date-time such as '2026-12-24 09:00' (local) or 2026-12-24T09:00:00Z",
    _datetime,
    {"type": "string"},
)
DATE_OR_DATETIME = Scalar(
    "a date such as 2026-12-24 or a date-time such as '2026-12-24 09:00'",
    _date_or_datetime,
    {"type": "string"},
)
TIME = Scalar(
    'a time of day such as "09:00" (quoted)',
    _time,
    {"type": "string", "pattern": r"^\d{2}:\d{2}$"},
)
ZONE = Scalar("an IANA time zone such as Europe/London", _zone, {"type": "string"})
REGION = Scalar(
    "a holiday region such as GB-ENG, US-NY or IN (country[-subdivision])",
    _region,
    {"type": "string"},
)
MONEY = Scalar(
    "an amount such as 1.50", _decimal, {"type": ["number", "string"]}, accept_numbers=True
)


@dataclass
class Number(Spec):
    expected: str = "a number"
    minimum: float | None = None
    integer: bool = False
    exclusive: bool = False

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        ok_types = (int,) if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_types):
            diags.error(src, f"expected {self.expected}, found {_type_name(value)}")
            return INVALID
        if self.minimum is not None and (
            value < self.minimum or (self.exclusive and value == self.minimum)
        ):
            word = "more than" if self.exclusive else "at least"
            diags.error(src, f"expected {self.expected} {word} {self.minimum:g}, found {value}")
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer" if self.integer else "number"}
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive else "minimum"] = self.minimum
        return out

    def describe(self) -> str:
        return self.expected


@dataclass
class Bool(Spec):
    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        if not isinstance(value, bool):
            diags.error(src, f"expected true or false, found {_type_name(value)}")
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def describe(self) -> str:
        return "true or false"


@dataclass
class Enum(Spec):
    values: Sequence[str]

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        if not isinstance(value, str) or value not in self.values:
            shown = f"'{value}'" if isinstance(value, str) else _type_name(value)
            hint = did_you_mean(value, self.values) if isinstance(value, str) else ""
            diags.error(src, f"expected one of {', '.join(self.values)}, found {shown}{hint}")
            return INVALID
        return value

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.values)}

    def describe(self) -> str:
        return "one of " + ", ".join(f"`{v}`" for v in self.values)


@dataclass
class Nullable(Spec):
    inner: Spec

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        return None if value is None else self.inner.convert(value, src, diags)

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [self.inner.schema(), {"type": "null"}]}

    def describe(self) -> str:
        return self.inner.describe() + ", or null"


@dataclass
class ListOf(Spec):
    item: Spec
    non_empty: bool = False
    unique: bool = False

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        if not isinstance(value, list):
            diags.error(src, f"expected a list, found {_type_name(value)}")
            return INVALID
        if self.non_empty and not value:
            diags.error(src, "expected a non-empty list")
            return INVALID
        out = Items()
        seen: dict[Any, int] = {}
        for i, item in enumerate(value):
            item_src = value.item_at(i) if isinstance(value, LList) else src
            converted = self.item.convert(item, item_src, diags)
            if converted is INVALID:
                out.failed.append(item)
                continue
            if self.unique and isinstance(converted, (str, int)):
                if converted in seen:
                    diags.error(item_src, f"'{converted}' is listed twice")
                    continue
                seen[converted] = i
            out.append(converted)
        return out

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema()}
        if self.non_empty:
            out["minItems"] = 1
        return out

    def describe(self) -> str:
        return "a list of " + self.item.describe()


@dataclass
class Field:
    name: str
    spec: Spec
    doc: str
    required: bool = False
    default: Any = None
    example: str = ""


@dataclass
class Obj(Spec):
    name: str
    fields: list[Field]
    doc: str = ""
    # a bare scalar is accepted and stored in this field (members: [alice])
    shorthand: str | None = None
    extra_check: Callable[[Rec, Diagnostics], None] | None = None
    by_name: dict[str, Field] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.fields}

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        if self.shorthand is not None and not isinstance(value, dict):
            value_map = LDict({self.shorthand: value})
            value_map.source = src
            value_map.key_sources = {self.shorthand: src}
            value_map.value_sources = {self.shorthand: src}
            value = value_map
        if not isinstance(value, dict):
            diags.error(src, f"expected {self.name} (a mapping), found {_type_name(value)}")
            return INVALID
        rec = Rec()
        rec.source = getattr(value, "source", src)
        rec.sources = {}
        ok = True
        suggested: set[str] = set()  # a missing key an unknown key was taken for
        for key in value:
            if key not in self.by_name:
                key_src = value.key_at(key) if isinstance(value, LDict) else src
                hint = key_hint(key, self.by_name)
                suggested.add(hint.partition("'")[2].partition("'")[0])
                diags.error(key_src, f"unknown key '{key}' in {self.name}{hint}")
                ok = False
        for f in self.fields:
            if f.name not in value:
                if f.required:
                    if f.name not in suggested:  # else said already: did you mean it?
                        diags.error(rec.source, f"{self.name} is missing required key '{f.name}'")
                    ok = False
                rec[f.name] = f.default() if callable(f.default) else f.default
                continue
            val_src = value.value_at(f.name) if isinstance(value, LDict) else src
            rec.sources[f.name] = val_src
            converted = f.spec.convert(value[f.name], val_src, diags)
            if converted is INVALID:
                ok = False
                if f.required:
                    continue
                converted = f.default() if callable(f.default) else f.default
            rec[f.name] = converted
        if not ok:
            return INVALID
        if self.extra_check is not None:
            before = len(diags.items)
            self.extra_check(rec, diags)
            if any(d.severity == "error" for d in diags.items[before:]):
                return INVALID
        return rec

    def schema(self) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "type": "object",
            "title": self.name,
            "properties": {f.name: {**f.spec.schema(), "description": f.doc} for f in self.fields},
            "additionalProperties": False,
        }
        required = [f.name for f in self.fields if f.required]
        if required:
            obj["required"] = required
        if self.doc:
            obj["description"] = self.doc
        if self.shorthand is not None:
            short = self.by_name[self.shorthand].spec.schema()
            return {"anyOf": [short, obj]}
        return obj

    def describe(self) -> str:
        return self.name


@dataclass
class MapOf(Spec):
    """A mapping whose keys are slugs (pay policies by id)."""

    key: Scalar
    value: Spec

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        if not isinstance(value, dict):
            diags.error(src, f"expected a mapping, found {_type_name(value)}")
            return INVALID
        out: dict[str, Any] = {}
        ok = True
        for k, v in value.items():
            k_src = value.key_at(k) if isinstance(value, LDict) else src
            v_src = value.value_at(k) if isinstance(value, LDict) else src
            if self.key.convert(k, k_src, diags) is INVALID:
                ok = False
                continue
            converted = self.value.convert(v, v_src, diags)
            if converted is INVALID:
                ok = False
            else:
                out[k] = converted
        return out if ok else INVALID

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": self.key.schema(),
            "additionalProperties": self.value.schema(),
        }

    def describe(self) -> str:
        return "a mapping of id to " + self.value.describe()


def _days(text: str) -> str:
    if text not in DAYS:
        raise ValueError("use mon, tue, wed, thu, fri, sat or sun" + did_you_mean(text, DAYS))
    return text


DAY = Scalar("a weekday (mon … sun)", _days, {"enum": list(DAYS)})


def _range_check(start: str, end: str) -> Callable[[Rec, Diagnostics], None]:
    def check(rec: Rec, diags: Diagnostics) -> None:
        a, b = rec.get(start), rec.get(end)
        if a is None or b is None:
            return
        if isinstance(a, datetime) != isinstance(b, datetime):
            # a whole day and a date-time: compare the date parts
            a_day = a.date() if isinstance(a, datetime) else a
            b_day = b.date() if isinstance(b, datetime) else b
            if b_day < a_day:
                diags.error(rec.at(end), f"'{end}' is before '{start}'")
            return
        if isinstance(a, datetime) and isinstance(b, datetime):
            if (a.tzinfo is None) != (b.tzinfo is None):
                return
            if b <= a:
                diags.error(rec.at(end), f"'{end}' must be after '{start}' ({a} → {b})")
            return
        if b < a:
            diags.error(rec.at(end), f"'{end}' is before '{start}' ({a} → {b})")

    return check


# ---- the input files ----------------------------------------------------------

BUSINESS_HOURS = Obj(
    "business_hours",
    [
        Field("from", TIME, "start of the working day", required=True, example='"09:00"'),
        Field("to", TIME, "end of the working day", required=True, example='"18:00"'),
    ],
)

LOAD_WEIGHTS = Obj(
    "load_weights",
    [
        *(
            Field(name, Number(minimum=0), f"load of one {name} hour", default=default)
            for name, default in (
                ("weekday", 1.0),
                ("night", 1.5),
                ("weekend", 2.0),
                ("holiday", 3.0),
            )
        ),
        Field(
            "interruption",
            Number(minimum=0),
            "weighted hours added to an on-call member's fairness load per incident they "
            "were paged for (0: off); the fairness report only",
            default=0.0,
            example="2.0",
        ),
    ],
)

FEEDS = Obj(
    "feeds",
    [
        Field(
            "reminder",
            Nullable(DURATION),
            "alarm before each shift; null for none",
            default=lambda: timedelta(hours=1),
            example="1h",
        ),
        Field(
            "secret",
            Bool(),
            "name feed files with an HMAC (key in ROTA_FEED_SECRET)",
            default=False,
            example="false",
        ),
        Field(
            "base_url",
            Nullable(URL),
            "where feeds are published if not on the site itself",
            default=None,
            example="https://calendars.example.com/oncall/",
        ),
    ],
)

SITE = Obj(
    "site",
    [
        Field(
            "publish_pay",
            Bool(),
            "publish the pay report and pay columns",
            default=True,
            example="true",
        ),
        Field(
            "url",
            Nullable(URL),
            "the site's public address (for absolute links and webcal)",
            default=None,
            example="https://oncall.example.com/",
        ),
        Field(
            "offline",
            Bool(),
            "build a site that works opened from disk (file://), without a web server: "
            'links name `.html` files, search and the live "on call now" work without '
            "fetching; `rota build --offline` / `--no-offline` override it",
            default=False,
            example="false",
        ),
        Field(
            "clean_docs",
            Bool(),
            "clean the site's own pages (docs_dir) as runbooks and postmortems are: no "
            "scripts, event handlers, frames, forms or javascript: links",
            default=False,
            example="true",
        ),
    ],
)

REVIEW_WITHIN_DEFAULT = {"SEV-1": timedelta(days=5), "SEV-2": timedelta(days=10)}

RULE_LEVEL = Enum(["hard", "soft"])
PACK_NAMES = ("google-sre", "eu-wtd")


def _share_check(rec: Rec, diags: Diagnostics) -> None:
    if isinstance(rec.get("limit"), (int, float)) and rec["limit"] > 1:
        diags.error(rec.at("limit"), f"a share is at most 1 (25 % is 0.25), found {rec['limit']}")


RULE_EXAMPLES = {
    "min_rest": "11h",
    "max_consecutive": "2w",
    "max_on_call_share": "0.25",
    "max_nights_per_week": "3",
    "max_pages_per_shift": "2",
}


def _rule(
    name: str,
    limit: Spec | None,
    limit_doc: str,
    level: str,
    window: tuple[str, str, timedelta] | None = None,
    check: Callable[[Rec, Diagnostics], None] | None = None,
) -> Obj:
    fields = []
    if limit is not None:
        fields.append(Field("limit", limit, limit_doc, required=True, example=RULE_EXAMPLES[name]))
    fields.append(Field("level", RULE_LEVEL, "hard or soft", default=level, example="hard"))
    if window is not None:
        fields.append(
            Field(window[0], DURATION, window[1], default=lambda: window[2], example="13w")
        )
    return Obj(
        f"{name} rule",
        fields,
        shorthand="limit" if limit is not None else "level",
        extra_check=check,
    )


COUNT = Number("a whole number", minimum=0, integer=True)

RULES = Obj(
    "rules",
    [
        Field(
            "packs",
            ListOf(Enum(PACK_NAMES), unique=True),
            "named sets of rules: `google-sre` (the SRE book's Being On-Call) and "
            "`eu-wtd` (EU Working Time Directive 2003/88/EC); a rule written here "
            "beside them overrides theirs",
            default=list,
            example="[google-sre]",
        ),
        Field(
            "min_rest",
            _rule("min_rest", DURATION, "least time off between two on-call periods", "hard"),
            "least time off between two on-call periods of a person, across the team's rotations",
            example="{limit: 11h, level: hard}",
        ),
        Field(
            "max_consecutive",
            _rule("max_consecutive", DURATION, "longest unbroken run on call", "hard"),
            "longest run of back-to-back on-call periods of a person, across the team's rotations",
            example="2w",
        ),
        Field(
            "max_on_call_share",
            _rule(
                "max_on_call_share",
                Number("a share", minimum=0, exclusive=True),
                "share of the window on call (0.25 for 25 %)",
                "soft",
                ("window", "the window the share is measured over", timedelta(weeks=13)),
                _share_check,
            ),
            "largest share of a person's time on call for the team over any window "
            "ending at one of their shifts",
            example="{limit: 0.25, window: 13w}",
        ),
        Field(
            "max_nights_per_week",
            _rule("max_nights_per_week", COUNT, "nights on call per week", "soft"),
            "most nights (on call between 00:00 and 06:00 in the person's zone) per "
            "week (Monday to Sunday)",
            example="3",
        ),
        Field(
            "no_consecutive_weekends",
            _rule("no_consecutive_weekends", None, "", "soft"),
            "nobody on call two weekends running (Saturday and Sunday, the person's zone)",
            example="soft",
        ),
        Field(
            "max_pages_per_shift",
            _rule(
                "max_pages_per_shift",
                COUNT,
                "incidents per `per` on call",
                "soft",
                ("per", "the stretch of on-call time the count is over", timedelta(hours=12)),
            ),
            "most incidents (incidents.yaml) a person on call responded to in any "
            "`per` of their on-call time; reported, never planned (the past cannot be)",
            example="{limit: 2, per: 12h}",
        ),
    ],
    doc="on-call limits; a rotation's override its team's, a team's the settings'",
)

POSTMORTEM_SETTINGS = Obj(
    "postmortems",
    [
        Field(
            "review_within",
            MapOf(IDENT, DURATION),
            "severity id → time after `resolved` by which its postmortem must be reviewed; "
            "severities not listed need none",
            default=lambda: dict(REVIEW_WITHIN_DEFAULT),
            example="{SEV-1: 5d, SEV-2: 10d}",
        ),
    ],
)

ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass
class EnvName(Scalar):
    """The name of the environment variable holding a secret. A value that is not one
    may be the secret itself, pasted in by mistake: it is never repeated."""

    def convert(self, value: Any, src: Source, diags: Diagnostics) -> Any:
        if isinstance(value, str) and ENV_NAME_RE.fullmatch(value):
            return value
        found = "a text" if isinstance(value, str) else _type_name(value)
        diags.error(
            src,
            f"expected {self.expected}, found {found} "
            "(not shown): name the variable that holds the secret, never the secret itself; "
            "if a secret was written here, remove it and replace (rotate) it",
        )
        return INVALID


ENV_NAME = EnvName(
    "the name of an environment variable (A-Z, 0-9 and '_', such as ROTA_SLACK_WEBHOOK)",
    str,
    {"type": "string", "pattern": ENV_NAME_RE.pattern},
)
SLACK_GROUP_RE = re.compile(r"^S[A-Z0-9]{2,30}$")
HOSTNAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")

NOTIFY_SLACK = Obj(
    "slack",
    [
        Field(
            "webhook_env",
            ENV_NAME,
            "variable holding the channel's incoming-webhook URL",
            example="ROTA_SLACK_WEBHOOK",
        ),
        Field(
            "token_env",
            ENV_NAME,
            "variable holding a bot token (xoxb-…): direct messages and user groups",
            example="ROTA_SLACK_TOKEN",
        ),
        Field(
            "usergroup",
            Scalar(
                "a Slack user group id such as S0614TZR7",
                _pattern(SLACK_GROUP_RE, "the id starts with S (see the group's page)"),
                {"type": "string", "pattern": SLACK_GROUP_RE.pattern},
            ),
            "user group kept holding who is on call (settings: anyone, a team: its own)",
            example="S0614TZR7",
        ),
    ],
)
NOTIFY_MSTEAMS = Obj(
    "msteams",
    [
        Field(
            "webhook_env",
            ENV_NAME,
            "variable holding the channel's workflow webhook URL",
            example="ROTA_TEAMS_WEBHOOK",
        ),
    ],
)
NOTIFY_EMAIL = Obj(
    "email",
    [
        Field(
            "smtp_host",
            Scalar(
                "a host name",
                _pattern(HOSTNAME_RE, "a host name such as smtp.example.com"),
                {"type": "string"},
            ),
            "the SMTP server",
            example="smtp.example.com",
        ),
        Field(
            "port",
            Number("a port number", minimum=1, integer=True),
            "the SMTP port (default 587)",
            example="587",
        ),
        Field("from", EMAIL, "the sender address", example="oncall@example.com"),
        Field("username_env", ENV_NAME, "variable holding the SMTP user", example="ROTA_SMTP_USER"),
        Field(
            "password_env",
            ENV_NAME,
            "variable holding the SMTP password",
            example="ROTA_SMTP_PASSWORD",
        ),
        Field(
            "tls",
            Enum(["starttls", "ssl", "none"]),
            "`starttls` (default), `ssl` (port 465) or `none` (only to a relay on this machine)",
            example="starttls",
        ),
        Field(
            "to",
            EMAIL,
            "the channel's address (a team list) for handoffs and uncovered shifts",
            example="payments-oncall@example.com",
        ),
    ],
)
NOTIFY = Obj(
    "notify",
    [
        Field(
            "slack",
            NOTIFY_SLACK,
            "Slack: a channel webhook, a bot token",
            example="{webhook_env: ROTA_SLACK_WEBHOOK, token_env: ROTA_SLACK_TOKEN}",
        ),
        Field(
            "msteams",
            NOTIFY_MSTEAMS,
            "Microsoft Teams: a workflow webhook",
            example="{webhook_env: ROTA_TEAMS_WEBHOOK}",
        ),
        Field(
            "email",
            NOTIFY_EMAIL,
            "e-mail over SMTP",
            example="{smtp_host: smtp.example.com, from: oncall@example.com}",
        ),
    ],
    doc="where `rota notify` sends; secrets only through environment variables",
)

SETTINGS = Obj(
    "settings",
    [
        Field(
            "organisation", STR, "the organisation's name", default="Rota", example="Example Corp"
        ),
        Field(
            "timezone",
            ZONE,
            "default zone for teams without one and for CLI instants",
            default="UTC",
            example="UTC",
        ),
        Field(
            "horizon",
            DURATION,
            "how far ahead schedules, pages and feeds reach",
            default=lambda: timedelta(weeks=26),
            example="26w",
        ),
        Field(
            "history",
            DURATION,
            "how far back pages and feeds reach",
            default=lambda: timedelta(weeks=13),
            example="13w",
        ),
        Field(
            "freeze",
            DURATION,
            "how far ahead of now `rota plan` locks",
            default=lambda: timedelta(weeks=4),
            example="4w",
        ),
        Field(
            "business_hours",
            BUSINESS_HOURS,
            "weekday hours outside them are night",
            default=lambda: _rec({"from": 9 * 60, "to": 18 * 60}),
            example='{from: "09:00", to: "18:00"}',
        ),
        Field(
            "load_weights",
            LOAD_WEIGHTS,
            "fairness weight of an hour by class",
            default=lambda: _rec(
                {"weekday": 1.0, "night": 1.5, "weekend": 2.0, "holiday": 3.0, "interruption": 0.0}
            ),
            example="{weekday: 1.0, night: 1.5, weekend: 2.0, holiday: 3.0}",
        ),
        Field(
            "company_holidays",
            ListOf(DATE, unique=True),
            "holidays for everyone",
            default=list,
            example="[2026-12-24, 2026-12-31]",
        ),
        Field(
            "runbook_review",
            DURATION,
            "a runbook not reviewed for longer is stale",
            default=lambda: timedelta(days=180),
            example="180d",
        ),
        Field(
            "exclusive",
            Enum(["team", "organisation"]),
            "where one person holds one rotation at a time: `team` (a person may be on "
            "call for two teams at once, as in paging tools) or `organisation` (nobody "
            "on two rotations at once anywhere)",
            default="team",
            example="team",
        ),
        Field(
            "feeds",
            FEEDS,
            "iCal feed options",
            default=lambda: _rec(
                {"reminder": timedelta(hours=1), "secret": False, "base_url": None}
            ),
            example="{reminder: 1h, secret: false, base_url: null}",
        ),
        Field(
            "site",
            SITE,
            "site options",
            default=lambda: _rec(
                {"publish_pay": True, "url": None, "offline": False, "clean_docs": False}
            ),
            example="{publish_pay: true}",
        ),
        Field(
            "notify",
            NOTIFY,
            "where `rota notify` sends (Slack, Microsoft Teams, e-mail); teams override it",
            example="{slack: {webhook_env: ROTA_SLACK_WEBHOOK}}",
        ),
        Field(
            "postmortems",
            POSTMORTEM_SETTINGS,
            "postmortem review deadlines",
            default=lambda: _rec({"review_within": dict(REVIEW_WITHIN_DEFAULT)}),
            example="{review_within: {SEV-1: 5d, SEV-2: 10d}}",
        ),
        Field("rules", RULES, "on-call limits for every team", example="{packs: [eu-wtd]}"),
    ],
)


def _rec(values: Mapping[str, Any]) -> Rec:
    rec = Rec(values)
    rec.source = Source("<default>")
    rec.sources = {}
    return rec


LEAVE = Obj(
    "leave",
    [
        Field(
            "from",
            DATE_OR_DATETIME,
            "first day (inclusive) or start instant",
            required=True,
            example="2026-12-21",
        ),
        Field(
            "to",
            DATE_OR_DATETIME,
            "last day (inclusive) or end instant",
            required=True,
            example="2027-01-01",
        ),
        Field("note", TEXT, "shown to teammates", example="Winter break"),
    ],
    extra_check=_range_check("from", "to"),
)

GITHUB_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")

HANDLES = Obj(
    "handles",
    [
        Field(
            "github",
            Scalar("a GitHub user name", _pattern(GITHUB_RE, ""), {"type": "string"}),
            "GitHub user name, mentioned (@name) in `rota diff` pull-request comments",
            example="alice-ng",
        ),
        Field("slack", STR, "Slack member id, mentioned in Slack messages", example="U024BE7LH"),
        Field(
            "email",
            EMAIL,
            "address for messages, if not the person's email",
            example="alice@example.com",
        ),
    ],
)

PERSON = Obj(
    "person",
    [
        Field("id", SLUG, "slug naming the person's page and feed", required=True, example="alice"),
        Field("name", STR, "full name", required=True, example="Alice Ng"),
        Field("email", EMAIL, "e-mail address", example="alice@example.com"),
        Field(
            "timezone",
            ZONE,
            "the person's zone (default: settings.timezone)",
            example="Europe/London",
        ),
        Field(
            "holidays",
            Nullable(REGION),
            "public-holiday region, country[-subdivision]",
            example="GB-ENG",
        ),
        Field(
            "pay_policy", SLUG, "pay policy id (default: pay.default_policy)", example="standard"
        ),
        Field(
            "handles",
            HANDLES,
            "optional: names for mentions in diffs and messages",
            example="{github: alice-ng, slack: U024BE7LH}",
        ),
        Field(
            "leave",
            ListOf(LEAVE),
            "leave: whole days or date-time ranges",
            default=list,
            example="[{from: 2026-12-21, to: 2027-01-01, note: Winter break}]",
        ),
    ],
)

MEMBER = Obj(
    "member",
    [
        Field("person", SLUG, "person id", required=True, example="alice"),
        Field("from", DATE, "first day in the rotation (team zone)", example="2027-01-04"),
        Field("until", DATE, "last day in the rotation (team zone)", example="2027-06-30"),
        Field(
            "share",
            Number("a number", minimum=0, exclusive=True),
            "share of the load (0.5 for half)",
            default=1.0,
            example="0.5",
        ),
    ],
    shorthand="person",
    extra_check=_range_check("from", "until"),
)

COVERAGE = Obj(
    "coverage window",
    [
        Field(
            "days",
            ListOf(DAY, non_empty=True, unique=True),
            "days the window starts on",
            default=lambda: list(DAYS),
            example="[mon, tue, wed, thu, fri]",
        ),
        Field("from", TIME, "window start, team zone", required=True, example='"09:00"'),
        Field(
            "to",
            TIME,
            "window end; earlier than from crosses midnight",
            required=True,
            example='"17:00"',
        ),
    ],
)


ROTATION = Obj(
    "rotation",
    [
        Field("id", SLUG, "slug, unique in the team", required=True, example="primary"),
        Field("name", STR, "display name (default: the id)", example="Primary"),
        Field(
            "members",
            ListOf(MEMBER, non_empty=True),
            "people in order",
            required=True,
            example="[alice, bob, {person: carol, share: 0.5}]",
        ),
        Field(
            "start",
            DATETIME,
            "first handoff, local in the team zone",
            required=True,
            example='"2026-01-05 09:00"',
        ),
        Field(
            "shift",
            DURATION,
            "shift length, stepped on the local wall clock",
            required=True,
            example="1w",
        ),
        Field(
            "assignment",
            Enum(["fair", "round-robin"]),
            "how shifts are assigned",
            default="fair",
            example="fair",
        ),
        Field(
            "fairness",
            Enum(["fluid", "equal"]),
            "fluid excuses leave; equal makes it up later",
            default="fluid",
            example="fluid",
        ),
        Field(
            "min_rest",
            Nullable(DURATION),
            "least time off around a shift of this rotation, before or after the "
            "person's other shifts of any of the team's rotations (its hard min_rest rule)",
            default=None,
            example="1w",
        ),
        Field(
            "coverage",
            ListOf(COVERAGE),
            "windows; outside them nobody is on call",
            default=list,
            example='[{days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}]',
        ),
        Field(
            "uncovered_turns",
            Enum(["skip", "count"]),
            "a turn with no covered time: `skip` leaves it out of the member order "
            "(the next member takes the next covered turn); `count` lets it pass "
            "(its member's turn goes by with nobody on call), as PagerDuty "
            "restrictions and Opsgenie time restrictions do",
            default="skip",
            example="count",
        ),
        Field(
            "from",
            DATE_OR_DATETIME,
            "first instant anyone is on call (team zone); turns still count from start",
            example='"2026-03-09 09:00"',
        ),
        Field(
            "until",
            DATE_OR_DATETIME,
            "the rotation ends here (team zone): nobody is on call from then on",
            example='"2026-06-29 09:00"',
        ),
        Field(
            "on_call_elsewhere",
            Enum(["allow", "discourage", "avoid"]),
            "a member on call for another team at the same time: `allow` (no "
            "preference), `discourage` (only where it costs little fairness) or "
            "`avoid` (only when no member who could take the shift is free)",
            default="discourage",
            example="avoid",
        ),
        Field("rules", RULES, "on-call limits of this rotation", example="{max_consecutive: 2w}"),
    ],
    extra_check=_range_check("from", "until"),
)

LEVEL = Obj(
    "escalation level",
    [
        Field("after", DURATION, "delay after the alert fires", required=True, example="15m"),
        Field(
            "notify",
            ListOf(STR, non_empty=True, unique=True),
            "a rotation of the team, person:ID or team:ID",
            required=True,
            example='[secondary, "person:frank"]',
        ),
    ],
)

ESCALATION = Obj(
    "escalation",
    [
        Field(
            "repeat",
            Number("a whole number", minimum=0, integer=True),
            "times the chain repeats if nobody acknowledges",
            default=0,
            example="1",
        ),
        Field(
            "levels",
            ListOf(LEVEL, non_empty=True),
            "levels in order",
            required=True,
            example="[{after: 0m, notify: [primary]}]",
        ),
    ],
)

TEAM = Obj(
    "team",
    [
        Field(
            "id", SLUG, "slug naming the team's pages and feed", required=True, example="payments"
        ),
        Field("name", STR, "display name", required=True, example="Payments"),
        Field(
            "timezone", ZONE, "team zone (default: settings.timezone)", example="America/New_York"
        ),
        Field("description", STR, "a sentence on what the team runs", example="Checkout"),
        Field(
            "services",
            ListOf(STR, unique=True),
            "services the team owns",
            default=list,
            example="[checkout-api, ledger]",
        ),
        Field(
            "rotations",
            ListOf(ROTATION, non_empty=True),
            "the team's rotations",
            required=True,
            example="[{id: primary, ...}]",
        ),
        Field("escalation", ESCALATION, "the escalation chain", example="{levels: [...]}"),
        Field(
            "notify",
            NOTIFY,
            "the team's own channels for `rota notify`, per channel over settings.notify",
            example="{slack: {webhook_env: ROTA_SLACK_PAYMENTS}}",
        ),
        Field(
            "handoff_checklist",
            ListOf(STR),
            "items for every handoff",
            default=list,
            example="[Read the open incidents]",
        ),
        Field("rules", RULES, "on-call limits of the team", example="{packs: [google-sre]}"),
    ],
)

OVERRIDE = Obj(
    "override",
    [
        Field("team", SLUG, "team id", required=True, example="payments"),
        Field("rotation", SLUG, "rotation id", required=True, example="primary"),
        Field(
            "from",
            DATETIME,
            "start, local in the team zone or absolute",
            required=True,
            example='"2026-12-24 09:00"',
        ),
        Field("to", DATETIME, "end", required=True, example='"2026-12-26 09:00"'),
        Field("person", SLUG, "who is on call instead", required=True, example="bob"),
        Field("note", TEXT, "why", example="covers alice"),
    ],
    extra_check=_range_check("from", "to"),
)

SEVERITY = Obj(
    "severity",
    [
        Field("id", IDENT, "id such as SEV-1", required=True, example="SEV-1"),
        Field("name", STR, "short name", required=True, example="Critical"),
        Field(
            "description",
            STR,
            "what qualifies",
            required=True,
            example="Service down or data being lost",
        ),
        Field("response", STR, "expected response", example="All hands, page 24/7"),
    ],
)

INCIDENT_STAGES = ("started", "detected", "acknowledged", "mitigated", "resolved")


INCIDENT = Obj(
    "incident",
    [
        Field("id", IDENT, "id such as INC-142", required=True, example="INC-142"),
        Field("title", STR, "what happened", required=True, example="Checkout 500s"),
        Field("severity", IDENT, "severity id", required=True, example="SEV-2"),
        Field("team", SLUG, "owning team", required=True, example="payments"),
        Field(
            "started",
            DATETIME,
            "start (absolute, or local in the team zone)",
            required=True,
            example='"2026-03-10T14:32:00Z"',
        ),
        Field("resolved", DATETIME, "end", required=True, example='"2026-03-10T15:47:00Z"'),
        Field(
            "responders",
            ListOf(SLUG, unique=True),
            "people who worked it (paid call-out)",
            default=list,
            example="[alice]",
        ),
        Field(
            "postmortem",
            URL,
            "link to a postmortem kept elsewhere (one under postmortems/ is found by itself)",
            example="https://wiki.example.com/INC-142",
        ),
        Field(
            "detected",
            DATETIME,
            "when an alert or a person noticed it (default: started)",
            example='"2026-03-10T14:36:00Z"',
        ),
        Field(
            "acknowledged",
            DATETIME,
            "when a responder acknowledged the page (measures MTTA)",
            example='"2026-03-10T14:41:00Z"',
        ),
        Field(
            "mitigated",
            DATETIME,
            "when customers stopped being hurt",
            example='"2026-03-10T15:20:00Z"',
        ),
        Field(
            "alerts",
            ListOf(STR, unique=True),
            "alerts that fired for it (match runbooks' alerts)",
            default=list,
            example="[CheckoutHigh5xx]",
        ),
        Field(
            "actionable",
            Bool(),
            "was there something for the responder to do? (false: a noisy page)",
            example="true",
        ),
        Field(
            "services",
            ListOf(STR, unique=True),
            "services affected",
            default=list,
            example="[checkout-api]",
        ),
        Field("commander", SLUG, "incident commander (person id)", example="alice"),
        Field("tech_lead", SLUG, "technical lead (person id)", example="bob"),
        Field("comms_lead", SLUG, "communications lead (person id)", example="carol"),
        Field("scribe", SLUG, "scribe (person id)", example="dave"),
        Field(
            "related",
            ListOf(IDENT, unique=True),
            "ids of incidents with the same cause (a repeat); shown as one group",
            default=list,
            example="[INC-127]",
        ),
    ],
    extra_check=_range_check("started", "resolved"),
)

HANDOFF = Obj(
    "handoff note",
    [
        Field("team", SLUG, "team id", required=True, example="payments"),
        Field("rotation", SLUG, "rotation id", required=True, example="primary"),
        Field("date", DATE, "the handoff's date (team zone)", required=True, example="2026-12-07"),
        Field("author", SLUG, "person id of the outgoing engineer", required=True, example="alice"),
        Field(
            "notes",
            TEXT,
            "the note (Markdown-free text)",
            required=True,
            example="Ledger reconciliation is flaky, see INC-142.",
        ),
    ],
)

STANDBY = Obj(
    "standby",
    [
        Field(
            "unit",
            Enum(["hour", "day"]),
            "rate per hour, or per day pro-rated",
            default="hour",
            example="hour",
        ),
        Field("weekday", MONEY, "weekday rate", required=True, example="1.50"),
        Field("weekend", MONEY, "weekend rate", required=True, example="3.00"),
        Field(
            "holiday", MONEY, "public holiday rate (beats weekend)", required=True, example="4.50"
        ),
        Field(
            "business_hours",
            MONEY,
            "weekday hours inside business hours (default: weekday)",
            example="0.00",
        ),
    ],
)

CALLOUT = Obj(
    "callout",
    [
        Field("rate", MONEY, "per hour of incident work", required=True, example="35.00"),
        Field(
            "minimum",
            DURATION,
            "least time paid per incident",
            default=lambda: timedelta(0),
            example="1h",
        ),
        Field(
            "round_up",
            Nullable(DURATION),
            "round each incident up to a multiple",
            default=None,
            example="15m",
        ),
    ],
)

CAP = Obj(
    "cap",
    [
        Field("per", Enum(["month"]), "the cap's period", default="month", example="month"),
        Field("amount", MONEY, "most paid per period", required=True, example="1200"),
    ],
)

POLICY = Obj(
    "pay policy",
    [
        Field("standby", STANDBY, "paid for being on call", example="{weekday: 1.50, ...}"),
        Field("callout", CALLOUT, "paid per incident worked", example="{rate: 35.00}"),
        Field("cap", CAP, "monthly cap", example="{per: month, amount: 1200}"),
    ],
)

PAY = Obj(
    "pay",
    [
        Field(
            "currency",
            Scalar(
                "a three-letter currency code such as GBP",
                _pattern(re.compile(r"^[A-Z]{3}$"), ""),
                {"type": "string", "pattern": "^[A-Z]{3}$"},
            ),
            "ISO 4217 code",
            required=True,
            example="GBP",
        ),
        Field("default_policy", SLUG, "policy for people without pay_policy", example="standard"),
        Field(
            "policies",
            MapOf(SLUG, POLICY),
            "policies by id",
            required=True,
            example="{standard: {...}, none: {}}",
        ),
    ],
)

# The top-level keys of a file under rotations/: lists are joined across files.
LIST_KEYS: dict[str, Obj] = {
    "people": PERSON,
    "teams": TEAM,
    "overrides": OVERRIDE,
    "severities": SEVERITY,
    "incidents": INCIDENT,
    "handoffs": HANDOFF,
}
SINGLE_KEYS: dict[str, Obj] = {"settings": SETTINGS, "pay": PAY}

# Runbooks: Markdown front matter, or a YAML file with summary and steps.
DASHBOARD = Obj(
    "dashboard",
    [
        Field("name", STR, "link text", required=True, example="DB pool"),
        Field("url", URL, "address", required=True, example="https://grafana.example.com/d/x"),
    ],
)

STEP = Obj(
    "step",
    [
        Field("title", STR, "what to do", required=True, example="Check the pool"),
        Field("run", TEXT, "a shell snippet", example="kubectl get pods"),
        Field("expect", TEXT, "what you should see", example="All pods Running"),
        Field("notes", TEXT, "anything else", example="Takes a minute"),
    ],
)

RUNBOOK_FIELDS = [
    Field(
        "title",
        STR,
        "the runbook's title",
        required=True,
        example="Database connection pool exhausted",
    ),
    Field("team", SLUG, "owning team", required=True, example="payments"),
    Field("service", STR, "the service it concerns", example="checkout-api"),
    Field(
        "alerts",
        ListOf(STR, unique=True),
        "alert names it answers",
        default=list,
        example="[CheckoutDBPoolExhausted]",
    ),
    Field("severity", IDENT, "usual severity", example="SEV-2"),
    Field("last_reviewed", DATE, "when it was last checked", example="2026-09-01"),
    Field("tags", ListOf(STR, unique=True), "tags", default=list, example="[database]"),
    Field(
        "dashboards",
        ListOf(DASHBOARD),
        "dashboards",
        default=list,
        example='[{name: DB pool, url: "https://grafana.example.com/d/db-pool"}]',
    ),
    Field(
        "related_alerts",
        ListOf(STR, unique=True),
        "related alerts",
        default=list,
        example="[CheckoutLatencyHigh]",
    ),
]

RUNBOOK_MD = Obj("runbook front matter", RUNBOOK_FIELDS)
RUNBOOK_YAML = Obj(
    "YAML runbook",
    [
        *RUNBOOK_FIELDS,
        Field("summary", TEXT, "what this is about", required=True, example="..."),
        Field(
            "steps",
            ListOf(STEP, non_empty=True),
            "the steps",
            required=True,
            example="[{title: ..., run: ...}]",
        ),
    ],
)


# Postmortems: Markdown under postmortems/ with this front matter.
ACTION_ITEM = Obj(
    "action item",
    [
        Field("id", IDENT, "id, unique in the postmortem", required=True, example="A1"),
        Field(
            "title",
            STR,
            "the change to make (to a system or process, not a person)",
            required=True,
            example="Alert on DB pool saturation above 80%",
        ),
        Field("owner", SLUG, "person or team id", required=True, example="payments"),
        Field("priority", Enum(["P0", "P1", "P2"]), "priority", required=True, example="P1"),
        Field(
            "type",
            Enum(["prevent", "detect", "mitigate", "process"]),
            "what it improves",
            required=True,
            example="detect",
        ),
        Field("due", DATE, "due date", required=True, example="2026-11-15"),
        Field(
            "status",
            Enum(["open", "done", "wont_do"]),
            "state",
            default="open",
            example="open",
        ),
        Field("link", URL, "ticket or pull request", example="https://jira.example.com/PAY-812"),
        Field(
            "closed",
            DATE,
            "date it became done or wont_do (measures time to close)",
            example="2026-11-12",
        ),
    ],
)

POSTMORTEM = Obj(
    "postmortem front matter",
    [
        Field("incident", IDENT, "incident id from the log", required=True, example="INC-128"),
        Field(
            "status",
            Enum(["draft", "in_review", "reviewed", "closed"]),
            "review state",
            required=True,
            example="in_review",
        ),
        Field(
            "authors",
            ListOf(SLUG, unique=True),
            "person ids of the authors",
            default=list,
            example="[hannah-cole]",
        ),
        Field("reviewed", DATE, "date of the review meeting", example="2026-10-28"),
        Field(
            "action_items",
            ListOf(ACTION_ITEM),
            "follow-up work",
            default=list,
            example="[{id: A1, title: ..., owner: payments, priority: P1, type: detect, "
            "due: 2026-11-15}]",
        ),
    ],
)


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a file under rotations/."""
    props: dict[str, Any] = {}
    for key, obj in LIST_KEYS.items():
        props[key] = {"type": "array", "items": obj.schema()}
    for key, obj in SINGLE_KEYS.items():
        props[key] = obj.schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:rota:schema:rotations",
        "title": "Rota input file (rotations/*.yaml)",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "$defs": {
            "runbook_front_matter": RUNBOOK_MD.schema(),
            "yaml_runbook": RUNBOOK_YAML.schema(),
            "postmortem_front_matter": POSTMORTEM.schema(),
        },
    }
