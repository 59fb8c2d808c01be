"""What police see of a campaign: its own participants only, before and after with the
paired change and its interval, and no figure behind fewer than 10 learners in any
breakdown, on the page or in the CSV."""

import csv
import io
import math
import statistics

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from quizzes.campaign_stats import MIN_LEARNERS, Change, campaign_figures, t_95
from quizzes.models import Campaign, Learner, Participant, Phase

from .conftest import sign_in_officer
from .factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

FEWER = "fewer than 10"


def take(campaign, before=0, after=None, age_band="", district=""):
    """A participant who got ``before`` of 3 right in the first check and ``after`` of 3
    in the final one (None: not taken)."""
    campaign = Campaign.objects.with_content().get(pk=campaign.pk)
    checks = dict(zip(Phase.values, campaign.check_questions(), strict=True))
    participant = Participant.objects.create(
        campaign=campaign, learner=Learner.objects.create(), age_band=age_band, district=district
    )
    for phase, right in ((Phase.BEFORE, before), (Phase.AFTER, after)):
        if right is None:
            continue
        run = participant.start_check(phase, checks[phase])
        for n, rq in enumerate(run.run_questions.select_related("question").order_by("position")):
            choice = rq.question.choices.get(is_correct=n < right)
            run.record_answer(rq, choice)
    return participant


def figures_page(client, campaign):
    return client.get(reverse("admin:quizzes_campaign_figures", args=[campaign.pk]))


