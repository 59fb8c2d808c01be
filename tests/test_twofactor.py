"""Two-factor log-in for police accounts: enrolment, the second step, recovery codes,
and the one rule that keeps the admin and the workspace from a password alone."""

import time
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from quizzes import twofactor

from .conftest import PASSWORD, sign_in_officer
from .factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_window():
    left = 3600 - time.time() % 3600
    if left < 10:
        time.sleep(left + 0.1)


def officer(role, username=None):
    user = UserFactory(username=username or f"officer-{role.lower()}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def log_in(client, user):
    return client.post(
        reverse("quizzes:login"),
        {"username": user.username, "password": PASSWORD, "next": "/admin/quizzes/lesson/"},
    )


# --- Who needs it -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "for_authors", "needed"),
    [
        ("Reviewers", False, True),
        ("Analysts", False, True),
        ("Authors", False, False),
        ("Authors", True, True),
    ],
)
def test_who_needs_a_second_factor(settings, role, for_authors, needed):
    settings.POLICE_2FA_FOR_AUTHORS = for_authors

    assert twofactor.needs_second_factor(officer(role)) is needed


def test_superusers_and_staff_without_a_role_need_it_citizens_do_not(superuser):
    assert twofactor.needs_second_factor(superuser) is True
    assert twofactor.needs_second_factor(UserFactory(username="bare", is_staff=True)) is True
    assert twofactor.needs_second_factor(UserFactory(username="meiling")) is False


# --- The rule: no police page on a password alone ---------------------------------------


def test_a_reviewer_without_an_authenticator_is_sent_to_enrol(client):
    reviewer = officer("Reviewers")
    client.force_login(reviewer)

    response = client.get("/admin/quizzes/lesson/")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/two-factor/?next=%2Fadmin%2Fquizzes%2Flesson%2F"


def test_a_reviewer_with_an_authenticator_is_sent_to_verify(client):
    reviewer = officer("Reviewers")
    enrolled(reviewer)
    client.force_login(reviewer)

    response = client.get("/admin/")

    assert response["Location"] == "/en/accounts/two-factor/verify/?next=%2Fadmin%2F"


def test_htmx_requests_get_a_client_redirect(client):
    client.force_login(officer("Analysts"))

    response = client.get("/admin/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/en/accounts/two-factor/?next=%2Fadmin%2F"


@pytest.mark.urls("tests.urls_workspace")
def test_the_workspace_namespace_is_covered_too(client):
    reviewer = officer("Reviewers")
    client.force_login(reviewer)
    refused = client.get("/en/police/")

    sign_in_officer(client, reviewer)
    allowed = client.get("/en/police/")

    assert refused["Location"] == "/en/accounts/two-factor/?next=%2Fen%2Fpolice%2F"
    assert allowed.content == b"workspace home"


def test_authors_pass_on_a_password_unless_the_setting_says_otherwise(client, settings):
    author = officer("Authors")
    client.force_login(author)
    assert client.get("/admin/quizzes/lesson/").status_code == 200

    settings.POLICE_2FA_FOR_AUTHORS = True

    assert client.get("/admin/quizzes/lesson/")["Location"].startswith("/en/accounts/two-factor/")


def test_an_officer_who_passed_the_second_factor_reaches_the_admin(client, superuser):
    sign_in_officer(client, superuser)

    response = client.get("/admin/quizzes/lesson/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/en/preview/questions/{question}/",
        "/en/preview/lessons/{lesson}/",
        "/en/accounts/password/change/",
        "/en/accounts/email/",
        "/en/my-data/delete/",
    ],
)
def test_a_password_alone_opens_no_draft_preview_and_changes_no_account(client, path):
    """A stolen password must not read a draft's answer key in its preview, nor change
    the password or the address that would lock the officer out."""
    question = QuestionFactory()
    reviewer = officer("Reviewers")
    enrolled(reviewer)
    client.force_login(reviewer)
    path = path.format(question=question.pk, lesson=question.lesson_id)

    refused = client.get(path)
    posted = client.post(path, {"choice": question.choices.first().pk})

    verify = f"/en/accounts/two-factor/verify/?next={quote(path, safe='')}"
    assert refused["Location"] == verify
    assert posted["Location"] == verify


def test_citizens_pages_do_not_ask_officers_for_a_code(client):
    client.force_login(officer("Reviewers"))

    assert client.get(reverse("quizzes:home")).status_code == 200


# --- Enrolment and the second step -------------------------------------------------------


