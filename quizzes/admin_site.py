"""The police workspace's admin site: its home page is the officer's "my work"."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST


class WorkspaceSite(admin.AdminSite):
    site_header = _("Anti-fraud curriculum: police workspace")
    site_title = _("Police workspace")
    index_title = _("My work")

    def index(self, request, extra_context=None):
        """What waits for this officer, instead of the admin's list of models (which
        stays below it)."""
        from . import my_work

        response = super().index(request, extra_context)
        if isinstance(response, TemplateResponse):
            response.template_name = "admin/quizzes/my_work.html"
            response.context_data["work"] = my_work.my_work(request.user)
        return response

    def get_urls(self):
        return [
            path("notices/read/", self.admin_view(self.notices_read), name="notices-read"),
            *super().get_urls(),
        ]

    @staticmethod
    @require_POST
    def notices_read(request):
        from . import my_work

        my_work.mark_read(request.user)
        return redirect("admin:index")


class WorkspaceAdminConfig(AdminConfig):
    default_site = "quizzes.admin_site.WorkspaceSite"
