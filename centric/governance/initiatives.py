"""The CX council's initiatives: propose, update, approve or reject, move through the statuses, DICE.

Statuses: proposed → approved → in_progress → done; anything but done may be dropped.
Managers (``initiatives:approve``) approve, reject, drop and edit any initiative; agents,
analysts and managers propose; the owner (or proposer) updates their own and moves it from
approved to in progress to done. Every change is in the audit log; approvals and
rejections are also recorded on the initiative with who, when and why. Done publishes
:class:`~centric.events.InitiativesDone`, which queues the impact measurement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as default
from datetime import date

from sqlalchemy import Select, delete, func, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from centric.accounts.models import User
from centric.accounts.roles import Permission, allows
from centric.accounts.service import audit
from centric.db import count_of, utcnow
from centric.errors import Conflict, Forbidden, Invalid, NotFound
from centric.events import InitiativesDone, publish
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.governance import dice as dice_rules
from centric.governance.impact import ASSUMPTIONS, expected_value, respondents_per_year, value_basis
from centric.governance.models import (
    DiceAssessment,
    Initiative,
    InitiativeApproval,
    InitiativeImpact,
    InitiativeLink,
    Target,
)
from centric.governance.schemas import (
    ApprovalOut,
    DiceIn,
    DiceOut,
    ImpactOut,
    InitiativeIn,
    InitiativeOut,
    InitiativePatch,
    LinkOut,
    OwnerOut,
    StatusIn,
)
from centric.journeys.models import Touchpoint
from centric.loop.models import Case, RootCause

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("approved", "dropped"),
    "approved": ("in_progress", "dropped"),
    "in_progress": ("done", "dropped"),
    "done": (),
    "dropped": (),
}
LINK_FIELDS = {"touchpoints": "touchpoint", "themes": "theme", "root_causes": "root_cause"}
MOST_AFFECTED = 3  # touchpoints linked when proposing from a root cause or a theme
ENTITY = "initiative"


def is_approver(user: User) -> bool:
    return allows(user.role, Permission.APPROVE_INITIATIVES)


def may_edit(initiative: Initiative, user: User) -> bool:
    """Approvers edit any initiative; a proposer edits the ones they own or proposed."""
    if is_approver(user):
        return True
    return allows(user.role, Permission.PROPOSE_INITIATIVES) and user.id in (
        initiative.owner_user_id, initiative.created_by)


def get(session: Session, initiative_id: int) -> Initiative:
    found = session.get(Initiative, initiative_id)
    if found is None:
        raise NotFound(f"no initiative {initiative_id}")
    return found


# --- proposing and editing ------------------------------------------------------------------


@dataclass(frozen=True)
class Prefill:
    """What a proposal from a root cause or a theme starts with (empty for the other origins)."""

    title: str = ""
    problem: str = ""
    touchpoints: list[str] = default(default_factory=list)
    themes: list[str] = default(default_factory=list)
    root_causes: list[str] = default(default_factory=list)


def prefill(session: Session, origin: str, ref: str) -> Prefill:
    """Title, problem and links of a proposal from a root cause (by code) or a theme (by name).

    The touchpoints are the ones most affected: of the root cause's cases, or of the theme's feedback.
    """
    if origin in ("root_cause", "theme", "idea") and not ref:
        raise Invalid(f"name the {origin.replace('_', ' ')} the initiative comes from", field="origin_ref")
    if origin == "root_cause":
        cause = session.scalar(select(RootCause).where(RootCause.code == ref))
        if cause is None:
            raise Invalid(f"no root-cause code '{ref}'", field="origin_ref")
        affected = _touchpoints_of_cases(session, cause.id)
        return Prefill(f"Remove the root cause: {cause.name}", _root_cause_problem(session, cause, affected),
                       affected, [], [cause.code])
    if origin == "theme":
        theme = session.scalar(select(Theme).where(Theme.name == ref))
        if theme is None:
            raise Invalid(f"no theme '{ref}'", field="origin_ref")
        affected = _touchpoints_of_theme(session, theme.id)
        return Prefill(f"Fix what customers say about {theme.name}", _theme_problem(session, theme, affected),
                       affected, [theme.name], [])
    return Prefill()


def propose(session: Session, data: InitiativeIn, user: User) -> Initiative:
    """A new proposed initiative; from a root cause or theme its problem, title and links are prefilled."""
    if not allows(user.role, Permission.PROPOSE_INITIATIVES):
        raise Forbidden(f"the {user.role} role may not propose initiatives")
    ref = data.origin_ref.strip()
    filled = prefill(session, data.origin, ref)
    title, problem = data.title.strip() or filled.title, data.problem.strip() or filled.problem
    touchpoints = list(data.touchpoints) or filled.touchpoints
    themes, root_causes = _add(list(data.themes), *filled.themes), _add(list(data.root_causes), *filled.root_causes)
    if not title:
        raise Invalid("give the initiative a title", field="title")
    _check_people(session, data.owner_user_id, data.sponsor_user_id)
    _check_target(session, data.target_id)
    initiative = Initiative(
        title=title[:200], problem=problem, status="proposed", origin=data.origin, origin_ref=ref,
        owner_user_id=data.owner_user_id if data.owner_user_id is not None else user.id,
        sponsor_user_id=data.sponsor_user_id, cost=data.cost, target_id=data.target_id, metric=data.metric,
        expected_effect=data.expected_effect, created_by=user.id)
    session.add(initiative)
    session.flush()
    _set_links(session, initiative.id, touchpoints, themes, root_causes)
    audit(session, user.id, "initiative.propose", ENTITY, initiative.id,
          {"title": initiative.title, "origin": data.origin, "origin_ref": ref})
    return initiative


def update(session: Session, initiative_id: int, data: InitiativePatch, user: User) -> Initiative:
    """Change fields and links (owner, or an approver); the status moves only through :func:`move`."""
    initiative = get(session, initiative_id)
    if not may_edit(initiative, user):
        raise Forbidden("only the initiative's owner or a manager may change it")
    changes = data.model_dump(exclude_unset=True)
    if initiative.status in ("done", "dropped") and set(changes) - {"problem"}:
        raise Conflict(f"a {initiative.status} initiative is closed; only its problem text may change", field="status")
    if "title" in changes and changes["title"] is None:
        raise Invalid("title cannot be empty", field="title")
    if "metric" in changes and changes["metric"] is None:
        raise Invalid("metric cannot be empty", field="metric")
    if "problem" in changes and changes["problem"] is None:
        changes["problem"] = ""  # null clears the text
    for kind in ("touchpoints", "themes", "root_causes"):
        if kind in changes and changes[kind] is None:
            changes[kind] = []  # null clears the links, as an empty list does
    if "owner_user_id" in changes and changes["owner_user_id"] != initiative.owner_user_id and not is_approver(user):
        raise Forbidden("only a manager hands an initiative to another owner", field="owner_user_id")
    _check_people(session, changes.get("owner_user_id"), changes.get("sponsor_user_id"))
    _check_target(session, changes.get("target_id"))
    links = {k: changes.pop(k) for k in ("touchpoints", "themes", "root_causes") if k in changes}
    before = {name: _plain(getattr(initiative, name)) for name in changes}
    for name, value in changes.items():
        setattr(initiative, name, value.strip() if isinstance(value, str) else value)
    if links:
        current = _link_refs(session, initiative.id)
        _set_links(session, initiative.id, [k for k in links.get("touchpoints", current["touchpoint"]) if k],
                   links.get("themes", current["theme"]), links.get("root_causes", current["root_cause"]),
                   replace=True)
        before.update({k: current[LINK_FIELDS[k]] for k in links})
    session.flush()
    audit(session, user.id, "initiative.update", ENTITY, initiative.id,
          {name: [before.get(name), _plain(value)] for name, value in [*changes.items(), *links.items()]})
    return initiative


# --- decisions and statuses -----------------------------------------------------------------


def approve(session: Session, initiative_id: int, user: User, note: str = "") -> Initiative:
    return move(session, initiative_id, StatusIn(status="approved", note=note), user)


def reject(session: Session, initiative_id: int, user: User, note: str = "") -> Initiative:
    """Drop a proposed initiative with a recorded rejection."""
    initiative = get(session, initiative_id)
    if initiative.status != "proposed":
        raise Conflict(f"only a proposed initiative can be rejected; this one is {initiative.status}", field="status")
    return move(session, initiative_id, StatusIn(status="dropped", note=note), user)


def move(session: Session, initiative_id: int, data: StatusIn, user: User, *, today: date | None = None) -> Initiative:
    """Move to another status, if allowed from here and for this user (409 names the allowed moves)."""
    initiative = get(session, initiative_id)
    allowed = TRANSITIONS[initiative.status]
    if data.status not in allowed:
        moves = ", ".join(allowed) or "none (it is closed)"
        raise Conflict(f"a {initiative.status} initiative cannot become {data.status}; allowed: {moves}",
                       field="status")
    deciding = initiative.status == "proposed" or data.status == "dropped"
    if deciding and not is_approver(user):
        raise Forbidden("only a manager approves, rejects or drops an initiative", field="status")
    if not deciding and not may_edit(initiative, user):
        raise Forbidden("only the initiative's owner or a manager moves it on", field="status")
    before = initiative.status
    initiative.status = data.status
    today = today or utcnow().date()
    if data.status == "in_progress":
        initiative.started_on = data.started_on or today
    elif data.started_on is not None:
        raise Invalid("started_on is given only when the initiative moves in progress", field="started_on")
    if data.status == "done":
        done_on = data.done_on or today
        if initiative.started_on is not None and done_on < initiative.started_on:
            raise Invalid(f"done_on must not be before the start {initiative.started_on}", field="done_on")
        initiative.done_on = done_on
    elif data.done_on is not None:
        raise Invalid("done_on is given only when the initiative becomes done", field="done_on")
    if before == "proposed":
        decision = "approved" if data.status == "approved" else "rejected"
        session.add(InitiativeApproval(initiative_id=initiative.id, user_id=user.id, decision=decision,
                                       note=data.note.strip(), at=utcnow()))
        audit(session, user.id, f"initiative.{'approve' if decision == 'approved' else 'reject'}", ENTITY,
              initiative.id, {"note": data.note.strip()})
    audit(session, user.id, "initiative.status", ENTITY, initiative.id,
          {"status": [before, data.status], "note": data.note.strip(),
           **({"done_on": str(initiative.done_on)} if data.status == "done" else {})})
    session.flush()
    if data.status == "done":
        assert initiative.done_on is not None
        publish(session, InitiativesDone(ids=(initiative.id,), done_on=initiative.done_on))
    return initiative


def allowed_moves(initiative: Initiative, user: User) -> list[str]:
    """The statuses this user may move the initiative to now."""
    out = []
    for status in TRANSITIONS[initiative.status]:
        deciding = initiative.status == "proposed" or status == "dropped"
        if is_approver(user) if deciding else may_edit(initiative, user):
            out.append(status)
    return out


# --- DICE ----------------------------------------------------------------------------------


def assess(session: Session, initiative_id: int, data: DiceIn, user: User) -> DiceAssessment:
    """A new DICE assessment (the history keeps the earlier ones)."""
    initiative = get(session, initiative_id)
    if not may_edit(initiative, user):
        raise Forbidden("only the initiative's owner or a manager assesses it")
    result = dice_rules.assess(data.duration, data.integrity, data.senior_commitment, data.local_commitment,
                               data.effort)
    row = DiceAssessment(initiative_id=initiative.id, duration=result.duration, integrity=result.integrity,
                         senior_commitment=result.senior_commitment, local_commitment=result.local_commitment,
                         effort=result.effort, score=result.score, zone=result.zone, note=data.note.strip(),
                         assessed_by=user.id, assessed_at=utcnow())
    session.add(row)
    session.flush()
    audit(session, user.id, "initiative.dice", ENTITY, initiative.id, {"score": result.score, "zone": result.zone})
    return row


def dice_history(session: Session, initiative_id: int) -> list[DiceOut]:
    """Every DICE assessment, newest first."""
    get(session, initiative_id)
    rows = list(session.scalars(select(DiceAssessment).where(DiceAssessment.initiative_id == initiative_id)
                                .order_by(DiceAssessment.assessed_at.desc(), DiceAssessment.id.desc())))
    names = _names(session, {r.assessed_by for r in rows if r.assessed_by})
    return [_dice_out(r, names) for r in rows]


# --- reading -------------------------------------------------------------------------------


def list_initiatives(session: Session, *, status: str | None = None, user: User | None = None,
                     values: bool = True, limit: int | None = None, offset: int = 0) -> list[InitiativeOut]:
    """Every initiative (or those of one status), newest first, in a constant number of queries."""
    query = _initiatives_query(status).order_by(Initiative.created_at.desc(), Initiative.id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return build(session, list(session.scalars(query)), user=user, values=values)


def count_initiatives(session: Session, *, status: str | None = None) -> int:
    """How many initiatives :func:`list_initiatives` pages through."""
    return count_of(session, _initiatives_query(status))


def _initiatives_query(status: str | None) -> Select[Initiative]:
    query = select(Initiative)
    if status is not None:
        if status not in TRANSITIONS:
            raise Invalid(f"status must be one of {', '.join(TRANSITIONS)}", field="status")
        query = query.where(Initiative.status == status)
    return query


def detail(session: Session, initiative_id: int, user: User | None = None) -> InitiativeOut:
    return build(session, [get(session, initiative_id)], user=user)[0]


def build(session: Session, rows: Sequence[Initiative], *, user: User | None = None,
          values: bool = True) -> list[InitiativeOut]:
    """The output of these initiatives: links with labels, current DICE, approvals, impact and values."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    links = list(session.scalars(select(InitiativeLink).where(InitiativeLink.initiative_id.in_(ids))
                                 .order_by(InitiativeLink.id)))
    labels = _labels(session, links)
    dice: dict[int, DiceAssessment] = {}
    for d in session.scalars(select(DiceAssessment).where(DiceAssessment.initiative_id.in_(ids))
                             .order_by(DiceAssessment.assessed_at, DiceAssessment.id)):
        dice[d.initiative_id] = d
    approvals = list(session.scalars(select(InitiativeApproval).where(InitiativeApproval.initiative_id.in_(ids))
                                     .order_by(InitiativeApproval.at, InitiativeApproval.id)))
    impacts = {i.initiative_id: i for i in session.scalars(
        select(InitiativeImpact).where(InitiativeImpact.initiative_id.in_(ids)))}
    people = {r.owner_user_id for r in rows} | {r.sponsor_user_id for r in rows} | {
        a.user_id for a in approvals} | {d.assessed_by for d in dice.values()}
    names = _names(session, {p for p in people if p})
    touchpoints_of: dict[int, list[int]] = {}
    for link in links:
        if link.kind == "touchpoint":
            touchpoints_of.setdefault(link.initiative_id, []).append(link.ref_id)
    basis = reach = None
    if values and any(r.expected_effect is not None and r.metric == "nps" and r.status != "dropped" for r in rows):
        basis = value_basis(session)
        reach = respondents_per_year(session, [t for ts in touchpoints_of.values() for t in ts], "nps",
                                     utcnow().date()) if basis.usable else {}
    out = []
    for r in rows:
        impact = impacts.get(r.id)
        measured = -impact.revenue_effect if impact is not None and impact.revenue_effect is not None else None
        expected, note = (None, "")
        if basis is not None and reach is not None:
            expected, note = expected_value(r, touchpoints_of.get(r.id, []), reach, basis)
        elif r.expected_effect is None:
            note = "no expected effect given"
        if impact is not None:
            note = str(impact.detail.get("money") or impact.detail.get("reason") or note)
        out.append(InitiativeOut(
            id=r.id, title=r.title, problem=r.problem, status=r.status, origin=r.origin, origin_ref=r.origin_ref,
            owner=OwnerOut(user_id=r.owner_user_id, user_name=names.get(r.owner_user_id or 0)),
            sponsor=OwnerOut(user_id=r.sponsor_user_id, user_name=names.get(r.sponsor_user_id or 0)),
            cost=r.cost, target_id=r.target_id, metric=r.metric, expected_effect=r.expected_effect,
            started_on=r.started_on, done_on=r.done_on,
            links=[LinkOut(kind=lk.kind, ref_id=lk.ref_id, label=labels.get((lk.kind, lk.ref_id), f"#{lk.ref_id}"))
                   for lk in links if lk.initiative_id == r.id],
            dice=_dice_out(dice[r.id], names) if r.id in dice else None,
            approvals=[ApprovalOut(user_id=a.user_id, user_name=names.get(a.user_id or 0), decision=a.decision,
                                   note=a.note, at=a.at) for a in approvals if a.initiative_id == r.id],
            impact=_impact_out(impact) if impact is not None else None,
            expected_value=expected, measured_value=measured, value_note=note,
            allowed_moves=allowed_moves(r, user) if user is not None else [],
            created_at=r.created_at, updated_at=r.updated_at))
    return out


