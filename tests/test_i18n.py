"""The interface is complete in Simplified Chinese and the compiled catalogue is current."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(msgid, msgstr) pairs of the catalogue; plural entries give msgstr[0]."""
    entries, current, key = [], {}, None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if "msgid" in current:
                entries.append((current["msgid"], current.get("msgstr", "")))
            current, key = {}, None
            continue
        if line.startswith('"'):
            if key:
                current[key] += ast.literal_eval(line)
            continue
        word, _, rest = line.partition(" ")
        key = {"msgstr[0]": "msgstr"}.get(word, word)
        current[key] = ast.literal_eval(rest)
    return [(msgid, msgstr) for msgid, msgstr in entries if msgid]


def test_every_message_is_translated():
    untranslated = [msgid for msgid, msgstr in po_entries() if not msgstr]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_source():
    with open(PO.with_suffix(".mo"), "rb") as fp:
        compiled = gettext.GNUTranslations(fp)

    stale = [
        msgid
        for msgid, msgstr in po_entries()
        if compiled._catalog.get(msgid) != msgstr and compiled._catalog.get((msgid, 0)) != msgstr
    ]
    assert stale == []


@pytest.mark.django_db
def test_pages_speak_chinese(client):
    content = client.get("/zh-hans/").content.decode()

    assert '<html lang="zh-hans">' in content
    assert "<h1>学会识破电信网络诈骗</h1>" in content
    assert "跳到主要内容" in content
