//! Remembered devices through the Rust SDK: device keys handed out at sign-in, ConfirmDevice,
//! the device operations and their errors, DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
//! answered by a small SRP client written from the reference's formulas (with and without
//! the Session, as pycognito does), refresh bound to the device, forgetting a device.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, ChallengeNameType, DeviceConfigurationType,
    DeviceRememberedStatusType, DeviceSecretVerifierConfigType, DeviceType,
    ExplicitAuthFlowsType as Flow, MessageActionType, SoftwareTokenMfaConfigType, UserPoolMfaType,
};

use crate::srp::srp_client::{self, Client, TIMESTAMP};

use crate::auth::claims;
use crate::common::{err, start, Emulator};

const PASSWORD: &str = "Perm4nent!pass";

type Failure = (String, String);

pub struct Pool {
    pub pool_id: String,
    pub client_id: String,
}

/// A pool that tracks devices, a client allowing the password, SRP and refresh flows, and
/// users `alice` and `bob`.
pub async fn device_pool(emulator: &Emulator, challenge_required: bool, on_prompt: bool) -> Pool {
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("devices")
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(challenge_required)
                .device_only_remembered_on_user_prompt(on_prompt)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = emulator
        .client_with_flows(
            &pool_id,
            "app",
            &[
                Flow::AllowUserPasswordAuth,
                Flow::AllowUserSrpAuth,
                Flow::AllowRefreshTokenAuth,
            ],
        )
        .await;
    for name in ["alice", "bob"] {
        emulator
            .idp
            .admin_create_user()
            .user_pool_id(&pool_id)
            .username(name)
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .unwrap();
        emulator.set_password(&pool_id, name, PASSWORD).await;
    }
    Pool { pool_id, client_id }
}

/// USER_PASSWORD_AUTH, naming a device or not.
pub async fn sign_in(
    emulator: &Emulator,
    pool: &Pool,
    username: &str,
    device: Option<&str>,
) -> Result<InitiateAuthOutput, Failure> {
    let mut parameters = HashMap::from([
        ("USERNAME".to_string(), username.to_string()),
        ("PASSWORD".to_string(), PASSWORD.to_string()),
    ]);
    if let Some(device) = device {
        parameters.insert("DEVICE_KEY".into(), device.to_string());
    }
    emulator
        .idp
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .set_auth_parameters(Some(parameters))
        .send()
        .await
        .map_err(err)
}

/// A device as a client keeps it once confirmed.
pub struct Remembered {
    pub key: String,
    pub group_key: String,
    pub password: String,
}

/// Signs in without a device, confirms the device handed out; returns it and the tokens
/// of that sign-in.
pub async fn confirm_new_device(
    emulator: &Emulator,
    pool: &Pool,
    username: &str,
    name: Option<&str>,
) -> (Remembered, AuthenticationResultType, bool) {
    let result = sign_in(emulator, pool, username, None)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    let metadata = result
        .new_device_metadata
        .clone()
        .expect("NewDeviceMetadata");
    let device = Remembered {
        key: metadata.device_key.unwrap(),
        group_key: metadata.device_group_key.unwrap(),
        password: format!("device-password-{username}"),
    };
    let (verifier, salt) =
        srp_client::device_verifier(&device.group_key, &device.key, &device.password);
    let confirmed = emulator
        .idp
        .confirm_device()
        .access_token(result.access_token.clone().unwrap())
        .device_key(&device.key)
        .set_device_name(name.map(str::to_string))
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(verifier)
                .salt(salt)
                .build(),
        )
        .send()
        .await
        .unwrap();
    (device, result, confirmed.user_confirmation_necessary)
}

