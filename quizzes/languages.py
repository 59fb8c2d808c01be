"""How the workspace names the languages of a translated field: "Title (English)" and
"标题（中文）" rather than django-modeltranslation's "title [zh-hans]"."""

from django.conf import settings
from django.utils.text import capfirst, format_lazy
from django.utils.translation import pgettext_lazy

LANGUAGE_NAMES = {
    "en": pgettext_lazy("language of a text field", "English"),
    "zh-hans": pgettext_lazy("language of a text field", "Chinese"),
}


def language_label(label, language):
    """A field's label with the language it is written in, e.g. "Title (English)"."""
    return format_lazy(
        pgettext_lazy("label of a field in one language", "{field} ({language})"),
        field=capfirst(label),
        language=LANGUAGE_NAMES.get(language, language),
    )


def translated_label(db_field):
    """The language label of a modeltranslation field (``title_zh_hans``), else None."""
    original = getattr(db_field, "translated_field", None)
    if original is None:
        return None
    return language_label(original.verbose_name, db_field.language)


def in_any_language(obj, name):
    """A translated field's text in the current language (or modeltranslation's fallback,
    English), else in whichever language has it: a draft may be written in Chinese only,
    and officers still need a name for it in an English workspace."""
    text = getattr(obj, name) or ""
    if text.strip():
        return text
    for code in settings.MODELTRANSLATION_LANGUAGES:
        text = getattr(obj, f"{name}_{code.replace('-', '_')}", None) or ""
        if text.strip():
            return text
    return ""
