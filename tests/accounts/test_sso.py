"""Single sign-on against a real OpenID provider running in the test process.

The provider is ``oidc-provider-mock`` (Flask + Authlib's authorization server) on a free
local port, with its users' claims set through its API. In front of its endpoints two hooks
make it insist on PKCE, as production providers can: an authorization request without an
S256 ``code_challenge`` is refused, and a code is exchanged only with the matching
``code_verifier`` (checked with Authlib's S256 comparison). Centric's side is the real app on
both databases; the browser is the TestClient, the user's choice at the provider a POST to
its authorization form.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from centric.accounts import sso
from centric.accounts.models import AuditLog, SsoIdentity, User
from centric.accounts.service import create_token
from centric.config import Settings
from centric.web.app import create_app
from tests.api.conftest import auth
from tests.factories import PASSWORD, make_user

# The provider (not Centric) still uses Authlib APIs deprecated since; its warnings are its own.
pytestmark = [
    pytest.mark.filterwarnings("ignore:authlib.jose module is deprecated"),
    pytest.mark.filterwarnings("ignore:get_jwt_config"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib"),
]

CLIENT_ID = "centric"
ROLE_MAP = {"cx-admins": "admin", "cx-managers": "manager", "cx-analysts": "analyst", "cx-agents": "agent"}


@dataclass
class Idp:
    url: str
    pkce: list[str] = field(default_factory=list)  # "ok" or why a token request was refused

    def user(self, sub: str, **claims: object) -> None:
        """Set the claims the provider puts in ``sub``'s ID token."""
        httpx.put(f"{self.url}/users/{sub}", json=claims).raise_for_status()


@pytest.fixture
def idp() -> Iterator[Idp]:
    with _provider() as running:
        yield running


