//! The cognito-idp operations, one function each, grouped by family. An api file decodes
//! nothing and knows no HTTP: typed input in, typed output out. Api files never import each
//! other; what two of them share lives in [`super::engine`].

pub mod auth_events;
pub mod auth_factors;
pub mod branding;
pub mod client_tokens;
pub mod clients;
pub mod devices;
pub mod domains;
pub mod groups;
pub mod identity_providers;
pub mod import_jobs;
pub mod limits;
pub mod list_users;
pub mod log_delivery;
pub mod mfa;
pub mod passkeys;
pub mod pools;
pub mod provider_links;
pub mod replicas;
pub mod resource_servers;
pub mod risk;
pub mod self_service;
pub mod sessions;
pub mod sign_in;
pub mod sign_up;
pub mod signing;
pub mod tags;
pub mod terms;
pub mod ui_customization;
pub mod users;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

/// The output of operations whose model output is empty.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Empty {}

/// Converts between generated shapes that share member names (a request into the stored
/// settings, say), so every setting is kept without copying fields by hand.
pub fn reshape<T: DeserializeOwned>(value: impl Serialize) -> ApiResult<T> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::internal(format!("reshape: {e}")))
}

/// Page sizes: `Limit`/`MaxResults` of 0 or absent mean the maximum, 60.
pub fn page_size(requested: Option<i64>) -> usize {
    match requested {
        Some(n) if n > 0 => n.min(60) as usize,
        _ => 60,
    }
}

/// Pagination tokens are opaque to clients: base64 of our own position text.
pub fn encode_token(position: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position)
}

pub fn decode_token(token: Option<&str>) -> ApiResult<Option<String>> {
    use base64::Engine;
    let Some(token) = token else { return Ok(None) };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Some)
        .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))
}

/// One page of an ordered map's values after the key a token names; the next token when
/// more follow.
pub fn page_by_key<'a, V>(
    map: &'a std::collections::BTreeMap<String, V>,
    token: Option<&str>,
    limit: usize,
) -> ApiResult<(Vec<&'a V>, Option<String>)> {
    use std::ops::Bound;
    let after = decode_token(token)?;
    let start = after
        .as_ref()
        .map_or(Bound::Unbounded, |k| Bound::Excluded(k.clone()));
    let mut iter = map.range((start, Bound::Unbounded));
    let page: Vec<(&String, &V)> = iter.by_ref().take(limit).collect();
    let next = match (iter.next(), page.last()) {
        (Some(_), Some((key, _))) => Some(encode_token(key)),
        _ => None,
    };
    Ok((page.into_iter().map(|(_, v)| v).collect(), next))
}
