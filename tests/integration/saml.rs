//! SAML 2.0 federation, end to end, against a test identity provider of our own: its RSA key
//! and self-signed certificate, its metadata given to CreateIdentityProvider, and responses
//! signed with Bergshamra (XML-DSig, exclusive c14n, RSA-SHA256). SP-initiated sign-in
//! (AuthnRequest over the redirect binding, signed when asked), the response at
//! /saml2/idpresponse, the code exchanged for tokens; forged, replayed and stale responses
//! refused without creating a user; IdP-initiated sign-in when the provider allows it.

use std::collections::BTreeMap;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, OAuthFlowType};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;

use crate::auth::claims;
use crate::common::{start, Emulator};
use crate::identity_providers::details;
use crate::oauth::{query_of, Browser};

const CALLBACK: &str = "http://localhost:3000/callback";
const IDP_ENTITY: &str = "https://idp.test/metadata";
const SSO: &str = "https://idp.test/sso";
pub const EMAIL_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";

/// A test identity provider: an RSA key and its self-signed certificate.
pub struct TestIdp {
    key_pem: String,
    cert_der: Vec<u8>,
}

impl TestIdp {
    pub fn new() -> Self {
        let rsa = aws_lc_rs::rsa::KeyPair::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = rsa.as_der().unwrap().as_ref().to_vec();
        let key = rcgen::KeyPair::try_from(pkcs8.as_slice()).unwrap();
        let params = rcgen::CertificateParams::new(vec!["idp.test".to_string()]).unwrap();
        let cert = params.self_signed(&key).unwrap();
        TestIdp {
            key_pem: pem("PRIVATE KEY", &pkcs8),
            cert_der: cert.der().to_vec(),
        }
    }

    fn cert_b64(&self) -> String {
        STANDARD.encode(&self.cert_der)
    }

    fn metadata(&self) -> String {
        self.metadata_at(SSO)
    }

