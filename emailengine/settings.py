"""Email Engine settings: every knob comes from the environment (see README, "Configuration")."""
from pathlib import Path

import dj_database_url

from .env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("EMAILENGINE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY is not set. Set it in the environment (make run generates one in var/).")
    SECRET_KEY = "insecure-debug-only-key"
FIELD_ENCRYPTION_KEY = envstr("FIELD_ENCRYPTION_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

# ---------------------------------------------------------------- apps
SHARED_APPS = [
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "emailengine.apps.EmailEngineAdminConfig",
    "tenants",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "deliverability",
    "fixtures",
]
TENANT_APPS = [
    "contacts",
    "templates_app",
    "campaigns",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
TENANT_COLOR_ADMIN_APPS = False

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.BrandMiddleware",
]

ROOT_URLCONF = "emailengine.urls"
WSGI_APPLICATION = "emailengine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "emailengine" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.brand",
            ],
        },
    },
]

# ---------------------------------------------------------------- database
DATABASE_URL = envstr("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/emailengine")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60))}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"

# ---------------------------------------------------------------- i18n / static
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("API_MAX_BODY_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# ---------------------------------------------------------------- security (safe by default)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "SAMEORIGIN"  # the admin's template previews frame our own pages
SILENCED_SYSTEM_CHECKS = ["security.W019"]  # SAMEORIGIN is deliberate, see above

# ---------------------------------------------------------------- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.permissions.IsPrincipal"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tenants.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Email Engine API",
    "DESCRIPTION": "Multi-brand outreach engine: contacts, tags, segments, templates, campaigns.",
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "ENUM_NAME_OVERRIDES": {
        "ContactLanguageEnum": "contacts.models.LANGUAGE_CHOICES",
        "TemplateLanguageEnum": "templates_app.models.LANGUAGE_CHOICES",
    },
}

# ---------------------------------------------------------------- Celery
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # broadcast (worker control); default is ./control
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# ---------------------------------------------------------------- delivery
PUBLIC_BASE_URL = envstr("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/")
SMTP_RELAY_URL = envstr("SMTP_RELAY_URL", "")
OUTBOX_DIR = VAR_DIR / "outbox"
DELIVERABILITY_ENFORCE_DNS = envbool("DELIVERABILITY_ENFORCE_DNS", True)
DNS_NAMESERVER = envstr("DNS_NAMESERVER", "")
PMTA_CONFIG_PATH = envstr("PMTA_CONFIG_PATH", "")
PMTA_ACCOUNTING_DIR = envstr("PMTA_ACCOUNTING_DIR", "")
SENDER_LOCAL_PART = envstr("SENDER_LOCAL_PART", "outreach")
CAMPAIGN_LEASE_SECONDS = envint("CAMPAIGN_LEASE_SECONDS", 300)
CAMPAIGN_RELAY_CONNECTIONS = envint("CAMPAIGN_RELAY_CONNECTIONS", 4)

# ---------------------------------------------------------------- MailWizz channel
MAILWIZZ_TIMEOUT = float(envstr("MAILWIZZ_TIMEOUT", "10"))
MAILWIZZ_MAX_RETRIES = envint("MAILWIZZ_MAX_RETRIES", 4)
MAILWIZZ_BACKOFF = float(envstr("MAILWIZZ_BACKOFF", "0.5"))
MAILWIZZ_SYNC_CHUNK = envint("MAILWIZZ_SYNC_CHUNK", 1000)
MAILWIZZ_CURSOR_OVERLAP_SECONDS = envint("MAILWIZZ_CURSOR_OVERLAP_SECONDS", 5)
MAILWIZZ_RESULTS_DAYS = envint("MAILWIZZ_RESULTS_DAYS", 30)

# ---------------------------------------------------------------- logging
LOG_LEVEL = envstr("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
