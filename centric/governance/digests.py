"""Digests: a weekly (or daily) e-mail per owner with their scorecard, cases, biggest moves and verbatims.

Scheduling, exactly once
------------------------
A daily job (:data:`SCHEDULE_TASK`, one per day by its idempotency key, queued at start-up
by :func:`start_digests` and then by itself for the next day) inserts one
:class:`~centric.governance.models.DigestRun` per due user and period. The table is
unique on (user, frequency, period), so a period is planned once however often the
scheduler runs (a restart, a re-delivered job, two workers); each new run gets one send
job (idempotency key ``governance.digest:{user}:{frequency}:{period}``).

The send job claims its run with a conditional UPDATE ``pending → sending`` and commits
before it talks to the mail server, then marks it ``sent``. A failed hand-over to the
server puts the run back to ``pending`` and the job is retried. A run that a later
attempt finds in ``sending`` belonged to a worker that died while sending: nobody knows
whether the mail left, so it becomes ``unknown`` and is *not* sent again. Hence: exactly
once when workers don't crash; at most once when one dies in the middle of a send.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from typing import Any, cast

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.models import User
from centric.accounts.roles import Permission, allows
from centric.accounts.service import audit
from centric.accounts.signing import sign, signing_key, verify
from centric.config import Settings
from centric.db import Database, changed_rows, utcnow
from centric.errors import Invalid, NotFound
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.governance.digest_schemas import (
    CaseList,
    DigestCase,
    DigestOut,
    Frequency,
    Move,
    Moves,
    SubscriptionOut,
    Verbatim,
)
from centric.governance.models import DIGEST_FREQUENCIES, DigestRun, DigestSubscription, Target
from centric.governance.moves import biggest_moves
from centric.governance.schemas import Scorecard, ScorecardRow
from centric.governance.scorecards import scorecard
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.journeys.models import Touchpoint
from centric.loop.models import OPEN_STATUSES, Case
from centric.outreach import mail
from centric.surveys.links import base_url

SCHEDULE_TASK = "governance.digests"
SEND_TASK = "governance.digest"
TOKEN_PURPOSE = "digest-off"
TOKEN_TTL_S = 5 * 365 * 86_400  # a link in an old e-mail must still work
COMPANY_ROLES = ("manager", "admin")  # their moves and verbatims cover every touchpoint
VERBATIMS = 3
CASES_LISTED = 10
VERBATIM_CHARS = 600
MOVES_LISTED = 5


# --- subscriptions ---------------------------------------------------------------------

def _owns(session: Session, user_id: int) -> bool:
    """Whether the user owns an active target or a touchpoint (two small queries)."""
    target = session.scalar(select(Target.id).where(Target.owner_user_id == user_id, Target.active.is_(True))
                            .limit(1))
    if target is not None:
        return True
    return session.scalar(select(Touchpoint.id).where(Touchpoint.owner_user_id == user_id).limit(1)) is not None


def default_frequency(role: str, owns: bool) -> str:
    """Weekly for managers, admins and owners of a target or touchpoint; off for everyone else."""
    return "weekly" if role in COMPANY_ROLES or owns else "off"


def get_subscription(session: Session, settings: Settings, user: User) -> SubscriptionOut:
    chosen = session.get(DigestSubscription, user.id)
    default = default_frequency(user.role, _owns(session, user.id))
    frequency = chosen.frequency if chosen is not None else default
    return SubscriptionOut(user_id=user.id, frequency=cast(Frequency, frequency), is_default=chosen is None,
                           default=cast(Frequency, default), weekday=settings.digest_weekday)


def frequency_of(session: Session, user: User) -> str:
    """The user's digest frequency now: their choice, else the default; off once deactivated."""
    if not user.is_active:
        return "off"
    chosen = session.get(DigestSubscription, user.id)
    return chosen.frequency if chosen is not None else default_frequency(user.role, _owns(session, user.id))


