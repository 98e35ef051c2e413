//! Federated sign-in through the hosted UI: another pool of the same emulator as an OIDC
//! identity provider (its discovery, sign-in page, token endpoint and JWKS are real), the
//! stand-in page of a social provider, and links made with AdminLinkProviderForUser.

use aws_sdk_cognitoidentityprovider::types::{
    IdentityProviderTypeType as Kind, OAuthFlowType, ProviderUserIdentifierType,
};
use serde_json::Value;

use crate::auth::claims;
use crate::common::{start, Emulator};
use crate::identity_providers::{details, GOOGLE};
use crate::oauth::{hidden_value, query_of, Browser};

pub const PASSWORD: &str = "Perm4nent!pass";
const CALLBACK: &str = "http://localhost:3000/callback";

fn enc(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A code-flow client of `pool` supporting `providers`; returns its id.
pub async fn web_client(emulator: &Emulator, pool: &str, providers: &[&str]) -> String {
    emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls(CALLBACK)
        .set_supported_identity_providers(Some(providers.iter().map(|p| p.to_string()).collect()))
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

/// Exchanges the code of a redirect to the app for tokens.
async fn exchange(emulator: &Emulator, client: &str, location: &str) -> Value {
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let code = query_of(location)["code"].clone();
    let response = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

/// Another pool of the emulator as OIDC provider "Upstream" of `pool` (e-mail mapped): a
/// pool with the user erin (PASSWORD, erin@example.com) and a confidential client whose
/// callback is ours. Returns the upstream pool's id and that client's id.
pub async fn upstream_provider(
    emulator: &Emulator,
    pool: &str,
    idp_identifier: Option<&str>,
) -> (String, String) {
    let upstream = emulator.pool("upstream").await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&upstream)
        .username("erin")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("erin@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator.set_password(&upstream, "erin", PASSWORD).await;
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
    let issuer = format!("{}/{upstream}", emulator.url);
    emulator
        .idp
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name("Upstream")
        .provider_type(Kind::Oidc)
        .set_provider_details(Some(details(&[
            ("client_id", provider_client.client_id().unwrap()),
            ("client_secret", provider_client.client_secret().unwrap()),
            ("authorize_scopes", "openid email"),
            ("oidc_issuer", &issuer),
            ("attributes_request_method", "GET"),
        ])))
        .attribute_mapping("email", "email")
        .set_idp_identifiers(idp_identifier.map(|i| vec![i.to_string()]))
        .send()
        .await
        .unwrap();
    (upstream, provider_client.client_id.unwrap())
}

pub fn authorize(client: &str, extra: &str) -> String {
    format!(
        "/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&scope=openid+email&state=fed{extra}",
        enc(CALLBACK)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn another_pool_is_an_oidc_identity_provider() {
    let emulator = start().await;
    let pool = emulator.pool("downstream").await;
    let (upstream, provider_client) =
        upstream_provider(&emulator, &pool, Some("example.com")).await;
    let client = web_client(&emulator, &pool, &["COGNITO", "Upstream"]).await;

    let mut browser = Browser::new(&emulator.url);
    // idp_identifier finds the provider; the browser goes to the provider's authorize.
    let page = browser
        .get(&authorize(&client, "&idp_identifier=example.com"))
        .await;
    assert_eq!(page.status, 302, "{}", page.body);
    let to_provider = page.location.unwrap();
    let expected = format!(
        "{}/oauth2/authorize?response_type=code&client_id={}",
        emulator.url, provider_client
    );
    assert!(to_provider.starts_with(&expected), "{to_provider}");
    let params = query_of(&to_provider);
    assert_eq!(
        params["redirect_uri"],
        format!("{}/oauth2/idpresponse", emulator.url)
    );
    assert_eq!(params["scope"], "openid email");
    assert!(params.contains_key("nonce"));

    // The provider's sign-in page, then back to us with its code.
    let page = browser
        .get(to_provider.strip_prefix(&emulator.url).unwrap())
        .await;
    let login = page.location.unwrap();
    let page = browser.sign_in(&login, "erin", PASSWORD).await;
    let back = page.location.unwrap();
    assert!(
        back.starts_with(&format!("{}/oauth2/idpresponse?code=", emulator.url)),
        "{back}"
    );

    // A forged state is refused; the real one signs in and answers the app.
    let forged = browser
        .get("/oauth2/idpresponse?code=x&state=us-east-1_nope~1")
        .await;
    assert_eq!(forged.status, 400);
    let page = browser.get(back.strip_prefix(&emulator.url).unwrap()).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.unwrap();
    assert_eq!(query_of(&location)["state"], "fed");
    let tokens = exchange(&emulator, &client, &location).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    let erin = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&upstream)
        .username("erin")
        .send()
        .await
        .unwrap();
    let erin_sub = erin
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_string();
    assert_eq!(id["cognito:username"], format!("Upstream_{erin_sub}"));
    assert_eq!(id["email"], "erin@example.com");
    let identities = &id["identities"];
    assert_eq!(identities[0]["providerName"], "Upstream");
    assert_eq!(identities[0]["providerType"], "OIDC");
    assert_eq!(identities[0]["userId"], erin_sub.as_str());

    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username(format!("Upstream_{erin_sub}"))
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "EXTERNAL_PROVIDER");

    // The state is single use.
    let replay = browser.get(back.strip_prefix(&emulator.url).unwrap()).await;
    assert_eq!(replay.status, 400);
    emulator.stop().await;
}

/// Signs in on a social provider's stand-in page; returns the redirect to the app.
pub async fn stand_in_sign_in(
    browser: &mut Browser,
    client: &str,
    provider: &str,
    fields: &[(&str, &str)],
) -> String {
    let page = browser
        .get(&authorize(
            client,
            &format!("&identity_provider={provider}"),
        ))
        .await;
    let stand_in = page.location.unwrap();
    assert!(
        stand_in.starts_with(&format!("/standin/{provider}?state=")),
        "{stand_in}"
    );
    let page = browser.get(&stand_in).await;
    assert!(
        page.body.contains(&format!("This is not {provider}.")),
        "{}",
        page.body
    );
    let csrf = hidden_value(&page.body, "_csrf");
    let state = hidden_value(&page.body, "state");
    let mut form = vec![("_csrf", csrf.as_str()), ("state", state.as_str())];
    form.extend_from_slice(fields);
    let page = browser
        .post_form(&format!("/standin/{provider}"), &form)
        .await;
    assert_eq!(page.status, 302, "{}", page.body);
    page.location.unwrap()
}

#[tokio::test]
async fn social_providers_have_a_stand_in_sign_in_page() {
    let emulator = start().await;
    let pool = emulator.pool("social").await;
    emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(Kind::Google)
        .set_provider_details(Some(details(GOOGLE)))
        .attribute_mapping("email", "email")
        .attribute_mapping("email_verified", "email_verified")
        .attribute_mapping("name", "name")
        .send()
        .await
        .unwrap();
    let client = web_client(&emulator, &pool, &["COGNITO", "Google"]).await;
    let mut browser = Browser::new(&emulator.url);

    // The sign-in page offers the provider next to the form; a client with only the
    // provider shows no form.
    let login = browser.get(&authorize(&client, "")).await.location.unwrap();
    let page = browser.get(&login).await;
    assert!(page.body.contains("Continue with Google"), "{}", page.body);
    assert!(page.body.contains("identity_provider=Google"));
    assert!(page.body.contains("name=\"password\""));
    let google_only = web_client(&emulator, &pool, &["Google"]).await;
    let login = browser
        .get(&authorize(&google_only, ""))
        .await
        .location
        .unwrap();
    let page = browser.get(&login).await;
    assert!(page.body.contains("Continue with Google"));
    assert!(!page.body.contains("name=\"password\""));

    // A provider the client does not offer goes back to the app as an error.
    let page = browser
        .get(&authorize(&client, "&identity_provider=Facebook"))
        .await;
    assert!(page
        .location
        .unwrap()
        .starts_with(&format!("{CALLBACK}?error=invalid_request")));

    let location = stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[
            ("sub", "1057"),
            ("email", "gina@gmail.com"),
            ("email_verified", "true"),
            ("name", "Gina <b>"),
        ],
    )
    .await;
    let id = claims(
        exchange(&emulator, &client, &location).await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(id["cognito:username"], "Google_1057");
    assert_eq!(id["email"], "gina@gmail.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Gina <b>");
    assert_eq!(id["identities"][0]["providerType"], "Google");

    // Signing in again updates the mapped attributes of the same user.
    browser.cookies.clear();
    let location = stand_in_sign_in(
        &mut browser,
        &client,
        "Google",
        &[("sub", "1057"), ("email", "gina@example.org")],
    )
    .await;
    let id2 = claims(
        exchange(&emulator, &client, &location).await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(id2["sub"], id["sub"]);
    assert_eq!(id2["email"], "gina@example.org");

    // A user linked to the Google identity signs in as themselves.
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("frank")
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool, "frank", PASSWORD).await;
    emulator
        .idp
        .admin_link_provider_for_user()
        .user_pool_id(&pool)
        .destination_user(
            ProviderUserIdentifierType::builder()
                .provider_name("Cognito")
                .provider_attribute_value("frank")
                .build(),
        )
        .source_user(
            ProviderUserIdentifierType::builder()
                .provider_name("Google")
                .provider_attribute_name("Cognito_Subject")
                .provider_attribute_value("2024")
                .build(),
        )
        .send()
        .await
        .unwrap();
    browser.cookies.clear();
    let location = stand_in_sign_in(&mut browser, &client, "Google", &[("sub", "2024")]).await;
    let id = claims(
        exchange(&emulator, &client, &location).await["id_token"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(id["cognito:username"], "frank");

    // The stand-in needs the provider's id for the user, and a live state.
    browser.cookies.clear();
    let page = browser
        .get(&authorize(&client, "&identity_provider=Google"))
        .await;
    let stand_in = page.location.unwrap();
    let page = browser.get(&stand_in).await;
    let csrf = hidden_value(&page.body, "_csrf");
    let state = hidden_value(&page.body, "state");
    let page = browser
        .post_form(
            "/standin/Google",
            &[("_csrf", &csrf), ("state", &state), ("email", "x@y.z")],
        )
        .await;
    assert!(page.body.contains("sub is required"), "{}", page.body);
    let page = browser
        .post_form(
            "/standin/Google",
            &[("_csrf", &csrf), ("state", "us-east-1_x~y"), ("sub", "1")],
        )
        .await;
    assert_eq!(page.status, 400);
    emulator.stop().await;
}

#[tokio::test]
async fn the_identities_attribute_is_written_by_cognito_only() {
    let emulator = start().await;
    let pool = emulator.pool("identities").await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ivy")
        .send()
        .await
        .unwrap();
    let refused = emulator
        .idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("ivy")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("identities")
                .value("[]")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    let (code, message) = crate::common::err(refused);
    assert_eq!(code, "InvalidParameterException");
    assert!(
        message.contains("identities: Attribute cannot be updated"),
        "{message}"
    );
    emulator.stop().await;
}
