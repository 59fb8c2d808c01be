from django.apps import AppConfig
from django.contrib import admin
from django.contrib.admin import apps as admin_apps
from django.urls import path
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Anti-fraud curriculum")

    def connect_signals(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_save

        from . import learners, my_work, notifications, ratelimit, workspace_language

        user_logged_in.connect(learners.merge_on_login, dispatch_uid="quizzes-merge-learner")
        user_logged_in.connect(
            workspace_language.remember_on_login, dispatch_uid="quizzes-workspace-language"
        )
        post_save.connect(
            my_work.notify_author, sender="quizzes.Transition", dispatch_uid="quizzes-notices"
        )
        post_save.connect(
            notifications.on_workflow_step,
            sender="quizzes.Transition",
            dispatch_uid="quizzes-workflow-emails",
        )
        user_login_failed.connect(
            ratelimit.count_login_failure, dispatch_uid="quizzes-count-login-failure"
        )

    def ready(self):
        from . import caching, randomness

        self.connect_signals()
        caching.connect()
        randomness.use_for_csrf_tokens()


class WorkspaceSite(admin.AdminSite):
    """The police workspace's admin site; its pages are in ``quizzes/admin/site.py``.

    Declared here, not in the ``quizzes.admin`` package: the admin imports its default
    site while discovering that package, whose modules register on the site."""

    site_header = _("Anti-fraud curriculum: police workspace")
    site_title = _("Police workspace")
    index_title = _("My work")

    def index(self, request, extra_context=None):
        from .admin import site

        return site.with_my_work(request, super().index(request, extra_context))

    def get_urls(self):
        from .admin import site

        return [
            path("notices/read/", self.admin_view(site.notices_read), name="notices-read"),
            path(
                "settings/",
                self.admin_view(lambda request: site.officer_settings(request, self)),
                name="quizzes_officer_settings",
            ),
            *super().get_urls(),
        ]


class WorkspaceAdminConfig(admin_apps.AdminConfig):
    default = False  # named in INSTALLED_APPS; "quizzes" alone means QuizzesConfig
    default_site = "quizzes.apps.WorkspaceSite"
