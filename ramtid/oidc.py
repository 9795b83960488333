"""Single sign-on through OpenID Connect against the municipality's identity provider
(mozilla-django-oidc; settings.single_sign_on, README "Säkerhet och dataskydd").

Off unless RAMTID_OIDC_ISSUER is set: then `urlpatterns` below are added to the site, the login
page offers "Logga in med kommunens inloggning", and OIDCBackend follows the lockout's and the
password's backends. The flow is the authorization code flow with PKCE, a state and a nonce kept
in the session.

Sign-on creates no users and grants nothing: the provider says who the person is, and she is
matched to an existing, active Ramtid account that is not an integration account, by the claim
RAMTID_OIDC_CLAIM against the field RAMTID_OIDC_USER_FIELD, case-insensitively. What she may do
comes from her roles in Ramtid, which a second person approved; nothing the provider sends
(groups, roles) is read. Anyone else gets a Swedish message on the login page, and passwords keep
working alongside.

The provider's endpoints come from its discovery document, fetched on the first sign-in through
it and kept for an hour, so that starting the site or a management command never waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import View
from mozilla_django_oidc import auth as oidc_auth
from mozilla_django_oidc import views as oidc_views

from ramtid.models import User

logger = logging.getLogger(__name__)

BACKEND = "ramtid.oidc.OIDCBackend"
# How long the discovery document is kept before it is fetched again.
DISCOVERY_SECONDS = 3600
# Seconds of clock difference between us and the provider that the id token's times may have.
LEEWAY_SECONDS = 60

# Why a sign-in through the provider was refused: set on the request by the backend, read by the
# callback view for the message on the login page.
REFUSAL = "ramtid_oidc_refusal"
UNKNOWN = "unknown"
AMBIGUOUS = "ambiguous"
INACTIVE = "inactive"
NO_CLAIM = "no_claim"
REJECTED = "rejected"
UNAVAILABLE = "unavailable"
CANCELLED = "cancelled"
MESSAGES = {
    UNKNOWN: (
        "Det finns inget konto i Ramtid för den du loggade in som hos kommunens inloggning. Be "
        "kommunens administratör om ett konto, eller logga in med användarnamn och lösenord."
    ),
    AMBIGUOUS: (
        "Flera konton i Ramtid passar den du loggade in som hos kommunens inloggning, så inget "
        "av dem kan väljas. Kontakta kommunens administratör."
    ),
    INACTIVE: "Ditt konto i Ramtid är avstängt. Kontakta kommunens administratör.",
    NO_CLAIM: (
        "Kommunens inloggning skickade inte det som Ramtid känner igen dig på. Kontakta "
        "kommunens administratör."
    ),
    REJECTED: (
        "Inloggningen via kommunens inloggning kunde inte godkännas. Försök igen, eller logga in "
        "med användarnamn och lösenord."
    ),
    UNAVAILABLE: (
        "Kommunens inloggning svarar inte just nu. Försök igen om en stund, eller logga in med "
        "användarnamn och lösenord."
    ),
    CANCELLED: (
        "Inloggningen via kommunens inloggning avbröts. Försök igen, eller logga in med "
        "användarnamn och lösenord."
    ),
}


class ProviderUnavailable(Exception):
    """The identity provider did not answer, or answered with something unusable."""


@dataclass(frozen=True)
class Provider:
    """The endpoints of the provider's discovery document that the sign-in uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str  # "" when the provider has none: the id token's claims are used
    end_session_endpoint: str  # "" when the provider has none: sign-out ends only ours


_discovered: dict[str, tuple[float, Provider]] = {}
_discovered_lock = threading.Lock()


def _same_origin(url: str, issuer: str) -> bool:
    one, other = urlsplit(url), urlsplit(issuer)
    return (one.scheme, one.netloc) == (other.scheme, other.netloc)