def set_subscription(session: Session, settings: Settings, user: User, frequency: str,
                     actor_id: int | None) -> SubscriptionOut:
    """Store the user's choice (weekly, daily or off); any user may opt into the daily digest."""
    if frequency not in DIGEST_FREQUENCIES:
        raise Invalid(f"frequency must be one of {', '.join(DIGEST_FREQUENCIES)}", field="frequency")
    chosen = session.get(DigestSubscription, user.id)
    before = chosen.frequency if chosen is not None else None
    if chosen is None:
        session.add(DigestSubscription(user_id=user.id, frequency=frequency))
    else:
        chosen.frequency = frequency
    session.flush()
    audit(session, actor_id, "digest.subscription", "user", user.id, {"from": before, "to": frequency})
    return get_subscription(session, settings, user)


def effective_frequencies(session: Session) -> dict[int, tuple[str, str]]:
    """Every active user's digest frequency and e-mail address, in four queries."""
    users = session.execute(select(User.id, User.role, User.email).where(User.is_active.is_(True))).all()
    chosen = dict(session.execute(select(DigestSubscription.user_id, DigestSubscription.frequency)).all())
    owners = set(session.scalars(select(Target.owner_user_id).where(Target.active.is_(True),
                                                                      Target.owner_user_id.is_not(None))))
    owners |= set(session.scalars(select(Touchpoint.owner_user_id).where(Touchpoint.owner_user_id.is_not(None))))
    return {uid: (str(chosen.get(uid) or default_frequency(role, uid in owners)), email)
            for uid, role, email in users}


# --- periods ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    frequency: str
    key: str  # 2026-W49 (the ISO week of the period's last day) | 2026-12-02 (the day)
    start: date  # [start, end)
    end: date


def period_of(frequency: str, day: date) -> Period:
    """The period a digest sent on ``day`` covers: the 7 days (weekly) or the day (daily) before it."""
    if frequency == "daily":
        start = day - timedelta(days=1)
        return Period("daily", start.isoformat(), start, day)
    if frequency != "weekly":
        raise Invalid("frequency must be weekly or daily", field="frequency")
    last = day - timedelta(days=1)
    year, week, _ = last.isocalendar()
    return Period("weekly", f"{year}-W{week:02d}", day - timedelta(days=7), day)


def running_period(frequency: str, today: date) -> Period:
    """The in-app digest: the period ending with today (the mail's period, moved on to now)."""
    return period_of("daily" if frequency == "daily" else "weekly", today + timedelta(days=1))


# --- content ---------------------------------------------------------------------------

def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _case_scope(user: User) -> ColumnElement[bool]:
    if user.team_id is not None:
        return or_(Case.owner_id == user.id, Case.team_id == user.team_id)
    return Case.owner_id == user.id


def _case_list(session: Session, user: User, *conditions: ColumnElement[bool], titles: bool) -> CaseList:
    where = [_case_scope(user), func.coalesce(Case.merged_into_id, 0) == 0, *conditions]
    total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    items = [DigestCase(id=c.id, title=c.title if titles else None, status=c.status, priority=c.priority,
                        sla_state=c.sla_state, created_at=c.created_at)
             for c in session.scalars(select(Case).where(*where).order_by(Case.created_at.desc(), Case.id.desc())
                                      .limit(CASES_LISTED))]
    return CaseList(total=int(total), items=items)


def _owned_touchpoints(session: Session, user: User) -> list[tuple[int, str]]:
    mine = Touchpoint.owner_user_id == user.id
    if user.team_id is not None:
        mine = or_(mine, Touchpoint.owner_team_id == user.team_id)
    return [(tid, name) for tid, name in session.execute(select(Touchpoint.id, Touchpoint.name).where(mine)
                                                         .order_by(Touchpoint.name))]