    /// The IdP's metadata, with its single sign-on service (both bindings) at `sso`.
    pub fn metadata_at(&self, sso: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{IDP_ENTITY}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>
{}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{sso}/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#,
            self.cert_b64()
        )
    }

    /// Signs the element with `ID="{id}"` of `xml`, whose empty `<ds:Signature>` template
    /// (from [`signature_template`]) it holds.
    fn sign(&self, xml: &str) -> String {
        let key = bergshamra_keys::loader::load_rsa_private_pem(self.key_pem.as_bytes()).unwrap();
        let mut keys = bergshamra_keys::KeysManager::new();
        keys.add_key(key);
        let context = bergshamra_dsig::DsigContext::new_permissive(keys);
        bergshamra_dsig::sign::sign(&context, xml).unwrap()
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn signature_template(id: &str, cert: &str) -> String {
    format!(
        r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue></ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue></ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"##
    )
}

fn instant(epoch: f64) -> String {
    chrono::DateTime::from_timestamp(epoch as i64, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// What goes into a response; each test changes what it needs.
#[derive(Clone)]
pub struct Assertion {
    id: String,
    name_id: String,
    email: String,
    audience: String,
    recipient: String,
    in_response_to: Option<String>,
    issued: f64,
    not_on_or_after: f64,
    sign_assertion: bool,
    sign_response: bool,
}

impl Assertion {
    fn new(emulator: &Emulator, pool: &str, in_response_to: Option<&str>) -> Self {
        Assertion::at(
            emulator.app.clock.now(),
            &emulator.url,
            pool,
            in_response_to,
        )
    }

    /// An assertion issued at `now` (the emulator's clock) for `pool` of the emulator at
    /// `emulator_url`.
    pub fn at(now: f64, emulator_url: &str, pool: &str, in_response_to: Option<&str>) -> Self {
        Assertion {
            id: format!("_a{}", uuid::Uuid::new_v4().simple()),
            name_id: "jane@idp.test".into(),
            email: "jane@example.com".into(),
            audience: format!("urn:amazon:cognito:sp:{pool}"),
            recipient: format!("{emulator_url}/saml2/idpresponse"),
            in_response_to: in_response_to.map(str::to_string),
            issued: now,
            not_on_or_after: now + 300.0,
            sign_assertion: true,
            sign_response: false,
        }
    }

    fn assertion_xml(&self, idp: &TestIdp) -> String {
        let in_response_to = self
            .in_response_to
            .as_ref()
            .map(|r| format!(" InResponseTo=\"{r}\""))
            .unwrap_or_default();
        let signature = if self.sign_assertion {
            signature_template(&self.id, &idp.cert_b64())
        } else {
            String::new()
        };
        let xml = format!(
            r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{IDP_ENTITY}</saml:Issuer>{signature}<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{name_id}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{recipient}"{in_response_to}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{issued}" NotOnOrAfter="{until}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="{EMAIL_CLAIM}"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="displayName"><saml:AttributeValue>Jane Doe</saml:AttributeValue></saml:Attribute><saml:Attribute Name="groups"><saml:AttributeValue>admins</saml:AttributeValue><saml:AttributeValue>staff</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"#,
            id = self.id,
            issued = instant(self.issued),
            until = instant(self.not_on_or_after),
            name_id = self.name_id,
            recipient = self.recipient,
            audience = self.audience,
            email = self.email,
        );
        if self.sign_assertion {
            idp.sign(&xml)
        } else {
            xml
        }
    }

    /// The Response, with the assertion given (signed already, or forged).
    fn response_with(&self, idp: &TestIdp, assertion: &str) -> String {
        let response_id = format!("_r{}", uuid::Uuid::new_v4().simple());
        let in_response_to = self
            .in_response_to
            .as_ref()
            .map(|r| format!(" InResponseTo=\"{r}\""))
            .unwrap_or_default();
        let signature = if self.sign_response {
            signature_template(&response_id, &idp.cert_b64())
        } else {
            String::new()
        };
        let xml = format!(
            r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{response_id}" Version="2.0" IssueInstant="{issued}" Destination="{recipient}"{in_response_to}><saml:Issuer>{IDP_ENTITY}</saml:Issuer>{signature}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{assertion}</samlp:Response>"#,
            issued = instant(self.issued),
            recipient = self.recipient,
        );
        if self.sign_response {
            idp.sign(&xml)
        } else {
            xml
        }
    }

    pub fn response(&self, idp: &TestIdp) -> String {
        self.response_with(idp, &self.assertion_xml(idp))
    }
}

fn encoded(xml: &str) -> String {
    STANDARD.encode(xml)
}

/// A pool with a SAML provider (given details) and a code-flow client supporting `providers`.
async fn saml_pool(
    emulator: &Emulator,
    idp: &TestIdp,
    extra: &[(&str, &str)],
    providers: &[&str],
) -> (String, String) {
    let pool = emulator.pool("saml").await;
    let metadata = idp.metadata();
    let mut given = vec![("MetadataFile", metadata.as_str())];
    given.extend_from_slice(extra);
    emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(IdentityProviderTypeType::Saml)
        .set_provider_details(Some(details(&given)))
        .attribute_mapping("email", EMAIL_CLAIM)
        .attribute_mapping("name", "displayName")
        .send()
        .await
        .unwrap();
    let mut client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .callback_urls(CALLBACK);
    for provider in providers {
        client = client.supported_identity_providers(*provider);
    }
    let client = client
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    (pool, client)
}

fn authorize_path(client: &str) -> String {
    format!(
        "/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&state=app-state&scope=openid+email+profile&identity_provider=Corp",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    )
}

/// Authorize at the emulator; returns the redirect to the IdP and its query.
async fn to_the_idp(browser: &mut Browser, client: &str) -> (String, BTreeMap<String, String>) {
    let page = browser.get(&authorize_path(client)).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.unwrap();
    assert!(
        location.starts_with(&format!("{SSO}?SAMLRequest=")),
        "{location}"
    );
    let query = query_of(&location);
    (location, query)
}

/// The AuthnRequest XML of a redirect.
pub fn authn_request(query: &BTreeMap<String, String>) -> String {
    let deflated = STANDARD.decode(&query["SAMLRequest"]).unwrap();
    let xml = miniz_oxide::inflate::decompress_to_vec(&deflated).unwrap();
    String::from_utf8(xml).unwrap()
}

pub fn attribute<'a>(xml: &'a str, name: &str) -> &'a str {
    let marker = format!(" {name}=\"");
    let start = xml
        .find(&marker)
        .unwrap_or_else(|| panic!("{name} in {xml}"))
        + marker.len();
    &xml[start..start + xml[start..].find('"').unwrap()]
}

async fn post_response(browser: &mut Browser, xml: &str, relay_state: &str) -> crate::oauth::Page {
    browser
        .post_form(
            "/saml2/idpresponse",
            &[("SAMLResponse", &encoded(xml)), ("RelayState", relay_state)],
        )
        .await
}

async fn user_count(emulator: &Emulator, pool: &str) -> usize {
    emulator
        .idp
        .list_users()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap()
        .users
        .unwrap_or_default()
        .len()
}

async fn exchange(emulator: &Emulator, client: &str, code: &str) -> Value {
    let response = emulator
        .http
        .post(format!("{}/oauth2/token", emulator.url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code),
            ("redirect_uri", CALLBACK),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn sp_initiated_sign_in_with_a_signed_request_ends_in_tokens() {
    let emulator = start().await;
    let idp = TestIdp::new();
    let (pool, client) = saml_pool(
        &emulator,
        &idp,
        &[("RequestSigningAlgorithm", "rsa-sha256")],
        &["Corp"],
    )
    .await;

    // The SP metadata names the pool's entity id, ACS URL and signing certificate.
    let metadata = emulator
        .http
        .get(format!("{}/{pool}/saml2/metadata", emulator.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metadata.contains(&format!("entityID=\"urn:amazon:cognito:sp:{pool}\"")));
    assert!(metadata.contains(&format!("Location=\"{}/saml2/idpresponse\"", emulator.url)));
    assert!(metadata.contains("AuthnRequestsSigned=\"true\""));

    let mut browser = Browser::new(&emulator.url);
    let (location, query) = to_the_idp(&mut browser, &client).await;
    let request = authn_request(&query);
    assert!(request.contains(&format!(
        "<saml:Issuer>urn:amazon:cognito:sp:{pool}</saml:Issuer>"
    )));
    assert_eq!(attribute(&request, "Destination"), SSO);
    assert_eq!(
        attribute(&request, "AssertionConsumerServiceURL"),
        format!("{}/saml2/idpresponse", emulator.url)
    );
    let request_id = attribute(&request, "ID").to_string();
    let relay_state = query["RelayState"].clone();

    // The redirect binding's signature: SigAlg and Signature over the raw query, by the
    // pool's key (published in its JWKS).
    assert_eq!(
        query["SigAlg"],
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    );
    let raw = location.split_once('?').unwrap().1;
    let signed = &raw[..raw.find("&Signature=").unwrap()];
    let signature = STANDARD.decode(&query["Signature"]).unwrap();
    let jwks = emulator
        .get_json(&format!("{}/{pool}/.well-known/jwks.json", emulator.url))
        .await;
    let verified = jwks["keys"].as_array().unwrap().iter().any(|key| {
        let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
        let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap();
        RsaPublicKeyComponents { n, e }
            .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &signature)
            .is_ok()
    });
    assert!(verified, "the AuthnRequest signature verifies");

    // The IdP answers; the browser lands on the app with a code and the app's state.
    let assertion = Assertion::new(&emulator, &pool, Some(&request_id));
    let page = post_response(&mut browser, &assertion.response(&idp), &relay_state).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let answer = query_of(&location);
    assert_eq!(answer["state"], "app-state");
    assert!(browser.cookies.contains_key(&format!("cognito_{pool}")));

    let tokens = exchange(&emulator, &client, &answer["code"]).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "Corp_jane@idp.test");
    assert_eq!(id["email"], "jane@example.com");
    assert_eq!(id["name"], "Jane Doe");
    // An array in the token (the attribute holds it as JSON text).
    assert!(id["identities"].is_array(), "{}", id["identities"]);
    let identities = id["identities"].to_string();
    assert!(
        identities.contains("\"providerType\":\"SAML\""),
        "{identities}"
    );
    assert!(
        identities.contains("\"providerName\":\"Corp\""),
        "{identities}"
    );
    assert!(
        identities.contains("\"userId\":\"jane@idp.test\""),
        "{identities}"
    );
    assert!(identities.contains(IDP_ENTITY), "{identities}");

    // The federated user, EXTERNAL_PROVIDER.
    let user = emulator
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("Corp_jane@idp.test")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status.unwrap().as_str(), "EXTERNAL_PROVIDER");

    // The same response again: the pending sign-in is spent.
    let again = post_response(&mut browser, &assertion.response(&idp), &relay_state).await;
    assert_eq!(again.status, 400, "{}", again.body);
    assert!(
        again.body.contains("unknown or has expired"),
        "{}",
        again.body
    );

    // A response signed as a whole (not the assertion) is accepted too; an unsigned one not.
    let (_, query) = to_the_idp(&mut browser, &client).await;
    let request_id = attribute(&authn_request(&query), "ID").to_string();
    let mut unsigned = Assertion::new(&emulator, &pool, Some(&request_id));
    unsigned.sign_assertion = false;
    let page = post_response(&mut browser, &unsigned.response(&idp), &query["RelayState"]).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("not signed"), "{}", page.body);
    let (_, query) = to_the_idp(&mut browser, &client).await;
    let request_id = attribute(&authn_request(&query), "ID").to_string();
    let mut whole = Assertion::new(&emulator, &pool, Some(&request_id));
    whole.sign_assertion = false;
    whole.sign_response = true;
    let page = post_response(&mut browser, &whole.response(&idp), &query["RelayState"]).await;
    assert_eq!(page.status, 302, "{}", page.body);
    emulator.stop().await;
}

