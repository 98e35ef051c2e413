//! Second-factor sign-ins for the load benchmark (`cargo bench --bench server -- mfa`): a
//! complete TOTP-MFA sign-in (USER_PASSWORD_AUTH, then SOFTWARE_TOKEN_MFA) and a remembered
//! device's sign-in (USER_PASSWORD_AUTH with DEVICE_KEY, then DEVICE_SRP_AUTH and
//! DEVICE_PASSWORD_VERIFIER), each against the crypto it needs, measured in the same run.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};
use totp_rs::{Algorithm, Secret, TOTP};

use super::http1::{Connection, Post};
use super::{
    call, ceiling, load_generator_client, pool_and_client, srp_client, user_with_password,
    CONNECTIONS, RUN,
};
use cognito_emulator::infra::crypto::jwt::SigningKey;
use cognito_emulator::infra::crypto::srp;

const PASSWORD: &str = "Bench!pass1";
/// A code is good once per user, so each TOTP user signs in once per run: enough users for
/// a whole run at the signing ceiling on this machine (about 4,000 sign-ins/s), so the run
/// measures the steady state rather than its start and its tail.
const TOTP_USERS: usize = 13_000;
const DEVICE_USERS: usize = 100;

fn totp_code(secret: &str, seconds_ahead: u64) -> String {
    let key = Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, key).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now + seconds_ahead)
}