/// DEVICE_SRP_AUTH then DEVICE_PASSWORD_VERIFIER for a DEVICE_SRP_AUTH challenge, with the
/// Sessions or (pycognito) without.
pub async fn prove_device(
    emulator: &Emulator,
    pool: &Pool,
    session: Option<String>,
    username: &str,
    device: &Remembered,
    with_sessions: bool,
) -> Result<AuthenticationResultType, Failure> {
    let client = Client::new();
    let step = emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&pool.client_id)
        .challenge_name(ChallengeNameType::DeviceSrpAuth)
        .set_session(session.filter(|_| with_sessions))
        .challenge_responses("USERNAME", username)
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("SRP_A", client.srp_a())
        .send()
        .await
        .map_err(err)?;
    assert_eq!(
        step.challenge_name,
        Some(ChallengeNameType::DevicePasswordVerifier)
    );
    let mut parameters = step.challenge_parameters.unwrap();
    assert_eq!(parameters["DEVICE_KEY"], device.key);
    assert_eq!(parameters["USERNAME"], username);
    assert_eq!(parameters["SALT"].len() % 2, 0);
    // The client's SRP with the group key for the pool name and the device key for the user.
    parameters.insert("USER_ID_FOR_SRP".into(), device.key.clone());
    let signature = client.sign(&device.group_key, &device.password, &parameters);
    emulator
        .idp
        .respond_to_auth_challenge()
        .client_id(&pool.client_id)
        .challenge_name(ChallengeNameType::DevicePasswordVerifier)
        .set_session(step.session.filter(|_| with_sessions))
        .challenge_responses("USERNAME", &parameters["USERNAME"])
        .challenge_responses("DEVICE_KEY", &device.key)
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"])
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", TIMESTAMP)
        .send()
        .await
        .map_err(err)
        .and_then(|o| {
            o.authentication_result
                .ok_or_else(|| ("a challenge".into(), format!("{:?}", o.challenge_name)))
        })
}

fn attributes(device: &DeviceType) -> Vec<(String, String)> {
    device
        .device_attributes()
        .iter()
        .map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn not_found() -> Failure {
    (
        "ResourceNotFoundException".into(),
        "Device does not exist.".into(),
    )
}

#[tokio::test]
async fn a_device_is_handed_out_confirmed_and_then_proves_itself() {
    let emulator = start().await;
    let pool = device_pool(&emulator, false, false).await;
    let (device, first, necessary) =
        confirm_new_device(&emulator, &pool, "alice", Some("Alice's laptop")).await;
    assert!(!necessary);
    let (region, uuid) = device.key.split_once('_').unwrap();
    assert_eq!(region, "us-east-1");
    assert_eq!(uuid.len(), 36);
    assert!(device.group_key.starts_with('-'));
    let access = claims(first.access_token.as_deref().unwrap());
    assert_eq!(access["device_key"], device.key.as_str());

    // Confirmed and remembered ("Always"): every view shows it the same way.
    let token = first.access_token.clone().unwrap();
    let listed = emulator
        .idp
        .list_devices()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 1);
    assert!(listed.pagination_token.is_none());
    let shown = &listed.devices()[0];
    assert_eq!(shown.device_key(), Some(device.key.as_str()));
    assert_eq!(
        attributes(shown),
        pairs(&[
            ("device_status", "valid"),
            ("device_name", "Alice's laptop"),
            ("dev:device_remembered_status", "remembered"),
        ])
    );
    assert!(shown.device_create_date.is_some());
    assert!(shown.device_last_modified_date.is_some());
    assert!(shown.device_last_authenticated_date.is_some());
    let got = emulator
        .idp
        .get_device()
        .access_token(&token)
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(got.device.as_ref(), Some(shown));
    let admin = emulator
        .idp
        .admin_get_device()
        .user_pool_id(&pool.pool_id)
        .username("alice")
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.device.as_ref(), Some(shown));
    let admin_list = emulator
        .idp
        .admin_list_devices()
        .user_pool_id(&pool.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(admin_list.devices(), listed.devices());

    // Signing in with the remembered device: the device proves itself, with the Sessions
    // (amazon-cognito-identity-js, Amplify) or without them (pycognito).
    for with_sessions in [true, false] {
        let step = sign_in(&emulator, &pool, "alice", Some(&device.key))
            .await
            .unwrap();
        assert_eq!(step.challenge_name, Some(ChallengeNameType::DeviceSrpAuth));
        assert!(step.authentication_result.is_none());
        let result = prove_device(
            &emulator,
            &pool,
            step.session,
            "alice",
            &device,
            with_sessions,
        )
        .await
        .unwrap();
        assert!(result.new_device_metadata.is_none(), "a known device");
        let access = claims(result.access_token.as_deref().unwrap());
        assert_eq!(access["device_key"], device.key.as_str());
        assert_eq!(access["username"], "alice");
        assert!(result.refresh_token.is_some());
    }

    // A wrong device password fails the proof; the challenge is then spent.
    let step = sign_in(&emulator, &pool, "alice", Some(&device.key))
        .await
        .unwrap();
    let impostor = Remembered {
        password: "guessed".into(),
        ..device
    };
    assert_eq!(
        prove_device(&emulator, &pool, step.session, "alice", &impostor, true)
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Incorrect username or password.".into()
        )
    );
    // Confirming the same key twice.
    let (verifier, salt) = srp_client::device_verifier("g", "k", "p");
    let again = emulator
        .idp
        .confirm_device()
        .access_token(&token)
        .device_key(&impostor.key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(verifier)
                .salt(salt)
                .build(),
        )
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        again,
        (
            "DeviceKeyExistsException".into(),
            "Device key already exists.".into()
        )
    );
}

