"""Django's Redis cache, with one client per server and one round trip per call.

Django's RedisCache makes a new ``redis.Redis`` for every call, and redis-py builds its
table of about 170 response callbacks in every new client (redis/redis-py#3624): that
cost about as much CPU as the round trip itself, on every cache read of every request.
Here each process keeps one client per server, holding one connection of its own
(``single_connection_client``): redis-py then skips taking a connection from its pool
and giving it back on every command, about 30 µs of CPU per round trip here. The client
serialises a threaded worker's commands with a lock; a forked process makes its own.

``incr`` is one round trip (a short script) instead of Django's two (EXISTS, then
INCRBY), with Django's meaning kept: a missing key raises ValueError. ``count_uses``
counts one more use in several rate-limit windows in one round trip (quizzes/ratelimit.py).
``get_many_and_fields`` reads keys and one hash in one round trip, and ``add_fields`` sets
fields of a hash with its time-out in one: a run's facts (quizzes/models/slots.py). When
asked, the read also counts one more use of the run owner's counter and of another one
(an answer's rate limits, quizzes/ratelimit.py), so that an answer makes one round trip
fewer.

The counting script names the owner's counter itself, from the hash, so that counter is
not among the keys the script is given: Redis allows that on one server or a primary
with replicas, as this app runs it, but not in cluster mode, which the session's script
(keys in different hash slots) already rules out.
"""

import os

from django.core.cache.backends import redis

# Where the run owner's id goes in the name of a counter ``get_many_and_fields`` counts.
OWNER = "{owner}"

# INCRBY only when the key exists, so that an expired counter is not recreated without
# its time-out.
INCR_IF_EXISTS = """
if redis.call('exists', KEYS[1]) == 1 then
    return redis.call('incrby', KEYS[1], ARGV[1])
end
return false
"""

# One more use in each window: INCR each key, and give it its time-out when this use
# created it (in the script, so no counter is ever left without one).
COUNT_USES = """
local counts = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('incr', key)
    if count == 1 then
        redis.call('expire', key, ARGV[i])
    end
    counts[i] = count
end
return counts
"""

# Values of the keys (MGET), then the fields of the hash at the last key, flat.
GET_MANY_AND_FIELDS = """
return {redis.call('mget', unpack(KEYS, 1, #KEYS - 1)), redis.call('hgetall', KEYS[#KEYS])}
"""

# As GET_MANY_AND_FIELDS for KEYS but the last. When the hash (the last KEYS but one)
# holds a run's facts, whose "run" field names the run's owner (its second word: see
# quizzes/models/slots.py), one more use of the owner's counter, named ARGV[1] .. owner ..
# ARGV[2] (a window of ARGV[3] seconds), and of the counter at the last key (ARGV[4]
# seconds): the owner and both counts follow the fields. Without that field nothing is
# counted.
GET_MANY_FIELDS_AND_COUNT = """
local values = redis.call('mget', unpack(KEYS, 1, #KEYS - 2))
local fields = redis.call('hgetall', KEYS[#KEYS - 1])
local owner
for i = 1, #fields, 2 do
    if fields[i] == 'run' then
        owner = string.match(fields[i + 1], '^%d+ (%d+) ')
        break
    end
end
if not owner then
    return {values, fields}
end
local counts = {}
for i, key in ipairs({ARGV[1] .. owner .. ARGV[2], KEYS[#KEYS]}) do
    local count = redis.call('incr', key)
    if count == 1 then
        redis.call('expire', key, ARGV[i + 2])
    end
    counts[i] = count
end
return {values, fields, owner, counts}
"""

