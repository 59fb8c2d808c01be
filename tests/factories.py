import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from quizzes.models import (
    Alert,
    Answer,
    Campaign,
    Case,
    Channel,
    Choice,
    Learner,
    LegalReference,
    Lesson,
    LessonStep,
    Participant,
    Question,
    QuizRun,
    RedFlag,
    Reminder,
    RunQuestion,
    Source,
    Spot,
    Status,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"citizen{n}")
    password = factory.django.Password("correct horse battery")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    code = factory.Sequence(lambda n: f"{n:03d}")
    title_en = factory.Sequence(lambda n: f"Police advisory {n}")
    title_zh_hans = factory.Sequence(lambda n: f"警方提示{n}")
    publisher_en = "Public security bureau"
    publisher_zh_hans = "公安局"
    published = "2018-12"


class RedFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedFlag

    slug = factory.Sequence(lambda n: f"flag-{n}")
    title_en = factory.Sequence(lambda n: f"Asks for a code ({n})")
    title_zh_hans = factory.Sequence(lambda n: f"索要验证码（{n}）")
    description_en = "Nobody genuine needs your verification code."
    description_zh_hans = "正规机构不会索要你的验证码。"


class LegalReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalReference

    slug = factory.Sequence(lambda n: f"law-{n}")
    title_en = "Article 266, Criminal Law"
    title_zh_hans = "刑法第二百六十六条"
    summary_en = "Fraud is a crime."
    summary_zh_hans = "诈骗是犯罪。"


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"scam-type-{n}")
    title_en = factory.Sequence(lambda n: f"Scam type {n}")
    title_zh_hans = factory.Sequence(lambda n: f"诈骗类型{n}")
    summary_en = "How criminals take your money."
    summary_zh_hans = "骗子如何骗走你的钱。"
    position = factory.Sequence(lambda n: n + 1)
    status = Status.PUBLISHED

    @factory.post_generation
    def red_flags(self, create, extracted, **kwargs):
        if create and extracted:
            self.red_flags.set(extracted)


class LessonStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonStep

    lesson = factory.SubFactory(LessonFactory)
    position = factory.Sequence(lambda n: n + 1)
    text_en = "A stranger calls you."
    text_zh_hans = "陌生人给你打电话。"


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    slug = factory.Sequence(lambda n: f"reminder-{n}")
    lesson = None
    text_en = "Hang up and call 110."
    text_zh_hans = "挂断电话，拨打110。"
    authority_en = "Shanghai Public Security Bureau"
    authority_zh_hans = "上海市公安局"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    lesson = factory.SubFactory(LessonFactory)
    position = factory.Sequence(lambda n: n + 1)
    title_en = "A refund that was not"
    title_zh_hans = "并不存在的退款"
    story_en = "She lost her savings."
    story_zh_hans = "她损失了积蓄。"
    place_en = "Chengdu"
    place_zh_hans = "成都"
    loss = 19240
    source = factory.SubFactory(SourceFactory)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    lesson = factory.SubFactory(LessonFactory)
    slug = factory.Sequence(lambda n: f"question-{n}")
    position = factory.Sequence(lambda n: n + 1)
    channel = Channel.SMS
    sender_number = "+86 170 0000 4127"
    body_en = "Your parcel is lost. Add our claims account to get 300 yuan back."
    body_zh_hans = "您的包裹丢失。添加理赔账号即可获赔300元。"
    prompt_en = "What do you do?"
    prompt_zh_hans = "你会怎么做？"
    is_scam = True
    explanation_en = "Real claims are settled in the courier's own app."
    explanation_zh_hans = "真正的理赔在快递公司的官方App里办理。"
    status = Status.PUBLISHED

    @factory.post_generation
    def red_flags(self, create, extracted, **kwargs):
        if create and extracted:
            self.red_flags.set(extracted)

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        """Two choices by default, the second one correct; choices=False for none."""
        if not create or extracted is False:
            return
        ChoiceFactory(question=self, position=1, is_correct=False, text_en="Add the account")
        ChoiceFactory(question=self, position=2, is_correct=True, text_en="Call the courier")


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory, choices=False)
    position = factory.Sequence(lambda n: n + 1)
    text_en = factory.Sequence(lambda n: f"Choice {n}")
    text_zh_hans = factory.Sequence(lambda n: f"选项{n}")
    is_correct = False
    feedback_en = factory.LazyAttribute(
        lambda c: "Right: that is the safe thing to do." if c.is_correct else "This is a trap."
    )
    feedback_zh_hans = factory.LazyAttribute(lambda c: "对。" if c.is_correct else "这是陷阱。")


class SpotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spot

    question = factory.SubFactory(QuestionFactory, choices=False, kind="spot")
    position = factory.Sequence(lambda n: n + 1)
    text_en = "Dear customer"
    text_zh_hans = "尊敬的客户"
    explanation_en = "A greeting is harmless in itself."
    explanation_zh_hans = "问候语本身无害。"
    red_flag = None


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learner

    user = None


class QuizRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizRun

    learner = factory.SubFactory(LearnerFactory)
    lesson = None


class RunQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RunQuestion

    run = factory.SubFactory(QuizRunFactory)
    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    run = factory.SubFactory(QuizRunFactory)
    learner = factory.LazyAttribute(lambda a: a.run.learner)
    question = factory.SubFactory(QuestionFactory)
    choice = factory.LazyAttribute(lambda a: a.question.choices.first())
    is_correct = factory.LazyAttribute(lambda a: a.choice.is_correct)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"camp{n}")
    title_en = "Don't pay the fake courier"
    title_zh_hans = "别给假快递转账"
    unit_en = "Riverside police station"
    unit_zh_hans = "江滨派出所"
    place_en = "Riverside district"
    place_zh_hans = "江滨区"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    status = Status.PUBLISHED

    @factory.post_generation
    def lessons(self, create, extracted, **kwargs):
        if create and extracted:
            self.lessons.set(extracted)

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if create and extracted:
            self.questions.set(extracted)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    campaign = factory.SubFactory(CampaignFactory)
    learner = factory.SubFactory(LearnerFactory)


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    title_en = "New: fake tax refund texts"
    title_zh_hans = "新情况：假冒退税短信"
    text_en = (
        "Texts promise a tax refund and link to a fake site. The tax office never texts links."
    )
    text_zh_hans = "短信称可退税并附假网站链接。税务部门不会发送链接。"
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
    status = Status.PUBLISHED