# --- helpers -------------------------------------------------------------------------------


def _impact_out(impact: InitiativeImpact) -> ImpactOut:
    return ImpactOut(metric=impact.metric, effect=impact.effect, low=impact.low, high=impact.high,
                     n_treated=impact.n_treated, n_control=impact.n_control, revenue_effect=impact.revenue_effect,
                     churn_effect=impact.churn_effect, method=impact.method,
                     assumptions=list(impact.detail.get("assumptions") or ASSUMPTIONS), detail=impact.detail,
                     computed_at=impact.computed_at)


def _dice_out(row: DiceAssessment, names: dict[int, str]) -> DiceOut:
    return DiceOut(id=row.id, duration=row.duration, integrity=row.integrity, senior_commitment=row.senior_commitment,
                   local_commitment=row.local_commitment, effort=row.effort, score=row.score, zone=row.zone,
                   note=row.note, assessed_by=row.assessed_by, assessed_at=row.assessed_at,
                   assessed_by_name=names.get(row.assessed_by or 0))


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {uid: name or email for uid, name, email in session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(sorted(ids))))}


def _labels(session: Session, links: Sequence[InitiativeLink]) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = {}
    for link in links:
        wanted.setdefault(link.kind, set()).add(link.ref_id)
    out: dict[tuple[str, int], str] = {}
    if wanted.get("touchpoint"):
        for tid, name in session.execute(select(Touchpoint.id, Touchpoint.name)
                                         .where(Touchpoint.id.in_(sorted(wanted["touchpoint"])))):
            out[("touchpoint", tid)] = name
    if wanted.get("theme"):
        for tid, name in session.execute(select(Theme.id, Theme.name).where(Theme.id.in_(sorted(wanted["theme"])))):
            out[("theme", tid)] = name
    if wanted.get("root_cause"):
        for rid, code, name in session.execute(select(RootCause.id, RootCause.code, RootCause.name)
                                               .where(RootCause.id.in_(sorted(wanted["root_cause"])))):
            out[("root_cause", rid)] = f"{name} ({code})"
    return out


