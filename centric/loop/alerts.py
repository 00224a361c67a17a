"""Alert rules: managing them, and evaluating them against stored responses and enriched feedback.

Evaluation works on a whole batch: the facts of every source are read with a constant
number of queries (only the groups of facts some active rule reads), each active rule's
compiled condition runs over them, and every match becomes a :class:`RuleMatch` — unique
per rule and source, so a re-delivered event or a second retroactive run matches nothing
twice. A match opens a case (all of a batch's cases with one :func:`open_cases` call)
unless the customer already has an open case from the same rule within the rule's
``dedupe_hours``: then the match is recorded as ``deduplicated`` and noted on that case.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.models import Team, User
from centric.accounts.service import audit
from centric.db import in_chunks, page_of, utcnow
from centric.errors import Invalid, NotFound
from centric.events import FeedbackEnriched, ResponsesStored
from centric.loop import facts as facts_of
from centric.loop.cases import CaseDraft, open_cases, record
from centric.loop.models import OPEN_STATUSES, AlertRule, Case, RuleMatch
from centric.loop.notify import notify
from centric.loop.rule_schemas import RuleIn, RuleOut, RulePatch
from centric.loop.rules import Test, compile_condition, groups_used, validate
from centric.surveys.models import Survey
from centric.webhooks.service import emit, wanted

logger = logging.getLogger(__name__)

_CACHE = "centric.loop.alert_rules"
# (database, rule id, version, updated_at) → the compiled rule; a rule's version never changes
_compiled: dict[tuple[str, int, int, datetime], ActiveRule] = {}
ALERT_EVENT = "alert.triggered"


# --- managing rules --------------------------------------------------------------------------


def create_rule(session: Session, data: RuleIn, user_id: int | None = None) -> AlertRule:
    """A new rule, checked (condition, team, recipients, follow-up survey) and audited."""
    values = data.model_dump()
    _check(session, values)
    if session.scalar(select(AlertRule.id).where(AlertRule.name == data.name)) is not None:
        raise Invalid(f"a rule named {data.name!r} exists already", field="name")
    rule = AlertRule(**values, created_by=user_id)
    session.add(rule)
    session.flush()
    session.info.pop(_CACHE, None)
    audit(session, user_id, "alert_rule.create", "alert_rule", rule.id, {"name": rule.name, "version": 1})
    return rule


def update_rule(session: Session, rule_id: int, data: RulePatch, user_id: int | None = None) -> AlertRule:
    """Change a rule; any change bumps its ``version`` and is audited with the fields before and after."""
    rule = get_rule(session, rule_id)
    given = data.model_dump(exclude_unset=True)
    current = {name: getattr(rule, name) for name in RuleIn.model_fields}
    merged = {**current, **given}
    _check(session, merged)
    if "name" in given and given["name"] != rule.name and session.scalar(
            select(AlertRule.id).where(AlertRule.name == given["name"])) is not None:
        raise Invalid(f"a rule named {given['name']!r} exists already", field="name")
    changed = {name: [current[name], value] for name, value in given.items() if current[name] != value}
    if not changed:
        return rule
    for name, value in given.items():
        setattr(rule, name, value)
    rule.version += 1
    rule.updated_at = utcnow()
    session.flush()
    session.info.pop(_CACHE, None)
    audit(session, user_id, "alert_rule.update", "alert_rule", rule.id, {"version": rule.version, "changed": changed})
    return rule


def deactivate_rule(session: Session, rule_id: int, user_id: int | None = None) -> AlertRule:
    """Stop evaluating a rule; its matches and cases stay."""
    rule = get_rule(session, rule_id)
    if rule.active:
        rule.active = False
        rule.version += 1
        session.flush()
        session.info.pop(_CACHE, None)
        audit(session, user_id, "alert_rule.deactivate", "alert_rule", rule.id, {"version": rule.version})
    return rule


def get_rule(session: Session, rule_id: int) -> AlertRule:
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFound(f"alert rule {rule_id} not found")
    return rule


def list_rules(session: Session, *, include_inactive: bool = True, limit: int | None = None,
               offset: int = 0) -> tuple[list[AlertRule], int]:
    query = select(AlertRule).order_by(AlertRule.id)
    if not include_inactive:
        query = query.where(AlertRule.active.is_(True))
    return page_of(session, query, limit, offset)


def match_counts(session: Session, rule_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per rule: (matches, matches that opened a case) — one query for the whole list."""
    if not rule_ids:
        return {}
    opened = func.sum(sql_case((RuleMatch.outcome == "case", 1), else_=0))
    rows = session.execute(select(RuleMatch.rule_id, func.count(), opened)
                           .where(RuleMatch.rule_id.in_(rule_ids)).group_by(RuleMatch.rule_id))
    return {rule_id: (total, int(cases or 0)) for rule_id, total, cases in rows}


