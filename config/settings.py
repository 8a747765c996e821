"""Settings for govwatch: one file, driven by the environment.

With nothing set, the platform runs embedded: SQLite under var/, Celery over kombu's filesystem
transport. Every variable is parsed strictly; see README.md for the list.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GOVWATCH_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)
GOVWATCH_VAR_DIR = VAR_DIR

DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters")
        return key
    # Embedded default: one random key kept under var/, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "core",
    "units",
    "newmedia",
    "audits",
    "notices",
    "dashboard",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "units.access.roles_context",
            ],
        },
    },
]


def _database() -> dict:
    url = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
    if url is None:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "govwatch.sqlite3"}
    else:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    if config["ENGINE"].endswith("sqlite3"):
        # Web, worker and beat share the file: take the write lock at BEGIN and wait for it,
        # instead of failing at once with "database is locked".
        config["OPTIONS"] = {"timeout": 30, "transaction_mode": "IMMEDIATE"}
        # A file, not memory, so that a worker process in the integration tests shares it.
        config["TEST"] = {"NAME": VAR_DIR / f"test-{os.getpid()}.sqlite3"}
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "staticfiles")
# WhiteNoise serves static files in every mode; without collectstatic (the embedded default) it
# finds them in the apps and static/ directly.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# Registry workbooks are small; refuse anything that is clearly not one.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
GOVWATCH_MAX_IMPORT_BYTES = env_int("GOVWATCH_MAX_IMPORT_BYTES", 5 * 1024 * 1024, minimum=1024)

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_COOKIES", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Celery -------------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # An unacknowledged task (its worker died) is redelivered after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("GOVWATCH_VISIBILITY_TIMEOUT", 3600, minimum=1)
    }
else:
    _queue_dir = VAR_DIR / "celery"
    for _sub in ("in", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "in"),
        "data_folder_out": str(_queue_dir / "in"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
# Progress and results live in our own rows (InspectionRun), not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env_str("GOVWATCH_QUEUE", "celery")
# The core a worker pins itself to (config/celery.py); unset, the worker is not pinned.
_worker_cpu = env_int("GOVWATCH_WORKER_CPU", -1, minimum=0)
GOVWATCH_WORKER_CPU = _worker_cpu if _worker_cpu >= 0 else None
# The garbage collector's first threshold in a worker (config/celery.py), 0 for Python's own.
GOVWATCH_WORKER_GC_THRESHOLD = env_int("GOVWATCH_WORKER_GC_THRESHOLD", 50_000, minimum=0)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The schedule lives in config/schedule.py and is installed as editable rows after migrate
# (audits.apps); it is not given to beat here, which would overwrite staff edits on restart.

# --- Crawling -----------------------------------------------------------------------------------
GOVWATCH_CRAWL_USER_AGENT = env_str(
    "GOVWATCH_CRAWL_USER_AGENT",
    "govwatch/0.1 (政务网站监管平台; +https://github.com/govwatch)",
)
# Hosts or CIDR ranges that may be fetched although private or loopback (the demo farm, tests).
GOVWATCH_CRAWL_ALLOW_HOSTS = env_list("GOVWATCH_CRAWL_ALLOW_HOSTS", [])
GOVWATCH_CRAWL_PER_HOST_CONCURRENCY = env_int("GOVWATCH_CRAWL_PER_HOST_CONCURRENCY", 2, minimum=1)
GOVWATCH_CRAWL_PER_HOST_RATE = env_float("GOVWATCH_CRAWL_PER_HOST_RATE", 5.0, minimum=0.01)
# Pages whose list is built by JavaScript are rendered in headless Chromium (audits/crawl/
# browser.py): on by default when Debian's Chromium is installed; without it they stay 需人工核查.
# Unset: None, on when Chromium is installed (audits.crawl.config.render_js_setting).
GOVWATCH_RENDER_JS = (
    env_bool("GOVWATCH_RENDER_JS", default=False) if "GOVWATCH_RENDER_JS" in os.environ else None
)
GOVWATCH_RENDER_PAGES = env_int("GOVWATCH_RENDER_PAGES", 2, minimum=1)  # at once, per process
GOVWATCH_RENDER_TIMEOUT = env_float("GOVWATCH_RENDER_TIMEOUT", 20.0, minimum=1.0)  # per page, s

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; lockouts are WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Circulars: signing and verification (notices/) ----------------------------------------------
# The office's certificate and key as PKCS#12; the passphrase comes from the environment only.
# `manage.py make_signing_certs` creates a self-signed CA and office certificate for the demo.
_SIGNING_DIR = VAR_DIR / "signing"
GOVWATCH_SIGNING_P12 = env_str("GOVWATCH_SIGNING_P12") or str(_SIGNING_DIR / "office.p12")
GOVWATCH_SIGNING_PASSPHRASE = env_str("GOVWATCH_SIGNING_PASSPHRASE", "")
# PEM files of the roots a published circular's certificate must chain to.
GOVWATCH_SIGNING_TRUST_ROOTS = env_list(
    "GOVWATCH_SIGNING_TRUST_ROOTS", [str(_SIGNING_DIR / "ca.pem")]
)
# An optional seal image (PNG) drawn as the signature's visible appearance.
GOVWATCH_SIGNING_SEAL_IMAGE = env_str("GOVWATCH_SIGNING_SEAL_IMAGE", "")
# An RFC 3161 timestamp server: PAdES B-T when set, B-B otherwise.
GOVWATCH_TSA_URL = env_str("GOVWATCH_TSA_URL", "")
# The largest PDF the public verification page accepts.
GOVWATCH_MAX_VERIFY_BYTES = env_int("GOVWATCH_MAX_VERIFY_BYTES", 20 * 1024 * 1024, minimum=1024)

# --- New media -----------------------------------------------------------------------------------
# A self-hosted RSSHub-style bridge for platforms without open APIs: an account without its own
# feed URL is read at <bridge>/<platform>/<账号ID>. Fetched like any page (safe, polite).
GOVWATCH_FEED_BRIDGE_URL = env_str("GOVWATCH_FEED_BRIDGE_URL", "")

# --- Evidence uploads and reminders (portal/) -------------------------------------------------
# Evidence files (screenshots, PDF, Office) live here, outside MEDIA_ROOT and any web root.
GOVWATCH_PRIVATE_ROOT = Path(env_str("GOVWATCH_PRIVATE_ROOT") or VAR_DIR / "private")
GOVWATCH_MAX_EVIDENCE_BYTES = env_int("GOVWATCH_MAX_EVIDENCE_BYTES", 10 * 1024 * 1024, minimum=1024)
# Self-checks a unit may start per day.
GOVWATCH_SELF_CHECKS_PER_DAY = env_int("GOVWATCH_SELF_CHECKS_PER_DAY", 3, minimum=0)
# Remind a unit this many days before a finding's 整改时限.
GOVWATCH_REMIND_DAYS_BEFORE = env_int("GOVWATCH_REMIND_DAYS_BEFORE", 3, minimum=0)
# Outgoing mail (Django's): console by default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "govwatch@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# --- Login throttling (django-axes) -----------------------------------------------------------
# Locked after this many wrong passwords, by account or by address, for the cool-off time.
AXES_FAILURE_LIMIT = env_int("GOVWATCH_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("GOVWATCH_LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("GOVWATCH_PROXY_COUNT", 0, minimum=0) or None

# --- HTTPS in production ------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
