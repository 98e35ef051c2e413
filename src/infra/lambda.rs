//! Calling a Lambda function: the AWS Lambda Invoke REST API
//! (`POST {endpoint}/2015-03-31/functions/{name}/invocations`), SigV4-signed, as
//! `sam local start-lambda`, LocalStack and a plain HTTP server understand it. Knows nothing
//! of Cognito's events: `idp::engine::triggers` builds them and reads the answers.
//!
//! Cognito's engine is synchronous; an operation that calls a trigger waits here for the
//! invocation, which runs as a task on the runtime, on a thread that may block
//! ([`super::blocking`]: the blocking pool, or an async worker that hands its tasks off while
//! it waits). Debug builds check that no pool lock is held while a function runs.

use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;

use super::blocking;

/// How long Cognito waits for a trigger (its documented limit).
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Largest answer read from a function (Lambda's own synchronous response limit).
const MAX_ANSWER: usize = 6 << 20;
/// How many invocations are kept for `/_emulator/lambda-invocations`; older ones go first.
pub const KEPT: usize = 1_000;

/// Why an invocation gave no usable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum InvokeError {
    /// No endpoint is configured for the function.
    NoEndpoint,
    /// The function ran and failed (`X-Amz-Function-Error`): its `errorMessage`.
    Function(String),
    /// The endpoint could not be reached, answered an error status, or took too long.
    Invocation(String),
    /// The function answered something that is not a JSON object.
    InvalidAnswer(String),
}

/// One call of a function, kept for tests and logged.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub id: u64,
    pub function_name: String,
    pub function_arn: String,
    pub trigger_source: String,
    pub user_pool_id: String,
    pub event: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: f64,
    pub created_at: f64,
}

/// Where functions are called: `--lambda-endpoint`, and per-function overrides.
#[derive(Debug, Default, Clone)]
pub struct Endpoints {
    pub default: Option<String>,
    /// Function name → endpoint.
    pub by_function: HashMap<String, String>,
}

impl Endpoints {
    /// `--lambda-function-endpoint NAME=URL` entries on top of `--lambda-endpoint`.
    pub fn parse(default: Option<&str>, overrides: &[String]) -> Result<Self, String> {
        let mut by_function = HashMap::new();
        for entry in overrides {
            let (name, url) = entry
                .split_once('=')
                .ok_or_else(|| format!("--lambda-function-endpoint {entry:?} is not NAME=URL"))?;
            by_function.insert(name.trim().to_string(), check_url(url.trim())?);
        }
        Ok(Self {
            default: default.map(check_url).transpose()?,
            by_function,
        })
    }

    fn for_function(&self, name: &str) -> Option<&str> {
        self.by_function
            .get(name)
            .or(self.default.as_ref())
            .map(String::as_str)
    }
}

fn check_url(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("{url:?} is not an http(s) URL"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// A function ARN's parts: `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
/// A bare name is accepted too (the API validates ARNs before they get here).
pub fn function_of(arn: &str) -> (String, Option<String>, Option<String>) {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", region, _, "function", name, rest @ ..] => (
            name.to_string(),
            rest.first().map(|q| q.to_string()),
            Some(region.to_string()),
        ),
        _ => (arn.to_string(), None, None),
    }
}

/// Calls functions and keeps what they were sent and answered.
#[derive(Debug, Default)]
pub struct Lambda {
    endpoints: Endpoints,
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// Numbers invocations in the order they were made.
    next_id: u64,
    invocations: VecDeque<Invocation>,
}

impl Lambda {
    pub fn new(endpoints: Endpoints) -> Self {
        Self {
            endpoints,
            ..Self::default()
        }
    }