def rule_outs(session: Session, rules: Sequence[AlertRule]) -> list[RuleOut]:
    """Rules as the API shows them, with their match and case counts (one query for the whole list)."""
    counts = match_counts(session, [r.id for r in rules])
    out = []
    for rule in rules:
        matches, cases = counts.get(rule.id, (0, 0))
        out.append(RuleOut.model_validate(rule).model_copy(update={"matches": matches, "cases": cases}))
    return out


def list_matches(session: Session, rule_id: int, limit: int | None = None,
                 offset: int = 0) -> tuple[list[RuleMatch], int]:
    get_rule(session, rule_id)
    query = select(RuleMatch).where(RuleMatch.rule_id == rule_id).order_by(RuleMatch.id.desc())
    return page_of(session, query, limit, offset)


def _check(session: Session, values: dict[str, Any]) -> None:
    validate(values["condition"], values["applies_to"])
    actions, followup = values["actions"], values["followup"]
    notify_to = actions.get("notify") or {}
    if not (actions.get("open_case") or notify_to.get("user_ids") or notify_to.get("emails")
            or notify_to.get("webhook")):
        raise Invalid("a rule needs an action: open a case, or notify users, addresses or webhooks",
                      field="actions")
    for i, address in enumerate(notify_to.get("emails") or ()):
        if "@" not in address or any(c.isspace() for c in address) or len(address) > 320:
            raise Invalid(f"{address!r} is not an e-mail address", field=f"actions.notify.emails[{i}]")
    wanted_users = set(notify_to.get("user_ids") or ())
    if wanted_users:
        known = set(session.scalars(select(User.id).where(User.id.in_(wanted_users))))
        if missing := sorted(wanted_users - known):
            raise Invalid(f"no user {missing[0]}", field="actions.notify.user_ids")
    if values.get("team_id") is not None and session.get(Team, values["team_id"]) is None:
        raise Invalid(f"no team {values['team_id']}", field="team_id")
    survey = followup.get("recovery_survey")
    if survey and session.scalar(select(Survey.id).where(Survey.key == survey)) is None:
        raise Invalid(f"no survey with key {survey!r}", field="followup.recovery_survey")


# --- evaluating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveRule:
    """A rule as evaluation needs it: its compiled condition and the fact groups it reads."""

    id: int
    name: str
    applies_to: str
    test: Test
    groups: frozenset[str]
    severity: int
    dedupe_hours: int
    team_id: int | None
    open_case: bool
    user_ids: tuple[int, ...]
    emails: tuple[str, ...]
    webhook: bool


def active_rule(rule: AlertRule) -> ActiveRule:
    """The rule compiled for evaluation; a stored condition that is not valid (written around the
    API) matches nothing rather than failing every submission."""
    notify_to = (rule.actions or {}).get("notify") or {}
    try:
        condition = validate(rule.condition, rule.applies_to)
    except Invalid:
        logger.warning("alert rule %s has an invalid condition; it matches nothing until fixed", rule.id)
        return ActiveRule(rule.id, rule.name, rule.applies_to, lambda facts: False, frozenset(), rule.severity,
                          rule.dedupe_hours, rule.team_id, False, (), (), False)
    return ActiveRule(rule.id, rule.name, rule.applies_to, compile_condition(condition),
                      frozenset(groups_used(rule.applies_to, condition)), rule.severity, rule.dedupe_hours,
                      rule.team_id, bool((rule.actions or {}).get("open_case")),
                      tuple(notify_to.get("user_ids") or ()), tuple(notify_to.get("emails") or ()),
                      bool(notify_to.get("webhook")))


def active_rules(session: Session, applies_to: str) -> list[ActiveRule]:
    """The active rules on ``applies_to``, read once per transaction.

    Each time only (id, version, updated_at) is read; a rule is loaded and compiled again
    only when that changed (every edit bumps the version), so 50 rules cost one narrow
    query per submission. The database's URL is part of the key (tests, tools with several).
    """
    cached: dict[str, list[ActiveRule]] | None = session.info.get(_CACHE)
    if cached is None:
        bind = session.get_bind()
        where = str(bind.engine.url)
        current = [(where, *row) for row in session.execute(
            select(AlertRule.id, AlertRule.version, AlertRule.updated_at).where(AlertRule.active.is_(True))
            .order_by(AlertRule.id))]
        missing = [key[1] for key in current if key not in _compiled]
        if missing:
            if len(_compiled) > 10_000:
                _compiled.clear()
            for chunk in in_chunks(missing):
                for rule in session.scalars(select(AlertRule).where(AlertRule.id.in_(chunk))):
                    _compiled[(where, rule.id, rule.version, rule.updated_at)] = active_rule(rule)
        cached = {"response": [], "feedback": []}
        for key in current:
            compiled = _compiled.get(key)
            if compiled is not None:  # None: edited since this transaction's first read
                cached.setdefault(compiled.applies_to, []).append(compiled)
        session.info[_CACHE] = cached
    return cached.get(applies_to, [])


