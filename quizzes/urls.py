from django.urls import path

from .views import accounts, campaigns, pages, quiz, review, twofactor

app_name = "quizzes"

urlpatterns = [
    # The busiest page first: URLs are tried in order.
    path("runs/<uuid:public_id>/<int:position>/", quiz.run_question, name="run-question"),
    path("", pages.home, name="home"),
    path("lessons/<slug:slug>/", pages.lesson_detail, name="lesson"),
    path("lessons/<slug:slug>/quiz/", quiz.start_lesson_quiz, name="start-quiz"),
    path("practice/", quiz.practice, name="practice"),
    path("runs/<uuid:public_id>/results/", quiz.run_results, name="run-results"),
    path("progress/", pages.progress, name="progress"),
    path("review/", review.review, name="review"),
    path("what-you-spot/", review.mastery, name="mastery"),
    path("drills/<slug:slug>/", review.drill, name="drill"),
    path("rechecks/<slug:slug>/<int:day>/", review.recheck, name="recheck"),
    path("manifest.webmanifest", review.manifest, name="manifest"),
    path("reminders/", pages.reminders, name="reminders"),
    path("display/", pages.display, name="display"),
    path("preview/lessons/<int:pk>/", quiz.preview_lesson, name="preview-lesson"),
    path("preview/questions/<int:pk>/", quiz.preview_question, name="preview-question"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", accounts.account, name="account"),
    path("my-data/", accounts.my_data, name="my-data"),
    path("my-data/delete/", accounts.delete_my_data, name="delete-my-data"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/email/", accounts.account_email, name="account-email"),
    path("accounts/two-factor/", twofactor.enrol, name="enrol"),
    path("accounts/two-factor/verify/", twofactor.verify, name="verify"),
    path("accounts/recovery-codes/", twofactor.recovery_codes, name="recovery-codes"),
    path("accounts/recover/", twofactor.recover, name="recover"),
    path("genuine/", pages.genuine, name="genuine"),
    path("c/<slug:code>/", campaigns.landing, name="campaign"),
    path("c/<slug:code>/start/", campaigns.join, name="campaign-join"),
    path("c/<slug:code>/quiz/", campaigns.campaign_quiz, name="campaign-quiz"),
    path("c/<slug:code>/after/", campaigns.after_check, name="campaign-after"),
    path("c/<slug:code>/poster/", campaigns.poster, name="campaign-poster"),
    path("c/<slug:code>/poster.svg", campaigns.poster_svg, name="campaign-poster-svg"),
    path("qr-training/<int:pk>/", pages.qr_training, name="qr-training"),
]
