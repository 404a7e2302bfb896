"""One settings module, configured by environment variables with safe local defaults.

DATABASE_URL  PostgreSQL (postgres://...) or SQLite (sqlite:///path); default: var/pccovid.sqlite3
SECRET_KEY    required when DEBUG is off; a fixed development key otherwise
DEBUG         "1"/"true" for development (default on, for `make run` on a laptop)
ALLOWED_HOSTS comma separated; default localhost names
PCCOVID_VAR_DIR  where the SQLite file, the development OTP outbox and demo extracts live
"""

import os
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet as xstatic_leaflet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PCCOVID_VAR_DIR", PACKAGE_DIR.parents[1] / "var")).resolve()


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_flag("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-not-secret-pccovid"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "pccovid.core",
    "pccovid.rules",
    "pccovid.geography",
    "pccovid.identity",
    "pccovid.accounts",
    "pccovid.audit",
    "pccovid.events",
    "pccovid.qr",
    "pccovid.status",
    "pccovid.declarations",
    "pccovid.checkins",
    "pccovid.testing",
    "pccovid.vaccination",
    "pccovid.certificates",
    "pccovid.exchange",
    "pccovid.tracing",
    "pccovid.quarantine",
    "pccovid.migration",
    "pccovid.linkage",
    "pccovid.risk",
    "pccovid.maps",
    "pccovid.reports",
    "pccovid.operations",
    "pccovid.feedback",
    "pccovid.web",
    "pccovid.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pccovid.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "pccovid.urls"
WSGI_APPLICATION = "pccovid.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:official-login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'pccovid.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Leaflet (the risk map) comes from the XStatic-Leaflet wheel: `{% static "leaflet/leaflet.js" %}`.
STATICFILES_DIRS = [("leaflet", xstatic_leaflet.BASE_DIR)]
# A tile server for the map's background (e.g. "https://tiles.example.vn/{z}/{x}/{y}.png"); empty: no
# background, the units' shapes only (the machine may be offline; never a public CDN by default).
PCCOVID_MAP_TILE_URL = os.environ.get("PCCOVID_MAP_TILE_URL", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# Citizen sign-in codes: the sender is pluggable (dotted path to a callable(phone, text)).
PCCOVID_SMS_SENDER = os.environ.get("PCCOVID_SMS_SENDER", "pccovid.accounts.sms.console_and_file_sender")
PCCOVID_SMS_OUTBOX = VAR_DIR / "sms-outbox.log"

# Signing keys live outside the database (and its dumps): created on first use, rotated by command.
PCCOVID_KEY_DIR = Path(os.environ.get("PCCOVID_KEY_DIR", VAR_DIR / "keys")).resolve()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"pccovid": {"handlers": ["console"], "level": "INFO"}},
}