#[tokio::test]
async fn forged_stale_and_misdirected_responses_are_refused_and_create_no_user() {
    let emulator = start().await;
    let idp = TestIdp::new();
    let (pool, client) = saml_pool(&emulator, &idp, &[], &["Corp"]).await;
    let mut browser = Browser::new(&emulator.url);

    // Each case gets its own pending sign-in, so only the response's flaw can refuse it.
    async fn attempt(
        emulator: &Emulator,
        browser: &mut Browser,
        client: &str,
        pool: &str,
        forge: impl FnOnce(Assertion) -> String,
    ) -> crate::oauth::Page {
        let (_, query) = to_the_idp(browser, client).await;
        // Unsigned requests by default.
        assert!(!query.contains_key("Signature"));
        let request_id = attribute(&authn_request(&query), "ID").to_string();
        let assertion = Assertion::new(emulator, pool, Some(&request_id));
        post_response(browser, &forge(assertion), &query["RelayState"]).await
    }

    let other = TestIdp::new();
    type Forge<'a> = Box<dyn FnOnce(Assertion) -> String + 'a>;
    let cases: Vec<(&str, Forge, &str)> = vec![
        (
            "tampered",
            Box::new(|a: Assertion| {
                a.response(&idp)
                    .replace("jane@example.com", "mallory@example.com")
            }),
            "not valid",
        ),
        (
            "another key",
            Box::new(|a: Assertion| a.response(&other)),
            "not valid",
        ),
        (
            "expired",
            Box::new(|mut a: Assertion| {
                a.issued -= 3600.0;
                a.not_on_or_after = a.issued + 300.0;
                a.response(&idp)
            }),
            "SubjectConfirmation",
        ),
        (
            "wrong audience",
            Box::new(|mut a: Assertion| {
                a.audience = "urn:amazon:cognito:sp:us-east-1_other".into();
                a.response(&idp)
            }),
            "audience",
        ),
        (
            "wrong recipient",
            Box::new(|mut a: Assertion| {
                a.recipient = "https://elsewhere.test/saml2/idpresponse".into();
                a.response(&idp)
            }),
            "Destination",
        ),
        (
            "another request",
            Box::new(|mut a: Assertion| {
                a.in_response_to = Some("_not-our-request".into());
                a.response(&idp)
            }),
            "InResponseTo",
        ),
        (
            // Wrapping: the signed assertion hidden in an Extensions element, an evil one
            // (unsigned) where the assertion is read.
            "wrapped in Extensions",
            Box::new(|a: Assertion| {
                let signed = a.assertion_xml(&idp);
                let mut evil = a.clone();
                evil.id = "_evil".into();
                evil.name_id = "mallory@idp.test".into();
                evil.sign_assertion = false;
                let forged = format!(
                    "<samlp:Extensions>{signed}</samlp:Extensions>{}",
                    evil.assertion_xml(&idp)
                );
                a.response_with(&idp, &forged)
            }),
            "exactly one assertion",
        ),
        (
            // Wrapping: the evil assertion carries the genuine signature (which references
            // the genuine assertion, tucked inside the evil one's Advice).
            "signature moved to another assertion",
            Box::new(|a: Assertion| {
                let signed = a.assertion_xml(&idp);
                let start = signed.find("<ds:Signature").unwrap();
                let end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
                let signature = &signed[start..end];
                let mut evil = a.clone();
                evil.id = "_evil".into();
                evil.name_id = "mallory@idp.test".into();
                evil.sign_assertion = false;
                let evil_xml = evil.assertion_xml(&idp).replacen(
                    &format!("<saml:Issuer>{IDP_ENTITY}</saml:Issuer>"),
                    &format!("<saml:Issuer>{IDP_ENTITY}</saml:Issuer>{signature}<saml:Advice>{signed}</saml:Advice>"),
                    1,
                );
                a.response_with(&idp, &evil_xml)
            }),
            "exactly one assertion",
        ),
        (
            // Wrapping: a second assertion with the genuine one's ID.
            "duplicate ID",
            Box::new(|a: Assertion| {
                let signed = a.assertion_xml(&idp);
                let evil = signed
                    .replace("jane@idp.test", "mallory@idp.test")
                    .replace("<saml:Assertion ", "<saml:Assertion xmlns:x=\"urn:x\" ");
                a.response_with(&idp, &format!("{evil}{signed}"))
            }),
            "",
        ),
        (
            "a DTD",
            Box::new(|a: Assertion| {
                format!(
                    "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
                    a.response(&idp)
                )
            }),
            "well-formed",
        ),
    ];
    for (name, forge, message) in cases {
        let page = attempt(&emulator, &mut browser, &client, &pool, forge).await;
        assert_eq!(page.status, 400, "{name}: {}", page.body);
        assert!(page.body.contains(message), "{name}: {}", page.body);
        assert_eq!(user_count(&emulator, &pool).await, 0, "{name}");
    }

    // Too long, before anything is parsed.
    let (_, query) = to_the_idp(&mut browser, &client).await;
    let page = browser
        .post_form(
            "/saml2/idpresponse",
            &[
                ("SAMLResponse", &"A".repeat(100_004)),
                ("RelayState", &query["RelayState"]),
            ],
        )
        .await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("100,000"), "{}", page.body);

    // A RelayState naming no pending sign-in (made up, or spent) is refused.
    let assertion = Assertion::new(&emulator, &pool, Some("_x"));
    let page = post_response(
        &mut browser,
        &assertion.response(&idp),
        &format!("{pool}~00000000-0000-0000-0000-000000000000"),
    )
    .await;
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("unknown or has expired"),
        "{}",
        page.body
    );
    assert_eq!(user_count(&emulator, &pool).await, 0);
    emulator.stop().await;
}

