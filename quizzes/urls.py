from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    # The busiest page first: URLs are tried in order.
    path("runs/<uuid:public_id>/<int:position>/", views.run_question, name="run-question"),
    path("", views.home, name="home"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson"),
    path("lessons/<slug:slug>/quiz/", views.start_lesson_quiz, name="start-quiz"),
    path("practice/", views.practice, name="practice"),
    path("runs/<uuid:public_id>/results/", views.run_results, name="run-results"),
    path("progress/", views.progress, name="progress"),
    path("reminders/", views.reminders, name="reminders"),
    path("display/", views.display, name="display"),
    path("preview/lessons/<int:pk>/", views.preview_lesson, name="preview-lesson"),
    path("preview/questions/<int:pk>/", views.preview_question, name="preview-question"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", views.account, name="account"),
    path("my-data/", views.my_data, name="my-data"),
    path("my-data/delete/", views.delete_my_data, name="delete-my-data"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
