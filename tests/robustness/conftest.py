"""Fixtures of the robustness suite: one loopback listener for every case of a session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.robustness.netguard import NetGuard


@pytest.fixture(scope="session")
def guard() -> Iterator[NetGuard]:
    """The listener every remote reference of an untrusted input points at."""
    with NetGuard() as listener:
        yield listener
