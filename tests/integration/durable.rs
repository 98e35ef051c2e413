//! Durable state (`--data-dir`): everything survives a restart and a SIGKILL, tokens issued
//! before a restart still verify after it, reset clears the disk too.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType as Flow};
use cognito_emulator::config::Config;
use serde_json::{json, Value};

use crate::common::{err, start_with, Emulator};

fn data_dir() -> PathBuf {
    std::env::temp_dir().join(format!("cognito-durable-{}", uuid::Uuid::new_v4()))
}

fn durable_config(dir: &Path) -> Config {
    let mut config = Config::default_for_tests();
    config.data_dir = Some(dir.to_path_buf());
    // The same issuer before and after the restart (the port changes).
    config.public_url = Some("http://cognito.test:9229".into());
    config
}

async fn sign_in(
    emulator: &Emulator,
    client_id: &str,
    password: &str,
) -> Result<String, (String, String)> {
    emulator
        .idp
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "dora")
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|o| o.authentication_result.unwrap().access_token.unwrap())
        .map_err(err)
}

#[tokio::test]
async fn state_and_signing_keys_survive_a_restart() {
    let dir = data_dir();
    let before = start_with(durable_config(&dir)).await;
    let pool_id = before.pool("durable").await;
    let client = before
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .generate_secret(false)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let client_id = client.client_id.unwrap();
    before
        .idp
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("crew")
        .precedence(3)
        .send()
        .await
        .unwrap();
    before
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    before.set_password(&pool_id, "dora", "Dora!pass12").await;
    before
        .idp
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("dora")
        .group_name("crew")
        .send()
        .await
        .unwrap();
    let token = sign_in(&before, &client_id, "Dora!pass12").await.unwrap();
    let jwks_before: Value = before
        .http
        .get(format!("{}/{pool_id}/.well-known/jwks.json", before.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // A second process on the same directory sees everything the first acknowledged.
    before.stop().await;
    let after = start_with(durable_config(&dir)).await;
    let pool = after
        .idp
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.name.as_deref(), Some("durable"));
    assert_eq!(pool.estimated_number_of_users, 1);
    let user = after
        .idp
        .get_user()
        .access_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.username, "dora",
        "a token issued before the restart still verifies"
    );
    let jwks_after: Value = after
        .http
        .get(format!("{}/{pool_id}/.well-known/jwks.json", after.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks_before, jwks_after);
    assert!(
        sign_in(&after, &client_id, "Dora!pass12").await.is_ok(),
        "client, password survive"
    );
    let groups = after
        .idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups.unwrap()[0].precedence, Some(3));
    let members = after
        .idp
        .list_users_in_group()
        .user_pool_id(&pool_id)
        .group_name("crew")
        .send()
        .await
        .unwrap();
    assert_eq!(members.users.unwrap().len(), 1);
    // Deletions are durable too.
    after
        .idp
        .admin_delete_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap();
    after.stop().await;
    let third = start_with(durable_config(&dir)).await;
    let gone = third
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("dora")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(gone).0, "UserNotFoundException");

    // Reset clears the disk as well.
    let reset = third
        .http
        .post(format!("{}/_emulator/reset", third.url))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    third.stop().await;
    let fourth = start_with(durable_config(&dir)).await;
    let pools = fourth
        .idp
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert!(pools.user_pools.unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A cognito-idp call: the body of a 200 answer, or the error's `__type`.
async fn idp(emulator: &Emulator, op: &str, body: Value) -> Result<Value, String> {
    match emulator.idp_call(op, body).await {
        (200, body) => Ok(body),
        (_, body) => Err(body["__type"].as_str().unwrap_or_default().to_string()),
    }
}

#[tokio::test]
async fn indexes_are_rebuilt_after_a_restart() {
    let dir = data_dir();
    let before = start_with(durable_config(&dir)).await;
    let pool = idp(
        &before,
        "CreateUserPool",
        json!({"PoolName": "indexes", "AliasAttributes": ["email", "preferred_username"]}),
    )
    .await
    .unwrap();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    for (name, email, nickname) in [
        ("ann", "ann@example.com", "annie"),
        ("bob", "bob@example.com", "bobby"),
        ("bea", "bea@example.org", "bee"),
    ] {
        idp(&before, "AdminCreateUser", json!({
            "UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                               {"Name": "preferred_username", "Value": nickname}]}))
        .await
        .unwrap();
    }
    idp(&before, "AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "bob", "Password": "Bob!pass1234", "Permanent": true}))
        .await
        .unwrap();
    idp(
        &before,
        "AdminDisableUser",
        json!({"UserPoolId": pool_id, "Username": "bea"}),
    )
    .await
    .unwrap();
    before.stop().await;

    let after = start_with(durable_config(&dir)).await;
    let usernames = |body: Value| -> Vec<String> {
        body["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["Username"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |filter: &str| {
        idp(
            &after,
            "ListUsers",
            json!({"UserPoolId": pool_id, "Filter": filter}),
        )
    };
    assert_eq!(
        usernames(list("email ^= \"b\"").await.unwrap()),
        ["bea", "bob"]
    );
    assert_eq!(
        usernames(list("username = \"ann\"").await.unwrap()),
        ["ann"]
    );
    assert_eq!(
        usernames(list("cognito:user_status = \"CONFIRMED\"").await.unwrap()),
        ["bob"]
    );
    assert_eq!(
        usernames(list("status = \"Disabled\"").await.unwrap()),
        ["bea"]
    );
    // Sign-in aliases still name their users and are still taken.
    let by_alias = idp(
        &after,
        "AdminGetUser",
        json!({"UserPoolId": pool_id, "Username": "bobby"}),
    )
    .await
    .unwrap();
    assert_eq!(by_alias["Username"], "bob");
    let taken = idp(
        &after,
        "AdminCreateUser",
        json!({
        "UserPoolId": pool_id, "Username": "other", "MessageAction": "SUPPRESS",
        "UserAttributes": [{"Name": "preferred_username", "Value": "annie"}]}),
    )
    .await;
    assert_eq!(taken.unwrap_err(), "AliasExistsException");
    assert_eq!(
        idp(
            &after,
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS"})
        )
        .await
        .unwrap_err(),
        "UsernameExistsException"
    );
    // New users follow the restored ones.
    idp(
        &after,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "cid", "MessageAction": "SUPPRESS"}),
    )
    .await
    .unwrap();
    let all = idp(&after, "ListUsers", json!({"UserPoolId": pool_id}))
        .await
        .unwrap();
    assert_eq!(usernames(all), ["ann", "bob", "bea", "cid"]);
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_version_1_file_is_migrated() {
    let dir = data_dir();
    let first = start_with(durable_config(&dir)).await;
    let pool_id = first.pool("old").await;
    first.stop().await;
    // Make the file what version 1 wrote: revocations without a time.
    let file = dir.join("cognito-emulator.sqlite3");
    let connection = rusqlite::Connection::open(&file).unwrap();
    connection
        .execute_batch(&format!(
            "DROP TABLE revoked_origins;
             CREATE TABLE revoked_origins (pool_id TEXT NOT NULL, origin TEXT NOT NULL,
                                           PRIMARY KEY (pool_id, origin)) WITHOUT ROWID;
             INSERT INTO revoked_origins VALUES ('{pool_id}', 'signed-out');
             UPDATE meta SET value = 1 WHERE key = 'schema_version';"
        ))
        .unwrap();
    drop(connection);

    let second = start_with(durable_config(&dir)).await;
    let pool = second.app.store.pool(&pool_id).unwrap();
    assert!(pool.read().auth.is_revoked_origin("signed-out"));
    second.stop().await;
    let connection = rusqlite::Connection::open(&file).unwrap();
    let version: i64 = connection
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, 4);
    let revoked_at: f64 = connection
        .query_row("SELECT revoked_at FROM revoked_origins", [], |r| r.get(0))
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        (now - revoked_at).abs() < 60.0,
        "counted as revoked at the migration"
    );
    drop(connection);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_newer_schema_version_is_refused() {
    let dir = data_dir();
    start_with(durable_config(&dir)).await.stop().await;
    let connection = rusqlite::Connection::open(dir.join("cognito-emulator.sqlite3")).unwrap();
    connection
        .execute(
            "UPDATE meta SET value = 99 WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    drop(connection);
    let error = cognito_emulator::http::Server::bind(durable_config(&dir))
        .await
        .err()
        .expect("refused");
    assert!(
        error
            .to_string()
            .contains("has schema version 99; this cognito-emulator reads up to 4"),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_data_dir_in_use_is_refused() {
    let dir = data_dir();
    let running = start_with(durable_config(&dir)).await;
    let error = cognito_emulator::http::Server::bind(durable_config(&dir))
        .await
        .err()
        .expect("refused");
    assert_eq!(
        error.to_string(),
        format!(
            "data dir {} is in use by another process (another cognito-emulator?)",
            dir.display()
        )
    );
    running.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

struct Process(Child, String);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(dir: &Path) -> Process {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--log", "warn", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    // Keep reading so the server's later prints never hit a closed pipe.
    std::thread::spawn(move || for _ in stdout.lines() {});
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    Process(child, url)
}

/// A tiny blocking AWS JSON client on a plain socket (reqwest's blocking feature is off).
fn call(url: &str, op: &str, body: Value) -> Result<Value, String> {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| e.to_string())?;
    let body = body.to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.{op}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    if !response.starts_with("HTTP/1.1 200") {
        return Err(response);
    }
    let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(json).map_err(|e| format!("{e}: {response}"))
}

#[test]
fn every_acknowledged_write_survives_sigkill() {
    let dir = data_dir();
    let first = spawn(&dir);
    let pool = call(&first.1, "CreateUserPool", json!({"PoolName": "crash"})).unwrap();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();

    // Four writers stream AdminCreateUser until the server dies under them.
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (url, pool_id, acknowledged, stop) = (first.1.clone(), pool_id.clone(), acknowledged.clone(), stop.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let username = format!("w{w}-{i}");
                    let body = json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS"});
                    match call(&url, "AdminCreateUser", body) {
                        Ok(_) => {
                            acknowledged.lock().unwrap().insert(username);
                        }
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let mut first = first;
    first.0.kill().unwrap(); // SIGKILL
    first.0.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "the writers got going: {}",
        acknowledged.len()
    );

    let second = spawn(&dir);
    let mut stored = BTreeSet::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"UserPoolId": pool_id, "Limit": 60});
        if let Some(token) = &token {
            body["PaginationToken"] = json!(token);
        }
        let page = call(&second.1, "ListUsers", body).unwrap();
        for user in page["Users"].as_array().unwrap() {
            stored.insert(user["Username"].as_str().unwrap().to_string());
        }
        match page["PaginationToken"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    // At most the requests in flight at the kill were written without an answer.
    assert!(
        stored.len() <= acknowledged.len() + 4,
        "{} stored, {} acknowledged",
        stored.len(),
        acknowledged.len()
    );
    // The store still takes writes.
    call(
        &second.1,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "after", "MessageAction": "SUPPRESS"}),
    )
    .unwrap();
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn refresh_tokens_and_revocations_survive_a_restart() {
    let dir = data_dir();
    let before = start_with(durable_config(&dir)).await;
    let setup = crate::auth::setup(&before, false, false).await;
    let login = || async {
        before
            .idp
            .initiate_auth()
            .client_id(&setup.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", "Perm4nent!pass")
            .send()
            .await
            .unwrap()
            .authentication_result
            .unwrap()
    };
    let revoked = login().await;
    let kept = login().await;
    before
        .idp
        .revoke_token()
        .client_id(&setup.client_id)
        .token(revoked.refresh_token.clone().unwrap())
        .send()
        .await
        .unwrap();

    before.stop().await;
    let after = start_with(durable_config(&dir)).await;
    let refresh = |token: String| {
        after
            .idp
            .initiate_auth()
            .client_id(&setup.client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", token)
            .send()
    };
    let renewed = refresh(kept.refresh_token.unwrap()).await.unwrap();
    assert!(renewed
        .authentication_result
        .unwrap()
        .access_token
        .is_some());
    let dead = refresh(revoked.refresh_token.unwrap()).await.unwrap_err();
    assert_eq!(
        err(dead),
        (
            "NotAuthorizedException".into(),
            "Refresh Token has been revoked".into()
        )
    );
    let gone = after
        .idp
        .get_user()
        .access_token(revoked.access_token.unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(gone),
        (
            "NotAuthorizedException".into(),
            "Access Token has been revoked".into()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An operation that awaits between its change and its answer (as one calling a Lambda
/// trigger will) still answers only once the change is on disk, whichever thread it resumed on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_that_awaits_answers_after_its_commit() {
    use cognito_emulator::generated::cognito_idp::Operation;
    use cognito_emulator::service;
    let dir = data_dir();
    let before = start_with(durable_config(&dir)).await;
    let pool_id = before.pool("awaits").await;
    let app = before.app.clone();
    for i in 0..20 {
        service::perform(&app, async {
            service::call_user_pools(
                &app,
                Operation::AdminCreateUser,
                json!({"UserPoolId": pool_id, "Username": format!("u{i}"), "MessageAction": "SUPPRESS"}),
                false,
            )?;
            // Resume somewhere else, maybe on the other worker thread.
            for _ in 0..3 {
                tokio::task::spawn(async {}).await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            Ok(())
        })
        .await
        .unwrap();
    }
    // Nothing is waiting to be written: every change was committed before perform returned.
    assert!(!app.store.has_pending_changes());
    drop(app);
    before.stop().await;
    let after = start_with(durable_config(&dir)).await;
    let listed = idp(&after, "ListUsers", json!({"UserPoolId": pool_id}))
        .await
        .unwrap();
    assert_eq!(listed["Users"].as_array().unwrap().len(), 20);
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Pages of the data file damaged while the emulator was stopped: it refuses to start and
/// names the file, instead of loading part of it.
#[tokio::test]
async fn a_corrupted_data_file_is_refused() {
    let dir = data_dir();
    let before = start_with(durable_config(&dir)).await;
    let pool_id = before.pool("corrupt").await;
    for i in 0..200 {
        idp(&before, "AdminCreateUser", json!({"UserPoolId": pool_id, "Username": format!("user{i}"),
            "MessageAction": "SUPPRESS", "UserAttributes": [{"Name": "name", "Value": "x".repeat(200)}]}))
            .await
            .unwrap();
    }
    before.stop().await;
    let file = dir.join("cognito-emulator.sqlite3");
    // Fold the WAL into the file first, so the damage hits pages that are read at start-up.
    {
        let connection = rusqlite::Connection::open(&file).unwrap();
        connection
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let mut bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 8 * 4096, "the file has data pages");
    // Scramble the middle of every page after the first two (the schema stays readable).
    for page in bytes.chunks_mut(4096).skip(2) {
        for b in &mut page[100..1000] {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
    }
    std::fs::write(&file, bytes).unwrap();
    let error = match cognito_emulator::http::Server::bind(durable_config(&dir)).await {
        Ok(_) => panic!("a corrupted data file was loaded"),
        Err(e) => e.to_string(),
    };
    assert!(
        error.contains(&file.display().to_string()),
        "the error names the file: {error}"
    );
    assert!(
        error.contains("damaged") || error.contains("malformed") || error.contains("corrupt"),
        "the error says what is wrong: {error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A write the disk refuses (full) is not kept in memory either: the client gets a 500
/// InternalErrorException, the user does not exist, the SDK's retry succeeds once there is
/// room, and memory equals the disk after a restart.
#[tokio::test]
async fn a_failed_write_is_rolled_back() {
    let dir = data_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root / CAP_SYS_ADMIN)");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let unmount = || {
        let _ = Command::new("umount").arg(&dir).status();
        let _ = std::fs::remove_dir_all(&dir);
    };
    let emulator = start_with(durable_config(&dir)).await;
    let pool_id = emulator.pool("full").await;
    let mut created = 0;
    let mut refused = None;
    for i in 0..2_000 {
        let body = json!({"UserPoolId": pool_id, "Username": format!("user{i}"), "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "name", "Value": "x".repeat(1000)}]});
        match emulator.idp_call("AdminCreateUser", body).await {
            (200, _) => created += 1,
            (status, body) => {
                refused = Some((i, status, body));
                break;
            }
        }
    }
    let Some((i, status, body)) = refused else {
        unmount();
        panic!("the disk never filled up");
    };
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["__type"], "InternalErrorException");
    // Not in memory either.
    let (_, got) = emulator
        .idp_call(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": format!("user{i}")}),
        )
        .await;
    assert_eq!(got["__type"], "UserNotFoundException");
    // Room again: the same request succeeds (no UsernameExistsException).
    let grown = Command::new("mount")
        .args(["-o", "remount,size=16m"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(grown, "remount with more room");
    let (status, body) = emulator
        .idp_call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": format!("user{i}"),
            "MessageAction": "SUPPRESS"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    emulator.stop().await;
    let after = start_with(durable_config(&dir)).await;
    let mut count = 0;
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({"UserPoolId": pool_id});
        if let Some(t) = &token {
            request["PaginationToken"] = json!(t);
        }
        let page = idp(&after, "ListUsers", request).await.unwrap();
        count += page["Users"].as_array().unwrap().len();
        token = page["PaginationToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    after.stop().await;
    unmount();
    assert_eq!(count, created + 1);
}
