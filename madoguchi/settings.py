"""Settings come from environment variables with embedded defaults (docs/configuration.md)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("MADOGUCHI_DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("MADOGUCHI_DEBUG", False)
SECRET_KEY = os.environ.get(
    "MADOGUCHI_SECRET_KEY", "insecure-development-key-change-me-in-production-0123456789"
)
# Separate key for secrets at rest so rotating SECRET_KEY (sessions) does not lose credentials.
ENCRYPTION_KEY = os.environ.get("MADOGUCHI_ENCRYPTION_KEY", SECRET_KEY)
ALLOWED_HOSTS = env_list("MADOGUCHI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("MADOGUCHI_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000")
PUBLIC_URL = os.environ.get("MADOGUCHI_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "ninja",
    "madoguchi.core",
    "madoguchi.search",
    "madoguchi.accounts",
    "madoguchi.customers",
    "madoguchi.tickets",
    "madoguchi.inboxes",
    "madoguchi.automation",
    "madoguchi.knowledge",
    "madoguchi.connectors",
    "madoguchi.api",
    "madoguchi.web",
    "madoguchi.runtime",
    "madoguchi.realtime",
    "madoguchi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "madoguchi.web.middleware.AgentLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "madoguchi.web.middleware.AgentTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"
ASGI_APPLICATION = "madoguchi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "madoguchi.web.context.console",
            ],
        },
    },
]
# Form widgets render through Jinja2 (Django's own widget templates for it): a ticket page
# has a dozen selects, and the Django engine spent ~15 ms per page on their <option>s.
FORM_RENDERER = "django.forms.renderers.Jinja2"

# SQLite (WAL) by default; PostgreSQL when DATABASE_URL says so.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'madoguchi.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                " PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:inbox"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = os.environ.get("MADOGUCHI_LANGUAGE", "ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "madoguchi" / "locale"]
TIME_ZONE = os.environ.get("MADOGUCHI_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MADOGUCHI_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads: attachments, FAX scans.
MAX_ATTACHMENT_BYTES = int(os.environ.get("MADOGUCHI_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024))
# Whole raw mails (SMTP listener, IMAP, webhooks, import): larger ones get a clear refusal.
MAIL_MAX_BYTES = int(os.environ.get("MADOGUCHI_MAIL_MAX_BYTES", 30 * 1024 * 1024))
# IMAP inboxes: seconds between two polls of a folder (failures back off 30 s … 30 min instead).
IMAP_POLL_SECONDS = int(os.environ.get("MADOGUCHI_IMAP_POLL_SECONDS", "60"))
# Automatic mail (receipts) to any one address: at most one per N minutes and M a day.
AUTO_REPLY_MIN_MINUTES = int(os.environ.get("MADOGUCHI_AUTO_REPLY_MIN_MINUTES", "10"))
AUTO_REPLY_DAILY_LIMIT = int(os.environ.get("MADOGUCHI_AUTO_REPLY_DAILY_LIMIT", "3"))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MADOGUCHI_MAX_BODY_BYTES", 2 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work: django-tasks with the database backend (same DB as the app).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("MADOGUCHI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "outbox"],
    }
}

# Real time: in-memory layer embedded, Redis when several processes serve.
REDIS_URL = os.environ.get("MADOGUCHI_REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Outbound email (form replies and later the email channel).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("MADOGUCHI_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("MADOGUCHI_SMTP_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("MADOGUCHI_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MADOGUCHI_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MADOGUCHI_SMTP_STARTTLS", False)
EMAIL_USE_SSL = env_bool("MADOGUCHI_SMTP_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("MADOGUCHI_SMTP_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("MADOGUCHI_FROM_EMAIL", "support@madoguchi.localhost")
# Where the embedded catch-all SMTP server (demo) keeps the mail it receives.
MAIL_CATCHER_DIR = Path(os.environ.get("MADOGUCHI_MAIL_CATCHER_DIR", DATA_DIR / "sent-mail"))

# Inbound email without IMAP (docs/configuration.md):
# - the SMTP listener `madoguchi serve` runs when MADOGUCHI_MAIL_LISTEN_PORT is set (an MTA
#   forwards mail for the inbox addresses to it); off by default;
# - provider inbound webhooks under /hooks/email/<provider>/inbound/ (django-anymail).
#   MADOGUCHI_ANYMAIL_WEBHOOK_SECRET is the "user:password" basic auth the provider sends
#   (several separated by commas, for rotation); SendGrid, Postmark and Amazon SES are
#   refused without it. Mailgun is checked with its HMAC signing key instead.
MAIL_LISTEN_HOST = os.environ.get("MADOGUCHI_MAIL_LISTEN_HOST", "127.0.0.1")
MAIL_LISTEN_PORT = int(os.environ.get("MADOGUCHI_MAIL_LISTEN_PORT", "0") or 0)
ANYMAIL = {
    "WEBHOOK_SECRET": env_list("MADOGUCHI_ANYMAIL_WEBHOOK_SECRET", ""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("MADOGUCHI_MAILGUN_WEBHOOK_SIGNING_KEY", ""),
    # SNS subscription confirmations are answered by fetching their SubscribeURL.
    "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": env_bool(
        "MADOGUCHI_AMAZON_SES_AUTO_CONFIRM", True
    ),
}
# Amazon SES inbound: verify Amazon SNS message signatures (off only when AWS is unreachable)
# and, if set, accept only these SNS topics (comma-separated TopicArns; empty = any topic).
AMAZON_SNS_VERIFY = env_bool("MADOGUCHI_AMAZON_SNS_VERIFY", True)
AMAZON_SES_TOPIC_ARNS = env_list("MADOGUCHI_AMAZON_SES_TOPIC_ARNS", "")

# Outbox delivery: attempts before a message becomes a dead letter, backoff base in seconds.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("MADOGUCHI_OUTBOX_MAX_ATTEMPTS", "6"))
OUTBOX_BACKOFF_SECONDS = float(os.environ.get("MADOGUCHI_OUTBOX_BACKOFF_SECONDS", "30"))

# Public contact form: submissions per client address per hour.
FORM_RATE_LIMIT_PER_HOUR = int(os.environ.get("MADOGUCHI_FORM_RATE_LIMIT_PER_HOUR", "10"))
# Help center: public search API calls per client per minute; helpful votes per client per hour.
KB_SEARCH_RATE_LIMIT_PER_MINUTE = int(os.environ.get("MADOGUCHI_KB_SEARCH_RATE_LIMIT", "60"))
KB_FEEDBACK_RATE_LIMIT_PER_HOUR = int(os.environ.get("MADOGUCHI_KB_FEEDBACK_RATE_LIMIT", "20"))

# Default region for phone numbers without a country code.
PHONE_DEFAULT_REGION = os.environ.get("MADOGUCHI_PHONE_REGION", "JP")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MADOGUCHI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Every task logs RUNNING and SUCCESSFUL at INFO (hundreds after an import);
        # failures are warnings and errors and still show.
        "django_tasks": {"level": os.environ.get("MADOGUCHI_TASK_LOG_LEVEL", "WARNING")},
    },
}
