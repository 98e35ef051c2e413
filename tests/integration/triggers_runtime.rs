//! End to end against a real Lambda runtime emulator: serverless-offline (npm) runs the Node
//! handlers in `tests/clients/lambda` and serves the Lambda Invoke API, as `sam local
//! start-lambda` does with Docker (not available here).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType, LambdaConfigType};
use cognito_emulator::config::Config;

use crate::common::{err, start_with};
use crate::javascript::node_ready;
use crate::triggers::pool_with;

/// serverless-offline's process, stopped when dropped.
struct Runtime {
    child: Child,
    url: String,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts serverless-offline on free ports and waits until its Invoke API answers.
async fn start_runtime() -> Runtime {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let service = root.join("lambda");
    let modules = service.join("node_modules");
    if !modules.exists() {
        // The plugin is resolved from the service's directory.
        std::os::unix::fs::symlink(root.join("node/node_modules"), &modules).unwrap();
    }
    let lambda_port = free_port();
    let child = Command::new(root.join("node/node_modules/.bin/serverless"))
        .args(["offline", "start", "--lambdaPort", &lambda_port.to_string()])
        .args(["--httpPort", &free_port().to_string()])
        .args(["--websocketPort", &free_port().to_string()])
        .current_dir(&service)
        .env("SLS_TELEMETRY_DISABLED", "1")
        .env("SLS_NOTIFICATIONS_MODE", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serverless-offline starts");
    let url = format!("http://127.0.0.1:{lambda_port}");
    let runtime = Runtime { child, url };
    crate::common::tls_provider();
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let probe = http
            .post(format!(
                "{}/2015-03-31/functions/cognito-triggers-dev-customMessage/invocations",
                runtime.url
            ))
            .body(r#"{"triggerSource":"probe","request":{},"response":{}}"#)
            .send()
            .await;
        if probe.is_ok_and(|r| r.status().is_success()) {
            return runtime;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serverless-offline did not start"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn function(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:cognito-triggers-dev-{name}")
}

fn email(address: &str) -> AttributeType {
    AttributeType::builder()
        .name("email")
        .value(address)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn node_handlers_in_a_lambda_runtime_emulator() {
    if !node_ready() {
        return;
    }
    let runtime = start_runtime().await;
    let mut config = Config::default_for_tests();
    config.lambda_endpoint = Some(runtime.url.clone());
    let emulator = start_with(config).await;
    let lambda_config = LambdaConfigType::builder()
        .pre_sign_up(function("preSignUp"))
        .custom_message(function("customMessage"))
        .build();
    let (pool_id, client_id) = pool_with(&emulator, lambda_config).await;

    // The handler confirms and verifies an example.com address...
    let signed_up = emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("jane")
        .password("Passw0rd!")
        .user_attributes(email("jane@example.com"))
        .send()
        .await
        .unwrap();
    assert!(signed_up.user_confirmed);
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("jane")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status.unwrap().as_str(), "CONFIRMED");

    // ...and throws for another, which Cognito reports with the handler's message.
    let refused = emulator
        .idp
        .sign_up()
        .client_id(&client_id)
        .username("max")
        .password("Passw0rd!")
        .user_attributes(email("max@elsewhere.org"))
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        refused,
        (
            "UserLambdaValidationException".to_string(),
            "PreSignUp failed with error Sign-ups from elsewhere.org are closed.".to_string()
        )
    );

    // The invitation is the handler's (PreSignUp of AdminCreateUser confirms nothing).
    emulator
        .idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("kim")
        .temporary_password("Temp0rary!")
        .user_attributes(email("kim@example.com"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    let messages = emulator.messages(&pool_id, Some("kim")).await;
    let invitation = messages.last().unwrap();
    assert_eq!(invitation["subject"], "Welcome aboard");
    assert_eq!(invitation["body"], "Hello kim, your password is Temp0rary!");
    drop(runtime);
}
