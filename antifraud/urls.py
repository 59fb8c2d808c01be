from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from quizzes.views.accounts import PasswordChangeForm, SetPasswordForm
from quizzes.views.campaigns import short_link
from quizzes.views.pages import police_login, switch_language

# Password change and reset use Django's views and their default URL names.
password_urls = [
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

handler500 = "quizzes.views.errors.server_error"

# Citizens' pages first: URLs are tried in order.
urlpatterns = i18n_patterns(
    path("", include("quizzes.urls")),
    path("accounts/", include(password_urls)),
)
urlpatterns += [
    # Police log in where citizens do: one log-in page with its throttling and second factor.
    path("admin/login/", police_login),
    path("admin/", admin.site.urls),
    path("i18n/switch/<str:language>/", switch_language, name="switch-language"),
    # The link printed on a campaign's poster: short, and in no language yet.
    path("c/<slug:code>/", short_link, name="campaign-short"),
]
