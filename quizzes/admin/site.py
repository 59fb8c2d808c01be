"""The workspace site's own pages: its home page is the officer's "my work"; notices
are marked read from there.

The ``AdminSite`` subclass that serves them is declared in ``quizzes/apps.py``: the admin
imports its default site while it discovers this package, so the class cannot live in a
package that registers pages on it.
"""

from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from .. import my_work


def with_my_work(request, response):
    """The admin's index page turned into "my work" (the admin's list of models stays
    below it)."""
    if isinstance(response, TemplateResponse):
        response.template_name = "admin/quizzes/my_work.html"
        response.context_data["work"] = my_work.my_work(request.user)
    return response


@require_POST
def notices_read(request):
    my_work.mark_read(request.user)
    return redirect("admin:index")
