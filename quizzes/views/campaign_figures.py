"""A campaign's figures for police: the page (in the admin) and its CSV. Every figure
goes through ``campaign_stats.Figure``, which writes "fewer than 10" for small groups and
"hidden so that small groups cannot be worked out" for those hidden beside them."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .. import spreadsheets
from ..campaign_stats import MIN_LEARNERS, campaign_figures

CHART_WIDTH = 320  # pixels for 100%


def chart(groups):
    """Bars for the before and after shares of each group that may be shown."""
    rows, y = [], 0
    for group in groups:
        if not (group.before.shown or group.after.shown):
            continue
        bars = []
        for name, figure in ((_("Before"), group.before), (_("After"), group.after)):
            width = round(figure.value * CHART_WIDTH) if figure.shown else 0
            bars.append({"name": name, "y": y + 20, "width": width, "text": figure.text()})
            y += 20
        rows.append({"label": group.label, "y": y - 40, "bars": bars})
        y += 24
    return {"rows": rows, "height": max(y, 24)}


def page(request, campaign, admin_context):
    figures = campaign_figures(campaign)
    context = {
        **admin_context,
        "title": _("Figures: %(title)s") % {"title": campaign.title},
        "campaign": campaign,
        "figures": figures,
        "top_groups": [figures.overall, figures.city],
        "min_learners": MIN_LEARNERS,
        "chart": chart([figures.overall, figures.city, *figures.scam_types]),
    }
    return render(request, "admin/quizzes/campaign_figures.html", context)


# The CSV's column and section names: machine-readable words in English, the officer's
# words in Chinese (the workspace's language).
CSV_NAMES = {
    "section": pgettext_lazy("campaign csv", "section"),
    "group": pgettext_lazy("campaign csv", "group"),
    "learners": pgettext_lazy("campaign csv", "learners"),
    "before_percent": pgettext_lazy("campaign csv", "before_percent"),
    "after_percent": pgettext_lazy("campaign csv", "after_percent"),
    "change_points": pgettext_lazy("campaign csv", "change_points"),
    "change_95ci_points": pgettext_lazy("campaign csv", "change_95ci_points"),
    "red_flag_recognised_percent": pgettext_lazy("campaign csv", "red_flag_recognised_percent"),
    "city_recognised_percent": pgettext_lazy("campaign csv", "city_recognised_percent"),
    "totals": pgettext_lazy("campaign csv", "totals"),
    "participants": pgettext_lazy("campaign csv", "participants"),
    "completions": pgettext_lazy("campaign csv", "completions"),
    "campaign": pgettext_lazy("campaign csv", "campaign"),
    "city": pgettext_lazy("campaign csv", "city"),
    "age_band": pgettext_lazy("campaign csv", "age_band"),
    "district": pgettext_lazy("campaign csv", "district"),
    "scam_type": pgettext_lazy("campaign csv", "scam_type"),
    "red_flag": pgettext_lazy("campaign csv", "red_flag"),
}


def csv(request, campaign):
    """The same figures as the page, with the same rule for small groups."""
    figures = campaign_figures(campaign)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.code}.csv"'
    response.write("\ufeff")  # UTF-8 with a byte-order mark: Excel and WPS read Chinese
    writer = spreadsheets.Writer(response)

    def name(word):
        return str(CSV_NAMES[word])

    writer.writerow(
        [
            name(column)
            for column in (
                "section",
                "group",
                "learners",
                "before_percent",
                "after_percent",
                "change_points",
                "change_95ci_points",
                "red_flag_recognised_percent",
                "city_recognised_percent",
            )
        ]
    )
    blank = [""] * 6
    writer.writerow([name("totals"), name("participants"), figures.participants, *blank])
    writer.writerow([name("totals"), name("completions"), figures.completions, *blank])
    sections = [("campaign", [figures.overall]), ("city", [figures.city])]
    sections += [
        ("age_band", figures.age_bands),
        ("district", figures.districts),
        ("scam_type", figures.scam_types),
    ]
    for section, groups in sections:
        for group in groups:
            writer.writerow(
                [
                    name(section),
                    group.label,
                    group.count.text("count"),
                    group.before.text(),
                    group.after.text(),
                    group.change_text(),
                    group.interval_text(),
                    "",
                    "",
                ]
            )
    for item in figures.flags:
        writer.writerow(
            [
                name("red_flag"),
                item.flag.title,
                item.group.learners,  # only red flags met by enough learners are listed
                *[""] * 4,
                item.group.text(),
                item.city.text(),
            ]
        )
    return response
