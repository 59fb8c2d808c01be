"""The workspace site's own pages: its home page is the officer's "my work" (notices
are marked read from there), and each officer's settings.

The ``AdminSite`` subclass that serves them is declared in ``quizzes/apps.py``: the admin
imports its default site while it discovers this package, so the class cannot live in a
package that registers pages on it.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import my_work, workspace_language
from ..models import OfficerSettings


def with_my_work(request, response):
    """The admin's index page turned into "my work" (the admin's list of models stays
    below it)."""
    if isinstance(response, TemplateResponse):
        response.template_name = "admin/quizzes/my_work.html"
        response.context_data["work"] = my_work.my_work(request.user)
    return response


@require_POST
def notices_read(request):
    my_work.mark_read(request.user)
    return redirect("admin:index")


class LanguageSelect(forms.Select):
    """Each language named in itself and marked as such (screen readers, and the check
    for English left in the Chinese workspace)."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class OfficerSettingsForm(forms.ModelForm):
    class Meta:
        model = OfficerSettings
        fields = ("language", "email_notifications")
        widgets = {"language": LanguageSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As in the header's switch: each language by its own name.
        names = [("", "---------"), ("zh-hans", "中文"), ("en", "English")]
        self.fields["language"].choices = names


def officer_settings(request, site):
    """The officer's own workspace settings: the language, and the workflow's e-mails."""
    current = OfficerSettings.of(request.user)
    form = OfficerSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        chosen = form.save()
        if chosen.language:
            workspace_language.choose(request, chosen.language)
        messages.success(request, _("Your settings are saved."))
        return redirect("admin:quizzes_officer_settings")
    context = {
        **site.each_context(request),
        "title": _("My settings"),
        "form": form,
        "email": request.user.email,
    }
    return TemplateResponse(request, "admin/quizzes/officer_settings.html", context)
