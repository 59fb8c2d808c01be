"""The values and limits every curriculum check shares.

The languages, channels, directions, QR surfaces, kinds and statuses a curriculum file may
name, the shape of a slug and a clock time, and the largest numbers the database stores.
"""

import re

LANGS = ("en", "zh_hans")
CHANNELS = ("sms", "call", "chat", "web", "qr", "screen_share", "app_install", "email")
DIRECTIONS = ("incoming", "outgoing")
SURFACES = ("poster", "sticker", "parcel")  # where a QR code is printed
KINDS = ("choice", "spot", "conversation")
CLOCK_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUSES = ("draft", "review", "published", "archived")

SMALL = 32767  # PositiveSmallIntegerField
LARGE = 2147483647  # PositiveIntegerField
