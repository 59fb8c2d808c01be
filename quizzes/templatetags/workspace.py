from django import template

from .. import my_work

register = template.Library()


@register.simple_tag
def my_work_counts(user):
    """Items waiting for this officer's review and their unread notices (2 queries)."""
    if not user.is_authenticated or not user.is_staff:
        return {}
    return my_work.counts(user)
