//! Passkeys: the pool's WebAuthnConfiguration, registration with a software authenticator
//! (`none` and `packed` attestations, ES256 and RS256), listing and deleting, and the
//! errors of a ceremony gone wrong. Driven by the Rust SDK.

use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, AuthFlowType, ExplicitAuthFlowsType as Flow, SignInPolicyType,
    UserPoolPolicyType, UserVerificationType, WebAuthnConfigurationType,
};
use serde_json::{json, Value};

use crate::authenticator::{to_document, to_json, Attest, Authenticator, Bend, UP};
use crate::common::{err, start, Emulator};

pub const PASSWORD: &str = "Perm4nent!pass";
pub const ORIGIN: &str = "http://localhost:3000";

/// A pool whose first factors are `factors`, with passkeys for relying party `localhost`,
/// and a client allowing USER_AUTH and passwords. Returns (pool id, client id).
pub async fn passkey_pool(
    emulator: &Emulator,
    factors: &[AuthFactorType],
    verification: UserVerificationType,
) -> (String, String) {
    let policy = SignInPolicyType::builder()
        .set_allowed_first_auth_factors(Some(factors.to_vec()))
        .build();
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("passkeys")
        .policies(UserPoolPolicyType::builder().sign_in_policy(policy).build())
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id("localhost")
                .user_verification(verification)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let client = emulator
        .client_with_flows(
            &pool,
            "app",
            &[
                Flow::AllowUserAuth,
                Flow::AllowUserPasswordAuth,
                Flow::AllowUserSrpAuth,
                Flow::AllowRefreshTokenAuth,
            ],
        )
        .await;
    (pool, client)
}

/// A confirmed user with a password and a verified e-mail; returns an access token.
pub async fn user_with_token(emulator: &Emulator, pool: &str, client: &str, name: &str) -> String {
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value(format!("{name}@example.com"))
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
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    emulator.set_password(pool, name, PASSWORD).await;
    emulator
        .idp
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap()
}

pub async fn start_registration(emulator: &Emulator, token: &str) -> Value {
    let started = emulator
        .idp
        .start_web_authn_registration()
        .access_token(token)
        .send()
        .await
        .unwrap();
    to_json(started.credential_creation_options())
}

/// Registers a passkey made by `authenticator` (honestly); returns the options it answered.
pub async fn register(
    emulator: &Emulator,
    token: &str,
    authenticator: &mut Authenticator,
    attest: Attest,
) -> Value {
    let options = start_registration(emulator, token).await;
    let credential = authenticator.register(&options, ORIGIN, attest, &Bend::default());
    emulator
        .idp
        .complete_web_authn_registration()
        .access_token(token)
        .credential(to_document(&credential))
        .send()
        .await
        .unwrap();
    options
}

/// Starts a registration and completes it with a bent ceremony: the error's (code, message).
async fn refused(emulator: &Emulator, token: &str, attest: Attest, bend: Bend) -> (String, String) {
    let options = start_registration(emulator, token).await;
    let credential = Authenticator::es256().register(&options, ORIGIN, attest, &bend);
    err(emulator
        .idp
        .complete_web_authn_registration()
        .access_token(token)
        .credential(to_document(&credential))
        .send()
        .await
        .unwrap_err())
}

const BOTH: &[AuthFactorType] = &[AuthFactorType::Password, AuthFactorType::WebAuthn];