fn idp_initiated_relay_state(client: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", client)
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("identity_provider", "Corp")
        .append_pair("scope", "openid email")
        .finish()
}

#[tokio::test]
async fn idp_initiated_sign_in_only_where_the_provider_allows_it() {
    let emulator = start().await;
    let idp = TestIdp::new();

    // IDPInit not set: refused.
    let (pool, client) = saml_pool(&emulator, &idp, &[], &["Corp"]).await;
    let mut browser = Browser::new(&emulator.url);
    let assertion = Assertion::new(&emulator, &pool, None);
    let page = post_response(
        &mut browser,
        &assertion.response(&idp),
        &idp_initiated_relay_state(&client),
    )
    .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("IDPInit"), "{}", page.body);
    assert_eq!(user_count(&emulator, &pool).await, 0);

    // IDPInit true, but the client also signs users in with COGNITO: refused.
    let (pool, client) = saml_pool(
        &emulator,
        &idp,
        &[("IDPInit", "true")],
        &["Corp", "COGNITO"],
    )
    .await;
    let assertion = Assertion::new(&emulator, &pool, None);
    let page = post_response(
        &mut browser,
        &assertion.response(&idp),
        &idp_initiated_relay_state(&client),
    )
    .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains("only SAML"), "{}", page.body);

    // IDPInit true, a SAML-only client: signed in, with a code for the app.
    let (pool, client) = saml_pool(&emulator, &idp, &[("IDPInit", "true")], &["Corp"]).await;
    let assertion = Assertion::new(&emulator, &pool, None);
    let response = assertion.response(&idp);
    let page = post_response(&mut browser, &response, &idp_initiated_relay_state(&client)).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let location = page.location.unwrap();
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    let tokens = exchange(&emulator, &client, &query_of(&location)["code"]).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["email"], "jane@example.com");
    assert!(id["identities"].to_string().contains("SAML"));

    // The same assertion twice: a replay.
    let page = post_response(&mut browser, &response, &idp_initiated_relay_state(&client)).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("already used"), "{}", page.body);

    // An unsolicited assertion may not answer a request, nor be older than six minutes.
    let solicited = Assertion::new(&emulator, &pool, Some("_r1"));
    let page = post_response(
        &mut browser,
        &solicited.response(&idp),
        &idp_initiated_relay_state(&client),
    )
    .await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("InResponseTo"), "{}", page.body);
    let mut old = Assertion::new(&emulator, &pool, None);
    old.issued -= 420.0;
    let page = post_response(
        &mut browser,
        &old.response(&idp),
        &idp_initiated_relay_state(&client),
    )
    .await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("6 minutes"), "{}", page.body);
    emulator.stop().await;
}

