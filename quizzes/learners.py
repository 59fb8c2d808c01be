"""Which Learner a request belongs to, and carrying anonymous progress into an account.

The session holds the learner's id, for visitors and account holders alike; only this
module writes it (when a quiz starts, and at log-in), so pages can find a learner's runs
without loading the user or the learner row.
"""

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY

from .models import Learner

SESSION_KEY = "learner_id"


def learner_id(request):
    """The id of the request's learner, or None.

    Visitors: read from the session, no query. Sessions with a log-in load the user,
    which makes Django check the session is still valid (a password changed elsewhere
    ends it); an account whose session lacks the id is looked up once more.
    """
    if AUTH_SESSION_KEY in request.session and not request.user.is_authenticated:
        return None
    pk = request.session.get(SESSION_KEY)
    if pk is None and request.user.is_authenticated:
        pk = Learner.objects.filter(user=request.user).values_list("pk", flat=True).first()
    return pk


def session_learner(request):
    """The request's learner as an unsaved handle for queries, or None (no query)."""
    pk = learner_id(request)
    return Learner(pk=pk) if pk is not None else None


def current_learner(request, create=False, lesson=None):
    """The request's learner row, creating it (and writing the session) only when asked,
    so read-only pages never write a session. With the ``lesson`` about to start, the
    same query finds the learner's unfinished run of it (``Learner.objects.starting``)."""
    pk = learner_id(request)
    if pk is not None:
        if lesson is not None:
            learner = Learner.objects.starting(pk, lesson)
        else:
            learner = Learner.objects.filter(pk=pk).first()
        if learner is not None:
            return learner
    user = request.user
    if user.is_authenticated:
        learner = Learner.objects.filter(user=user).first()
        if learner is None and create:
            learner = Learner.objects.create(user=user, created_now=True)
    else:
        learner = Learner.objects.create(created_now=True) if create else None
    if learner is not None and create and request.session.get(SESSION_KEY) != learner.pk:
        request.session[SESSION_KEY] = learner.pk  # written only when it changes
    return learner


def merge_on_login(sender, request, user, **kwargs):
    """On log-in or sign-up, move the visitor's anonymous progress into the account, and
    remember the account's learner in the session."""
    if request is None or not hasattr(request, "session"):
        return
    anonymous_id = request.session.pop(SESSION_KEY, None)
    anonymous = None
    if anonymous_id is not None:
        anonymous = Learner.objects.filter(pk=anonymous_id, user__isnull=True).first()
    account = Learner.objects.filter(user=user).first()
    if anonymous is not None:
        if account is None:
            account = Learner.objects.create(user=user)
        account.absorb(anonymous)
    if account is not None:
        request.session[SESSION_KEY] = account.pk