#[tokio::test]
async fn passkeys_are_registered_listed_and_deleted() {
    let emulator = start().await;
    let (pool, client) = passkey_pool(&emulator, BOTH, UserVerificationType::Preferred).await;
    let token = user_with_token(&emulator, &pool, &client, "alice").await;

    let config = emulator
        .idp
        .get_user_pool_mfa_config()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let web_authn = config.web_authn_configuration.unwrap();
    assert_eq!(web_authn.relying_party_id(), Some("localhost"));
    assert_eq!(
        web_authn.user_verification(),
        Some(&UserVerificationType::Preferred)
    );

    let options = start_registration(&emulator, &token).await;
    assert_eq!(
        options["rp"],
        json!({"id": "localhost", "name": "localhost"})
    );
    assert_eq!(options["user"]["name"], "alice");
    assert_eq!(options["user"]["displayName"], "alice@example.com");
    assert_eq!(
        options["pubKeyCredParams"],
        json!([{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}])
    );
    assert_eq!(
        options["authenticatorSelection"],
        json!({"residentKey": "required", "requireResidentKey": true, "userVerification": "preferred"})
    );
    assert_eq!(options["excludeCredentials"], json!([]));
    let challenge = options["challenge"].as_str().unwrap();
    assert_eq!(challenge.len(), 43, "32 random bytes, base64url");
    assert_ne!(
        start_registration(&emulator, &token).await["challenge"],
        challenge
    );

    let mut keys = [
        (Authenticator::es256(), Attest::None),
        (Authenticator::es256(), Attest::PackedSelf),
        (Authenticator::es256(), Attest::PackedX5c),
        (Authenticator::rs256(), Attest::None),
        (Authenticator::rs256(), Attest::PackedSelf),
    ];
    for (authenticator, attest) in keys.iter_mut() {
        register(&emulator, &token, authenticator, *attest).await;
    }
    // Registered passkeys are excluded from the next registration.
    let options = start_registration(&emulator, &token).await;
    let excluded: Vec<&str> = options["excludeCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let ids: Vec<String> = keys.iter().map(|(a, _)| a.id()).collect();
    assert_eq!(excluded, ids);

    // Listed oldest first, in pages.
    let first = emulator
        .idp
        .list_web_authn_credentials()
        .access_token(&token)
        .max_results(3)
        .send()
        .await
        .unwrap();
    assert_eq!(first.credentials().len(), 3);
    let credential = &first.credentials()[0];
    assert_eq!(credential.credential_id(), ids[0]);
    assert_eq!(credential.relying_party_id(), "localhost");
    assert_eq!(credential.friendly_credential_name(), "Passkey");
    assert_eq!(credential.authenticator_attachment(), Some("platform"));
    assert_eq!(
        credential.authenticator_transports(),
        ["internal", "hybrid"]
    );
    let rest = emulator
        .idp
        .list_web_authn_credentials()
        .access_token(&token)
        .max_results(3)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.credentials().len(), 2);
    assert_eq!(rest.credentials()[1].credential_id(), ids[4]);
    assert_eq!(rest.next_token(), None);

    // The same passkey twice is refused.
    let (authenticator, _) = &mut keys[0];
    let options = start_registration(&emulator, &token).await;
    let again = authenticator.register(&options, ORIGIN, Attest::None, &Bend::default());
    let (code, message) = err(emulator
        .idp
        .complete_web_authn_registration()
        .access_token(&token)
        .credential(to_document(&again))
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Invalid WebAuthn credential: this passkey is already registered for the user."
    );

    emulator
        .idp
        .delete_web_authn_credential()
        .access_token(&token)
        .credential_id(&ids[1])
        .send()
        .await
        .unwrap();
    let listed = emulator
        .idp
        .list_web_authn_credentials()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    let left: Vec<&str> = listed
        .credentials()
        .iter()
        .map(|c| c.credential_id())
        .collect();
    assert_eq!(left, [&ids[0], &ids[2], &ids[3], &ids[4]]);
    let (code, message) = err(emulator
        .idp
        .delete_web_authn_credential()
        .access_token(&token)
        .credential_id(&ids[1])
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "ResourceNotFoundException");
    assert_eq!(message, "The user has no passkey with this credential ID.");

    // The factors alice can sign in with: the pool's, that she has what they need for.
    let factors = emulator
        .idp
        .get_user_auth_factors()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(factors.username(), "alice");
    assert_eq!(
        factors.configured_user_auth_factors(),
        [AuthFactorType::Password, AuthFactorType::WebAuthn]
    );
    user_with_token(&emulator, &pool, &client, "zed").await;
    let factors = emulator
        .idp
        .admin_get_user_auth_factors()
        .user_pool_id(&pool)
        .username("zed")
        .send()
        .await
        .unwrap();
    assert_eq!(
        factors.configured_user_auth_factors(),
        [AuthFactorType::Password]
    );
}

