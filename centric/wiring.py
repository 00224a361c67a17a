"""Who reacts to what: every subscription to a domain event, in one table.

Read it top to bottom. ``now(Event, handler)`` runs ``handler(session, event)`` inside
the publisher's transaction (cheap reactions); ``later(Event, jobs)`` enqueues the jobs
that ``jobs(event)`` names, in that same transaction, for a worker to run (slow
reactions). Reactions run in the order listed. A domain publishes events
(:func:`centric.events.publish`) and never imports the domains that react to it.
"""

from __future__ import annotations

from centric.chat.announce import announce_closed, announce_handoff
from centric.chat.closing import transcripts_to_feedback
from centric.chat.follow import chats_follow_merge, chats_follow_undo
from centric.chat.survey import survey_after_close
from centric.events import (
    AnswersRetracted,
    AnswersStored,
    CaseContacted,
    CasesOpened,
    CasesUpdated,
    ConversationsClosed,
    ConversationsHandedOff,
    CustomerMergeUndone,
    CustomersMerged,
    EventsRecorded,
    FeedbackEnriched,
    FeedbackStored,
    IdeasSubmitted,
    IdeaStatusesChanged,
    InitiativesDone,
    MembershipsChanged,
    Reaction,
    ResponsesStored,
    SegmentsRefilled,
    later,
    now,
)
from centric.feedback.service import feedback_follows_merge, feedback_follows_undo
from centric.governance.impact_jobs import impact_jobs
from centric.ideas.follow import ideas_follow_merge, ideas_follow_undo
from centric.ideas.notify import announce_created, announce_status_changed
from centric.ideas.notify_jobs import notice_jobs
from centric.insights import segment_rollups
from centric.insights.rollups import on_answers_retracted, on_answers_stored
from centric.journeys.analytics import journeys_follow_events, journeys_follow_merge, journeys_follow_undo
from centric.journeys.service import events_follow_merge, events_follow_undo
from centric.loop.alerts import on_feedback_enriched, on_responses_stored
from centric.loop.cases import cases_follow_merge, cases_follow_undo
from centric.loop.followup import resolution_jobs
from centric.loop.inbox import announce_opened, announce_updated
from centric.loop.sla import on_case_contacted, on_cases_opened, on_cases_updated
from centric.outreach.triggers import on_events_recorded
from centric.surveys.service import responses_follow_merge, responses_follow_undo
from centric.themes.enrichment import enrichment_jobs
from centric.webhooks.service import announce_feedback, announce_responses

REACTIONS: tuple[Reaction, ...] = (
    # Rated answers feed the daily metric rollups (dashboards read those, never raw answers).
    now(AnswersStored, on_answers_stored),
    now(AnswersRetracted, on_answers_retracted),
    # ... and the per-segment rollups (segment and persona slices): answers count in their customer's
    # segments, and a customer's answers follow them when they join or leave a segment or are merged.
    now(AnswersStored, segment_rollups.on_answers_stored),
    now(AnswersRetracted, segment_rollups.on_answers_retracted),
    now(MembershipsChanged, segment_rollups.on_memberships_changed),
    now(SegmentsRefilled, segment_rollups.on_segments_refilled),
    # A completed response is announced to webhook subscribers (``response.created``).
    now(ResponsesStored, announce_responses),
    # New feedback — survey comments too — gets its text enriched by a background job,
    # and items received as feedback are announced (``feedback.created``).
    later(FeedbackStored, enrichment_jobs),
    now(FeedbackStored, announce_feedback),
    # Alert rules test live responses and enriched feedback: matches open cases and notify.
    now(ResponsesStored, on_responses_stored),
    now(FeedbackEnriched, on_feedback_enriched),
    # Customer events may trigger surveys ("ticket solved → CSAT in two hours").
    now(EventsRecorded, on_events_recorded),
    # Each customer's journey steps and path are recomputed from their events (funnels read those).
    now(EventsRecorded, journeys_follow_events),
    # A merge moves every row a customer owns to the survivor; an undo moves them back.
    now(CustomersMerged, events_follow_merge),
    now(CustomersMerged, responses_follow_merge),
    now(CustomersMerged, feedback_follows_merge),
    now(CustomersMerged, cases_follow_merge),
    now(CustomersMerged, ideas_follow_merge),
    now(CustomersMerged, chats_follow_merge),
    now(CustomersMerged, journeys_follow_merge),  # after the events moved
    now(CustomersMerged, segment_rollups.on_customers_merged),  # after the responses moved
    now(CustomerMergeUndone, events_follow_undo),
    now(CustomerMergeUndone, responses_follow_undo),
    now(CustomerMergeUndone, feedback_follows_undo),
    now(CustomerMergeUndone, cases_follow_undo),
    now(CustomerMergeUndone, ideas_follow_undo),
    now(CustomerMergeUndone, chats_follow_undo),
    now(CustomerMergeUndone, journeys_follow_undo),
    now(CustomerMergeUndone, segment_rollups.on_merge_undone),  # after the responses moved back
    # A resolved case's customer gets the recovery survey and, N days later, the original one again.
    later(CasesUpdated, resolution_jobs),
    # SLA clocks: start on opening, pause/resume/restart/re-choose on changes, first contact meets a target.
    now(CasesOpened, on_cases_opened),
    now(CasesUpdated, on_cases_updated),
    now(CaseContacted, on_case_contacted),
    # Cases are announced to webhook subscribers (``case.created``, ``case.updated``, ``case.closed``),
    # after the SLA clocks set their due times.
    now(CasesOpened, announce_opened),
    now(CasesUpdated, announce_updated),
    # A done initiative's impact (difference-in-differences on its touchpoints) is measured by a job.
    later(InitiativesDone, impact_jobs),
    # Ideas are announced to webhook subscribers (``idea.created``, ``idea.status_changed``), and every
    # status change is e-mailed to the idea's voters and commenters by a job (once each, within the rules).
    now(IdeasSubmitted, announce_created),
    now(IdeaStatusesChanged, announce_status_changed),
    later(IdeaStatusesChanged, notice_jobs),
    # A chat handed to a person is announced (``chat.handoff``, with its transcript; the case opened with it
    # was announced as ``case.created``). A closed chat invites its customer to the post-chat survey (never
    # after an auto-close; within the contact rules), becomes a feedback item for text analytics (the customer's
    # messages, channel ``chat``), and is announced (``chat.closed``).
    now(ConversationsHandedOff, announce_handoff),
    now(ConversationsClosed, survey_after_close),
    now(ConversationsClosed, transcripts_to_feedback),
    now(ConversationsClosed, announce_closed),
)
