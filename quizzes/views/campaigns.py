"""A campaign's pages for citizens: the landing page behind the short link, joining
(with an optional age band and district), the before and after checks, and the poster."""

import re

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, get_language_from_request, gettext_lazy
from django.utils.translation import gettext as _
from django.utils.translation import override as language_override
from django.views.decorators.http import require_POST, require_safe

from .. import caching, posters, ratelimit
from ..learners import current_learner, learner_id
from ..models import AgeBand, Campaign, Participant, Phase
from .quiz import can_preview, starting_learner

# The campaign a visitor came through, so the results page can lead back to it.
SESSION_KEY = "campaign"


class JoinForm(forms.Form):
    """What a participant may tell about themselves: nothing, or an age band and a
    district. No names, no phone numbers."""

    age_band = forms.ChoiceField(
        label=gettext_lazy("Your age (optional)"),
        choices=[("", gettext_lazy("I'd rather not say")), *AgeBand.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    district = forms.CharField(
        label=gettext_lazy("The district you live in (optional)"),
        max_length=40,
        required=False,
    )

    def clean_district(self):
        district = " ".join(self.cleaned_data["district"].split())
        # A run of digits is a phone or ID number typed in the wrong box: never stored.
        if re.search(r"\d{5}", district):
            raise forms.ValidationError(_("Only the name of the district, please."))
        # One spelling per district, so that breakdowns do not split on case or spaces.
        return district.casefold()


def find_campaign(request, code):
    """(campaign, preview): the published campaign, or for staff any campaign as a
    preview; 404 for anyone else."""
    campaign = caching.campaign(code) if len(code) <= 12 else None
    if campaign is not None:
        return campaign, False
    if can_preview(request.user):
        campaign = get_object_or_404(Campaign.objects.with_content(), code=code)
        campaign.checks = campaign.check_questions()
        return campaign, True
    raise Http404(_("No campaign has this address."))


@require_safe
def short_link(request, code):
    """The printed link, without a language: the page in the visitor's language."""
    with language_override(get_language_from_request(request)):
        return HttpResponseRedirect(reverse("quizzes:campaign", args=[code]))


@require_safe
def landing(request, code):
    """Who runs the campaign and what it takes; for a participant, where they are.
    Visitors who have not joined get the page from the cache (no query)."""
    campaign, preview = find_campaign(request, code)
    pk = learner_id(request)
    participant = Participant.objects.of(campaign.pk, pk) if pk is not None else None
    context = landing_context(campaign, participant, preview)
    if participant is None and not preview:
        return caching.page(request, f"campaign:{code}", "quizzes/campaign.html", lambda: context)
    return render(request, "quizzes/campaign.html", context)


def landing_context(campaign, participant, preview, form=None):
    return {
        "campaign": campaign,
        "participant": participant,
        "preview": preview,
        "form": form or JoinForm(),
        "open": campaign.is_running(),
        "scores": participant.check_scores() if participant is not None else None,
    }


@require_POST
def join(request, code):
    """Count the visitor in (no account needed) and start the before check."""
    campaign, preview = find_campaign(request, code)
    if preview or not campaign.is_running() or not campaign.checks[0]:
        raise Http404(_("This campaign is not open."))
    form = JoinForm(request.POST)
    if not form.is_valid():
        context = landing_context(campaign, None, False, form)
        return render(request, "quizzes/campaign.html", context, status=400)
    # Its own limit per address, higher than for quizzes: a hall full of phones on one
    # Wi-Fi joins from one public address within minutes.
    if ratelimit.exceeded(request, "campaign-join-address"):
        return render(request, "429.html", status=429)
    learner = current_learner(request, create=True)
    if ratelimit.exceeded(request, "run", who=learner.pk):
        return render(request, "429.html", status=429)
    participant, _created = Participant.objects.get_or_create(
        campaign=campaign, learner=learner, defaults=form.cleaned_data
    )
    request.session[SESSION_KEY] = campaign.code
    return redirect(participant.start_check(Phase.BEFORE, campaign.checks[0]))


@require_POST
def after_check(request, code):
    """Start (or continue) the after check, once the before check is done."""
    campaign, preview = find_campaign(request, code)
    participant = Participant.objects.of(campaign.pk, learner_id(request))
    if preview or participant is None or not campaign.checks[1]:
        raise Http404(_("You have not joined this campaign on this device."))
    if not participant.before_done:  # the first check comes first
        return redirect(participant.start_check(Phase.BEFORE, campaign.checks[0]))
    request.session[SESSION_KEY] = campaign.code
    return redirect(participant.start_check(Phase.AFTER, campaign.checks[1]))


@require_POST
def campaign_quiz(request, code):
    """A run over the campaign quiz's questions, for a participant."""
    campaign, preview = find_campaign(request, code)
    participant = Participant.objects.of(campaign.pk, learner_id(request))
    questions = [question.pk for question in campaign.questions.all()]
    if preview or participant is None or not questions:
        raise Http404(_("You have not joined this campaign on this device."))
    if starting_learner(request) is None:
        return render(request, "429.html", status=429)
    return redirect(participant.start_quiz(questions))


@require_safe
def poster(request, code):
    """The printable A4 poster in the active language: print styles only, one page."""
    campaign, preview = find_campaign(request, code)
    language = get_language()
    other = next(lang for lang, _name in settings.LANGUAGES if lang != language)
    with language_override(other):
        other_url = reverse("quizzes:campaign-poster", args=[campaign.code])
    label = _("QR code of the campaign's link: %(link)s") % {"link": campaign.link}
    context = {
        "campaign": campaign,
        "preview": preview,
        "qr": posters.qr_svg(campaign.link, label),
        "other_language": other,
        "other_url": other_url,
    }
    return render(request, "quizzes/poster.html", context)


@require_safe
def poster_svg(request, code):
    """The same poster as an SVG file to download, for a print shop."""
    campaign, _preview = find_campaign(request, code)
    issuer_address = settings.SITE_ADDRESS
    texts = {
        "kicker": _("Anti-fraud campaign"),
        "unit": _("Run by %(unit)s") % {"unit": campaign.unit},
        "link_hint": _("Scan with your phone's camera, or type:"),
        "takes": _(
            "A short check, the lessons, a final check: about 15 minutes. No account, "
            "no name, no phone number."
        ),
        "hotlines": _("Police 110 · Anti-fraud hotline 96110"),
        "genuine": (
            _(
                "The real site is only at %(address)s, and never asks for money, bank "
                "details or codes."
            )
            % {"address": issuer_address}
            if issuer_address
            else _("The real site never asks for money, bank details, passwords or codes.")
        ),
    }
    response = HttpResponse(
        posters.poster_svg(campaign, texts), content_type="image/svg+xml; charset=utf-8"
    )
    filename = f"campaign-{campaign.code}-{get_language()}.svg"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
