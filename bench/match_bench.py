"""Benchmark version matching (traceability.outcomes.matching.propose) on a synthetic document.

Builds a 2,000-clause outcome document (sections, numbered paragraphs of one to four sentences,
lettered sub-paragraphs) from seeded random policy-like sentences, derives its next version the way
drafting does (paragraphs deleted and inserted, so that everything after them is renumbered; about 5%
of clauses reworded; a few paragraphs split in two and a few pairs merged; a few headings renamed),
and times ``propose`` (median of 5 runs). It then compares the proposed pairs with the known truth:
per relation, how many pairs the truth has, how many were proposed, how many of those are right.

    .venv/bin/python bench/match_bench.py                  # the default scenario, seed 1
    .venv/bin/python bench/match_bench.py --seed 7 --clauses 4000 --show 20

A second scenario, "every clause edited", changes one word in every clause, so that nothing matches by
exact text and every clause goes through the similarity step: the worst case for time.

No database and no network: Django is set up only to import the MatchRelation choices.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traceability.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

import rapidfuzz  # noqa: E402

from traceability.outcomes.matching import Side, propose  # noqa: E402
from traceability.outcomes.models import MatchRelation  # noqa: E402

SUBJECTS = [
    "Member States",
    "Governments",
    "The Secretariat",
    "All stakeholders",
    "The private sector",
    "Civil society organisations",
    "National regulators",
    "The technical community",
    "Academic institutions",
    "International organisations",
    "Parliaments",
    "Local authorities",
    "Development partners",
    "The Forum",
    "The Bureau",
    "Data protection authorities",
    "Internet service providers",
    "Standards bodies",
]
VERBS = [
    "shall ensure",
    "should promote",
    "are encouraged to strengthen",
    "commit to support",
    "recognise the need to improve",
    "will review",
    "undertake to protect",
    "should facilitate",
    "agree to monitor",
    "shall report on",
    "are invited to develop",
    "reaffirm their commitment to expand",
    "call for",
    "will coordinate",
    "should consider",
    "resolve to accelerate",
]
ADJECTIVES = [
    "meaningful",
    "affordable",
    "secure",
    "inclusive",
    "transparent",
    "sustainable",
    "open",
    "interoperable",
    "accountable",
    "resilient",
    "equitable",
    "rights-based",
    "multilingual",
    "cross-border",
    "evidence-based",
    "gender-responsive",
]
NOUNS = [
    "connectivity",
    "access to information",
    "digital public infrastructure",
    "data governance frameworks",
    "capacity building",
    "cybersecurity cooperation",
    "artificial intelligence systems",
    "content moderation practices",
    "spectrum management",
    "digital literacy programmes",
    "privacy safeguards",
    "public interest technology",
    "community networks",
    "emergency communications",
    "research and innovation",
    "universal service funds",
    "online participation",
    "open source software",
    "environmental standards",
    "consumer protection",
]
GROUPS = [
    "women and girls",
    "persons with disabilities",
    "rural communities",
    "small and medium-sized enterprises",
    "indigenous peoples",
    "young people",
    "older persons",
    "least developed countries",
    "small island developing States",
    "migrants and refugees",
]
QUALIFIERS = [
    "in accordance with international human rights law",
    "taking into account national circumstances",
    "with the full participation of all stakeholders",
    "by the end of the next review cycle",
    "through regional and international cooperation",
    "while respecting the rule of law",
    "with particular attention to {group}",
    "so as to benefit {group}",
    "within existing resources",
    "on the basis of reliable and comparable data",
    "in line with the Sustainable Development Goals",
    "and report on progress at each annual meeting",
]
HEADING_WORDS = [
    "Scope",
    "Principles",
    "Connectivity",
    "Human rights",
    "Data",
    "Artificial intelligence",
    "Capacity building",
    "Financing",
    "Follow-up and review",
    "Cooperation",
    "Security",
    "Inclusion",
    "Innovation",
    "Governance",
    "Implementation",
    "Environment",
]


def phrase(rng: random.Random) -> str:
    text = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if rng.random() < 0.5:
        text += f" for {rng.choice(GROUPS)}"
    return text


def sentence(rng: random.Random) -> str:
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {phrase(rng)}"
    if rng.random() < 0.6:
        text += f" and {phrase(rng)}"
    if rng.random() < 0.8:
        text += ", " + rng.choice(QUALIFIERS).format(group=rng.choice(GROUPS))
    return text + "."


def fragment(rng: random.Random) -> str:
    return f"{rng.choice(VERBS).split()[-1]} {phrase(rng)}, {rng.choice(QUALIFIERS).format(group=rng.choice(GROUPS))};"


VOCABULARY = sorted({w for text in SUBJECTS + VERBS + ADJECTIVES + NOUNS + GROUPS for w in text.split()})


@dataclass
class Item:
    kind: str  # section / paragraph / sub
    text: str
    origin: list[int] = field(default_factory=list)  # old indexes it comes from
    how: str = ""  # split / merge / "" (by the degree)


def build_document(rng: random.Random, size: int) -> list[Item]:
    items: list[Item] = []
    while len(items) < size:
        if not items or rng.random() < 0.045:
            items.append(Item("section", rng.choice(HEADING_WORDS) + rng.choice(["", " and " + rng.choice(NOUNS)])))
            continue
        sentences = rng.choices([1, 2, 3, 4], weights=[3, 4, 3, 1])[0]
        items.append(Item("paragraph", " ".join(sentence(rng) for _ in range(sentences))))
        if rng.random() < 0.12:
            for _ in range(rng.randint(2, 4)):
                if len(items) < size:
                    items.append(Item("sub", fragment(rng)))
    return items


def labels(items: list[Item]) -> list[str]:
    out, section, paragraph, letter = [], 0, 0, 0
    for item in items:
        if item.kind == "section":
            section += 1
            out.append(f"§ {section}")
        elif item.kind == "paragraph":
            paragraph += 1
            letter = 0
            out.append(str(paragraph))
        else:
            letter += 1
            out.append(f"{paragraph}({chr(96 + letter)})")
    return out


def edit_words(rng: random.Random, text: str, edits: int) -> str:
    words = text.split(" ")
    for _ in range(edits):
        k = rng.randrange(len(words))
        action = rng.random()
        if action < 0.6:
            words[k] = rng.choice(VOCABULARY)
        elif action < 0.8:
            words.insert(k, rng.choice(VOCABULARY))
        elif len(words) > 3:
            del words[k]
    return " ".join(words)


def reword(rng: random.Random, item: Item) -> str:
    sentences = item.text.split(". ")
    if item.kind == "paragraph" and len(sentences) >= 3 and rng.random() < 0.3:
        k = rng.randrange(len(sentences))  # rewrite one sentence of three or four
        sentences[k] = sentence(rng).rstrip(".")
        text = ". ".join(sentences)
        return text if text.endswith(".") else text + "."
    return edit_words(rng, item.text, rng.randint(1, 3))


def next_version(rng: random.Random, old: list[Item], everything: bool = False) -> list[Item]:
    new: list[Item] = []
    i = 0
    while i < len(old):
        item = old[i]
        r = rng.random()
        if everything:  # one word changed (headings: one added), and a trailing space
            text = item.text + " " + rng.choice(NOUNS) if item.kind == "section" else edit_words(rng, item.text, 1)
            new.append(Item(item.kind, text + " ", [i]))
        elif item.kind == "section":
            text = item.text + " and " + rng.choice(NOUNS) if r < 0.04 else item.text
            new.append(Item("section", text, [i]))
        elif r < 0.02:
            pass  # deleted
        elif r < 0.03 and item.kind == "paragraph" and item.text.count(". ") >= 1:
            sentences = item.text.split(". ")
            cut = rng.randint(1, len(sentences) - 1)
            first, second = ". ".join(sentences[:cut]) + ".", ". ".join(sentences[cut:])
            if rng.random() < 0.5:
                second = edit_words(rng, second, 1)
            new.append(Item("paragraph", first, [i], "split"))
            new.append(Item("paragraph", second, [i], "split"))
        elif r < 0.04 and item.kind == "paragraph" and i + 1 < len(old) and old[i + 1].kind == "paragraph":
            new.append(Item("paragraph", item.text + " " + old[i + 1].text, [i, i + 1], "merge"))
            i += 1
        elif r < 0.09:
            text = reword(rng, item)
            new.append(Item(item.kind, text if text != item.text else text + " Further", [i]))
        else:
            new.append(Item(item.kind, item.text, [i]))
        if not everything and item.kind != "section" and rng.random() < 0.02:
            kind = item.kind if item.kind == "sub" else "paragraph"
            text = fragment(rng) if kind == "sub" else " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))
            new.append(Item(kind, text, []))
        i += 1
    return new


def sides(items: list[Item], offset: int) -> list[Side]:
    return [
        Side(key=offset + k, label=label, text=item.text, position=k, linkable=item.kind != "section")
        for k, (item, label) in enumerate(zip(items, labels(items), strict=True))
    ]


def truth(old: list[Item], new: list[Item], old_sides: list[Side], new_sides: list[Side]):
    pairs = set()
    seen = set()
    for j, item in enumerate(new):
        n = new_sides[j]
        if not item.origin:
            pairs.add((None, n.key, MatchRelation.NEW))
        for i in item.origin:
            seen.add(i)
            o = old_sides[i]
            if item.how == "split":
                relation = MatchRelation.SPLIT
            elif item.how == "merge":
                relation = MatchRelation.MERGED
            elif " ".join(o.text.split()) == " ".join(n.text.split()):
                relation = MatchRelation.UNCHANGED if o.label == n.label else MatchRelation.RENUMBERED
            else:
                relation = MatchRelation.REWORDED
            pairs.add((o.key, n.key, relation))
    for i, o in enumerate(old_sides):
        if i not in seen:
            pairs.add((o.key, None, MatchRelation.REMOVED))
    return pairs


def run(name: str, old: list[Item], new: list[Item], repeat: int, show: int) -> None:
    old_sides, new_sides = sides(old, 100_000), sides(new, 0)
    expected = truth(old, new, old_sides, new_sides)
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = propose(old_sides, new_sides)
        times.append(time.perf_counter() - start)
    found = {(p.old, p.new, p.relation) for p in result}
    right = found & expected
    print(f"\n## {name}: {len(old_sides):,} clauses -> {len(new_sides):,} clauses")
    print(f"propose: median {statistics.median(times):.3f} s of {repeat} (min {min(times):.3f}, max {max(times):.3f})")
    print(f"{'relation':<12}{'truth':>8}{'proposed':>10}{'right':>8}{'missed':>8}{'wrong':>8}")
    by_truth = Counter(r for _, _, r in expected)
    by_found = Counter(r for _, _, r in found)
    by_right = Counter(r for _, _, r in right)
    for relation in MatchRelation:
        t, f, r = by_truth[relation], by_found[relation], by_right[relation]
        print(f"{relation.value:<12}{t:>8}{f:>10}{r:>8}{t - r:>8}{f - r:>8}")
    missed, wrong = len(expected - right), len(found - right)
    print(f"{'total':<12}{len(expected):>8}{len(found):>10}{len(right):>8}{missed:>8}{wrong:>8}")
    wrong = sorted(found - expected, key=lambda p: (p[1] if p[1] is not None else -1, p[0] or -1))
    if show and wrong:
        old_by_key = {s.key: s for s in old_sides}
        new_by_key = {s.key: s for s in new_sides}
        print(f"first {min(show, len(wrong))} wrong pairs (old label -> new label: proposed relation; truth):")
        for o, n, relation in wrong[:show]:
            truths = [r.value for a, b, r in expected if (a == o and o is not None) or (b == n and n is not None)]
            left = old_by_key[o].label if o is not None else "-"
            right_label = new_by_key[n].label if n is not None else "-"
            print(f"  {left} -> {right_label}: {relation.value}; truth {', '.join(sorted(set(truths)))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clauses", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", type=int, default=0, help="print this many wrong pairs")
    args = parser.parse_args()
    print(
        f"Python {platform.python_version()}, rapidfuzz {rapidfuzz.__version__}, {os.cpu_count()} CPUs, "
        f"{platform.machine()}, seed {args.seed}"
    )
    rng = random.Random(args.seed)
    old = build_document(rng, args.clauses)
    new = next_version(rng, old)
    run("typical revision", old, new, args.repeat, args.show)
    new = next_version(random.Random(args.seed + 1000), old, everything=True)
    run("every clause edited", old, new, args.repeat, args.show)


if __name__ == "__main__":
    main()
