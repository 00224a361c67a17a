"""Single sign-on with OpenID Connect: the authorization code flow with PKCE, and who may come in.

Authlib does the protocol's parts (the PKCE challenge, the authorization request, client
authentication at the token endpoint, the ID token's claim checks); joserfc, Authlib's JOSE
library, checks the ID token's signature against the provider's published keys (JWKS); httpx
carries the calls.

1. ``GET /login/sso`` makes a random ``state``, ``nonce`` and PKCE ``code_verifier``, seals
   them (AES-GCM under the installation key) into a short-lived cookie, and redirects to the
   provider's authorization endpoint with the S256 challenge.
2. ``GET /login/sso/callback`` opens the cookie, compares ``state``, exchanges the code (with
   the verifier) for tokens, verifies the ID token (signature, issuer, audience, expiry, nonce),
   and hands its claims to :func:`sign_in`.
3. :func:`sign_in` maps the user's groups to a role (the highest wins), finds the user by the
   provider's (issuer, subject) — or links an existing account whose address the provider says
   is verified, or creates one — and updates the role at every sign-in. A user whose groups no
   longer map is refused and deactivated.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlencode

import httpx
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts import sealing
from centric.accounts.models import SsoIdentity, User
from centric.accounts.roles import ROLES
from centric.accounts.service import audit, find_user
from centric.config import Settings
from centric.db import utcnow
from centric.errors import CentricError
from centric.i18n import N_

#: Roles from the least to the most powerful: among several mapped groups, the last one found wins.
ROLE_ORDER = ("viewer", "hr", "agent", "analyst", "manager", "admin")
#: What a user created by single sign-on has instead of a password hash: no password opens it.
NO_PASSWORD = "!sso"
FLOW_COOKIE = "centric_sso"
FLOW_PURPOSE = "sso-flow"
FLOW_TTL_S = 600
METADATA_TTL_S = 3600
CLOCK_LEEWAY_S = 60
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                                   "ES512", "EdDSA", "Ed25519"})


class SsoError(CentricError):
    """A sign-in that cannot go on: ``message`` is for people (in the catalog), ``detail`` technical."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail[:300]


class ProviderUnavailable(SsoError):
    """The OpenID provider cannot be reached, answers nonsense, or single sign-on is misconfigured."""

    status_code = 503


class SignInFailed(SsoError):
    """The provider refused the sign-in, or its answer did not hold up."""

    status_code = 400


class FlowRejected(SsoError):
    """The callback does not belong to a sign-in this browser started (no cookie, changed, expired, wrong state)."""

    status_code = 403


class ProviderRefused(SsoError):
    """The provider answered the authorization request with an error (the user is disabled there, or said no)."""

    status_code = 403


class NotConfigured(SsoError):
    status_code = 404


class Refused(SsoError):
    """Single sign-on refuses this person; :func:`sign_in` audited it, and the caller must commit."""

    status_code = 403


UNREACHABLE = N_("The sign-in provider cannot be reached or gave an unusable answer. Try again later; if it "
                 "persists, tell your administrator.")
MISCONFIGURED = N_("Single sign-on is not configured correctly. Tell your administrator.")
NOT_ACCEPTED = N_("The sign-in provider did not accept this sign-in. Start again.")
NOT_VERIFIED = N_("The sign-in provider's answer could not be verified. Start again.")
NOT_CONFIGURED = N_("Single sign-on is not configured here. Log in with your password.")
STATE_MISMATCH = N_("This sign-in answer does not belong to the sign-in this browser started. Start again.")
PROVIDER_REFUSED = N_("The sign-in provider refused the sign-in.")
FLOW_MISSING = N_("This sign-in expired or was started in another browser. Start again.")
FLOW_CHANGED = N_("This sign-in could not be checked: its cookie was changed. Start again.")
FLOW_EXPIRED = N_("This sign-in took too long and expired. Start again.")
NO_ROLE = N_("None of your groups at the sign-in provider gives access to Centric. Ask an administrator to add "
             "you to a group that does.")
DISABLED = N_("This account is disabled in Centric. Ask an administrator.")
NO_EMAIL = N_("The sign-in provider sent no e-mail address; it must release the 'email' claim to Centric. "
              "Tell your administrator.")
UNVERIFIED = N_("An account with this e-mail address exists, but the sign-in provider does not vouch for the "
                "address (email_verified), so the two are not linked. Ask an administrator.")