#[tokio::test]
async fn with_user_opt_in_only_remembered_devices_are_challenged() {
    let emulator = start().await;
    let pool = device_pool(&emulator, false, true).await;
    let (device, first, necessary) = confirm_new_device(&emulator, &pool, "alice", None).await;
    assert!(necessary);
    let token = first.access_token.unwrap();
    let status = |token: String| {
        let emulator = &emulator;
        let key = device.key.clone();
        async move {
            let got = emulator
                .idp
                .get_device()
                .access_token(token)
                .device_key(key)
                .send()
                .await
                .unwrap();
            attributes(got.device.as_ref().unwrap())
                .into_iter()
                .find(|(n, _)| n == "dev:device_remembered_status")
                .unwrap()
                .1
        }
    };
    assert_eq!(status(token.clone()).await, "not_remembered");
    assert!(
        !attributes(
            emulator
                .idp
                .get_device()
                .access_token(&token)
                .device_key(&device.key)
                .send()
                .await
                .unwrap()
                .device
                .as_ref()
                .unwrap()
        )
        .iter()
        .any(|(n, _)| n == "device_name"),
        "no name given"
    );

    // Tracked but not remembered: the sign-in ends in tokens that keep the device's key.
    let result = sign_in(&emulator, &pool, "alice", Some(&device.key))
        .await
        .unwrap()
        .authentication_result
        .expect("no device challenge");
    assert!(result.new_device_metadata.is_none());
    assert_eq!(
        claims(result.access_token.as_deref().unwrap())["device_key"],
        device.key.as_str()
    );

    // The user opts in: the device is challenged from now on.
    emulator
        .idp
        .update_device_status()
        .access_token(&token)
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    assert_eq!(status(token.clone()).await, "remembered");
    let step = sign_in(&emulator, &pool, "alice", Some(&device.key))
        .await
        .unwrap();
    assert_eq!(step.challenge_name, Some(ChallengeNameType::DeviceSrpAuth));
    assert!(
        prove_device(&emulator, &pool, step.session, "alice", &device, true)
            .await
            .is_ok()
    );

    // An administrator turns it off again.
    emulator
        .idp
        .admin_update_device_status()
        .user_pool_id(&pool.pool_id)
        .username("alice")
        .device_key(&device.key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    assert_eq!(status(token).await, "not_remembered");
    let step = sign_in(&emulator, &pool, "alice", Some(&device.key))
        .await
        .unwrap();
    assert!(step.authentication_result.is_some());
}

#[tokio::test]
async fn unknown_devices_are_refused_with_the_wording_clients_look_for() {
    let emulator = start().await;
    let pool = device_pool(&emulator, false, false).await;
    let (device, first, _) = confirm_new_device(&emulator, &pool, "alice", None).await;
    let token = first.access_token.unwrap();
    let unknown = "us-east-1_00000000-0000-4000-8000-000000000000";
    // At sign-in, after the password, and for another user's device.
    assert_eq!(
        sign_in(&emulator, &pool, "alice", Some(unknown))
            .await
            .unwrap_err(),
        not_found()
    );
    assert_eq!(
        sign_in(&emulator, &pool, "bob", Some(&device.key))
            .await
            .unwrap_err(),
        not_found()
    );
    // The operations.
    let get = emulator
        .idp
        .get_device()
        .access_token(&token)
        .device_key(unknown)
        .send()
        .await
        .map_err(err);
    assert_eq!(get.unwrap_err(), not_found());
    let status = emulator
        .idp
        .update_device_status()
        .access_token(&token)
        .device_key(unknown)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .map_err(err);
    assert_eq!(status.unwrap_err(), not_found());
    let forget = emulator
        .idp
        .forget_device()
        .access_token(&token)
        .device_key(unknown)
        .send()
        .await
        .map_err(err);
    assert_eq!(forget.unwrap_err(), not_found());
    let admin_forget = emulator
        .idp
        .admin_forget_device()
        .user_pool_id(&pool.pool_id)
        .username("bob")
        .device_key(&device.key)
        .send()
        .await
        .map_err(err);
    assert_eq!(admin_forget.unwrap_err(), not_found());
    let (verifier, salt) = srp_client::device_verifier("g", unknown, "p");
    let confirm = emulator
        .idp
        .confirm_device()
        .access_token(&token)
        .device_key(unknown)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(verifier)
                .salt(salt)
                .build(),
        )
        .send()
        .await
        .map_err(err);
    assert_eq!(confirm.unwrap_err(), not_found());
    // Unknown users and bad input.
    for result in [
        emulator
            .idp
            .admin_get_device()
            .user_pool_id(&pool.pool_id)
            .username("nobody")
            .device_key(&device.key)
            .send()
            .await
            .map(|_| ())
            .map_err(err),
        emulator
            .idp
            .admin_list_devices()
            .user_pool_id(&pool.pool_id)
            .username("nobody")
            .send()
            .await
            .map(|_| ())
            .map_err(err),
    ] {
        assert_eq!(
            result.unwrap_err(),
            (
                "UserNotFoundException".into(),
                "User does not exist.".into()
            )
        );
    }
    let bad = emulator
        .idp
        .confirm_device()
        .access_token(&token)
        .device_key(&device.key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier("not base64!")
                .salt("AAEC")
                .build(),
        )
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(bad.0, "InvalidParameterException");
    let listed = emulator
        .idp
        .list_devices()
        .access_token(&token)
        .pagination_token("not-a-token!")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        listed,
        (
            "InvalidParameterException".into(),
            "Invalid pagination token.".into()
        )
    );
    let anonymous = emulator
        .idp
        .list_devices()
        .access_token("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        anonymous,
        (
            "NotAuthorizedException".into(),
            "Invalid Access Token".into()
        )
    );
}