def representative_verbatims(session: Session, start: date, end: date, touchpoint_ids: Iterable[int] | None,
                             count: int = VERBATIMS) -> list[Verbatim]:
    """The newest comment of each of the period's most frequent themes (three queries at most).

    ``touchpoint_ids`` None: every touchpoint. When fewer themes than ``count`` were
    mentioned, the newest other comments fill up.
    """
    scope = [Feedback.occurred_at >= _midnight(start), Feedback.occurred_at < _midnight(end),
             func.length(func.trim(Feedback.text)) > 0]
    if touchpoint_ids is not None:
        scope.append(Feedback.touchpoint_id.in_(list(touchpoint_ids)))
    mentions = func.count().label("mentions")
    top = session.execute(
        select(FeedbackTheme.theme_id, Theme.name, mentions).join(Feedback, Feedback.id == FeedbackTheme.feedback_id)
        .join(Theme, Theme.id == FeedbackTheme.theme_id).where(*scope)
        .group_by(FeedbackTheme.theme_id, Theme.name).order_by(mentions.desc(), Theme.name).limit(count)).all()
    chosen: list[Verbatim] = []
    taken: set[int] = set()
    if top:
        rank = func.row_number().over(partition_by=FeedbackTheme.theme_id,
                                      order_by=(Feedback.occurred_at.desc(), Feedback.id.desc())).label("rank")
        ranked = (select(FeedbackTheme.theme_id, Feedback.id, Feedback.text, Feedback.channel, Feedback.occurred_at,
                         Touchpoint.name.label("touchpoint"), rank)
                  .join(Feedback, Feedback.id == FeedbackTheme.feedback_id)
                  .outerjoin(Touchpoint, Touchpoint.id == Feedback.touchpoint_id)
                  .where(*scope, FeedbackTheme.theme_id.in_([t.theme_id for t in top])).subquery())
        candidates: dict[int, list[Any]] = {}
        for row in session.execute(select(ranked).where(ranked.c.rank <= count).order_by(ranked.c.rank)):
            candidates.setdefault(row.theme_id, []).append(row)
        for theme in top:
            pick = next((r for r in candidates.get(theme.theme_id, []) if r.id not in taken), None)
            if pick is not None:
                taken.add(pick.id)
                chosen.append(_verbatim(pick, theme.name, int(theme.mentions)))
    if len(chosen) < count:
        rest = session.execute(
            select(Feedback.id, Feedback.text, Feedback.channel, Feedback.occurred_at,
                   Touchpoint.name.label("touchpoint")).outerjoin(Touchpoint, Touchpoint.id == Feedback.touchpoint_id)
            .where(*scope).order_by(Feedback.occurred_at.desc(), Feedback.id.desc()).limit(2 * count))
        for row in rest:
            if len(chosen) >= count:
                break
            if row.id not in taken:
                taken.add(row.id)
                chosen.append(_verbatim(row, None, 0))
    return chosen


def _verbatim(row: Any, theme: str | None, mentions: int) -> Verbatim:
    """A verbatim from a result row with id, text, channel, occurred_at and touchpoint."""
    text = str(row.text).strip()
    if len(text) > VERBATIM_CHARS:
        text = text[:VERBATIM_CHARS - 1].rstrip() + "…"
    return Verbatim(feedback_id=row.id, text=text, theme=theme, theme_mentions=mentions, touchpoint=row.touchpoint,
                    channel=row.channel, occurred_at=row.occurred_at)