def _link_refs(session: Session, initiative_id: int) -> dict[str, list[str]]:
    """The current links as keys: touchpoint keys, theme names, root-cause codes."""
    out: dict[str, list[str]] = {"touchpoint": [], "theme": [], "root_cause": []}
    mine = InitiativeLink.initiative_id == initiative_id
    queries = (
        select(InitiativeLink.kind, Touchpoint.key).join(Touchpoint, Touchpoint.id == InitiativeLink.ref_id)
        .where(mine, InitiativeLink.kind == "touchpoint"),
        select(InitiativeLink.kind, Theme.name).join(Theme, Theme.id == InitiativeLink.ref_id)
        .where(mine, InitiativeLink.kind == "theme"),
        select(InitiativeLink.kind, RootCause.code).join(RootCause, RootCause.id == InitiativeLink.ref_id)
        .where(mine, InitiativeLink.kind == "root_cause"),
    )
    for kind, ref in session.execute(union_all(*queries)):
        out[kind].append(ref)
    return out


def _set_links(session: Session, initiative_id: int, touchpoints: Sequence[str], themes: Sequence[str],
               root_causes: Sequence[str], *, replace: bool = False) -> None:
    ids = {
        "touchpoint": _resolve(session, Touchpoint.id, Touchpoint.key, touchpoints, "touchpoints", "touchpoint"),
        "theme": _resolve(session, Theme.id, Theme.name, themes, "themes", "theme"),
        "root_cause": _resolve(session, RootCause.id, RootCause.code, root_causes, "root_causes", "root-cause code"),
    }
    if replace:
        session.execute(delete(InitiativeLink).where(InitiativeLink.initiative_id == initiative_id))
    for kind, refs in ids.items():
        for ref in refs:
            session.add(InitiativeLink(initiative_id=initiative_id, kind=kind, ref_id=ref))
    session.flush()