/// amazon-cognito-identity-js answers PASSWORD_VERIFIER again without its device key when
/// told the device does not exist: the challenge must still be answerable.
#[tokio::test]
async fn an_unknown_device_leaves_the_srp_challenge_answerable() {
    let emulator = start().await;
    let pool = device_pool(&emulator, false, false).await;
    let client = Client::new();
    let output = emulator
        .idp
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", client.srp_a())
        .auth_parameters(
            "DEVICE_KEY",
            "us-east-1_00000000-0000-4000-8000-000000000000",
        )
        .send()
        .await
        .unwrap();
    let parameters = output.challenge_parameters.unwrap();
    let pool_name = pool.pool_id.split_once('_').unwrap().1;
    let signature = client.sign(pool_name, PASSWORD, &parameters);
    let answer = |device: Option<&str>| {
        let mut request = emulator
            .idp
            .respond_to_auth_challenge()
            .client_id(&pool.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_session(output.session.clone())
            .challenge_responses("USERNAME", &parameters["USER_ID_FOR_SRP"])
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", &parameters["SECRET_BLOCK"])
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", &signature)
            .challenge_responses("TIMESTAMP", TIMESTAMP);
        if let Some(device) = device {
            request = request.challenge_responses("DEVICE_KEY", device);
        }
        request.send()
    };
    assert_eq!(
        answer(Some("us-east-1_00000000-0000-4000-8000-000000000000"))
            .await
            .map_err(err)
            .unwrap_err(),
        not_found()
    );
    let result = answer(None).await.unwrap().authentication_result.unwrap();
    assert!(result.new_device_metadata.is_some(), "a new device instead");
}

#[tokio::test]
async fn devices_are_listed_page_by_page() {
    let emulator = start().await;
    let pool = device_pool(&emulator, false, false).await;
    let mut keys = Vec::new();
    let mut token = String::new();
    for i in 0..3 {
        let (device, result, _) =
            confirm_new_device(&emulator, &pool, "alice", Some(&format!("device {i}"))).await;
        keys.push(device.key);
        token = result.access_token.unwrap();
    }
    keys.sort();
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = emulator
            .idp
            .list_devices()
            .access_token(&token)
            .limit(2)
            .set_pagination_token(next)
            .send()
            .await
            .unwrap();
        assert!(page.devices().len() <= 2);
        seen.extend(
            page.devices()
                .iter()
                .map(|d| d.device_key().unwrap().to_string()),
        );
        next = page.pagination_token;
        if next.is_none() {
            break;
        }
    }
    assert_eq!(seen, keys);
    // Keys handed out but never confirmed are not listed.
    sign_in(&emulator, &pool, "alice", None).await.unwrap();
    let admin = emulator
        .idp
        .admin_list_devices()
        .user_pool_id(&pool.pool_id)
        .username("alice")
        .limit(0)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.devices().len(), 3);
    let bob = emulator
        .idp
        .admin_list_devices()
        .user_pool_id(&pool.pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert!(bob.devices().is_empty());
}

