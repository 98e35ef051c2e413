//! The rules of a pool's external identity providers: names, ProviderDetails per type (with
//! the read-only details Cognito adds), SAML metadata, attribute mappings. No network: an
//! OIDC issuer is never contacted, so what was given is what is kept.

use std::collections::BTreeMap;

use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::{IdentityProviderTypeType as Kind, SchemaAttributeType};

pub type Details = BTreeMap<String, String>;

/// The name a social provider must have: its type's name.
pub fn social_name(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Google => Some("Google"),
        Kind::Facebook => Some("Facebook"),
        Kind::LoginWithAmazon => Some("LoginWithAmazon"),
        Kind::SignInWithApple => Some("SignInWithApple"),
        Kind::Oidc | Kind::Saml => None,
    }
}

/// Social providers are named after their type; OIDC and SAML providers may take neither a
/// social provider's name nor Cognito's own (texts unconfirmed).
pub fn check_name(name: &str, kind: Kind) -> ApiResult<()> {
    match social_name(kind) {
        Some(required) if name != required => Err(ApiError::invalid_parameter(format!(
            "The provider name of a {required} identity provider must be {required}."
        ))),
        Some(_) => Ok(()),
        None => {
            let reserved = [
                "cognito",
                "google",
                "facebook",
                "loginwithamazon",
                "signinwithapple",
            ];
            if reserved.contains(&name.to_ascii_lowercase().as_str()) {
                return Err(ApiError::invalid_parameter(format!(
                    "The provider name {name} is reserved."
                )));
            }
            Ok(())
        }
    }
}

/// The keys a request must give, per type.
fn required_keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Google | Kind::LoginWithAmazon | Kind::Facebook => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        Kind::SignInWithApple => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        Kind::Oidc => &[
            "client_id",
            "attributes_request_method",
            "oidc_issuer",
            "authorize_scopes",
        ],
        Kind::Saml => &[],
    }
}

/// The details Cognito keeps for a provider: those given, checked, plus the read-only ones
/// it derives (the endpoints of social providers, the endpoints read from SAML metadata).
pub fn settle_details(kind: Kind, given: &Details) -> ApiResult<Details> {
    let mut details: Details = given
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for key in required_keys(kind) {
        if !details.contains_key(*key) {
            // Text unconfirmed.
            return Err(ApiError::invalid_parameter(format!(
                "{key} is required for {} identity providers.",
                kind.as_str()
            )));
        }
    }
    let fixed: &[(&str, &str)] = match kind {
        Kind::Google => &[
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth",
            ),
            ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
            (
                "attributes_url",
                "https://people.googleapis.com/v1/people/me?personFields=",
            ),
            ("attributes_url_add_attributes", "true"),
            ("token_request_method", "POST"),
            ("oidc_issuer", "https://accounts.google.com"),
        ],
        Kind::LoginWithAmazon => &[
            ("authorize_url", "https://www.amazon.com/ap/oa"),
            ("token_url", "https://api.amazon.com/auth/o2/token"),
            ("attributes_url", "https://api.amazon.com/user/profile"),
            ("attributes_url_add_attributes", "false"),
            ("token_request_method", "POST"),
        ],
        Kind::SignInWithApple => &[
            ("authorize_url", "https://appleid.apple.com/auth/authorize"),
            ("token_url", "https://appleid.apple.com/auth/token"),
            ("attributes_url_add_attributes", "false"),
            ("token_request_method", "POST"),
            ("oidc_issuer", "https://appleid.apple.com"),
        ],
        Kind::Oidc => &[("attributes_url_add_attributes", "false")],
        Kind::Facebook | Kind::Saml => &[],
    };
    for (key, value) in fixed {
        details.insert(key.to_string(), value.to_string());
    }
    match kind {
        Kind::Facebook => facebook(&mut details),
        Kind::Oidc => oidc(&details)?,
        Kind::Saml => saml(&mut details)?,
        _ => {}
    }
    Ok(details)
}

/// Facebook's endpoints carry the Graph API version (`api_version`, e.g. `v17.0`), when given.
fn facebook(details: &mut Details) {
    let version = details
        .get("api_version")
        .map(|v| format!("{v}/"))
        .unwrap_or_default();
    for (key, value) in [
        (
            "authorize_url",
            format!("https://www.facebook.com/{version}dialog/oauth"),
        ),
        (
            "token_url",
            format!("https://graph.facebook.com/{version}oauth/access_token"),
        ),
        (
            "attributes_url",
            format!("https://graph.facebook.com/{version}me?fields="),
        ),
        ("attributes_url_add_attributes", "true".to_string()),
        ("token_request_method", "GET".to_string()),
    ] {
        details.insert(key.to_string(), value);
    }
}

