"""The reviewers' pages for revisions: the open ones, each with a side-by-side
before/after of every changed field in both languages, and the decision buttons."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

from ..curriculum.items import find
from ..models import Import, Revision, RevisionStatus, WorkflowError


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Not yet approved"))]

    def queryset(self, request, queryset):
        return queryset.open() if self.value() == "yes" else queryset


class RecordAdmin(admin.ModelAdmin):
    """A list to read, not to edit: whoever may view it sees it in the menu; nobody adds,
    changes or deletes its rows here (their own pages and commands write them)."""

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(RecordAdmin):
    change_form_template = "admin/quizzes/revision_change_form.html"
    # Its own page is the revision's address: "view on site" led back to it.
    view_on_site = False
    list_display = ("__str__", "status", "changed_by", "updated_at", "imported_or_typed")
    list_filter = (OpenFilter, "status", "kind", "imported")
    list_select_related = ("changed_by",)
    search_fields = ("key",)
    fields = (
        "kind",
        "key",
        "status",
        "changed_by",
        "imported_or_typed",
        "created_at",
        "updated_at",
        "reviewer",
        "comment",
        "decided_at",
    )
    readonly_fields = fields

    @admin.display(description=_("imported"), ordering="imported")
    def imported_or_typed(self, obj):
        # Words rather than the admin's tick icon, whose alternative text is English.
        return _("Imported") if obj.imported else _("Typed in the workspace")

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.has_perm("quizzes.submit_content") or user.has_perm("quizzes.review_content")

    def get_urls(self):
        return [
            path(
                "<int:object_id>/decide/<str:action>/",
                self.admin_site.admin_view(self.decide_view),
                name="quizzes_revision_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if revision is not None:
            authors = list(revision.authors.all())
            extra_context.update(
                changes=revision.changes(),
                authors=", ".join(map(str, authors)),
                is_author=request.user.pk in revision.author_ids(),
                item_url=self.item_url(revision),
                may_withdraw=revision.is_open and request.user in authors,
                may_decide=revision.status == RevisionStatus.PENDING
                and request.user.has_perm("quizzes.review_content"),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def item_url(revision):
        item = find(revision.kind, revision.key)
        if item is None:
            return None
        try:
            return reverse(f"admin:quizzes_{item._meta.model_name}_change", args=[item.pk])
        except NoReverseMatch:
            return None

    def decide_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        revision = get_object_or_404(Revision, pk=object_id)
        comment = request.POST.get("comment", "")
        decide = {
            "approve": revision.approve,
            "send_back": revision.send_back,
            "withdraw": revision.withdraw,
        }.get(action)
        if decide is None:
            raise Http404
        try:
            decide(request.user, comment)
        except PermissionDenied:
            messages.error(request, _("Your role does not allow this."))
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                {
                    "approve": _("Approved: citizens now see this version."),
                    "send_back": _("Sent back to its authors."),
                    "withdraw": _("Withdrawn: citizens keep seeing the approved version."),
                }[action],
            )
        return redirect(revision.get_absolute_url())


@admin.register(Import)
class ImportAdmin(RecordAdmin):
    """The record of confirmed imports: who imported, when, and what it did."""

    list_display = ("at", "user", "summary")
    list_select_related = ("user",)
    fields = ("at", "user", "summary")
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("quizzes.import_content")
