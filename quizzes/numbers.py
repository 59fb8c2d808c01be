"""Whole numbers out of what a browser sent (form fields, button names): ASCII digits
only. ``str.isdigit()`` also accepts "²", which ``int()`` refuses (a 500), and "٣",
which it reads as 3."""

MAX_DIGITS = 18  # any id of a 64-bit key, and nothing that overflows one


def whole_number(raw, digits=MAX_DIGITS):
    """``raw`` as an int when it is 1 to ``digits`` ASCII digits, else None."""
    if isinstance(raw, str) and 0 < len(raw) <= digits and raw.isascii() and raw.isdigit():
        return int(raw)
    return None
