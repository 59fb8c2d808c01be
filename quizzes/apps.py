from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Anti-fraud curriculum")

    def connect_signals(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_save

        from . import learners, my_work, ratelimit, workspace_language

        user_logged_in.connect(learners.merge_on_login, dispatch_uid="quizzes-merge-learner")
        user_logged_in.connect(
            workspace_language.remember_on_login, dispatch_uid="quizzes-workspace-language"
        )
        post_save.connect(
            my_work.notify_author, sender="quizzes.Transition", dispatch_uid="quizzes-notices"
        )
        user_login_failed.connect(
            ratelimit.count_login_failure, dispatch_uid="quizzes-count-login-failure"
        )

    def ready(self):
        from . import caching

        self.connect_signals()
        caching.connect()
