//! The hosted pages in a real browser: Debian's Chromium driven by playwright-core from
//! `tests/clients/node` (browser.mjs: sign-in, an XSS probe and a forged post;
//! browser_flows.mjs: one scenario a test). The browser clicks the pages' links and buttons
//! and follows every redirect by itself up to the app behind the callback URL, a server of
//! the test's; the SAML scenario also has the test serve an identity provider. Without
//! Node, its packages or Chromium these tests skip, unless COGNITO_EMULATOR_REQUIRE_CLIENTS=1.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, IdentityProviderTypeType as Kind, MessageActionType, OAuthFlowType,
    VerifiedAttributeType,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::common::{start, Emulator};
use crate::identity_providers::{details, GOOGLE};
use crate::javascript::{node_ready, run_node};
use crate::saml::{attribute, authn_request, Assertion, TestIdp, EMAIL_CLAIM};

const PASSWORD: &str = "Perm4nent!pass";

/// Debian's Chromium (installed by `.ci/run`); without it the browser tests skip, unless
/// COGNITO_EMULATOR_REQUIRE_CLIENTS=1.
fn chromium_ready() -> bool {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_string());
    let ready = std::path::Path::new(&path).exists();
    if !ready {
        assert!(
            std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "Chromium ({path}) is required (run .ci/run)"
        );
        eprintln!("skipping: no Chromium at {path}");
    }
    ready
}

pub fn browser_ready() -> bool {
    node_ready() && chromium_ready()
}

/// The app behind the callback URL, for the browser to land on: its callback
/// (`http://localhost:<port>/callback`) and its sign-out page (`/signed-out`).
pub struct App {
    pub callback: String,
    pub sign_out: String,
}

pub async fn app_server() -> App {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new()
        .route(
            "/signed-out",
            axum::routing::get(|| async { axum::response::Html("<p>signed out</p>") }),
        )
        .fallback(|| async { axum::response::Html("<p>the app</p>") });
    tokio::spawn(async move { axum::serve(listener, app).await });
    App {
        callback: format!("http://localhost:{port}/callback"),
        sign_out: format!("http://localhost:{port}/signed-out"),
    }
}

/// A public code-flow client of `pool` for the app, offering `providers`; returns its id.
async fn web_client(emulator: &Emulator, pool: &str, app: &App, providers: &[&str]) -> String {
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("spa")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .callback_urls(&app.callback)
        .logout_urls(&app.sign_out)
        .set_supported_identity_providers(Some(providers.iter().map(|p| p.to_string()).collect()))
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

/// A user with an e-mail address; with `password` it is confirmed with it, otherwise it
/// keeps the temporary password (FORCE_CHANGE_PASSWORD).
async fn create_user(emulator: &Emulator, pool: &str, username: &str, password: Option<&str>) {
    let attribute = |name: &str, value: &str| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    };
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .temporary_password("Temp0rary!pass")
        .message_action(MessageActionType::Suppress)
        .user_attributes(attribute("email", &format!("{username}@example.com")))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .unwrap();
    if let Some(password) = password {
        emulator.set_password(pool, username, password).await;
    }
}

async fn user_status(emulator: &Emulator, pool: &str, username: &str) -> String {
    emulator
        .idp
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .unwrap()
        .user_status()
        .unwrap()
        .as_str()
        .to_string()
}

