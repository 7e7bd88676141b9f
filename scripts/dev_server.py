"""Run the site locally: the web server, the task cluster and a local fake Stripe.

Used by `make run`. Online payments work out of the box against the fake Stripe
server the test suite uses (its Stripe.js accepts the test card 4242 4242 4242 4242);
set the STRIPE_* variables yourself to use a real Stripe test account instead.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
STRIPE_PORT = os.environ.get("LOCAL_STRIPE_PORT", "8420")
FAKE_STRIPE = ROOT / "tests" / "lottery" / "localstripe_server.py"


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 (local URL)
            return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer in {seconds:.0f} s") from None
            time.sleep(0.2)


def _post(url: str, body: dict) -> None:
    request = urllib.request.Request(  # noqa: S310 (local URL)
        url, data=json.dumps(body).encode(), method="POST"
    )
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310


def connect_fake_accounts(stripe_url: str, env: dict) -> None:
    """Stripe Connect on the fake: the platform, and the demo associations' accounts."""
    env.update(
        STRIPE_CONNECT_CLIENT_ID="ca_local_development",
        STRIPE_CONNECT_WEBHOOK_SECRET="whsec_local_development_connect",
    )
    site = env["SITE_URL"].rstrip("/")
    _post(
        f"{stripe_url}/_config/connect/platforms",
        {
            "client_id": env["STRIPE_CONNECT_CLIENT_ID"],
            "secret_key": env["STRIPE_SECRET_KEY"],
            "redirect_uris": [f"{site}/paiements/stripe/retour/"],
            "name": "Assosolos",
        },
    )
    _post(
        f"{stripe_url}/_config/connect/webhooks/local",
        {
            "url": f"http://{HOST}:{PORT}/loteries/stripe/connect/webhook/",
            "secret": env["STRIPE_CONNECT_WEBHOOK_SECRET"],
        },
    )
    listed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            "from connect.models import PaymentAccount as P; "
            "print(' '.join(P.objects.filter(disconnected_at__isnull=True)"
            ".values_list('account_id', flat=True)))",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for account_id in listed.stdout.split():
        _post(
            f"{stripe_url}/_config/connect/accounts/{account_id}",
            {"client_id": env["STRIPE_CONNECT_CLIENT_ID"], "send_event": False},
        )


def main() -> int:
    # A plain SIGTERM would end this process without stopping the ones it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    env = dict(os.environ)
    # Links in emails point at the server this script starts, on whatever port.
    env.setdefault("SITE_URL", f"http://{HOST}:{PORT}")
    processes: list[subprocess.Popen] = []
    if not env.get("STRIPE_SECRET_KEY"):
        stripe_url = f"http://127.0.0.1:{STRIPE_PORT}"
        # Keys of the local fake server only; they open nothing anywhere else.
        env.update(
            STRIPE_SECRET_KEY="sk_test_local_development",
            STRIPE_PUBLISHABLE_KEY="pk_test_local_development",
            STRIPE_WEBHOOK_SECRET="whsec_local_development",
            STRIPE_API_BASE=stripe_url,
            STRIPE_JS_URL=f"{stripe_url}/js.stripe.com/v3/",
        )
        processes.append(
            subprocess.Popen([sys.executable, str(FAKE_STRIPE), "--port", STRIPE_PORT])
        )
        wait_for(f"{stripe_url}/js.stripe.com/v3/")
        # The fake server signs its events and sends them to our webhook, as Stripe does.
        body = urllib.parse.urlencode(
            {
                "url": f"http://{HOST}:{PORT}/loteries/stripe/webhook/",
                "secret": env["STRIPE_WEBHOOK_SECRET"],
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (local URL)
            f"{stripe_url}/_config/webhooks/local", data=body, method="POST"
        )
        urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
        connect_fake_accounts(stripe_url, env)
        print(f"Fake Stripe at {stripe_url}: pay with the test card 4242 4242 4242 4242.")
    manage = [sys.executable, str(ROOT / "manage.py")]
    processes.append(subprocess.Popen([*manage, "qcluster"], env=env))
    web = subprocess.Popen([*manage, "runserver", f"{HOST}:{PORT}"], env=env)
    processes.append(web)
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
