"""Benchmark the content scan: Chinese text throughput against large dictionaries.

Run:  .venv/bin/python bench/bench_content_scan.py [--mb 20] [--entries 50000]

Dictionaries (deterministic, seed 2019):
- "shipped": the seed files in audits/data/ (typos, gambling, porn, sensitive words, allow-list);
- "Nk common": the shipped entries, plus the 869-item 公文 vocabulary of ECSpell as sensitive
  words, plus distinct 2–6 character strings drawn from the character frequencies of odw.train
  (so they look like Chinese and many of them occur in the text: a stress test with a hit every
  ~20 characters), up to N entries, with 1% of them allow-listed, and 20 leaders;
- "Nk uniform": the same, but the generated strings are drawn uniformly from the whole CJK block,
  so hits are as rare as on a real page and the cost is the automaton's.

Text: sentences of odw.train (source and target sides) and the four seed circulars, shuffled and
repeated until about --mb MB of UTF-8, cut into 4,000-character pages — a scan runs page by page,
as the inspection does. Throughput counts UTF-8 bytes (a Chinese character is 3 bytes).

Reported: time to build the automaton, the automaton's own size (pyahocorasick's stats), scan
throughput of audits.content.scan_text and of the bare automaton iteration (what the allow-list,
the overlap resolution and the context strings cost on top), hits, and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audits.content import (  # noqa: E402
    ALLOW,
    SENSITIVE,
    Entry,
    LeaderEntry,
    build_matcher,
    scan_text,
    seed_entries,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
ECSPELL = SHARED / "eval-real" / "csc-ecspell" / "Data"
SEEDS = SHARED / "seeds"
PAGE_CHARS = 4000


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sentences() -> list[str]:
    out = []
    for line in (ECSPELL / "domains_data/odw.train").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            out += [parts[1], parts[2]]
    for path in sorted(SEEDS.glob("*.txt")):
        out += [s for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
    return out


def make_pages(mb: float, rng: random.Random) -> tuple[list[str], int]:
    pool = sentences()
    target = int(mb * 2**20)
    parts, size = [], 0
    while size < target:
        rng.shuffle(pool)
        for s in pool:
            parts.append(s)
            size += len(s.encode("utf-8")) + 1
            if size >= target:
                break
    text = "\n".join(parts)
    pages = [text[i : i + PAGE_CHARS] for i in range(0, len(text), PAGE_CHARS)]
    return pages, len(text.encode("utf-8"))


def big_dictionary(
    n: int, rng: random.Random, *, common: bool = True
) -> tuple[list[Entry], list[LeaderEntry]]:
    entries = list(seed_entries())
    seen = {(e.kind, e.word) for e in entries}
    vocab = (ECSPELL / "vocab/公文写作.txt").read_text(encoding="utf-8").split()
    for word in vocab:
        if len(word) >= 2 and (SENSITIVE, word) not in seen:
            seen.add((SENSITIVE, word))
            entries.append(Entry(SENSITIVE, word))
    counts: dict[str, int] = {}
    for s in sentences():
        for c in s:
            if "\u4e00" <= c <= "\u9fff":
                counts[c] = counts.get(c, 0) + 1
    if common:
        chars, weights = zip(*sorted(counts.items()), strict=True)
    else:  # the whole CJK Unified Ideographs block, uniformly: almost nothing matches
        chars = tuple(chr(c) for c in range(0x4E00, 0xA000))
        weights = (1,) * len(chars)
    kinds = ("typo", "sensitive", "gambling", "porn")
    words = {w for _, w in seen}
    while len(entries) < n:
        length = rng.choice((2, 3, 3, 4, 4, 4, 5, 6))
        word = "".join(rng.choices(chars, weights, k=length))
        if word in words:
            continue
        words.add(word)
        kind = ALLOW if rng.random() < 0.01 else rng.choice(kinds)
        correction = word[::-1] if kind == "typo" else ""
        entries.append(Entry(kind, word, correction))
    leaders = [
        LeaderEntry(
            "".join(rng.choices(chars, weights, k=rng.choice((2, 3)))),
            ("副县长",) if i % 2 else ("县委副书记", "县长"),
            ("".join(rng.choices(chars, weights, k=3)),),
        )
        for i in range(20)
    ]
    return entries, leaders


def run(name: str, entries, leaders, pages: list[str], nbytes: int) -> dict:
    before = rss_mb()
    t0 = time.perf_counter()
    matcher = build_matcher(entries, leaders)
    build_s = time.perf_counter() - t0
    stats = matcher.automaton.get_stats()
    grown = rss_mb() - before

    t0 = time.perf_counter()
    raw = 0
    for page in pages:
        for _ in matcher.raw_matches(page):
            raw += 1
    raw_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    hits = 0
    for page in pages:
        hits += len(scan_text(page, matcher))
    scan_s = time.perf_counter() - t0
    mb = nbytes / 2**20
    return {
        "dictionary": name,
        "entries": matcher.words + matcher.allowed,
        "build s": build_s,
        "AC MB": stats["total_size"] / 2**20,
        "RSS +MB": grown,
        "iter MB/s": mb / raw_s,
        "scan MB/s": mb / scan_s,
        "scan s": scan_s,
        "raw matches": raw,
        "hits": hits,
        "peak RSS MB": peak_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--entries", type=int, default=50_000)
    args = parser.parse_args()
    rng = random.Random(2019)
    pages, nbytes = make_pages(args.mb, rng)
    chars = sum(len(p) for p in pages)
    print(
        f"text: {nbytes / 2**20:.1f} MB UTF-8, {chars / 1e6:.2f} M characters, "
        f"{len(pages)} pages of {PAGE_CHARS} characters"
    )
    rows = [run("shipped seeds", seed_entries(), [], pages, nbytes)]
    entries, leaders = big_dictionary(args.entries, rng)
    rows.append(run(f"{args.entries // 1000}k common", entries, leaders, pages, nbytes))
    entries, leaders = big_dictionary(args.entries, rng, common=False)
    rows.append(run(f"{args.entries // 1000}k uniform", entries, leaders, pages, nbytes))

    cols = [
        ("dictionary", "{:<16}"),
        ("entries", "{:>8,}"),
        ("build s", "{:>8.2f}"),
        ("AC MB", "{:>7.1f}"),
        ("RSS +MB", "{:>8.1f}"),
        ("iter MB/s", "{:>10.1f}"),
        ("scan MB/s", "{:>10.1f}"),
        ("scan s", "{:>7.2f}"),
        ("raw matches", "{:>12,}"),
        ("hits", "{:>10,}"),
        ("peak RSS MB", "{:>12.0f}"),
    ]
    header = "".join(
        f"{name:<16}" if i == 0 else f"{name:>{len(fmt.format(rows[0][name]))}}"
        for i, (name, fmt) in enumerate(cols)
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print("".join(fmt.format(row[name]) for name, fmt in cols))
    print(
        "\niter = bare automaton.iter over the folded page as UTF-8; scan = scan_text (allow-list, "
        "longest-match resolution, Hit objects with context). Peak RSS includes the text itself."
    )


if __name__ == "__main__":
    main()
