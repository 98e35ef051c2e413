//! GetDerivedToken and the token endpoint's token-exchange grant (RFC 8693). The SDK in
//! Cargo.lock predates GetDerivedToken, so the operation goes through raw JSON calls; the
//! set-up, the sign-ins and the checks of what a derived token is good for use the SDK.

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, OAuthFlowType, ResourceServerScopeType,
    UserPoolTierType,
};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::auth::{claims, verifies_with};
use crate::common::{err, start, Emulator};

const PASSWORD: &str = "Perm4nent!pass";
const API: &str = "https://api.example.com";
const READ: &str = "https://api.example.com/read";
const WRITE: &str = "https://api.example.com/write";
const DOWNSTREAM: &str = "https://downstream.example.com";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_URN: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID_URN: &str = "urn:ietf:params:oauth:token-type:id_token";

struct Setup {
    pool: String,
    /// alice signs in here (public, no token exchange).
    web: String,
    /// The service that exchanges tokens: a secret, both exchange flows.
    agent: String,
    agent_secret: String,
    /// A machine client whose client_credentials token is the actor.
    machine: String,
    machine_secret: String,
    /// Impersonation only, no secret.
    impersonator: String,
}

fn flow(name: &str) -> ExplicitAuthFlowsType {
    ExplicitAuthFlowsType::from(name)
}

