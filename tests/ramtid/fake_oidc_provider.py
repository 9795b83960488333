"""A small but real OpenID Connect provider for the single sign-on tests (test_oidc.py).

It listens on 127.0.0.1 in a thread and speaks HTTP as a municipality's provider would: a
discovery document, an authorization endpoint that signs in whoever the test says and sends the
browser back with a code, a token endpoint that checks the client, the code, the redirect URI and
the PKCE verifier and answers with an RS256-signed id token, a userinfo endpoint, the public keys
and an end-session endpoint. `mischief` makes it misbehave the ways a forged or broken answer
would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "ramtid-test"
CLIENT_SECRET = "inte-en-riktig-hemlighet"
KEY_ID = "nyckel-1"

# Made once: an RSA key takes a moment. The provider publishes the first; the second is what a
# forger would sign with.
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_FORGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

# The ways the provider can misbehave.
WRONG_KEY = "wrong_key"  # signed by a key it does not publish, under its key's id
WRONG_NONCE = "wrong_nonce"
WRONG_AUDIENCE = "wrong_audience"
WRONG_ISSUER = "wrong_issuer"
EXPIRED = "expired"
UNSIGNED = "unsigned"  # alg "none"
OTHER_SUBJECT = "other_subject"  # userinfo about someone else than the id token


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeProvider:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.provider = self
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        # Who signs in at the provider next: the claims of the id token and userinfo.
        self.claims: dict = {"sub": "sub-anna", "preferred_username": "anna"}
        self.mischief: str | None = None
        self.end_session = True
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.requests: list[str] = []  # method and path of every request, in order
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }
        if self.end_session:
            document["end_session_endpoint"] = f"{self.issuer}/logout"
        return document

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(_KEY.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict[str, str]) -> str:
        """Signs in `claims` and answers with where the browser goes back to."""
        assert query["response_type"] == "code"
        assert query["client_id"] == CLIENT_ID
        assert "openid" in query["scope"].split()
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "claims": dict(self.claims),
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "code_challenge": query["code_challenge"],
        }
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        if _b64url(hashlib.sha256(verifier.encode()).digest()) != grant["code_challenge"]:
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = grant["claims"]
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant["claims"], grant["nonce"]),
        }

    def id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **claims,
        }
        key, algorithm = _KEY, "RS256"
        if self.mischief == WRONG_KEY:
            key = _FORGER_KEY
        elif self.mischief == WRONG_NONCE:
            payload["nonce"] = "en-annan-inloggnings-nonce"
        elif self.mischief == WRONG_AUDIENCE:
            payload["aud"] = "en-annan-tjanst"
        elif self.mischief == WRONG_ISSUER:
            payload["iss"] = "https://login.example.org"
        elif self.mischief == EXPIRED:
            payload["iat"], payload["exp"] = now - 3600, now - 1800
        elif self.mischief == UNSIGNED:
            key, algorithm = None, "none"
        return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": KEY_ID})

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        claims = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if claims is None:
            return 401, {"error": "invalid_token"}
        if self.mischief == OTHER_SUBJECT:
            return 200, {**claims, "sub": "sub-någon-annan"}
        return 200, claims


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format, *args) -> None:  # quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        provider: FakeProvider = self.server.provider
        address = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(address.query).items()}
        provider.requests.append(f"GET {address.path}")
        if address.path == "/.well-known/openid-configuration":
            self._json(200, provider.discovery())
        elif address.path == "/jwks":
            self._json(200, provider.jwks())
        elif address.path == "/authorize":
            self._redirect(provider.authorize(query))
        elif address.path == "/userinfo":
            self._json(*provider.userinfo(self.headers.get("Authorization", "")))
        elif address.path == "/logout":
            provider.requests[-1] += f" {json.dumps(query, sort_keys=True)}"
            self._redirect(query["post_logout_redirect_uri"])
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        provider: FakeProvider = self.server.provider
        provider.requests.append(f"POST {self.path}")
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if self.path == "/token":
            self._json(*provider.token(form))
        else:
            self._json(404, {"error": "not_found"})
