"""Hardened login (django-axes: by account and by address) and the production settings that
`manage.py check --deploy` asks for."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
ROOT = Path(__file__).resolve().parents[2]
LOCKED = "账号已暂时锁定"
WRONG = "用户名或密码不正确"


@pytest.fixture(autouse=True)
def _fast_hashers(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(client, username, password, ip, **headers):
    """Through the real login view: axes needs the request to count and to lock."""
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def is_locked(response) -> bool:
    return response.status_code == 429 and LOCKED in response.content.decode()


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_are_not_all_tried(settings, operator_a, operator_b):
    limit = settings.AXES_FAILURE_LIMIT
    assert 1 < limit < 30
    client = Client()
    answers = [attempt(client, "op_a", f"guess-{i}", "10.0.0.1") for i in range(30)]
    tried = answers[: limit - 1]
    assert all(r.status_code == 200 and WRONG in r.content.decode() for r in tried)
    assert all(is_locked(r) for r in answers[limit - 1 :])

    # Now even the right password is refused, from this address and from any other.
    assert is_locked(attempt(client, "op_a", "pw-op_a", "10.0.0.1"))
    assert is_locked(attempt(Client(), "op_a", "pw-op_a", "10.0.0.9"))
    assert not logged_in(client)

    # Another account, from another address, is not affected.
    other = Client()
    response = attempt(other, "op_b", "pw-op_b", "10.0.0.3")
    assert response.status_code == 302
    assert logged_in(other)


def test_one_address_is_locked_across_usernames(settings, operator_b):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    answers = [attempt(client, f"user{i}", "guess", "10.0.0.2") for i in range(limit)]
    assert all(r.status_code == 200 for r in answers[:-1])
    assert is_locked(answers[-1])

    # A real account with its right password, from the locked address: refused.
    assert is_locked(attempt(Client(), "op_b", "pw-op_b", "10.0.0.2"))
    # A forged X-Forwarded-For does not make it another address.
    spoofed = attempt(Client(), "op_b", "pw-op_b", "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert is_locked(spoofed)

    fresh = Client()
    assert attempt(fresh, "op_b", "pw-op_b", "10.0.0.4").status_code == 302
    assert logged_in(fresh)


def test_a_success_before_the_limit_resets_the_count(settings, operator_a):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for i in range(limit - 1):
        assert attempt(client, "op_a", f"guess-{i}", "10.0.0.5").status_code == 200
    assert attempt(client, "op_a", "pw-op_a", "10.0.0.5").status_code == 302
    client.logout()
    for i in range(limit - 1):
        assert attempt(client, "op_a", f"again-{i}", "10.0.0.5").status_code == 200


def test_the_lockout_page_says_how_long_in_words(settings, operator_a):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for i in range(limit):
        response = attempt(client, "op_a", f"guess-{i}", "10.0.0.6")
    assert is_locked(response)
    page = response.content.decode()
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"PT{minutes}M" not in page, "an ISO 8601 duration is shown to people"
    assert f"{minutes} 分钟" in page


# --- check --deploy ----------------------------------------------------------------------------

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "govwatch.example.gov.cn",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}
HTTPS_ONLY = {k for k in PRODUCTION if k.startswith("SECURE_")}


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    # Only what a production host would have: nothing of the test run leaks in (such as
    # DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests need and deployment must not have).
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    base |= {
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_https_settings():
    result = check_deploy({k: v for k, v in PRODUCTION.items() if k not in HTTPS_ONLY})
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr, code