async fn setup(emulator: &Emulator) -> Setup {
    let pool = emulator.pool("exchange").await;
    let idp = &emulator.idp;
    idp.create_resource_server()
        .user_pool_id(&pool)
        .identifier(API)
        .name("api")
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("read")
                .build()
                .unwrap(),
        )
        .scopes(
            ResourceServerScopeType::builder()
                .scope_name("write")
                .scope_description("write")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    idp.admin_create_user()
        .user_pool_id(&pool)
        .username("alice")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("alice@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool, "alice", PASSWORD).await;
    let created = |name: &str| {
        idp.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name(name)
    };
    let web = created("web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let agent = created("agent")
        .generate_secret(true)
        .explicit_auth_flows(flow("ALLOW_TOKEN_EXCHANGE_IMPERSONATION"))
        .explicit_auth_flows(flow("ALLOW_TOKEN_EXCHANGE_DELEGATION"))
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes(READ)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let machine = created("machine")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes(READ)
        .allowed_o_auth_scopes(WRITE)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let impersonator = created("impersonator")
        .explicit_auth_flows(flow("ALLOW_TOKEN_EXCHANGE_IMPERSONATION"))
        .allowed_o_auth_scopes("aws.cognito.signin.user.admin")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    Setup {
        pool,
        web: web.client_id.unwrap(),
        agent: agent.client_id.unwrap(),
        agent_secret: agent.client_secret.unwrap(),
        machine: machine.client_id.unwrap(),
        machine_secret: machine.client_secret.unwrap(),
        impersonator: impersonator.client_id.unwrap(),
    }
}

/// alice's (access, ID) tokens from a sign-in through `web`.
async fn sign_in(emulator: &Emulator, setup: &Setup) -> (String, String) {
    let result = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.web)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    (result.access_token.unwrap(), result.id_token.unwrap())
}

/// The machine client's own token (client_credentials) for `scopes`.
async fn machine_token(emulator: &Emulator, setup: &Setup, scopes: &[&str]) -> String {
    emulator
        .idp
        .get_client_token()
        .client_id(&setup.machine)
        .secret(&setup.machine_secret)
        .set_scopes(Some(scopes.iter().map(|s| s.to_string()).collect()))
        .send()
        .await
        .unwrap()
        .client_authentication_result
        .unwrap()
        .access_token
        .unwrap()
}

/// A GetDerivedToken request by the agent, with its secret, for `subject`.
fn by_agent(setup: &Setup, subject: &str, kind: &str) -> Value {
    json!({
        "ClientId": setup.agent,
        "ClientSecret": setup.agent_secret,
        "SubjectToken": subject,
        "SubjectTokenType": kind,
    })
}

/// `body` with `extra`'s members (a null one removes the member).
fn with(mut body: Value, extra: Value) -> Value {
    let members = body.as_object_mut().unwrap();
    for (key, value) in extra.as_object().unwrap() {
        if value.is_null() {
            members.remove(key);
        } else {
            members.insert(key.clone(), value.clone());
        }
    }
    body
}

async fn derive(emulator: &Emulator, body: Value) -> Result<Value, (String, String)> {
    match emulator.idp_call("GetDerivedToken", body).await {
        (200, body) => Ok(body),
        (_, body) => Err((
            body["__type"].as_str().unwrap_or_default().to_string(),
            body["message"].as_str().unwrap_or_default().to_string(),
        )),
    }
}

async fn jwks(emulator: &Emulator, pool: &str) -> Value {
    emulator
        .get_json(&format!("{}/{pool}/.well-known/jwks.json", emulator.url))
        .await
}

#[tokio::test]
async fn impersonation_narrows_scopes_binds_an_audience_and_stays_tied_to_the_sign_in() {
    let emulator = start().await;
    let setup = setup(&emulator).await;
    let (access, id) = sign_in(&emulator, &setup).await;
    let subject = claims(&access);

    let body = derive(
        &emulator,
        with(
            by_agent(&setup, &access, "ACCESS_TOKEN"),
            json!({"Audiences": [DOWNSTREAM]}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(body["IssuedTokenType"], "ACCESS_TOKEN");
    assert_eq!(body["TokenType"], "Bearer");
    assert_eq!(body["ExpiresIn"], 3600);
    // No scopes asked: the subject token's.
    assert_eq!(body["Scopes"], json!(["aws.cognito.signin.user.admin"]));
    assert!(body.get("RefreshToken").is_none());
    let derived = body["IssuedToken"].as_str().unwrap().to_string();
    assert!(verifies_with(&derived, &jwks(&emulator, &setup.pool).await));
    let c = claims(&derived);
    assert_eq!(c["sub"], subject["sub"]);
    assert_eq!(c["username"], "alice");
    assert_eq!(c["client_id"], setup.agent.as_str());
    assert_eq!(c["aud"], DOWNSTREAM);
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(c["origin_jti"], subject["origin_jti"]);
    assert_eq!(c["auth_time"], subject["auth_time"]);
    assert_eq!(c["iss"], subject["iss"]);
    assert_ne!(c["jti"], subject["jti"]);
    assert!(
        c.get("act").is_none(),
        "impersonation: as if the user acted"
    );
    // The derived token is a pool access token like any other.
    let user = emulator
        .idp
        .get_user()
        .access_token(&derived)
        .send()
        .await
        .unwrap();
    assert_eq!(user.username, "alice");

    // Asked scopes: the intersection of those asked, the subject's and the client's.
    let body = derive(
        &emulator,
        with(
            by_agent(&setup, &access, "ACCESS_TOKEN"),
            json!({"Scopes": ["openid", "aws.cognito.signin.user.admin", WRITE]}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(body["Scopes"], json!(["aws.cognito.signin.user.admin"]));
    let c = claims(body["IssuedToken"].as_str().unwrap());
    assert!(c.get("aud").is_none(), "no audience asked, none bound");
    // A scope the subject token lacks is not granted: nothing left.
    assert_eq!(
        derive(
            &emulator,
            with(
                by_agent(&setup, &access, "ACCESS_TOKEN"),
                json!({"Scopes": [READ]}),
            ),
        )
        .await
        .unwrap_err(),
        (
            "InvalidParameterException".to_string(),
            "Invalid scope requested.".to_string()
        )
    );

    // An ID token subject, an ID token issued for a resource server.
    let body = derive(
        &emulator,
        with(
            by_agent(&setup, &id, "ID_TOKEN"),
            json!({"RequestedTokenType": "ID_TOKEN", "Resources": [API]}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(body["IssuedTokenType"], "ID_TOKEN");
    assert_eq!(body["TokenType"], "N_A");
    assert!(body.get("Scopes").is_none());
    let c = claims(body["IssuedToken"].as_str().unwrap());
    assert_eq!(c["token_use"], "id");
    assert_eq!(c["aud"], API);
    assert_eq!(c["cognito:username"], "alice");
    assert_eq!(c["email"], "alice@example.com");
    assert_eq!(c["sub"], subject["sub"]);
    // An ID token carries no scopes: the client's allowed ones limit the exchange.
    let body = derive(
        &emulator,
        with(
            by_agent(&setup, &id, "ID_TOKEN"),
            json!({"Scopes": ["openid", WRITE]}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(body["Scopes"], json!(["openid"]));

    // Signing out revokes the sign-in: its tokens can no longer be exchanged, and what was
    // derived from them stops working too.
    emulator
        .idp
        .global_sign_out()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        derive(&emulator, by_agent(&setup, &id, "ID_TOKEN"))
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "The subject token has been revoked.".to_string()
        )
    );
    let (code, _) = err(emulator
        .idp
        .get_user()
        .access_token(&derived)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "NotAuthorizedException");
    emulator.stop().await;
}

#[tokio::test]
async fn delegation_carries_the_actor_in_an_act_claim() {
    let emulator = start().await;
    let setup = setup(&emulator).await;
    let (access, _) = sign_in(&emulator, &setup).await;
    let actor = machine_token(&emulator, &setup, &[WRITE]).await;
    let body = derive(
        &emulator,
        with(
            by_agent(&setup, &access, "ACCESS_TOKEN"),
            json!({"ActorToken": actor, "ActorTokenType": "ACCESS_TOKEN", "Audiences": [DOWNSTREAM]}),
        ),
    )
    .await
    .unwrap();
    let c = claims(body["IssuedToken"].as_str().unwrap());
    assert_eq!(c["username"], "alice");
    assert_eq!(
        c["act"],
        json!({"sub": setup.machine, "client_id": setup.machine})
    );

    // A machine's own token as the subject: its scopes, narrowed by the agent's.
    let subject = machine_token(&emulator, &setup, &[READ, WRITE]).await;
    let body = derive(&emulator, by_agent(&setup, &subject, "ACCESS_TOKEN"))
        .await
        .unwrap();
    assert_eq!(body["Scopes"], json!([READ, WRITE]));
    let body = derive(
        &emulator,
        with(
            by_agent(&setup, &subject, "ACCESS_TOKEN"),
            json!({"Scopes": [READ, WRITE]}),
        ),
    )
    .await
    .unwrap();
    assert_eq!(body["Scopes"], json!([READ]));
    let c = claims(body["IssuedToken"].as_str().unwrap());
    assert_eq!(c["sub"], setup.machine.as_str());
    assert!(c.get("username").is_none());
    // No user, no ID token.
    let (code, _) = derive(
        &emulator,
        with(
            by_agent(&setup, &subject, "ACCESS_TOKEN"),
            json!({"RequestedTokenType": "ID_TOKEN"}),
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(code, "InvalidParameterException");
    emulator.stop().await;
}

#[tokio::test]
async fn every_refusal_names_its_cause() {
    let emulator = start().await;
    let setup = setup(&emulator).await;
    let (access, id) = sign_in(&emulator, &setup).await;
    let actor = machine_token(&emulator, &setup, &[READ]).await;
    let other_pool = emulator.pool("other").await;
    let other_client = emulator
        .client_with_flows(
            &other_pool,
            "x",
            &[ExplicitAuthFlowsType::AllowAdminUserPasswordAuth],
        )
        .await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&other_pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    emulator.set_password(&other_pool, "alice", PASSWORD).await;
    let foreign = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&other_pool)
        .client_id(&other_client)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    // The payload changed, the signature kept.
    let forged = {
        let parts: Vec<&str> = access.split('.').collect();
        let mut payload = claims(&access);
        payload["username"] = json!("mallory");
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.to_string().as_bytes());
        format!("{}.{payload}.{}", parts[0], parts[2])
    };

    let agent = |extra: Value| with(by_agent(&setup, &access, "ACCESS_TOKEN"), extra);
    let bad_secret = format!("Unable to verify secret for client {}", setup.agent);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "unknown client",
            agent(json!({"ClientId": "1example23456789abcdefghij"})),
            "ResourceNotFoundException",
            "User pool client 1example23456789abcdefghij does not exist.",
        ),
        (
            "wrong secret",
            agent(json!({"ClientSecret": "x".repeat(52)})),
            "NotAuthorizedException",
            &bad_secret,
        ),
        (
            "no secret, no IAM credentials",
            json!({"ClientId": setup.agent, "SubjectToken": access, "SubjectTokenType": "ACCESS_TOKEN"}),
            "NotAuthorizedException",
            &bad_secret,
        ),
        (
            "client without the exchange flows",
            agent(json!({"ClientId": setup.web, "ClientSecret": null})),
            "InvalidParameterException",
            "ALLOW_TOKEN_EXCHANGE_IMPERSONATION is not enabled for this client.",
        ),
        (
            "delegation not enabled",
            agent(json!({"ClientId": setup.impersonator, "ClientSecret": null,
                "ActorToken": actor, "ActorTokenType": "ACCESS_TOKEN"})),
            "InvalidParameterException",
            "ALLOW_TOKEN_EXCHANGE_DELEGATION is not enabled for this client.",
        ),
        (
            "actor token without its type",
            agent(json!({"ActorToken": actor})),
            "InvalidParameterException",
            "ActorToken and ActorTokenType must be given together.",
        ),
        (
            "audiences and resources",
            agent(json!({"Audiences": [DOWNSTREAM], "Resources": [API]})),
            "InvalidParameterException",
            "You can't request both Audiences and Resources.",
        ),
        (
            "unknown resource server",
            agent(json!({"Resources": ["https://nowhere.example.com"]})),
            "ResourceNotFoundException",
            "Resource server https://nowhere.example.com does not exist.",
        ),
        (
            "an access token said to be an ID token",
            agent(json!({"SubjectTokenType": "ID_TOKEN"})),
            "NotAuthorizedException",
            "The subject token is not of type ID_TOKEN.",
        ),
        (
            "an ID token said to be an access token",
            agent(json!({"SubjectToken": id})),
            "NotAuthorizedException",
            "The subject token is not of type ACCESS_TOKEN.",
        ),
        (
            "forged subject token",
            agent(json!({"SubjectToken": forged})),
            "NotAuthorizedException",
            "Invalid subject token.",
        ),
        (
            "another pool's token",
            agent(json!({"SubjectToken": foreign})),
            "NotAuthorizedException",
            "Invalid subject token.",
        ),
        (
            "not a token",
            agent(json!({"SubjectToken": "abc"})),
            "NotAuthorizedException",
            "Invalid subject token.",
        ),
        (
            "forged actor token",
            agent(json!({"ActorToken": forged, "ActorTokenType": "ACCESS_TOKEN"})),
            "NotAuthorizedException",
            "Invalid actor token.",
        ),
        (
            "SAML2 without its provider",
            agent(json!({"SubjectTokenType": "SAML2"})),
            "InvalidParameterException",
            "A SAML2 subject token must name the identity provider that issued it.",
        ),
        (
            "a third-party provider's token",
            agent(json!({"SubjectTokenProviderName": "Okta"})),
            "NotImplementedException",
            "Exchanging subject tokens of third-party identity providers (Okta) is not implemented by cognito-emulator yet.",
        ),
        (
            "a scope the client may not have",
            agent(json!({"Scopes": [WRITE]})),
            "InvalidParameterException",
            "Invalid scope requested.",
        ),
    ];
    for (case, body, code, message) in cases {
        assert_eq!(
            derive(&emulator, body).await.unwrap_err(),
            (code.to_string(), message.to_string()),
            "{case}"
        );
    }

    // With IAM credentials (a SigV4-signed request) the secret may be left out.
    let response = emulator
        .http
        .post(&emulator.url)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.GetDerivedToken",
        )
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
        )
        .body(
            json!({"ClientId": setup.agent, "SubjectToken": access, "SubjectTokenType": "ACCESS_TOKEN"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // A deleted user's tokens.
    let (bob_access, _) = {
        emulator
            .idp
            .admin_create_user()
            .user_pool_id(&setup.pool)
            .username("bob")
            .send()
            .await
            .unwrap();
        emulator.set_password(&setup.pool, "bob", PASSWORD).await;
        let result = emulator
            .idp
            .initiate_auth()
            .client_id(&setup.web)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "bob")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap()
            .authentication_result
            .unwrap();
        (result.access_token.unwrap(), ())
    };
    emulator
        .idp
        .admin_delete_user()
        .user_pool_id(&setup.pool)
        .username("bob")
        .send()
        .await
        .unwrap();
    let (code, _) = derive(&emulator, by_agent(&setup, &bob_access, "ACCESS_TOKEN"))
        .await
        .unwrap_err();
    assert_eq!(code, "UserNotFoundException");

    // Expired.
    emulator.advance_clock(3601.0).await;
    assert_eq!(
        derive(&emulator, by_agent(&setup, &access, "ACCESS_TOKEN"))
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_string(),
            "The subject token has expired.".to_string()
        )
    );
    emulator.stop().await;
}

#[tokio::test]
async fn the_lite_plan_has_no_token_exchange() {
    let emulator = start().await;
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = emulator
        .client_with_flows(
            &pool,
            "agent",
            &[flow("ALLOW_TOKEN_EXCHANGE_IMPERSONATION")],
        )
        .await;
    let (code, _) = derive(
        &emulator,
        json!({"ClientId": client, "SubjectToken": "a.b.c", "SubjectTokenType": "ACCESS_TOKEN"}),
    )
    .await
    .unwrap_err();
    assert_eq!(code, "OperationNotEnabledException");
    emulator.stop().await;
}

async fn token_endpoint(
    emulator: &Emulator,
    form: &[(&str, &str)],
    basic: (&str, &str),
) -> (u16, Value) {
    let response = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .header(
            "authorization",
            format!(
                "Basic {}",
                STANDARD.encode(format!("{}:{}", basic.0, basic.1))
            ),
        )
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_token_endpoint_exchanges_tokens_with_rfc_8693_answers() {
    let emulator = start().await;
    let setup = setup(&emulator).await;
    let (access, id) = sign_in(&emulator, &setup).await;
    let actor = machine_token(&emulator, &setup, &[READ]).await;
    let agent = (setup.agent.as_str(), setup.agent_secret.as_str());

    let (status, body) = token_endpoint(
        &emulator,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &access),
            ("subject_token_type", ACCESS_URN),
            ("actor_token", &actor),
            ("actor_token_type", ACCESS_URN),
            ("audience", DOWNSTREAM),
        ],
        agent,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issued_token_type"], ACCESS_URN);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "aws.cognito.signin.user.admin");
    assert!(body.get("refresh_token").is_none());
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["aud"], DOWNSTREAM);
    assert_eq!(c["act"]["sub"], setup.machine.as_str());

    let (status, body) = token_endpoint(
        &emulator,
        &[
            ("grant_type", EXCHANGE),
            ("subject_token", &id),
            ("subject_token_type", ID_URN),
            ("requested_token_type", ID_URN),
        ],
        agent,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["issued_token_type"], ID_URN);
    assert_eq!(body["token_type"], "N_A");
    assert!(body.get("scope").is_none());
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["aud"],
        setup.agent.as_str()
    );

    let base = [
        ("grant_type", EXCHANGE),
        ("subject_token", access.as_str()),
        ("subject_token_type", ACCESS_URN),
    ];
    let plus = |extra: &[(&'static str, &'static str)]| {
        let mut form = base.to_vec();
        form.extend_from_slice(extra);
        form
    };
    let web = (setup.web.as_str(), "");
    type Form<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Form, (&str, &str), &str)> = vec![
        (plus(&[("scope", READ)]), agent, "invalid_scope"),
        (
            plus(&[("resource", "https://nowhere.example.com")]),
            agent,
            "invalid_target",
        ),
        (
            vec![
                ("grant_type", EXCHANGE),
                ("subject_token", "abc"),
                ("subject_token_type", ACCESS_URN),
            ],
            agent,
            "invalid_grant",
        ),
        (
            vec![("grant_type", EXCHANGE), ("subject_token", access.as_str())],
            agent,
            "invalid_request",
        ),
        (
            plus(&[("actor_token_type", ACCESS_URN)]),
            agent,
            "invalid_request",
        ),
        (
            plus(&[("requested_token_type", "urn:x")]),
            agent,
            "invalid_request",
        ),
        (
            base.to_vec(),
            (setup.agent.as_str(), "wrong"),
            "invalid_client",
        ),
        (base.to_vec(), web, "unauthorized_client"),
    ];
    for (form, basic, error) in cases {
        let (status, body) = token_endpoint(&emulator, &form, basic).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{form:?}"
        );
    }
    emulator.stop().await;
}
