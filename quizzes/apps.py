from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Anti-fraud curriculum")

    def connect_signals(self):
        from django.contrib.auth.signals import user_logged_in

        from . import learners

        user_logged_in.connect(learners.merge_on_login, dispatch_uid="quizzes-merge-learner")

    def ready(self):
        from . import caching

        self.connect_signals()
        caching.connect()