@contextmanager
def _provider(token_max_age: timedelta = timedelta(hours=1)) -> Iterator[Idp]:
    """The OpenID provider on a free port, for as long as the block runs."""
    import flask
    import werkzeug.serving
    from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge
    from oidc_provider_mock import app as provider_app

    web = provider_app(require_nonce=True, access_token_max_age=token_max_age)
    challenges: dict[str, str] = {}
    seen: list[str] = []

    @web.before_request
    def require_pkce():  # type: ignore[no-untyped-def]
        request = flask.request
        if request.path == "/oauth2/authorize":
            if request.args.get("code_challenge_method") != "S256" or not request.args.get("code_challenge"):
                return flask.jsonify(error="invalid_request", error_description="PKCE S256 is required"), 400
        if request.path == "/oauth2/token" and request.form.get("grant_type") == "authorization_code":
            challenge = challenges.pop(request.form.get("code", ""), None)
            verifier = request.form.get("code_verifier", "")
            if challenge is None or not verifier or not compare_s256_code_challenge(verifier, challenge):
                seen.append("no challenge" if challenge is None else "wrong verifier")
                return flask.jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
            seen.append("ok")
        return None

    @web.after_request
    def remember_challenge(response):  # type: ignore[no-untyped-def]
        request = flask.request
        if request.path == "/oauth2/authorize" and request.method == "POST" and response.status_code == 302:
            code = parse_qs(urlparse(response.location).query).get("code")
            if code:
                challenges[code[0]] = request.args["code_challenge"]
        return response

    server = werkzeug.serving.make_server("localhost", 0, web, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Idp(url=f"http://localhost:{server.server_port}", pkce=seen)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def _settings(db, idp: Idp, **changes: object) -> Settings:  # type: ignore[no-untyped-def]
    values: dict[str, object] = dict(database_url=db.url, job_workers=0, oidc_issuer=idp.url,
                                     oidc_client_id=CLIENT_ID, oidc_client_secret="s3cret", oidc_role_map=ROLE_MAP,
                                     oidc_name="Acme ID")
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def client(db, idp) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(create_app(_settings(db, idp), db)) as c:
        yield c


def _to_provider(client: TestClient, next_path: str = "/") -> str:
    """Start a sign-in at Centric; the authorization URL it redirects to."""
    start = client.get("/login/sso", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303, start.text
    return start.headers["location"]


def _choose(authorization_url: str, sub: str | None = None) -> str:
    """The user at the provider signs in as ``sub`` (None: refuses); where the provider sends the browser."""
    form = {"sub": sub} if sub else {"action": "deny"}
    answer = httpx.post(authorization_url, data=form)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def _sign_in(client: TestClient, sub: str, next_path: str = "/") -> httpx.Response:
    return client.get(_choose(_to_provider(client, next_path), sub), follow_redirects=False)


def _me(client: TestClient) -> httpx.Response:
    return client.get("/api/v1/me")


def _audits(db, action: str) -> list[AuditLog]:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def _user(db, email: str) -> User:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        user = s.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def test_first_sign_in_creates_the_user_with_the_highest_role_of_their_groups(db, idp, client):
    idp.user("u-1001", email="Mei.Chen@Example.com", email_verified=True, name="Mei Chen",
             groups=["cx-analysts", "cx-admins", "unrelated"])
    target = _to_provider(client, "/touchpoints")
    query = parse_qs(urlparse(target).query)
    assert target.startswith(idp.url + "/oauth2/authorize?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["client_id"] == [CLIENT_ID] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == ["http://testserver/login/sso/callback"]
    assert query["state"][0] and query["nonce"][0] and "code_verifier" not in query
    assert query["scope"] == ["openid email profile"]

    done = client.get(_choose(target, "u-1001"), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/touchpoints"
    assert idp.pkce == ["ok"]  # the provider got the verifier that matches the challenge
    me = _me(client)
    assert me.status_code == 200 and me.json()["email"] == "mei.chen@example.com"
    assert me.json()["role"] == "admin"

    user = _user(db, "mei.chen@example.com")
    assert (user.name, user.role, user.is_active, user.password_hash) == ("Mei Chen", "admin", True, sso.NO_PASSWORD)
    with db.reader() as s:
        link = s.scalars(select(SsoIdentity)).one()
    assert (link.user_id, link.issuer, link.subject) == (user.id, idp.url, "u-1001")
    assert link.groups == ["cx-analysts", "cx-admins", "unrelated"]
    assert _audits(db, "user.create")[0].detail == {"role": "admin", "via": "sso"}
    assert _audits(db, "user.login")[-1].detail == {"via": "sso"}
    # no password opens an account made by single sign-on
    page = client.get("/login")
    assert "Sign in with Acme ID" in page.text and 'name="password"' in page.text


def test_every_sign_in_sets_the_role_and_unmapped_groups_lose_access(db, idp, client):
    idp.user("u-2", email="ops@example.com", email_verified=True, name="Ops", groups=["cx-agents"])
    assert _sign_in(client, "u-2").status_code == 303
    assert _me(client).json()["role"] == "agent"
    with db.transaction() as s:  # a token made while the user had access
        token = create_token(s, s.get(User, _user(db, "ops@example.com").id), "notebook")[1]

    idp.user("u-2", email="ops@example.com", email_verified=True, name="Ops", groups=["cx-managers"])
    assert _sign_in(client, "u-2").status_code == 303
    assert _me(client).json()["role"] == "manager"
    change = _audits(db, "user.role_change")[-1]
    assert change.detail["from"] == "agent" and change.detail["to"] == "manager"

    kept = client.cookies.get("centric_session")
    idp.user("u-2", email="ops@example.com", email_verified=True, name="Ops", groups=["former-staff"])
    refused = _sign_in(client, "u-2")
    assert refused.status_code == 403
    assert "None of your groups at the sign-in provider gives access to Centric" in refused.text
    assert "centric_session" not in refused.headers.get("set-cookie", "")
    user = _user(db, "ops@example.com")
    assert not user.is_active
    assert _audits(db, "user.sso_deactivate")[0].entity_id == str(user.id)
    assert _audits(db, "user.login_failed")[-1].detail["reason"] == "no_role"
    # the session opened before, and the API token, stop working at once
    client.cookies.set("centric_session", kept or "")
    assert _me(client).status_code == 401
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401

    # back in a mapped group: the account that SSO deactivated comes back
    idp.user("u-2", email="ops@example.com", email_verified=True, name="Ops", groups=["cx-analysts"])
    assert _sign_in(client, "u-2").status_code == 303
    assert _me(client).json()["role"] == "analyst"
    assert len(_audits(db, "user.sso_reactivate")) == 1


def test_an_account_an_admin_disabled_stays_disabled(db, idp, client):
    idp.user("u-3", email="gone@example.com", email_verified=True, groups=["cx-agents"])
    assert _sign_in(client, "u-3").status_code == 303
    with db.transaction() as s:
        s.get(User, _user(db, "gone@example.com").id).is_active = False  # type: ignore[union-attr]
    client.cookies.clear()
    refused = _sign_in(client, "u-3")
    assert refused.status_code == 403 and "This account is disabled in Centric" in refused.text
    assert not _user(db, "gone@example.com").is_active


def test_unmapped_groups_are_refused_unless_a_default_role_is_set(db, idp, client):
    idp.user("u-4", email="new@example.com", email_verified=True, groups=["sales"])
    refused = _sign_in(client, "u-4")
    assert refused.status_code == 403 and "None of your groups" in refused.text
    with db.reader() as s:
        assert s.scalar(select(User).where(User.email == "new@example.com")) is None
    with TestClient(create_app(_settings(db, idp, oidc_default_role="viewer"), db)) as other:
        assert _sign_in(other, "u-4").status_code == 303
        assert _me(other).json()["role"] == "viewer"


def test_a_password_user_is_linked_only_when_the_provider_vouches_for_the_address(db, idp, client):
    with db.transaction() as s:
        agent_id = make_user(s, "agent").id
    idp.user("u-5", email="agent@example.com", email_verified=False, groups=["cx-managers"])
    refused = _sign_in(client, "u-5")
    assert refused.status_code == 403 and "does not vouch for the" in refused.text
    assert _user(db, "agent@example.com").role == "agent"

    idp.user("u-5", email="agent@example.com", email_verified=True, groups=["cx-managers"])
    assert _sign_in(client, "u-5").status_code == 303
    assert _me(client).json()["id"] == agent_id
    assert _user(db, "agent@example.com").role == "manager"
    assert len(_audits(db, "user.sso_link")) == 1

    # another identity at the provider claiming the same (verified) address is not let in
    client.cookies.clear()
    idp.user("u-6", email="agent@example.com", email_verified=True, groups=["cx-admins"])
    taken = _sign_in(client, "u-6")
    assert taken.status_code == 403 and "linked to another identity" in taken.text
    assert _user(db, "agent@example.com").role == "manager"


def test_the_provider_refusing_the_user_is_a_clear_403(db, idp, client):
    denied = client.get(_choose(_to_provider(client), None), follow_redirects=False)
    assert denied.status_code == 403
    assert "The sign-in provider refused the sign-in." in denied.text and "access_denied" in denied.text
    assert _me(client).status_code == 401
    assert _audits(db, "user.login_failed")[-1].detail["reason"].startswith("access_denied")


def test_forged_replayed_or_stale_answers_are_refused(db, idp, client):
    idp.user("u-7", email="eve@example.com", email_verified=True, groups=["cx-admins"])
    callback = _choose(_to_provider(client), "u-7")
    code = parse_qs(urlparse(callback).query)["code"][0]
    flow_cookie = client.cookies.get(sso.FLOW_COOKIE)

    tampered = client.get("/login/sso/callback?" + urlencode({"code": code, "state": "attacker"}),
                          follow_redirects=False)
    assert tampered.status_code == 403 and "does not belong to the sign-in this browser started" in tampered.text
    assert _me(client).status_code == 401
    # the flow cookie is spent by any answer: the genuine one now fails too
    assert client.get(callback, follow_redirects=False).status_code == 403

    # a callback without the browser's flow cookie (sent to a victim, or another browser) is refused
    with TestClient(create_app(_settings(db, idp), db)) as victim:
        stray = victim.get(callback, follow_redirects=False)
        assert stray.status_code == 403 and "started in another browser" in stray.text
        assert _me(victim).status_code == 401

    # a changed cookie does not open
    client.cookies.clear()
    changed_cookie = (flow_cookie or "")[:-4] + ("AAAA" if not (flow_cookie or "").endswith("AAAA") else "BBBB")
    changed = client.get(callback, headers={"Cookie": f"{sso.FLOW_COOKIE}={changed_cookie}"},
                         follow_redirects=False)
    assert changed.status_code == 403 and "its cookie was changed" in changed.text

    # a code issued to another flow, answered with this browser's state: PKCE stops it at the provider
    stolen = _choose(_to_provider(client), "u-7")
    mixed = client.get("/login/sso/callback?" + urlencode(
        {"code": code, "state": parse_qs(urlparse(stolen).query)["state"][0]}), follow_redirects=False)
    assert mixed.status_code == 400 and "did not accept this sign-in" in mixed.text
    assert idp.pkce[-1] == "wrong verifier"

    # a code used once already: refused by the provider, a 400, never a 500
    used = _choose(_to_provider(client), "u-7")
    assert client.get(used, follow_redirects=False).status_code == 303
    again = _choose(_to_provider(client), "u-7")
    replayed = client.get("/login/sso/callback?" + urlencode(
        {"code": parse_qs(urlparse(used).query)["code"][0], "state": parse_qs(urlparse(again).query)["state"][0]}),
        follow_redirects=False)
    assert replayed.status_code == 400 and "did not accept this sign-in" in replayed.text
    failures = [a.detail["reason"] for a in _audits(db, "user.login_failed")]
    assert failures[:3] == ["state mismatch", "no flow cookie", "no flow cookie"]
    assert "token endpoint: invalid_grant" in failures


def test_the_next_page_never_leaves_the_site(sqlite_db, idp):
    idp.user("u-8", email="nav@example.com", email_verified=True, groups=["cx-agents"])
    with TestClient(create_app(_settings(sqlite_db, idp), sqlite_db)) as client:
        for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
            client.cookies.clear()
            done = _sign_in(client, "u-8", target)
            assert done.status_code == 303 and done.headers["location"] == "/"


def test_password_login_can_be_turned_off_while_api_tokens_keep_working(db, idp):
    with db.transaction() as s:
        token = create_token(s, make_user(s, "analyst"), "cli")[1]
    with TestClient(create_app(_settings(db, idp, password_login=False), db)) as client:
        page = client.get("/login")
        assert page.status_code == 200
        assert "Sign in with Acme ID" in page.text and 'href="/login/sso?next=/"' in page.text
        assert 'name="password"' not in page.text and 'action="/login"' not in page.text
        refused = client.post("/login", data={"email": "analyst@example.com", "password": PASSWORD, "csrf": "x",
                                              "next": "/"}, follow_redirects=False)
        assert refused.status_code == 403 and "Password login is turned off" in refused.text
        assert "centric_session" not in refused.headers.get("set-cookie", "")
        assert client.get("/api/v1/me", headers=auth(token)).json()["email"] == "analyst@example.com"
        chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert "使用Acme ID登录" in chinese.text
        assert "此处已关闭密码登录" in client.post("/login", data={"email": "a@example.com", "password": "x"},
                                                 headers={"Accept-Language": "zh-CN"}).text


def test_groups_map_to_the_highest_role_from_the_environment(monkeypatch):
    monkeypatch.setenv("CENTRIC_OIDC_ROLE_MAP", '{"cx-admins": "admin", "cx-analysts": "analyst", '
                                                '"cx-agents": "agent", "hr-team": "hr"}')
    settings = Settings()
    assert sso.role_for(settings, ["cx-agents", "cx-analysts", "other"]) == "analyst"
    assert sso.role_for(settings, ["/cx-admins"]) == "admin"  # Keycloak's full group path
    assert sso.role_for(settings, ["hr-team", "cx-agents"]) == "agent"
    assert sso.role_for(settings, ["sales"]) is None
    assert sso.role_for(settings.model_copy(update={"oidc_default_role": "viewer"}), []) == "viewer"
    assert sso.groups_of({"groups": "cx-admins"}, "groups") == ["cx-admins"]
    assert sso.groups_of({"roles": ["a", 7, {"x": 1}]}, "roles") == ["a", "7"]
    assert sso.groups_of({}, "groups") == []
    with pytest.raises(sso.ProviderUnavailable):
        sso.role_for(settings.model_copy(update={"oidc_default_role": "root"}), [])


def test_an_unreachable_or_misconfigured_provider_is_a_page_not_a_500(sqlite_db, idp):
    db = sqlite_db
    with TestClient(create_app(_settings(db, idp, oidc_issuer="http://127.0.0.1:9"), db)) as client:
        down = client.get("/login/sso", follow_redirects=False)
        assert down.status_code == 503 and "cannot be reached" in down.text
        assert down.headers["Retry-After"]
    with TestClient(create_app(_settings(db, idp, oidc_issuer=idp.url + "/elsewhere"), db)) as client:
        assert client.get("/login/sso", follow_redirects=False).status_code == 503
    with TestClient(create_app(_settings(db, idp, oidc_role_map={"cx-admins": "owner"}), db)) as client:
        wrong = client.get("/login/sso", follow_redirects=False)
        assert wrong.status_code == 503 and "not configured correctly" in wrong.text and "owner" in wrong.text
    with TestClient(create_app(Settings(database_url=db.url, job_workers=0), db)) as client:
        assert client.get("/login/sso").status_code == 404
        assert "Sign in with" not in client.get("/login").text


def test_the_id_token_is_checked(sqlite_db, idp):
    """Signature, audience and nonce, with a real token from the provider."""
    db = sqlite_db
    provider = sso.Provider(_settings(db, idp))
    flow = sso.Flow.start("/")
    idp.user("u-10", email="t@example.com", groups=["cx-agents"])
    redirect_uri = "http://testserver/login/sso/callback"
    callback = _choose(provider.authorization_url(flow, redirect_uri), "u-10")
    code = parse_qs(urlparse(callback).query)["code"][0]
    answer = httpx.post(provider.metadata().token_endpoint, auth=(CLIENT_ID, "s3cret"), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "code_verifier": flow.verifier}).json()
    id_token = answer["id_token"]
    claims = provider.verify_id_token(id_token, flow.nonce, answer["access_token"])
    assert claims["sub"] == "u-10" and claims["aud"] in (CLIENT_ID, [CLIENT_ID]) and claims["iss"] == idp.url

    with pytest.raises(sso.SignInFailed) as wrong_nonce:
        provider.verify_id_token(id_token, "another-nonce")
    assert "nonce" in wrong_nonce.value.detail
    with pytest.raises(sso.SignInFailed) as wrong_audience:
        sso.Provider(_settings(db, idp, oidc_client_id="someone-else")).verify_id_token(id_token, flow.nonce)
    assert "aud" in wrong_audience.value.detail
    head, body, signature = id_token.split(".")
    forged = ".".join([head, body, signature[:-6] + ("AAAAAA" if signature[-6:] != "AAAAAA" else "BBBBBB")])
    with pytest.raises(sso.SignInFailed) as bad_signature:
        provider.verify_id_token(forged, flow.nonce)
    assert "Signature" in bad_signature.value.detail


def test_an_expired_id_token_is_refused(sqlite_db):
    db = sqlite_db
    with _provider(token_max_age=timedelta(minutes=-5)) as stale:  # issues tokens already expired
        stale.user("u-11", email="late@example.com", email_verified=True, groups=["cx-admins"])
        with TestClient(create_app(_settings(db, stale), db)) as client:
            late = _sign_in(client, "u-11")
            assert late.status_code == 400 and "could not be verified" in late.text and "exp" in late.text
            assert _me(client).status_code == 401
