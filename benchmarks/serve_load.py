"""Bounded load test of `kratomkg serve`: entity pages, content negotiation and the endpoint.

Starts `python -m kratomkg serve` on a free loopback port, then N client threads (each with
its own keep-alive `http.client` connection) send a mix of requests for T seconds: claim and
compound pages as HTML, the same resources negotiated to Turtle (the 303 and the document it
points at), a small static file of the app, and a named query on /sparql. It reports, per
kind, the requests, errors, p50/p99 latency and requests per second, and stops the server.

The same clients then load a baseline measured in the same run: Python's own `http.server`
(threaded, HTTP/1.1) serving one of the claim pages as a static file. Figures from machines
of different speed can be read as ratios against it.

Everything is bounded: the server must answer within --startup-timeout, each request has a
timeout, and the whole run stops at a hard deadline even if a client hangs. Only loopback
targets are accepted (the test never loads anyone else's server).

Usage: python benchmarks/serve_load.py [--clients 8] [--seconds 20]
       [--out benchmarks/results/serve_load.md]
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

#: Seconds a single request may take before it counts as an error.
REQUEST_TIMEOUT = 30.0
#: Seconds past the planned end after which the run is abandoned (threads are daemons).
GRACE = 30.0
KKG = "PREFIX kkg: <https://w3id.org/kratomkg/ontology/>\n"
#: The named query each /sparql request sends (it joins claims, certainty and status).
NAMED_QUERY = "claims-by-certainty"


@dataclass(frozen=True)
class Request:
    """One request of the mix, and the status that counts as a success."""

    kind: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None
    expect: int = 200


@dataclass
class Tally:
    """What one client saw, per kind: latencies of successes, and errors."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


def loopback(host: str) -> str:
    """Return ``host`` if every address it names is a loopback one; refuse anything else."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise SystemExit(f"serve_load: cannot resolve --host {host}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_loopback:
            raise SystemExit(
                f"serve_load: --host {host} is not a loopback address ({address}); "
                "this load test only runs against a server on this machine"
            )
    return host


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _get(
    host: str,
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
    timeout: float = 5.0,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextmanager
def process(
    label: str, command: Sequence[str], host: str, port: int, probe: str, timeout: float, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` until the ``with`` ends, once it answers GET ``probe``."""
    with log.open("wb") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if child.poll() is not None:
                    tail = log.read_text(errors="replace")[-1500:]
                    raise SystemExit(f"serve_load: {label} exited early\n{tail}")
                try:
                    _get(host, port, "GET", probe, {}, timeout=2.0)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit(
                            f"serve_load: {label} did not answer in {timeout:g} s"
                        ) from None
                    time.sleep(0.2)
            yield child
        finally:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def sample_resources(host: str, port: int, count: int) -> list[str]:
    """Names (``id/NAME``) of up to ``count`` claims and ``count`` compounds, from the server."""
    query = KKG + ("SELECT ?r WHERE { { ?r a kkg:Claim } UNION { ?r a kkg:Compound } } ORDER BY ?r")
    body = urllib.parse.urlencode({"query": query}).encode()
    status, _, answer = _get(
        host,
        port,
        "POST",
        "/sparql",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
        body,
        timeout=60.0,
    )
    if status != 200:
        raise SystemExit(f"serve_load: the sample query failed with {status}: {answer[:300]!r}")
    iris = [b["r"]["value"] for b in json.loads(answer)["results"]["bindings"]]
    prefix = "https://w3id.org/kratomkg/id/"
    names = [iri[len(prefix) :] for iri in iris if iri.startswith(prefix)]
    claims = [n for n in names if n.startswith("claim-")][:count]
    others = [n for n in names if not n.startswith("claim-")][:count]
    if not claims or not others:
        raise SystemExit("serve_load: the server holds no claims or no compounds to sample")
    return claims + others


