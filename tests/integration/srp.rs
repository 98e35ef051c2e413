//! USER_SRP_AUTH driven by a small SRP-6a client written here from the reference's formulas
//! (independent of the server's code), through the Rust SDK.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

#[path = "../../benches/srp_client.rs"]
pub mod srp_client;
use srp_client::Client;

use crate::auth::{setup, Setup};
use crate::common::{err, start, Emulator};

use srp_client::TIMESTAMP;

/// Step one; returns the challenge parameters and session.
async fn initiate(
    emulator: &Emulator,
    setup: &Setup,
    client: &Client,
    username: &str,
) -> Result<(HashMap<String, String>, String), (String, String)> {
    let output = emulator
        .idp
        .initiate_auth()
        .client_id(&setup.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", client.srp_a())
        .send()
        .await
        .map_err(err)?;
    assert_eq!(
        output.challenge_name,
        Some(ChallengeNameType::PasswordVerifier)
    );
    Ok((
        output.challenge_parameters.unwrap(),
        output.session.unwrap(),
    ))
}

/// Step two, with or without the Session (pycognito sends none).
async fn verify(
    emulator: &Emulator,
    setup: &Setup,
    client: &Client,
    parameters: &HashMap<String, String>,
    session: Option<String>,
    password: &str,
) -> Result<String, (String, String)> {
    let pool_name = setup.pool_id.split_once('_').unwrap().1;
    let user_id = &parameters["USER_ID_FOR_SRP"];
    let signature = client.sign(pool_name, password, parameters);
    emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&setup.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(session)
        .challenge_responses("USERNAME", user_id)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", TIMESTAMP)
        .send()
        .await
        .map(|o| o.authentication_result.unwrap().access_token.unwrap())
        .map_err(err)
}

#[tokio::test]
async fn srp_sign_in_with_and_without_session() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    for with_session in [true, false] {
        let client = Client::new();
        let (parameters, session) = initiate(&emulator, &setup, &client, "alice").await.unwrap();
        assert_eq!(parameters["USER_ID_FOR_SRP"], "alice");
        assert_eq!(parameters["USERNAME"], "alice");
        assert_eq!(parameters["SALT"].len() % 2, 0, "canonical padded hex");
        assert!(
            STANDARD.decode(&parameters["SECRET_BLOCK"]).is_ok(),
            "standard base64"
        );
        let access = verify(
            &emulator,
            &setup,
            &client,
            &parameters,
            with_session.then_some(session.clone()),
            "Perm4nent!pass",
        )
        .await
        .unwrap();
        let user = emulator
            .idp
            .get_user()
            .access_token(access)
            .send()
            .await
            .unwrap();
        assert_eq!(user.username, "alice");
        // The same challenge cannot be answered twice.
        let again = verify(
            &emulator,
            &setup,
            &client,
            &parameters,
            Some(session),
            "Perm4nent!pass",
        )
        .await
        .unwrap_err();
        assert_eq!(
            again.1,
            "Invalid session for the user, session can only be used once."
        );
    }
    // Signing in by e-mail alias is not configured here: unknown name.
    let client = Client::new();
    assert_eq!(
        initiate(&emulator, &setup, &client, "nobody")
            .await
            .unwrap_err(),
        (
            "UserNotFoundException".into(),
            "User does not exist.".into()
        )
    );
    let (parameters, session) = initiate(&emulator, &setup, &client, "alice").await.unwrap();
    assert_eq!(
        verify(
            &emulator,
            &setup,
            &client,
            &parameters,
            Some(session),
            "Wrong!pass1"
        )
        .await
        .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
}

#[tokio::test]
async fn srp_hides_unknown_users_when_the_client_asks() {
    let emulator = start().await;
    let setup = setup(&emulator, false, true).await;
    let client = Client::new();
    let (first, session) = initiate(&emulator, &setup, &client, "ghost").await.unwrap();
    let (second, _) = initiate(&emulator, &setup, &Client::new(), "ghost")
        .await
        .unwrap();
    assert_eq!(
        first["USER_ID_FOR_SRP"], second["USER_ID_FOR_SRP"],
        "stable for the same name"
    );
    assert_eq!(first["SALT"], second["SALT"]);
    assert_eq!(first["USER_ID_FOR_SRP"].len(), 36);
    assert_eq!(
        verify(
            &emulator,
            &setup,
            &client,
            &first,
            Some(session),
            "Any!pass1"
        )
        .await
        .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    // A real user still signs in.
    let client = Client::new();
    let (parameters, session) = initiate(&emulator, &setup, &client, "alice").await.unwrap();
    assert!(verify(
        &emulator,
        &setup,
        &client,
        &parameters,
        Some(session),
        "Perm4nent!pass"
    )
    .await
    .is_ok());
}

/// An SRP sign-in from start to finish.
pub async fn srp_login(
    emulator: &Emulator,
    setup: &Setup,
    username: &str,
    password: &str,
) -> Result<String, (String, String)> {
    let client = Client::new();
    let (parameters, session) = initiate(emulator, setup, &client, username).await?;
    verify(
        emulator,
        setup,
        &client,
        &parameters,
        Some(session),
        password,
    )
    .await
}

#[tokio::test]
async fn the_lockout_covers_every_first_factor_and_hides_the_password() {
    let emulator = start().await;
    // The first lock lasts one second of the emulator's clock: frozen, it cannot run out
    // while a loaded machine answers the checks below.
    emulator.freeze_clock().await;
    let setup = setup(&emulator, false, false).await;
    let incorrect = (
        "NotAuthorizedException".to_string(),
        "Incorrect username or password.".to_string(),
    );
    let exceeded = (
        "NotAuthorizedException".to_string(),
        "Password attempts exceeded".to_string(),
    );
    let password_login = |flow: AuthFlowType, password: &'static str| async {
        let admin = flow == AuthFlowType::AdminUserPasswordAuth;
        let params = [("USERNAME", "alice"), ("PASSWORD", password)];
        if admin {
            let mut request = emulator
                .idp
                .admin_initiate_auth()
                .user_pool_id(&setup.pool_id)
                .client_id(&setup.client_id)
                .auth_flow(flow);
            for (k, v) in params {
                request = request.auth_parameters(k, v);
            }
            request.send().await.map(|_| ()).map_err(err)
        } else {
            let mut request = emulator
                .idp
                .initiate_auth()
                .client_id(&setup.client_id)
                .auth_flow(flow);
            for (k, v) in params {
                request = request.auth_parameters(k, v);
            }
            request.send().await.map(|_| ()).map_err(err)
        }
    };
    // Five wrong SRP proofs lock the user out of every flow.
    for _ in 0..5 {
        assert_eq!(
            srp_login(&emulator, &setup, "alice", "Wrong!pass1")
                .await
                .unwrap_err(),
            incorrect
        );
    }
    // During the lockout right and wrong passwords get the same answer, in every flow.
    for password in ["Perm4nent!pass", "Wrong!pass1"] {
        assert_eq!(
            srp_login(&emulator, &setup, "alice", password)
                .await
                .unwrap_err(),
            exceeded
        );
        for flow in [
            AuthFlowType::UserPasswordAuth,
            AuthFlowType::AdminUserPasswordAuth,
        ] {
            assert_eq!(password_login(flow, password).await.unwrap_err(), exceeded);
        }
    }
    // Wrong passwords during the lockout do not extend it: the first lock is one second.
    emulator.advance_clock(1.5).await;
    assert!(srp_login(&emulator, &setup, "alice", "Perm4nent!pass")
        .await
        .is_ok());
    // Failures through the password flows lock SRP out too.
    for _ in 0..5 {
        assert_eq!(
            password_login(AuthFlowType::AdminUserPasswordAuth, "Wrong!pass1")
                .await
                .unwrap_err(),
            incorrect
        );
    }
    assert_eq!(
        srp_login(&emulator, &setup, "alice", "Perm4nent!pass")
            .await
            .unwrap_err(),
        exceeded
    );
}

/// SRP_A longer than the 3072-bit modulus is refused up front: a pending challenge would
/// otherwise keep whatever the caller sent (up to the body limit).
#[tokio::test]
async fn srp_refuses_an_oversize_srp_a() {
    let emulator = start().await;
    let setup = setup(&emulator, false, false).await;
    let initiate_with = |username: &'static str, srp_a: String| {
        emulator
            .idp
            .initiate_auth()
            .client_id(&setup.client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", srp_a)
            .send()
    };
    let refused = (
        "InvalidParameterException".to_string(),
        "Invalid SRP_A value.".to_string(),
    );
    let too_long = [
        format!("1{}", "0".repeat(768)),
        "f".repeat(60_000),
        format!("{}1", "0".repeat(770)),
    ];
    for srp_a in too_long {
        let len = srp_a.len();
        for user in ["alice", "nobody"] {
            let error = initiate_with(user, srp_a.clone()).await.map_err(err);
            assert_eq!(error.unwrap_err(), refused, "{len} digits for {user}");
        }
    }
    // A written out to the modulus' length, plus one zero byte (padHex), still signs in.
    let client = Client::new();
    let padded = format!("00{:0>768}", client.srp_a());
    let output = initiate_with("alice", padded).await.unwrap();
    let parameters = output.challenge_parameters.unwrap();
    assert!(verify(
        &emulator,
        &setup,
        &client,
        &parameters,
        output.session,
        "Perm4nent!pass"
    )
    .await
    .is_ok());
}
