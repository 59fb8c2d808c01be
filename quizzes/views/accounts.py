"""Citizens' accounts and their data: sign-up, log-in and out, the account page, an
optional e-mail address, download and delete."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, login, logout, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from .. import ratelimit, twofactor
from ..learners import current_learner
from ..redirects import safe_next


def citizens_password_help():
    """What AUTH_PASSWORD_VALIDATORS ask of a citizen's password, in one plain sentence
    instead of Django's list (the police accounts' longer minimum is not for citizens).
    The length is read from the validator; tests/test_accounts.py checks each promise."""
    min_length = next(
        v.min_length
        for v in password_validation.get_default_password_validators()
        if isinstance(v, password_validation.MinimumLengthValidator)
    )
    return ngettext(
        "A good password has at least %(n)s character, is not only numbers, and is not "
        "a common password or close to your username or e-mail address.",
        "A good password has at least %(n)s characters, is not only numbers, and is not "
        "a common password or close to your username or e-mail address.",
        min_length,
    ) % {"n": min_length}


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address (optional)"),
        required=False,
        help_text=gettext_lazy(
            "Only to reset a forgotten password. You can add it later, or use recovery "
            "codes instead."
        ),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = citizens_password_help()

    def keep_passwords(self):
        """After an error elsewhere (a username taken), keep the typed passwords."""
        if not (self.has_error("password1") or self.has_error("password2")):
            for name in ("password1", "password2"):
                self.fields[name].widget.render_value = True


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's, with the police accounts' rule in the help only for police accounts."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        if not user.is_staff:
            self.fields["new_password1"].help_text = citizens_password_help()


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password after a reset link: the same plain help as sign-up for citizens."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        if not user.is_staff:
            self.fields["new_password1"].help_text = citizens_password_help()


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """Only successful sign-ups count toward the per-address limit."""
    if request.user.is_authenticated:
        return redirect("quizzes:progress")
    form = SignupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if ratelimit.reached(request, "signup"):
            form.is_valid()
            form.add_error(None, _("Too many new accounts from here. Please try again later."))
            status = 429
        elif form.is_valid():
            user = form.save()
            ratelimit.exceeded(request, "signup")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("quizzes:progress")
        else:
            form.keep_passwords()
    return render(request, "registration/signup.html", {"form": form}, status=status)


class SafeRedirectMixin:
    """Django's log-in and log-out views, with ``next`` checked by our one helper."""

    def get_redirect_url(self):
        request = self.request
        value = request.POST.get("next") or request.GET.get("next") or ""
        return safe_next(request, "", value=value)


class LoginView(SafeRedirectMixin, auth_views.LoginView):
    """Log-in, refused for a while to an address with many failed log-ins (whatever the
    usernames); police accounts go on to their second factor."""

    def post(self, request, *args, **kwargs):
        if ratelimit.reached(request, "login-failure"):
            return render(request, "registration/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        target = self.get_redirect_url() or resolve_url(settings.LOGIN_REDIRECT_URL)
        if twofactor.needs_second_factor(self.request.user):
            return twofactor.second_factor_url(self.request, target)
        return target


class LogoutView(SafeRedirectMixin, auth_views.LogoutView):
    pass


@login_required
@require_safe
def account(request):
    user = request.user
    context = {
        "recovery_left": len(twofactor.recovery_codes(user)),
        "police": user.is_staff,
    }
    return render(request, "registration/account.html", context)


class EmailForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ("email",)
        labels = {"email": gettext_lazy("E-mail address (optional)")}
        help_texts = {
            "email": gettext_lazy(
                "Only used to send you a link when you forget your password. Leave it "
                "empty to remove it."
            )
        }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_email(request):
    form = EmailForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your e-mail address is saved."))
        return redirect("quizzes:account")
    return render(request, "registration/email.html", {"form": form})


@require_safe
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


@require_http_methods(["GET", "HEAD", "POST"])
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
