"""Citizens' accounts and their data: sign-up, the account page, download and delete."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import (
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from .. import ratelimit
from ..learners import current_learner


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("quizzes:progress")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST":
        if ratelimit.exceeded(request, "signup"):
            form.add_error(None, _("Too many new accounts from here. Please try again later."))
        elif form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("quizzes:progress")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_GET
def account(request):
    return render(request, "registration/account.html")


@require_GET
def my_data(request):
    """Everything stored about this learner, as JSON to download."""
    learner = current_learner(request)
    data = learner.export_data() if learner else {"runs": []}
    if request.user.is_authenticated:
        user = request.user
        data["account"] = {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
        }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'attachment; filename="my-anti-fraud-progress.json"'
    return response


class DeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password, to confirm"), widget=forms.PasswordInput
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_authenticated:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


@require_http_methods(["GET", "POST"])
def delete_my_data(request):
    """Delete the account (if any) and every answer, after confirmation."""
    form = DeleteForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        learner = current_learner(request)
        if request.user.is_authenticated:
            request.user.delete()  # the learner, runs and answers go with it
        elif learner is not None:
            learner.delete()
        logout(request)
        messages.success(request, _("Your progress and account have been deleted."))
        return redirect("quizzes:home")
    return render(request, "registration/delete.html", {"form": form})
