"""Settings for the anti-fraud education site, read from the environment.

Every value a deployer may set is read here, with a default that is safe for a laptop.
README.md lists them all. The helpers below fail loudly on a value they cannot read,
so a typo in production stops the app instead of quietly running with a default.
"""

import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

PLACEHOLDER_SECRET_KEY = "change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY == PLACEHOLDER_SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY to a long random string (or DEBUG=1 on a development machine)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before it.
    "modeltranslation",
    "quizzes.apps.WorkspaceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "quizzes",
    # Django's own widget templates, for the form renderer below.
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "quizzes.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed here for slow phone networks, whatever the proxy does (static
    # files come pre-compressed from whitenoise). Django's GZip pads responses against
    # BREACH, and CSRF tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    # Django's, reading the session before the view (quizzes/sessions/middleware.py).
    "quizzes.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A page for 405s, which Django sends empty (in the visitor's language).
    "quizzes.views.errors.method_not_allowed_page",
    # The workspace in the language each officer chose there (quizzes/workspace_language.py).
    "quizzes.workspace_language.WorkspaceLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Police pages (admin, workspace) need a passed second factor; see quizzes/twofactor.py.
    "quizzes.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-htmx's, reading its headers without building request.headers (quizzes/htmx.py).
    "quizzes.htmx.HtmxMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

# Flash messages wait in the session, which every page reads anyway (the display mode);
# Django's default looks for a cookie of their own first, on every request.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "antifraud.urls"
WSGI_APPLICATION = "antifraud.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quizzes.context_processors.display",
            ],
        },
    },
]
# Widgets render with the templates above, so that a widget of ours keeps its template in
# templates/ like every other page.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Databases: SQLite next to the code unless DATABASE_URL names another one.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one request writes; IMMEDIATE takes the write lock at
    # the start of a transaction so two writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with a health check that looks at the socket instead of a SELECT 1 per
    # request (quizzes/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "quizzes.postgresql"
    # Parameters travel apart from the SQL, so psycopg prepares each statement a connection
    # runs often, and PostgreSQL stops parsing and planning it every time: planning the
    # question page's query cost it several times what running it did (bench/README.md).
    # Off behind a pooler in transaction mode that does not keep prepared statements.
    server_side_binding = envbool("DATABASE_SERVER_SIDE_BINDING", True)
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = server_side_binding
    if server_side_binding:
        # Django turns psycopg's automatic preparation off unless asked: a statement is
        # prepared on its fifth run in a connection (psycopg's default threshold).
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def code_release():
    """A digest of the templates, translations and code. Cached HTML and cached objects
    are stored under it, so after a deploy nothing from an older release is read."""
    digest = hashlib.sha256()
    for folder, pattern in (
        ("templates", "**/*.html"),
        ("quizzes", "**/*.py"),
        ("locale", "**/*.mo"),
    ):
        for path in sorted((BASE_DIR / folder).glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = os.environ.get("RELEASE") or code_release()

# Cache: Redis when REDIS_URL is set (shared by every app server), else per process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, with one client per process and one round trip per call.
            "BACKEND": "quizzes.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"antifraud:{RELEASE}",
        }
    }
    # Sessions in the database, read from Redis with the content generation in one MGET.
    SESSION_ENGINE = "quizzes.sessions.cached_db"
else:
    # Rendered pages are cached per question, position and language: room for them all.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": envint("LOCAL_CACHE_MAX_ENTRIES", 5000)},
        }
    }
    # Database sessions, read with a plain SELECT (see quizzes/sessions/db.py).
    SESSION_ENGINE = "quizzes.sessions.db"
# Without Redis, the content generation is this file's modification time, so that every
# process of this machine (gunicorn's workers, management commands) sees a change at once
# (quizzes/caching.py). With Redis it lives there, shared by every server.
CONTENT_GENERATION_FILE = (
    ""
    if REDIS_URL
    else os.environ.get("CONTENT_GENERATION_FILE", str(BASE_DIR / ".content-generation"))
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "quizzes.passwords.StaffPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "quizzes:login"
LOGIN_REDIRECT_URL = "quizzes:progress"
LOGOUT_REDIRECT_URL = "quizzes:home"

# Reverse proxies in front (their X-Forwarded-For gives the client address, see
# quizzes.ratelimit.client_address, which django-axes and the rate limits share).
NUM_PROXIES = envint("NUM_PROXIES", 0)

# Login throttling: lock a username at one address after a few failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "quizzes.ratelimit.client_address"

# Two-factor log-in (django-otp) for police accounts: always for Reviewers, Analysts and
# administrators; for Authors when this is on.
POLICE_2FA_FOR_AUTHORS = envbool("POLICE_2FA_FOR_AUTHORS", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Spot the scam")

# Who runs this site, shown in the footer and on the "is this site genuine?" page.
SITE_ISSUER = {
    "en": os.environ.get("SITE_ISSUER_EN", "a demonstration installation, not a police unit"),
    "zh-hans": os.environ.get("SITE_ISSUER_ZH_HANS", "演示安装，并非公安机关"),
}
# The site's official address, named on that page (e.g. https://fangzha.example.gov.cn).
SITE_ADDRESS = os.environ.get("SITE_ADDRESS", "")
# Where this site is reached, for links that leave a page: the scenarios' QR codes encode
# our own training page at this address, never the scam's.
SITE_URL = os.environ.get("SITE_URL", SITE_ADDRESS or "http://127.0.0.1:8000")

# Languages: English and Simplified Chinese, in the URL.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Mail: password reset links go to the console unless EMAIL_HOST names an SMTP server.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@localhost")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": envint("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Security. HTTPS=1 in production turns on everything that needs TLS in front.
HTTPS = envbool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", HTTPS)
if NUM_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 24 * 180)
CSRF_FAILURE_VIEW = "quizzes.views.errors.csrf_failure"
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# Content-Security-Policy: scripts and styles only from our own origin; the nonce covers
# the htmx script tag. No inline script, no inline style, no eval.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}

# Statistics figures are at most this old: computed on demand, kept this long in the cache
# (refresh_statistics from cron keeps them warm).
STATISTICS_CACHE_SECONDS = envint("STATISTICS_CACHE_SECONDS", 60)

# Abuse limits, counted in the cache (Redis when configured).
# Per learner (a person reads before answering), and per address (a class behind one NAT).
RATE_LIMIT_ANSWERS_PER_MINUTE = envint("RATE_LIMIT_ANSWERS_PER_MINUTE", 30)
RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE = envint(
    "RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE", 1200
)
RATE_LIMIT_SIGNUPS_PER_HOUR = envint("RATE_LIMIT_SIGNUPS_PER_HOUR", 10)
# Failed log-ins (and wrong second-factor codes) from one address, whatever the username.
RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = envint(
    "RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR", 30
)
# Wrong second-factor or recovery codes for one account, from any address.
RATE_LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_HOUR = envint(
    "RATE_LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_HOUR", 10
)
# Quiz runs started by one learner, and by one address (a class behind one NAT).
RATE_LIMIT_RUNS_PER_LEARNER_PER_HOUR = envint("RATE_LIMIT_RUNS_PER_LEARNER_PER_HOUR", 60)
RATE_LIMIT_RUNS_PER_ADDRESS_PER_MINUTE = envint("RATE_LIMIT_RUNS_PER_ADDRESS_PER_MINUTE", 60)
RATE_LIMIT_CAMPAIGN_JOINS_PER_ADDRESS_PER_MINUTE = envint(
    "RATE_LIMIT_CAMPAIGN_JOINS_PER_ADDRESS_PER_MINUTE", 300
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
