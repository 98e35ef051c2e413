//! Passkey sign-in (USER_AUTH with WEB_AUTHN): the assertion of the software authenticator
//! checked for origin, relying party, challenge, signature, user verification and counter.

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};

use crate::authenticator::{Attest, Authenticator, Bend};
use crate::common::start;
use crate::common::Emulator;
use crate::passkeys::{register, ORIGIN, PASSWORD};
use crate::user_auth::{erin, options_of, respond, user_auth, Next};

/// A WEB_AUTHN challenge asked for up front; the answer is `bend`'s assertion.
async fn passkey_answer(
    emulator: &Emulator,
    client: &str,
    authenticator: &mut Authenticator,
    bend: &Bend,
) -> Result<Next, (String, String)> {
    let out = user_auth(
        emulator,
        client,
        "erin",
        &[("PREFERRED_CHALLENGE", "WEB_AUTHN")],
    )
    .await
    .unwrap();
    assert_eq!(out.challenge_name, Some(ChallengeNameType::WebAuthn));
    let options = options_of(out.challenge_parameters.as_ref().unwrap());
    let credential = authenticator.assert(&options, ORIGIN, bend);
    respond(
        emulator,
        client,
        ChallengeNameType::WebAuthn,
        out.session.as_deref().unwrap(),
        &[
            ("USERNAME", "erin"),
            ("CREDENTIAL", &credential.to_string()),
        ],
    )
    .await
}

#[tokio::test]
async fn passkey_sign_in_checks_the_assertion() {
    let emulator = start().await;
    let mut authenticator = Authenticator::es256();
    let (_, client) = erin(&emulator, &mut authenticator).await;
    let fails = |why: &str| {
        (
            "NotAuthorizedException".to_string(),
            format!("Passkey authentication failed: {why}."),
        )
    };
    let cases = [
        (
            Bend {
                origin: Some("https://evil.example".into()),
                ..Default::default()
            },
            fails("the origin https://evil.example is not allowed"),
        ),
        (
            Bend {
                rp_id: Some("evil.example".into()),
                ..Default::default()
            },
            fails("the assertion is for another relying party"),
        ),
        (
            Bend {
                challenge: Some("bm90IHRoZSBjaGFsbGVuZ2U".into()),
                ..Default::default()
            },
            fails("the assertion answers another challenge"),
        ),
        (
            Bend {
                break_signature: true,
                ..Default::default()
            },
            fails("the assertion signature does not verify"),
        ),
        (
            Bend {
                flags: Some(crate::authenticator::UP),
                ..Default::default()
            },
            fails("the user was not verified"),
        ),
    ];
    for (bend, expected) in cases {
        let got = passkey_answer(&emulator, &client, &mut authenticator, &bend)
            .await
            .unwrap_err();
        assert_eq!(got, expected, "{bend:?}");
    }
    // An honest one works, and moves the counter on.
    let next = passkey_answer(&emulator, &client, &mut authenticator, &Bend::default())
        .await
        .unwrap();
    assert!(matches!(next, Next::Tokens(_)));
    // A counter that does not go forward: a cloned authenticator.
    let replayed = Bend {
        counter: Some(authenticator.counter),
        ..Default::default()
    };
    let got = passkey_answer(&emulator, &client, &mut authenticator, &replayed)
        .await
        .unwrap_err();
    assert_eq!(
        got,
        fails("the signature counter went backwards (a cloned authenticator?)")
    );
    // A passkey the user does not have.
    let got = passkey_answer(
        &emulator,
        &client,
        &mut Authenticator::es256(),
        &Bend::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(got, fails("the credential is not registered for the user"));
    // An RS256 passkey signs in as well.
    let mut rsa = Authenticator::rs256();
    let token = emulator
        .idp
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "erin")
        .auth_parameters("PREFERRED_CHALLENGE", "PASSWORD")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    register(&emulator, &token, &mut rsa, Attest::PackedSelf).await;
    let next = passkey_answer(&emulator, &client, &mut rsa, &Bend::default())
        .await
        .unwrap();
    assert!(matches!(next, Next::Tokens(_)));
}

#[tokio::test]
async fn passkeys_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("cognito-passkeys-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = cognito_emulator::config::Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config.public_url = Some("http://cognito.test:9229".into());
        config
    };
    let before = crate::common::start_with(config()).await;
    let mut authenticator = Authenticator::es256();
    let (_, client) = erin(&before, &mut authenticator).await;
    before.stop().await;

    let after = crate::common::start_with(config()).await;
    let next = passkey_answer(&after, &client, &mut authenticator, &Bend::default())
        .await
        .unwrap();
    assert!(matches!(next, Next::Tokens(_)), "{next:?}");
    // The counter was kept too: an old one is refused.
    let replayed = Bend {
        counter: Some(authenticator.counter - 1),
        ..Default::default()
    };
    let (code, _) = passkey_answer(&after, &client, &mut authenticator, &replayed)
        .await
        .unwrap_err();
    assert_eq!(code, "NotAuthorizedException");
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Passkey MFA (WebAuthnMfaSettings): only beside another factor, and then a passkey sign-in
/// must verify the user.
#[tokio::test]
async fn passkey_mfa_needs_another_factor_and_user_verification() {
    use aws_sdk_cognitoidentityprovider::types::{
        AuthFactorType, SoftwareTokenMfaSettingsType, UserVerificationType, WebAuthnMfaSettingsType,
    };
    let emulator = start().await;
    let mut authenticator = Authenticator::es256();
    let (pool, client) = crate::passkeys::passkey_pool(
        &emulator,
        &[AuthFactorType::Password, AuthFactorType::WebAuthn],
        UserVerificationType::Preferred,
    )
    .await;
    let token = crate::passkeys::user_with_token(&emulator, &pool, &client, "erin").await;
    register(&emulator, &token, &mut authenticator, Attest::None).await;
    // UP, BE and BS but no UV: enough while passkey MFA is off.
    let unverified = Bend {
        flags: Some(0x01 | 0x08 | 0x10),
        ..Default::default()
    };
    let next = passkey_answer(&emulator, &client, &mut authenticator, &unverified)
        .await
        .unwrap();
    assert!(matches!(next, Next::Tokens(_)), "{next:?}");

    let alone = emulator
        .idp
        .set_user_mfa_preference()
        .access_token(&token)
        .web_authn_mfa_settings(WebAuthnMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .map_err(crate::common::err)
        .unwrap_err();
    assert_eq!(alone.0, "InvalidParameterException");
    // With a software token beside it, passkey MFA goes on.
    let secret = emulator
        .idp
        .associate_software_token()
        .access_token(&token)
        .send()
        .await
        .unwrap()
        .secret_code
        .unwrap();
    emulator
        .idp
        .verify_software_token()
        .access_token(&token)
        .user_code(crate::mfa::totp_code(&emulator, &secret, 0))
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .web_authn_mfa_settings(WebAuthnMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let refused = passkey_answer(&emulator, &client, &mut authenticator, &unverified)
        .await
        .unwrap_err();
    assert_eq!(refused.0, "NotAuthorizedException");
    assert!(refused.1.contains("verify the user"), "{}", refused.1);
    let verified = passkey_answer(&emulator, &client, &mut authenticator, &Bend::default())
        .await
        .unwrap();
    assert!(matches!(verified, Next::Tokens(_)), "{verified:?}");
    emulator.stop().await;
}