/// Texts unconfirmed.
fn oidc(details: &Details) -> ApiResult<()> {
    let method = details["attributes_request_method"].as_str();
    if method != "GET" && method != "POST" {
        return Err(ApiError::invalid_parameter(
            "attributes_request_method must be GET or POST.",
        ));
    }
    for key in [
        "oidc_issuer",
        "authorize_url",
        "token_url",
        "attributes_url",
        "jwks_uri",
    ] {
        if let Some(url) = details.get(key) {
            if !url.starts_with("https://") && !url.starts_with("http://") {
                return Err(ApiError::invalid_parameter(format!(
                    "{key} must be a URL: {url}"
                )));
            }
        }
    }
    Ok(())
}

/// A SAML provider names its metadata by URL or gives the file itself. From a file the
/// single sign-on and logout endpoints (redirect binding) are read; a URL is not fetched.
/// Texts unconfirmed.
fn saml(details: &mut Details) -> ApiResult<()> {
    for derived in [
        "SSORedirectBindingURI",
        "SLORedirectBindingURI",
        "ActiveEncryptionCertificate",
    ] {
        details.remove(derived);
    }
    for flag in ["IDPSignout", "IDPInit", "EncryptedResponses"] {
        if let Some(value) = details.get(flag) {
            if value != "true" && value != "false" {
                return Err(ApiError::invalid_parameter(format!(
                    "{flag} must be true or false."
                )));
            }
        }
    }
    if let Some(algorithm) = details.get("RequestSigningAlgorithm") {
        if algorithm != "rsa-sha256" {
            return Err(ApiError::invalid_parameter(
                "RequestSigningAlgorithm must be rsa-sha256.",
            ));
        }
    }
    match (details.get("MetadataFile"), details.get("MetadataURL")) {
        (Some(_), Some(_)) => Err(ApiError::invalid_parameter(
            "Only one of MetadataFile and MetadataURL can be given.",
        )),
        (None, None) => Err(ApiError::invalid_parameter(
            "MetadataFile or MetadataURL is required for SAML identity providers.",
        )),
        (None, Some(url)) => {
            if !url.starts_with("https://") && !url.starts_with("http://") {
                return Err(ApiError::invalid_parameter(format!(
                    "MetadataURL must be a URL: {url}"
                )));
            }
            Ok(())
        }
        (Some(file), None) => {
            let metadata = SamlMetadata::parse(file)?;
            if let Some(sso) = metadata.sso_redirect {
                details.insert("SSORedirectBindingURI".into(), sso);
            }
            if let Some(slo) = metadata.slo_redirect {
                details.insert("SLORedirectBindingURI".into(), slo);
            }
            Ok(())
        }
    }
}

/// What Cognito reads from an IdP's SAML metadata.
#[derive(Debug, Default, PartialEq)]
pub struct SamlMetadata {
    pub entity_id: String,
    pub sso_redirect: Option<String>,
    pub sso_post: Option<String>,
    pub slo_redirect: Option<String>,
    /// The IdP's signing certificates (base64 DER, whitespace removed).
    pub signing_certificates: Vec<String>,
}

const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

impl SamlMetadata {
    /// Enough of an `EntityDescriptor` to check it and find its endpoints (namespace
    /// prefixes ignored). A document without an IdP single sign-on service is refused.
    pub fn parse(xml: &str) -> ApiResult<Self> {
        let invalid =
            |why: &str| ApiError::invalid_parameter(format!("Invalid SAML metadata: {why}."));
        let tags = tags(xml);
        let entity = tags
            .iter()
            .find(|t| t.name == "EntityDescriptor")
            .ok_or_else(|| invalid("no EntityDescriptor"))?;
        let entity_id = entity
            .attribute("entityID")
            .ok_or_else(|| invalid("the EntityDescriptor has no entityID"))?;
        if !tags.iter().any(|t| t.name == "IDPSSODescriptor") {
            return Err(invalid("no IDPSSODescriptor"));
        }
        let endpoint = |element: &str, binding: &str| {
            tags.iter()
                .filter(|t| t.name == element)
                .find(|t| t.attribute("Binding").as_deref() == Some(binding))
                .and_then(|t| t.attribute("Location"))
        };
        let metadata = SamlMetadata {
            entity_id,
            sso_redirect: endpoint("SingleSignOnService", REDIRECT),
            sso_post: endpoint("SingleSignOnService", POST),
            slo_redirect: endpoint("SingleLogoutService", REDIRECT),
            signing_certificates: certificates(xml),
        };
        if metadata.sso_redirect.is_none() && metadata.sso_post.is_none() {
            return Err(invalid("no SingleSignOnService"));
        }
        Ok(metadata)
    }
}