def provider() -> Provider:
    """The configured provider's endpoints, from its discovery document (OpenID Connect
    Discovery 1.0 §4), fetched at most once an hour per process. A failure is not kept: the
    next sign-in asks again."""
    issuer = settings.RAMTID_OIDC_ISSUER
    with _discovered_lock:
        cached = _discovered.get(issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery document: {error}") from error
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        # §4.3: the issuer it names must be the one asked; anything else is another provider.
        raise ProviderUnavailable("the discovery document names another issuer")
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or urlsplit(value).scheme != urlsplit(issuer).scheme:
            raise ProviderUnavailable(f"the discovery document has no usable {name}")
        endpoints[name] = value
    for name in ("userinfo_endpoint", "end_session_endpoint"):
        value = document.get(name)
        usable = isinstance(value, str) and urlsplit(value).scheme == urlsplit(issuer).scheme
        endpoints[name] = value if usable else ""
    found = Provider(issuer=issuer, **endpoints)
    with _discovered_lock:
        _discovered[issuer] = (time.monotonic(), found)
    return found


class OIDCBackend(oidc_auth.OIDCAuthenticationBackend):
    """Authenticates the callback of a sign-in through the provider, and nothing else: a
    password sign-in passes by (the backends before it handle those)."""

    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs) -> None:
        # Not the parent's __init__: it reads the provider's endpoints, and Django makes the
        # backend for every sign-in, password ones too, which must not wait for the provider.
        self.UserModel = User

    # The parent reads these as attributes; here they come from settings and discovery when
    # a sign-in through the provider needs them.
    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return provider().token_endpoint

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return provider().userinfo_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider().jwks_uri

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self) -> str:
        return settings.OIDC_RP_SIGN_ALGO

    def authenticate(
        self, request: HttpRequest | None, nonce: str | None = None, **kwargs
    ) -> User | None:
        # Only the callback view's call, which passes the nonce it kept (and the PKCE verifier).
        if request is None or nonce is None or set(kwargs) - {"code_verifier"}:
            return None
        try:
            return super().authenticate(request, nonce=nonce, **kwargs)
        except ProviderUnavailable as error:
            logger.warning("OIDC sign-in: the provider is unavailable: %s", error)
            setattr(request, REFUSAL, UNAVAILABLE)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else None
            # The token endpoint refuses a used, expired or forged code with a 4xx.
            logger.warning("OIDC sign-in: the provider answered %s", status)
            setattr(request, REFUSAL, REJECTED if status and status < 500 else UNAVAILABLE)
        except (requests.RequestException, ValueError) as error:
            logger.warning("OIDC sign-in: the provider is unavailable: %s", type(error).__name__)
            setattr(request, REFUSAL, UNAVAILABLE)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError) as error:
            logger.warning("OIDC sign-in refused: %s", error)
            setattr(request, REFUSAL, REJECTED)
        return None

    def verify_token(self, token: str, **kwargs) -> dict:
        """The token's signature by one of the provider's published keys, with the algorithm
        configured (never "none", never the client secret), and the claims OpenID Connect Core
        §3.1.3.7 asks a client to check: issuer, audience, expiry, and the nonce of this
        sign-in. The parent checks the signature and nonce only. Without a nonce (a signed
        userinfo answer) the token need not carry times."""
        id_token = "nonce" in kwargs
        algorithm = self.OIDC_RP_SIGN_ALGO
        if jwt.get_unverified_header(token).get("alg") != algorithm:
            raise SuspiciousOperation("the token is not signed with the configured algorithm")
        key = self.retrieve_matching_jwk(token)
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.RAMTID_OIDC_ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "sub", "exp", "iat"] if id_token else ["sub"]},
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("the token is for several audiences, not authorized for us")
        if id_token and claims.get("nonce") != kwargs["nonce"]:
            raise SuspiciousOperation("the token's nonce is not this sign-in's")
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict) -> dict:
        """The id token's claims, with the userinfo endpoint's on top when the provider has one
        (§5.3.2: it must speak of the same subject)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("the userinfo answer is about another subject")
            claims.update(userinfo)
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User | None:
        """The one active personal account the provider's user is; never a new one."""
        claims = self.get_userinfo(access_token, id_token, payload)
        claim, field = settings.RAMTID_OIDC_CLAIM, settings.RAMTID_OIDC_USER_FIELD
        value = claims.get(claim)
        if not isinstance(value, str) or not value.strip():
            logger.warning("OIDC sign-in refused: the provider sent no %s", claim)
            return self._refuse(NO_CLAIM)
        # An integration account is a system's, for API tokens; no person signs in as one.
        users = list(
            User.objects.filter(
                **{f"{field}__iexact": value.strip()}, is_integration_account=False
            ).order_by("pk")[:2]
        )
        if not users:
            logger.info("OIDC sign-in refused: no account matches the provider's user")
            return self._refuse(UNKNOWN)
        if len(users) > 1:
            logger.warning("OIDC sign-in refused: several accounts have the same %s", field)
            return self._refuse(AMBIGUOUS)
        if not self.user_can_authenticate(users[0]):
            logger.info("OIDC sign-in refused: the account is inactive")
            return self._refuse(INACTIVE)
        return users[0]

    def _refuse(self, reason: str) -> None:
        setattr(self.request, REFUSAL, reason)

    def get_user(self, user_id):
        # Django's: an account made inactive since signing in is signed out on its next request.
        return ModelBackend.get_user(self, user_id)