def on_responses_stored(session: Session, event: ResponsesStored) -> None:
    """Reaction: evaluate the active response rules on live submissions (never on imported history)."""
    if not event.imported:
        evaluate(session, "response", event.ids)


def on_feedback_enriched(session: Session, event: FeedbackEnriched) -> None:
    """Reaction: evaluate the active feedback rules once items carry sentiment and themes."""
    evaluate(session, "feedback", event.ids)


@dataclass
class Outcome:
    """What an evaluation did (or, dry, would do)."""

    matching: int = 0
    already_matched: int = 0
    new_cases: int = 0
    deduplicated: int = 0
    notified: int = 0
    case_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Match:
    rule: ActiveRule
    facts: facts_of.SourceFacts
    case_id: int | None = None  # an open case it joins
    draft: int | None = None  # or the index of the draft it opened / joins


def evaluate(session: Session, source: str, ids: Iterable[int], *, rules: Sequence[ActiveRule] | None = None,
             retroactive: bool = False, dry: bool = False,
             planned: set[tuple[int, int]] | None = None) -> Outcome:
    """Match ``rules`` (default: the active ones on ``source``) against the sources ``ids``, and act.

    ``dry``: count only, write nothing; ``planned`` carries the (rule, customer) pairs
    that earlier dry batches would have opened a case for, so that a preview in batches
    counts as applying does.
    """
    rules = active_rules(session, source) if rules is None else rules
    wanted_ids = sorted(set(ids))
    outcome = Outcome()
    if not rules or not wanted_ids:
        return outcome
    groups = set().union(*(rule.groups for rule in rules))
    items = facts_of.load(session, source, wanted_ids, groups)
    candidates = [(rule, item) for item in items for rule in rules if rule.test(item.values)]
    outcome.matching = len(candidates)
    if not candidates:
        return outcome
    seen = _matched_before(session, source, candidates)
    fresh = [(rule, item) for rule, item in candidates if (rule.id, item.id) not in seen]
    outcome.already_matched = len(candidates) - len(fresh)
    if not fresh:
        return outcome
    facts_of.complete(session, source, [item for _, item in fresh], groups | facts_of.CASE_GROUPS[source])
    plan, drafts = _plan(session, fresh, planned if planned is not None else set())
    outcome.new_cases = len(drafts)
    outcome.deduplicated = sum(1 for m in plan if m.case_id is not None or (m.draft is not None and
                                                                            drafts[m.draft][1] is not m))
    outcome.notified = sum(1 for m in plan if not m.rule.open_case)
    if dry:
        return outcome
    cases = open_cases(session, [draft for draft, _ in drafts])
    outcome.case_ids = [case.id for case in cases]
    _record(session, source, plan, drafts, cases, retroactive)
    return outcome


def _matched_before(session: Session, source: str,
                    candidates: Sequence[tuple[ActiveRule, facts_of.SourceFacts]]) -> set[tuple[int, int]]:
    rule_ids = sorted({rule.id for rule, _ in candidates})
    source_ids = sorted({item.id for _, item in candidates})
    seen: set[tuple[int, int]] = set()
    for chunk in in_chunks(source_ids):
        seen.update((r, s) for r, s in session.execute(
            select(RuleMatch.rule_id, RuleMatch.source_id).where(
                RuleMatch.source == source, RuleMatch.rule_id.in_(rule_ids), RuleMatch.source_id.in_(chunk))))
    return seen


def _plan(session: Session, fresh: Sequence[tuple[ActiveRule, facts_of.SourceFacts]],
          planned: set[tuple[int, int]]) -> tuple[list[_Match], list[tuple[CaseDraft, _Match]]]:
    """Decide per match: a new case, a case it joins (open, or opened earlier in the batch), or notify only."""
    open_by_key = _open_cases(session, [(rule, item.customer_id) for rule, item in fresh
                                        if rule.open_case and rule.dedupe_hours and item.customer_id])
    plan: list[_Match] = []
    drafts: list[tuple[CaseDraft, _Match]] = []
    draft_by_key: dict[tuple[int, int], int] = {}
    for rule, item in fresh:
        if not rule.open_case:
            plan.append(_Match(rule, item))
            continue
        key = (rule.id, item.customer_id or 0)
        dedupes = bool(rule.dedupe_hours and item.customer_id)
        if dedupes and key in open_by_key:
            plan.append(_Match(rule, item, case_id=open_by_key[key]))
        elif dedupes and key in draft_by_key:
            plan.append(_Match(rule, item, draft=draft_by_key[key]))
        elif dedupes and key in planned:
            plan.append(_Match(rule, item, case_id=0))  # a dry run's earlier batch opened it
        else:
            match = _Match(rule, item, draft=len(drafts))
            if dedupes:
                draft_by_key[key] = len(drafts)
                planned.add(key)
            drafts.append((_draft(rule, item), match))
            plan.append(match)
    return plan, drafts


