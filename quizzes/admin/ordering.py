"""Reordering the rows of an item's inlines (a lesson's steps, a question's choices, the
parts to spot, a conversation's turns and endings) with "Move up" and "Move down" buttons
instead of typed numbers. The buttons submit the item's form, so nothing typed is lost
and they work without JavaScript: the form is saved, then the row swaps places with its
neighbour, inside the same save (so an edit of published content stays a revision), and
the page comes back at the row that moved.

A move is asked for by POST only, by an officer who may change the item and its rows,
and names one of the item's own rows; any other request is refused before anything is
saved (``check_move``)."""

from functools import cached_property

from django import forms
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpResponseNotAllowed

from ..numbers import whole_number

MOVE = "_move"  # the buttons' name; their value is "<formset prefix>-<row>-<up|down>"


class Reorderable:
    """An inline whose rows move with buttons; their positions are hidden fields
    (filled in for new rows by ``AutoPositions``)."""

    template = "admin/quizzes/edit_inline/reorderable.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "position" and field is not None:
            field.widget = forms.HiddenInput()
            field.help_text = ""
            field.required = False  # a new row is numbered after the others
        return field


class AnsweredKeepPlaces:
    """A formset whose rows keep their places once learners answered with them: a
    revision matches choices and parts to spot by position, so moving one would put
    another text under what learners chose; and a conversation starts at its first
    turn, which learners part-way through must keep (1 query)."""

    # The relation from a row to what learners did with it.
    answered_through = "answers"

    @cached_property
    def order_is_fixed(self):
        if self.instance.pk is None:
            return False
        return self.model.objects.filter(
            **{self.fk.name: self.instance, f"{self.answered_through}__isnull": False}
        ).exists()


def requested_move(request):
    """(formset prefix, row index, -1 or +1) from the button pressed, or None."""
    parts = request.POST.get(MOVE, "").rsplit("-", 2)
    row = whole_number(parts[1]) if len(parts) == 3 else None
    if row is None or parts[2] not in ("up", "down"):
        return None
    return parts[0], row, -1 if parts[2] == "up" else 1


def wrong_method(request):
    """A move asked for by a link rather than the form's button: 405, else None."""
    if request.method != "POST" and MOVE in request.GET:
        return HttpResponseNotAllowed(["POST"])
    return None


def check_move(request, obj, inlines):
    """Refuse the move button's request unless it names a row of ``obj`` (None while
    it is being added) in one of its reorderable ``inlines`` that this officer may
    change: PermissionDenied (403) or BadRequest (400). A row asked to move past either
    end, or in a list whose order is fixed, is not refused: it stays where it is.
    Queries: 1 for an existing row."""
    if MOVE not in request.POST:
        return
    move = requested_move(request)
    if move is None:
        raise BadRequest("Not a move.")
    prefix, index, _step = move
    formset = inline = None
    for candidate in inlines:
        if isinstance(candidate, Reorderable):
            formset = candidate.get_formset(request, obj)
            if formset.get_default_prefix() == prefix:
                inline = candidate
                break
    if inline is None:
        raise BadRequest("No such list on this page.")
    if not inline.has_change_permission(request, obj):
        raise PermissionDenied
    count = {
        name: whole_number(request.POST.get(f"{prefix}-{name}", "")) or 0
        for name in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    if index >= count["TOTAL_FORMS"]:
        raise BadRequest("No such row.")
    if index < count["INITIAL_FORMS"]:  # a saved row: one of this item's
        pk = request.POST.get(f"{prefix}-{index}-{inline.model._meta.pk.name}", "")
        mine = inline.model.objects.filter(**{formset.fk.name: obj})
        if obj is None or whole_number(pk) is None or not mine.filter(pk=pk).exists():
            raise BadRequest("Not a row of this item.")


def apply_move(request, formsets):
    """Swaps the chosen saved row with its neighbour; True if a row moved (3 queries).
    Where the row is now is kept as ``request.moved_row`` ("<prefix>-<index>")."""
    move = requested_move(request)
    if move is None:
        return False
    prefix, index, step = move
    request.moved_row = f"{prefix}-{index}"
    formset = next((f for f in formsets if f.prefix == prefix), None)
    if formset is None or index >= len(formset.forms):
        return False
    if getattr(formset, "order_is_fixed", False):
        return False
    row = formset.forms[index].instance
    if row.pk is None or formset.forms[index] in formset.deleted_forms:
        return False
    model = type(row)
    rows = list(
        model.objects.filter(**{formset.fk.name: formset.instance}).order_by("position", "pk")
    )
    at = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    if not 0 <= at + step < len(rows):
        return False
    other = rows[at + step]
    mine, theirs = rows[at].position, other.position
    # Through a free number: each parent's positions are unique in the database.
    spare = max(r.position for r in rows) + 1
    model.objects.filter(pk=row.pk).update(position=spare)
    model.objects.filter(pk=other.pk).update(position=mine)
    model.objects.filter(pk=row.pk).update(position=theirs)
    request.moved_row = f"{prefix}-{at + step}"
    return True


def back_at_the_row(request, response):
    """The form saved after a move comes back scrolled to the row that moved, so that
    the next Tab reaches its buttons again."""
    row = getattr(request, "moved_row", None)
    if row and response.status_code == 302 and "#" not in response["Location"]:
        response["Location"] += f"#{row}"
    return response
