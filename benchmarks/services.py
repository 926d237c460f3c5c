"""Enrichment and `bibkit profile` against the fake services (tests/fakeservices.py), with
each service's real pacing and throttling counted on a fake clock: requests, and the seconds
a real run would wait. Also the second run (from the cache, real seconds) and a network that
drops packets (real seconds). `--old REV` measures the code of an earlier revision in the
same run, for the ratio.

    python benchmarks/services.py --old 971ea2d
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _limiters(clock: FakeClock) -> dict:
    from bibkit.enrich.enricher import RESOLVERS
    from bibkit.enrich.http import RateLimiter

    out = {}
    for name, cls in RESOLVERS.items():
        make = getattr(cls, "make_limiter", None)
        out[name] = make(clock, clock.sleep) if make else RateLimiter(cls.interval, clock,
                                                                      clock.sleep)
    return out


def measure_enrich() -> dict:
    from bibkit import load
    from bibkit.enrich import session
    from bibkit.model.diagnostics import Diagnostics
    from conftest import AS_OF, SAMPLE_LISTING
    from fakeservices import THROTTLING, FakeServices

    sample = load(SAMPLE_LISTING, as_of=AS_OF)
    clock = FakeClock()
    fake = FakeServices()
    fake.throttle, fake.clock = dict(THROTTLING), clock
    cache = tempfile.mkdtemp()
    endpoints = {k: v for k, v in fake.endpoints().items() if k in ("arxiv", "dblp", "s2")}
    settings = session.EnrichSettings(services=["arxiv", "dblp", "s2"], cache_dir=cache,
                                      endpoints=endpoints, limiters=_limiters(clock))
    out = session.enrich_citations(sample.citations, settings, Diagnostics("x"),
                                   sample.profile)
    first = {"requests": out.summary.get("http_requests", 0), "fake_seconds": clock.now,
             "published": out.summary["published_versions"],
             "arxiv_ids": out.summary["arxiv_ids_found"]}
    start = time.perf_counter()
    session.enrich_citations(sample.citations, settings, Diagnostics("x"), sample.profile)
    first["cached_seconds"] = time.perf_counter() - start
    fake.close()
    return first


def measure_profile() -> dict:
    import dataclasses

    from bibkit.model.diagnostics import Diagnostics
    from bibkit.profile.ids import person_id
    from bibkit.profile.session import ProfileSettings, build_profile
    from fakeservices import THROTTLING, FakeServices, make_world

    base = make_world()
    world = []
    for k in range(4):  # a 200-paper researcher: the sample's papers four times over
        for p in base:
            i = p.index + 50 * k
            world.append(dataclasses.replace(
                p, index=i, arxiv=f"{p.arxiv[:5]}{20000 + i:05d}v1",
                title=f"{p.title} {'I' * (k + 1)}" if k else p.title,
                published_title=f"{p.published_title} {'I' * (k + 1)}" if k else
                p.published_title, doi=p.doi.replace(f".{p.index:03d}", f".{i:03d}")))
    clock = FakeClock()
    fake = FakeServices(world=world)
    fake.throttle, fake.clock = dict(THROTTLING), clock
    limiters = _limiters(clock)
    settings = ProfileSettings(people=[person_id("dblp:h/BoHan3")], cache_dir=tempfile.mkdtemp(),
                               endpoints=fake.endpoints(), limiters=limiters)
    built = build_profile(settings, Diagnostics("x"))
    fake.close()
    return {"works": len(built.citations), "requests": built.report()["http"]["requests"],
            "fake_seconds": clock.now}


def measure_dropped() -> dict:
    from bibkit import load
    from bibkit.enrich import session
    from bibkit.model.diagnostics import Diagnostics

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = [socket.socket() for _ in range(4)]
    for s in fillers:
        s.setblocking(False)
        s.connect_ex(server.getsockname())
    time.sleep(0.2)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    endpoints = {"arxiv": f"{url}/api/query", "dblp": f"{url}/search/publ/api",
                 "s2": f"{url}/graph/v1", "orcid": f"{url}/v3.0", "openalex": url}
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import AS_OF, SAMPLE_LISTING

    sample = load(SAMPLE_LISTING, as_of=AS_OF)
    out = {}
    start = time.perf_counter()
    session.enrich_citations(sample.citations, session.EnrichSettings(
        services=["arxiv", "dblp", "s2"], use_cache=False, endpoints=endpoints),
        Diagnostics("x"), sample.profile)
    out["enrich_seconds"] = time.perf_counter() - start
    try:
        from bibkit.profile.ids import person_id
        from bibkit.profile.session import ProfileSettings, build_profile
    except ImportError:
        return out
    start = time.perf_counter()
    build_profile(ProfileSettings(people=[person_id("dblp:h/BoHan3"),
                                          person_id("orcid:0000-0002-1825-0097")],
                                  use_cache=False, endpoints=endpoints), Diagnostics("x"))
    out["profile_seconds"] = time.perf_counter() - start
    return out


def _in_tree(src: Path, what: str) -> dict:
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{ROOT / 'tests'}")
    res = subprocess.run([sys.executable, __file__, "--measure", what], env=env,
                         capture_output=True, text=True, cwd=ROOT)
    if res.returncode:
        sys.exit(f"{src}: {what} failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", help="an earlier revision to measure in the same run")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps({"enrich": measure_enrich, "profile": measure_profile,
                          "dropped": measure_dropped}[args.measure]()))
        return
    trees = {"now": ROOT / "src"}
    if args.old:
        tmp = Path(tempfile.mkdtemp())
        archive = subprocess.run(["git", "archive", args.old, "src", "formats"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        trees[args.old] = tmp / "src"
    for name, src in trees.items():
        print(f"enrich, 50-card sample, arxiv,dblp,s2 [{name}]: {_in_tree(src, 'enrich')}")
    print(f"profile, 200-paper researcher, dblp: {_in_tree(trees['now'], 'profile')}")
    print(f"dropped-packet network [now]: {_in_tree(trees['now'], 'dropped')}")


if __name__ == "__main__":
    main()
