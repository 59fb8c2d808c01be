"""The floor target: the app's own settings (middleware, sessions, CSRF, database) with
one more URL, /floor/, whose view does no work of its own. See bench/README.md."""

from antifraud.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor.urls"
WSGI_APPLICATION = "bench.floor.wsgi.application"
