"""The blameless check measured on the labelled corpus in tests/blameless_corpus (twelve
published postmortems rewritten into Rota's format, and single statements): it must keep
precision at or above 0.85 and recall at or above 0.75. A case is a paragraph, a list
item or an action item; it is flagged when a warning lands on one of its lines. The
corpus format is in the docstring of bench/blameless.py, which computes the scores."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "blameless_corpus"
# statements written after the rules, in other forms and with other names
SECOND = ROOT / "tests" / "blameless_corpus_second"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_blameless", ROOT / "bench/blameless.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_blameless"] = module
    spec.loader.exec_module(module)
    return module


def test_precision_and_recall_on_the_corpus_stay_above_the_bars() -> None:
    score = _bench().score(CORPUS)
    assert len(score.cases) > 300
    assert score.tp + score.fn >= 80  # blameful cases
    assert score.precision >= 0.85, [c.text for c in score.cases if c.warnings and not c.blame]
    assert score.recall >= 0.75, [c.text for c in score.cases if c.blame and not c.warnings]
    assert score.stray == []


def test_precision_and_recall_on_the_second_set_stay_above_the_bars() -> None:
    score = _bench().score(SECOND)
    assert score.tp + score.fn >= 20
    assert score.precision >= 0.85, [c.text for c in score.cases if c.warnings and not c.blame]
    assert score.recall >= 0.75, [c.text for c in score.cases if c.blame and not c.warnings]


def test_the_corpus_format_cases_and_labels(tmp_path: Path) -> None:
    (tmp_path / "postmortems").mkdir()
    (tmp_path / "people.yaml").write_text("people:\n  - {id: will, name: Will Turner}\n")
    (tmp_path / "postmortems" / "INC-1.md").write_text(
        "---\n"
        "incident: INC-1\n"
        "action_items:\n"
        "  - {id: A1, title: Be more careful}  # label: blame\n"
        "  - {id: A2, title: Add a dry-run mode}\n"
        "  - {id: A3, title: Grant the bot access}  # label: blame\n"
        "---\n"
        "## Root Cause\n"
        "\n"
        "The root cause is that Will\n"
        "Turner disabled the limiter. <!-- label: blame -->\n"
        "\n"
        "- The alert did not fire.\n"
        "- The on-call engineer forgot the canary. <!-- label: blame -->\n"
        "- We do not blame anyone. <!-- label: ok -->\n"
    )
    score = _bench().score(tmp_path)
    got = [(c.lines.start, c.lines.stop - 1, c.blame, bool(c.warnings)) for c in score.cases]
    assert got == [
        (4, 4, True, True),
        (5, 5, False, False),
        (6, 6, True, False),  # labelled blame, not flagged: a false negative
        (10, 11, True, True),  # a wrapped paragraph is one case over two lines
        (13, 13, False, False),
        (14, 14, True, True),
        (15, 15, False, False),
    ]
    assert (score.tp, score.fp, score.fn) == (3, 0, 1)
    assert (score.precision, score.recall) == (1.0, 0.75)
