"""Second factor and recovery: police officers enrol an authenticator app and pass it at
each log-in; anyone with an account keeps one-time recovery codes, and a citizen who
forgot their password sets a new one with a code.

Wrong codes count like wrong passwords: per address (whatever the account) and per
account (whatever the address), on top of django-otp's own growing delay per device.
"""

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import ratelimit, twofactor
from ..numbers import whole_number
from ..redirects import safe_next


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


WRONG_CODE = gettext_lazy("That code is not right. Enter the code your app shows now.")
TOO_SOON = gettext_lazy("After a wrong code, please wait a few seconds before the next try.")


def token_is_app_code(form):
    return whole_number(form.cleaned_data["token"].replace(" ", "")) is not None


def locked(request, user):
    """True when this address or this account has had too many wrong codes or passwords."""
    return ratelimit.reached(request, "login-failure") or ratelimit.reached(
        request, "code-failure", who=user.pk
    )


def count_failure(request, user):
    ratelimit.exceeded(request, "login-failure")
    ratelimit.exceeded(request, "code-failure", who=user.pk)


def police_only(user):
    if not user.is_staff:
        raise Http404


def passed(request, device):
    """The session passed the second factor: remember the device, renew the session key."""
    otp_login(request, device)
    request.session.cycle_key()


def qr_svg(url):
    """The enrolment address as an inline SVG QR code (no script, no style)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5, svgclass="qr", lineclass=None, title=_("QR code for your authenticator app")
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request):
    """Set up an authenticator app: scan the QR code (or type the key), enter a code."""
    user = request.user
    police_only(user)
    next_url = safe_next(request, reverse("admin:index"), value=request.GET.get("next") or "")
    if twofactor.authenticator(user) is not None:
        if user.is_verified():
            messages.info(request, _("Your authenticator app is already set up."))
            return redirect("quizzes:account")
        return redirect(f"{reverse('quizzes:verify')}?{urlencode({'next': next_url})}")
    device = twofactor.authenticator(user, confirmed=False) or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if locked(request, user):
            return render(request, "registration/locked_out.html", status=429)
        if form.is_valid() and not device.verify_is_allowed()[0]:
            form.add_error("token", TOO_SOON)
        elif form.is_valid() and device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            passed(request, device)
            twofactor.new_recovery_codes(user)
            messages.success(
                request,
                _("Your authenticator app is set up. Keep these recovery codes somewhere safe."),
            )
            return redirect(f"{reverse('quizzes:recovery-codes')}?{urlencode({'next': next_url})}")
        elif form.is_valid():
            count_failure(request, user)
            form.add_error("token", WRONG_CODE)
        status = 400
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": next_url,
    }
    return render(request, "registration/two_factor_enrol.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request):
    """The second step of a police log-in: a code from the app, or a recovery code."""
    user = request.user
    police_only(user)
    next_url = safe_next(request, reverse("admin:index"), value=request.GET.get("next") or "")
    device = twofactor.authenticator(user)
    if device is None:
        return redirect(f"{reverse('quizzes:enrol')}?{urlencode({'next': next_url})}")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if locked(request, user):
            return render(request, "registration/locked_out.html", status=429)
        if form.is_valid() and not device.verify_is_allowed()[0] and token_is_app_code(form):
            form.add_error("token", TOO_SOON)
        elif form.is_valid():
            token = form.cleaned_data["token"].replace(" ", "")
            devices = [device, *StaticDevice.objects.filter(user=user, name="recovery")]
            matched = next(
                (d for d in devices if verify_token(user, d.persistent_id, token)), None
            )
            if matched is not None:
                passed(request, matched)
                if isinstance(matched, StaticDevice):
                    messages.warning(
                        request,
                        _("You used a recovery code; %(n)d are left.")
                        % {"n": len(twofactor.recovery_codes(user))},
                    )
                return redirect(next_url)
            count_failure(request, user)
            form.add_error("token", WRONG_CODE)
        status = 400
    context = {"form": form, "next": next_url}
    return render(request, "registration/two_factor_verify.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recovery_codes(request):
    """The account's unused recovery codes: shown, downloaded as text, or replaced."""
    user = request.user
    if twofactor.needs_second_factor(user) and not user.is_verified():
        return redirect(twofactor.second_factor_url(request))
    if request.method == "POST":
        twofactor.new_recovery_codes(user)
        messages.success(request, _("New recovery codes are ready; the old ones no longer work."))
        return redirect("quizzes:recovery-codes")
    codes = twofactor.recovery_codes(user)
    if request.GET.get("download") == "1" and codes:
        text = _("Recovery codes for %(name)s. Each works once.") % {"name": user.get_username()}
        response = HttpResponse("\n".join([text, "", *codes, ""]), content_type="text/plain")
        response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
        return response
    next_url = safe_next(request, "", value=request.GET.get("next") or "")
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": next_url})


class RecoverForm(SetPasswordForm):
    """A forgotten password replaced with a recovery code (citizens' accounts)."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    token = forms.CharField(label=gettext_lazy("One of your recovery codes"), max_length=16)
    field_order = ["username", "token", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(None, *args, **kwargs)

    def clean(self):
        data = super().clean()
        # Police accounts recover through an administrator: a code is their second factor.
        self.user = (
            get_user_model()
            .objects.filter(username=data.get("username", ""), is_active=True, is_staff=False)
            .first()
        )
        return data


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def recover(request):
    """Set a new password with a recovery code; the code is used up."""
    form = RecoverForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if ratelimit.reached(request, "login-failure"):
            return render(request, "registration/locked_out.html", status=429)
        if form.is_valid():
            user = form.user
            token = form.cleaned_data["token"].replace(" ", "")
            device = StaticDevice.objects.filter(user=user, name="recovery").first()
            if user is not None and not ratelimit.reached(request, "code-failure", who=user.pk):
                if device is not None and verify_token(user, device.persistent_id, token):
                    form.save()
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    messages.success(
                        request,
                        _("Your new password is set. %(n)d recovery codes are left.")
                        % {"n": len(twofactor.recovery_codes(user))},
                    )
                    return redirect("quizzes:account")
                count_failure(request, user)
            else:
                ratelimit.exceeded(request, "login-failure")
            form.add_error(None, _("That username and recovery code do not match."))
        status = 400
    return render(request, "registration/recover.html", {"form": form}, status=status)