def build_digest(session: Session, user: User, period: Period) -> DigestOut:
    """The digest of ``user`` for ``period``: the same content for the e-mail and the in-app page."""
    company = user.role in COMPANY_ROLES
    owned = [] if company else _owned_touchpoints(session, user)
    if company:
        scope, touchpoint_names, touchpoint_ids = i18n._("every touchpoint (company)"), None, None
    elif owned:
        scope = i18n._("your touchpoints: %(names)s") % {"names": ", ".join(name for _, name in owned)}
        touchpoint_names, touchpoint_ids = {name for _, name in owned}, [tid for tid, _ in owned]
    else:
        scope, touchpoint_names, touchpoint_ids = i18n._("no touchpoint of yours"), set(), []
    moves: Moves | None = None
    if company or owned:
        moves = biggest_moves(session, start=period.start, end=period.end, touchpoints=touchpoint_names,
                              limit=MOVES_LISTED)
    titles = allows(user.role, Permission.READ_CASES)
    new = _case_list(session, user, Case.created_at >= _midnight(period.start),
                     Case.created_at < _midnight(period.end), titles=titles)
    breached = _case_list(session, user, Case.status.in_(OPEN_STATUSES), Case.sla_state == "breached", titles=titles)
    verbatims: list[Verbatim] = []
    if not allows(user.role, Permission.READ_CUSTOMERS):
        note = i18n._("Customers' words are not shown to your role.")
    elif not (company or owned):
        note = i18n._("You own no touchpoint, so there are no comments to show.")
    else:
        verbatims = representative_verbatims(session, period.start, period.end, touchpoint_ids)
        note = "" if verbatims else i18n._("No comments in this period.")
    return DigestOut(user_id=user.id, user_name=user.name or user.email, frequency=period.frequency,
                     period_key=period.key, start=period.start, end=period.end, scope=scope,
                     scorecard=scorecard(session, user_id=user.id), new_cases=new, breached_cases=breached,
                     moves=moves, verbatims=verbatims, verbatims_note=note, generated_at=utcnow())


# --- links and rendering ---------------------------------------------------------------

def unsubscribe_token(session: Session, settings: Settings, user_id: int) -> str:
    return sign(signing_key(session, settings.secret_key), TOKEN_PURPOSE, {"u": user_id}, TOKEN_TTL_S)


def unsubscribe_link(session: Session, settings: Settings, user_id: int) -> str:
    return f"{base_url(settings)}/digest/unsubscribe?token={unsubscribe_token(session, settings, user_id)}"


def unsubscribe_by_token(session: Session, settings: Settings, token: str, *, act: bool) -> User:
    """The user a digest link names (``Forbidden`` when forged or expired); ``act`` turns their digest off."""
    claims = verify(signing_key(session, settings.secret_key), TOKEN_PURPOSE, token)
    user_id = claims.get("u")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound("this link names no user")
    if act:
        set_subscription(session, settings, user, "off", user.id)
    return user


def _days(period_start: date, period_end: date) -> str:
    last = period_end - timedelta(days=1)
    if last == period_start:
        return i18n.format_day(last, "full")
    return f"{i18n.format_day(period_start)} – {i18n.format_day(last)}"


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _signed(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:+.{digits}f}"


def _words(code: str) -> str:
    """A stored code (``not_distinguishable``, ``at_risk``) in the reader's words."""
    return i18n._(code.replace("_", " ")) if code != "at_risk" else i18n._(code)


def _move_line(m: Move) -> str:
    words = {"metric": m.metric.upper(), "touchpoint": m.touchpoint, "previous": _num(m.previous),
             "current": _num(m.current), "difference": _signed(m.difference), "low": _signed(m.low),
             "high": _signed(m.high), "p": _num(m.adjusted_p_value, 3), "n_current": m.n_current,
             "n_previous": m.n_previous}
    interval = (i18n._(" (95%% CI %(low)s to %(high)s)") % words) if m.low is not None else ""
    verdict = i18n._("significant") if m.significant else i18n._("not significant")
    return i18n._("%(metric)s %(touchpoint)s: %(previous)s → %(current)s, %(difference)s%(interval)s, "
                  "adjusted p %(p)s, %(verdict)s; n %(n_current)s vs %(n_previous)s") % {
        **words, "interval": interval, "verdict": verdict}


def _score_line(row: ScorecardRow) -> str:
    interval = f" [{_num(row.low)}–{_num(row.high)}]" if row.low is not None else ""
    rank = (i18n._(", rank %(rank)s of %(size)s") % {"rank": row.rank, "size": row.rank_group_size}
            if row.rank is not None else "")
    return i18n._("%(target)s: %(value)s%(interval)s, n %(n)s, target %(threshold)s (%(direction)s) – "
                  "%(verdict)s: %(reason)s%(rank)s") % {
        "target": row.target.name, "value": _num(row.value), "interval": interval, "n": row.n,
        "threshold": f"{row.target.threshold:g}", "direction": _words(row.target.direction),
        "verdict": _words(row.verdict), "reason": row.reason, "rank": rank}


