"""The RDF export round trips of tests/robustness/test_roundtrip.py, with many more examples.

CI runs each property on a few dozen fixed examples; this runs the same properties on
fresh random examples (``KRATOMKG_ROUNDTRIP_RANDOM=1``), many of them, and writes how many
ran, how long they took and what failed. A failure is a real export bug (or a property
that needs a sharper generator): the first falsifying example is written out in full.

Usage: python benchmarks/roundtrip_more.py [--examples 500] [--out benchmarks/results/roundtrip.md]
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import platform
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="examples per property")
    parser.add_argument("--fixed", action="store_true", help="derandomized, as in CI")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/roundtrip.md")
    args = parser.parse_args()
    # The test module reads these when it is imported, to build its hypothesis settings.
    os.environ["KRATOMKG_ROUNDTRIP_EXAMPLES"] = str(args.examples)
    os.environ["KRATOMKG_ROUNDTRIP_RANDOM"] = "0" if args.fixed else "1"
    sys.path.insert(0, str(ROOT))
    # rdflib logs every ill-typed literal the generator makes on purpose; keep the output
    # to the figures.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    warnings.simplefilter("ignore", UserWarning)
    module = importlib.import_module("tests.robustness.test_roundtrip")

    properties: list[tuple[str, str, Callable[[], None]]] = []
    for fmt in module.TEXT_FORMATS:
        properties.append((fmt, fmt, lambda fmt=fmt: module.test_export_reads_back_isomorphic(fmt)))
    properties.append(("rdfxml", "rdfxml", module.test_rdfxml_export_reads_back_isomorphic))
    for fmt in module.QUAD_FORMATS:
        properties.append(
            (
                f"{fmt} (2 graphs)",
                f"{fmt} (2 graphs)",
                lambda fmt=fmt: module.test_quad_export_keeps_graphs_and_shared_blank_nodes(fmt),
            )
        )

    rows: list[str] = []
    failures: list[str] = []
    total = 0.0
    for label, counter, run in properties:
        before = module.RUNS[counter]
        start = time.perf_counter()
        outcome = "pass"
        try:
            run()
        except Exception as exc:  # a falsified property: record it, run the others
            outcome = f"FAIL ({type(exc).__name__})"
            trace = "".join(traceback.format_exception(exc))[-6000:]
            failures.append(f"### {label}\n\n```\n{trace}\n```\n")
        elapsed = time.perf_counter() - start
        total += elapsed
        ran = module.RUNS[counter] - before
        per_example = 1000 * elapsed / max(ran, 1)
        rows.append(f"| {label} | {ran} | {elapsed:.1f} | {per_example:.0f} | {outcome} |")
        print(f"{label}: {ran} examples in {elapsed:.1f} s, {outcome}", flush=True)

    mode = "derandomized (CI's cases)" if args.fixed else "random (fresh cases each run)"
    lines = [
        "# RDF export round trips (property-based)",
        "",
        "Random graphs (IRIs, blank nodes, RDF lists, typed, language-tagged and ill-typed",
        "literals, unicode incl. astral plane, quotes, backslashes, control characters) go",
        "through every RDF export and are parsed back by rdflib and by pyoxigraph; both must",
        "give back a graph isomorphic to the input. Quad formats also carry two named graphs",
        "sharing blank nodes.",
        "",
        f"Measured with `python benchmarks/roundtrip_more.py --examples {args.examples}"
        f"{' --fixed' if args.fixed else ''}` on {platform.system()} {platform.machine()},"
        f" Python {platform.python_version()}, {os.cpu_count()} cores; {mode}.",
        "Examples run can exceed the target: failing cases found while shrinking count too.",
        "",
        "| property | examples | seconds | ms/example | result |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Total: {total:.1f} s, {len(failures)} failing of {len(properties)} properties.",
        "",
    ]
    if failures:
        lines += ["## Failures", "", *failures]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
