"""Page rush: requests per second of the busiest pages, against a static file.

When a lottery opens, everyone loads its page at once. This measures, on one server
(uvicorn with 2 workers, the production settings, PostgreSQL and Redis), how many
requests per second it serves of:

- a static file (the site's stylesheet, served by WhiteNoise): the ceiling;
- the lottery page for an anonymous visitor (served from the short page cache);
- the lottery page for a signed-in visitor (rendered for them, costly parts cached);
- the home page for an anonymous visitor.

Needs: PostgreSQL and Redis running, and the `wrk` load generator on the PATH
(Debian: `apt-get install wrk`); it installs nothing itself. Run from the
repository root:

    DATABASE_URL=postgres://USER@HOST:5432/NAME REDIS_URL=redis://HOST:6379/DB \\
        python bench/page_rush.py            # the full measure, a few minutes
    python bench/page_rush.py --smoke    # tiny sizes, one short measure of each

It creates its own database (bench_pages_NAME), migrates it, collects the static
files into a temporary folder, fills the site with a home page, a lottery index and
an open lottery with prizes, bundles and sales, starts the server, measures, stops
the server and drops the database. Its cache keys carry their own prefix, removed at
the end. The last line printed is one JSON object with the figures (medians of
requests per second, over the repetitions, all taken in this run):

- `limit_ratio`: the signed-in lottery page over the static file, the limit;
- `ratio`: the signed-in lottery page over its peer, the same page served to
  anonymous visitors from the page cache;
- `anonymous_ratio`, `home_ratio`: the anonymous lottery page and the home page over
  the static file.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def server_environment(*, database_url: str, static_root: str, media_root: str) -> dict:
    """What the production settings require, for a server on this machine only."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "assosolos.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "RELAY_CREDENTIALS_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CACHE_KEY_PREFIX": f"page-rush-{os.getpid()}",
        "STATIC_ROOT": static_root,
        "MEDIA_ROOT": media_root,
        "PRIVATE_MEDIA_ROOT": media_root,
        "EMAIL_URL": "consolemail://",
        # The bench draws nothing: its lotteries open without a drand relay.
        "DRAW_SEED_ONLY_ALLOWED": "true",
    }


def database_url_named(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- Data ----------------------------------------------------------------------------


def site_create(*, prizes: int, bundles: int, sales: int) -> dict:
    """A home page, a lottery index, an open lottery with prizes, bundles and cash sales."""
    from datetime import date, timedelta

    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.test import Client
    from django.utils import timezone
    from wagtail.models import Page, Site

    from accounts.models import User
    from associations.models import Association
    from cms.models import HomePage
    from lottery import services
    from lottery.models import Bundle, Lottery, LotteryIndexPage, Prize

    root = Page.get_first_root_node()
    home = HomePage(title="Accueil", slug="accueil", hero_title="Des loteries solidaires")
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    index = LotteryIndexPage(title="Loteries", slug="loteries", show_in_menus=True)
    home.add_child(instance=index)
    index.save_revision().publish()

    association = Association.objects.create(
        name="Les Solos Solidaires",
        slug="les-solos-solidaires",
        rna_number="W691000001",
        address="5 place Bellecour",
        postcode="69002",
        commune="Lyon",
        purpose="Aider les demandeurs d'emploi à soigner leur profil LinkedIn.",
        contact_email="contact@solos.example.org",
        status=Association.Status.VERIFIED,
    )
    now = timezone.now()
    lottery = Lottery.objects.create(
        association=association,
        title="Grande tombola de printemps",
        slug="grande-tombola-de-printemps",
        description="Une tombola pour financer nos ateliers.\n\n" * 3,
        rules="Règlement déposé en mairie.\n" * 10,
        authorisation_reference="ARR-2026-042",
        authorisation_date=date.today() - timedelta(days=10),
        authorisation_commune="Lyon",
        authorisation_scan="lottery/authorisations/bench/arrete.pdf",
        ticket_price_cents=200,
        ticket_cap=2000,
        sales_open_at=now - timedelta(hours=1),
        sales_close_at=now + timedelta(days=7),
        draw_at=now + timedelta(days=8),
    )
    for rank in range(1, prizes + 1):
        Prize.objects.create(
            lottery=lottery,
            rank=rank,
            name=f"Lot n° {rank} : un an d'ateliers",
            description="Des ateliers en petit groupe, chaque semaine.",
            value_cents=1500,
        )
    for i in range(bundles):
        Bundle.objects.create(lottery=lottery, quantity=5 * (i + 1), price_cents=900 * (i + 1))
    services.lottery_request_open(lottery=lottery, actor=None)
    lottery.refresh_from_db()
    assert lottery.status == Lottery.Status.OPEN, lottery.status
    for i in range(sales):
        services.order_record_offline(
            lottery=lottery, actor=None, channel="cash", quantity=2, receipt_number=f"R-{i}"
        )

    user = User.objects.create_user(email="visiteuse@example.org", password=None)
    user.display_name = "Visiteuse"
    user.save()
    client = Client()
    client.force_login(user)
    return {
        "lottery_path": lottery.get_absolute_url(),
        "static_path": staticfiles_storage.url("css/site.css"),
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}="
        f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
    }


