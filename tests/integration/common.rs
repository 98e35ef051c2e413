//! Starts the real server on an ephemeral port and hands out clients for it.

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider as idp;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use cognito_emulator::app::App;
use cognito_emulator::config::Config;
use cognito_emulator::http::{RunningServer, Server};
use serde_json::Value;

pub struct Emulator {
    pub url: String,
    pub app: Arc<App>,
    pub idp: idp::Client,
    pub http: reqwest::Client,
    server: RunningServer,
}

impl Emulator {
    /// Shuts the server down and lets go of its state (and data file), as a process exit
    /// would.
    pub async fn stop(self) {
        let Emulator { server, .. } = self;
        server.stop().await.expect("server stopped");
    }
}

/// A fresh emulator (its own state) on 127.0.0.1:<ephemeral>.
pub async fn start() -> Emulator {
    start_with(Config::default_for_tests()).await
}

/// An SDK client for the emulator at `url`, signing for `region`.
pub async fn idp_client(url: &str, region: &str) -> idp::Client {
    let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .credentials_provider(idp::config::Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(url)
        .load()
        .await;
    idp::Client::new(&sdk_config)
}

/// As [`start`], with a configuration of the test's choosing.
/// reqwest is built without a default TLS provider (the emulator picks aws-lc-rs): a test
/// that makes its own reqwest client calls this first.
pub fn tls_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

pub async fn start_with(config: Config) -> Emulator {
    tls_provider();
    let server = Server::bind(config).await.expect("bind");
    let url = format!("http://{}", server.local_addr());
    let app = server.app();
    let server = server.spawn();
    let idp = idp_client(&url, "us-east-1").await;
    Emulator {
        url,
        app,
        idp,
        http: reqwest::Client::new(),
        server,
    }
}

impl Emulator {
    /// A raw AWS JSON call: (status, headers, body).
    pub async fn call(&self, target: &str, body: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, value)
    }

    /// A GET answered with JSON.
    pub async fn get_json(&self, url: &str) -> Value {
        let response = self.http.get(url).send().await.expect("request");
        response.json().await.expect("a JSON body")
    }

    /// Gives a user a permanent password (AdminSetUserPassword), confirming it.
    pub async fn set_password(&self, pool_id: &str, username: &str, password: &str) {
        self.idp
            .admin_set_user_password()
            .user_pool_id(pool_id)
            .username(username)
            .password(password)
            .permanent(true)
            .send()
            .await
            .expect("set a permanent password");
    }

    /// A cognito-idp call by operation name.
    pub async fn idp_call(&self, operation: &str, body: Value) -> (u16, Value) {
        let (status, _, value) = self
            .call(
                &format!("AWSCognitoIdentityProviderService.{operation}"),
                &body.to_string(),
            )
            .await;
        (status, value)
    }

    /// Messages the emulator kept for a pool (and user, or destination).
    pub async fn messages(&self, pool_id: &str, username: Option<&str>) -> Vec<Value> {
        let mut url = format!("{}/_emulator/messages?userPoolId={pool_id}", self.url);
        if let Some(username) = username {
            url.push_str(&format!("&username={username}"));
        }
        let body = self.get_json(&url).await;
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Moves the emulator's clock forward through its endpoint (codes, sessions, tokens and
    /// limits then expire).
    /// Stops the emulator's clock: only `advance_clock` moves it then, so a short window (a
    /// one-second lockout) stays open however slowly the machine answers.
    pub async fn freeze_clock(&self) {
        let response = self
            .http
            .post(format!("{}/_emulator/clock", self.url))
            .json(&serde_json::json!({ "frozen": true }))
            .send()
            .await
            .expect("clock endpoint");
        assert!(response.status().is_success());
        let state: serde_json::Value = response.json().await.unwrap();
        assert_eq!(state["frozen"], true);
    }

    pub async fn advance_clock(&self, seconds: f64) {
        let response = self
            .http
            .post(format!("{}/_emulator/clock", self.url))
            .json(&serde_json::json!({ "seconds": seconds }))
            .send()
            .await
            .expect("clock endpoint");
        assert!(response.status().is_success());
    }

    /// A new app client with default settings; returns its id.
    pub async fn client(&self, pool_id: &str, name: &str) -> String {
        self.idp
            .create_user_pool_client()
            .user_pool_id(pool_id)
            .client_name(name)
            .send()
            .await
            .expect("create client")
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap()
    }

    /// A new app client allowing exactly `flows`; returns its id.
    pub async fn client_with_flows(
        &self,
        pool_id: &str,
        name: &str,
        flows: &[aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType],
    ) -> String {
        self.idp
            .create_user_pool_client()
            .user_pool_id(pool_id)
            .client_name(name)
            .set_explicit_auth_flows(Some(flows.to_vec()))
            .send()
            .await
            .expect("create client")
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap()
    }

    /// A new pool with default settings; returns its id.
    pub async fn pool(&self, name: &str) -> String {
        self.idp
            .create_user_pool()
            .pool_name(name)
            .send()
            .await
            .expect("create pool")
            .user_pool
            .unwrap()
            .id
            .unwrap()
    }
}

/// A PNG signature and filler up to `len` bytes: enough to be taken for a PNG image.
pub fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(len, 7);
    bytes
}

/// The code and message of an SDK error, for assertions.
pub fn err<E, R>(error: aws_sdk_cognitoidentityprovider::error::SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata,
{
    (
        error.code().unwrap_or_default().to_string(),
        error.message().unwrap_or_default().to_string(),
    )
}