#[tokio::test]
async fn refresh_needs_the_device_and_forgetting_it_revokes_its_tokens() {
    let emulator = start().await;
    let pool = device_pool(&emulator, false, false).await;
    let (device, first, _) = confirm_new_device(&emulator, &pool, "alice", None).await;
    let step = sign_in(&emulator, &pool, "alice", Some(&device.key))
        .await
        .unwrap();
    let signed_in = prove_device(&emulator, &pool, step.session, "alice", &device, true)
        .await
        .unwrap();
    let refresh_token = signed_in.refresh_token.clone().unwrap();
    let refresh = |device_key: Option<&str>| {
        let mut request = emulator
            .idp
            .initiate_auth()
            .client_id(&pool.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh_token);
        if let Some(key) = device_key {
            request = request.auth_parameters("DEVICE_KEY", key);
        }
        request.send()
    };
    let invalid = (
        "NotAuthorizedException".to_string(),
        "Invalid Refresh Token".to_string(),
    );
    assert_eq!(refresh(None).await.map_err(err).unwrap_err(), invalid);
    assert_eq!(
        refresh(Some("us-east-1_00000000-0000-4000-8000-000000000000"))
            .await
            .map_err(err)
            .unwrap_err(),
        invalid
    );
    let refreshed = refresh(Some(&device.key))
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(refreshed.new_device_metadata.is_none());
    assert_eq!(
        claims(refreshed.access_token.as_deref().unwrap())["device_key"],
        device.key.as_str()
    );
    let by_api = emulator
        .idp
        .get_tokens_from_refresh_token()
        .client_id(&pool.client_id)
        .refresh_token(&refresh_token)
        .device_key(&device.key)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert_eq!(
        claims(by_api.access_token.as_deref().unwrap())["device_key"],
        device.key.as_str()
    );
    // The token endpoint takes the device's key as `device_key`.
    for (device_key, status) in [(None, 400), (Some(device.key.as_str()), 200)] {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", pool.client_id.as_str()),
            ("refresh_token", refresh_token.as_str()),
        ];
        form.extend(device_key.map(|key| ("device_key", key)));
        let response = emulator
            .http
            .post(format!("{}/oauth2/token", emulator.url))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        let body: serde_json::Value = response.json().await.unwrap();
        if status == 200 {
            let access = claims(body["access_token"].as_str().unwrap());
            assert_eq!(access["device_key"], device.key.as_str());
        } else {
            assert_eq!(body["error"], "invalid_grant");
        }
    }

    // Forgetting the device: its refresh tokens and their access tokens die; other
    // sign-ins of the user live on.
    let other = sign_in(&emulator, &pool, "alice", None)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    emulator
        .idp
        .forget_device()
        .access_token(other.access_token.clone().unwrap())
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refresh(Some(&device.key)).await.map_err(err).unwrap_err(),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    let revoked = emulator
        .idp
        .get_user()
        .access_token(signed_in.access_token.unwrap())
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        revoked,
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    // The first sign-in's tokens were issued to the same device.
    assert!(emulator
        .idp
        .get_user()
        .access_token(first.access_token.unwrap())
        .send()
        .await
        .is_err());
    assert!(emulator
        .idp
        .get_user()
        .access_token(other.access_token.clone().unwrap())
        .send()
        .await
        .is_ok());
    let listed = emulator
        .idp
        .list_devices()
        .access_token(other.access_token.unwrap())
        .send()
        .await
        .unwrap();
    assert!(listed.devices().is_empty());
    assert_eq!(
        sign_in(&emulator, &pool, "alice", Some(&device.key))
            .await
            .unwrap_err(),
        not_found()
    );
    // An administrator forgets a device the same way.
    let (device, _, _) = confirm_new_device(&emulator, &pool, "bob", None).await;
    emulator
        .idp
        .admin_forget_device()
        .user_pool_id(&pool.pool_id)
        .username("bob")
        .device_key(&device.key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sign_in(&emulator, &pool, "bob", Some(&device.key))
            .await
            .unwrap_err(),
        not_found()
    );
}

