//! KMS's GenerateDataKey over its JSON API (`--kms-endpoint`, e.g. LocalStack's): the data
//! key custom sender triggers' codes are encrypted under.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use super::lambda::{sigv4_headers, wait, Wait};

const TIMEOUT: Duration = Duration::from_secs(5);

/// A fresh AES-256 data key: (plaintext, KMS's ciphertext blob, the key's ARN).
pub struct GeneratedKey {
    pub plaintext: Vec<u8>,
    pub wrapped: Vec<u8>,
    pub key_arn: String,
}

/// Asks KMS at `endpoint` for a data key under `key_id`, waiting on this (blocking-pool) thread.
pub fn generate_data_key(endpoint: &str, key_id: &str) -> Result<GeneratedKey, String> {
    let region = key_id.split(':').nth(3).unwrap_or("us-east-1").to_string();
    let url = format!("{}/", endpoint.trim_end_matches('/'));
    let body = json!({"KeyId": key_id, "KeySpec": "AES_256"}).to_string();
    let work = async move { call(&url, &region, body).await };
    match wait(TIMEOUT, work) {
        Ok(result) => result,
        Err(Wait::TimedOut) => Err(format!("KMS at {endpoint} did not answer in time")),
        Err(Wait::NotAllowed(reason)) => Err(reason),
    }
}

async fn call(url: &str, region: &str, body: String) -> Result<GeneratedKey, String> {
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "TrentService.GenerateDataKey"),
    ];
    let mut request = super::http_client::shared().post(url).body(body.clone());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    for (name, value) in sigv4_headers(url, region, "kms", &headers, body.as_bytes())? {
        request = request.header(name, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("cannot reach KMS at {url}: {e}"))?;
    let status = response.status().as_u16();
    let answer: Value = response
        .json()
        .await
        .map_err(|e| format!("KMS answered {status} with a body that is not JSON: {e}"))?;
    if status != 200 {
        return Err(format!("KMS answered {status}: {answer}"));
    }
    let field = |name: &str| {
        answer
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("KMS's GenerateDataKey answer has no {name}"))
    };
    let decode = |name: &str| {
        field(name).and_then(|text| {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| format!("KMS's {name} is not base64: {e}"))
        })
    };
    Ok(GeneratedKey {
        plaintext: decode("Plaintext")?,
        wrapped: decode("CiphertextBlob")?,
        key_arn: field("KeyId")?.to_string(),
    })
}
