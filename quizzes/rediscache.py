"""Django's Redis cache, with one client per server and one round trip per call.

Django's RedisCache makes a new ``redis.Redis`` for every call, and redis-py builds its
table of about 170 response callbacks in every new client (redis/redis-py#3624): that
cost about as much CPU as the round trip itself, on every cache read of every request.
Here each process keeps one client per server (a client is thread-safe; its pool hands
each command a connection).

``incr`` is one round trip (a short script) instead of Django's two (EXISTS, then
INCRBY), with Django's meaning kept: a missing key raises ValueError.
"""

from django.core.cache.backends import redis

# INCRBY only when the key exists, so that an expired counter is not recreated without
# its time-out.
INCR_IF_EXISTS = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # pool index -> redis.Redis
        self._scripts = {}  # pool index -> INCR_IF_EXISTS, registered with that client

    def _client_at(self, index):
        client = self._clients.get(index)
        if client is None:
            # The pools are Django's, made the way its _get_connection_pool() makes them.
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
            self._scripts[index] = client.register_script(INCR_IF_EXISTS)
        return client

    def get_client(self, key=None, *, write=False):
        return self._client_at(self._get_connection_pool_index(write))

    def incr(self, key, delta):
        self._client_at(0)  # writes go to the first server
        value = self._scripts[0](keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