struct Tag<'a> {
    name: &'a str,
    attributes: &'a str,
}

impl Tag<'_> {
    fn attribute(&self, name: &str) -> Option<String> {
        let pattern = format!(
            r#"(?:^|\s){}\s*=\s*(?:"([^"]*)"|'([^']*)')"#,
            regex::escape(name)
        );
        let captures = regex::Regex::new(&pattern)
            .ok()?
            .captures(self.attributes)?;
        let value = captures.get(1).or_else(|| captures.get(2))?.as_str();
        Some(unescape(value))
    }
}

/// Every start tag: its local name (prefix dropped) and its attribute text.
fn tags(xml: &str) -> Vec<Tag<'_>> {
    let re = regex::Regex::new(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)((?:\s[^<>]*)?)/?>")
        .expect("tag pattern");
    re.captures_iter(xml)
        .filter_map(|c| {
            Some(Tag {
                name: c.get(2)?.as_str(),
                attributes: c.get(3).map_or("", |m| m.as_str()),
            })
        })
        .collect()
}

fn certificates(xml: &str) -> Vec<String> {
    let re = regex::Regex::new(r"<(?:[\w.\-]+:)?X509Certificate>([^<]*)</").expect("pattern");
    re.captures_iter(xml)
        .map(|c| c[1].split_whitespace().collect::<String>())
        .filter(|c| !c.is_empty())
        .collect()
}

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `username` mapping Cognito adds when none is given: the provider's user id claim.
pub fn default_username_claim(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Google | Kind::SignInWithApple | Kind::Oidc => Some("sub"),
        Kind::Facebook => Some("id"),
        Kind::LoginWithAmazon => Some("user_id"),
        Kind::Saml => None,
    }
}

/// Mapping keys are the pool's attributes (or `username`); `sub` is Cognito's own (texts
/// unconfirmed). Returns the mapping with the default `username` claim added.
pub fn settle_mapping(
    kind: Kind,
    schema: &[SchemaAttributeType],
    given: Option<BTreeMap<String, String>>,
) -> ApiResult<BTreeMap<String, String>> {
    let mut mapping = given.unwrap_or_default();
    for attribute in mapping.keys() {
        if attribute == "username" {
            continue;
        }
        let known = schema
            .iter()
            .any(|a| a.name.as_deref() == Some(attribute.as_str()));
        if !known || attribute == "sub" {
            return Err(ApiError::invalid_parameter(format!(
                "Invalid attribute mapping: {attribute} is not a writable attribute of the user pool."
            )));
        }
    }
    if let Some(claim) = default_username_claim(kind) {
        mapping
            .entry("username".to_string())
            .or_insert_with(|| claim.to_string());
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_endpoints_are_read() {
        let xml = r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:X509Data><ds:X509Certificate>MIIB
        AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/post"/>
    <md:SingleSignOnService Binding='urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect' Location='https://idp.example.com/sso?a=1&amp;b=2'/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;
        let metadata = SamlMetadata::parse(xml).unwrap();
        assert_eq!(metadata.entity_id, "https://idp.example.com/saml");
        assert_eq!(
            metadata.sso_redirect.as_deref(),
            Some("https://idp.example.com/sso?a=1&b=2")
        );
        assert_eq!(
            metadata.sso_post.as_deref(),
            Some("https://idp.example.com/sso/post")
        );
        assert_eq!(
            metadata.slo_redirect.as_deref(),
            Some("https://idp.example.com/slo")
        );
        assert_eq!(metadata.signing_certificates, vec!["MIIBAAAA".to_string()]);
    }

    #[test]
    fn documents_without_an_idp_are_refused() {
        let error = SamlMetadata::parse("<EntityDescriptor entityID=\"x\"></EntityDescriptor>")
            .unwrap_err();
        assert_eq!(error.message, "Invalid SAML metadata: no IDPSSODescriptor.");
        let error = SamlMetadata::parse("not xml").unwrap_err();
        assert_eq!(error.message, "Invalid SAML metadata: no EntityDescriptor.");
    }
}