/// Runs a scenario of browser_flows.mjs with the common settings and `extra`.
async fn scenario(
    name: &str,
    emulator: &Emulator,
    pool: &str,
    client: &str,
    app: &App,
    extra: Value,
) {
    let mut config = json!({
        "endpoint": emulator.url,
        "pool": pool,
        "clientId": client,
        "callback": app.callback,
        "signOut": app.sign_out,
    });
    config
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    run_node(
        "browser_flows.mjs",
        vec![name.to_string(), config.to_string()],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hosted_sign_in_in_a_headless_browser() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let pool = emulator.pool("browser").await;
    create_user(&emulator, &pool, "carol", Some(PASSWORD)).await;
    let client = web_client(&emulator, &pool, &app, &["COGNITO"]).await;
    run_node(
        "browser.mjs",
        vec![
            emulator.url.clone(),
            client,
            app.callback,
            "carol".to_string(),
            PASSWORD.to_string(),
        ],
    )
    .await;
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_signs_up_confirms_with_the_code_and_signs_in() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("browser-sign-up")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = web_client(&emulator, &pool, &app, &["COGNITO"]).await;
    let extra = json!({"username": "dana", "email": "dana@example.com", "password": PASSWORD});
    scenario("sign-up", &emulator, &pool, &client, &app, extra).await;
    assert_eq!(user_status(&emulator, &pool, "dana").await, "CONFIRMED");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_resets_a_forgotten_password_and_signs_in_with_it() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let pool = emulator.pool("browser-forgot").await;
    create_user(&emulator, &pool, "eve", Some(PASSWORD)).await;
    let client = web_client(&emulator, &pool, &app, &["COGNITO"]).await;
    let extra = json!({"username": "eve", "oldPassword": PASSWORD, "password": "N3w!password"});
    scenario("forgot-password", &emulator, &pool, &client, &app, extra).await;
    assert_eq!(user_status(&emulator, &pool, "eve").await, "CONFIRMED");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_answers_new_password_required_for_an_admin_created_user() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let pool = emulator.pool("browser-new-password").await;
    create_user(&emulator, &pool, "fred", None).await;
    assert_eq!(
        user_status(&emulator, &pool, "fred").await,
        "FORCE_CHANGE_PASSWORD"
    );
    let client = web_client(&emulator, &pool, &app, &["COGNITO"]).await;
    let extra = json!({
        "username": "fred",
        "temporaryPassword": "Temp0rary!pass",
        "password": PASSWORD,
    });
    scenario("new-password", &emulator, &pool, &client, &app, extra).await;
    assert_eq!(user_status(&emulator, &pool, "fred").await, "CONFIRMED");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_logs_out_to_the_apps_sign_out_page() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let pool = emulator.pool("browser-logout").await;
    create_user(&emulator, &pool, "gail", Some(PASSWORD)).await;
    let client = web_client(&emulator, &pool, &app, &["COGNITO"]).await;
    let extra = json!({"username": "gail", "password": PASSWORD});
    scenario("logout", &emulator, &pool, &client, &app, extra).await;
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_signs_in_through_another_pool_as_oidc_provider() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    // The provider: a pool with a user and a confidential client calling back to us.
    let upstream = emulator.pool("upstream").await;
    create_user(&emulator, &upstream, "erin", Some(PASSWORD)).await;
    let provider_client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&upstream)
        .client_name("downstream")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls(format!("{}/oauth2/idpresponse", emulator.url))
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let erin = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&upstream)
        .username("erin")
        .send()
        .await
        .unwrap();
    let sub = erin
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap()
        .to_string();

    let pool = emulator.pool("downstream").await;
    emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .provider_type(Kind::Oidc)
        .set_provider_details(Some(details(&[
            ("client_id", provider_client.client_id().unwrap()),
            ("client_secret", provider_client.client_secret().unwrap()),
            ("authorize_scopes", "openid email"),
            ("oidc_issuer", &format!("{}/{upstream}", emulator.url)),
            ("attributes_request_method", "GET"),
        ])))
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap();
    let client = web_client(&emulator, &pool, &app, &["COGNITO", "Upstream"]).await;
    let extra = json!({
        "provider": "Upstream",
        "providerClientId": provider_client.client_id().unwrap(),
        "username": "erin",
        "password": PASSWORD,
        "sub": sub,
        "email": "erin@example.com",
    });
    scenario("oidc-federation", &emulator, &pool, &client, &app, extra).await;
    assert_eq!(
        user_status(&emulator, &pool, &format!("Upstream_{sub}")).await,
        "EXTERNAL_PROVIDER"
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_signs_in_on_a_social_providers_stand_in_page() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let pool = emulator.pool("browser-social").await;
    emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(Kind::Google)
        .set_provider_details(Some(details(GOOGLE)))
        .attribute_mapping("email", "email")
        .attribute_mapping("name", "name")
        .send()
        .await
        .unwrap();
    let client = web_client(&emulator, &pool, &app, &["COGNITO", "Google"]).await;
    let extra = json!({"sub": "1057", "email": "gina@gmail.com", "name": "Gina <b>"});
    scenario("social", &emulator, &pool, &client, &app, extra).await;
    assert_eq!(
        user_status(&emulator, &pool, "Google_1057").await,
        "EXTERNAL_PROVIDER"
    );
    emulator.stop().await;
}

