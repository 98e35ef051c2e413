//! User import jobs, continued: files that fail, pools signing in by e-mail, stopping a job,
//! a restart, and boto3.

use aws_sdk_cognitoidentityprovider::types::{UserImportJobStatusType as Status, UserStatusType};

use crate::common::{err, start, start_with};
use crate::import_jobs::{
    create, csv, describe, finished, header, start_job, upload, STANDARD_HEADER,
};

#[tokio::test]
async fn a_file_without_the_pools_columns_fails_the_job() {
    let emulator = start().await;
    let pool_id = emulator.pool("import-bad").await;
    let mut columns: Vec<&str> = STANDARD_HEADER.to_vec();
    columns.push("custom:unknown");
    let cases = [
        (
            format!("{}\nx\n", columns.join(",")),
            "The CSV header has a column this user pool does not have: custom:unknown.",
        ),
        (
            "cognito:username,cognito:mfa_enabled\nann,false\n".to_string(),
            "The CSV header lacks columns of this user pool (see GetCSVHeader): name, given_name, family_name, middle_name, nickname, preferred_username, profile, picture, website, email, email_verified, gender, birthdate, zoneinfo, locale, phone_number, phone_number_verified, address, updated_at.",
        ),
        (
            "\"cognito:username\n".to_string(),
            "The file is not valid CSV: a quoted value opened on line 1 is never closed.",
        ),
    ];
    for (file, message) in cases {
        let job = create(&emulator, &pool_id, "bad").await;
        let job_id = job.job_id.unwrap();
        let uploaded = upload(&emulator, &job.pre_signed_url.unwrap(), file).await;
        assert_eq!(uploaded.status(), 200);
        start_job(&emulator, &pool_id, &job_id).await;
        let done = finished(&emulator, &pool_id, &job_id).await;
        assert_eq!(done.status, Some(Status::Failed));
        assert_eq!(done.completion_message.as_deref(), Some(message));
        assert_eq!((done.imported_users, done.failed_users), (0, 0));
    }
}

#[tokio::test]
async fn a_pool_signing_in_by_email_imports_by_email() {
    let emulator = start().await;
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("import-email")
        .username_attributes(aws_sdk_cognitoidentityprovider::types::UsernameAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let file = csv(
        &emulator,
        &pool_id,
        &[
            &[
                ("cognito:username", "erin@example.com"),
                ("cognito:mfa_enabled", "false"),
                ("email", "erin@example.com"),
                ("email_verified", "true"),
            ],
            // Not an e-mail address.
            &[
                ("cognito:username", "frank"),
                ("cognito:mfa_enabled", "false"),
            ],
            // The same address again.
            &[
                ("cognito:username", "erin@example.com"),
                ("cognito:mfa_enabled", "false"),
            ],
        ],
    )
    .await;
    let job = create(&emulator, &pool_id, "email").await;
    let job_id = job.job_id.unwrap();
    upload(&emulator, &job.pre_signed_url.unwrap(), file).await;
    start_job(&emulator, &pool_id, &job_id).await;
    let done = finished(&emulator, &pool_id, &job_id).await;
    assert_eq!((done.imported_users, done.failed_users), (1, 2));
    let erin = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("erin@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(erin.user_status, Some(UserStatusType::ResetRequired));
    // The username is the user's sub.
    let sub = erin
        .user_attributes
        .unwrap()
        .into_iter()
        .find(|a| a.name == "sub")
        .unwrap()
        .value
        .unwrap();
    assert_eq!(erin.username, sub);
}

#[tokio::test]
async fn a_stopped_job_skips_the_rest() {
    let emulator = start().await;
    let pool_id = emulator.pool("import-stop").await;
    let columns = header(&emulator, &pool_id).await;
    let username = columns
        .iter()
        .position(|c| c == "cognito:username")
        .unwrap();
    let mfa = columns
        .iter()
        .position(|c| c == "cognito:mfa_enabled")
        .unwrap();
    let mut file = columns.join(",") + "\n";
    const USERS: i32 = 20_000;
    for n in 0..USERS {
        let mut row = vec![String::new(); columns.len()];
        row[username] = format!("user{n}");
        row[mfa] = "false".into();
        file += &(row.join(",") + "\n");
    }
    let job = create(&emulator, &pool_id, "big").await;
    let job_id = job.job_id.unwrap();
    assert_eq!(
        upload(&emulator, &job.pre_signed_url.unwrap(), file)
            .await
            .status(),
        200
    );
    start_job(&emulator, &pool_id, &job_id).await;
    let stop = emulator
        .idp
        .stop_user_import_job()
        .user_pool_id(&pool_id)
        .job_id(&job_id)
        .send()
        .await;
    let done = finished(&emulator, &pool_id, &job_id).await;
    match stop {
        Ok(stopping) => {
            assert_eq!(
                stopping.user_import_job.unwrap().status,
                Some(Status::Stopping)
            );
            assert_eq!(done.status, Some(Status::Stopped));
            assert_eq!(
                done.completion_message.as_deref(),
                Some("Import Job Stopped.")
            );
            assert_eq!(
                done.imported_users + done.failed_users + done.skipped_users,
                i64::from(USERS)
            );
            assert_eq!(done.failed_users, 0);
        }
        // The import was quicker than the request to stop it.
        Err(error) => {
            assert_eq!(err(error).0, "PreconditionNotMetException");
            assert_eq!(done.status, Some(Status::Succeeded));
            assert_eq!(done.imported_users, i64::from(USERS));
        }
    }
}

#[tokio::test]
async fn jobs_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("cognito-import-{}", uuid::Uuid::new_v4()));
    let config = || {
        let mut config = cognito_emulator::config::Config::default_for_tests();
        config.data_dir = Some(dir.clone());
        config
    };
    let before = start_with(config()).await;
    let pool_id = before.pool("import-durable").await;
    let file = csv(
        &before,
        &pool_id,
        &[&[
            ("cognito:username", "gina"),
            ("cognito:mfa_enabled", "false"),
        ]],
    )
    .await;
    let job = create(&before, &pool_id, "done").await;
    let done_id = job.job_id.unwrap();
    upload(&before, &job.pre_signed_url.unwrap(), file.clone()).await;
    start_job(&before, &pool_id, &done_id).await;
    let done = finished(&before, &pool_id, &done_id).await;
    assert_eq!(done.status, Some(Status::Succeeded));
    let waiting = create(&before, &pool_id, "waiting").await;
    let waiting_id = waiting.job_id.clone().unwrap();
    assert_eq!(
        upload(&before, waiting.pre_signed_url.as_deref().unwrap(), file)
            .await
            .status(),
        200
    );
    before.stop().await;

    let after = start_with(config()).await;
    assert_eq!(describe(&after, &pool_id, &done_id).await, done);
    assert_eq!(describe(&after, &pool_id, &waiting_id).await, waiting);
    let gina = after
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("gina")
        .send()
        .await
        .unwrap();
    assert_eq!(gina.user_status, Some(UserStatusType::ResetRequired));
    // The uploaded file is kept in memory only: the job needs it again.
    let unstarted = after
        .idp
        .start_user_import_job()
        .user_pool_id(&pool_id)
        .job_id(&waiting_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(unstarted).0, "PreconditionNotMetException");
    after.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_imports_users() {
    let emulator = start().await;
    let url = emulator.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        let python = std::process::Command::new("python3")
            .args(["-c", "import boto3"])
            .output();
        if !python.is_ok_and(|o| o.status.success()) {
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/boto3_import.py");
        Some(
            std::process::Command::new("python3")
                .args([script, &url])
                .output()
                .unwrap(),
        )
    })
    .await
    .unwrap();
    let Some(output) = output else {
        assert!(
            std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").as_deref() != Ok("1"),
            "boto3 is required (COGNITO_EMULATOR_REQUIRE_CLIENTS=1) but unavailable"
        );
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "boto3 script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("boto3 import OK"), "{stdout}");
}
