"""The in-app digest: the same content as the e-mail, and the form to change how often it comes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from centric import i18n
from centric.db import utcnow
from centric.errors import Invalid
from centric.governance import digests
from centric.web.deps import AppSettings, CanReadMetrics, CheckedForm, DbSession
from centric.web.templating import page_locale, render

router = APIRouter()
SAVED = {"weekly": i18n.N_("You will get the digest every week."),
         "daily": i18n.N_("You will get the digest every day."), "off": i18n.N_("You will get no digest e-mails.")}
# "Weekly, on …" for each weekday of the subscription (translated in the template).
WEEKLY_ON = (i18n.N_("Weekly, on Mondays"), i18n.N_("Weekly, on Tuesdays"), i18n.N_("Weekly, on Wednesdays"),
             i18n.N_("Weekly, on Thursdays"), i18n.N_("Weekly, on Fridays"), i18n.N_("Weekly, on Saturdays"),
             i18n.N_("Weekly, on Sundays"))


@router.get("/digest", response_class=HTMLResponse)
def digest_page(request: Request, session: DbSession, settings: AppSettings, caller: CanReadMetrics) -> HTMLResponse:
    subscription = digests.get_subscription(session, settings, caller.user)
    with i18n.use_locale(page_locale(request, caller.user)):  # the digest's sentences in the reader's language
        content = digests.build_digest(session, caller.user,
                                       digests.running_period(subscription.frequency, utcnow().date()))
    saved = request.query_params.get("saved")
    return render(request, "governance/digest.html", caller=caller, d=content, subscription=subscription,
                  runs=digests.runs_of(session, caller.user.id), saved=SAVED.get(saved or ""),
                  weekly_on=WEEKLY_ON)


@router.post("/digest/subscription")
def change_subscription(session: DbSession, settings: AppSettings, caller: CanReadMetrics,
                        form: CheckedForm) -> RedirectResponse:
    frequency = form.get("frequency")
    if not isinstance(frequency, str) or frequency not in SAVED:
        raise Invalid("frequency: choose weekly, daily or off", field="frequency")
    digests.set_subscription(session, settings, caller.user, frequency, caller.user.id)
    return RedirectResponse(f"/digest?saved={frequency}", status_code=303)
