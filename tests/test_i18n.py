"""The interface is complete in Simplified Chinese and the compiled catalogue is current."""

import ast
import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries(po=PO):
    """(msgid, msgstr) pairs of a catalogue; plural entries give msgstr[0]; an entry with a
    context is keyed as gettext keys it, "context\x04msgid"."""
    entries, current, key = [], {}, None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if "msgid" in current:
                msgid = current["msgid"]
                if "msgctxt" in current:
                    msgid = f"{current['msgctxt']}\x04{msgid}"
                entries.append((msgid, current.get("msgstr", "")))
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


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext (make test installs it)")
def test_the_catalogue_holds_every_message_in_the_code(tmp_path, settings, monkeypatch):
    """makemessages, run over a copy of the code, finds nothing the catalogue lacks."""
    for folder in ("antifraud", "quizzes", "templates", "locale"):
        shutil.copytree(Path(settings.BASE_DIR) / folder, tmp_path / folder)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=["zh_Hans"], verbosity=0)

    found = {msgid for msgid, _ in po_entries(tmp_path / PO.relative_to(settings.BASE_DIR))}
    assert sorted(found - {msgid for msgid, _ in po_entries()}) == []


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