/// The test's SAML identity provider over HTTP: its single sign-on service takes the
/// AuthnRequest (HTTP-Redirect binding) and answers, as real IdPs do once the user is
/// signed in there, with a page whose form posts the signed response to the request's
/// assertion consumer service by itself (HTTP-POST binding).
struct SamlIdp {
    idp: TestIdp,
    emulator: Arc<cognito_emulator::app::App>,
    emulator_url: String,
    pool: String,
    requests: AtomicUsize,
}

async fn saml_sso(
    axum::extract::State(idp): axum::extract::State<Arc<SamlIdp>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> axum::response::Html<String> {
    idp.requests.fetch_add(1, Ordering::SeqCst);
    let query: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let request = authn_request(&query);
    let acs = attribute(&request, "AssertionConsumerServiceURL").to_string();
    assert_eq!(acs, format!("{}/saml2/idpresponse", idp.emulator_url));
    let assertion = Assertion::at(
        idp.emulator.clock.now(),
        &idp.emulator_url,
        &idp.pool,
        Some(attribute(&request, "ID")),
    );
    let response = STANDARD.encode(assertion.response(&idp.idp));
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    axum::response::Html(format!(
        "<!DOCTYPE html><html><body><form method=\"post\" action=\"{}\">\
<input type=\"hidden\" name=\"SAMLResponse\" value=\"{response}\">\
<input type=\"hidden\" name=\"RelayState\" value=\"{}\">\
<noscript><button type=\"submit\">Continue</button></noscript></form>\
<script>document.forms[0].submit()</script></body></html>",
        escape(&acs),
        escape(
            query
                .get("RelayState")
                .map(String::as_str)
                .unwrap_or_default()
        ),
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn browser_signs_in_through_a_saml_identity_provider() {
    if !browser_ready() {
        return;
    }
    let emulator = start().await;
    let app = app_server().await;
    let pool = emulator.pool("browser-saml").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    // On another site than the emulator (127.0.0.1), as a real IdP is: its post back is
    // cross-site.
    let sso = format!(
        "http://localhost:{}/sso",
        listener.local_addr().unwrap().port()
    );
    let idp = Arc::new(SamlIdp {
        idp: TestIdp::new(),
        emulator: emulator.app.clone(),
        emulator_url: emulator.url.clone(),
        pool: pool.clone(),
        requests: AtomicUsize::new(0),
    });
    let router = axum::Router::new()
        .route("/sso", axum::routing::get(saml_sso))
        .with_state(idp.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });

    emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(Kind::Saml)
        .set_provider_details(Some(details(&[(
            "MetadataFile",
            &idp.idp.metadata_at(&sso),
        )])))
        .attribute_mapping("email", EMAIL_CLAIM)
        .attribute_mapping("name", "displayName")
        .send()
        .await
        .unwrap();
    let client = web_client(&emulator, &pool, &app, &["COGNITO", "Corp"]).await;
    let extra = json!({
        "provider": "Corp",
        "sso": sso,
        "username": "Corp_jane@idp.test",
        "email": "jane@example.com",
        "name": "Jane Doe",
    });
    scenario("saml", &emulator, &pool, &client, &app, extra).await;
    assert_eq!(idp.requests.load(Ordering::SeqCst), 1);
    assert_eq!(
        user_status(&emulator, &pool, "Corp_jane@idp.test").await,
        "EXTERNAL_PROVIDER"
    );
    emulator.stop().await;
}
