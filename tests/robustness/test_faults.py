"""Faults during ``kratomkg build --out DIR``: SIGKILL, a full disk, two builds at once.

A build stages the new release in a hidden sibling folder and swaps it in only when every
file is written, under a lock beside DIR (see :mod:`kratomkg.release` and
:mod:`kratomkg._io`). Whatever stops a build, the release a user had in DIR must still be
there, byte for byte, and the next good build must leave no staging or ``.old`` folder
behind. Builds of the shipped graph take several seconds, so the kills are few (a seeded
random delay each, reproducible with ``KRATOMKG_FAULT_SEED``); a benchmark can do more.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KILLS = int(os.environ.get("KRATOMKG_FAULT_KILLS", "6"))
SEED = int(os.environ.get("KRATOMKG_FAULT_SEED", "20240601"))


def _build_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "kratomkg", "build", "--out", str(out)]


def contents(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file in ``folder`` (a release is flat)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def litter(parent: Path, name: str) -> list[str]:
    """Hidden staging or .old folders of ``name`` in ``parent``, which a good build clears."""
    return sorted(
        p.name
        for p in parent.glob(f".{name}.*")
        if p.is_dir() and p.name.endswith((".staging", ".old"))
    )


def assert_whole(release: Path) -> None:
    """Every file the manifest lists is there with its size and hash, and nothing else."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    files: dict[str, dict[str, object]] = manifest["files"]
    assert set(contents(release)) == {*files, "manifest.json"}
    for name, entry in files.items():
        data = (release / name).read_bytes()
        assert len(data) == entry["bytes"], name
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """One good release of the shipped graph, and how long building it took."""
    out = tmp_path_factory.mktemp("previous") / "dist"
    start = time.monotonic()
    done = subprocess.run(_build_command(out), capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    assert_whole(out)
    return out, seconds


@pytest.fixture
def release(previous: tuple[Path, float], tmp_path: Path) -> Path:
    """A copy of the previous release in a fresh folder, as a user would have it."""
    out = tmp_path / "dist"
    shutil.copytree(previous[0], out)
    return out


def test_sigkill_at_random_points_keeps_the_previous_release(
    previous: tuple[Path, float], release: Path
) -> None:
    before = contents(release)
    rng = random.Random(SEED)  # noqa: S311 - kill delays, not secrets
    duration = previous[1]
    delays = sorted(rng.uniform(0.2, duration) for _ in range(KILLS))
    for delay in delays:
        process = subprocess.Popen(
            _build_command(release), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert release.is_dir(), f"no release in {release} after a kill at {delay:.2f} s"
        assert contents(release) == before, f"the release changed after a kill at {delay:.2f} s"
    done = subprocess.run(_build_command(release), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert contents(release) == before  # builds are reproducible: same bytes
    assert_whole(release)
    assert litter(release.parent, release.name) == []


def _mount_tmpfs(where: Path, size: int) -> bool:
    where.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("kratomkg: error: ")]
    assert len(errors) == 1, stderr
    others = [
        line
        for line in stderr.splitlines()
        if line.strip() and line not in errors and not line.endswith(" ...")
    ]
    assert others == [], stderr
    return errors[0]


def test_a_full_disk_keeps_the_previous_release(
    previous: tuple[Path, float], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a small tmpfs when one can be mounted, else with writes that raise ENOSPC."""
    # What the old release takes on a tmpfs: every file (site/ included) in whole pages.
    size = sum(-(-p.stat().st_size // 4096) * 4096 for p in previous[0].rglob("*") if p.is_file())
    disk = tmp_path / "disk"
    if _mount_tmpfs(disk, size + (2 << 20)):  # room for the old release and 2 MiB more
        try:
            out = disk / "dist"
            shutil.copytree(previous[0], out)
            before = contents(out)
            done = subprocess.run(_build_command(out), capture_output=True, text=True, check=False)
            assert done.returncode == 2, done.stderr
            assert "No space left on device" in _one_error_line(done.stderr)
            assert contents(out) == before
            assert litter(disk, "dist") == []
        finally:
            subprocess.run(["umount", str(disk)], check=False, timeout=60)
        return
    _full_disk_by_mock(previous[0], tmp_path, monkeypatch)


def _full_disk_by_mock(previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kratomkg import _io, release
    from kratomkg.cli import cli

    out = tmp_path / "dist"
    shutil.copytree(previous, out)
    before = contents(out)
    written: list[Path] = []

    def filling(path: Path, text: str) -> None:
        if len(written) >= 3:  # a few files fit, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(path)
        _io.atomic_write_text(path, text)

    monkeypatch.setattr(release, "atomic_write_text", filling)
    result = CliRunner().invoke(cli, ["build", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "No space left on device" in _one_error_line(result.stderr)
    assert contents(out) == before
    assert litter(tmp_path, "dist") == []


def test_a_write_error_in_the_release_writer_keeps_the_previous_release(
    release: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python API: ENOSPC from the writer propagates, the old release stays."""
    from kratomkg import release as release_module
    from kratomkg.release import build

    before = contents(release)
    calls: list[str] = []

    def full(path: Path, text: str) -> None:
        calls.append(path.name)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(release_module, "atomic_write_text", full)
    with pytest.raises(OSError, match="No space left on device"):
        build(release)
    assert calls, "the release writer was never reached"
    assert contents(release) == before
    assert litter(release.parent, release.name) == []


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = process.communicate(timeout=600)
    return process.returncode, stderr


def test_two_builds_into_one_folder_leave_one_whole_release(release: Path) -> None:
    """One build wins; the other waits or fails clearly; the release is whole either way."""
    processes = [
        subprocess.Popen(
            _build_command(release),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [_finish(p) for p in processes]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    for code, stderr in results:
        if code == 2:
            assert "another kratomkg build" in _one_error_line(stderr)
    assert_whole(release)
    assert litter(release.parent, release.name) == []
