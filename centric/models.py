"""Imports every domain's tables so that ``Base.metadata`` knows them all (Alembic)."""

from centric.accounts.models import ApiToken, AppSetting, AuditLog, AuthThrottle, Team, User, WebSession
from centric.chat.models import ChatMessage, Conversation
from centric.connectors.models import Connector
from centric.customers.models import (
    Customer,
    CustomerMerge,
    CustomerSegment,
    Identity,
    MergeSuggestion,
    Segment,
)
from centric.db import Base
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.governance.models import (
    DiceAssessment,
    DigestRun,
    DigestSubscription,
    Initiative,
    InitiativeApproval,
    InitiativeImpact,
    InitiativeLink,
    ScorecardView,
    Target,
)
from centric.ideas.models import (
    Board,
    Idea,
    IdeaComment,
    IdeaLink,
    IdeaMerge,
    IdeaNotice,
    IdeaReport,
    IdeaResurvey,
    IdeaStatusChange,
    IdeaVote,
)
from centric.ingest.models import IdempotencyRecord, ImportRun
from centric.insights.models import AnswerRollup, CustomerValue
from centric.jobs.models import Job
from centric.journeys.models import Event, Journey, JourneyPath, JourneyStep, Stage, Touchpoint
from centric.kb.models import KbArticle, KbArticleVersion, KbCategory, KbVariant
from centric.loop.models import (
    AlertRule,
    BusinessCalendar,
    Case,
    CaseActivity,
    CaseWatcher,
    RootCause,
    RuleMatch,
    SavedView,
    SlaEscalation,
    SlaPolicy,
)
from centric.mirror.models import (
    Employee,
    EmployeeTouchpoint,
    MaturityAssessment,
    MaturityRating,
    Pulse,
    PulseAnswer,
    PulseInvitation,
    PulseResponse,
    PulseWave,
)
from centric.outreach.models import (
    ContactRule,
    ContactSkip,
    InvitationDelivery,
    Suppression,
    TriggerRule,
)
from centric.surveys.models import Answer, Invitation, Response, Survey, SurveyVersion
from centric.themes.models import ThemeProposal
from centric.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "Answer", "AnswerRollup", "ApiToken", "AppSetting", "WebSession", "AuditLog", "AuthThrottle", "Base", "Customer",
    "CustomerMerge",
    "CustomerSegment", "Event", "Feedback", "FeedbackTheme", "IdempotencyRecord", "Identity", "ImportRun",
    "Invitation", "Journey", "MergeSuggestion", "Response", "Segment", "Stage", "Survey", "SurveyVersion",
    "Team",
    "Theme", "Touchpoint", "User", "Connector", "Job", "ContactRule", "ContactSkip", "InvitationDelivery",
    "Suppression", "ThemeProposal", "TriggerRule", "WebhookDelivery", "WebhookSubscription",
    "AlertRule", "BusinessCalendar", "Case", "CaseActivity", "CaseWatcher", "CustomerValue", "RootCause",
    "RuleMatch", "SavedView", "SlaEscalation", "SlaPolicy",
    "DiceAssessment", "DigestRun", "DigestSubscription", "Initiative", "InitiativeApproval", "InitiativeImpact",
    "InitiativeLink", "ScorecardView", "Target",
    "Employee", "EmployeeTouchpoint", "MaturityAssessment", "MaturityRating", "Pulse", "PulseAnswer",
    "PulseInvitation", "PulseResponse", "PulseWave",
    "Board", "Idea", "IdeaComment", "IdeaLink", "IdeaMerge", "IdeaNotice", "IdeaReport", "IdeaResurvey",
    "IdeaStatusChange", "IdeaVote", "JourneyPath", "JourneyStep",
    "ChatMessage", "Conversation", "KbArticle", "KbArticleVersion", "KbCategory", "KbVariant",
]