def _case_line(c: DigestCase) -> str:
    hidden, sla_word = i18n._("(title hidden)"), i18n._("SLA")
    return f"#{c.id} {c.title or hidden} – {_words(c.status)}, {_words(c.priority)}, {sla_word} {_words(c.sla_state)}"


def _period_label(period: str) -> str:
    return i18n._("each target's current period") if period == "current" else period


def _title(frequency: str) -> str:
    if frequency == "daily":
        return i18n._("Your daily CX digest")
    return i18n._("Your weekly CX digest") if frequency == "weekly" else i18n._("Your CX digest")


def render_text(content: DigestOut, settings_url: str, unsubscribe_url: str) -> str:
    """The plain-text digest in the current locale (the recipient's)."""
    card: Scorecard = content.scorecard
    no_move = i18n._("No move to compare (answers are needed in both periods).")
    no_target, no_theme, no_touchpoint = (i18n._("No target of yours in this period."), i18n._("no theme"),
                                          i18n._("no touchpoint"))
    heading = i18n._("%(title)s, %(days)s (%(period)s)") % {
        "title": _title(content.frequency), "days": _days(content.start, content.end), "period": content.period_key}
    lines = [heading, "",
             i18n._("SCORECARD (%(period)s)") % {"period": _period_label(card.period)}]
    lines += [f"  {_score_line(r)}" for r in card.rows] or [f"  {no_target}"]
    lines += ["", i18n._("NEW CASES: %(n)s") % {"n": content.new_cases.total}]
    lines += [f"  {_case_line(c)}" for c in content.new_cases.items]
    lines += ["", i18n._("BREACHED SLAS (open): %(n)s") % {"n": content.breached_cases.total}]
    lines += [f"  {_case_line(c)}" for c in content.breached_cases.items]
    lines += ["", i18n._("BIGGEST MOVES on %(scope)s") % {"scope": content.scope}]
    if content.moves is None or not content.moves.rows:
        lines.append(f"  {no_move}")
    else:
        lines += [f"  {_move_line(m)}" for m in content.moves.rows]
        lines.append("  " + i18n._("%(tested)s moves tested; p-values %(correction)s-adjusted.") % {
            "tested": content.moves.tested, "correction": content.moves.correction})
    lines += ["", i18n._("WHAT CUSTOMERS SAID")]
    lines += [f"  \"{v.text}\" – {v.theme or no_theme}, {v.touchpoint or no_touchpoint}, "
              f"{i18n.format_day(v.occurred_at)}" for v in content.verbatims] or [f"  {content.verbatims_note}"]
    lines += ["", i18n._("Change how often you get this: %(link)s") % {"link": settings_url},
              i18n._("Unsubscribe: %(link)s") % {"link": unsubscribe_url}]
    return "\n".join(lines)


def _html_rows(items: Iterable[str], empty: str) -> str:
    cells = "".join(f"<li>{escape(text)}</li>" for text in items)
    return f"<ul>{cells}</ul>" if cells else f"<p>{escape(empty)}</p>"