#[tokio::test]
async fn bent_registrations_are_refused() {
    let emulator = start().await;
    let (pool, client) = passkey_pool(&emulator, BOTH, UserVerificationType::Required).await;
    let token = user_with_token(&emulator, &pool, &client, "bob").await;

    // Nothing started.
    let credential = Authenticator::es256().register(
        &json!({"rp": {"id": "localhost"}, "challenge": "AAAA", "user": {"id": "x"}}),
        ORIGIN,
        Attest::None,
        &Bend::default(),
    );
    let (code, message) = err(emulator
        .idp
        .complete_web_authn_registration()
        .access_token(&token)
        .credential(to_document(&credential))
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "WebAuthnChallengeNotFoundException");
    assert_eq!(
        message,
        "No passkey registration is under way for the user: call StartWebAuthnRegistration first."
    );

    let cases = [
        (
            Bend {
                challenge: Some("c29tZSBvdGhlciBjaGFsbGVuZ2U".into()),
                ..Default::default()
            },
            "WebAuthnChallengeNotFoundException",
            "The credential answers no registration challenge of this user: call StartWebAuthnRegistration again.",
        ),
        (
            Bend {
                origin: Some("https://evil.example".into()),
                ..Default::default()
            },
            "WebAuthnOriginNotAllowedException",
            "The origin https://evil.example is not allowed for this relying party.",
        ),
        (
            Bend {
                rp_id: Some("example.com".into()),
                ..Default::default()
            },
            "WebAuthnRelyingPartyMismatchException",
            "The credential was created for another relying party.",
        ),
        (
            Bend {
                flags: Some(UP),
                ..Default::default()
            },
            "InvalidParameterException",
            "Invalid WebAuthn credential: the user was not verified, and the pool requires user verification.",
        ),
        (
            Bend {
                flags: Some(0),
                ..Default::default()
            },
            "InvalidParameterException",
            "Invalid WebAuthn credential: the user was not present.",
        ),
    ];
    for (bend, code, message) in cases {
        let got = refused(&emulator, &token, Attest::None, bend.clone()).await;
        assert_eq!(got, (code.to_string(), message.to_string()), "{bend:?}");
    }
    for attest in [Attest::PackedSelf, Attest::PackedX5c] {
        let got = refused(
            &emulator,
            &token,
            attest,
            Bend {
                break_signature: true,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(
            got,
            (
                "InvalidParameterException".to_string(),
                "Invalid WebAuthn credential: the attestation signature does not verify."
                    .to_string()
            )
        );
    }
    // A challenge is used once.
    let mut authenticator = Authenticator::es256();
    let options = start_registration(&emulator, &token).await;
    let credential = authenticator.register(&options, ORIGIN, Attest::None, &Bend::default());
    let complete = || {
        emulator
            .idp
            .complete_web_authn_registration()
            .access_token(&token)
            .credential(to_document(&credential))
            .send()
    };
    complete().await.unwrap();
    let (code, _) = err(complete().await.unwrap_err());
    assert_eq!(code, "WebAuthnChallengeNotFoundException");
    let listed = emulator
        .idp
        .list_web_authn_credentials()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.credentials().len(), 1);
}

#[tokio::test]
async fn a_pool_without_passkeys_or_relying_party_refuses_registration() {
    let emulator = start().await;
    let (pool, client) = passkey_pool(
        &emulator,
        &[AuthFactorType::Password],
        UserVerificationType::Preferred,
    )
    .await;
    let token = user_with_token(&emulator, &pool, &client, "carol").await;
    let (code, message) = err(emulator
        .idp
        .start_web_authn_registration()
        .access_token(&token)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "WebAuthnNotEnabledException");
    assert_eq!(
        message,
        "Passkeys are not enabled for this user pool: WEB_AUTHN is not in its AllowedFirstAuthFactors."
    );

    // WEB_AUTHN on, but neither a relying party id nor a domain.
    let policy = SignInPolicyType::builder()
        .set_allowed_first_auth_factors(Some(BOTH.to_vec()))
        .build();
    let pool = emulator
        .idp
        .create_user_pool()
        .pool_name("no-rp")
        .policies(UserPoolPolicyType::builder().sign_in_policy(policy).build())
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = emulator
        .client_with_flows(&pool, "app", &[Flow::AllowUserPasswordAuth])
        .await;
    let token = user_with_token(&emulator, &pool, &client, "dave").await;
    let (code, message) = err(emulator
        .idp
        .start_web_authn_registration()
        .access_token(&token)
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "WebAuthnConfigurationMissingException");
    assert_eq!(message, "The user pool has no relying party ID for passkeys: set WebAuthnConfiguration.RelyingPartyId or add a domain.");

    // The pool's domain is the default relying party.
    emulator
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("passkey-land")
        .send()
        .await
        .unwrap();
    let options = start_registration(&emulator, &token).await;
    assert_eq!(
        options["rp"]["id"],
        "passkey-land.auth.us-east-1.amazoncognito.com"
    );
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "preferred"
    );

    // A relying party id is a host name.
    let (code, message) = err(emulator
        .idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .web_authn_configuration(
            WebAuthnConfigurationType::builder()
                .relying_party_id("https://example.com/")
                .build(),
        )
        .send()
        .await
        .unwrap_err());
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "Invalid RelyingPartyId https://example.com/: a relying party ID is a domain name, without scheme, port or path.");
}
