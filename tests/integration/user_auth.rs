//! USER_AUTH (choice-based sign-in) through the Rust SDK: SELECT_CHALLENGE and
//! PREFERRED_CHALLENGE, first factors PASSWORD, PASSWORD_SRP and WEB_AUTHN (a passkey of the
//! software authenticator; its checks are in `passkey_sign_in.rs`), and the feature plan's
//! limits.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow,
    PreventUserExistenceErrorTypes, SignInPolicyType, UserPoolPolicyType, UserPoolTierType,
    UserVerificationType,
};
use serde_json::{json, Value};

use crate::authenticator::{Attest, Authenticator, Bend};
use crate::common::{err, start, Emulator};
use crate::passkeys::{passkey_pool, register, user_with_token, ORIGIN, PASSWORD};
use crate::srp::srp_client::{Client as SrpClient, TIMESTAMP};

pub const BOTH: &[AuthFactorType] = &[AuthFactorType::Password, AuthFactorType::WebAuthn];

pub async fn user_auth(
    emulator: &Emulator,
    client: &str,
    username: &str,
    extra: &[(&str, &str)],
) -> Result<InitiateAuthOutput, (String, String)> {
    let mut call = emulator
        .idp
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", username);
    for (k, v) in extra {
        call = call.auth_parameters(*k, *v);
    }
    call.send().await.map_err(err)
}

/// RespondToAuthChallenge: the challenge name, parameters and session of the next step, or
/// the access token when it is the last.
#[derive(Debug)]
pub enum Next {
    Challenge(ChallengeNameType, HashMap<String, String>, String),
    Tokens(String),
}

pub async fn respond(
    emulator: &Emulator,
    client: &str,
    challenge: ChallengeNameType,
    session: &str,
    responses: &[(&str, &str)],
) -> Result<Next, (String, String)> {
    let mut call = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(challenge)
        .session(session);
    for (k, v) in responses {
        call = call.challenge_responses(*k, *v);
    }
    let out = call.send().await.map_err(err)?;
    Ok(match out.authentication_result {
        Some(result) => Next::Tokens(result.access_token.unwrap()),
        None => Next::Challenge(
            out.challenge_name.unwrap(),
            out.challenge_parameters.unwrap_or_default(),
            out.session.unwrap(),
        ),
    })
}

pub fn options_of(parameters: &HashMap<String, String>) -> Value {
    serde_json::from_str(&parameters["CREDENTIAL_REQUEST_OPTIONS"]).unwrap()
}

/// A pool with passkeys and a user "erin" who registered `authenticator`'s passkey.
pub async fn erin(emulator: &Emulator, authenticator: &mut Authenticator) -> (String, String) {
    let (pool, client) = passkey_pool(emulator, BOTH, UserVerificationType::Required).await;
    let token = user_with_token(emulator, &pool, &client, "erin").await;
    register(emulator, &token, authenticator, Attest::None).await;
    (pool, client)
}