def server_mix(names: Sequence[str], query: str) -> list[Request]:
    """The requests the served app gets: pages, negotiation, a static file, a query."""
    html = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    turtle = {"Accept": "text/turtle"}
    sparql_body = urllib.parse.urlencode({"query": query}).encode()
    mix: list[Request] = []
    for name in names:
        mix.append(Request("HTML page (id/NAME.html)", "GET", f"/id/{name}.html", html))
        mix.append(
            Request("conneg Turtle (id/NAME -> 303)", "GET", f"/id/{name}", turtle, expect=303)
        )
        mix.append(Request("Turtle document (id/NAME.ttl)", "GET", f"/id/{name}.ttl", turtle))
    # As many queries and static files as pages of one kind, so each kind gets a fair share.
    for _ in names:
        mix.append(
            Request(
                f"named query on /sparql ({NAMED_QUERY})",
                "POST",
                "/sparql",
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/sparql-results+json",
                },
                sparql_body,
            )
        )
        mix.append(Request("static file (static/editor.css)", "GET", "/static/editor.css", {}))
    return mix


def client(
    host: str, port: int, mix: Sequence[Request], end: float, seed: int, tally: Tally
) -> None:
    """Send requests from ``mix`` (in a shuffled order) until ``end``; keep the connection."""
    rng = random.Random(seed)
    order = list(mix)
    connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
    while time.monotonic() < end:
        rng.shuffle(order)
        for request in order:
            if time.monotonic() >= end:
                break
            start = time.perf_counter()
            try:
                connection.request(
                    request.method, request.path, body=request.body, headers=request.headers
                )
                response = connection.getresponse()
                response.read()
                ok = response.status == request.expect
                problem = f"{request.path}: HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                ok, problem = False, f"{request.path}: {type(exc).__name__}: {exc}"
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
            elapsed = time.perf_counter() - start
            if ok:
                tally.latencies.setdefault(request.kind, []).append(elapsed)
            else:
                tally.errors[request.kind] = tally.errors.get(request.kind, 0) + 1
                if len(tally.examples) < 5:
                    tally.examples.append(problem)
    connection.close()


@dataclass(frozen=True)
class Row:
    kind: str
    requests: int
    errors: int
    p50: float
    p99: float
    rate: float


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation): a value that was really measured."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def load(
    host: str, port: int, mix: Sequence[Request], clients: int, seconds: float
) -> tuple[list[Row], float, list[str], bool]:
    """Run ``clients`` threads for ``seconds``; return per-kind rows, wall time, errors seen."""
    tallies = [Tally() for _ in range(clients)]
    start = time.monotonic()
    end = start + seconds
    threads = [
        threading.Thread(target=client, args=(host, port, mix, end, seed, tally), daemon=True)
        for seed, tally in enumerate(tallies)
    ]
    for thread in threads:
        thread.start()
    hard = end + GRACE
    for thread in threads:
        thread.join(timeout=max(0.0, hard - time.monotonic()))
    stopped = any(thread.is_alive() for thread in threads)
    wall = time.monotonic() - start
    kinds = sorted({r.kind for r in mix}, key=[r.kind for r in mix].index)
    rows = []
    for kind in kinds:
        latencies = [x for t in tallies for x in t.latencies.get(kind, [])]
        errors = sum(t.errors.get(kind, 0) for t in tallies)
        rows.append(
            Row(
                kind,
                len(latencies) + errors,
                errors,
                percentile(latencies, 0.5),
                percentile(latencies, 0.99),
                (len(latencies) + errors) / wall,
            )
        )
    if len(rows) > 1:
        every = [x for t in tallies for values in t.latencies.values() for x in values]
        requests = sum(r.requests for r in rows)
        rows.append(
            Row(
                "**all kinds**",
                requests,
                sum(r.errors for r in rows),
                percentile(every, 0.5),
                percentile(every, 0.99),
                requests / wall,
            )
        )
    examples = [e for t in tallies for e in t.examples][:5]
    return rows, wall, examples, stopped


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


BASELINE_SERVER = """
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[3])
handler.func.protocol_version = "HTTP/1.1"
handler.func.log_message = lambda *args: None
handler.func.disable_nagle_algorithm = True  # as uvicorn: no delayed-ACK stall per response
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), handler).serve_forever()
"""