    /// Invokes `arn` with `event` and waits for its answer. Called from the engine's
    /// synchronous code (see [`wait`]), with no pool lock held.
    pub fn invoke_blocking(
        &self,
        arn: &str,
        pool_id: &str,
        trigger_source: &str,
        event: &Value,
        now: f64,
    ) -> Result<Value, InvokeError> {
        debug_assert_eq!(
            blocking::pool_guards_held(),
            0,
            "a trigger was invoked while a pool lock was held"
        );
        let (name, qualifier, region) = function_of(arn);
        let started = Instant::now();
        let result = match self.endpoints.for_function(&name) {
            None => Err(InvokeError::NoEndpoint),
            Some(endpoint) => {
                let request = Request {
                    url: invoke_url(endpoint, &name, qualifier.as_deref()),
                    region: region.unwrap_or_else(|| "us-east-1".to_string()),
                    body: serde_json::to_vec(event).unwrap_or_default(),
                };
                wait_for(request)
            }
        };
        self.keep(Invocation {
            id: 0,
            function_name: name,
            function_arn: arn.to_string(),
            trigger_source: trigger_source.to_string(),
            user_pool_id: pool_id.to_string(),
            event: event.clone(),
            answer: result.as_ref().ok().cloned(),
            error: result.as_ref().err().map(|e| format!("{e:?}")),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            created_at: now,
        });
        result
    }

    fn keep(&self, mut invocation: Invocation) {
        tracing::info!(
            target: "cognito_emulator::infra::lambda",
            function = %invocation.function_name,
            trigger_source = %invocation.trigger_source,
            user_pool_id = %invocation.user_pool_id,
            duration_ms = invocation.duration_ms,
            error = invocation.error.as_deref().unwrap_or(""),
            event = %invocation.event,
            answer = %invocation.answer.as_ref().map(|a| a.to_string()).unwrap_or_default(),
            "lambda trigger invoked"
        );
        let mut kept = self.kept.lock();
        kept.next_id += 1;
        invocation.id = kept.next_id;
        if kept.invocations.len() == KEPT {
            kept.invocations.pop_front();
        }
        kept.invocations.push_back(invocation);
    }

    /// Kept invocations, oldest first, optionally of one pool or trigger source.
    pub fn list(&self, pool_id: Option<&str>, trigger_source: Option<&str>) -> Vec<Invocation> {
        self.kept
            .lock()
            .invocations
            .iter()
            .filter(|i| pool_id.is_none_or(|p| i.user_pool_id == p))
            .filter(|i| trigger_source.is_none_or(|t| i.trigger_source == t))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.kept.lock().invocations.clear();
    }
}

fn invoke_url(endpoint: &str, name: &str, qualifier: Option<&str>) -> String {
    let mut url = format!(
        "{endpoint}/2015-03-31/functions/{}/invocations",
        urlencode(name)
    );
    if let Some(qualifier) = qualifier {
        url += &format!("?Qualifier={}", urlencode(qualifier));
    }
    url
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

struct Request {
    url: String,
    region: String,
    body: Vec<u8>,
}

/// Runs the invocation as a task on the runtime and waits for it on this (blocking) thread.
fn wait_for(request: Request) -> Result<Value, InvokeError> {
    let url = request.url.clone();
    wait(TIMEOUT, async move { send(&request).await })
        .map_err(|e| match e {
            Wait::TimedOut => InvokeError::Invocation(format!(
                "{url} did not answer within {} seconds",
                TIMEOUT.as_secs()
            )),
            Wait::NotAllowed(reason) => InvokeError::Invocation(reason),
        })
        .and_then(|result| result)
}

/// Why [`wait`] gave no answer.
pub enum Wait {
    TimedOut,
    NotAllowed(String),
}

/// Runs `work` as a task on the runtime and waits up to `limit` for it on this thread, which
/// must be able to block ([`blocking::can_block`]): a worker of a multi-thread runtime hands
/// its other tasks off for the wait.
pub fn wait<T: Send + 'static>(
    limit: Duration,
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, Wait> {
    if !blocking::can_block() {
        // A bug, not a user's mistake: the operation should have been on the blocking pool.
        debug_assert!(false, "the emulator waited on a thread that may not block");
        return Err(Wait::NotAllowed(
            "the emulator called out on a thread that may not wait".to_string(),
        ));
    }
    blocking::section(|| wait_here(limit, work))
}

fn wait_here<T: Send + 'static>(
    limit: Duration,
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, Wait> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return Err(Wait::NotAllowed("no runtime to call out on".to_string()));
    };
    // The call runs as a task on the runtime's workers while this thread waits for it.
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = sender.send(tokio::time::timeout(limit, work).await.ok());
    });
    match receiver.recv() {
        Ok(Some(value)) => Ok(value),
        _ => Err(Wait::TimedOut),
    }
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .pool_max_idle_per_host(64)
            .user_agent(concat!("cognito-emulator/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's settings are valid")
    })
}

