//! Users imported with their passwords' hashes (CreateUserImportJob's
//! PasswordHashingAlgorithm): they sign in with their old password through the flows that
//! send it, after which the hash is replaced by the emulator's own password record.

use argon2::password_hash::{PasswordHasher, SaltString};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, PasswordHashingAlgorithmType as Algorithm,
    UserImportJobStatusType as Status, UserStatusType, UserVerificationType,
};

use crate::common::{err, start, Emulator};
use crate::import_jobs::{describe, finished, header, start_job, upload, ROLE};
use crate::passkeys::passkey_pool;
use crate::user_auth::{user_auth, BOTH};

const OLD_PASSWORD: &str = "0ld-system!pass";

fn hash(algorithm: &Algorithm) -> String {
    let salt = SaltString::encode_b64(b"a sixteen b salt").unwrap();
    match algorithm {
        Algorithm::Bcrypt => bcrypt::hash(OLD_PASSWORD, 4).unwrap(),
        Algorithm::Argon2Id => argon2::Argon2::default()
            .hash_password(OLD_PASSWORD.as_bytes(), &salt)
            .unwrap()
            .to_string(),
        Algorithm::Scrypt => scrypt::Scrypt
            .hash_password_customized(
                OLD_PASSWORD.as_bytes(),
                None,
                None,
                scrypt::Params::new(4, 8, 1, 32).unwrap(),
                &salt,
            )
            .unwrap()
            .to_string(),
        Algorithm::Pbkdf2Sha256 => pbkdf2::Pbkdf2
            .hash_password_customized(
                OLD_PASSWORD.as_bytes(),
                Some(pbkdf2::Algorithm::Pbkdf2Sha256.ident()),
                None,
                pbkdf2::Params {
                    rounds: 1000,
                    output_length: 32,
                },
                &salt,
            )
            .unwrap()
            .to_string(),
        other => panic!("{other:?}"),
    }
}

/// Imports `users` (username, password hash) with `algorithm`; the finished job.
async fn import(
    emulator: &Emulator,
    pool_id: &str,
    algorithm: Algorithm,
    users: &[(&str, &str)],
) -> aws_sdk_cognitoidentityprovider::types::UserImportJobType {
    let mut columns = header(emulator, pool_id).await;
    columns.push("cognito:password_hash".into());
    let mut file = columns.join(",") + "\n";
    for (username, hash) in users {
        // PHC strings have commas: quoted.
        let row: Vec<String> = columns
            .iter()
            .map(|c| match c.as_str() {
                "cognito:username" => username.to_string(),
                "cognito:mfa_enabled" => "false".into(),
                "cognito:password_hash" => format!("\"{hash}\""),
                _ => String::new(),
            })
            .collect();
        file += &(row.join(",") + "\n");
    }
    let job = emulator
        .idp
        .create_user_import_job()
        .user_pool_id(pool_id)
        .job_name("hashes")
        .cloud_watch_logs_role_arn(ROLE)
        .password_hashing_algorithm(algorithm.clone())
        .send()
        .await
        .unwrap()
        .user_import_job
        .unwrap();
    assert_eq!(job.password_hashing_algorithm, Some(algorithm));
    let job_id = job.job_id.unwrap();
    assert_eq!(
        upload(emulator, &job.pre_signed_url.unwrap(), file)
            .await
            .status(),
        200
    );
    start_job(emulator, pool_id, &job_id).await;
    let done = finished(emulator, pool_id, &job_id).await;
    assert_eq!(done, describe(emulator, pool_id, &job_id).await);
    done
}

async fn password_sign_in(
    emulator: &Emulator,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<(), (String, String)> {
    emulator
        .idp
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|out| assert!(out.authentication_result.is_some()))
        .map_err(err)
}