/// Runs `setup(i)` for `0..count` from 16 tasks and collects the results in order.
async fn in_parallel<T, F, Fut>(count: usize, setup: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize, reqwest::Client) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send,
{
    let setup = Arc::new(setup);
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (setup, next) = (setup.clone(), next.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        return done;
                    }
                    done.push((i, setup(i, http.clone()).await));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

async fn password_sign_in(
    http: &impl Post,
    url: &str,
    client_id: &str,
    name: &str,
    device: Option<&str>,
) -> Value {
    let mut parameters = json!({"USERNAME": name, "PASSWORD": PASSWORD});
    if let Some(device) = device {
        parameters["DEVICE_KEY"] = json!(device);
    }
    call(http, url, "InitiateAuth", json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": parameters})).await
}

/// Complete sign-ins per second: `sign_in(i)` from 16 connections to `url` for `RUN` or until
/// `limit`.
async fn rate<F, Fut>(url: &str, limit: usize, sign_in: F) -> f64
where
    F: Fn(usize, Connection) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let sign_in = Arc::new(sign_in);
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let clients: Vec<Connection> = (0..CONNECTIONS).map(|_| Connection::new(url)).collect();
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|http| {
            let (sign_in, next, done) = (sign_in.clone(), next.clone(), done.clone());
            tokio::spawn(async move {
                while started.elapsed() < RUN {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= limit {
                        break;
                    }
                    sign_in(i, http.clone()).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

pub async fn figures(url: &str) {
    let http = reqwest::Client::new();

    // TOTP: users with a verified software token, preferred.
    let (pool, client_id) = pool_and_client(&http, url, json!({"PoolName": "totp"}), &[]).await;
    call(
        &http,
        url,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "MfaConfiguration": "OPTIONAL",
        "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    let (u, p, c) = (url.to_string(), pool.clone(), client_id.clone());
    let secrets: Vec<String> = in_parallel(TOTP_USERS, move |i, http| {
        let (url, pool, client_id) = (u.clone(), p.clone(), c.clone());
        async move {
            let name = format!("totp{i}");
            user_with_password(&http, &url, &pool, &name, PASSWORD).await;
            let signed_in = password_sign_in(&http, &url, &client_id, &name, None).await;
            let access = signed_in["AuthenticationResult"]["AccessToken"].clone();
            let associated = call(
                &http,
                &url,
                "AssociateSoftwareToken",
                json!({"AccessToken": access}),
            )
            .await;
            let secret = associated["SecretCode"].as_str().unwrap().to_string();
            call(
                &http,
                &url,
                "VerifySoftwareToken",
                json!({"AccessToken": access, "UserCode": totp_code(&secret, 0)}),
            )
            .await;
            call(
                &http,
                &url,
                "AdminSetUserMFAPreference",
                json!({"UserPoolId": pool, "Username": name,
                "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
            )
            .await;
            secret
        }
    })
    .await;
    let secrets = Arc::new(secrets);
    let (u, c) = (url.to_string(), client_id.clone());
    let totp_rate = rate(url, TOTP_USERS, move |i, http| {
        let (url, client_id, secrets) = (u.clone(), c.clone(), secrets.clone());
        async move {
            let name = format!("totp{i}");
            let first = password_sign_in(&http, &url, &client_id, &name, None).await;
            assert_eq!(first["ChallengeName"], "SOFTWARE_TOKEN_MFA");
            // The next step's code: the current one may have been spent verifying.
            let done = call(&http, &url, "RespondToAuthChallenge", json!({"ClientId": client_id,
                "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": first["Session"],
                "ChallengeResponses": {"USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": totp_code(&secrets[i], 30)}})).await;
            assert!(done["AuthenticationResult"]["AccessToken"].is_string());
        }
    })
    .await;

    // Remembered devices: one confirmed device per user.
    let (pool, client_id) = pool_and_client(&http, url, json!({"PoolName": "devices",
        "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": false, "DeviceOnlyRememberedOnUserPrompt": false}}), &[]).await;
    let (u, p, c) = (url.to_string(), pool.clone(), client_id.clone());
    let devices: Vec<(String, String, String)> = in_parallel(DEVICE_USERS, move |i, http| {
        let (url, pool, client_id) = (u.clone(), p.clone(), c.clone());
        async move {
            let name = format!("device{i}");
            user_with_password(&http, &url, &pool, &name, PASSWORD).await;
            let signed_in = password_sign_in(&http, &url, &client_id, &name, None).await;
            let result = &signed_in["AuthenticationResult"];
            let key = result["NewDeviceMetadata"]["DeviceKey"].as_str().unwrap().to_string();
            let group = result["NewDeviceMetadata"]["DeviceGroupKey"].as_str().unwrap().to_string();
            let password = format!("device-password-{i}");
            let (verifier, salt) = srp_client::device_verifier(&group, &key, &password);
            call(&http, &url, "ConfirmDevice", json!({"AccessToken": result["AccessToken"], "DeviceKey": key,
                "DeviceSecretVerifierConfig": {"PasswordVerifier": verifier, "Salt": salt}, "DeviceName": "bench"})).await;
            (key, group, password)
        }
    })
    .await;
    let devices = Arc::new(devices);
    let (u, c) = (url.to_string(), client_id.clone());
    let device_rate = rate(url, usize::MAX, move |i, http| {
        let (url, client_id, devices) = (u.clone(), c.clone(), devices.clone());
        async move {
            let n = i % DEVICE_USERS;
            let name = format!("device{n}");
            let (key, group, password) = &devices[n];
            let first = password_sign_in(&http, &url, &client_id, &name, Some(key)).await;
            assert_eq!(first["ChallengeName"], "DEVICE_SRP_AUTH", "{first}");
            let device = load_generator_client();
            let second = call(&http, &url, "RespondToAuthChallenge", json!({"ClientId": client_id,
                "ChallengeName": "DEVICE_SRP_AUTH", "Session": first["Session"],
                "ChallengeResponses": {"USERNAME": name, "DEVICE_KEY": key, "SRP_A": device.srp_a()}})).await;
            let mut parameters: HashMap<String, String> =
                serde_json::from_value(second["ChallengeParameters"].clone()).unwrap();
            parameters.insert("USER_ID_FOR_SRP".into(), key.clone());
            let signature = tokio::task::block_in_place(|| device.sign(group, password, &parameters));
            let done = call(&http, &url, "RespondToAuthChallenge", json!({"ClientId": client_id,
                "ChallengeName": "DEVICE_PASSWORD_VERIFIER", "Session": second["Session"],
                "ChallengeResponses": {"USERNAME": name, "DEVICE_KEY": key,
                    "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
                    "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": srp_client::TIMESTAMP}})).await;
            assert!(done["AuthenticationResult"]["AccessToken"].is_string());
        }
    })
    .await;

    // The crypto each needs, on both cores, nothing else: two RS256 signatures for a TOTP
    // sign-in (the TOTP check is three HMAC-SHA1s); for a device sign-in the server's device
    // SRP (B, then S) and two signatures, plus the load generator's device SRP on the same cores.
    let key = Arc::new(SigningKey::generate());
    let claims = json!({"sub": "00000000-0000-0000-0000-000000000000", "iss": "http://127.0.0.1/us-east-1_x",
                        "token_use": "id", "exp": 2_000_000_000, "iat": 1_700_000_000});
    let (k, c) = (key.clone(), claims.clone());
    let signatures = tokio::task::block_in_place(|| ceiling(move || drop(k.sign(&c))));
    let (k, c) = (key.clone(), claims.clone());
    let v = srp::verifier_from_x(&rand::random::<[u8; 32]>());
    let a = srp::parse_a(&srp_client::Client::new().srp_a()).unwrap();
    let device_server = tokio::task::block_in_place(|| {
        ceiling(move || {
            let challenge = srp::server_challenge(&v);
            let _ = srp::session_key(&a, &challenge.big_b, &challenge.b, &v);
            drop(k.sign(&c));
            drop(k.sign(&c));
        })
    });
    let sample: HashMap<String, String> = [
        (
            "USER_ID_FOR_SRP",
            "us-east-1_00000000-0000-0000-0000-000000000000",
        ),
        ("SALT", "0a1b2c3d"),
        ("SECRET_BLOCK", "AAAA"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([("SRP_B".to_string(), srp_client::Client::new().srp_a())])
    .collect();
    let device_client = tokio::task::block_in_place(|| {
        ceiling(move || {
            drop(load_generator_client().sign("-abcdefghi", "device-password", &sample))
        })
    });
    let totp_ceiling = signatures / 2.0;
    let device_ceiling = 1.0 / (1.0 / device_server + 1.0 / device_client);
    println!();
    println!("| second factor | sign-ins/s | crypto ceiling (sign-ins/s) | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| USER_PASSWORD_AUTH + SOFTWARE_TOKEN_MFA, both round trips | {totp_rate:.0} | {totp_ceiling:.0} (2 RS256 signatures) | {:.0}% |",
        100.0 * totp_rate / totp_ceiling
    );
    println!(
        "| USER_PASSWORD_AUTH + DEVICE_SRP_AUTH + DEVICE_PASSWORD_VERIFIER, three round trips | {device_rate:.0} | {device_ceiling:.0} (server: device SRP + 2 signatures = {device_server:.0}/s; client device SRP {device_client:.0}/s) | {:.0}% |",
        100.0 * device_rate / device_ceiling
    );
}
