from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

STAFF_MINIMUM_LENGTH = 14


class StaffPasswordValidator:
    """Police accounts reach the workspace and learners' statistics: they need a longer
    password than citizens (Django's other validators apply to everyone)."""

    def validate(self, password, user=None):
        staff = user is not None and (user.is_staff or user.is_superuser)
        if staff and len(password) < STAFF_MINIMUM_LENGTH:
            raise ValidationError(
                _("Police accounts need a password of at least %(n)d characters.")
                % {"n": STAFF_MINIMUM_LENGTH},
                code="staff_password_too_short",
            )

    def get_help_text(self):
        return _("Police accounts need at least %(n)d characters.") % {"n": STAFF_MINIMUM_LENGTH}