async fn send(request: &Request) -> Result<Value, InvokeError> {
    let unreachable = |e: String| InvokeError::Invocation(format!("{}: {e}", request.url));
    let mut builder = client()
        .post(&request.url)
        .header("content-type", "application/json")
        .header("x-amz-invocation-type", "RequestResponse")
        .body(request.body.clone());
    let signed = sigv4_headers(
        &request.url,
        &request.region,
        "lambda",
        &[
            ("content-type", "application/json"),
            ("x-amz-invocation-type", "RequestResponse"),
        ],
        &request.body,
    );
    for (name, value) in signed.map_err(unreachable)? {
        builder = builder.header(name, value);
    }
    let mut response = builder
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    let status = response.status().as_u16();
    let function_error = response.headers().contains_key("x-amz-function-error");
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(e.to_string()))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ANSWER {
            return Err(unreachable(format!(
                "answered more than {MAX_ANSWER} bytes"
            )));
        }
    }
    let parsed = serde_json::from_slice::<Value>(&body);
    if function_error {
        // Lambda's error payload: {"errorMessage": "...", "errorType": "..."}.
        let message = match &parsed {
            Ok(value) => value
                .get("errorMessage")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| value.to_string()),
            Err(_) => String::from_utf8_lossy(&body).into_owned(),
        };
        return Err(InvokeError::Function(message));
    }
    if !(200..300).contains(&status) {
        let text = String::from_utf8_lossy(&body);
        return Err(unreachable(format!("answered {status}: {text}")));
    }
    match parsed {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(other) => Err(InvokeError::InvalidAnswer(other.to_string())),
        Err(e) => Err(InvokeError::InvalidAnswer(e.to_string())),
    }
}

/// SigV4 headers for a POST to `url` of AWS service `service`, with the credentials in the
/// environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) or
/// LocalStack's `test`/`test`. `headers` are the ones sent that the signature covers.
pub fn sigv4_headers(
    url: &str,
    region: &str,
    service: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Vec<(String, String)>, String> {
    use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let credentials = aws_credential_types::Credentials::new(
        env("AWS_ACCESS_KEY_ID").unwrap_or_else(|| "test".to_string()),
        env("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|| "test".to_string()),
        env("AWS_SESSION_TOKEN"),
        None,
        "cognito-emulator",
    );
    let identity = credentials.into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_and_qualifiers_come_from_the_arn() {
        assert_eq!(
            function_of("arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up"),
            ("pre-sign-up".into(), None, Some("eu-west-1".into()))
        );
        assert_eq!(
            function_of("arn:aws:lambda:us-east-1:123456789012:function:f:live"),
            ("f".into(), Some("live".into()), Some("us-east-1".into()))
        );
        assert_eq!(
            invoke_url("http://h:3001", "f", Some("$LATEST")),
            "http://h:3001/2015-03-31/functions/f/invocations?Qualifier=%24LATEST"
        );
    }

    #[test]
    fn endpoints_are_checked_and_overridden_per_function() {
        let endpoints = Endpoints::parse(
            Some("http://localhost:3001/"),
            &["b=http://other:9000".into()],
        )
        .unwrap();
        assert_eq!(endpoints.for_function("a"), Some("http://localhost:3001"));
        assert_eq!(endpoints.for_function("b"), Some("http://other:9000"));
        assert!(Endpoints::parse(Some("ftp://x"), &[]).is_err());
        assert!(Endpoints::parse(None, &["nourl".into()]).is_err());
    }
}
