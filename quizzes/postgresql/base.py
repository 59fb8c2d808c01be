"""Django's PostgreSQL backend, with a health check that needs no round trip.

With CONN_HEALTH_CHECKS, Django runs ``SELECT 1`` before the first query of every
request that reuses a connection, so that a connection the server has closed (a restart,
a failover, an administrator ending it) is replaced instead of failing the request. That
round trip cost the app and PostgreSQL more than a question page's own query once
prepared (bench/README.md). An idle connection has nothing to read: a server that closes
it sends its last message or the end of the stream first. So the socket is looked at,
without waiting, and ``SELECT 1`` runs only when something is there to read, or after a
query failed.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        if not self.errors_occurred:
            try:
                readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
            except (OSError, ValueError):
                return False
            if not readable:
                return True
        return super().is_usable()
