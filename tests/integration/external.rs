//! The binary itself, and clients that are not Rust: boto3 and the AWS CLI.
//!
//! The Python clients come from `.ci/run`'s virtualenv. Without them these tests skip, unless
//! COGNITO_EMULATOR_REQUIRE_CLIENTS=1 (set by `.ci/run`) makes a missing client a failure.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::common::start;

/// The binary on an ephemeral port; killed on drop.
struct Process {
    child: Child,
    url: String,
    // Kept open: the server prints more lines, and a closed pipe would fail those prints.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_binary(extra: &[&str]) -> Process {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--log", "warn"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().unwrap();
    let mut stdout = BufReader::new(stdout);
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    // "cognito-emulator listening on http://127.0.0.1:PORT (public URL …)"
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the start-up line names the URL")
        .to_string();
    Process {
        child,
        url,
        _stdout: stdout,
    }
}

fn required() -> bool {
    std::env::var("COGNITO_EMULATOR_REQUIRE_CLIENTS").is_ok_and(|v| v == "1")
}

pub fn tool_available(program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !required(),
            "{program} {args:?} is required (COGNITO_EMULATOR_REQUIRE_CLIENTS=1) but unavailable"
        );
        eprintln!("skipping: {program} {args:?} unavailable");
    }
    ok
}

#[test]
fn binary_prints_its_port_and_answers() {
    let process = spawn_binary(&[]);
    assert!(
        process.url.starts_with("http://127.0.0.1:"),
        "{}",
        process.url
    );
    let port: u16 = process.url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert_ne!(port, 9229, "port 0 asks for an ephemeral port");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let health: serde_json::Value = rt.block_on(async {
        reqwest::get(format!("{}/_emulator/health", process.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(health["status"], "ok");
}

#[test]
fn the_health_check_flag_reports_whether_the_emulator_answers() {
    let process = spawn_binary(&[]);
    let port = process.url.rsplit(':').next().unwrap().to_string();
    let check = |port: &str| {
        Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
            .args(["--port", port, "--health-check"])
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(check(&port), Some(0));
    drop(process);
    assert_eq!(check(&port), Some(1), "nothing listens any more");
}

#[test]
fn the_binary_applies_a_seed_file_and_refuses_a_bad_one() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/seed.example.yaml");
    let process = spawn_binary(&["--seed", example]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    crate::common::tls_provider();
    let pool: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .post(&process.url)
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.DescribeUserPool",
            )
            .body(r#"{"UserPoolId": "us-east-1_Example01"}"#)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(pool["UserPool"]["EstimatedNumberOfUsers"], 4);

    let bad = std::env::temp_dir().join(format!("bad-seed-{}.yaml", std::process::id()));
    std::fs::write(
        &bad,
        "userPools:\n  - name: p\n    users:\n      - username: x\n        status: WEIRD\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-emulator"))
        .args(["--port", "0", "--seed"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("seed file {}: userPools[0] (p).users[0] (x): InvalidParameterException: status must be", bad.display())),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_parses_responses_and_errors() {
    let emulator = start().await;
    let url = emulator.url.clone();
    let output = tokio::task::spawn_blocking(move || {
        if !tool_available("python3", &["-c", "import boto3"]) {
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/boto3_smoke.py");
        Some(
            Command::new("python3")
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
        "boto3 script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("boto3 OK"), "{stdout}");
}

/// Runs a Python client script against a fresh emulator; None when Python lacks `module`.
async fn run_python(script: &'static str, module: &'static str) -> Option<std::process::Output> {
    let emulator = start().await;
    let url = emulator.url.clone();
    tokio::task::spawn_blocking(move || {
        if !tool_available("python3", &["-c", &format!("import {module}")]) {
            return None;
        }
        let script = format!("{}/tests/clients/{script}", env!("CARGO_MANIFEST_DIR"));
        Some(
            Command::new("python3")
                .args([&script, &url])
                .output()
                .unwrap(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn pycognito_signs_in_with_srp() {
    let Some(output) = run_python("pycognito_srp.py", "pycognito").await else {
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "pycognito script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("pycognito OK"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_cli_parses_responses_and_errors() {
    let emulator = start().await;
    let url = emulator.url.clone();
    let result = tokio::task::spawn_blocking(move || {
        if !tool_available("aws", &["--version"]) {
            return None;
        }
        let aws = |args: &[&str]| {
            Command::new("aws")
                .args(["cognito-idp"])
                .args(args)
                .args([
                    "--endpoint-url",
                    &url,
                    "--region",
                    "us-east-1",
                    "--output",
                    "json",
                ])
                .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
                .env("AWS_SECRET_ACCESS_KEY", "secret")
                .env("AWS_PAGER", "")
                .output()
                .unwrap()
        };
        let created = aws(&["create-user-pool", "--pool-name", "cli-pool"]);
        let missing = aws(&["describe-user-pool", "--user-pool-id", "us-east-1_missing1"]);
        let listed = aws(&["list-user-pools", "--max-results", "10"]);
        Some((created, missing, listed))
    })
    .await
    .unwrap();
    let Some((created, missing, listed)) = result else {
        return;
    };

    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let pool: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let id = pool["UserPool"]["Id"].as_str().unwrap();
    assert!(id.starts_with("us-east-1_"), "{id}");

    // A service error: exit code 254 in AWS CLI v2, 255 in v1.
    assert!(
        matches!(missing.status.code(), Some(254 | 255)),
        "{:?}",
        missing.status
    );
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("(ResourceNotFoundException)")
            && stderr.contains("User pool us-east-1_missing1 does not exist."),
        "{stderr}"
    );

    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed["UserPools"][0]["Id"], id);
    assert_eq!(listed["UserPools"][0]["Name"], "cli-pool");
}
