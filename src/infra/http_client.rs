//! Outgoing HTTP: the emulator calling others (identity providers' discovery, token and
//! JWKS endpoints). One shared client, rustls on aws-lc-rs, short timeouts, bounded bodies.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

/// Larger answers are refused: discovery documents, JWKS and token responses are small.
const MAX_BODY: usize = 1 << 20;

/// The one client for outgoing calls (identity providers, KMS).
pub fn shared() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        // Installed once for the process; an embedding program may have installed its own.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("cognito-emulator/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's settings are valid")
    })
}

async fn json_of(url: &str, response: reqwest::Response) -> Result<(u16, Value), String> {
    let status = response.status().as_u16();
    if response
        .content_length()
        .is_some_and(|l| l > MAX_BODY as u64)
    {
        return Err(format!("{url} answered more than {MAX_BODY} bytes"));
    }
    let mut body = Vec::new();
    let mut response = response;
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            return Err(format!("{url} answered more than {MAX_BODY} bytes"));
        }
    }
    let value = serde_json::from_slice(&body)
        .map_err(|e| format!("{url} answered {status} with a body that is not JSON: {e}"))?;
    Ok((status, value))
}

/// GET a JSON document; any status but 200 is an error.
pub async fn get_json(url: &str) -> Result<Value, String> {
    let response = shared()
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    match json_of(url, response).await? {
        (200, value) => Ok(value),
        (status, value) => Err(format!("{url} answered {status}: {value}")),
    }
}

/// POST a form, with HTTP Basic credentials if given; returns the status and JSON body.
pub async fn post_form(
    url: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Result<(u16, Value), String> {
    let mut request = shared()
        .post(url)
        .form(form)
        .header("accept", "application/json");
    if let Some((user, password)) = basic {
        request = request.basic_auth(user, Some(password));
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    json_of(url, response).await
}

/// GET with a bearer token (an identity provider's userInfo).
pub async fn get_json_with_bearer(url: &str, token: &str) -> Result<Value, String> {
    let response = shared()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    match json_of(url, response).await? {
        (200, value) => Ok(value),
        (status, value) => Err(format!("{url} answered {status}: {value}")),
    }
}