# --- Server and load -----------------------------------------------------------------


def server_start(*, env: dict, port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(ROOT / "site"),
        "assosolos.asgi:application",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT)


# A proxy terminating TLS in front of the server says so; without it the production
# settings redirect every request to https.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def fetch(url: str, *, cookie: str = "") -> tuple[int, dict, str]:
    """GET `url` on the bench server: status, headers (names in lower case) and text."""
    parts = urlsplit(url)
    headers = dict(PROXY_HEADERS)
    if cookie:
        headers["Cookie"] = cookie
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path or "/", headers=headers)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read().decode()
    finally:
        connection.close()


def server_wait(base: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("The server stopped while starting.")
        try:
            fetch(base + "/")
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("The server did not start in time.")


def wrk(url: str, *, cookie: str, seconds: int, connections: int, threads: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    for name, value in PROXY_HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "requests": total,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def check_pages(base: str, data: dict) -> None:
    """Each target answers 200 with what it should, before any figure is taken."""
    status, _, _ = fetch(base + data["static_path"])
    assert status == 200, f"static file: {status}"
    lottery = base + data["lottery_path"]
    status, _, html = fetch(lottery)
    assert status == 200 and "tickets-left" in html, f"anonymous lottery page: {status}"
    hits = [fetch(lottery)[1].get("x-page-cache") for _ in range(4)]
    assert "hit" in hits, f"the anonymous page is not served from cache: {hits}"
    status, headers, html = fetch(lottery, cookie=data["session_cookie"])
    assert status == 200 and "Visiteuse" in html, f"signed-in lottery page: {status}"
    assert "x-page-cache" not in headers, "a signed-in visitor got the anonymous copy"
    status, _, html = fetch(base + "/")
    assert status == 200 and "Grande tombola" in html, f"home page: {status}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measure")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prizes", type=int, default=8)
    parser.add_argument("--bundles", type=int, default=3)
    parser.add_argument("--sales", type=int, default=50)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes and one 1-second measure of each page: checks that it runs",
    )
    args = parser.parse_args()
    warm_seconds = 2
    if args.smoke:
        args.seconds, args.repeat, args.connections, args.threads = 1, 1, 4, 1
        args.prizes, args.bundles, args.sales = 2, 1, 3
        warm_seconds = 1

    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"Set {name}: this benchmark runs on PostgreSQL and Redis.")
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL database.")
    if shutil.which("wrk") is None:
        sys.exit("Needs the wrk load generator on the PATH (Debian: apt-get install wrk).")

    workdir = Path(tempfile.mkdtemp(prefix="page-rush-"))
    name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") or "assosolos"
    bench_db = f"bench_pages_{name}"
    env = server_environment(
        database_url=database_url_named(os.environ["DATABASE_URL"], bench_db),
        static_root=str(workdir / "static"),
        media_root=str(workdir / "media"),
    )
    # This process prepares the data with the very settings the server runs; its
    # database is created below, from the original name.
    original_url = os.environ["DATABASE_URL"]
    os.environ.update(env)
    os.environ["DATABASE_URL"] = original_url
    sys.path[:0] = [str(ROOT), str(ROOT / "site")]
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, connections

    creation = connection.creation
    original_name = connection.settings_dict["NAME"]
    # A copy of an already migrated database when one is named (CI makes one).
    connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = os.environ.get(
        "TEST_DATABASE_TEMPLATE"
    )
    connection.settings_dict.setdefault("TEST", {})["NAME"] = bench_db
    print(f"Creating the database {bench_db} and collecting static files…", flush=True)
    creation.create_test_db(verbosity=0, autoclobber=True)
    server = None
    figures: dict[str, list[float]] = {"static": [], "anonymous": [], "signed_in": [], "home": []}
    problems: list[str] = []
    try:
        call_command("collectstatic", interactive=False, verbosity=0)
        data = site_create(prizes=args.prizes, bundles=args.bundles, sales=args.sales)
        connections.close_all()
        port = free_port()
        base = f"http://{HOST}:{port}"
        server = server_start(env=env, port=port, workers=args.workers)
        server_wait(base, server)
        check_pages(base, data)
        targets = {
            "static": (data["static_path"], ""),
            "anonymous": (data["lottery_path"], ""),
            "signed_in": (data["lottery_path"], data["session_cookie"]),
            "home": ("/", ""),
        }
        for path, cookie in targets.values():  # warm every worker
            wrk(base + path, cookie=cookie, seconds=warm_seconds, connections=4, threads=1)
        for rep in range(args.repeat):
            names = list(targets) if rep % 2 == 0 else list(reversed(targets))
            for name in names:
                path, cookie = targets[name]
                result = wrk(
                    base + path,
                    cookie=cookie,
                    seconds=args.seconds,
                    connections=args.connections,
                    threads=args.threads,
                )
                figures[name].append(result["rps"])
                if result["non_2xx"] or result["socket_errors"]:
                    problems.append(
                        f"{name}: {result['non_2xx']} non-2xx, "
                        f"socket errors {result['socket_errors'] or 'none'}"
                    )
                print(
                    f"rep {rep + 1} {name:10} {result['rps']:9.1f} requests/s "
                    f"({result['requests']} requests, {result['non_2xx']} non-2xx)",
                    flush=True,
                )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            client = cache._cache.get_client(write=True)
            for key in client.scan_iter(f"{env['CACHE_KEY_PREFIX']}:*"):
                client.delete(key)
        finally:
            connections.close_all()
            creation.destroy_test_db(original_name, verbosity=0)
            shutil.rmtree(workdir, ignore_errors=True)

    medians = {name: statistics.median(values) for name, values in figures.items()}
    static = medians["static"]
    print(
        json.dumps(
            {
                "ratio": round(medians["signed_in"] / medians["anonymous"], 3),
                "limit_ratio": round(medians["signed_in"] / static, 3),
                "anonymous_ratio": round(medians["anonymous"] / static, 3),
                "home_ratio": round(medians["home"] / static, 3),
                "static_rps": round(static, 1),
                "anonymous_rps": round(medians["anonymous"], 1),
                "signed_in_rps": round(medians["signed_in"], 1),
                "home_rps": round(medians["home"], 1),
                "errors": problems,
                "workers": args.workers,
                "connections": args.connections,
                "seconds": args.seconds,
                "repetitions": args.repeat,
                "smoke": args.smoke,
            }
        )
    )


if __name__ == "__main__":
    main()