#[tokio::test]
async fn pools_without_device_tracking_hand_out_no_devices() {
    let emulator = start().await;
    let pool_id = emulator.pool("plain").await;
    let client_id = emulator.client(&pool_id, "app").await;
    emulator
        .idp
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    emulator.set_password(&pool_id, "alice", PASSWORD).await;
    let pool = Pool { pool_id, client_id };
    let result = sign_in(&emulator, &pool, "alice", None)
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(result.new_device_metadata.is_none());
    assert!(claims(result.access_token.as_deref().unwrap())
        .get("device_key")
        .is_none());
    // A DEVICE_KEY is ignored there, and refresh needs none.
    let result = sign_in(
        &emulator,
        &pool,
        "alice",
        Some("us-east-1_00000000-0000-4000-8000-000000000000"),
    )
    .await
    .unwrap()
    .authentication_result
    .unwrap();
    assert!(emulator
        .idp
        .initiate_auth()
        .client_id(&pool.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", result.refresh_token.unwrap())
        .send()
        .await
        .is_ok());
}

/// ChallengeRequiredOnNewDevice: a remembered device that proved itself stands in for MFA.
/// Without it the MFA step follows the device step: an MFA challenge, never tokens.
#[tokio::test]
async fn a_remembered_device_stands_in_for_mfa_when_the_pool_says_so() {
    let emulator = start().await;
    for replaces_mfa in [true, false] {
        let pool = device_pool(&emulator, replaces_mfa, false).await;
        let (device, _, _) = confirm_new_device(&emulator, &pool, "alice", None).await;
        emulator
            .idp
            .set_user_pool_mfa_config()
            .user_pool_id(&pool.pool_id)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .mfa_configuration(UserPoolMfaType::On)
            .send()
            .await
            .unwrap();
        let step = sign_in(&emulator, &pool, "alice", Some(&device.key))
            .await
            .unwrap();
        assert_eq!(step.challenge_name, Some(ChallengeNameType::DeviceSrpAuth));
        let proved = prove_device(&emulator, &pool, step.session, "alice", &device, true).await;
        if replaces_mfa {
            let result = proved.unwrap();
            assert_eq!(
                claims(result.access_token.as_deref().unwrap())["device_key"],
                device.key.as_str()
            );
        } else {
            match proved {
                Ok(result) => panic!("tokens without MFA: {result:?}"),
                // The user has no factor yet: MFA_SETUP, as for any sign-in.
                Err((code, what)) => assert!(
                    code == "a challenge" && what.contains("MfaSetup"),
                    "{code}: {what}"
                ),
            }
        }
    }
}

/// amazon-cognito-identity-js confirms, remembers and proves its device by itself.
#[tokio::test(flavor = "multi_thread")]
async fn amazon_cognito_identity_js_remembers_its_device() {
    if !crate::javascript::node_ready() {
        return;
    }
    let emulator = start().await;
    let pool = device_pool(&emulator, true, true).await;
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool.pool_id)
        .username("devuser")
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    emulator
        .set_password(&pool.pool_id, "devuser", "Dev!passw0rd")
        .await;
    crate::javascript::run_node(
        "identity_js_devices.mjs",
        vec![emulator.url.clone(), pool.pool_id, pool.client_id],
    )
    .await;
}

