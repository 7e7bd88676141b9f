"""Settings read the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.ROOT_DIR)

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "assosolos.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "assosolos.example.org",
    "DATABASE_URL": "postgres://assosolos@127.0.0.1:5432/assosolos",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:pass@mail.example.org:587",
    "SITE_URL": "https://assosolos.example.org",
    "DRAND_URLS": "https://drand.example.org",
    "RELAY_CREDENTIALS_KEY": "YXNzb3NvbG9zLXRlc3RzLXJlbGF5LWtleS0zMmJ5dGU=",
}


def run_manage(args, env):
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(ROOT)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage(["check"], {**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_draws_without_public_randomness_unless_told():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DRAND_URLS"}
    refused = run_manage(["check"], env)
    assert refused.returncode != 0
    assert "lottery.E001" in refused.stderr and "DRAW_SEED_ONLY_ALLOWED" in refused.stderr
    allowed = run_manage(["check"], {**env, "DRAW_SEED_ONLY_ALLOWED": "true"})
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_production_refuses_to_start_without_redis():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "REDIS_URL"}
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_embedded_default_with_nothing_set():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "'orm' in s.Q_CLUSTER, s.POST_OFFICE['BACKENDS']['default'], s.DEBUG, s.LANGUAGE_CODE, "
        "s.TIME_ZONE)"
    )
    result = run_manage(
        ["shell", "--verbosity", "0", "-c", code],
        {"DJANGO_SETTINGS_MODULE": "assosolos.settings.dev"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "True",
        "fr",
        "Europe/Paris",
    ]


def test_environment_switches_to_postgres_redis_and_smtp():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], "
        "s.CACHES['default']['BACKEND'], s.Q_CLUSTER.get('redis'), "
        "s.POST_OFFICE['BACKENDS']['default'], s.EMAIL_HOST)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "assosolos.settings.dev",
        "DATABASE_URL": "postgres://u@db.example.org:5432/assosolos",
        "REDIS_URL": "redis://cache.example.org:6379/0",
        "EMAIL_URL": "smtp+tls://mailer:pass@mail.example.org:587",
    }
    # Settings only: nothing connects while printing them.
    result = run_manage(["shell", "--verbosity", "0", "-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "channels_redis.core.RedisChannelLayer",
        "assosolos.cache.ResilientRedisCache",
        "redis://cache.example.org:6379/0?socket_connect_timeout=0.5&socket_timeout=5.0",
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
    ]
