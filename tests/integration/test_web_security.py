"""Security headers, cookies, triage's safe rendering, Entra sign-in and /metrics."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

from bot.store.database import Database
from bot.web.auth import Identity
from bot.web.config import OidcConfig, WebConfig
from bot.web.oidc import CLIENT_FACTORY_KEY
from tests.browser.webapp import (
    ADMIN_TOKEN,
    access_store,
    add_conference,
    add_triage,
    build_web_app,
    client_for,
    csrf_for,
    headers_for,
    sign_in_link,
)

TEAMS = "'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft"


async def test_pages_carry_csp_without_inline_script_and_refuse_framing(
    database: Database,
) -> None:
    app, _, _ = build_web_app(database)
    client = await client_for(app)
    try:
        response = await client.get("/", headers=headers_for("admin"))
        body = await response.text()
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "img-src 'self' data:" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script>" not in body and "style=" not in body
        # Even a redirect to sign-in carries the headers.
        anonymous = await client.get("/", allow_redirects=False)
        assert "frame-ancestors 'none'" in anonymous.headers["Content-Security-Policy"]
    finally:
        await client.close()


async def test_only_the_chair_console_may_be_framed_by_teams(database: Database) -> None:
    app, _, _ = build_web_app(database)
    client = await client_for(app)
    try:
        console = await client.get("/console/1", headers=headers_for("chair"))
        assert f"frame-ancestors {TEAMS}" in console.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in console.headers
        other = await client.get("/conferences", headers=headers_for("chair"))
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    finally:
        await client.close()


async def test_sign_in_cookie_is_httponly_lax_and_secure_behind_https(database: Database) -> None:
    app, _, _ = build_web_app(database, config=WebConfig(public_url="https://confbot.example"))
    client = await client_for(app)
    try:
        response = await client.get(sign_in_link(), allow_redirects=False)
        cookie = response.headers["Set-Cookie"]
        assert response.status == 302
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
        assert "Strict-Transport-Security" in response.headers
        wrong = await client.get("/signin?code=guess", allow_redirects=False)
        assert wrong.status == 401 and "Set-Cookie" not in wrong.headers
    finally:
        await client.close()


async def test_triage_shows_the_email_without_script_styles_or_remote_images(
    database: Database,
) -> None:
    app, repo, _ = build_web_app(database)
    hostile = (
        '<p onclick="steal()">Please book an <b>ICPC</b>.</p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif" alt="logo"><style>body{display:none}</style>'
        '<a href="javascript:alert(1)">click</a><iframe src="https://evil.example"></iframe>'
    )
    item = add_triage(repo, hostile)
    client = await client_for(app)
    try:
        body = await (await client.get(f"/triage/{item}", headers=headers_for("mts"))).text()
    finally:
        await client.close()
    mail = body.split('class="mail-body">')[1].split("</div>")[0]
    assert "<p>Please book an <b>ICPC</b>.</p>" in mail
    for bad in ("<script", "onclick", "tracker.example", "<style", "javascript:", "<iframe"):
        assert bad not in mail, bad
    assert "[image not shown: logo]" in mail
    assert "The date of the strategy discussion is missing." in body


async def test_resolving_and_creating_from_triage_close_the_item(database: Database) -> None:
    app, repo, _ = build_web_app(database)
    first, second = add_triage(repo, "<p>one</p>"), add_triage(repo, "two", body_type="text")
    headers = headers_for("mts")
    csrf = csrf_for(headers)
    client = await client_for(app)
    try:
        empty = await client.post(
            f"/triage/{first}/resolve", data={"csrf": csrf, "resolution": " "}, headers=headers
        )
        assert empty.status == 400
        done = await client.post(
            f"/triage/{first}/resolve",
            data={"csrf": csrf, "resolution": "Duplicate of another request."},
            headers=headers,
            allow_redirects=False,
        )
        assert done.status == 303
        created = await client.post(
            f"/triage/{second}/create",
            data={"csrf": csrf, "type": "RCPC", "playbook": "leeds", "social_worker": "R Test"},
            headers=headers,
            allow_redirects=False,
        )
        assert created.status == 303
        cid = int(created.headers["Location"].rsplit("/", 1)[1])
        assert repo.get_conference(cid).playbook == "leeds"
        assert repo.list_triage() == []
    finally:
        await client.close()


class FakeMsal:
    """Stands in for msal.ConfidentialClientApplication: checks state like msal does."""

    def __init__(self, claims: dict[str, Any]) -> None:
        self.claims = claims

    def initiate_auth_code_flow(
        self, scopes: list[str], redirect_uri: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return {
            "state": "s-123",
            "code_verifier": "v" * 43,
            "nonce": "n-1",
            "redirect_uri": redirect_uri,
            "auth_uri": "https://login.microsoftonline.com/t/oauth2/v2.0/authorize?state=s-123"
            "&code_challenge=abc&code_challenge_method=S256",
        }

    def acquire_token_by_auth_code_flow(
        self, auth_code_flow: dict[str, Any], auth_response: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        if auth_response.get("state") != auth_code_flow["state"]:
            raise ValueError("state mismatch")
        return {"id_token_claims": self.claims}


def _oidc_app(database: Database, claims: dict[str, Any]) -> Any:
    oidc = OidcConfig("t", "client", "secret", {"group-mts": "mts", "Confbot.Chair": "chair"})
    config = WebConfig(public_url="https://confbot.example", oidc=oidc, sandbox_sign_in=False)
    app, _, _ = build_web_app(database, config=config)
    app[CLIENT_FACTORY_KEY] = lambda _settings: FakeMsal(claims)
    return app


async def test_entra_sign_in_maps_a_group_to_a_role_and_starts_a_session(
    database: Database,
) -> None:
    claims = {"preferred_username": "Pat.Admin@Council.example", "groups": ["group-mts"]}
    client = await client_for(_oidc_app(database, claims))
    try:
        page = await (await client.get("/signin")).text()
        assert "Sign in with Microsoft" in page
        # A sandbox link does nothing once Entra sign-in is set up.
        sandbox = await client.get(sign_in_link(), allow_redirects=False)
        assert sandbox.status == 401 and "Set-Cookie" not in sandbox.headers
        start = await client.get("/signin/microsoft", allow_redirects=False)
        assert start.status == 302
        query = parse_qs(urlparse(start.headers["Location"]).query)
        assert query["code_challenge_method"] == ["S256"]
        flow = start.cookies["confbot_signin_flow"].value
        forged = await client.get(
            "/signin/callback?code=c&state=s-123",
            headers={"Cookie": f"confbot_signin_flow={flow}x"},
            allow_redirects=False,
        )
        assert forged.status == 400
        done = await client.get(
            "/signin/callback?code=c&state=s-123",
            headers={"Cookie": f"confbot_signin_flow={flow}"},
            allow_redirects=False,
        )
        assert done.status == 302 and done.headers["Location"] == "/"
        session = done.cookies["confbot_session"]
        # The cookie is an opaque id; the store knows whom it signs in.
        assert "pat.admin" not in session.value
        assert access_store().session(session.value) == Identity("pat.admin@council.example", "mts")
        assert session["httponly"] and session["secure"] and session["samesite"] == "Lax"
    finally:
        await client.close()


async def test_entra_account_without_a_confbot_role_is_refused(database: Database) -> None:
    client = await client_for(_oidc_app(database, {"preferred_username": "x@council.example"}))
    try:
        start = await client.get("/signin/microsoft", allow_redirects=False)
        flow = start.cookies["confbot_signin_flow"].value
        response = await client.get(
            "/signin/callback?code=c&state=s-123",
            headers={"Cookie": f"confbot_signin_flow={flow}"},
            allow_redirects=False,
        )
        assert response.status == 403 and "no confbot role" in await response.text()
        assert "confbot_session" not in response.cookies
    finally:
        await client.close()


async def test_metrics_count_requests_by_route_without_ids(database: Database) -> None:
    app, repo, _ = build_web_app(database)
    cid = add_conference(repo)
    client = await client_for(app)
    try:
        await client.get(f"/conferences/{cid}", headers=headers_for("admin"))
        text = await (
            await client.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        ).text()
    finally:
        await client.close()
    assert "# TYPE confbot_http_requests_total counter" in text
    assert 'route="/conferences/{conference_id}",status="200"' in text
    assert f"/conferences/{cid}" not in text
    assert "confbot_jobs_late NaN" in text and "confbot_graph_throttled_total NaN" in text
