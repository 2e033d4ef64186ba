"""Generate a synthetic brief project: N Arabic-looking sources of ~10 KB and an outline citing them.

Half of the citations carry a quote that is a genuine passage (consecutive words) of the cited
source, so every quote verifies. Deterministic for a given seed.

Usage: python bench/generate.py DIR [--sources 500] [--citations 2000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
PREFIXES = ["ال", "و", "ب", ""]


def vocabulary(rng: random.Random, size: int = 600) -> list[str]:
    words = set()
    while len(words) < size:
        stem = "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 6)))
        words.add(rng.choice(PREFIXES) + stem)
    return sorted(words)


def paragraph(rng: random.Random, vocab: list[str], n: int) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n)) + "."


def make_source(rng: random.Random, vocab: list[str], target_bytes: int = 10_000) -> list[str]:
    """Paragraphs of ~60 words until the file reaches target_bytes (UTF-8)."""
    paras = [" ".join(rng.choice(vocab) for _ in range(6))]  # a headline
    size = len(paras[0].encode())
    while size < target_bytes:
        paras.append(paragraph(rng, vocab, rng.randint(45, 75)))
        size += len(paras[-1].encode()) + 2
    return paras


def generate(folder: Path, sources: int = 500, citations: int = 2000, seed: int = 1,
             source_bytes: int = 10_000) -> Path:
    """Write folder/outline.yaml, folder/sources/*.txt and sources.yaml; returns the outline path."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    src_dir = folder / "sources"
    src_dir.mkdir(parents=True, exist_ok=True)
    texts: dict[str, list[str]] = {}
    registry = ["sources:"]
    for i in range(sources):
        sid = f"s{i:04d}"
        paras = make_source(rng, vocab, source_bytes)
        texts[sid] = paras
        (src_dir / f"{sid}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")
        registry.append(f"  - {{file: {sid}.txt, id: {sid}, publisher: ناشر{i % 37}, date: 2024-0{1 + i % 9}-1{i % 9},"
                        f" reliability: {'ABC'[i % 3]}, credibility: {1 + i % 3}}}")
    (src_dir / "sources.yaml").write_text("\n".join(registry) + "\n", encoding="utf-8")

    ids = list(texts)
    lines = ['title: "موجز تجريبي كبير"', "lang: ar", "date: 2024-02-01", "summary:"]
    items = []
    for c in range(0, citations, 2):  # two citations an item, the second with a verified quote
        a, b = ids[c % len(ids)], ids[(c + 1) % len(ids)]
        paras = texts[b][1:]
        words = rng.choice(paras).rstrip(".").split()
        start = rng.randint(0, len(words) - 9)
        quote = " ".join(words[start:start + rng.randint(5, 8)])
        text = paragraph(rng, vocab, rng.randint(50, 80))
        items.append(f"  - text: {json.dumps(text, ensure_ascii=False)}\n"
                     f"    cite: [{a}, {{source: {b}, quote: {json.dumps(quote, ensure_ascii=False)}}}]")
    lines += items[:3]
    lines.append("background:")
    lines += items[3:]
    outline = folder / "outline.yaml"
    outline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return outline


def quotes(folder: Path, n: int, seed: int = 2) -> list[tuple[str, str]]:
    """n (source id, genuine passage) pairs drawn from the generated sources."""
    rng = random.Random(seed)
    files = sorted((folder / "sources").glob("*.txt"))
    out = []
    for i in range(n):
        path = files[i % len(files)]
        paras = path.read_text(encoding="utf-8").split("\n\n")[1:]
        words = rng.choice(paras).strip().rstrip(".").split()
        start = rng.randint(0, len(words) - 9)
        out.append((path.stem, " ".join(words[start:start + rng.randint(5, 8)])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--citations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.folder, args.sources, args.citations, args.seed))


if __name__ == "__main__":
    main()