LINKED_ELSEWHERE = N_("This e-mail address belongs to an account linked to another identity at the sign-in "
                      "provider. Ask an administrator.")


@dataclass(frozen=True)
class Flow:
    """One sign-in in progress, kept sealed in the browser between the two redirects."""

    state: str
    nonce: str
    verifier: str
    next: str
    expires: int

    @classmethod
    def start(cls, next_path: str, now: float | None = None) -> Flow:
        return cls(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                   verifier=secrets.token_urlsafe(64), next=next_path,
                   expires=int((now or time.time()) + FLOW_TTL_S))

    def seal(self, key: bytes) -> str:
        body = {"s": self.state, "n": self.nonce, "v": self.verifier, "x": self.next, "e": self.expires}
        return sealing.seal(key, FLOW_PURPOSE, json.dumps(body, separators=(",", ":")))

    @classmethod
    def open(cls, key: bytes, sealed: str, now: float | None = None) -> Flow:
        """The flow of a sealed cookie; :class:`FlowRejected` if it is missing, changed or expired."""
        if not sealed:
            raise FlowRejected(FLOW_MISSING, "no flow cookie")
        try:
            body = json.loads(sealing.unseal(key, FLOW_PURPOSE, sealed))
            flow = cls(state=str(body["s"]), nonce=str(body["n"]), verifier=str(body["v"]), next=str(body["x"]),
                       expires=int(body["e"]))
        except (sealing.Unsealable, ValueError, KeyError, TypeError):
            raise FlowRejected(FLOW_CHANGED, "the flow cookie does not open") from None
        if flow.expires < (now or time.time()):
            raise FlowRejected(FLOW_EXPIRED, "the flow cookie expired")
        return flow