#[tokio::test]
async fn select_challenge_then_password_or_passkey() {
    let emulator = start().await;
    let mut authenticator = Authenticator::es256();
    let (_, client) = erin(&emulator, &mut authenticator).await;

    let out = user_auth(&emulator, &client, "erin", &[]).await.unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::SelectChallenge));
    assert_eq!(
        out.available_challenges(),
        [
            ChallengeNameType::WebAuthn,
            ChallengeNameType::PasswordSrp,
            ChallengeNameType::Password
        ]
    );
    assert_eq!(out.challenge_parameters, Some(HashMap::new()));
    let session = out.session.unwrap();
    // PASSWORD with the password: tokens at once.
    let next = respond(
        &emulator,
        &client,
        ChallengeNameType::SelectChallenge,
        &session,
        &[
            ("USERNAME", "erin"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .unwrap();
    assert!(matches!(next, Next::Tokens(_)), "{next:?}");
    // The session was used.
    let (code, message) = respond(
        &emulator,
        &client,
        ChallengeNameType::SelectChallenge,
        &session,
        &[
            ("USERNAME", "erin"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        message,
        "Invalid session for the user, session can only be used once."
    );

    // PASSWORD alone: the PASSWORD challenge asks for it.
    let session = user_auth(&emulator, &client, "erin", &[])
        .await
        .unwrap()
        .session
        .unwrap();
    let Next::Challenge(name, _, session) = respond(
        &emulator,
        &client,
        ChallengeNameType::SelectChallenge,
        &session,
        &[("USERNAME", "erin"), ("ANSWER", "PASSWORD")],
    )
    .await
    .unwrap() else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::Password);
    let (code, message) = respond(
        &emulator,
        &client,
        ChallengeNameType::Password,
        &session,
        &[("USERNAME", "erin"), ("PASSWORD", "Wr0ng!password")],
    )
    .await
    .unwrap_err();
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );

    // An answer that was not offered.
    let session = user_auth(&emulator, &client, "erin", &[])
        .await
        .unwrap()
        .session
        .unwrap();
    let (code, message) = respond(
        &emulator,
        &client,
        ChallengeNameType::SelectChallenge,
        &session,
        &[("USERNAME", "erin"), ("ANSWER", "EMAIL_OTP")],
    )
    .await
    .unwrap_err();
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid ANSWER EMAIL_OTP: not one of the available challenges."
    );

    // WEB_AUTHN: the request options, then the assertion.
    let session = user_auth(&emulator, &client, "erin", &[])
        .await
        .unwrap()
        .session
        .unwrap();
    let Next::Challenge(name, parameters, session) = respond(
        &emulator,
        &client,
        ChallengeNameType::SelectChallenge,
        &session,
        &[("USERNAME", "erin"), ("ANSWER", "WEB_AUTHN")],
    )
    .await
    .unwrap() else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::WebAuthn);
    let options = options_of(&parameters);
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["userVerification"], "required");
    assert_eq!(
        options["allowCredentials"],
        json!([{"type": "public-key", "id": authenticator.id(), "transports": ["internal", "hybrid"]}])
    );
    let credential = authenticator.assert(&options, ORIGIN, &Bend::default());
    let next = respond(
        &emulator,
        &client,
        ChallengeNameType::WebAuthn,
        &session,
        &[
            ("USERNAME", "erin"),
            ("CREDENTIAL", &credential.to_string()),
        ],
    )
    .await
    .unwrap();
    let Next::Tokens(token) = next else {
        panic!("tokens")
    };
    let user = emulator
        .idp
        .get_user()
        .access_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "erin");
}

#[tokio::test]
async fn preferred_challenges_password_and_srp() {
    let emulator = start().await;
    let (pool, client) = passkey_pool(&emulator, BOTH, UserVerificationType::Preferred).await;
    user_with_token(&emulator, &pool, &client, "frank").await;

    let out = user_auth(
        &emulator,
        &client,
        "frank",
        &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
    )
    .await
    .unwrap();
    assert!(out.authentication_result.is_some());
    assert_eq!(out.challenge_parameters, Some(HashMap::new()));
    let wrong = user_auth(
        &emulator,
        &client,
        "frank",
        &[
            ("PREFERRED_CHALLENGE", "PASSWORD"),
            ("PASSWORD", "Wr0ng!password"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(
        wrong,
        (
            "NotAuthorizedException".to_string(),
            "Incorrect username or password.".to_string()
        )
    );
    let missing = user_auth(
        &emulator,
        &client,
        "frank",
        &[("PREFERRED_CHALLENGE", "PASSWORD")],
    )
    .await
    .unwrap_err();
    assert_eq!(
        missing,
        (
            "InvalidParameterException".to_string(),
            "Missing required parameter PASSWORD".to_string()
        )
    );

    // No passkey: WEB_AUTHN is not offered, so the choice comes back.
    let out = user_auth(
        &emulator,
        &client,
        "frank",
        &[("PREFERRED_CHALLENGE", "WEB_AUTHN")],
    )
    .await
    .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::SelectChallenge));
    assert_eq!(
        out.available_challenges(),
        [ChallengeNameType::PasswordSrp, ChallengeNameType::Password]
    );

    // PASSWORD_SRP with SRP_A: PASSWORD_VERIFIER, as USER_SRP_AUTH.
    let pool_name = pool.split_once('_').unwrap().1;
    let srp = SrpClient::new();
    let out = user_auth(
        &emulator,
        &client,
        "frank",
        &[
            ("PREFERRED_CHALLENGE", "PASSWORD_SRP"),
            ("SRP_A", &srp.srp_a()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        out.challenge_name,
        Some(ChallengeNameType::PasswordVerifier)
    );
    let parameters = out.challenge_parameters.unwrap();
    let signature = srp.sign(pool_name, PASSWORD, &parameters);
    let next = respond(
        &emulator,
        &client,
        ChallengeNameType::PasswordVerifier,
        out.session.as_deref().unwrap(),
        &[
            ("USERNAME", "frank"),
            ("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"]),
            ("PASSWORD_CLAIM_SIGNATURE", &signature),
            ("TIMESTAMP", TIMESTAMP),
        ],
    )
    .await
    .unwrap();
    assert!(matches!(next, Next::Tokens(_)));

    // PASSWORD_SRP chosen bare, then SRP_A.
    let session = user_auth(&emulator, &client, "frank", &[])
        .await
        .unwrap()
        .session
        .unwrap();
    let Next::Challenge(name, _, session) = respond(
        &emulator,
        &client,
        ChallengeNameType::SelectChallenge,
        &session,
        &[("USERNAME", "frank"), ("ANSWER", "PASSWORD_SRP")],
    )
    .await
    .unwrap() else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::PasswordSrp);
    let srp = SrpClient::new();
    let Next::Challenge(name, parameters, session) = respond(
        &emulator,
        &client,
        ChallengeNameType::PasswordSrp,
        &session,
        &[("USERNAME", "frank"), ("SRP_A", &srp.srp_a())],
    )
    .await
    .unwrap() else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::PasswordVerifier);
    let signature = srp.sign(pool_name, PASSWORD, &parameters);
    let next = respond(
        &emulator,
        &client,
        ChallengeNameType::PasswordVerifier,
        &session,
        &[
            ("USERNAME", "frank"),
            ("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"]),
            ("PASSWORD_CLAIM_SIGNATURE", &signature),
            ("TIMESTAMP", TIMESTAMP),
        ],
    )
    .await
    .unwrap();
    assert!(matches!(next, Next::Tokens(_)));

    // AdminInitiateAuth takes USER_AUTH too.
    let out = emulator
        .idp
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "frank")
        .auth_parameters("PREFERRED_CHALLENGE", "PASSWORD")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result.is_some());
}

