"""The base of every authoring page: who changed what, edits to published items kept as
revisions, and the workflow buttons (submit, approve, send back...)."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from ..curriculum.items import apply_item, export_item, key_of, needs_review
from ..models import Action, Lesson, Revision, Status, WorkflowError
from ..numbers import whole_number
from . import ordering
from .forms import Bilingual


class StampedAdmin(Bilingual, TranslationAdmin):
    """Records who changed a row last; the curriculum loader then leaves it alone.

    A change to anything citizens can already read is not written to the live row: the
    form is saved inside a savepoint, the item is read back in bundle form, the savepoint
    is rolled back and what was read becomes (or continues) the item's revision, which
    another officer approves. An open revision is applied (in a rolled-back savepoint)
    before the form is shown or saved, so the author continues it.
    """

    readonly_fields = ("updated_at", "updated_by")
    key_fields = ("slug",)
    # Adding one of these reaches citizens at once (a general reminder, say).
    add_needs_review = False

    def needs_review(self, obj):
        return self.add_needs_review if obj is None else needs_review(key_of(obj)[0], obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Deleting in bulk would take reviewed content away unreviewed.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.needs_review(obj):
            return False
        if super().has_delete_permission(request, obj):
            return True
        return obj is not None and self.is_own_first_draft(request, obj)

    def is_own_first_draft(self, request, obj):
        """True when ``obj`` is a draft that was never approved and that only this
        officer, who may add such items, ever changed: an author who started it by
        mistake throws it away (authors hold no permission to delete lessons and
        questions; everything else waits for a reviewer)."""
        return (
            obj.status == Status.DRAFT
            and self.has_add_permission(request)
            and not obj.transitions.filter(action=Action.APPROVE).exists()
            and obj.author_ids() == {request.user.pk}
        )

    def get_readonly_fields(self, request, obj=None):
        # An item under revision keeps its key: the revision is matched by it.
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and self.needs_review(obj):
            fields = (*fields, *self.key_fields)
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        fields = super().get_prepopulated_fields(request, obj)
        if obj is not None and self.needs_review(obj):
            fields = {k: v for k, v in fields.items() if k not in self.key_fields}
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        refused = ordering.wrong_method(request)
        if refused is not None:
            return refused
        if request.method == "POST" and ordering.MOVE in request.POST:
            # A "Move up/down" button saves the form and comes back to it.
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        live = self.get_object(request, unquote(object_id)) if object_id else None
        if (object_id and live is None) or not self.needs_review(live):
            if live is not None or not object_id:
                self.check_move(request, live)
            response = super().changeform_view(request, object_id, form_url, extra_context)
            return self.after_save(request, ordering.back_at_the_row(request, response), object_id)
        request.revising = True
        revision = Revision.objects.open_for(*key_of(live)) if live else None
        with transaction.atomic():
            savepoint = transaction.savepoint_create()
            if revision is not None:
                data, conflicts = revision.rebased()
                request.rebasing = revision.is_stale()
                apply_item(revision.kind, revision.key, data, request.user)
                if request.method == "POST":
                    self.match_new_rows(request, live)
                if request.method == "GET" and request.rebasing:
                    messages.warning(
                        request,
                        _(
                            "This item changed since the revision was written. The form "
                            "shows the revision merged with the approved change; where "
                            "both changed the same text it shows the approved text. Check "
                            "it and save."
                        )
                        if conflicts
                        else _(
                            "This item changed since the revision was written. The form "
                            "shows the revision merged with the approved change; check it "
                            "and save."
                        ),
                    )
                if request.method == "GET":
                    messages.info(
                        request,
                        _(
                            "This form shows the revision waiting for review, not what "
                            "citizens see now; saving continues it."
                        ),
                    )
            # After the open revision's rows are in: the form's ids are theirs.
            self.check_move(request, live)
            # Who last changed the item is read before the revision was put in for the
            # form (in this officer's name, rolled back below).
            extra_context = {**(extra_context or {}), "last_change": live}
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
            written = getattr(request, "revision_data", None)
            transaction.savepoint_rollback(savepoint)
            revision = Revision.record(*written, request.user) if written else None
        if request.method == "POST" and response.status_code == 302:
            if revision is None:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(
                    request,
                    _(
                        "Your change is saved as a revision for review. Citizens see the "
                        "approved version until another officer approves it."
                    ),
                )
                if "_workflow" not in request.POST and ordering.MOVE not in request.POST:
                    return redirect(revision.get_absolute_url())
        return self.after_save(request, ordering.back_at_the_row(request, response), object_id)

    def check_move(self, request, obj):
        """Refuse a move button's request that this officer may not make, or that names
        no row of this item, before anything is saved (``ordering.check_move``)."""
        if request.method != "POST" or ordering.MOVE not in request.POST:
            return
        if not (
            self.has_change_permission(request, obj)
            if obj is not None
            else self.has_add_permission(request)
        ):
            raise PermissionDenied
        ordering.check_move(request, obj, self.get_inline_instances(request, obj))

    def match_new_rows(self, request, obj):
        """Rows that the open revision adds (a step, a choice) get new ids each time it
        is applied (PostgreSQL does not roll sequences back), so the form's ids for them
        are matched again by position, or slug for reminders."""
        post = request.POST.copy()
        for inline in self.get_inline_instances(request, obj):
            formset = inline.get_formset(request, obj)
            prefix, key = formset.get_default_prefix(), "position"
            if any(f.name == "slug" for f in inline.model._meta.fields):
                key = "slug"
            rows = dict(
                inline.model.objects.filter(**{formset.fk.name: obj}).values_list(key, "pk")
            )
            known = {str(pk) for pk in rows.values()}
            by_key = {str(k): v for k, v in rows.items()}
            # A forged count is the formset's to refuse: never a 500 or a long loop here.
            total = post.get(f"{prefix}-TOTAL_FORMS") or ""
            count = min(whole_number(total) or 0, formset.absolute_max)
            for i in range(count):
                pk, natural = post.get(f"{prefix}-{i}-id"), post.get(f"{prefix}-{i}-{key}")
                match = by_key.get(natural)
                if pk and pk not in known and match is not None:
                    post[f"{prefix}-{i}-id"] = str(match)
        request.POST = post

    def after_save(self, request, response, object_id):
        """What follows a saved form (the workflow button pressed with it, if any)."""
        return response

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # The admin's "changed successfully" would be untrue: the live row is unchanged.
        if getattr(request, "revising", False) and level == messages.SUCCESS:
            return
        # With a workflow button pressed, the step's own message says what happened: a
        # refused step under a green "changed successfully" reads as done.
        if level == messages.SUCCESS and request.POST.get("_workflow"):
            request.saved_for_workflow = True
            return
        super().message_user(request, message, level, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change or form.has_changed():
            obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if hasattr(obj, "updated_by_id"):
                obj.updated_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()
        if formset.has_changed() and form.instance.updated_by_id != request.user.pk:
            form.instance.updated_by = request.user
            form.instance.save(update_fields=["updated_by", "updated_at"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        request.moved = ordering.apply_move(request, formsets)
        if request.moved and form.instance.updated_by_id != request.user.pk:
            form.instance.updated_by = request.user
            form.instance.save(update_fields=["updated_by", "updated_at"])
        edited = not change or form.has_changed() or any(f.has_changed() for f in formsets)
        edited = edited or getattr(request, "rebasing", False) or request.moved
        if getattr(request, "revising", False) and edited:
            kind, key = key_of(form.instance)
            request.revision_data = (kind, key, export_item(kind, key))


class NeedsReviewFilter(admin.SimpleListFilter):
    """Items waiting for a reviewer: in review, or past their "valid until" date."""

    title = _("needs review")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=Status.REVIEW) | queryset.filter(
                status=Status.PUBLISHED, valid_until__lt=timezone.localdate()
            )
        return queryset


class WorkflowAdmin(StampedAdmin):
    """Status changes only through the workflow buttons; edits to published items send
    them back to review."""

    change_form_template = "admin/quizzes/workflow_change_form.html"
    readonly_fields = ("status", "updated_at", "updated_by")

    @admin.display(description=_("title"), ordering="title")
    def heading(self, obj):
        # A draft may have its title in Chinese only: the link to it still has a name.
        return str(obj)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/workflow/<str:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="{}_{}_workflow".format(*info),
            ),
            *super().get_urls(),
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        edited = not change or form.has_changed() or any(f.has_changed() for f in formsets)
        edited = edited or getattr(request, "rebasing", False) or request.moved
        if edited and not getattr(request, "revising", False):
            form.instance.note_edit(request.user)

    def after_save(self, request, response, object_id):
        """A workflow button submits the form: the change is saved first, then the item
        moves (an invalid form is shown again and nothing moves)."""
        action = request.POST.get("_workflow")
        if request.method != "POST" or not action or response.status_code != 302:
            return response
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is None:
            return response
        comment = request.POST.get(f"_workflow_comment_{action}", "")
        return self.run_workflow(request, obj, action, comment)

    def workflow_context(self, request, obj):
        """The workflow panel beside the item's form: the steps this officer may take, the
        record, the preview and what still stands in the way of publishing. A reviewer who
        changed the item is not offered "approve", which the two-person rule refuses them;
        one who did not is told before editing that an edit takes that step from them."""
        actions = obj.available_actions(request.user)
        own_change = Action.APPROVE in actions and request.user.pk in obj.author_ids()
        if own_change:
            actions.remove(Action.APPROVE)
        return {
            "workflow_actions": [(a, Action(a).label) for a in actions],
            "own_change": own_change,
            "edit_takes_approval": Action.APPROVE in actions,
            "transitions": obj.transitions.select_related("user")[:20],
            "preview_url": self.preview_url(obj),
            "publication_problems": obj.publication_problems(),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            extra_context.update(
                self.workflow_context(request, obj),
                open_revision=Revision.objects.open_for(*key_of(obj)),
                going_live=obj.questions_going_live(request.user)
                if isinstance(obj, Lesson) and obj.status == Status.REVIEW
                else [],
                to_submit=obj.questions_to_submit(request.user)
                if isinstance(obj, Lesson) and Action.SUBMIT in obj.available_actions(request.user)
                else [],
            )
        response = super().change_view(request, object_id, form_url, extra_context)
        # The phone preview beside the form is a frame of this site's own preview page.
        response._csp_config = {**settings.SECURE_CSP, "frame-src": [CSP.SELF]}
        return response

    def workflow_view(self, request, object_id, action):
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return self.run_workflow(request, obj, action, request.POST.get("comment", ""))

    def run_workflow(self, request, obj, action, comment):
        submitted, refusal = [], None
        try:
            if isinstance(obj, Lesson) and action == Action.SUBMIT:
                with_questions = request.POST.getlist("_with_questions")
                submitted = obj.submit_with_questions(request.user, with_questions, comment)
                published = None
            else:
                published = obj.transition(Action(action), request.user, comment)
        except ValueError:
            refusal = _("Unknown workflow action.")
        except PermissionDenied:
            refusal = _("Your role does not allow this.")
        except WorkflowError as error:
            refusal = str(error)
        if refusal is not None:
            messages.error(request, refusal)
            if getattr(request, "saved_for_workflow", False):
                messages.info(request, _("What you typed is saved; only this step was refused."))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
            if submitted:
                messages.info(
                    request,
                    _("Submitted with it: %(questions)s.")
                    % {"questions": ", ".join(str(q) for q in submitted)},
                )
            if published:
                messages.info(
                    request,
                    _("Published with it: %(questions)s.")
                    % {"questions": ", ".join(str(q) for q in published)},
                )
        return redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )
