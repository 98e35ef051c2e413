//! User import jobs: GetCSVHeader, the jobs' life cycle, the upload to the PreSignedUrl and
//! the imported users (RESET_REQUIRED until they reset their password).

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AuthFlowType, ExplicitAuthFlowsType, SchemaAttributeType,
    UserImportJobStatusType as Status, UserImportJobType, UserStatusType,
};
use serde_json::json;

use crate::common::{err, start, Emulator};

pub const ROLE: &str = "arn:aws:iam::123456789012:role/CognitoImport";
pub const PASSWORD: &str = "Imp0rted!pass";

pub const STANDARD_HEADER: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "cognito:mfa_enabled",
    "cognito:username",
];

pub async fn header(emulator: &Emulator, pool_id: &str) -> Vec<String> {
    emulator
        .idp
        .get_csv_header()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap()
        .csv_header
        .unwrap()
}

/// A CSV file with the pool's header and one line per user, each given as column → value.
pub async fn csv(emulator: &Emulator, pool_id: &str, users: &[&[(&str, &str)]]) -> String {
    let columns = header(emulator, pool_id).await;
    let mut text = columns.join(",") + "\r\n";
    for user in users {
        let values: Vec<String> = columns
            .iter()
            .map(|c| {
                let value = user
                    .iter()
                    .find(|(name, _)| name == c)
                    .map_or("", |(_, v)| v);
                if value.contains(',') || value.contains('"') {
                    format!("\"{}\"", value.replace('"', "\"\""))
                } else {
                    value.to_string()
                }
            })
            .collect();
        text += &(values.join(",") + "\r\n");
    }
    text
}

pub async fn create(emulator: &Emulator, pool_id: &str, name: &str) -> UserImportJobType {
    emulator
        .idp
        .create_user_import_job()
        .user_pool_id(pool_id)
        .job_name(name)
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .user_import_job
        .unwrap()
}

/// PUTs a file to a job's PreSignedUrl as the AWS docs' curl command does; the status.
pub async fn upload(emulator: &Emulator, url: &str, body: String) -> reqwest::Response {
    emulator
        .http
        .put(url)
        .header("x-amz-server-side-encryption", "aws:kms")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub async fn describe(emulator: &Emulator, pool_id: &str, job_id: &str) -> UserImportJobType {
    emulator
        .idp
        .describe_user_import_job()
        .user_pool_id(pool_id)
        .job_id(job_id)
        .send()
        .await
        .unwrap()
        .user_import_job
        .unwrap()
}

/// Describes the job until it has left Pending/InProgress/Stopping.
pub async fn finished(emulator: &Emulator, pool_id: &str, job_id: &str) -> UserImportJobType {
    for _ in 0..600 {
        let job = describe(emulator, pool_id, job_id).await;
        match job.status.clone().unwrap() {
            Status::Pending | Status::InProgress | Status::Stopping => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await
            }
            _ => return job,
        }
    }
    panic!("import job {job_id} did not finish");
}

pub async fn start_job(emulator: &Emulator, pool_id: &str, job_id: &str) -> UserImportJobType {
    emulator
        .idp
        .start_user_import_job()
        .user_pool_id(pool_id)
        .job_id(job_id)
        .send()
        .await
        .unwrap()
        .user_import_job
        .unwrap()
}

#[tokio::test]
async fn csv_header_lists_standard_then_custom_attributes() {
    let emulator = start().await;
    let pool_id = emulator
        .idp
        .create_user_pool()
        .pool_name("import-header")
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let response = emulator
        .idp
        .get_csv_header()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let mut expected: Vec<String> = STANDARD_HEADER.iter().map(|c| c.to_string()).collect();
    expected.push("custom:tenant".into());
    assert_eq!(response.csv_header.unwrap(), expected);
    assert_eq!(response.user_pool_id.as_deref(), Some(pool_id.as_str()));

    let missing = emulator
        .idp
        .get_csv_header()
        .user_pool_id("us-east-1_nothere")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(missing),
        (
            "ResourceNotFoundException".into(),
            "User pool us-east-1_nothere does not exist.".into()
        )
    );
}

