"""Intent benchmark: recall of complaints and questions on a hand-labelled, multilingual set of customer posts,
for the shipped rules (``listening/enrichment/intent.py``) against the rules as they were before ADR 0028
(``baseline_intent.py``, a frozen copy), measured in the same run on the same language and sentiment.

The headline figures come from ``heldout.tsv``, which was written before the new rules and never used to tune
them; ``tune.tsv`` is what the rules were tuned on (its figures are printed for comparison, an optimistic
bound). Printed: per-class recall and precision per classifier, recall per language, the posts of the
held-out set that still miss (so anyone can see what the rules get wrong), and a last line

    BENCH intent recall_complaint=<x> recall_question=<x> precision=<x> baseline_recall=<x> ...

``recall_complaint`` / ``recall_question``: share of the held-out complaints / questions labelled so.
``precision``: of the held-out posts labelled question or complaint, the share that are one of the two.
``baseline_*``: the same for the old rules (``baseline_recall`` is their recall on complaints and questions
together, ``recall`` ours). ``reach``: share of held-out complaints and questions that reach a person (a
case, or the care team's triage queue: ``intent.needs_no_reply`` is false). ``order_auc``: how well
``intent.reply_priority`` puts complaints and questions above the rest (the triage queue's order; 0.5 is
chance), ``baseline_order_auc`` the same for the old labels.
``BENCH_QUICK=1`` skips the per-post listing and the timing (it is quick either way: a few seconds).
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

import baseline_intent

from groundswell.listening.enrichment import intent, language, sentiment

HERE = Path(__file__).resolve().parent
ASKING = ("complaint", "question")
Classifier = Callable[..., str]


@dataclass(frozen=True)
class Example:
    lang: str
    label: str
    text: str
    detected: str  # language as the pipeline would see it (the label's language as the hint)
    sentiment: str


def load(name: str) -> list[Example]:
    rows = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, label, text = line.split("\t", 2)
        if label not in ("complaint", "question", "praise", "other"):
            raise SystemExit(f"{name}: unknown label {label!r} in {line!r}")
        detected = language.detect(text, hint=lang)
        mood, _ = sentiment.sentiment(text, lang=detected)
        rows.append(Example(lang=lang, label=label, text=text, detected=detected, sentiment=mood))
    return rows


@dataclass(frozen=True)
class Scores:
    recall: dict[str, float]
    precision: dict[str, float]
    asking_recall: float
    asking_precision: float


def score(examples: list[Example], predicted: list[str]) -> Scores:
    recall, precision = {}, {}
    for cls in ("complaint", "question", "praise", "other"):
        tp = sum(1 for e, p in zip(examples, predicted, strict=True) if e.label == cls and p == cls)
        gold = sum(1 for e in examples if e.label == cls)
        said = sum(1 for p in predicted if p == cls)
        recall[cls] = tp / gold if gold else 0.0
        precision[cls] = tp / said if said else 0.0
    pairs = list(zip(examples, predicted, strict=True))
    gold_asking = [p for e, p in pairs if e.label in ASKING]
    said_asking = [e for e, p in pairs if p in ASKING]
    asking_recall = sum(1 for p in gold_asking if p in ASKING) / len(gold_asking)
    asking_precision = sum(1 for e in said_asking if e.label in ASKING) / len(said_asking) if said_asking else 0.0
    return Scores(recall, precision, asking_recall, asking_precision)


def auc(scores: list[float], gold: list[bool]) -> float:
    """Chance that a random complaint or question is ranked above a random other post (ties count half)."""
    pos = [s for s, g in zip(scores, gold, strict=True) if g]
    neg = [s for s, g in zip(scores, gold, strict=True) if not g]
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def run(examples: list[Example], classify: Classifier) -> list[str]:
    return [classify(e.text, lang=e.detected, sentiment=e.sentiment) for e in examples]


def table(title: str, examples: list[Example], new: list[str], old: list[str]) -> tuple[Scores, Scores]:
    ours, before = score(examples, new), score(examples, old)
    print(f"\n{title} ({len(examples)} posts)")
    print(f"  {'class':<10} {'support':>7} {'recall old':>10} {'recall new':>10} {'prec. old':>9} {'prec. new':>9}")
    for cls in ("complaint", "question", "praise", "other"):
        n = sum(1 for e in examples if e.label == cls)
        print(f"  {cls:<10} {n:7d} {before.recall[cls]:10.3f} {ours.recall[cls]:10.3f} "
              f"{before.precision[cls]:9.3f} {ours.precision[cls]:9.3f}")  # fmt: skip
    print(f"  complaint or question: recall {before.asking_recall:.3f} -> {ours.asking_recall:.3f}, "
          f"precision {before.asking_precision:.3f} -> {ours.asking_precision:.3f}")  # fmt: skip
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for e, n, o in zip(examples, new, old, strict=True):
        if e.label in ASKING:
            by_lang[e.lang][0] += 1
            by_lang[e.lang][1] += o in ASKING
            by_lang[e.lang][2] += n in ASKING
    print("  recall of complaint or question by language (old -> new): " + ", ".join(
        f"{lang} {o / t:.2f}->{n / t:.2f}" for lang, (t, o, n) in sorted(by_lang.items())
    ))  # fmt: skip
    return ours, before


def main() -> int:
    quick = os.environ.get("BENCH_QUICK") == "1"
    tune, heldout = load("tune.tsv"), load("heldout.tsv")
    overlap = {e.text for e in tune} & {e.text for e in heldout}
    if overlap:
        raise SystemExit(f"tune.tsv and heldout.tsv share posts: {sorted(overlap)[:3]}")
    langs = sorted({e.lang for e in heldout})
    print(f"intent: {len(tune)} tuning posts, {len(heldout)} held-out posts, languages {', '.join(langs)}")
    table("Tuning set (the new rules were tuned on it: optimistic)", tune, run(tune, intent.classify),
          run(tune, baseline_intent.classify))  # fmt: skip
    new, old = run(heldout, intent.classify), run(heldout, baseline_intent.classify)
    ours, before = table("Held-out set (never used for tuning)", heldout, new, old)
    asking = [e for e in heldout if e.label in ASKING]
    unreached = [e for e in asking if e.text not in {x.text for x, p in zip(heldout, new, strict=True) if p in ASKING}
                 and intent.needs_no_reply(e.text, lang=e.detected, sentiment=e.sentiment)]  # fmt: skip
    reach = 1 - len(unreached) / len(asking)
    quiet = [e for e in heldout if e.label not in ASKING]
    kept_out = sum(1 for e in quiet if intent.needs_no_reply(e.text, lang=e.detected, sentiment=e.sentiment))
    print(f"\n  triage: {len(asking) - len(unreached)} of {len(asking)} held-out complaints and questions reach a "
          f"person (a case or the triage queue); {kept_out} of {len(quiet)} praise/other posts are confidently "
          f"kept out of the queue")  # fmt: skip
    gold = [e.label in ASKING for e in heldout]
    order = auc([intent.reply_priority(e.text, lang=e.detected, sentiment=e.sentiment) for e in heldout], gold)
    old_order = auc([1.0 if p in ASKING else 0.0 for p in old], gold)
    print(f"  order of the queue (AUC, complaints and questions above the rest): old labels {old_order:.3f}, "
          f"reply_priority {order:.3f}")  # fmt: skip
    if not quick:
        print("\n  held-out posts the new rules still get wrong (gold -> said):")
        for e, p in zip(heldout, new, strict=True):
            if p != e.label:
                print(f"    {e.lang} {e.label:>9} -> {p:<9} {e.text}")
        started = time.perf_counter()
        for _ in range(20):
            run(heldout, intent.classify)
        per_post = (time.perf_counter() - started) / (20 * len(heldout)) * 1e6
        print(f"\n  {per_post:.0f} µs per post (rules only, one core)")
    print(
        f"BENCH intent recall_complaint={ours.recall['complaint']:.3f} recall_question={ours.recall['question']:.3f} "
        f"precision={ours.asking_precision:.3f} baseline_recall={before.asking_recall:.3f} "
        f"recall={ours.asking_recall:.3f} baseline_recall_complaint={before.recall['complaint']:.3f} "
        f"baseline_recall_question={before.recall['question']:.3f} baseline_precision={before.asking_precision:.3f} "
        f"reach={reach:.3f} order_auc={order:.3f} baseline_order_auc={old_order:.3f} heldout={len(heldout)} "
        f"tune={len(tune)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
