"""The README's commands are the contract with users: CI must run exactly its test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [
        line for block in _bash_blocks(readme) for line in block.splitlines() if "pytest" in line
    ]
    assert len(commands) == 1
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci.splitlines()


def test_readme_shows_the_main_job() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert any("pip install . && kratomkg build" in block for block in _bash_blocks(readme))


def test_the_two_commands_use_separate_environments() -> None:
    """Both commands made .venv, so the tests reused the build's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for block in _bash_blocks(readme) for line in block.splitlines()]
    build = next(line for line in lines if "kratomkg build" in line)
    tests = next(line for line in lines if "pytest" in line)
    venv = re.compile(r"python3 -m venv (\S+)")
    build_env, test_env = venv.search(build), venv.search(tests)
    assert build_env
    assert test_env
    assert build_env.group(1) != test_env.group(1)