def _to_login(request: HttpRequest, reason: str) -> HttpResponse:
    messages.error(request, MESSAGES[reason])
    return redirect("login")


class AuthenticationRequestView(oidc_views.OIDCAuthenticationRequestView):
    """ "Logga in med kommunens inloggning": to the provider's authorization endpoint, with a
    state, a nonce and a PKCE challenge kept in the session."""

    def __init__(self, **kwargs) -> None:
        # Not the parent's __init__: it reads the endpoint from settings; it is discovered.
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except ProviderUnavailable as error:
            logger.warning("OIDC sign-in: the provider is unavailable: %s", error)
            return _to_login(request, UNAVAILABLE)
        return super().get(request)


class CallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs the matched user in and goes on to
    where she was going, or back to the login page with what went wrong."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # A state this session did not start (forged, or used already).
            logger.warning("OIDC sign-in refused: %s", error)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error"):
            # The user cancelled at the provider, or it refused her.
            logger.info("OIDC sign-in: the provider answered %s", self.request.GET["error"][:50])
            reason = CANCELLED
        else:
            reason = getattr(self.request, REFUSAL, REJECTED)
        return _to_login(self.request, reason)


class LogoutView(auth_views.LogoutView):
    """Django's sign-out; a session that signed in through the provider is then sent to the
    provider's end-session endpoint (RP-Initiated Logout 1.0), which ends the session there too
    and returns to the login page, unless RAMTID_OIDC_END_PROVIDER_SESSION is off."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        at_provider = _end_session_url(request)  # before signing out empties the session
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(at_provider) if at_provider else response


def _end_session_url(request: HttpRequest) -> str:
    if not settings.RAMTID_OIDC_ISSUER or not settings.RAMTID_OIDC_END_PROVIDER_SESSION:
        return ""
    if request.session.get(BACKEND_SESSION_KEY) != BACKEND:
        return ""
    try:
        endpoint = provider().end_session_endpoint
    except ProviderUnavailable as error:
        logger.warning("OIDC sign-out: the provider is unavailable: %s", error)
        return ""
    # The content security policy lets the sign-out form go on to the issuer's origin only.
    if not endpoint or not _same_origin(endpoint, settings.RAMTID_OIDC_ISSUER):
        return ""
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    if id_token := request.session.get("oidc_id_token"):
        query["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


# Added to the site only when single sign-on is on (ramtid/urls.py). The callback's address is
# the redirect URI to register with the provider: https://<the site>/oidc/callback/.
urlpatterns = [
    path("oidc/logga-in/", AuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
]