#[tokio::test]
async fn every_algorithm_signs_in_with_the_old_password() {
    let emulator = start().await;
    let (pool_id, client_id) = passkey_pool(&emulator, BOTH, UserVerificationType::Preferred).await;
    let admin_client = emulator
        .client_with_flows(
            &pool_id,
            "admin",
            &[ExplicitAuthFlowsType::AllowAdminUserPasswordAuth],
        )
        .await;
    let incorrect = (
        "NotAuthorizedException".to_string(),
        "Incorrect username or password.".to_string(),
    );
    for algorithm in [
        Algorithm::Bcrypt,
        Algorithm::Argon2Id,
        Algorithm::Scrypt,
        Algorithm::Pbkdf2Sha256,
    ] {
        let name = algorithm.as_str().to_lowercase();
        let (good, bad, none) = (
            format!("{name}-good"),
            format!("{name}-bad"),
            format!("{name}-none"),
        );
        let hashed = hash(&algorithm);
        let done = import(
            &emulator,
            &pool_id,
            algorithm.clone(),
            &[(&good, &hashed), (&bad, "$unknown$form"), (&none, "")],
        )
        .await;
        assert_eq!(done.status, Some(Status::Succeeded), "{algorithm:?}");
        assert_eq!(
            (done.imported_users, done.failed_users),
            (2, 1),
            "{algorithm:?}"
        );
        let status = |username: String| {
            let emulator = &emulator;
            let pool_id = &pool_id;
            async move {
                emulator
                    .idp
                    .admin_get_user()
                    .user_pool_id(pool_id)
                    .username(username)
                    .send()
                    .await
                    .unwrap()
                    .user_status
                    .unwrap()
            }
        };
        assert_eq!(status(good.clone()).await, UserStatusType::Confirmed);
        assert_eq!(status(none.clone()).await, UserStatusType::ResetRequired);

        // SRP needs a password record, which the first password sign-in makes.
        let srp = emulator
            .idp
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", &good)
            .auth_parameters("SRP_A", crate::srp::srp_client::Client::new().srp_a())
            .send()
            .await
            .unwrap_err();
        assert_eq!(err(srp).0, "NotAuthorizedException");
        assert_eq!(
            password_sign_in(&emulator, &client_id, &good, "Wr0ng!password").await,
            Err(incorrect.clone())
        );
        match algorithm {
            // Through USER_AUTH's PASSWORD challenge.
            Algorithm::Argon2Id => {
                let out = user_auth(
                    &emulator,
                    &client_id,
                    &good,
                    &[
                        ("PREFERRED_CHALLENGE", "PASSWORD"),
                        ("PASSWORD", OLD_PASSWORD),
                    ],
                )
                .await
                .unwrap();
                assert!(out.authentication_result.is_some());
            }
            // Through ADMIN_USER_PASSWORD_AUTH.
            Algorithm::Scrypt => {
                let out = emulator
                    .idp
                    .admin_initiate_auth()
                    .user_pool_id(&pool_id)
                    .client_id(&admin_client)
                    .auth_flow(AuthFlowType::AdminUserPasswordAuth)
                    .auth_parameters("USERNAME", &good)
                    .auth_parameters("PASSWORD", OLD_PASSWORD)
                    .send()
                    .await
                    .unwrap();
                assert!(out.authentication_result.is_some());
            }
            _ => password_sign_in(&emulator, &client_id, &good, OLD_PASSWORD)
                .await
                .unwrap(),
        }
        // From now on the emulator's own record: the password again, and SRP starts.
        password_sign_in(&emulator, &client_id, &good, OLD_PASSWORD)
            .await
            .unwrap();
        assert_eq!(
            password_sign_in(&emulator, &client_id, &good, "Wr0ng!password").await,
            Err(incorrect.clone())
        );
        let srp = emulator
            .idp
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", &good)
            .auth_parameters("SRP_A", crate::srp::srp_client::Client::new().srp_a())
            .send()
            .await
            .unwrap();
        assert!(srp.challenge_name.is_some());
        // A user imported without a hash must reset its password.
        assert_eq!(
            password_sign_in(&emulator, &client_id, &none, OLD_PASSWORD)
                .await
                .unwrap_err()
                .0,
            "PasswordResetRequiredException"
        );
    }
}

#[tokio::test]
async fn a_hash_job_needs_the_hash_column() {
    let emulator = start().await;
    let pool_id = emulator.pool("import-hash-column").await;
    let columns = header(&emulator, &pool_id).await;
    let job = emulator
        .idp
        .create_user_import_job()
        .user_pool_id(&pool_id)
        .job_name("no-column")
        .cloud_watch_logs_role_arn(ROLE)
        .password_hashing_algorithm(Algorithm::Bcrypt)
        .send()
        .await
        .unwrap()
        .user_import_job
        .unwrap();
    let job_id = job.job_id.unwrap();
    upload(
        &emulator,
        &job.pre_signed_url.unwrap(),
        columns.join(",") + "\n",
    )
    .await;
    start_job(&emulator, &pool_id, &job_id).await;
    let done = finished(&emulator, &pool_id, &job_id).await;
    assert_eq!(done.status, Some(Status::Failed));
    assert_eq!(
        done.completion_message.as_deref(),
        Some("The CSV header lacks columns of this user pool (see GetCSVHeader): cognito:password_hash.")
    );
}