def test_enrolment_from_log_in_to_the_admin(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's delay after a wrong code
    reviewer = officer("Reviewers")
    after_password = log_in(client, reviewer)
    assert after_password["Location"] == (
        "/en/accounts/two-factor/?next=%2Fadmin%2Fquizzes%2Flesson%2F"
    )

    page = client.get(after_password["Location"]).content.decode()
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    wrong = client.post(after_password["Location"], {"token": "000000"})
    right = client.post(after_password["Location"], {"token": code_for(device)})

    assert '<svg role="img"' in page and "QR code for your authenticator app" in page
    assert "Set up two-step log-in" in page
    assert wrong.status_code == 400
    assert "That code is not right." in wrong.content.decode()
    assert right["Location"] == "/en/accounts/recovery-codes/?next=%2Fadmin%2Fquizzes%2Flesson%2F"
    codes = client.get(right["Location"]).content.decode()
    assert codes.count("<li><code>") == 10
    assert 'href="/admin/quizzes/lesson/"' in codes
    assert client.get("/admin/quizzes/lesson/").status_code == 200


def test_log_in_with_the_app_code(client):
    reviewer = officer("Reviewers")
    device = enrolled(reviewer)
    verify = log_in(client, reviewer)["Location"]
    assert verify == "/en/accounts/two-factor/verify/?next=%2Fadmin%2Fquizzes%2Flesson%2F"
    session_before = client.session.session_key

    response = client.post(verify, {"token": code_for(device)})

    assert response["Location"] == "/admin/quizzes/lesson/"
    assert client.session.session_key != session_before
    assert client.get("/admin/quizzes/lesson/").status_code == 200


def test_log_in_with_a_recovery_code_uses_it_up(client):
    reviewer = officer("Reviewers")
    enrolled(reviewer)
    code = twofactor.new_recovery_codes(reviewer)[0]
    verify = log_in(client, reviewer)["Location"]

    response = client.post(verify, {"token": code})

    assert response["Location"] == "/admin/quizzes/lesson/"
    assert not StaticToken.objects.filter(token=code).exists()
    assert len(twofactor.recovery_codes(reviewer)) == 9


def test_right_after_a_wrong_code_the_next_must_wait(client):
    reviewer = officer("Reviewers")
    device = enrolled(reviewer)
    verify = log_in(client, reviewer)["Location"]
    client.post(verify, {"token": "000000"})

    response = client.post(verify, {"token": code_for(device)})

    assert response.status_code == 400
    assert "please wait a few seconds" in response.content.decode()


def test_wrong_codes_lock_the_account_for_a_while(client_factory, settings):
    settings.RATE_LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_HOUR = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    reviewer = officer("Reviewers")
    device = enrolled(reviewer)
    statuses = []
    for n in range(4):  # from different addresses
        client = client_factory(REMOTE_ADDR=f"198.51.100.{n}")
        verify = log_in(client, reviewer)["Location"]
        statuses.append(client.post(verify, {"token": "123456"}).status_code)
    device.refresh_from_db()

    response = client.post(verify, {"token": code_for(device)})

    assert statuses == [400, 400, 400, 429]
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_wrong_codes_count_toward_the_address_limit(client, settings):
    settings.RATE_LIMIT_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = 2
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    reviewer = officer("Reviewers")
    enrolled(reviewer)
    verify = log_in(client, reviewer)["Location"]
    client.post(verify, {"token": "111111"})
    client.post(verify, {"token": "222222"})

    response = client.post(
        reverse("quizzes:login"), {"username": reviewer.username, "password": PASSWORD}
    )

    assert response.status_code == 429


def test_an_enrolled_officer_cannot_enrol_again_without_the_second_factor(client):
    reviewer = officer("Reviewers")
    enrolled(reviewer)
    client.force_login(reviewer)

    response = client.get(reverse("quizzes:enrol"))

    assert response["Location"].startswith("/en/accounts/two-factor/verify/")
    assert TOTPDevice.objects.filter(user=reviewer).count() == 1


def test_citizens_have_no_enrolment_page(citizen):
    assert citizen.get(reverse("quizzes:enrol")).status_code == 404
    assert citizen.get(reverse("quizzes:verify")).status_code == 404


def test_recovery_codes_of_an_officer_need_the_second_factor(client):
    reviewer = officer("Reviewers")
    enrolled(reviewer)
    twofactor.new_recovery_codes(reviewer)
    client.force_login(reviewer)

    response = client.get(reverse("quizzes:recovery-codes"))

    assert response["Location"].startswith("/en/accounts/two-factor/verify/")


def test_making_new_recovery_codes_stands_apart_and_says_the_old_ones_stop_working(client):
    reviewer = officer("Reviewers")
    sign_in_officer(client, reviewer)
    old = twofactor.new_recovery_codes(reviewer)
    url = reverse("quizzes:recovery-codes")

    page = client.get(url).text

    # Downloading is harmless and looks it; replacing the codes is red, in a section of
    # its own, and the button is described by what it does.
    assert f'<a class="button button-secondary" href="{url}?download=1" download>' in page
    assert (
        '<button class="button button-danger" type="submit" '
        'aria-describedby="new-codes-consequence">'
        "Make new codes (the old ones stop working)</button>"
    ) in page
    assert (
        '<p id="new-codes-consequence">Making new codes stops every code above from '
        "working, at once."
    ) in page
    assert page.index("?download=1") < page.index('class="danger-zone"')
    chinese = client.get("/zh-hans/accounts/recovery-codes/").text
    assert "生成新的恢复码后，上面的每个恢复码都会立即失效。" in chinese

    # And it does what it says.
    client.post(url)
    assert not set(old) & set(twofactor.recovery_codes(reviewer))


def test_without_recovery_codes_making_them_is_the_main_action(client):
    reviewer = officer("Reviewers")
    sign_in_officer(client, reviewer)

    page = client.get(reverse("quizzes:recovery-codes")).text

    assert '<button class="button" type="submit">Make recovery codes</button>' in page
    assert "button-danger" not in page and "stop working" not in page


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_second_step_is_translated(client):
    reviewer = officer("Reviewers")
    enrolled(reviewer)
    client.force_login(reviewer)

    page = client.get("/zh-hans/accounts/two-factor/verify/").content.decode()

    assert "输入验证码" in page
