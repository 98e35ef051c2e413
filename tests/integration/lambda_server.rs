//! An in-test AWS Lambda Invoke API: records every invocation and answers per function, so
//! trigger tests can assert the exact events Cognito's emulator sends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

/// How a function answers an event.
pub enum Answer {
    /// The (modified) event, as a Lambda handler returns it.
    Event(Value),
    /// A thrown error: `X-Amz-Function-Error: Unhandled` with Lambda's error payload.
    Error(String),
    /// Any status and body, as a broken endpoint might send.
    Raw(u16, String),
    /// Answers after a delay.
    Slow(Duration, Box<Answer>),
}

type Handler = Arc<dyn Fn(Value) -> Answer + Send + Sync>;

/// One invocation as the server received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub function: String,
    pub qualifier: Option<String>,
    pub event: Value,
    /// The `Authorization` header (SigV4).
    pub authorization: Option<String>,
    pub invocation_type: Option<String>,
}

#[derive(Default)]
struct Functions {
    handlers: HashMap<String, Handler>,
    calls: Vec<Call>,
}

#[derive(Clone)]
pub struct LambdaServer {
    pub url: String,
    functions: Arc<Mutex<Functions>>,
}

impl LambdaServer {
    pub async fn start() -> LambdaServer {
        let functions = Arc::new(Mutex::new(Functions::default()));
        let app = Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            .with_state(functions.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        LambdaServer { url, functions }
    }

    /// Sets how function `name` answers.
    pub fn on(&self, name: &str, handler: impl Fn(Value) -> Answer + Send + Sync + 'static) {
        self.functions
            .lock()
            .unwrap()
            .handlers
            .insert(name.to_string(), Arc::new(handler));
    }

    /// A function that returns the event it was given, unchanged.
    pub fn echo(&self, name: &str) {
        self.on(name, Answer::Event);
    }

    /// A function that sets `response` members and returns the event.
    pub fn respond(&self, name: &str, response: Value) {
        self.on(name, move |mut event| {
            for (key, value) in response.as_object().unwrap() {
                event["response"][key] = value.clone();
            }
            Answer::Event(event)
        });
    }

    /// The calls made so far.
    pub fn calls(&self) -> Vec<Call> {
        self.functions.lock().unwrap().calls.clone()
    }

    /// The events function `name` received.
    pub fn events(&self, name: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.function == name)
            .map(|c| c.event)
            .collect()
    }
}

/// The ARN of function `name` (as a pool's LambdaConfig names it).
pub fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

async fn invoke(
    State(functions): State<Arc<Mutex<Functions>>>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let handler = {
        let mut functions = functions.lock().unwrap();
        functions.calls.push(Call {
            function: name.clone(),
            qualifier: query.get("Qualifier").cloned(),
            event: event.clone(),
            authorization: header("authorization"),
            invocation_type: header("x-amz-invocation-type"),
        });
        functions.handlers.get(&name).cloned()
    };
    let Some(handler) = handler else {
        let body = format!(r#"{{"Type":"User","message":"Function not found: {name}"}}"#);
        return (StatusCode::NOT_FOUND, body).into_response();
    };
    let mut answer = handler(event);
    loop {
        return match answer {
            Answer::Slow(delay, inner) => {
                tokio::time::sleep(delay).await;
                answer = *inner;
                continue;
            }
            Answer::Event(event) => (StatusCode::OK, event.to_string()).into_response(),
            Answer::Error(message) => (
                StatusCode::OK,
                [("x-amz-function-error", "Unhandled")],
                serde_json::json!({"errorMessage": message, "errorType": "Error"}).to_string(),
            )
                .into_response(),
            Answer::Raw(status, body) => {
                (StatusCode::from_u16(status).unwrap(), body).into_response()
            }
        };
    }
}