def _open_cases(session: Session, keys: Sequence[tuple[ActiveRule, int | None]]) -> dict[tuple[int, int], int]:
    """(rule, customer) → the newest open case of that rule and customer created within the rule's window."""
    if not keys:
        return {}
    window = {rule.id: timedelta(hours=rule.dedupe_hours) for rule, _ in keys}
    customers = sorted({customer for _, customer in keys if customer})
    oldest = utcnow() - max(window.values())
    now = utcnow()
    found: dict[tuple[int, int], int] = {}
    for chunk in in_chunks(customers):
        rows = session.execute(
            select(Case.id, Case.rule_id, Case.customer_id, Case.created_at).where(
                Case.customer_id.in_(chunk), Case.rule_id.in_(sorted(window)), Case.status.in_(OPEN_STATUSES),
                Case.merged_into_id.is_(None), Case.created_at >= oldest).order_by(Case.created_at))
        for case_id, rule_id, customer_id, created_at in rows:
            if rule_id is not None and customer_id is not None and created_at >= now - window[rule_id]:
                found[(rule_id, customer_id)] = case_id
    return found


def _draft(rule: ActiveRule, item: facts_of.SourceFacts) -> CaseDraft:
    return CaseDraft(title=item.title, source=item.source, customer_id=item.customer_id,
                     response_id=item.id if item.source == "response" else None,
                     feedback_id=item.id if item.source == "feedback" else None, rule_id=rule.id,
                     touchpoint_id=item.touchpoint_id, metric=item.metric, score=item.score, verbatim=item.verbatim,
                     severity=rule.severity, team_id=rule.team_id, detail={"rule": rule.name})


def _record(session: Session, source: str, plan: Sequence[_Match], drafts: Sequence[tuple[CaseDraft, _Match]],
            cases: Sequence[Case], retroactive: bool) -> None:
    """Store the matches, note duplicates on their cases, and notify."""
    rows = []
    for match in plan:
        opener = drafts[match.draft][1] if match.draft is not None else None
        case_id = cases[match.draft].id if match.draft is not None else match.case_id
        outcome = "notified" if not match.rule.open_case else "case" if opener is match else "deduplicated"
        rows.append({"rule_id": match.rule.id, "source": source, "source_id": match.facts.id,
                     "customer_id": match.facts.customer_id, "case_id": case_id, "outcome": outcome,
                     "retroactive": retroactive, "matched_at": utcnow()})
        if outcome == "deduplicated" and case_id:
            record(session, case_id, "note", body=f"Another matching {source} arrived: {match.facts.title}",
                   detail={"rule_id": match.rule.id, "source": source, "source_id": match.facts.id,
                           "deduplicated": True})
        elif outcome in ("case", "notified"):
            _announce(session, match, case_id)
    session.execute(insert(RuleMatch.__table__), rows)  # ids are never needed here: one multi-row INSERT


def _announce(session: Session, match: _Match, case_id: int | None) -> None:
    rule, item = match.rule, match.facts
    key = f"alert:{rule.id}:{item.source}:{item.id}"
    if rule.user_ids or rule.emails:
        def compose() -> tuple[str, str]:  # in each recipient's language
            source = i18n._("Response") if item.source == "response" else i18n._("Feedback")
            lines = [i18n._("Rule: %(rule)s") % {"rule": rule.name}, f"{source} {item.id}: {item.title}"]
            if item.verbatim:
                lines.append(i18n._("Verbatim: %(text)s") % {"text": item.verbatim})
            if case_id:
                lines.append(i18n._("Case: %(link)s") % {"link": f"/cases/{case_id}"})
            return f"{rule.name}: {item.title}", "\n".join(lines)

        notify(session, user_ids=rule.user_ids, emails=rule.emails, compose=compose, key=key)
    if rule.webhook and wanted(session, ALERT_EVENT):
        emit(session, ALERT_EVENT, {"rule": {"id": rule.id, "name": rule.name, "severity": rule.severity},
                                    "source": item.source, "source_id": item.id, "customer_id": item.customer_id,
                                    "case_id": case_id, "title": item.title, "metric": item.metric,
                                    "score": item.score, "verbatim": item.verbatim})
