"""The query editor page and its vendored YASGUI: offline, confined, and serving what it lists."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from importlib.resources import files
from typing import Any

import pytest

from kratomkg.serve.editor import (
    CONTENT_SECURITY_POLICY,
    EXAMPLE_QUERY,
    YASGUI_STYLE_HASHES,
    editor_page,
    examples,
)

VENDOR = files("kratomkg.serve") / "vendor" / "yasgui"


class _Page(HTMLParser):
    """The page's tags with their attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _urls(page: _Page) -> list[str]:
    return [
        v
        for _, attrs in page.tags
        for k, v in attrs.items()
        if k in ("href", "src", "action") and v is not None
    ]


def test_every_link_of_the_editor_page_is_relative_to_its_root() -> None:
    page = parse(editor_page(root="../"))
    urls = _urls(page)
    assert "../static/yasgui/yasgui.min.js" in urls
    assert "../static/yasgui/yasgui.min.css" in urls
    assert "../sparql" in urls
    assert "../index.html" in urls
    outside = [u for u in urls if not u.startswith(("../", "data:", "#"))]
    assert outside == [], f"links that leave the site or ignore the root: {outside}"


def test_editor_page_runs_no_inline_script_and_carries_its_policy() -> None:
    page = parse(editor_page())
    for attrs, text in page.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", (attrs, text[:80])
    metas = [
        a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert [m["content"] for m in metas] == [CONTENT_SECURITY_POLICY]
    assert "connect-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_editor_configuration_queries_the_relative_endpoint_with_the_examples() -> None:
    page = parse(editor_page(root="../"))
    (config_text,) = [text for attrs, text in page.scripts if attrs.get("id") == "editor-config"]
    config = json.loads(config_text)
    assert config["endpoint"] == "../sparql"
    assert config["query"] == EXAMPLE_QUERY
    assert set(config["examples"]) == {example.name for example in examples()}
    assert "claims-by-certainty" in config["examples"]


def test_editor_page_config_block_cannot_close_its_script() -> None:
    html = editor_page()
    block = html.split('id="editor-config">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    assert ">" not in block
    assert json.loads(block)["query"] == EXAMPLE_QUERY


def test_example_query_declares_every_kratomkg_prefix() -> None:
    from kratomkg.namespaces import PREFIXES

    for prefix, namespace in PREFIXES.items():
        assert re.search(rf"^PREFIX {prefix}:\s+<{re.escape(namespace)}>$", EXAMPLE_QUERY, re.M)


def test_vendored_files_are_the_ones_the_readme_names() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert "`@zazuko/yasgui`" in readme
    assert "4.6.2" in readme
    for name in ("yasgui.min.js", "yasgui.min.css"):
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert f"| `{name}` | `{digest}` |" in readme, f"{name} is not the file the README names"
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


def test_policy_allows_exactly_the_styles_the_bundle_inserts() -> None:
    """Each fixed ``<style>`` text YASGUI's table inserts is allowed by its hash, and no other."""
    bundle = (VENDOR / "yasgui.min.js").read_text(encoding="utf-8")
    texts = re.findall(r"createStyle\([^,()`]+,`([^`$]*)`\)", bundle)
    # The drag cursor's rule is built from the default cursor, "col-resize".
    cursor = re.search(r"dragCursor:`([^`]*)`", bundle)
    assert cursor is not None
    assert "*{cursor:`+n.opt.dragCursor+`!important}" in bundle
    texts.append(f"*{{cursor:{cursor.group(1)}!important}}")
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() + "'"
        for t in texts
    }
    assert hashes == set(YASGUI_STYLE_HASHES)


def _fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> Any:
    request = urllib.request.Request(url, headers=headers or {}, data=data)  # noqa: S310
    try:
        return urllib.request.urlopen(request, timeout=30)  # noqa: S310 - the loopback server
    except urllib.error.HTTPError as exc:
        return exc


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("static/yasgui/yasgui.min.js", "text/javascript"),
        ("static/yasgui/yasgui.min.css", "text/css"),
        ("static/yasgui/LICENSE", "text/plain"),
        ("static/editor.js", "text/javascript"),
        ("static/editor.css", "text/css"),
    ],
)
def test_server_serves_the_editor_files_cacheably(
    server_url: str, path: str, media_type: str
) -> None:
    with _fetch(server_url + path) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].split(";")[0] == media_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "max-age=" in response.headers["Cache-Control"]
        etag = response.headers["ETag"]
        body = response.read()
    name = path.rsplit("/", 1)[1]
    folder = VENDOR if path.startswith("static/yasgui/") else files("kratomkg.serve") / "assets"
    assert body == (folder / name).read_bytes()
    with _fetch(server_url + path, {"If-None-Match": etag}) as again:
        assert again.status == 304


def test_server_shows_the_editor_to_a_browser_at_the_endpoint(server_url: str) -> None:
    with _fetch(server_url + "sparql", {"Accept": "text/html"}) as response:
        assert response.status == 200
        html = response.read().decode("utf-8")
    page = parse(html)
    assert "static/yasgui/yasgui.min.js" in _urls(page)
    assert ("html", {"lang": "en"}) in page.tags


@pytest.mark.parametrize("name", [example.name for example in examples()])
def test_every_offered_example_runs_on_the_server(server_url: str, name: str) -> None:
    (example,) = [e for e in examples() if e.name == name]
    body = urllib.parse.urlencode({"query": example.query}).encode()
    accept = "text/turtle, application/sparql-results+json;q=0.9"
    with _fetch(server_url + "sparql", {"Accept": accept}, body) as response:
        assert response.status == 200, response.read()[:300]
        content = response.read()
    if response.headers["Content-Type"].startswith("application/sparql-results+json"):
        answer = json.loads(content)
        assert "boolean" in answer or answer["results"]["bindings"], f"{name} found nothing"
    else:
        assert content.strip(), f"{name} built an empty graph"
