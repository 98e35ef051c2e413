//! The authorization server and hosted sign-in page, driven over HTTP like a browser
//! (cookies kept by hand, redirects not followed) and an app's back end.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::types::{
    OAuthFlowType, TimeUnitsType, TokenValidityUnitsType,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::{claims, verifies_with};
use crate::common::{start, Emulator};

const PASSWORD: &str = "Perm4nent!pass";
pub const CALLBACK: &str = "http://localhost:3000/callback";
const SIGN_OUT: &str = "http://localhost:3000/signed-out";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// A browser: keeps cookies, follows no redirects.
pub struct Browser {
    pub base: String,
    http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    /// A `Host` header to send (a pool's domain mapped to the emulator).
    pub host: Option<String>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Browser {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            host: None,
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let request = match &self.host {
            Some(host) => request.header("host", host),
            None => request,
        };
        let response = request
            .header("cookie", cookie.join("; "))
            .send()
            .await
            .unwrap();
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        Page {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string()),
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let url = format!("{}{path}", self.base);
        let request = self.http.get(url);
        self.send(request).await
    }

    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let url = format!("{}{path}", self.base);
        let request = self.http.post(url).form(form);
        self.send(request).await
    }

    /// Loads the sign-in page a redirect points at and submits it.
    pub async fn sign_in(&mut self, login_path: &str, username: &str, password: &str) -> Page {
        let page = self.get(login_path).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = hidden_value(&page.body, "_csrf");
        self.post_form(
            login_path,
            &[
                ("_csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }
}

/// The value of a hidden input of a page.
pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// The query parameters of a redirect location.
pub fn query_of(location: &str) -> BTreeMap<String, String> {
    let query = location
        .split_once(['?', '#'])
        .map(|(_, q)| q)
        .unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// A pool with a user and a public client for the code flow; returns (pool, client).
async fn code_flow_pool(emulator: &Emulator) -> (String, String) {
    let pool = emulator.pool("oauth").await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("alice@example.com")
                .build()
                .unwrap(),
        )
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("name")
                .value("Alice")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool, "alice", PASSWORD).await;
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows(OAuthFlowType::Implicit)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .callback_urls(CALLBACK)
        .logout_urls(SIGN_OUT)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    (pool, client)
}

pub fn authorize_path(client: &str, extra: &str) -> String {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    format!(
        "/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&state=st%201&scope=openid+email&code_challenge={challenge}&code_challenge_method=S256&nonce=n-0S6{extra}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    )
}

pub async fn token_request(
    emulator: &Emulator,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, Value) {
    let mut request = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .form(form);
    if let Some((id, secret)) = basic {
        request = request.header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn code_flow_with_pkce_session_refresh_revoke_and_logout() {
    let emulator = start().await;
    let (pool, client) = code_flow_pool(&emulator).await;
    let mut browser = Browser::new(&emulator.url);

    // No session yet: to the sign-in page, with the same parameters.
    let authorize = authorize_path(&client, "");
    let page = browser.get(&authorize).await;
    assert_eq!(page.status, 302);
    let login = page.location.unwrap();
    assert!(
        login.starts_with("/login?response_type=code&client_id="),
        "{login}"
    );

    // A wrong password shows Cognito's message; a form without the CSRF token is refused.
    let page = browser.sign_in(&login, "alice", "wrong-Passw0rd!").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Incorrect username or password."),
        "{}",
        page.body
    );
    let forged = browser
        .post_form(&login, &[("username", "alice"), ("password", PASSWORD)])
        .await;
    assert_eq!(forged.status, 403);

    let page = browser.sign_in(&login, "alice", PASSWORD).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let params = query_of(&location);
    assert_eq!(params["state"], "st 1");
    let code = params["code"].clone();
    assert!(browser.cookies.contains_key(&format!("cognito_{pool}")));

    // A wrong verifier spends the code.
    let (status, body) = token_request(
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &VERIFIER.replace('d', "e")),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, body) = token_request(
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Within the hosted session, authorize answers at once.
    let page = browser.get(&authorize).await;
    let location = page.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let code = query_of(&location)["code"].clone();
    let (status, tokens) = token_request(
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let jwks = emulator
        .get_json(&format!("{}/{pool}/.well-known/jwks.json", emulator.url))
        .await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let access_token = tokens["access_token"].as_str().unwrap();
    assert!(verifies_with(id_token, &jwks) && verifies_with(access_token, &jwks));
    let id = claims(id_token);
    assert_eq!(id["nonce"], "n-0S6");
    assert_eq!(id["aud"], client.as_str());
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["cognito:username"], "alice");
    let expected_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16]);
    assert_eq!(id["at_hash"], expected_hash.as_str());
    let access = claims(access_token);
    assert_eq!(access["scope"], "openid email");
    assert_eq!(access["version"], 2);
    assert_eq!(access["client_id"], client.as_str());
    assert_eq!(access["username"], "alice");
    assert_eq!(access["auth_time"], id["auth_time"]);

    // userInfo: the email scope's claims, verified flags as strings; not the profile's.
    let info: Value = emulator
        .http
        .get(format!("{}/oauth2/userInfo", emulator.url))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], id["sub"]);
    assert_eq!(info["email"], "alice@example.com");
    assert_eq!(info["email_verified"], "true");
    assert_eq!(info["username"], "alice");
    assert!(info.get("name").is_none(), "{info}");
    // prompt=login asks for a sign-in even within the session; userInfo answers POST too.
    let page = browser.get(&authorize_path(&client, "&prompt=login")).await;
    assert!(page.location.unwrap().starts_with("/login?"));
    let posted: Value = emulator
        .http
        .post(format!("{}/oauth2/userInfo", emulator.url))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(posted["username"], "alice");

    let refused = emulator
        .http
        .get(format!("{}/oauth2/userInfo", emulator.url))
        .bearer_auth(id_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    assert!(refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));

    // Refresh keeps the scopes; revoking the refresh token ends it.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = token_request(
        &emulator,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(refreshed.get("refresh_token").is_none());
    assert_eq!(
        claims(refreshed["access_token"].as_str().unwrap())["scope"],
        "openid email"
    );
    let revoked = emulator
        .http
        .post(format!("{}/oauth2/revoke", emulator.url))
        .form(&[("token", refresh), ("client_id", client.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    let (status, body) = token_request(
        &emulator,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", refresh),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // Logout ends the session: authorize asks for a sign-in again.
    let out = format!(
        "/logout?client_id={client}&logout_uri={}",
        url::form_urlencoded::byte_serialize(SIGN_OUT.as_bytes()).collect::<String>()
    );
    let page = browser.get(&out).await;
    assert_eq!(
        (page.status, page.location.as_deref()),
        (302, Some(SIGN_OUT))
    );
    assert!(!browser.cookies.contains_key(&format!("cognito_{pool}")));
    let page = browser.get(&authorize).await;
    assert!(page.location.unwrap().starts_with("/login?"));
    let bad = browser
        .get(&format!(
            "/logout?client_id={client}&logout_uri=https%3A%2F%2Fevil.example"
        ))
        .await;
    assert_eq!(bad.status, 400);
    // The other form of logout goes back to the sign-in page with the same parameters.
    let again = format!(
        "/logout?client_id={client}&response_type=code&redirect_uri={}&state=z",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let page = browser.get(&again).await;
    assert_eq!(page.status, 302);
    assert!(page
        .location
        .unwrap()
        .starts_with(&format!("/login?client_id={client}&response_type=code")));
    emulator.stop().await;
}

#[tokio::test]
async fn authorize_errors_are_shown_or_sent_back_as_cognito_does() {
    let emulator = start().await;
    let (_, client) = code_flow_pool(&emulator).await;
    let mut browser = Browser::new(&emulator.url);
    let callback = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>();

    // Untrusted client or redirect: an error page, never a redirect.
    let page = browser
        .get("/oauth2/authorize?response_type=code&client_id=nosuchclient&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback")
        .await;
    assert_eq!(page.status, 400);
    let page = browser
        .get(&format!("/oauth2/authorize?response_type=code&client_id={client}&redirect_uri=https%3A%2F%2Fevil.example%2F"))
        .await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("redirect_mismatch"));

    // Trusted redirect: errors go back with the state.
    let page = browser
        .get(&format!("/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={callback}&scope=phone&state=s"))
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some(format!("{CALLBACK}?error=invalid_scope&state=s").as_str())
    );
    let page = browser
        .get(&format!(
            "/oauth2/authorize?response_type=id_token&client_id={client}&redirect_uri={callback}"
        ))
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some(format!("{CALLBACK}?error=unsupported_response_type").as_str())
    );

    // Implicit flow: tokens in the fragment, no refresh token.
    let page = browser
        .get(&format!("/oauth2/authorize?response_type=token&client_id={client}&redirect_uri={callback}&scope=openid+profile&state=i"))
        .await;
    let login = page.location.unwrap();
    let page = browser.sign_in(&login, "alice", PASSWORD).await;
    let location = page.location.unwrap();
    assert!(location.starts_with(&format!("{CALLBACK}#")), "{location}");
    let fragment = query_of(&location);
    assert_eq!(fragment["token_type"], "Bearer");
    assert_eq!(fragment["state"], "i");
    assert!(!fragment.contains_key("refresh_token"));
    assert_eq!(claims(&fragment["access_token"])["scope"], "openid profile");
    assert_eq!(claims(&fragment["id_token"])["name"], "Alice");
    emulator.stop().await;
}

#[tokio::test]
async fn the_sign_in_page_escapes_what_it_echoes() {
    let emulator = start().await;
    let (_, client) = code_flow_pool(&emulator).await;
    let mut browser = Browser::new(&emulator.url);
    let probe = "\"><script>alert(1)</script>";
    let encoded: String = url::form_urlencoded::byte_serialize(probe.as_bytes()).collect();
    let login = format!(
        "/login?response_type=code&client_id={client}&redirect_uri={}&state={encoded}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let page = browser.sign_in(&login, probe, "x").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(page.body.contains("&lt;script&gt;"));
    emulator.stop().await;
}

#[tokio::test]
async fn a_temporary_password_is_changed_on_the_hosted_page() {
    let emulator = start().await;
    let (pool, client) = code_flow_pool(&emulator).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("bob")
        .temporary_password("Temp0rary!pass")
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new(&emulator.url);
    let login = browser
        .get(&authorize_path(&client, ""))
        .await
        .location
        .unwrap();
    let page = browser.sign_in(&login, "bob", "Temp0rary!pass").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Change Password"), "{}", page.body);
    let csrf = hidden_value(&page.body, "_csrf");
    let session = hidden_value(&page.body, "session");
    let weak = browser
        .post_form(
            &login,
            &[
                ("_csrf", &csrf),
                ("challenge", "NEW_PASSWORD_REQUIRED"),
                ("session", &session),
                ("username", "bob"),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert!(
        weak.body.contains("Password did not conform with policy"),
        "{}",
        weak.body
    );
    assert!(weak.body.contains("Change Password"));
    let page = browser
        .post_form(
            &login,
            &[
                ("_csrf", &csrf),
                ("challenge", "NEW_PASSWORD_REQUIRED"),
                ("session", &session),
                ("username", "bob"),
                ("new_password", PASSWORD),
                ("confirm_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 302, "{}", page.body);
    assert!(page
        .location
        .unwrap()
        .starts_with(&format!("{CALLBACK}?code=")));
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status.unwrap().as_str(), "CONFIRMED");
    emulator.stop().await;
}

#[tokio::test]
async fn token_endpoint_errors_follow_rfc_6749() {
    let emulator = start().await;
    let (pool, client) = code_flow_pool(&emulator).await;
    let confidential = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("backend")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls(CALLBACK)
        .access_token_validity(5)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = confidential.client_id.unwrap();
    let secret = confidential.client_secret.unwrap();
    type Case<'a> = (
        Vec<(&'a str, &'a str)>,
        Option<(&'a str, &'a str)>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (vec![("client_id", &client)], None, 400, "invalid_request"),
        (
            vec![("grant_type", "password"), ("client_id", &client)],
            None,
            400,
            "unsupported_grant_type",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("redirect_uri", CALLBACK),
            ],
            Some((&id, "wrong")),
            400,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("client_id", &id),
                ("code", "x"),
                ("redirect_uri", CALLBACK),
            ],
            None,
            400,
            "invalid_client",
        ),
        (
            vec![
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("redirect_uri", CALLBACK),
            ],
            Some((&id, &secret)),
            400,
            "invalid_grant",
        ),
        (
            vec![("grant_type", "client_credentials")],
            Some((&id, &secret)),
            400,
            "unauthorized_client",
        ),
        (
            vec![("grant_type", "client_credentials"), ("client_id", &client)],
            None,
            400,
            "unauthorized_client",
        ),
    ];
    for (form, basic, status, error) in cases {
        let (got, body) = token_request(&emulator, &form, basic).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{form:?}"
        );
    }
    // A form that is not urlencoded.
    let response = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    emulator.stop().await;
}

/// The last code the emulator kept for a user.
async fn last_code(emulator: &Emulator, pool: &str, username: &str) -> String {
    let messages = emulator.messages(pool, Some(username)).await;
    messages.last().expect("a message")["code"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn sign_up_confirm_and_reset_a_password_on_the_hosted_pages() {
    let emulator = start().await;
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("hosted-sign-up")
        .auto_verified_attributes(
            aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType::Email,
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls(CALLBACK)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let query = format!(
        "response_type=code&client_id={client}&redirect_uri={}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let mut browser = Browser::new(&emulator.url);
    let login = browser.get(&format!("/login?{query}")).await;
    assert!(login
        .body
        .contains(&format!("href=\"/signup?{}", query.replace('&', "&amp;"))));

    // Sign up: the API's password policy and texts, then the confirmation page.
    let page = browser.get(&format!("/signup?{query}")).await;
    assert!(
        page.body.contains("name=\"requiredAttributes[email]\""),
        "{}",
        page.body
    );
    let csrf = hidden_value(&page.body, "_csrf");
    let form = |password: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("username", "dave".to_string()),
            ("requiredAttributes[email]", "dave@example.com".to_string()),
            ("password", password.to_string()),
        ]
    };
    let weak: Vec<(&str, String)> = form("weak");
    let weak: Vec<(&str, &str)> = weak.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = browser.post_form(&format!("/signup?{query}"), &weak).await;
    assert!(
        page.body.contains("Password did not conform with policy"),
        "{}",
        page.body
    );
    let good = form(PASSWORD);
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = browser.post_form(&format!("/signup?{query}"), &good).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let confirm = page.location.unwrap();
    assert_eq!(confirm, format!("/confirm?{query}&username=dave"));

    // Signing in before confirming leads back to the confirmation page.
    let page = browser
        .sign_in(&format!("/login?{query}"), "dave", PASSWORD)
        .await;
    assert_eq!(page.location.as_deref(), Some(confirm.as_str()));

    let page = browser.get(&confirm).await;
    let csrf = hidden_value(&page.body, "_csrf");
    let wrong = browser
        .post_form(
            &confirm,
            &[("_csrf", &csrf), ("username", "dave"), ("code", "000000")],
        )
        .await;
    assert!(
        wrong
            .body
            .contains("Invalid verification code provided, please try again."),
        "{}",
        wrong.body
    );
    let code = last_code(&emulator, &pool, "dave").await;
    let page = browser
        .post_form(
            &confirm,
            &[("_csrf", &csrf), ("username", "dave"), ("code", &code)],
        )
        .await;
    assert_eq!(
        page.location,
        Some(format!("/login?{query}&notice=confirmed"))
    );
    let page = browser.get(&page.location.unwrap()).await;
    assert!(page.body.contains("Your account is confirmed."));
    let page = browser
        .sign_in(&format!("/login?{query}"), "dave", PASSWORD)
        .await;
    assert!(page
        .location
        .unwrap()
        .starts_with(&format!("{CALLBACK}?code=")));

    // Forgot password: a code, a new password, then sign-in with it.
    let page = browser.get(&format!("/forgotPassword?{query}")).await;
    let csrf = hidden_value(&page.body, "_csrf");
    let page = browser
        .post_form(
            &format!("/forgotPassword?{query}"),
            &[("_csrf", &csrf), ("username", "dave")],
        )
        .await;
    let reset = page.location.unwrap();
    assert_eq!(
        reset,
        format!("/confirmForgotPassword?{query}&username=dave")
    );
    let code = last_code(&emulator, &pool, "dave").await;
    let page = browser.get(&reset).await;
    let csrf = hidden_value(&page.body, "_csrf");
    let new_password = "N3w!password";
    let page = browser
        .post_form(
            &reset,
            &[
                ("_csrf", &csrf),
                ("username", "dave"),
                ("code", &code),
                ("password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_eq!(
        page.location,
        Some(format!("/login?{query}&notice=password_reset"))
    );
    let page = browser
        .sign_in(&format!("/login?{query}"), "dave", new_password)
        .await;
    assert!(page
        .location
        .unwrap()
        .starts_with(&format!("{CALLBACK}?code=")));

    // Every form refuses a post without the browser's CSRF token.
    for path in [
        "/signup",
        "/confirm",
        "/forgotPassword",
        "/confirmForgotPassword",
    ] {
        let page = browser
            .post_form(
                &format!("{path}?{query}"),
                &[
                    ("_csrf", "forged-token-forged-token-forged-token"),
                    ("username", "dave"),
                ],
            )
            .await;
        assert_eq!(page.status, 403, "{path}");
    }
    emulator.stop().await;
}

#[tokio::test]
async fn client_credentials_grant_resource_server_scopes() {
    use aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType;
    let emulator = start().await;
    let pool = emulator.pool("machines").await;
    let scope = |name: &str| {
        ResourceServerScopeType::builder()
            .scope_name(name)
            .scope_description(name)
            .build()
            .unwrap()
    };
    emulator
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("https://api.example.com")
        .name("api")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let machine = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("worker")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("https://api.example.com/read")
        .allowed_o_auth_scopes("https://api.example.com/write")
        .access_token_validity(15)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let id = machine.client_id.unwrap();
    let secret = machine.client_secret.unwrap();
    let jwks = emulator
        .get_json(&format!("{}/{pool}/.well-known/jwks.json", emulator.url))
        .await;

    // No scope asked: all the client's; HTTP Basic.
    let (status, body) = token_request(
        &emulator,
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body.get("id_token").is_none() && body.get("refresh_token").is_none());
    let token = body["access_token"].as_str().unwrap();
    assert!(verifies_with(token, &jwks));
    let access = claims(token);
    assert_eq!(
        access["scope"],
        "https://api.example.com/read https://api.example.com/write"
    );
    assert_eq!(access["sub"], id.as_str());
    assert_eq!(access["client_id"], id.as_str());
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["version"], 2);
    assert!(access.get("username").is_none());
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        900
    );

    // One scope, credentials in the form (client_secret_post).
    let (status, body) = token_request(
        &emulator,
        &[
            ("grant_type", "client_credentials"),
            ("scope", "https://api.example.com/read"),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["scope"],
        "https://api.example.com/read"
    );

    // Scopes it may not have, a wrong secret.
    let (status, body) = token_request(
        &emulator,
        &[("grant_type", "client_credentials"), ("scope", "openid")],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let (status, body) = token_request(
        &emulator,
        &[("grant_type", "client_credentials")],
        Some((&id, "nope")),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );

    // A machine token is not a user's: the user APIs refuse it.
    let refused = emulator
        .idp
        .get_user()
        .access_token(token)
        .send()
        .await
        .unwrap_err();
    assert_eq!(crate::common::err(refused).0, "NotAuthorizedException");

    // GetClientToken is the same grant through the API.
    let result = emulator
        .idp
        .get_client_token()
        .client_id(&id)
        .secret(&secret)
        .scopes("https://api.example.com/write")
        .send()
        .await
        .unwrap()
        .client_authentication_result
        .unwrap();
    assert_eq!(result.expires_in, 900);
    assert_eq!(result.token_type.as_deref(), Some("Bearer"));
    let token = result.access_token.unwrap();
    assert!(verifies_with(&token, &jwks));
    assert_eq!(claims(&token)["scope"], "https://api.example.com/write");
    let error = emulator
        .idp
        .get_client_token()
        .client_id(&id)
        .secret("wrongsecretwrongsecretwrongsecret")
        .send()
        .await
        .unwrap_err();
    assert_eq!(crate::common::err(error).0, "NotAuthorizedException");
    let error = emulator
        .idp
        .get_client_token()
        .client_id(&id)
        .secret(&secret)
        .scopes("https://api.example.com/delete")
        .send()
        .await
        .unwrap_err();
    assert_eq!(crate::common::err(error).0, "InvalidParameterException");
    emulator.stop().await;
}

#[tokio::test]
async fn the_pages_wear_the_clients_look_and_terms() {
    use aws_sdk_cognitoidentityprovider::primitives::Blob;
    use aws_sdk_cognitoidentityprovider::types::{TermsEnforcementType, TermsSourceType};
    let emulator = start().await;
    let (pool, client) = code_flow_pool(&emulator).await;
    emulator
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("look-test")
        .send()
        .await
        .unwrap();
    let png = b"\x89PNG\r\n\x1a\n0000IHDR".to_vec();
    emulator
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .css(".submitButton-customizable { background-color: rgb(1, 2, 3); }")
        .image_file(Blob::new(png.clone()))
        .send()
        .await
        .unwrap();
    for (name, url) in [
        ("terms-of-use", "https://example.com/terms"),
        ("privacy-policy", "https://example.com/privacy"),
    ] {
        emulator
            .idp
            .create_terms()
            .user_pool_id(&pool)
            .client_id(&client)
            .terms_name(name)
            .terms_source(TermsSourceType::Link)
            .enforcement(TermsEnforcementType::None)
            .links("cognito:english", url)
            .send()
            .await
            .unwrap();
    }
    let query = format!(
        "response_type=code&client_id={client}&redirect_uri={}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let mut browser = Browser::new(&emulator.url);
    let page = browser.get(&format!("/login?{query}")).await;
    assert!(
        page.body.contains("background-color: rgb(1, 2, 3);"),
        "{}",
        page.body
    );
    let logo = format!("/_emulator/ui-image/{pool}/{client}");
    assert!(page.body.contains(&format!("src=\"{logo}\"")));
    let image = emulator
        .http
        .get(format!("{}{logo}", emulator.url))
        .send()
        .await
        .unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.unwrap().to_vec(), png);
    let page = browser.get(&format!("/signup?{query}")).await;
    assert!(
        page.body.contains("href=\"https://example.com/terms\""),
        "{}",
        page.body
    );
    assert!(page.body.contains(">Privacy policy</a>"));
    emulator.stop().await;
}

#[tokio::test]
async fn codes_expire_and_rotation_replaces_refresh_tokens() {
    use aws_sdk_cognitoidentityprovider::types::{FeatureType, RefreshTokenRotationType};
    let emulator = start().await;
    let (pool, _) = code_flow_pool(&emulator).await;
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("rotating")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls(CALLBACK)
        .refresh_token_rotation(
            RefreshTokenRotationType::builder()
                .feature(FeatureType::Enabled)
                .retry_grace_period_seconds(0)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let mut browser = Browser::new(&emulator.url);
    let login = browser
        .get(&authorize_path(&client, ""))
        .await
        .location
        .unwrap();
    let first = browser
        .sign_in(&login, "alice", PASSWORD)
        .await
        .location
        .unwrap();
    let exchange = |code: String| {
        vec![
            ("grant_type".to_string(), "authorization_code".to_string()),
            ("client_id".to_string(), client.clone()),
            ("code".to_string(), code),
            ("redirect_uri".to_string(), CALLBACK.to_string()),
            ("code_verifier".to_string(), VERIFIER.to_string()),
        ]
    };
    let send = |form: Vec<(String, String)>| {
        let http = emulator.http.clone();
        let url = format!("{}/oauth2/token", emulator.url);
        async move {
            let response = http.post(url).form(&form).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };

    // A code lives five minutes.
    emulator.advance_clock(301.0).await;
    let (status, body) = send(exchange(query_of(&first)["code"].clone())).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // The hosted session (an hour) still answers at once; within its lifetime the code
    // works. With rotation each refresh returns a new refresh token and spends the old one.
    let location = browser
        .get(&authorize_path(&client, ""))
        .await
        .location
        .unwrap();
    let (status, tokens) = send(exchange(query_of(&location)["code"].clone())).await;
    assert_eq!(status, 200, "{tokens}");
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    let refresh_form = |token: &str| {
        vec![
            ("grant_type".to_string(), "refresh_token".to_string()),
            ("client_id".to_string(), client.clone()),
            ("refresh_token".to_string(), token.to_string()),
        ]
    };
    let (status, rotated) = send(refresh_form(&refresh)).await;
    assert_eq!(status, 200, "{rotated}");
    let next = rotated["refresh_token"].as_str().unwrap();
    assert_ne!(next, refresh);
    let (status, body) = send(refresh_form(&refresh)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = send(refresh_form(next)).await;
    assert_eq!(status, 200);
    emulator.stop().await;
}