def _resolve(session: Session, id_column: InstrumentedAttribute[int], key_column: InstrumentedAttribute[str],
             keys: Sequence[str], field: str, what: str) -> list[int]:
    wanted = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    if not wanted:
        return []
    found = {key: rid for rid, key in session.execute(
        select(id_column, key_column).where(key_column.in_(wanted)))}
    missing = [k for k in wanted if k not in found]
    if missing:
        raise Invalid(f"no {what} {', '.join(repr(m) for m in missing)}", field=field)
    return [found[k] for k in wanted]


def _touchpoints_of_cases(session: Session, root_cause_id: int) -> list[str]:
    """The keys of the touchpoints with most cases of this root cause."""
    count = func.count(Case.id)
    return list(session.scalars(
        select(Touchpoint.key).join(Case, Case.touchpoint_id == Touchpoint.id)
        .where(Case.root_cause_id == root_cause_id).group_by(Touchpoint.key)
        .order_by(count.desc(), Touchpoint.key).limit(MOST_AFFECTED)))


def _touchpoints_of_theme(session: Session, theme_id: int) -> list[str]:
    count = func.count(Feedback.id)
    return list(session.scalars(
        select(Touchpoint.key).join(Feedback, Feedback.touchpoint_id == Touchpoint.id)
        .join(FeedbackTheme, FeedbackTheme.feedback_id == Feedback.id)
        .where(FeedbackTheme.theme_id == theme_id).group_by(Touchpoint.key)
        .order_by(count.desc(), Touchpoint.key).limit(MOST_AFFECTED)))


