"""The seed article, a social-media post, is recorded as a Source by its content hash.

The article text itself lives outside the package (../shared/seed/article.txt next to a
checkout); the test skips cleanly when it is absent.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Dataset

from kratomkg.namespaces import GRAPH_KB, KID, KKG

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"


@pytest.mark.skipif(not SEED.is_file(), reason="seed article not available next to the checkout")
def test_seed_article_hash_matches_the_recorded_source(shipped: Dataset) -> None:
    digest = hashlib.sha256(SEED.read_bytes()).hexdigest()
    recorded = shipped.graph(GRAPH_KB).value(KID["src-seed-article"], KKG.contentHash)
    assert str(recorded) == f"sha256:{digest}"
