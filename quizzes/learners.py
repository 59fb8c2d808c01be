"""Which Learner a request belongs to, and carrying anonymous progress into an account."""

from .models import Learner

SESSION_KEY = "learner_id"


def current_learner(request, create=False):
    """The request's learner, or None. Creates one (and the session) only when asked,
    so read-only pages never write a session. One query at most when it exists."""
    user = request.user
    if user.is_authenticated:
        if create:
            return Learner.objects.get_or_create(user=user)[0]
        return Learner.objects.filter(user=user).first()
    learner_id = request.session.get(SESSION_KEY)
    if learner_id is not None:
        learner = Learner.objects.filter(pk=learner_id, user__isnull=True).first()
        if learner is not None:
            return learner
    if not create:
        return None
    learner = Learner.objects.create()
    request.session[SESSION_KEY] = learner.pk
    return learner


def merge_on_login(sender, request, user, **kwargs):
    """On log-in or sign-up, move the visitor's anonymous progress into the account."""
    if request is None or not hasattr(request, "session"):
        return
    learner_id = request.session.pop(SESSION_KEY, None)
    if learner_id is None:
        return
    anonymous = Learner.objects.filter(pk=learner_id, user__isnull=True).first()
    if anonymous is None:
        return
    account, _ = Learner.objects.get_or_create(user=user)
    account.absorb(anonymous)