@dataclass(frozen=True)
class Metadata:
    """What the provider's discovery document says Centric needs."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]
    auth_method: str


class Provider:
    """The configured OpenID provider: its discovery document and keys, fetched when first needed.

    Both are kept for an hour; an ID token signed by a key not yet seen fetches the keys again
    (key rotation). A failed fetch is never kept, so the next sign-in tries again.
    """

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.transport = transport
        self._lock = threading.Lock()
        self._metadata: tuple[float, Metadata] | None = None
        self._keys: tuple[float, KeySet] | None = None

    def _client(self) -> httpx.Client:
        return httpx.Client(timeout=self.settings.oidc_timeout_s, transport=self.transport, follow_redirects=False,
                            headers={"Accept": "application/json"})

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            with self._client() as client:
                response = client.get(url)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(UNREACHABLE, f"{what}: {exc}") from exc
        if response.status_code != 200:
            raise ProviderUnavailable(UNREACHABLE, f"{what}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ProviderUnavailable(UNREACHABLE, f"{what}: not a JSON object")
        return body

    def metadata(self) -> Metadata:
        with self._lock:
            if self._metadata is not None and self._metadata[0] > time.monotonic():
                return self._metadata[1]
        issuer = self.settings.oidc_issuer.rstrip("/")
        doc = self._get_json(issuer + "/.well-known/openid-configuration", "discovery document")
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        missing = [name for name in needed if not isinstance(doc.get(name), str) or not doc[name]]
        if missing:
            raise ProviderUnavailable(UNREACHABLE, f"the discovery document lacks {', '.join(missing)}")
        if doc["issuer"].rstrip("/") != issuer:
            raise ProviderUnavailable(MISCONFIGURED, f"the discovery document names the issuer {doc['issuer']!r}, "
                                                     f"not CENTRIC_OIDC_ISSUER {self.settings.oidc_issuer!r}")
        offered = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = tuple(a for a in offered if a in ASYMMETRIC_ALGORITHMS) or ("RS256",)
        methods = doc.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        auth_method = "client_secret_basic" if "client_secret_basic" in methods else (
            "client_secret_post" if "client_secret_post" in methods else "client_secret_basic")
        userinfo = doc.get("userinfo_endpoint")
        found = Metadata(issuer=doc["issuer"], authorization_endpoint=doc["authorization_endpoint"],
                         token_endpoint=doc["token_endpoint"], jwks_uri=doc["jwks_uri"],
                         userinfo_endpoint=userinfo if isinstance(userinfo, str) and userinfo else None,
                         algorithms=algorithms, auth_method=auth_method)
        with self._lock:
            self._metadata = (time.monotonic() + METADATA_TTL_S, found)
        return found

    def keys(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if not refresh and self._keys is not None and self._keys[0] > time.monotonic():
                return self._keys[1]
        body = self._get_json(self.metadata().jwks_uri, "signing keys")
        listed = body.get("keys")
        if not isinstance(listed, list):
            raise ProviderUnavailable(UNREACHABLE, "signing keys: no 'keys' list")
        try:
            keys = KeySet.import_key_set({"keys": listed})
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise ProviderUnavailable(UNREACHABLE, f"signing keys: {exc}") from exc
        with self._lock:
            self._keys = (time.monotonic() + METADATA_TTL_S, keys)
        return keys

    def authorization_url(self, flow: Flow, redirect_uri: str) -> str:
        """Where the browser goes to sign in: the code flow with an S256 PKCE challenge, state and nonce."""
        uri = prepare_grant_uri(
            self.metadata().authorization_endpoint, client_id=self.settings.oidc_client_id, response_type="code",
            redirect_uri=redirect_uri, scope=self.settings.oidc_scopes, state=flow.state, nonce=flow.nonce,
            code_challenge=create_s256_code_challenge(flow.verifier), code_challenge_method="S256",
        )
        return str(uri)

    def exchange(self, code: str, flow: Flow, redirect_uri: str) -> dict[str, Any]:
        """The verified claims of the ID token the code is exchanged for (with the userinfo's, where needed)."""
        meta = self.metadata()
        body = urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                          "code_verifier": flow.verifier})
        auth = ClientAuth(self.settings.oidc_client_id, self.settings.oidc_client_secret, meta.auth_method)
        url, headers, body = auth.prepare("POST", meta.token_endpoint,
                                          {"Content-Type": "application/x-www-form-urlencoded"}, body)
        try:
            with self._client() as client:
                response = client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(UNREACHABLE, f"token endpoint: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise ProviderUnavailable(UNREACHABLE, f"token endpoint: HTTP {response.status_code}, not JSON")
        if response.status_code != 200 or "error" in answer:
            error = str(answer.get("error", response.status_code))[:80]
            if response.status_code >= 500:
                raise ProviderUnavailable(UNREACHABLE, f"token endpoint: {error}")
            raise SignInFailed(NOT_ACCEPTED, f"token endpoint: {error}")
        id_token, access_token = answer.get("id_token"), answer.get("access_token")
        if not isinstance(id_token, str) or not isinstance(access_token, str):
            raise SignInFailed(MISCONFIGURED, "no ID token: is 'openid' among CENTRIC_OIDC_SCOPES?")
        claims = self.verify_id_token(id_token, flow.nonce, access_token)
        if self.settings.oidc_groups_claim not in claims and meta.userinfo_endpoint:
            claims = self._with_userinfo(claims, access_token, meta.userinfo_endpoint)
        return claims

    def verify_id_token(self, id_token: str, nonce: str, access_token: str | None = None) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, expiry and nonce are checked."""
        meta = self.metadata()
        try:
            try:
                token = jwt.decode(id_token, self.keys(), algorithms=list(meta.algorithms))
            except InvalidKeyIdError:  # signed with a key published since: fetch the keys again, once
                token = jwt.decode(id_token, self.keys(refresh=True), algorithms=list(meta.algorithms))
            params: dict[str, Any] = {"nonce": nonce, "client_id": self.settings.oidc_client_id}
            if access_token:
                params["access_token"] = access_token
            claims = CodeIDToken(
                token.claims, token.header,
                {"iss": {"essential": True, "value": meta.issuer},
                 "aud": {"essential": True, "value": self.settings.oidc_client_id},
                 "sub": {"essential": True}, "exp": {"essential": True}},
                params,
            )
            claims.validate(leeway=CLOCK_LEEWAY_S)
        except JoseError as exc:
            raise SignInFailed(NOT_VERIFIED, f"ID token: {type(exc).__name__}: {exc}") from exc
        return dict(claims)

    def _with_userinfo(self, claims: dict[str, Any], access_token: str, endpoint: str) -> dict[str, Any]:
        """Claims the ID token leaves out (many providers send groups only here), for the same subject."""
        try:
            with self._client() as client:
                response = client.get(endpoint, headers={"Authorization": f"Bearer {access_token}"})
            info = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            info = None
        if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
            return claims
        return {**info, **claims}


def check_roles(settings: Settings) -> None:
    """:class:`ProviderUnavailable` unless every role the settings name exists."""
    for role in [*settings.oidc_role_map.values(), settings.oidc_default_role]:
        if role and role not in ROLES:
            raise ProviderUnavailable(MISCONFIGURED, f"unknown role {role!r} in CENTRIC_OIDC_ROLE_MAP or "
                                                     f"CENTRIC_OIDC_DEFAULT_ROLE (roles: {', '.join(ROLES)})")


def role_for(settings: Settings, groups: list[str]) -> str | None:
    """The highest role any of ``groups`` maps to, else ``CENTRIC_OIDC_DEFAULT_ROLE``, else None (refused)."""
    check_roles(settings)
    found = {settings.oidc_role_map[g] for g in _names(groups) if g in settings.oidc_role_map}
    if found:
        return max(found, key=ROLE_ORDER.index)
    return settings.oidc_default_role or None


def _names(groups: list[str]) -> list[str]:
    """Each group as sent, and without a leading ``/`` (Keycloak's full group paths)."""
    return [*groups, *(g.lstrip("/") for g in groups if g.startswith("/"))]


def groups_of(claims: dict[str, Any], claim: str) -> list[str]:
    """The groups claim as a list of strings (a single string counts as one group)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def _verified(claims: dict[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _display_name(claims: dict[str, Any], email: str) -> str:
    for key in ("name", "preferred_username"):
        if isinstance(claims.get(key), str) and claims[key].strip():
            return str(claims[key]).strip()[:200]
    parts = [claims.get("given_name"), claims.get("family_name")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return (joined or email.split("@")[0])[:200]


def sign_in(session: Session, settings: Settings, issuer: str, claims: dict[str, Any]) -> User:
    """The user the verified ``claims`` stand for, created, linked, updated or refused.

    Raises :class:`Refused` after writing what must stay (the audit entry, a deactivation):
    the caller commits and shows the message.
    """
    subject = str(claims.get("sub", ""))[:255]
    groups = groups_of(claims, settings.oidc_groups_claim)
    role = role_for(settings, groups)
    detail: dict[str, Any] = {"via": "sso", "groups": groups[:50]}
    identity = session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == issuer,
                                                        SsoIdentity.subject == subject))
    if identity is not None:
        found = session.get(User, identity.user_id)
        assert found is not None  # the foreign key holds it
        user = found
        if role is None:
            if user.is_active:
                user.is_active = False
                identity.disabled_by_sso = True
                audit(session, None, "user.sso_deactivate", "user", user.id, detail)
            _refuse(session, user.id, "no_role", detail, NO_ROLE)
        if not user.is_active:
            if not identity.disabled_by_sso:
                _refuse(session, user.id, "disabled", detail, DISABLED)
            user.is_active = True
            identity.disabled_by_sso = False
            audit(session, None, "user.sso_reactivate", "user", user.id, detail)
    else:
        if role is None:
            _refuse(session, None, "no_role", detail, NO_ROLE)
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email or len(email) > 320:
            _refuse(session, None, "no_email", detail, NO_EMAIL)
        assert isinstance(email, str)
        email = email.strip().lower()
        existing = find_user(session, email)
        if existing is not None:
            if not _verified(claims):
                _refuse(session, existing.id, "unverified_email", detail, UNVERIFIED)
            if not existing.is_active:
                _refuse(session, existing.id, "disabled", detail, DISABLED)
            other = session.scalar(select(SsoIdentity.id).where(SsoIdentity.user_id == existing.id,
                                                                SsoIdentity.issuer == issuer))
            if other is not None:
                _refuse(session, existing.id, "linked_elsewhere", detail, LINKED_ELSEWHERE)
            user = existing
            audit(session, None, "user.sso_link", "user", user.id, {"via": "sso"})
        else:
            assert role is not None
            user = User(email=email, name=_display_name(claims, email), role=role, password_hash=NO_PASSWORD)
            session.add(user)
            session.flush()
            audit(session, None, "user.create", "user", user.id, {"role": role, "via": "sso"})
        identity = SsoIdentity(user_id=user.id, issuer=issuer, subject=subject, groups=[], disabled_by_sso=False)
        session.add(identity)
    assert role is not None
    if user.role != role:
        audit(session, None, "user.role_change", "user", user.id, {"from": user.role, "to": role, **detail})
        user.role = role
    identity.groups = groups[:200]
    identity.last_login_at = utcnow()
    session.flush()
    return user


def _refuse(session: Session, user_id: int | None, reason: str, detail: dict[str, Any], message: str) -> NoReturn:
    audit(session, user_id, "user.login_failed", "user", user_id, {**detail, "reason": reason})
    raise Refused(message, reason)