#[tokio::test]
async fn unknown_users_clients_without_the_flow_and_lite_pools() {
    let emulator = start().await;
    let (pool, client) = passkey_pool(&emulator, BOTH, UserVerificationType::Preferred).await;
    let unknown = user_auth(&emulator, &client, "nobody", &[])
        .await
        .unwrap_err();
    assert_eq!(
        unknown,
        (
            "UserNotFoundException".to_string(),
            "User does not exist.".to_string()
        )
    );
    // With PreventUserExistenceErrors the choice looks like anyone's, and fails later.
    let hiding = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("hiding")
        .explicit_auth_flows(Flow::AllowUserAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let out = user_auth(&emulator, &hiding, "nobody", &[]).await.unwrap();
    assert_eq!(
        out.available_challenges(),
        [ChallengeNameType::PasswordSrp, ChallengeNameType::Password]
    );
    let got = respond(
        &emulator,
        &hiding,
        ChallengeNameType::SelectChallenge,
        out.session.as_deref().unwrap(),
        &[
            ("USERNAME", "nobody"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(
        got,
        (
            "NotAuthorizedException".to_string(),
            "Incorrect username or password.".to_string()
        )
    );

    // A client without ALLOW_USER_AUTH.
    let plain = emulator.client(&pool, "plain").await;
    let got = user_auth(&emulator, &plain, "nobody", &[])
        .await
        .unwrap_err();
    assert_eq!(
        got,
        (
            "InvalidParameterException".to_string(),
            "Auth flow not enabled for this client".to_string()
        )
    );

    // LITE pools have neither passwordless factors nor USER_AUTH.
    let lite_policy = |factors: &[AuthFactorType]| {
        UserPoolPolicyType::builder()
            .sign_in_policy(
                SignInPolicyType::builder()
                    .set_allowed_first_auth_factors(Some(factors.to_vec()))
                    .build(),
            )
            .build()
    };
    let got = emulator
        .idp
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .policies(lite_policy(BOTH))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(got),
        (
            "FeatureUnavailableInTierException".to_string(),
            "Passwordless sign-in (AllowedFirstAuthFactors other than PASSWORD) is not available in the LITE feature plan: the user pool tier must be ESSENTIALS or PLUS.".to_string()
        )
    );
    let lite = emulator
        .idp
        .create_user_pool()
        .pool_name("lite")
        .user_pool_tier(UserPoolTierType::Lite)
        .policies(lite_policy(&[AuthFactorType::Password]))
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let got = emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&lite)
        .web_authn_configuration(
            aws_sdk_cognitoidentityprovider::types::WebAuthnConfigurationType::builder()
                .relying_party_id("localhost")
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(got).0, "FeatureUnavailableInTierException");
    let lite_client = emulator
        .client_with_flows(&lite, "app", &[Flow::AllowUserAuth])
        .await;
    let got = user_auth(&emulator, &lite_client, "anyone", &[])
        .await
        .unwrap_err();
    assert_eq!(
        got,
        (
            "FeatureUnavailableInTierException".to_string(),
            "Choice-based sign-in (USER_AUTH) is not available in the LITE feature plan: the user pool tier must be ESSENTIALS or PLUS.".to_string()
        )
    );
}
