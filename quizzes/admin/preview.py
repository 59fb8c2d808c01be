"""The live phone preview beside the lesson and question forms.

The form, as typed and unsaved, is POSTed to the item's preview URL (by htmx half a
second after the officer stops typing, or by the "Preview" button without JavaScript).
The view saves it inside a savepoint, renders the citizens' own page from it, and rolls
the savepoint back: nothing is stored, the content cache is neither read nor bumped
(``caching.muted``), and every text is escaped by the citizens' templates as usual.
With htmx the page comes back inside an ``<iframe srcdoc>`` (escaped once more as an
attribute); without, it loads into the frame the button targets.
"""

import copy

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.formsets import all_valid
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.csp import CSP

from .. import caching
from ..curriculum.items import apply_item, key_of
from ..models import Revision
from ..views.quiz import preview_needs


class LivePreview:
    """For a ``WorkflowAdmin``: the preview URLs, the view, and the frame's CSP."""

    def get_urls(self):
        name = f"quizzes_{self.opts.model_name}_live_preview"
        view = self.admin_site.admin_view(self.live_preview_view)
        return [
            path("preview/", view, name=name),
            path("<int:object_id>/preview/", view, name=name),
            *super().get_urls(),
        ]

    def live_preview_url(self, obj):
        name = f"admin:quizzes_{self.opts.model_name}_live_preview"
        return reverse(name, args=[obj.pk] if obj is not None else [])

    def may_preview_live(self, request, obj):
        """Only an officer who may write the item types into its preview: the form is
        saved (and rolled back) for it, and a view-only form would still take the
        side-by-side language fields."""
        if obj is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        extra_context = dict(extra_context or {})
        if self.may_preview_live(request, obj):
            extra_context["live_preview_url"] = self.live_preview_url(obj)
        response = super().changeform_view(request, object_id, form_url, extra_context)
        # The phone preview is a frame of this site's own pages.
        response._csp_config = {**settings.SECURE_CSP, "frame-src": [CSP.SELF]}
        return response

    def live_preview_view(self, request, object_id=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = None
        if object_id is not None:
            obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.may_preview_live(request, obj):
            raise PermissionDenied
        language = request.POST.get("_preview_language")
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language()
        with caching.muted(), transaction.atomic(), translation.override(language):
            savepoint = transaction.savepoint_create()
            try:
                page = self.unsaved_page(request, obj)
            finally:
                transaction.savepoint_rollback(savepoint)
        if not request.htmx:
            return page
        return render(request, "admin/quizzes/phone_screen.html", {"page": page.content.decode()})

    def unsaved_page(self, request, obj):
        """The citizens' page of the item as the form describes it (queries as saving
        the form does, then as the page does)."""
        if obj is not None and self.needs_review(obj):
            revision = Revision.objects.open_for(*key_of(obj))
            if revision is not None:  # the form shows the open revision: continue it
                apply_item(revision.kind, revision.key, revision.rebased()[0], request.user)
                obj = self.get_queryset(request).get(pk=obj.pk)
                self.match_new_rows(request, obj)  # the rows it adds have new ids now
        form = self.get_form(request, obj, change=obj is not None)(
            request.POST, request.FILES, instance=obj
        )
        valid = form.is_valid()
        item = form.save(commit=False) if valid else form.instance
        formsets, _inlines = self._create_formsets(request, item, change=obj is not None)
        if not (all_valid(formsets) and valid):
            return incomplete(request, form, formsets)
        item.save()
        form.save_m2m()
        for formset in formsets:
            formset.save()
        return self.citizen_page(as_get(request), item.pk)


def as_get(request):
    """The request as a citizen's first visit to the page: a GET, not from htmx."""
    get = copy.copy(request)
    get.method = "GET"
    get.htmx = False
    return get


def incomplete(request, form, formsets):
    """What the preview needs before it can show the page: the fields left to fill in
    and the form's own problems."""
    missing = {form.fields[name].label for name in form.errors if name in form.fields}
    for formset in formsets:
        for subform in formset.forms:
            missing |= {subform.fields[n].label for n in subform.errors if n in subform.fields}
    problems = [str(e) for e in form.non_field_errors()]
    for formset in formsets:
        problems += [str(e) for e in formset.non_form_errors()]
    return preview_needs(request, sorted(str(label) for label in missing), problems)
