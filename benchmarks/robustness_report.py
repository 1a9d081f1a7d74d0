"""Run the robustness table and write ``docs/robustness.md`` from it.

Every row of ``tests/robustness/cases.py`` is run through the real ``kratomkg`` console
script, in a fresh folder, behind the loopback listener that stands for the network. The
document lists every case with what it feeds which command and what it must answer, and the
figures of the run: cases, passed, connections the listener saw and user files lost or
changed. Nothing in it depends on the machine, the clock or the listener's port, so two runs
with the same results write the same bytes; the timings go to stdout only.

With ``--kills N`` the SIGKILL fault test of ``tests/robustness/test_faults.py`` also runs
with N kills (the test suite does 6).

Usage: python benchmarks/robustness_report.py [--out docs/robustness.md] [--kills N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.robustness.cases import CASES, Case, Fifo, Folder, Outcome, run_case  # noqa: E402
from tests.robustness.netguard import NetGuard  # noqa: E402

LISTENER = "http://127.0.0.1:PORT"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _shell_word(word: str) -> str:
    if word and all(c.isalnum() or c in "-_./:=@{}" for c in word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def _command(case: Case) -> str:
    line = "kratomkg " + " ".join(_shell_word(a) for a in case.args)
    if case.stdin is not None:
        line += " < (stdin)"
    return line.replace("{net}", LISTENER)


def _files(case: Case) -> str:
    kinds = []
    for name, content in case.files.items():
        if isinstance(content, Folder):
            kinds.append(f"{name}/ (folder)")
        elif isinstance(content, Fifo):
            kinds.append(f"{name} (FIFO)")
        else:
            kinds.append(name)
    return ", ".join(kinds) if kinds else "(none)"


def _expects(case: Case) -> str:
    says = ", ".join(f"`{s.replace('{net}', LISTENER)}`" for s in case.stderr)
    lines = f"{case.lines} line{'s' if case.lines != 1 else ''}"
    return f"{lines}: {says}" if says else lines


def _result(outcome: Outcome, url: str) -> str:
    if outcome.passed:
        return "pass"
    return "FAIL: " + "; ".join(p.replace(url, LISTENER) for p in outcome.problems)


def render(outcomes: list[Outcome], url: str) -> str:
    """The document, from the table and the run's outcomes (in table order)."""
    passed = sum(o.passed for o in outcomes)
    connections = sum(o.connections for o in outcomes)
    lost = sum(len(o.lost) for o in outcomes)
    untrusted = [o for o in outcomes if o.case.network]
    commands = sorted({o.case.command for o in outcomes})
    lines = [
        "# Robustness",
        "",
        "Every kratomkg command is run on broken, hostile and odd input: malformed, empty,",
        "binary, huge, deeply nested, wrongly named, non-UTF-8 files, named pipes, folders and",
        "missing files, and untrusted documents that try to reach the network (a remote",
        "JSON-LD `@context`, an external DTD, billion laughs, `owl:imports` of a remote IRI,",
        "SPARQL `SERVICE`, `LOAD` and remote `FROM`). Each case runs the real `kratomkg`",
        "console script in a fresh folder and must keep the contract of the command line:",
        "",
        "- the expected exit code: 2 for bad input, 0 or 1 when the input is fine;",
        "- exactly the expected stderr lines (one for an error), naming the file, and the line",
        "  where it is known; never a traceback;",
        "- no file of the user's changed: the case's folder, `-o` targets included, is",
        "  snapshotted (modification times and SHA-256) before and after;",
        "- no connection to the network. Every remote reference in a case points at a",
        f"  loopback listener (`{LISTENER}` below) that counts connections, and the",
        "  proxy variables of the command point at it too, so any stray HTTP request",
        "  would be counted.",
        "",
        "The cases are rows of data in `tests/robustness/cases.py`;",
        "`tests/robustness/test_cases.py` runs them, and `tests/robustness/test_faults.py` kills",
        "builds with",
        "SIGKILL, fills the disk and runs two builds into one folder (the previous release",
        "must survive byte for byte). This page is written by",
        "`python benchmarks/robustness_report.py` from the same table.",
        "",
        "## Figures",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| cases | {len(outcomes)} |",
        f"| passed | {passed} |",
        f"| untrusted-input cases (network guarded) | {len(untrusted)} |",
        f"| network connections | {connections} |",
        f"| user files lost or changed | {lost} |",
        f"| commands covered | {len(commands)} ({', '.join(commands)}) |",
        "",
        "## Cases",
        "",
        "| case | command | input | files | exit | stderr | result |",
        "|---|---|---|---|---:|---|---|",
    ]
    for outcome in outcomes:
        case = outcome.case
        row = [
            f"`{case.id}`",
            f"`{_cell(_command(case))}`",
            _cell(case.about),
            _cell(_files(case)),
            str(case.exit),
            _cell(_expects(case)),
            _cell(_result(outcome, url)),
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "robustness.md")
    parser.add_argument("--kills", type=int, default=0, help="also run N SIGKILL faults")
    args = parser.parse_args()
    outcomes: list[Outcome] = []
    start = time.monotonic()
    with NetGuard() as guard, tempfile.TemporaryDirectory() as scratch:
        for case in CASES:
            outcome = run_case(case, Path(scratch) / case.id, guard)
            outcomes.append(outcome)
            verdict = "pass" if outcome.passed else "FAIL " + "; ".join(outcome.problems)
            print(f"{case.id:45} {outcome.seconds:6.1f} s  {verdict}", flush=True)
        url = guard.url
    args.out.write_text(render(outcomes, url), encoding="utf-8")
    passed = sum(o.passed for o in outcomes)
    print(f"{passed}/{len(outcomes)} passed in {time.monotonic() - start:.0f} s; wrote {args.out}")
    status = 0 if passed == len(outcomes) else 1
    if args.kills:
        env = dict(os.environ, KRATOMKG_FAULT_KILLS=str(args.kills))
        test = (
            "tests/robustness/test_faults.py"
            "::test_sigkill_at_random_points_keeps_the_previous_release"
        )
        done = subprocess.run(
            [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            env=env,
            check=False,
        )
        print(f"{args.kills} SIGKILL faults: {'pass' if done.returncode == 0 else 'FAIL'}")
        status = status or done.returncode
    return status


if __name__ == "__main__":
    raise SystemExit(main())
