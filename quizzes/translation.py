"""Fields translated per language (django-modeltranslation adds title_en, title_zh_hans...)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Alert,
    Campaign,
    Case,
    Choice,
    Ending,
    LegalReference,
    Lesson,
    LessonStep,
    Question,
    RedFlag,
    Reminder,
    Reply,
    Source,
    Spot,
    Turn,
)


@register(Source)
class SourceTranslation(TranslationOptions):
    fields = ("title", "publisher")


@register(RedFlag)
class RedFlagTranslation(TranslationOptions):
    fields = ("title", "description")


@register(LegalReference)
class LegalReferenceTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Lesson)
class LessonTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(LessonStep)
class LessonStepTranslation(TranslationOptions):
    fields = ("text",)


@register(Reminder)
class ReminderTranslation(TranslationOptions):
    fields = ("text", "authority")


@register(Case)
class CaseTranslation(TranslationOptions):
    fields = ("title", "story", "place")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("setup", "sender_name", "subject", "body", "prompt", "explanation")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("text", "feedback")


@register(Campaign)
class CampaignTranslation(TranslationOptions):
    fields = ("title", "unit", "place", "audience_other")


@register(Alert)
class AlertTranslation(TranslationOptions):
    fields = ("title", "text")


@register(Spot)
class SpotTranslation(TranslationOptions):
    fields = ("text", "explanation")


@register(Turn)
class TurnTranslation(TranslationOptions):
    fields = ("says", "note")


@register(Reply)
class ReplyTranslation(TranslationOptions):
    fields = ("text",)


@register(Ending)
class EndingTranslation(TranslationOptions):
    fields = ("text",)
