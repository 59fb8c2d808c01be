"""Two-factor sign-in for police accounts (django-otp): who needs it, and the one
middleware that refuses the police pages to a session that has not passed it.

An authenticator app (TOTP) is the second factor; recovery codes (django-otp's static
tokens) stand in when the phone is lost. Analysts need it like Reviewers: they export
every answer (pseudonymous, but learners' data) and read the statistics that guide
publishing. Authors need it when ``POLICE_2FA_FOR_AUTHORS`` is on.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# URL namespaces of the police pages: the Django admin and the police workspace.
POLICE_NAMESPACES = {"admin", "workspace"}
# Pages outside them that a police session may only use past the second factor: the
# previews (drafts and their answer keys), and the account changes that would let a
# stolen password lock the officer out (the password, the e-mail address, deletion).
POLICE_VIEWS = {
    "quizzes:preview-lesson",
    "quizzes:preview-question",
    "password_change",
    "password_change_done",
    "quizzes:account-email",
    "quizzes:delete-my-data",
}
RECOVERY_CODES = 10
AUTHORS_GROUP = "Authors"


def needs_second_factor(user):
    """Whether this account must pass a second factor for the police pages (1 query for
    the groups of a staff account; none for others)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser or settings.POLICE_2FA_FOR_AUTHORS:
        return True
    groups = set(user.groups.values_list("name", flat=True))
    # Every police role but Authors (Reviewers, Analysts, and staff without a role).
    return groups != {AUTHORS_GROUP}


def authenticator(user, confirmed=True):
    """The account's authenticator-app device, or None (1 query)."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def new_recovery_codes(user):
    """Replace the account's recovery codes with new ones; returns them (a few queries)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes(user):
    """The account's unused recovery codes (1 query)."""
    return list(
        StaticToken.objects.filter(device__user=user, device__name="recovery")
        .order_by("id")
        .values_list("token", flat=True)
    )


def second_factor_url(request, target=None):
    """Where a session that has not passed the second factor goes: verification when an
    authenticator is enrolled, else enrolment; then on to ``target`` (by default this
    page). 1 query."""
    name = "quizzes:verify" if authenticator(request.user) else "quizzes:enrol"
    target = request.get_full_path() if target is None else target
    return f"{reverse(name)}?{urlencode({'next': target})}"


class SecondFactorMiddleware:
    """Refuses every view of the police namespaces, and the ``POLICE_VIEWS``, to a staff
    session that needs a second factor and has not passed it. Citizens' pages are not
    touched (no query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not (
            POLICE_NAMESPACES.intersection(match.namespaces) or match.view_name in POLICE_VIEWS
        ):
            return None
        user = request.user
        if not needs_second_factor(user) or user.is_verified():
            return None
        target = second_factor_url(request)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)