def render_html(content: DigestOut, settings_url: str, unsubscribe_url: str) -> str:
    """The HTML digest in the current locale (the recipient's); every value escaped."""
    card = content.scorecard
    _ = i18n._
    scores = "".join(
        f"<tr><td>{escape(r.target.name)}</td><td>{_num(r.value)}</td>"
        f"<td>{escape(_num(r.low) + '–' + _num(r.high)) if r.low is not None else '–'}</td><td>{r.n}</td>"
        f"<td>{escape(_words(r.verdict))}</td><td>{escape(r.reason)}</td>"
        f"<td>{r.rank if r.rank is not None else '–'}</td></tr>" for r in card.rows)
    headings = "".join(f"<th>{escape(h)}</th>" for h in (
        _("Target"), _("Value"), _("95% interval"), "n", _("Verdict"), _("Why"), _("Rank")))
    # (the catalog's extractor does not look inside f-strings: every message is a plain call here)
    words = {
        "no_target": _("No target of yours."), "no_theme": _("no theme"), "no_touchpoint": _("no touchpoint"),
        "scorecard": _("Scorecard (%(period)s)") % {"period": _period_label(card.period)},
        "new": _("New cases: %(n)s") % {"n": content.new_cases.total},
        "breached": _("Breached SLAs (open): %(n)s") % {"n": content.breached_cases.total},
        "moves": _("Biggest moves"), "scope": _("On %(scope)s.") % {"scope": content.scope},
        "said": _("What customers said"), "settings": _("Digest settings"), "unsubscribe": _("Unsubscribe"),
    }
    safe = {key: escape(value) for key, value in words.items()}
    score_table = (f"<table><tr>{headings}</tr>{scores}</table>" if scores else f"<p>{safe['no_target']}</p>")
    moves = content.moves.rows if content.moves else []
    verbatims = "".join(
        f"<blockquote>{escape(v.text)}<br><small>{escape(v.theme) if v.theme else safe['no_theme']} · "
        f"{escape(v.touchpoint) if v.touchpoint else safe['no_touchpoint']} · "
        f"{escape(i18n.format_day(v.occurred_at))}</small></blockquote>"
        for v in content.verbatims) or f"<p>{escape(content.verbatims_note)}</p>"
    return (
        f"<h1>{escape(_title(content.frequency))}</h1>"
        f"<p>{escape(_days(content.start, content.end))} ({escape(content.period_key)})</p>"
        f"<h2>{safe['scorecard']}</h2>{score_table}"
        f"<h2>{safe['new']}</h2>"
        + _html_rows((_case_line(c) for c in content.new_cases.items), _("None."))
        + f"<h2>{safe['breached']}</h2>"
        + _html_rows((_case_line(c) for c in content.breached_cases.items), _("None."))
        + f"<h2>{safe['moves']}</h2><p>{safe['scope']}</p>"
        + _html_rows((_move_line(m) for m in moves), _("No move to compare (answers are needed in both periods)."))
        + f"<h2>{safe['said']}</h2>{verbatims}"
        + f'<p style="font-size:small;color:#666"><a href="{escape(settings_url)}">{safe["settings"]}</a> · '
        f'<a href="{escape(unsubscribe_url)}">{safe["unsubscribe"]}</a></p>'
    )


def compose(settings: Settings, to: str, content: DigestOut, unsubscribe_url: str) -> mail.Mail:
    """The digest e-mail in the current locale: send it inside ``i18n.use_locale(user.locale)``."""
    settings_url = f"{base_url(settings)}/digest"
    subject = i18n._("%(title)s: %(days)s") % {"title": _title(content.frequency),
                                                "days": _days(content.start, content.end)}
    return mail.Mail(to=to, subject=subject, text=render_text(content, settings_url, unsubscribe_url),
                     html=render_html(content, settings_url, unsubscribe_url), unsubscribe_url=unsubscribe_url)


# --- scheduling and sending ------------------------------------------------------------

def send_key(user_id: int, frequency: str, period_key: str) -> str:
    return f"{SEND_TASK}:{user_id}:{frequency}:{period_key}"


def schedule_digests(session: Session, day: date) -> Job:
    """The planning of ``day`` (UTC), run at its start; one job per installation and day (idempotency key)."""
    delay = max((_midnight(day) - utcnow()).total_seconds(), 0.0)
    return enqueue(session, SCHEDULE_TASK, {"day": day.isoformat()}, delay_s=delay,
                   idempotency_key=f"{SCHEDULE_TASK}:{day.isoformat()}")


def start_digests(db: Database) -> None:
    """At start-up: make sure today's planning is queued (a no-op when it is, or ran already).

    The planning job queues the next day's itself. Two processes starting at once race on
    the key; the loser's insert fails and the winner's job stands.
    """
    try:
        with db.transaction() as session:
            schedule_digests(session, utcnow().date())
    except IntegrityError:
        pass