def _root_cause_problem(session: Session, cause: RootCause, touchpoints: list[str]) -> str:
    cases = session.scalar(select(func.count(Case.id)).where(Case.root_cause_id == cause.id)) or 0
    where = f", most at {', '.join(touchpoints)}" if touchpoints else ""
    text = f"Root cause {cause.code} ({cause.name}) explains {cases} case{'s' if cases != 1 else ''}{where}."
    return f"{text} {cause.description}".strip()


def _theme_problem(session: Session, theme: Theme, touchpoints: list[str]) -> str:
    items = session.scalar(select(func.count()).select_from(FeedbackTheme)
                           .where(FeedbackTheme.theme_id == theme.id)) or 0
    where = f", most at {', '.join(touchpoints)}" if touchpoints else ""
    return f"Customers raise '{theme.name}' in {items} feedback item{'s' if items != 1 else ''}{where}."


def _add(values: list[str], *more: str) -> list[str]:
    return list(dict.fromkeys([*values, *more]))


def _check_people(session: Session, *ids: int | None) -> None:
    for field, uid in zip(("owner_user_id", "sponsor_user_id"), ids, strict=True):
        if uid is not None:
            found = session.get(User, uid)
            if found is None or not found.is_active:
                raise Invalid(f"no active user {uid}", field=field)


def _check_target(session: Session, target_id: int | None) -> None:
    if target_id is not None and session.get(Target, target_id) is None:
        raise Invalid(f"no target {target_id}", field="target_id")


def _plain(value: object) -> object:
    if isinstance(value, date):
        return str(value)
    return value