# Fields set in a hash (ARGV[2] = '1': in place of all it held), which (again) expires
# ARGV[1] seconds from now.
ADD_FIELDS = """
if ARGV[2] == '1' then
    redis.call('del', KEYS[1])
end
redis.call('hset', KEYS[1], unpack(ARGV, 3))
redis.call('expire', KEYS[1], ARGV[1])
"""


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # pool index -> redis.Redis
        self._scripts = {}  # pool index -> {name: script registered with that client}
        self._pid = os.getpid()

    def _client_at(self, index):
        if self._pid != os.getpid():  # forked: the connections are the parent's
            self._clients, self._scripts, self._pid = {}, {}, os.getpid()
        client = self._clients.get(index)
        if client is None:
            # The pools are Django's, made the way its _get_connection_pool() makes them.
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(
                connection_pool=self._pools[index], single_connection_client=True
            )
            self._scripts[index] = {
                "incr": client.register_script(INCR_IF_EXISTS),
                "count_uses": client.register_script(COUNT_USES),
                "get_many_and_fields": client.register_script(GET_MANY_AND_FIELDS),
                "get_many_fields_and_count": client.register_script(GET_MANY_FIELDS_AND_COUNT),
                "add_fields": client.register_script(ADD_FIELDS),
            }
        return client

    def get_client(self, key=None, *, write=False):
        return self._client_at(self._get_connection_pool_index(write))

    def incr(self, key, delta):
        self._client_at(0)  # writes go to the first server
        value = self._scripts[0]["incr"](keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def count_uses(self, keys, windows):
        self._client_at(0)
        return self._scripts[0]["count_uses"](keys=keys, args=windows)

    def get_many_and_fields(self, keys, hash_key, count=None):
        # From the first server, which add_fields writes to: a page reads what the POST
        # before it added (a replica could lag behind).
        self._client_at(0)
        if count is None:
            reply = self._scripts[0]["get_many_and_fields"](keys=[*keys, hash_key])
        else:
            (owner_prefix, owner_suffix, owner_window), (other, other_window) = count
            reply = self._scripts[0]["get_many_fields_and_count"](
                keys=[*keys, hash_key, other],
                args=[owner_prefix, owner_suffix, owner_window, other_window],
            )
        values, flat = reply[0], reply[1]
        pairs = zip(keys, values, strict=True)
        found = {key: self._serializer.loads(value) for key, value in pairs if value is not None}
        names, texts = flat[::2], flat[1::2]
        fields = {n.decode(): t.decode() for n, t in zip(names, texts, strict=True)}
        if count is None:
            return found, fields
        return found, fields, (int(reply[2]), reply[3]) if len(reply) > 2 else None

    def add_fields(self, key, fields, timeout, replace=False):
        self._client_at(0)
        flat = [item for pair in fields.items() for item in pair]
        self._scripts[0]["add_fields"](keys=[key], args=[timeout, int(replace), *flat])


class RedisCache(redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        """Nothing to check: Django's check warns about keys memcached would refuse
        (longer than 250 characters, spaces, control characters), and Redis takes any
        key. It ran on every key of every call (a lazily compiled pattern and a
        generator, per key)."""

    def count_uses(self, windows):
        """One more use of each key of ``windows`` ({key: seconds}), a key that did not
        exist starting its window of that many seconds; the counts, in order (one round
        trip)."""
        keys = [self.make_and_validate_key(key) for key in windows]
        return self._cache.count_uses(keys, list(windows.values()))

    def get_many_and_fields(self, keys, hash_key, count=None):
        """``get_many(keys)``, and the fields of the Redis hash at ``hash_key`` ({name:
        text}, {} when there is none), in one round trip.

        ``count``: ((owner's counter, window), (another counter, window)), the owner's
        counter with ``OWNER`` where the owner's id goes. When the hash names the run's
        owner, one more use of each is counted in the same round trip, as ``count_uses``
        counts; a third value is then returned: (owner's id, [the two counts]), or None
        when nothing was counted."""
        made = {self.make_and_validate_key(key): key for key in keys}
        hash_key = self.make_and_validate_key(hash_key)
        if count is None:
            found, fields = self._cache.get_many_and_fields(list(made), hash_key)
            return {made[key]: value for key, value in found.items()}, fields
        (owner_key, owner_window), (other_key, other_window) = count
        prefix, suffix = self.make_and_validate_key(owner_key).split(OWNER)
        found, fields, counted = self._cache.get_many_and_fields(
            list(made),
            hash_key,
            count=(
                (prefix, suffix, owner_window),
                (self.make_and_validate_key(other_key), other_window),
            ),
        )
        return {made[key]: value for key, value in found.items()}, fields, counted

    def add_fields(self, key, fields, timeout, replace=False):
        """Set ``fields`` ({name: text}) of the Redis hash at ``key`` (``replace``: in place
        of all it held), which then expires ``timeout`` seconds from now (one round
        trip)."""
        self._cache.add_fields(self.make_and_validate_key(key), fields, timeout, replace)