/// pycognito's ConfirmDevice and device sign-in (no Sessions, no SECRET_HASH on
/// DEVICE_SRP_AUTH).
#[tokio::test(flavor = "multi_thread")]
async fn pycognito_signs_in_with_its_device() {
    let emulator = start().await;
    let url = emulator.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        if !crate::external::tool_available("python3", &["-c", "import pycognito"]) {
            return None;
        }
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/pycognito_devices.py"
        );
        Some(
            std::process::Command::new("python3")
                .args([script, &url])
                .output()
                .unwrap(),
        )
    })
    .await
    .unwrap();
    let Some(output) = output else { return };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "pycognito script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("pycognito devices OK"), "{stdout}");
}

/// Devices (with their verifier) and the device binding of refresh tokens survive a restart.
#[tokio::test]
async fn devices_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("cognito-devices-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = cognito_emulator::config::Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config.public_url = Some("http://cognito.test:9229".into());
        config
    };
    let before = crate::common::start_with(config()).await;
    let pool = device_pool(&before, false, false).await;
    let (device, _, _) = confirm_new_device(&before, &pool, "alice", Some("kept")).await;
    let refresh_token = sign_in(&before, &pool, "alice", Some(&device.key))
        .await
        .unwrap();
    let refresh_token = prove_device(
        &before,
        &pool,
        refresh_token.session,
        "alice",
        &device,
        true,
    )
    .await
    .unwrap()
    .refresh_token
    .unwrap();
    before.stop().await;

    let after = crate::common::start_with(config()).await;
    let listed = after
        .idp
        .admin_list_devices()
        .user_pool_id(&pool.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.devices().len(), 1);
    assert!(attributes(&listed.devices()[0]).contains(&("device_name".into(), "kept".into())));
    let step = sign_in(&after, &pool, "alice", Some(&device.key))
        .await
        .unwrap();
    assert!(
        prove_device(&after, &pool, step.session, "alice", &device, false)
            .await
            .is_ok()
    );
    let refresh = |device_key: Option<&str>| {
        let mut request = after
            .idp
            .initiate_auth()
            .client_id(&pool.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", &refresh_token);
        if let Some(key) = device_key {
            request = request.auth_parameters("DEVICE_KEY", key);
        }
        request.send()
    };
    assert!(refresh(None).await.is_err());
    assert!(refresh(Some(&device.key)).await.is_ok());
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
