"""Minimal settings for the bare target (bench/bare/). DEBUG is always off."""

import os

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-bare-only-no-secrets-here"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1").split(",")
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
TEMPLATES = []
USE_I18N = False
USE_TZ = True
LOGGING_CONFIG = None
# The answer flow's state: a signed cookie, so no database and no cache.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
