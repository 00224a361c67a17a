"""The CX maturity questionnaire as versioned data, and how ratings become stages.

An open self-assessment written for Centric (not a vendor's instrument): six
competencies — lead, realize, activate, enlighten, respond, disrupt — each with three or
four statements. Every statement is rated on five stages, each described for that
statement, so a rating is a choice between concrete descriptions rather than a feeling:

1 Investigate · 2 Initiate · 3 Mobilize · 4 Scale · 5 Embed

Aggregation (conservative on purpose: a stage counts as reached only when at least half
the statements reached it):

* stage of a competency = the **lower median** of its statements' ratings;
* overall stage = the lower median of the six competency stages.

Where Centric's own data say something about a statement (``evidence``, see
:mod:`centric.mirror.evidence`) the evidence's stage is shown next to the self-rating; a
difference of :data:`DISAGREE_AT` stages or more is flagged. A new wording or item set is
a new version; an assessment keeps the version it was taken on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median_low

from centric import i18n
from centric.errors import NotFound

VERSION = "2026.1"
# Names marked for the catalog; the staff pages translate them (``_(name)``), the API keeps English.
STAGES: dict[int, str] = {1: i18n.N_("Investigate"), 2: i18n.N_("Initiate"), 3: i18n.N_("Mobilize"),
                          4: i18n.N_("Scale"), 5: i18n.N_("Embed")}
COMPETENCIES: dict[str, str] = {
    "lead": i18n.N_("Lead — direction, sponsorship and accountability for customer experience"),
    "realize": i18n.N_("Realize — knowing customers: listening, journeys, segments"),
    "activate": i18n.N_("Activate — ownership and engagement of the people who deliver the experience"),
    "enlighten": i18n.N_("Enlighten — getting insight to the people who can act on it"),
    "respond": i18n.N_("Respond — acting on feedback, one customer and one root cause at a time"),
    "disrupt": i18n.N_("Disrupt — changing the experience on purpose and measuring what changed"),
}
DISAGREE_AT = 2  # self-rating and evidence stages this far apart (or more) are flagged
AGGREGATION = i18n.N_("stage of a competency = lower median of its statements' ratings; overall = lower median of the "
               "six competency stages")


@dataclass(frozen=True)
class Item:
    """One statement: what is rated, what each stage looks like, and the evidence that speaks to it."""

    key: str
    competency: str
    statement: str
    stages: tuple[str, str, str, str, str]
    evidence: str | None = None  # a key of centric.mirror.evidence.EVIDENCE


@dataclass(frozen=True)
class Questionnaire:
    version: str
    items: tuple[Item, ...]
    next_steps: Mapping[str, Mapping[int, tuple[str, ...]]]

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    def of(self, competency: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.competency == competency)


ITEMS: tuple[Item, ...] = (
    # lead
    Item("lead.sponsor", "lead", "A senior executive sponsors customer-experience work and takes part in decisions.",
         ("Nobody at the top is named for customer experience.",
          "A senior person is interested, without time or budget set aside for it.",
          "A named sponsor approves CX initiatives and reviews them now and then.",
          "Sponsors take part in every council and clear blockers across departments.",
          "Every major change has an executive who answers for its effect on customers."),
         "initiatives_sponsored"),
    Item("lead.targets", "lead", "Customer metrics have targets with named owners, reviewed on a fixed rhythm.",
         ("Customer scores are reported, if at all, without targets.",
          "A few company-wide targets exist; nobody in particular answers for them.",
          "Key targets have owners and are reviewed each quarter.",
          "Most teams own targets for their part of the journey and review them monthly.",
          "Targets and owners are part of how the company plans, pays and promotes."),
         "targets_owned"),
    Item("lead.vision", "lead", "A written customer-experience vision guides priorities and budgets.",
         ("There is no shared statement of the experience we want to give.",
          "A vision exists on paper but few know it.",
          "Leaders refer to the vision when they set priorities.",
          "Budgets and roadmaps are checked against the vision.",
          "Staff at every level can say how their work serves the vision."),
         None),
    # realize
    Item("realize.listening", "realize", "Feedback is collected at the touchpoints that matter, continuously.",
         ("Feedback arrives only as complaints.",
          "A yearly survey asks customers about the company in general.",
          "Surveys run after the main touchpoints.",
          "Most touchpoints are heard from every month, in several channels.",
          "Listening covers every touchpoint and is adjusted as the journey changes."),
         "touchpoints_heard"),
    Item("realize.themes", "realize", "Free-text feedback is read and sorted into themes that people act on.",
         ("Comments are stored but rarely read.",
          "Someone reads a sample of comments by hand now and then.",
          "Comments are tagged with themes and themes are reviewed monthly.",
          "Nearly all feedback is themed; rising themes raise an alert.",
          "Themes feed root causes, initiatives and product decisions as a matter of course."),
         "feedback_themed"),
    Item("realize.journeys", "realize", "Customer journeys are mapped from the customer's side and kept current.",
         ("There is no journey map.",
          "A map was drawn once in a workshop.",
          "The main journeys are mapped with stages, touchpoints and owners.",
          "Maps are kept current and linked to the data measured at each touchpoint.",
          "Journeys are the shared language for planning across departments."),
         None),
    Item("realize.segments", "realize", "We know how needs and experience differ between customer segments.",
         ("All customers are treated as one group.",
          "Segments exist in marketing but not in experience reporting.",
          "Scores are broken down by the main segments.",
          "Segment differences are tested for significance and acted on.",
          "The experience is designed per segment and its value is tracked per segment."),
         None),
    # activate
    Item("activate.owners", "activate", "Every touchpoint has an owner who answers for the experience there.",
         ("Nobody is responsible for any single touchpoint.",
          "Some touchpoints have informal owners.",
          "The main touchpoints have a named owner or team.",
          "Almost every touchpoint has an owner who knows its scores.",
          "Ownership is part of role descriptions and handed over when people move."),
         "touchpoints_owned"),
    Item("activate.owned_targets", "activate", "Touchpoint owners work towards a target for their touchpoint.",
         ("Owners, where there are any, have no targets.",
          "A few owners have targets they did not agree to.",
          "Owners of the main touchpoints have targets they agreed to.",
          "Most touchpoints have an owner and a target reviewed each month.",
          "Owners set and revise their own targets from the evidence."),
         "touchpoints_owned_and_targeted"),
    Item("activate.staff", "activate", "Staff know how their work affects customers and are asked for their view.",
         ("Customer results are not shared with staff.",
          "Staff hear about customer scores in an annual meeting.",
          "Teams see their own results and are asked for ideas.",
          "Employee feedback is collected regularly and compared with customer feedback.",
          "Hiring, onboarding and recognition are built around the customer experience."),
         None),
    # enlighten
    Item("enlighten.scorecards", "enlighten", "Teams look at their own scorecard every month.",
         ("There are no scorecards.",
          "A central team compiles a report that few open.",
          "Teams have scorecards and some open them each month.",
          "Most teams open their scorecard each month and discuss it.",
          "Every team reviews its scorecard routinely and acts on what it shows."),
         "teams_reading_scorecards"),
    Item("enlighten.digests", "enlighten", "Results reach the people who can act on them without being asked for.",
         ("Results are available only on request.",
          "A monthly report is e-mailed to managers.",
          "Target owners get a regular digest of their results.",
          "Digests reach every owner and lead with the changes that are real.",
          "People act on the digest before anyone asks them to."),
         "owners_digested"),
    Item("enlighten.stories", "enlighten", "Customer stories and verbatims are shared in regular meetings.",
         ("Customer voices are not heard internally.",
          "A story is shared when something goes badly wrong.",
          "Leadership meetings open with a customer story.",
          "Teams across the company share verbatims weekly.",
          "Customer stories shape decisions as much as numbers do."),
         None),
    Item("enlighten.noise", "enlighten", "People tell a real change from noise before reacting to a number.",
         ("Single scores are compared without regard to sample size.",
          "Small samples are sometimes flagged by hand.",
          "Reports show sample sizes and intervals.",
          "Targets and rankings use significance; nobody is blamed for noise.",
          "Decisions routinely ask whether a change is distinguishable from noise."),
         None),
    # respond
    Item("respond.contact", "respond", "Unhappy customers are contacted quickly.",
         ("Detractors are not followed up.",
          "Some detractors are called back when someone has time.",
          "Detractors open a case and most are contacted within a few days.",
          "Nearly all detractors are contacted within 48 hours, with SLAs per team.",
          "Quick contact is routine and its effect on recovery is measured."),
         "detractors_contacted_48h"),
    Item("respond.root_causes", "respond", "Cases are closed with a root cause so that patterns can be fixed.",
         ("Cases are closed without saying why the problem happened.",
          "A free-text reason is written sometimes.",
          "Most closed cases carry a root cause from a shared list.",
          "Root causes are ranked by the revenue at risk they cause.",
          "Root-cause data decide where the company invests."),
         "cases_with_root_cause"),
    Item("respond.fix", "respond", "Recurring root causes become improvement projects with an owner.",
         ("Recurring problems are fixed again and again case by case.",
          "Recurring problems are noticed but nobody is assigned.",
          "The biggest root causes become initiatives with an owner.",
          "Every significant root cause is on the board with an owner and a date.",
          "Root causes are closed for good and their recurrence is monitored."),
         None),
    # disrupt
    Item("disrupt.measured", "disrupt", "Finished improvements have their effect on customers measured.",
         ("Nobody checks whether a change helped.",
          "Before-and-after scores are compared informally.",
          "Some finished initiatives are measured against a comparison group.",
          "Most finished initiatives have a measured effect with an interval.",
          "Measured effects decide which ideas are scaled and which are dropped."),
         "initiatives_measured"),
    Item("disrupt.experiments", "disrupt", "New ideas are tried on a small scale and compared before a full rollout.",
         ("Changes go everywhere at once.",
          "Pilots happen but are not compared with anything.",
          "Pilots have a comparison group chosen in advance.",
          "Experiments are planned with enough customers to see an effect.",
          "Trying, measuring and then scaling is how every change is made."),
         None),
    Item("disrupt.ideas", "disrupt", "Ideas from customers and staff feed the backlog of improvements.",
         ("There is no way to put an idea forward.",
          "Ideas are collected in a box nobody opens.",
          "Ideas are reviewed by the council and some are taken on.",
          "Ideas are ranked by expected value next to root causes and themes.",
          "People see their ideas carried out and hear what they changed."),
         None),
)

NEXT_STEPS: dict[str, dict[int, tuple[str, ...]]] = {
    "lead": {
        1: ("Name one executive as sponsor of customer experience and give them a seat at the council.",
            "Set one company-wide customer target (e.g. NPS) for the next quarter."),
        2: ("Give every target an owner by name or team.",
            "Hold a monthly council that approves or drops initiatives, with the sponsor present."),
        3: ("Ask for an executive sponsor on every approved initiative.",
            "Review targets monthly and retire the ones nobody acts on."),
        4: ("Tie the planning cycle to the targets: each department plans against its own.",
            "Write the CX vision down in one page and check budgets against it."),
        5: ("Keep sponsors rotating so that commitment does not rest on one person.",
            "Audit once a year whether targets still measure what customers value."),
    },
    "realize": {
        1: ("Start a short survey after the most important touchpoint.",
            "Read fifty customer comments as a leadership team."),
        2: ("Map the main journey with its stages, touchpoints and owners in Centric.",
            "Turn on themes for open-text feedback."),
        3: ("Add surveys to touchpoints without responses in the last 90 days.",
            "Break results down by segment and look for significant gaps."),
        4: ("Review the journey map quarterly against what customers actually do (events).",
            "Measure the value of segments next to their experience."),
        5: ("Retire questions that no decision has used in a year.",
            "Bring customers into journey reviews."),
    },
    "activate": {
        1: ("Give each touchpoint of the main journey an owner team.",
            "Share last month's results with the teams that delivered them."),
        2: ("Agree a target with each touchpoint owner.",
            "Run a short employee pulse on what stops staff from serving customers well."),
        3: ("Close the gaps: touchpoints without an owner or without an active target.",
            "Compare what staff think customers feel with what customers say."),
        4: ("Put touchpoint ownership into role descriptions and handovers.",
            "Recognise teams for recovered customers, not only for scores."),
        5: ("Let owners propose their own targets from the evidence.",
            "Use employee feedback when redesigning touchpoints."),
    },
    "enlighten": {
        1: ("Publish one scorecard per team with the targets it owns.",
            "Share one customer story at the start of each leadership meeting."),
        2: ("Send target owners the weekly digest.",
            "Show sample sizes and intervals next to every score."),
        3: ("Follow up with teams that did not open their scorecard this month.",
            "Lead reviews with the changes that are distinguishable from noise."),
        4: ("Have each team discuss its scorecard monthly and record one action.",
            "Stop ranking teams on differences that are not significant."),
        5: ("Ask teams which numbers they never use and drop them.",
            "Let teams present their own results to the council."),
    },
    "respond": {
        1: ("Open a case for every detractor and give it an owner.",
            "Set a first-contact time target for detractors."),
        2: ("Introduce an SLA of 48 hours for first contact with detractors.",
            "Create a short list of root-cause codes for closing cases."),
        3: ("Make a root cause required when a case is closed.",
            "Rank root causes by revenue at risk every month."),
        4: ("Turn the top root causes into initiatives with an owner and a date.",
            "Measure recovery: do contacted customers come back and score higher?"),
        5: ("Watch for the recurrence of fixed root causes.",
            "Review SLAs against what customers expect, not only what teams can do."),
    },
    "disrupt": {
        1: ("Write down the expected effect of every initiative before it starts.",
            "Collect ideas from staff and customers in one place."),
        2: ("Mark initiatives done on the day the change took effect so their impact can be measured.",
            "Pilot the next change in one place and keep another as comparison."),
        3: ("Measure the impact of every finished initiative and discuss it at the council.",
            "Rank ideas by expected value next to root causes and themes."),
        4: ("Drop or redesign initiatives whose measured effect is nil.",
            "Plan experiments with enough customers to detect the effect you expect."),
        5: ("Publish what each change achieved to the whole company.",
            "Review once a year which kinds of change paid off."),
    },
}

QUESTIONNAIRES: dict[str, Questionnaire] = {VERSION: Questionnaire(VERSION, ITEMS, NEXT_STEPS)}


def questionnaire(version: str = VERSION) -> Questionnaire:
    if version not in QUESTIONNAIRES:
        raise NotFound(f"unknown questionnaire version {version!r}", field="version")
    return QUESTIONNAIRES[version]


def stage_of(ratings: list[int]) -> int | None:
    """The stage of a set of ratings: their lower median (None when none was given)."""
    return int(median_low(ratings)) if ratings else None


def competency_stages(q: Questionnaire, ratings: Mapping[str, int]) -> dict[str, int | None]:
    """Stage per competency (lower median of its rated statements), in the questionnaire's order."""
    return {c: stage_of([ratings[i.key] for i in q.of(c) if i.key in ratings]) for c in COMPETENCIES}


def overall_stage(stages: Mapping[str, int | None]) -> int | None:
    """The overall stage: the lower median of the competency stages that could be computed."""
    return stage_of([s for s in stages.values() if s is not None])


def disagrees(rating: int, evidence_stage: int | None) -> bool:
    """Whether a self-rating and the evidence's stage are :data:`DISAGREE_AT` or more stages apart."""
    return evidence_stage is not None and abs(rating - evidence_stage) >= DISAGREE_AT