def figures_csv(client, campaign):
    response = client.get(reverse("admin:quizzes_campaign_figures_csv", args=[campaign.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel and WPS read Chinese
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def analyst(client):
    user = UserFactory(username="analyst-zhao", is_staff=True)
    user.groups.add(Group.objects.get(name="Analysts"))
    return sign_in_officer(client, user)


# --- The paired change ------------------------------------------------------------------


def test_the_change_is_the_mean_paired_difference_with_a_95_percent_interval():
    differences = [1 / 3, 2 / 3, 0, 1 / 3, 1 / 3, -1 / 3, 2 / 3, 1 / 3, 0, 1 / 3]
    change = Change.of(differences)
    mean = statistics.fmean(differences)
    margin = 2.262 * statistics.stdev(differences) / math.sqrt(10)
    assert change.mean == pytest.approx(mean)
    assert (change.low, change.high) == pytest.approx((mean - margin, mean + margin))
    assert t_95(1) == 12.706 and t_95(30) == 2.042 and t_95(500) == 1.96


def test_figures_count_only_the_campaigns_own_participants(campaign):
    other = CampaignFactory(code="harbour", lessons=list(campaign.lessons.all()))
    for _ in range(10):
        take(campaign, before=1, after=3)
    for _ in range(12):
        take(other, before=3, after=0)
    take(campaign, before=2)  # joined, not finished
    figures = campaign_figures(campaign)
    assert (figures.participants, figures.completions) == (11, 10)
    assert figures.overall.before.value == pytest.approx((10 * 1 / 3 + 2 / 3) / 11)
    assert figures.overall.after.value == 1
    assert figures.overall.change.value.mean == pytest.approx(2 / 3)
    assert figures.overall.change.value.low == pytest.approx(2 / 3)  # no spread
    assert figures.city.learners == 23  # city-wide: every campaign


def test_the_officer_sees_the_figures_and_how_they_are_computed(analyst, campaign):
    for n in range(10):
        take(campaign, before=n % 2, after=2 + n % 2, age_band="60-74", district="old town")
    html = figures_page(analyst, campaign).content.decode()
    assert "<h1" in html
    assert "paired differences" in html and "95% confidence interval" in html
    assert "<dt>Participants</dt><dd>10</dd>" in html
    assert (
        '<th scope="row">This campaign</th><td>10</td><td>17%</td><td>83%</td><td>+67</td>' in html
    )
    assert 'role="img"' in html  # the chart, no JavaScript
    assert '<th scope="row">60 to 74</th><td>10</td>' in html
    assert '<th scope="row">old town</th><td>10</td>' in html


# --- Fewer than 10 learners: no figure, anywhere -----------------------------------------


OTHERS = "Others, fewer than 10 learners each"
WITHHELD = "hidden so that small groups cannot be worked out"


def shown(learners):
    """What a row of ``learners`` shows when nothing beside it needs hiding."""
    return learners if learners >= MIN_LEARNERS else FEWER


def expected_groups(people):
    """{(section, label): learners, FEWER or WITHHELD} for ``people`` in lakeside (aged 75
    or over) and one person alone in hill (under 18): a district with fewer than 10
    learners loses its name and joins "Others"; the lone participant counts among the scam
    type's learners too. Lakeside and the over-75s are hidden even at 10: the campaign's
    row minus theirs would be the lone participant's."""
    groups = {
        ("age_band", "75 or older"): shown(people),
        ("age_band", "Under 18"): FEWER,
        ("scam_type", "Fake courier claims"): shown(people + 1),
    }
    if people < MIN_LEARNERS:
        groups[("district", OTHERS)] = shown(people + 1)
    else:
        groups[("age_band", "75 or older")] = WITHHELD
        groups[("district", "lakeside")] = WITHHELD
        groups[("district", OTHERS)] = FEWER
    return groups


def crowd(campaign, people):
    for _ in range(people):
        take(campaign, before=1, after=2, age_band="75plus", district="lakeside")
    take(campaign, before=0, after=3, age_band="under18", district="hill")


@pytest.mark.parametrize("people", [MIN_LEARNERS - 2, MIN_LEARNERS - 1, MIN_LEARNERS])
def test_every_breakdown_on_the_page_hides_groups_under_ten(analyst, campaign, people):
    crowd(campaign, people)
    html = figures_page(analyst, campaign).content.decode()
    assert ">hill<" not in html  # a rare name typed by someone is never shown
    assert (">lakeside<" in html) == (people >= MIN_LEARNERS)
    for (_section, label), learners in expected_groups(people).items():
        row = html.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]
        if learners in (FEWER, WITHHELD):
            assert row == f"<td>{learners}</td>" * 5
        else:
            assert FEWER not in row and "%" in row
            assert row.startswith(f"<td>{learners}</td>")


@pytest.mark.parametrize("people", [MIN_LEARNERS - 2, MIN_LEARNERS - 1, MIN_LEARNERS])
def test_every_breakdown_in_the_csv_hides_groups_under_ten(analyst, campaign, people):
    crowd(campaign, people)
    response = analyst.get(reverse("admin:quizzes_campaign_figures_csv", args=[campaign.pk]))
    assert "hill" not in response.content.decode()
    rows = {(row["section"], row["group"]): row for row in figures_csv(analyst, campaign)}
    figures = ["learners", "before_percent", "after_percent", "change_points"]
    figures.append("change_95ci_points")
    groups = expected_groups(people) | {("campaign", "This campaign"): shown(people + 1)}
    for key, learners in groups.items():
        values = [rows[key][f] for f in figures]
        if learners in (FEWER, WITHHELD):
            assert values == [learners] * 5
        else:
            assert FEWER not in values and values[0] == str(learners)
    breakdown_rows = [key for key in rows if key[0] in ("age_band", "district", "scam_type")]
    assert sorted(breakdown_rows) == sorted(expected_groups(people))
    assert rows[("totals", "participants")]["learners"] == str(people + 1)


def test_the_overall_scores_wait_for_ten_learners(analyst, campaign):
    for _ in range(3):
        take(campaign, before=1, after=2)
    html = figures_page(analyst, campaign).content.decode()
    assert "<dt>Participants</dt><dd>3</dd>" in html  # counts, not scores
    row = html.split('<th scope="row">This campaign</th>')[1].split("</tr>")[0]
    assert row == f"<td>{FEWER}</td>" * 5


# --- Nor by subtraction: the campaign minus the groups shown ------------------------------


SCORES = ["learners", "before_percent", "after_percent", "change_points", "change_95ci_points"]


def csv_rows(client, campaign, section):
    """{group: [learners, before, after, change, interval]} of one section of the CSV."""
    rows = figures_csv(client, campaign)
    return {row["group"]: [row[f] for f in SCORES] for row in rows if row["section"] == section}


def page_row(html, label):
    return html.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]


def left_by_subtraction(client, campaign, section):
    """What anyone can work out from the CSV: the campaign's learners minus those of the
    groups of ``section`` whose number is shown."""
    total = int(csv_rows(client, campaign, "campaign")["This campaign"][0])
    groups = csv_rows(client, campaign, section).values()
    return total - sum(int(values[0]) for values in groups if values[0].isdigit())


def test_two_learners_cannot_be_worked_out_from_the_campaign_minus_their_district(
    analyst, campaign
):
    # A talk in a community hall: 11 pensioners from 东城区 and 2 older neighbours from
    # 海淀区, who got nothing right before or after. The campaign shows 13 learners; if
    # 东城区 showed its 11 and their scores, 13 − 11 and the two rows' scores would give
    # the 2 from 海淀区 theirs, though their row says "fewer than 10".
    for _ in range(11):
        take(campaign, before=1, after=2, age_band="60-74", district="东城区")
    for _ in range(2):
        take(campaign, before=0, after=0, age_band="75plus", district="海淀区")

    html = figures_page(analyst, campaign).content.decode()
    assert page_row(html, "This campaign").startswith("<td>13</td><td>28%</td>")
    assert page_row(html, "东城区") == f"<td>{WITHHELD}</td>" * 5
    assert page_row(html, OTHERS) == f"<td>{FEWER}</td>" * 5
    assert page_row(html, "60 to 74") == f"<td>{WITHHELD}</td>" * 5
    assert page_row(html, "75 or older") == f"<td>{FEWER}</td>" * 5

    assert csv_rows(analyst, campaign, "campaign")["This campaign"][0] == "13"
    assert csv_rows(analyst, campaign, "district") == {
        "东城区": [WITHHELD] * 5,
        OTHERS: [FEWER] * 5,
    }
    assert csv_rows(analyst, campaign, "age_band") == {
        "60 to 74": [WITHHELD] * 5,
        "75 or older": [FEWER] * 5,
    }
    # What subtraction leaves is all 13: the 2 are not told apart from the 11.
    assert left_by_subtraction(analyst, campaign, "district") == 13
    assert left_by_subtraction(analyst, campaign, "age_band") == 13


def test_only_the_smallest_group_shown_is_hidden_beside_a_small_one(analyst, campaign):
    # 20 in their sixties, 12 in their forties and 3 over 75: hiding the forties as well
    # leaves 15 learners to subtraction, the 3 among them; the sixties stay in view.
    for age_band, people in (("60-74", 20), ("40-59", 12), ("75plus", 3)):
        for _ in range(people):
            take(campaign, before=1, after=2, age_band=age_band)
    groups = csv_rows(analyst, campaign, "age_band")
    assert groups["60 to 74"][:3] == ["20", "33%", "67%"]
    assert groups["40 to 59"] == [WITHHELD] * 5
    assert groups["75 or older"] == [FEWER] * 5
    assert left_by_subtraction(analyst, campaign, "age_band") == 15


def test_a_breakdown_whose_hidden_groups_already_come_to_ten_is_left_as_it_was(analyst, campaign):
    # 12 from 东城区 in their sixties; 5 who gave no district and are under 18; 5 from
    # three other districts, 18 to 39. Hidden: 5 + 5 learners in each breakdown, too many
    # to point at anyone, so nothing more is hidden.
    for _ in range(12):
        take(campaign, before=1, after=2, age_band="60-74", district="东城区")
    for _ in range(5):
        take(campaign, before=0, after=3, age_band="under18")
    for district in ("海淀区", "海淀区", "朝阳区", "朝阳区", "西城区"):
        take(campaign, before=2, after=3, age_band="18-39", district=district)

    districts = csv_rows(analyst, campaign, "district")
    assert districts["东城区"][:4] == ["12", "33%", "67%", "+33"]
    assert districts["Not given"] == districts[OTHERS] == [FEWER] * 5
    ages = csv_rows(analyst, campaign, "age_band")
    assert ages["60 to 74"][:4] == ["12", "33%", "67%", "+33"]
    assert ages["Under 18"] == ages["18 to 39"] == [FEWER] * 5
    assert WITHHELD not in figures_page(analyst, campaign).content.decode()


def test_a_final_score_behind_few_finishers_hides_the_other_groups_final_score(analyst, campaign):
    # 12 in their sixties all finish; of 11 over 75, 3 leave after the first check. Both
    # groups are big enough to count and to show their first score, but only 8 over-75s
    # finished the final check: the campaign's final score (20 finishers) minus the
    # sixties' (12) would give theirs, so the sixties' final score and change are hidden.
    for _ in range(12):
        take(campaign, before=1, after=3, age_band="60-74")
    for n in range(11):
        take(campaign, before=0, after=None if n < 3 else 1, age_band="75plus")

    html = figures_page(analyst, campaign).content.decode()
    assert "<dd>20</dd>" in html  # completions
    ages = csv_rows(analyst, campaign, "age_band")
    assert ages["60 to 74"] == ["12", "33%", WITHHELD, WITHHELD, WITHHELD]
    assert ages["75 or older"] == ["11", "0%", FEWER, FEWER, FEWER]
    assert csv_rows(analyst, campaign, "campaign")["This campaign"][2] == "73%"


def test_the_weakest_red_flags_need_ten_learners_and_stand_beside_the_city(
    analyst, campaign, red_flag
):
    for _ in range(9):
        take(campaign, before=1, after=2)
    assert (
        "No red flag has been met by 10 learners"
        in figures_page(analyst, campaign).content.decode()
    )
    take(campaign, before=1, after=2)
    cache.delete("campaign-stats:city-flags")  # the city-wide figures are kept a while
    rows = [row for row in figures_csv(analyst, campaign) if row["section"] == "red_flag"]
    assert len(rows) == 1
    assert rows[0]["group"] == red_flag.title and rows[0]["learners"] == "10"
    assert rows[0]["red_flag_recognised_percent"] == "50%"  # 3 of 6 first answers
    assert rows[0]["city_recognised_percent"] == "50%"


def test_the_city_row_hides_what_it_holds_beyond_the_campaign_when_that_is_a_few(
    analyst, campaign, red_flag
):
    # The city's first campaign, and a talk for 3 people elsewhere: the city's row minus
    # this campaign's would be those 3, whose own row would say "fewer than 10".
    other = CampaignFactory(code="harbour", lessons=list(campaign.lessons.all()))
    for _ in range(10):
        take(campaign, before=1, after=2)
    for _ in range(3):
        take(other, before=0, after=0)
    cache.delete("campaign-stats:city-flags")

    html = figures_page(analyst, campaign).content.decode()
    rows = figures_csv(analyst, campaign)

    assert page_row(html, "This campaign").startswith("<td>10</td><td>33%</td>")
    assert page_row(html, "All campaigns in the city") == f"<td>{WITHHELD}</td>" * 5
    city = next(row for row in rows if row["group"] == "All campaigns in the city")
    assert [city[f] for f in SCORES] == [WITHHELD] * 5
    flag = next(row for row in rows if row["section"] == "red_flag")
    assert flag["red_flag_recognised_percent"] == "50%"
    assert flag["city_recognised_percent"] == WITHHELD


def test_the_city_row_is_shown_once_ten_learners_stand_beyond_the_campaign(analyst, campaign):
    other = CampaignFactory(code="harbour", lessons=list(campaign.lessons.all()))
    for _ in range(10):
        take(campaign, before=1, after=2)
    for _ in range(10):
        take(other, before=0, after=0)

    html = figures_page(analyst, campaign).content.decode()

    assert page_row(html, "All campaigns in the city").startswith("<td>20</td><td>17%</td>")


# --- Who may see them, and what they cost -------------------------------------------------


def test_citizens_and_outsiders_cannot_see_campaign_figures(client, campaign, citizen_user):
    url = reverse("admin:quizzes_campaign_figures", args=[campaign.pk])
    assert client.get(url).status_code == 302  # to the log-in page
    client.force_login(citizen_user)
    assert client.get(url).status_code == 302
    csv_url = reverse("admin:quizzes_campaign_figures_csv", args=[campaign.pk])
    assert client.get(csv_url).status_code == 302


def test_staff_without_the_permission_cannot_see_campaign_figures(client, campaign):
    clerk = UserFactory(username="clerk", is_staff=True)
    sign_in_officer(client, clerk)
    assert figures_page(client, campaign).status_code == 403


@pytest.mark.parametrize(("people", "queries"), [(2, 15), (12, 16), (30, 16)])
def test_the_figures_cost_the_same_whatever_the_crowd(
    analyst, campaign, people, queries, django_assert_num_queries
):
    for n in range(people):
        take(campaign, before=1, after=2, age_band="60-74", district=f"district {n % 3}")
    # Session, user, device, groups, 2 for permissions, the campaign; then the figures:
    # scores here and city-wide, 2 for scam types and their lessons, 2 for red flags,
    # and their names once a red flag has 10 learners; the header's count of unread notices.
    with django_assert_num_queries(queries):
        assert figures_page(analyst, campaign).status_code == 200


def test_the_csv_speaks_the_officer_s_language(analyst, campaign):
    analyst.cookies["django_language"] = "zh-hans"

    rows = figures_csv(analyst, campaign)

    assert list(rows[0])[:3] == ["部分", "组别", "人数"]
    assert [rows[0]["部分"], rows[0]["组别"]] == ["合计", "参加人数"]