#[tokio::test]
async fn the_inbound_federation_trigger_sees_the_assertions_attributes_and_can_replace_them() {
    let (emulator, lambda) = crate::triggers::with_lambda().await;
    // The function keeps the e-mail (from another claim's value) and drops displayName.
    lambda.on("inbound", |mut event| {
        let saml = event["request"]["attributes"]["samlResponse"].clone();
        event["response"]["userAttributesToMap"] =
            serde_json::json!({ EMAIL_CLAIM: saml["NameID"].clone() });
        crate::lambda_server::Answer::Event(event)
    });
    let idp = TestIdp::new();
    let (pool, client) = saml_pool(&emulator, &idp, &[], &["Corp"]).await;
    emulator
        .idp
        .update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(crate::triggers_lifecycle::inbound_federation_config())
        .send()
        .await
        .unwrap();
    let mut browser = Browser::new(&emulator.url);
    let (_, query) = to_the_idp(&mut browser, &client).await;
    let request_id = attribute(&authn_request(&query), "ID").to_string();
    let assertion = Assertion::new(&emulator, &pool, Some(&request_id));
    let page = post_response(
        &mut browser,
        &assertion.response(&idp),
        &query["RelayState"],
    )
    .await;
    assert_eq!(page.status, 302, "{}", page.body);
    let answer = query_of(&page.location.unwrap());

    let events = lambda.events("inbound");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["triggerSource"],
        "InboundFederation_ExternalProvider"
    );
    assert_eq!(events[0]["userName"], "Corp_jane@idp.test");
    assert_eq!(
        events[0]["request"],
        serde_json::json!({
            "providerName": "Corp",
            "providerType": "SAML",
            "attributes": {"samlResponse": {
                EMAIL_CLAIM: "jane@example.com",
                "displayName": "Jane Doe",
                "groups": "admins,staff",
                "NameID": "jane@idp.test",
            }},
        })
    );
    let tokens = exchange(&emulator, &client, &answer["code"]).await;
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["cognito:username"], "Corp_jane@idp.test");
    assert_eq!(id["email"], "jane@idp.test");
    assert!(id.get("name").is_none(), "{id}");
}