#[tokio::test]
async fn jobs_are_created_listed_and_refused_out_of_order() {
    let emulator = start().await;
    let pool_id = emulator.pool("import-jobs").await;
    let job = create(&emulator, &pool_id, "first").await;
    let job_id = job.job_id.clone().unwrap();
    assert!(job_id.starts_with("import-"), "{job_id}");
    assert_eq!(job.job_name.as_deref(), Some("first"));
    assert_eq!(job.user_pool_id.as_deref(), Some(pool_id.as_str()));
    assert_eq!(job.status, Some(Status::Created));
    assert_eq!(job.cloud_watch_logs_role_arn.as_deref(), Some(ROLE));
    assert!(job.creation_date.is_some());
    assert_eq!(
        (job.imported_users, job.skipped_users, job.failed_users),
        (0, 0, 0)
    );
    assert!(job.start_date.is_none() && job.completion_date.is_none());
    let url = job.pre_signed_url.clone().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/_emulator/user-import/{pool_id}/{job_id}?X-Amz-Signature=",
            emulator.url
        )),
        "{url}"
    );
    assert_eq!(describe(&emulator, &pool_id, &job_id).await, job);

    // Nothing uploaded yet: it cannot start; it is not running: it cannot stop.
    let unstarted = emulator
        .idp
        .start_user_import_job()
        .user_pool_id(&pool_id)
        .job_id(&job_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(unstarted),
        (
            "PreconditionNotMetException".into(),
            format!("Import job {job_id} has no file: upload the CSV file to its PreSignedUrl (HTTP PUT) first.")
        )
    );
    let unstopped = emulator
        .idp
        .stop_user_import_job()
        .user_pool_id(&pool_id)
        .job_id(&job_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(unstopped),
        (
            "PreconditionNotMetException".into(),
            format!(
                "Import job {job_id} cannot be stopped: it is Created, not Pending or InProgress."
            )
        )
    );

    // Unknown jobs and pools.
    let unknown = emulator
        .idp
        .describe_user_import_job()
        .user_pool_id(&pool_id)
        .job_id("import-nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(unknown),
        (
            "ResourceNotFoundException".into(),
            "Import job import-nope does not exist.".into()
        )
    );
    let unknown = emulator
        .idp
        .start_user_import_job()
        .user_pool_id(&pool_id)
        .job_id("import-nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(unknown).0, "ResourceNotFoundException");
    let unknown = emulator
        .idp
        .stop_user_import_job()
        .user_pool_id(&pool_id)
        .job_id("import-nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(unknown).0, "ResourceNotFoundException");
    let no_pool = emulator
        .idp
        .create_user_import_job()
        .user_pool_id("us-east-1_nothere")
        .job_name("x")
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(no_pool).0, "ResourceNotFoundException");
    let no_pool = emulator
        .idp
        .list_user_import_jobs()
        .user_pool_id("us-east-1_nothere")
        .max_results(10)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(no_pool).0, "ResourceNotFoundException");

    // Pages, oldest first.
    let second = create(&emulator, &pool_id, "second").await;
    let third = create(&emulator, &pool_id, "third").await;
    let page = emulator
        .idp
        .list_user_import_jobs()
        .user_pool_id(&pool_id)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.user_import_jobs.unwrap(), vec![job.clone(), second]);
    let rest = emulator
        .idp
        .list_user_import_jobs()
        .user_pool_id(&pool_id)
        .max_results(2)
        .pagination_token(page.pagination_token.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.user_import_jobs.unwrap(), vec![third]);
    assert_eq!(rest.pagination_token, None);
    for bad in [0, 61] {
        let (status, body) = emulator
            .idp_call(
                "ListUserImportJobs",
                json!({"UserPoolId": pool_id, "MaxResults": bad}),
            )
            .await;
        assert_eq!(status, 400);
        assert_eq!(body["__type"], "InvalidParameterException", "{body}");
    }

    // The upload needs the job's own signature.
    let forged =
        url.split("X-Amz-Signature=").next().unwrap().to_string() + "X-Amz-Signature=forged";
    let refused = upload(&emulator, &forged, "cognito:username\n".into()).await;
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["__type"], "NotAuthorizedException");
    let unknown = upload(
        &emulator,
        &url.replace(&job_id, "import-nope"),
        "cognito:username\n".into(),
    )
    .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn imported_users_reset_their_password_to_sign_in() {
    let emulator = start().await;
    let pool_id = emulator.pool("import-users").await;
    let client_id = emulator
        .client_with_flows(
            &pool_id,
            "app",
            &[
                ExplicitAuthFlowsType::AllowUserPasswordAuth,
                ExplicitAuthFlowsType::AllowUserSrpAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ],
        )
        .await;
    let file = csv(
        &emulator,
        &pool_id,
        &[
            &[
                ("cognito:username", "alice"),
                ("cognito:mfa_enabled", "false"),
                ("email", "alice@example.com"),
                ("email_verified", "true"),
                ("given_name", "Alice, \"Al\""),
            ],
            &[
                ("cognito:username", "bob"),
                ("cognito:mfa_enabled", "FALSE"),
                ("phone_number", "+15555550100"),
                ("phone_number_verified", "true"),
            ],
            // The same username again.
            &[
                ("cognito:username", "alice"),
                ("cognito:mfa_enabled", "false"),
            ],
            // No cognito:mfa_enabled.
            &[("cognito:username", "carol")],
            // A verified e-mail address without the address.
            &[
                ("cognito:username", "dave"),
                ("cognito:mfa_enabled", "false"),
                ("email_verified", "true"),
            ],
        ],
    )
    .await;
    let job = create(&emulator, &pool_id, "users").await;
    let job_id = job.job_id.unwrap();
    let url = job.pre_signed_url.unwrap();
    let uploaded = upload(&emulator, &url, file.clone()).await;
    assert_eq!(uploaded.status(), 200);
    assert!(uploaded.headers().contains_key("etag"));
    assert_eq!(uploaded.text().await.unwrap(), "");

    let started = start_job(&emulator, &pool_id, &job_id).await;
    assert_eq!(started.status, Some(Status::Pending));
    assert!(started.start_date.is_some());
    let done = finished(&emulator, &pool_id, &job_id).await;
    assert_eq!(done.status, Some(Status::Succeeded));
    assert_eq!(
        (done.imported_users, done.failed_users, done.skipped_users),
        (2, 3, 0)
    );
    assert_eq!(
        done.completion_message.as_deref(),
        Some("Import Job Completed Successfully.")
    );
    assert!(done.completion_date.unwrap() >= done.start_date.unwrap());

    // A started job takes no new file and does not start again.
    assert_eq!(upload(&emulator, &url, file).await.status(), 409);
    let again = emulator
        .idp
        .start_user_import_job()
        .user_pool_id(&pool_id)
        .job_id(&job_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(again),
        (
            "PreconditionNotMetException".into(),
            format!("Import job {job_id} cannot be started: it is Succeeded, not Created.")
        )
    );
    let stop = emulator
        .idp
        .stop_user_import_job()
        .user_pool_id(&pool_id)
        .job_id(&job_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(stop).0, "PreconditionNotMetException");

    let alice = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(alice.user_status, Some(UserStatusType::ResetRequired));
    assert!(alice.enabled);
    let attributes: Vec<(String, String)> = alice
        .user_attributes
        .unwrap()
        .into_iter()
        .filter(|a| a.name != "sub")
        .map(|a| (a.name, a.value.unwrap()))
        .collect();
    assert_eq!(
        attributes,
        [
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("given_name", "Alice, \"Al\""),
        ]
        .map(|(n, v)| (n.to_string(), v.to_string()))
    );
    let bob = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(bob.user_status, Some(UserStatusType::ResetRequired));
    for absent in ["carol", "dave"] {
        let missing = emulator
            .idp
            .admin_get_user()
            .user_pool_id(&pool_id)
            .username(absent)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err(missing).0, "UserNotFoundException");
    }

    let sign_in = || {
        emulator
            .idp
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
    };
    assert_eq!(
        err(sign_in().await.unwrap_err()),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );
    // SRP too, before any proof.
    let srp = emulator
        .idp
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "bob")
        .auth_parameters("SRP_A", crate::srp::srp_client::Client::new().srp_a())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(srp),
        (
            "PasswordResetRequiredException".into(),
            "Password reset required for the user".into()
        )
    );
    let forgot = emulator
        .idp
        .forgot_password()
        .client_id(&client_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forgot.code_delivery_details.unwrap().destination.as_deref(),
        Some("a***@e***")
    );
    let messages = emulator.messages(&pool_id, Some("alice")).await;
    let message = messages
        .iter()
        .rev()
        .find(|m| m["trigger"] == "ForgotPassword")
        .expect("the reset code");
    let code = message["code"].as_str().unwrap();
    emulator
        .idp
        .confirm_forgot_password()
        .client_id(&client_id)
        .username("alice")
        .confirmation_code(code)
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let tokens = sign_in().await.unwrap().authentication_result.unwrap();
    assert!(tokens.access_token.is_some());
    let alice = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(alice.user_status, Some(UserStatusType::Confirmed));
}

#[tokio::test]
async fn a_pool_holds_at_most_a_thousand_jobs() {
    let emulator = start().await;
    let pool_id = emulator.pool("many-jobs").await;
    for i in 0..1_000 {
        create(&emulator, &pool_id, &format!("job-{i}")).await;
    }
    let refused = emulator
        .idp
        .create_user_import_job()
        .user_pool_id(&pool_id)
        .job_name("one-too-many")
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        refused,
        (
            "LimitExceededException".to_string(),
            "A user pool can have at most 1000 user import jobs.".to_string()
        )
    );
}
