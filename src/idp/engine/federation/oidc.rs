//! Signing in through an OIDC identity provider, as a relying party: its endpoints (from
//! ProviderDetails, else discovered from `oidc_issuer`), the authorization request, the code
//! exchange, and the checks on its ID token (RS256 signature against its JWKS, issuer,
//! audience, nonce, expiry). Another pool of this emulator works as the provider, and so
//! does any standard OIDC provider reachable from here (plain http is allowed for local
//! issuers).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{string_values, ProviderAnswer};
use crate::infra::crypto::jwt::verify_with_jwks;
use crate::infra::http_client;

/// A provider's settings and endpoints.
pub struct OidcProvider {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub scopes: String,
    pub issuer: String,
    pub authorize_url: String,
    pub token_url: String,
    pub jwks_uri: String,
    pub attributes_url: Option<String>,
}

impl OidcProvider {
    /// From ProviderDetails; endpoints not given are discovered from the issuer.
    pub async fn from_details(details: &BTreeMap<String, String>) -> Result<Self, String> {
        let get = |k: &str| details.get(k).filter(|v| !v.is_empty()).cloned();
        let issuer = get("oidc_issuer").ok_or("the provider has no oidc_issuer")?;
        let (mut authorize_url, mut token_url, mut jwks_uri, mut attributes_url) = (
            get("authorize_url"),
            get("token_url"),
            get("jwks_uri"),
            get("attributes_url"),
        );
        if authorize_url.is_none() || token_url.is_none() || jwks_uri.is_none() {
            let url = format!(
                "{}/.well-known/openid-configuration",
                issuer.trim_end_matches('/')
            );
            let discovery = http_client::get_json(&url).await?;
            let field = |name: &str| discovery[name].as_str().map(str::to_string);
            authorize_url = authorize_url.or_else(|| field("authorization_endpoint"));
            token_url = token_url.or_else(|| field("token_endpoint"));
            jwks_uri = jwks_uri.or_else(|| field("jwks_uri"));
            attributes_url = attributes_url.or_else(|| field("userinfo_endpoint"));
        }
        let missing = |what: &str| format!("the provider's {what} is not known");
        Ok(OidcProvider {
            client_id: get("client_id").ok_or_else(|| missing("client_id"))?,
            client_secret: get("client_secret"),
            scopes: get("authorize_scopes").unwrap_or_else(|| "openid".to_string()),
            issuer,
            authorize_url: authorize_url.ok_or_else(|| missing("authorization endpoint"))?,
            token_url: token_url.ok_or_else(|| missing("token endpoint"))?,
            jwks_uri: jwks_uri.ok_or_else(|| missing("JWKS URI"))?,
            attributes_url,
        })
    }

    /// Where to send the browser: the provider's authorization endpoint.
    pub fn authorization_url(&self, redirect_uri: &str, state: &str, nonce: &str) -> String {
        // Cognito sends the scopes space-separated; ProviderDetails may hold them either way.
        let scope = self
            .scopes
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scope)
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .finish();
        let separator = if self.authorize_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{separator}{query}", self.authorize_url)
    }

    /// Exchanges the code for tokens and returns the ID token's verified claims, merged
    /// with the provider's userInfo when it has one (ID-token claims win), and the token
    /// response, ID token and userInfo apart for the inbound federation trigger.
    pub async fn exchange(
        &self,
        code: &str,
        redirect_uri: &str,
        nonce: &str,
        now: f64,
    ) -> Result<ProviderAnswer, String> {
        let form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", self.client_id.as_str()),
        ];
        let basic = self
            .client_secret
            .as_deref()
            .map(|secret| (self.client_id.as_str(), secret));
        let (status, tokens) = http_client::post_form(&self.token_url, &form, basic).await?;
        if status != 200 {
            return Err(format!(
                "the provider's token endpoint answered {status}: {tokens}"
            ));
        }
        let id_token = tokens["id_token"]
            .as_str()
            .ok_or("the provider answered no id_token")?;
        let jwks = http_client::get_json(&self.jwks_uri).await?;
        let claims = verify_with_jwks(id_token, &jwks)
            .ok_or("the provider's ID token does not verify with its JWKS (RS256 only)")?;
        self.check_claims(&claims, nonce, now)?;
        let mut merged = Map::new();
        let mut parts = Map::new();
        if let Value::Object(tokens) = &tokens {
            parts.insert("tokenResponse".into(), string_values(tokens));
        }
        if let (Some(url), Some(access)) = (&self.attributes_url, tokens["access_token"].as_str()) {
            // userInfo is optional: a provider without one still signs in.
            if let Ok(Value::Object(info)) = http_client::get_json_with_bearer(url, access).await {
                if info.get("sub") == claims.get("sub") {
                    parts.insert("userInfo".into(), string_values(&info));
                    merged.extend(info);
                }
            }
        }
        if let Value::Object(claims) = claims {
            parts.insert("idToken".into(), string_values(&claims));
            merged.extend(claims);
        }
        Ok(ProviderAnswer {
            claims: merged,
            parts,
        })
    }

    fn check_claims(&self, claims: &Value, nonce: &str, now: f64) -> Result<(), String> {
        if claims["iss"].as_str().map(|i| i.trim_end_matches('/'))
            != Some(self.issuer.trim_end_matches('/'))
        {
            return Err(format!(
                "the ID token's issuer {} is not the provider's {}",
                claims["iss"], self.issuer
            ));
        }
        let audience_ok = match &claims["aud"] {
            Value::String(aud) => *aud == self.client_id,
            Value::Array(auds) => auds.iter().any(|a| *a == self.client_id.as_str()),
            _ => false,
        };
        if !audience_ok {
            return Err("the ID token is not for this provider's client_id".to_string());
        }
        if claims["nonce"].as_str() != Some(nonce) {
            return Err("the ID token's nonce does not match the sign-in".to_string());
        }
        if claims["exp"].as_f64().is_none_or(|exp| exp <= now) {
            return Err("the ID token has expired".to_string());
        }
        if claims["sub"].as_str().is_none_or(str::is_empty) {
            return Err("the ID token has no sub".to_string());
        }
        Ok(())
    }
}
