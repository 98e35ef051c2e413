//! The pool as a SAML 2.0 service provider: its entity id `urn:amazon:cognito:sp:<poolId>`
//! and assertion consumer service `<public URL>/saml2/idpresponse` (as Cognito's), the
//! AuthnRequest sent with the HTTP-Redirect binding (signed with the pool's key when the
//! provider's RequestSigningAlgorithm is rsa-sha256), the SP metadata, and the identity
//! provider's answer (HTTP-POST binding), SP- or IdP-initiated, checked in `response.rs`.

pub mod response;

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use crate::app::App;
use crate::generated::cognito_idp::IdentityProviderTypeType as Kind;
use crate::idp::engine::oauth::authorize::{self, Refusal};
use crate::idp::store::PoolHandle;

pub const NS_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const NS_ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const NS_METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// Cognito's limit on a SAMLResponse.
pub const MAX_RESPONSE_CHARS: usize = 100_000;
/// The claim the assertion's NameID is kept under: the federated user's id.
pub const NAME_ID_CLAIM: &str = "NameID";

pub fn sp_entity_id(pool_id: &str) -> String {
    format!("urn:amazon:cognito:sp:{pool_id}")
}

/// The assertion consumer service (HTTP-POST binding).
pub fn acs_url(app: &App) -> String {
    format!("{}/saml2/idpresponse", app.public_url)
}

/// What the emulator reads from an identity provider's metadata.
#[derive(Debug)]
pub struct IdpMetadata {
    pub entity_id: String,
    pub sso_redirect: Option<String>,
    /// Signing certificates (DER): KeyDescriptors with `use="signing"` or no `use`.
    pub certificates: Vec<Vec<u8>>,
}

/// Reads the provider's MetadataFile (a MetadataURL is not fetched).
pub fn idp_metadata(details: &BTreeMap<String, String>) -> Result<IdpMetadata, String> {
    let Some(file) = details.get("MetadataFile") else {
        return Err("cognito-emulator does not fetch SAML metadata from MetadataURL: give the provider a MetadataFile.".into());
    };
    let doc = uppsala::Parser::new()
        .with_forbid_dtd(true)
        .parse(file)
        .map_err(|e| format!("The provider's SAML metadata is not well-formed XML: {e}"))?;
    let is = |id: uppsala::NodeId, ns: &str, name: &str| {
        doc.element(id).is_some_and(|e| {
            e.name.namespace_uri.as_deref() == Some(ns) && e.name.local_name == name
        })
    };
    let all: Vec<uppsala::NodeId> = doc.descendants(doc.root());
    let entity = all
        .iter()
        .copied()
        .find(|n| is(*n, NS_METADATA, "EntityDescriptor"))
        .ok_or("The provider's SAML metadata has no EntityDescriptor.")?;
    let entity_id = doc
        .get_attribute(entity, "entityID")
        .ok_or("The provider's SAML metadata has no entityID.")?
        .to_string();
    let idp = all
        .iter()
        .copied()
        .find(|n| is(*n, NS_METADATA, "IDPSSODescriptor"))
        .ok_or("The provider's SAML metadata has no IDPSSODescriptor.")?;
    let sso_redirect = doc
        .children(idp)
        .into_iter()
        .filter(|c| is(*c, NS_METADATA, "SingleSignOnService"))
        .find(|c| doc.get_attribute(*c, "Binding") == Some(REDIRECT))
        .and_then(|c| doc.get_attribute(c, "Location").map(str::to_string));
    let mut certificates = Vec::new();
    for descriptor in doc.children(idp) {
        if !is(descriptor, NS_METADATA, "KeyDescriptor")
            || doc
                .get_attribute(descriptor, "use")
                .is_some_and(|u| u != "signing")
        {
            continue;
        }
        for node in doc.descendants(descriptor) {
            if is(node, NS_DSIG, "X509Certificate") {
                let text: String = doc
                    .text_content_deep(node)
                    .split_ascii_whitespace()
                    .collect();
                if let Ok(der) = STANDARD.decode(text) {
                    certificates.push(der);
                }
            }
        }
    }
    Ok(IdpMetadata {
        entity_id,
        sso_redirect,
        certificates,
    })
}

fn xml_escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn instant(epoch: f64) -> String {
    chrono::DateTime::from_timestamp(epoch as i64, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The AuthnRequest's ID for a pending sign-in (an NCName: it may not start with a digit).
pub fn request_id(nonce: &str) -> String {
    format!("_{nonce}")
}

/// The URL that sends the browser to the provider with an AuthnRequest (HTTP-Redirect
/// binding: DEFLATE, base64, URL-encoded; `SigAlg` and `Signature` over the query when the
/// provider wants signed requests). Signs: call it off the async threads.
pub fn authn_request_url(
    app: &App,
    pool: &PoolHandle,
    details: &BTreeMap<String, String>,
    relay_state: &str,
    nonce: &str,
) -> Result<String, String> {
    let metadata = idp_metadata(details)?;
    let sso = metadata.sso_redirect.ok_or(
        "The provider's SAML metadata has no SingleSignOnService with the HTTP-Redirect binding.",
    )?;
    let pool_id = pool.read().id().to_string();
    let xml = format!(
        "<samlp:AuthnRequest xmlns:samlp=\"{NS_PROTOCOL}\" xmlns:saml=\"{NS_ASSERTION}\" ID=\"{id}\" \
Version=\"2.0\" IssueInstant=\"{instant}\" Destination=\"{destination}\" \
AssertionConsumerServiceURL=\"{acs}\" ProtocolBinding=\"{POST}\">\
<saml:Issuer>{issuer}</saml:Issuer>\
<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\" AllowCreate=\"true\"/>\
</samlp:AuthnRequest>",
        id = request_id(nonce),
        instant = instant(app.clock.now()),
        destination = xml_escape(&sso),
        acs = xml_escape(&acs_url(app)),
        issuer = xml_escape(&sp_entity_id(&pool_id)),
    );
    let deflated = miniz_oxide::deflate::compress_to_vec(xml.as_bytes(), 6);
    let mut query = format!(
        "SAMLRequest={}&RelayState={}",
        encode(&STANDARD.encode(deflated)),
        encode(relay_state)
    );
    if details.get("RequestSigningAlgorithm").map(String::as_str) == Some("rsa-sha256") {
        query.push_str(&format!("&SigAlg={}", encode(RSA_SHA256)));
        let keys = crate::idp::engine::tokens::pool_keys(app, pool);
        let signature = keys.id.sign_rsa_sha256(query.as_bytes());
        query.push_str(&format!(
            "&Signature={}",
            encode(&STANDARD.encode(signature))
        ));
    }
    let separator = if sso.contains('?') { '&' } else { '?' };
    Ok(format!("{sso}{separator}{query}"))
}

/// The pool's SP metadata: entity id, ACS URL (HTTP-POST) and the certificate its
/// AuthnRequests are signed with. Signs a certificate: call it off the async threads.
pub fn sp_metadata(app: &App, pool: &PoolHandle) -> String {
    let (pool_id, signs) = {
        let pool = pool.read();
        let signs = pool.identity_providers.values().any(|p| {
            p.provider_type == Some(Kind::Saml)
                && p.provider_details
                    .as_ref()
                    .and_then(|d| d.get("RequestSigningAlgorithm"))
                    .is_some()
        });
        (pool.id().to_string(), signs)
    };
    let keys = crate::idp::engine::tokens::pool_keys(app, pool);
    let certificate = keys.id.certificate(&pool_id, app.clock.now() as i64);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<md:EntityDescriptor xmlns:md=\"{NS_METADATA}\" entityID=\"{entity}\">\
<md:SPSSODescriptor AuthnRequestsSigned=\"{signs}\" protocolSupportEnumeration=\"{NS_PROTOCOL}\">\
<md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><ds:X509Data>\
<ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>\
<md:AssertionConsumerService Binding=\"{POST}\" Location=\"{acs}\" index=\"1\" isDefault=\"true\"/>\
</md:SPSSODescriptor></md:EntityDescriptor>\n",
        entity = xml_escape(&sp_entity_id(&pool_id)),
        acs = xml_escape(&acs_url(app)),
    )
}

/// An answer that checked out: whose sign-in it finishes and what the provider said.
pub struct Accepted {
    pub pool: PoolHandle,
    pub authorize_query: String,
    pub provider: String,
    pub issuer: String,
    /// The assertion's attributes by Name, and the NameID under [`NAME_ID_CLAIM`] (shown to
    /// the inbound federation trigger as `samlResponse`).
    pub answer: super::ProviderAnswer,
}

fn details_of(pool: &PoolHandle, provider: &str) -> Option<BTreeMap<String, String>> {
    let pool = pool.read();
    let idp = pool.identity_providers.get(provider)?;
    (idp.provider_type == Some(Kind::Saml))
        .then(|| idp.provider_details.clone().unwrap_or_default())
}

/// Checks a `SAMLResponse` posted with its `RelayState`. A RelayState naming a pending
/// sign-in is SP-initiated (single use, InResponseTo required); any other is IdP-initiated,
/// where the RelayState holds the authorize request's parameters, as Cognito's does.
pub fn accept(app: &App, relay_state: &str, saml_response: &str) -> Result<Accepted, Refusal> {
    let page = |m: String| Refusal::Page(m);
    if let Some((pool, pending)) = super::pending(app, relay_state) {
        let details = details_of(&pool, &pending.provider)
            .ok_or_else(|| page("The identity provider no longer exists.".into()))?;
        let assertion = check(
            app,
            &pool,
            &details,
            saml_response,
            Some(&request_id(&pending.nonce)),
        )
        .map_err(page)?;
        // Single use: a second answer to the same request is refused.
        let (pool, pending) = super::recall(app, relay_state).ok_or_else(|| {
            page("Invalid RelayState: this sign-in is unknown or has expired.".into())
        })?;
        return Ok(accepted(
            pool,
            pending.authorize_query,
            pending.provider,
            assertion,
        ));
    }
    if relay_state.contains('~') && !relay_state.contains('=') {
        return Err(page(
            "Invalid RelayState: this sign-in is unknown or has expired. Start again from the app."
                .into(),
        ));
    }
    // IdP-initiated: the RelayState is the authorize request.
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(relay_state.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let request = authorize::check(app, &params)?;
    let provider = request.identity_provider.clone().ok_or_else(|| {
        page("An IdP-initiated SAML sign-in needs a RelayState with the authorize parameters, identity_provider among them.".into())
    })?;
    let details = details_of(&request.pool, &provider)
        .ok_or_else(|| page(format!("{provider} is not a SAML identity provider.")))?;
    if details.get("IDPInit").map(String::as_str) != Some("true") {
        return Err(page(format!(
            "IdP-initiated sign-in is not enabled for the identity provider {provider} (IDPInit)."
        )));
    }
    // Cognito lets a client with an IdP-initiated SAML provider have only SAML providers.
    let mixed = {
        let pool = request.pool.read();
        let client = pool
            .client(&request.client_id)
            .map_err(|e| page(e.message))?;
        client
            .config
            .supported_identity_providers
            .iter()
            .flatten()
            .any(|name| {
                pool.identity_providers
                    .get(name)
                    .is_none_or(|p| p.provider_type != Some(Kind::Saml))
            })
    };
    if mixed {
        return Err(page("An app client that accepts IdP-initiated SAML sign-in may support only SAML identity providers (not COGNITO).".into()));
    }
    let assertion = check(app, &request.pool, &details, saml_response, None).map_err(page)?;
    Ok(accepted(
        request.pool,
        relay_state.to_string(),
        provider,
        assertion,
    ))
}

fn check(
    app: &App,
    pool: &PoolHandle,
    details: &BTreeMap<String, String>,
    saml_response: &str,
    in_response_to: Option<&str>,
) -> Result<response::Assertion, String> {
    let metadata = idp_metadata(details)?;
    let pool_id = pool.read().id().to_string();
    let assertion = response::verify(
        saml_response,
        &response::Expected {
            sp_entity_id: &sp_entity_id(&pool_id),
            acs_url: &acs_url(app),
            idp_entity_id: &metadata.entity_id,
            certificates: &metadata.certificates,
            in_response_to,
            now: app.clock.now(),
        },
    )?;
    // No assertion is accepted twice.
    let fresh = pool.write().auth.oauth.use_assertion(
        &format!("{}\u{0}{}", metadata.entity_id, assertion.id),
        assertion.expires,
        app.clock.now(),
    );
    if !fresh {
        return Err("This SAML assertion was already used.".into());
    }
    Ok(assertion)
}

fn accepted(
    pool: PoolHandle,
    authorize_query: String,
    provider: String,
    assertion: response::Assertion,
) -> Accepted {
    let mut claims = assertion.attributes;
    claims.insert(NAME_ID_CLAIM.into(), Value::String(assertion.name_id));
    Accepted {
        pool,
        authorize_query,
        provider,
        issuer: assertion.issuer,
        answer: super::ProviderAnswer::single("samlResponse", claims),
    }
}