def due_periods(settings: Settings, day: date) -> dict[str, Period]:
    """The periods whose digests go out on ``day``: daily every day, weekly on the configured weekday."""
    due = {"daily": period_of("daily", day)}
    if day.weekday() == settings.digest_weekday:
        due["weekly"] = period_of("weekly", day)
    return due


def plan_runs(session: Session, settings: Settings, day: date) -> list[DigestRun]:
    """Insert the runs due on ``day`` that don't exist yet, each with its send job; returns the new ones.

    A concurrent planner inserting the same run makes this transaction fail on the unique
    constraint (roll back and plan again: the second time it finds the runs and adds none).
    """
    periods = due_periods(settings, day)
    wanted = [(uid, frequency) for uid, (frequency, _) in sorted(effective_frequencies(session).items())
              if frequency in periods]
    existing = set(session.execute(select(DigestRun.user_id, DigestRun.frequency).where(
        or_(*[(DigestRun.frequency == f) & (DigestRun.period_key == p.key) for f, p in periods.items()]))).all())
    created = []
    for uid, frequency in wanted:
        if (uid, frequency) in existing:
            continue
        period = periods[frequency]
        run = DigestRun(user_id=uid, frequency=frequency, period_key=period.key, status="pending")
        session.add(run)
        session.flush()
        enqueue(session, SEND_TASK, {"run_id": run.id, "start": period.start.isoformat(),
                                     "end": period.end.isoformat()},
                idempotency_key=send_key(uid, frequency, period.key))
        created.append(run)
    return created


def _move(session: Session, run_id: int, source: tuple[str, ...], target: str) -> bool:
    values: dict[str, object] = {"status": target}
    if target == "sent":
        values["sent_at"] = utcnow()
    return changed_rows(session, update(DigestRun).where(DigestRun.id == run_id, DigestRun.status.in_(source))
                        .values(**values)) == 1


def send_run(db: Database, settings: Settings, run_id: int, start: date, end: date) -> str:
    """Send one run's digest at most once; returns what happened (sent, skipped, unknown, or the status found).

    1. claim ``pending → sending`` and commit (a user now off or deactivated: ``skipped``);
    2. compose and hand the mail to the server; on failure back to ``pending`` and re-raise (retry);
    3. ``sending → sent``.
    A run found in ``sending`` is a crashed attempt's: it becomes ``unknown``, never mailed again.
    """
    with db.transaction() as session:
        run = session.get(DigestRun, run_id)
        if run is None:
            return "missing"
        if run.status == "sending":
            return "unknown" if _move(session, run_id, ("sending",), "unknown") else "lost"
        if run.status != "pending":
            return run.status
        user = session.get(User, run.user_id)
        if user is None or frequency_of(session, user) != run.frequency:
            return "skipped" if _move(session, run_id, ("pending",), "skipped") else "lost"
        if not _move(session, run_id, ("pending",), "sending"):
            return "lost"  # another attempt claimed it a moment ago
        user_id, frequency, period_key, address = user.id, run.frequency, run.period_key, user.email
        language = user.locale  # the digest is written in the recipient's language
        unsubscribe_url = unsubscribe_link(session, settings, user_id)  # may store the installation's key
    try:
        with db.reader() as session:
            reader = session.get(User, user_id)
            if reader is None:
                raise NotFound(f"user {user_id} not found")
            with i18n.use_locale(language):
                content = build_digest(session, reader, Period(frequency, period_key, start, end))
                message = compose(settings, address, content, unsubscribe_url)
        mail.send(settings, message)
    except BaseException:
        with db.transaction() as session:
            _move(session, run_id, ("sending",), "pending")
        raise
    with db.transaction() as session:
        # From "unknown" too: an attempt that outlived its lease did send, whatever a later one concluded.
        _move(session, run_id, ("sending", "unknown"), "sent")
    return "sent"


def runs_of(session: Session, user_id: int, limit: int = 10) -> list[DigestRun]:
    """A user's latest digest runs (the in-app page lists them)."""
    return list(session.scalars(select(DigestRun).where(DigestRun.user_id == user_id)
                                .order_by(DigestRun.created_at.desc(), DigestRun.id.desc()).limit(limit)))