def table(rows: Sequence[Row], baseline_p50: float | None) -> list[str]:
    lines = [
        "| kind | requests | errors | p50 ms | p99 ms | requests/s | p50 vs baseline |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ratio = (
            "-" if baseline_p50 is None or row.p50 != row.p50 else f"{row.p50 / baseline_p50:.1f}x"
        )
        p50 = "-" if row.p50 != row.p50 else f"{row.p50 * 1000:.1f}"
        p99 = "-" if row.p99 != row.p99 else f"{row.p99 * 1000:.1f}"
        lines.append(
            f"| {row.kind} | {row.requests} | {row.errors} | {p50} | {p99} | "
            f"{row.rate:.1f} | {ratio} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load phase")
    parser.add_argument(
        "--sample",
        type=int,
        default=10,
        help="claims and compounds (each) whose pages are requested",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on")
    parser.add_argument("--startup-timeout", type=float, default=180.0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/serve_load.md"))
    args = parser.parse_args(argv)
    if args.clients < 1 or not 0 < args.seconds <= 600:
        raise SystemExit("serve_load: --clients must be >= 1 and --seconds in (0, 600]")
    host = loopback(args.host)
    from kratomkg.querying.bindings import inject_values
    from kratomkg.querying.named import named_query

    named = named_query(NAMED_QUERY)
    query = inject_values(named.text, named.bindings())

    with tempfile.TemporaryDirectory(prefix="serve-load-") as scratch:
        work = Path(scratch)
        port = free_port(host)
        command = [sys.executable, "-m", "kratomkg", "serve", "--host", host, "--port", str(port)]
        started = time.monotonic()
        with process(
            "kratomkg serve",
            command,
            host,
            port,
            "/sparql?query=ASK%7B%7D",
            args.startup_timeout,
            work / "serve.log",
        ):
            startup = time.monotonic() - started
            names = sample_resources(host, port, args.sample)
            mix = server_mix(names, query)
            status, _, page = _get(host, port, "GET", f"/id/{names[0]}.html", {}, timeout=30.0)
            if status != 200:
                raise SystemExit(f"serve_load: /id/{names[0]}.html answered {status}")
            print(
                f"server up in {startup:.1f} s; {len(names)} resources; "
                f"{args.clients} clients for {args.seconds:g} s",
                file=sys.stderr,
            )
            rows, _wall, examples, stuck = load(host, port, mix, args.clients, args.seconds)

        # The baseline: the same claim page as a static file, from Python's http.server.
        (work / "static").mkdir()
        (work / "static" / "page.html").write_bytes(page)
        base_port = free_port(host)
        base_command = [
            sys.executable,
            "-c",
            BASELINE_SERVER,
            host,
            str(base_port),
            str(work / "static"),
        ]
        baseline_mix = [
            Request("baseline: http.server, the same claim page as a file", "GET", "/page.html", {})
        ]
        with process(
            "http.server", base_command, host, base_port, "/page.html", 30.0, work / "base.log"
        ):
            base_rows, _base_wall, base_examples, base_stuck = load(
                host, base_port, baseline_mix, args.clients, args.seconds
            )

    baseline_p50 = base_rows[0].p50 if base_rows[0].p50 == base_rows[0].p50 else None
    claims = sum(1 for name in names if name.startswith("claim-"))
    lines = [
        "# `kratomkg serve` under load",
        "",
        f"`python benchmarks/serve_load.py --clients {args.clients} --seconds {args.seconds:g}`"
        f" on {machine()}. Load generator and server share the machine.",
        "",
        f"{args.clients} client threads, each with one keep-alive HTTP/1.1 connection, for "
        f"{args.seconds:g} s against `kratomkg serve` (uvicorn, embedded store, the shipped "
        f"graph; up in {startup:.1f} s). The mix, shuffled per client: {len(names)} resources "
        f"({claims} claims and {len(names) - claims} compounds) as HTML pages, "
        "negotiated to Turtle (the 303 alone) and as Turtle documents; a static file of the "
        f"app; and the named query `{NAMED_QUERY}` POSTed to /sparql (JSON results). Latency "
        "is per request, connection reuse included; p50/p99 are nearest-rank percentiles.",
        "",
        *table(rows, baseline_p50),
        "",
        "## Baseline, same run",
        "",
        "The same clients for the same time against Python's `http.server` (threaded, "
        f"HTTP/1.1) serving the page `id/{names[0]}.html` as a static file "
        f"({len(page):,} bytes).",
        "",
        *table(base_rows, baseline_p50),
        "",
    ]
    problems = examples + base_examples
    if stuck or base_stuck:
        lines += ["Some clients were still waiting at the hard deadline; they were abandoned.", ""]
    if problems:
        lines += ["First errors seen:", "", *[f"- `{p}`" for p in problems], ""]
    text = "\n".join(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 1 if any(r.errors for r in rows + base_rows) else 0


if __name__ == "__main__":
    sys.exit(main())
