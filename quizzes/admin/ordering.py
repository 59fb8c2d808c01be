"""Reordering a lesson's steps (or a question's choices) with "Move up" and "Move down"
buttons instead of typed numbers. The buttons submit the item's form, so nothing typed is
lost and they work without JavaScript: the form is saved, then the row swaps places with
its neighbour, inside the same save (so an edit of published content stays a revision)."""

from django import forms

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
        return field


def requested_move(request):
    """(formset prefix, row index, -1 or +1) from the button pressed, or None."""
    parts = request.POST.get(MOVE, "").rsplit("-", 2)
    if len(parts) != 3 or parts[2] not in ("up", "down") or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), -1 if parts[2] == "up" else 1


def apply_move(request, formsets):
    """Swaps the chosen saved row with its neighbour; True if a row moved (3 queries)."""
    move = requested_move(request)
    if move is None:
        return False
    prefix, index, step = move
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
    return True
