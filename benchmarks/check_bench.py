"""`kratomkg check`: accuracy on annotated articles, and speed on a 1 MB article.

Accuracy is scored by :mod:`kratomkg.checking.evaluate` on two sets:

* the development set, ``tests/data/articles/`` (the seed article and six written for the
  tests). The lexicon and cues were tuned while reading it, so its figures are on training
  data; ``tests/test_check.py`` keeps them at 0.9 or more;
* the second set, ``benchmarks/data/articles-round2/``, annotated without sight of the
  checker, scored once (``FIRST-CONTACT.txt``) and then used to find general defects, so
  it is no longer held out;
* the blind set, ``benchmarks/data/articles-blind/``, annotated by the same guide without
  sight of the checker or of the other sets, and never used to tune it: its figures are
  the honest estimate for new text.

Speed: the seed article repeated to 1 MB, checked with the graph index already built (the
per-article cost) and cold in a fresh process (index build included), each the median of
several runs, next to a baseline measured in the same run: reading the same text with
Python's ``re`` word tokenizer (the floor any checker pays). Goal: under 2 s for 1 MB.

Usage: python benchmarks/check_bench.py [--runs 5] [--out benchmarks/results/check.md]
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "development": ROOT / "tests" / "data" / "articles",
    "round2": ROOT / "benchmarks" / "data" / "articles-round2",
    "blind": ROOT / "benchmarks" / "data" / "articles-blind",
}


def _accuracy() -> list[str]:
    from kratomkg.checking.evaluate import articles_in, evaluate

    lines = [
        "| set | article | claims (gold) | found | recall | precision | framing right |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    misses: list[str] = []
    for label, folder in SETS.items():
        if not folder.is_dir():
            continue
        short = label.split(" ")[0]
        score = evaluate(articles_in(folder))
        for a in score.articles:
            lines.append(
                f"| {short} | {a.name} | {len(a.expected)} | {len(a.found)} | {a.recall:.2f} |"
                f" {a.precision:.2f} |"
                f" {a.framing_accuracy:.2f} ({a.framing_right}/{a.framing_total}) |"
            )
            misses += [f"- {short} {a.name}: missed `{m}`" for m in a.missed]
            misses += [f"- {short} {a.name}: not in the gold `{m}`" for m in a.spurious]
        expected = sum(len(a.expected) for a in score.articles)
        found = sum(len(a.found) for a in score.articles)
        lines.append(
            f"| **{short}** | **all (micro)** | {expected} |"
            f" {found} | **{score.recall:.2f}** | **{score.precision:.2f}** |"
            f" **{score.framing_accuracy:.2f}** |"
        )
    return [*lines, "", "Differences from the gold:", "", *misses]


def _big_article(size: int, folders: list[Path]) -> str:
    """Repeat the annotated articles of ``folders`` (extracted text) up to ``size`` bytes."""
    from kratomkg.checking import read_article

    texts = [
        read_article(p).text
        for folder in folders
        for p in sorted(folder.iterdir())
        if p.suffix in (".txt", ".md", ".html") and p.with_name(p.stem + ".expected.json").is_file()
    ]
    body = "\n\n".join(texts)
    copies = size // len(body.encode("utf-8")) + 1
    return "\n\n".join([body] * copies)[:size]


def _median(func: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _speed(runs: int) -> list[str]:
    from kratomkg.checking import check, shipped_index

    texts = {
        "seed article repeated (every sentence a claim)": _big_article(
            1_000_000, [ROOT / "tests" / "data" / "articles"]
        ),
        "all annotated articles repeated (a mix)": _big_article(
            1_000_000, [folder for folder in SETS.values() if folder.is_dir()]
        ),
    }
    texts["seed article repeated (every sentence a claim)"] = "\n\n".join(
        [(ROOT / "tests" / "data" / "articles" / "seed-article.txt").read_text(encoding="utf-8")]
        * 120
    )[:1_000_000]
    # one paragraph of prose hard-wrapped at 72 columns (a mailing list, a plain-text post)
    flat = " ".join(texts["seed article repeated (every sentence a claim)"].split())
    texts["the seed article as one hard-wrapped paragraph"] = "\n".join(textwrap.wrap(flat, 72))[
        :1_000_000
    ]
    index = shipped_index()
    word = re.compile(r"\w+")
    lines = [
        "| 1 MB text | sentences | claims / appearances | baseline: `re` words | `check(text)` warm"
        " | ÷ baseline | `kratomkg check FILE` cold (text) | cold (json) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for label, text in texts.items():
        baseline = _median(lambda text=text: word.findall(text), runs)
        warm = _median(lambda text=text: check(text, index=index), runs)
        report = check(text, index=index).to_dict()
        colds = []
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "big.txt"
            path.write_text(text, encoding="utf-8")
            for fmt in ("text", "json"):
                exe = [sys.executable, "-m", "kratomkg", "check", str(path), "--format", fmt]
                exe += ["-o", str(Path(tmp) / f"r.{fmt}")]
                colds.append(
                    _median(
                        lambda exe=exe: subprocess.run(exe, check=True, capture_output=True), runs
                    )
                )
        worst = max(worst, colds[0])
        appearances = sum(len(c["appearances"]) for c in report["claims"])
        lines.append(
            f"| {label} | {report['document']['sentences']:,} | {len(report['claims'])} /"
            f" {appearances:,} | {baseline:.3f} s | {warm:.2f} s | {warm / baseline:.0f} |"
            f" {colds[0]:.2f} s | {colds[1]:.2f} s |"
        )
    return [
        *lines,
        "",
        "Cold runs include starting Python, building the graph index (about 0.3 s) and writing"
        " the report; JSON of a claim-dense megabyte is 9 MB.",
        f"Goal: `kratomkg check` on 1 MB under 2 s: {'met' if worst < 2 else 'NOT met'}"
        f" (slowest cold text run {worst:.2f} s).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "check.md")
    args = parser.parse_args()
    try:
        import pyoxigraph  # noqa: F401

        store = "pyoxigraph (graph index read through Oxigraph)"
    except ImportError:
        store = "rdflib only (graph index read through rdflib; install kratomkg[fast] for Oxigraph)"
    lines = [
        "# `kratomkg check`: accuracy and speed",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {store}.",
        "Regenerate: `python benchmarks/check_bench.py`.",
        "",
        "## Accuracy",
        "",
        "Propositions are compared as (kind, subject, effect, condition, comparator, polarity),"
        " stricter than",
        "(subject, effect, condition); safety claims as (subject, denied risk)."
        " Framing is right when the set",
        "of framings equals the annotated set.",
        "",
        *_accuracy(),
        "",
        "## Speed",
        "",
        *_speed(args.runs),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
