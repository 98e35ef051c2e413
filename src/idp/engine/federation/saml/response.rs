//! Checking an identity provider's `<samlp:Response>` (HTTP-POST binding) and reading its one
//! assertion. The XML signature is verified by Bergshamra (exclusive canonicalization,
//! RSA-SHA256, keys only from the provider's metadata), on the very document the data is
//! read from: the signed element must be the Response itself or its one Assertion, which is
//! what is read. Before anything is verified the document is held to SAML's signature
//! profile (core §5.4): each `<ds:Signature>` is a child of the element it signs and has one
//! `#ID` reference to it, with no transforms but enveloped-signature and canonicalization,
//! so nothing outside the document is ever read.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};
use uppsala::{Document, NodeId};

use super::{MAX_RESPONSE_CHARS, NS_ASSERTION, NS_PROTOCOL};

const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// Transforms SAML signatures use (core §5.4.4); anything else is refused unread.
const TRANSFORMS: &[&str] = &[
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
];
/// Clock skew allowed on the validity windows, in seconds.
const SKEW: f64 = 60.0;
/// An unsolicited (IdP-initiated) assertion must have been issued within six minutes.
const UNSOLICITED_AGE: f64 = 360.0;

/// What the response must match.
pub struct Expected<'a> {
    pub sp_entity_id: &'a str,
    pub acs_url: &'a str,
    /// The identity provider's entity id, from its metadata.
    pub idp_entity_id: &'a str,
    /// Its signing certificates (DER), from its metadata.
    pub certificates: &'a [Vec<u8>],
    /// SP-initiated: the AuthnRequest's ID. None: IdP-initiated, so no InResponseTo at all.
    pub in_response_to: Option<&'a str>,
    pub now: f64,
}

/// The assertion's content, once everything checked out.
#[derive(Debug)]
pub struct Assertion {
    pub id: String,
    pub issuer: String,
    pub name_id: String,
    /// Attribute values by the attribute's Name (several values joined with commas).
    pub attributes: Map<String, Value>,
    /// Until when the assertion could be presented (for the replay cache).
    pub expires: f64,
}

type Checked<T> = Result<T, String>;

/// Decodes, parses and checks a `SAMLResponse` form value.
pub fn verify(encoded: &str, expected: &Expected) -> Checked<Assertion> {
    if encoded.len() > MAX_RESPONSE_CHARS {
        return Err(format!(
            "The SAML response is longer than {MAX_RESPONSE_CHARS} characters."
        ));
    }
    let compact: String = encoded.split_ascii_whitespace().collect();
    let bytes = STANDARD
        .decode(compact)
        .map_err(|_| "The SAML response is not valid base64.".to_string())?;
    let xml =
        String::from_utf8(bytes).map_err(|_| "The SAML response is not UTF-8.".to_string())?;
    // No DTD, so no entity of any kind, external or expanding.
    let doc = uppsala::Parser::new()
        .with_forbid_dtd(true)
        .parse(&xml)
        .map_err(|e| format!("The SAML response is not well-formed XML: {e}"))?;
    Reader { doc: &doc }.check(&xml, expected)
}

struct Reader<'d, 'a> {
    doc: &'d Document<'a>,
}

impl Reader<'_, '_> {
    fn is(&self, id: NodeId, ns: &str, name: &str) -> bool {
        self.doc.element(id).is_some_and(|e| {
            e.name.namespace_uri.as_deref() == Some(ns) && e.name.local_name == name
        })
    }

    fn children(&self, parent: NodeId, ns: &str, name: &str) -> Vec<NodeId> {
        self.doc
            .children(parent)
            .into_iter()
            .filter(|c| self.is(*c, ns, name))
            .collect()
    }

    fn child(&self, parent: NodeId, ns: &str, name: &str) -> Option<NodeId> {
        self.children(parent, ns, name).into_iter().next()
    }

    fn everywhere(&self, ns: &str, name: &str) -> Vec<NodeId> {
        let root = self.doc.root();
        self.doc
            .descendants(root)
            .into_iter()
            .filter(|n| self.is(*n, ns, name))
            .collect()
    }

    fn attribute(&self, id: NodeId, name: &str) -> Option<String> {
        self.doc.element(id).and_then(|e| {
            e.attributes
                .iter()
                .find(|a| a.name.namespace_uri.is_none() && a.name.local_name == name)
                .map(|a| a.value.to_string())
        })
    }

    fn text(&self, id: NodeId) -> String {
        self.doc.text_content_deep(id).trim().to_string()
    }

    fn time(&self, id: NodeId, name: &str) -> Checked<Option<f64>> {
        self.attribute(id, name)
            .map(|value| {
                chrono::DateTime::parse_from_rfc3339(&value)
                    .map(|t| t.timestamp_millis() as f64 / 1000.0)
                    .map_err(|_| format!("{name} is not a valid time: {value}"))
            })
            .transpose()
    }

    fn check(&self, xml: &str, expected: &Expected) -> Checked<Assertion> {
        let doc = self.doc;
        let response = doc
            .document_element()
            .filter(|r| self.is(*r, NS_PROTOCOL, "Response"))
            .ok_or("The SAML message is not a samlp:Response.")?;
        if self.attribute(response, "Version").as_deref() != Some("2.0") {
            return Err("The SAML response is not SAML 2.0.".into());
        }
        let status = self
            .child(response, NS_PROTOCOL, "Status")
            .and_then(|s| self.child(s, NS_PROTOCOL, "StatusCode"))
            .and_then(|c| self.attribute(c, "Value"))
            .unwrap_or_default();
        if status != SUCCESS {
            return Err(format!(
                "The identity provider did not sign the user in (status {status})."
            ));
        }
        if let Some(destination) = self.attribute(response, "Destination") {
            if destination != expected.acs_url {
                return Err(format!(
                    "The SAML response's Destination is {destination}, not {}.",
                    expected.acs_url
                ));
            }
        }
        self.check_in_response_to(self.attribute(response, "InResponseTo"), expected)?;
        if !self
            .everywhere(NS_ASSERTION, "EncryptedAssertion")
            .is_empty()
        {
            return Err("Encrypted SAML assertions are not supported by cognito-emulator: turn off assertion encryption at the identity provider.".into());
        }
        // Exactly one assertion, a child of the Response: no other copy to confuse with it.
        let assertions = self.everywhere(NS_ASSERTION, "Assertion");
        let assertion =
            match assertions.as_slice() {
                [one] if doc.parent(*one) == Some(response) => *one,
                [] => return Err("The SAML response has no assertion.".into()),
                _ => return Err(
                    "The SAML response must hold exactly one assertion, directly in the Response."
                        .into(),
                ),
            };
        let (response_signed, assertion_signed) =
            self.check_signatures(xml, response, assertion, expected.certificates)?;
        if !response_signed && !assertion_signed {
            return Err("The SAML response is not signed: the identity provider must sign the response or the assertion.".into());
        }
        for issuer in [
            self.child(response, NS_ASSERTION, "Issuer"),
            self.child(assertion, NS_ASSERTION, "Issuer"),
        ]
        .into_iter()
        .flatten()
        {
            let issuer = self.text(issuer);
            if issuer != expected.idp_entity_id {
                return Err(format!(
                    "The SAML issuer {issuer} is not the identity provider's entity id {}.",
                    expected.idp_entity_id
                ));
            }
        }
        self.read_assertion(assertion, expected)
    }

    fn check_in_response_to(&self, found: Option<String>, expected: &Expected) -> Checked<()> {
        match (found.as_deref(), expected.in_response_to) {
            (None, _) => Ok(()),
            (Some(found), Some(sent)) if found == sent => Ok(()),
            (Some(_), Some(_)) => {
                Err("The SAML response answers another request (InResponseTo).".into())
            }
            (Some(_), None) => Err(
                "An IdP-initiated SAML response may not carry InResponseTo: this sign-in is unknown or has expired."
                    .into(),
            ),
        }
    }

    /// Holds every signature to SAML's profile, verifies them all against the metadata's
    /// certificates, and says whether the Response and the Assertion are signed.
    fn check_signatures(
        &self,
        xml: &str,
        response: NodeId,
        assertion: NodeId,
        certificates: &[Vec<u8>],
    ) -> Checked<(bool, bool)> {
        let doc = self.doc;
        let invalid = |why: &str| {
            Err(format!(
                "The SAML response's signature is not valid: {why}."
            ))
        };
        if !self.everywhere(NS_DSIG, "RetrievalMethod").is_empty()
            || !self.everywhere(NS_DSIG, "Manifest").is_empty()
        {
            return invalid("RetrievalMethod and Manifest are not allowed");
        }
        let signatures = self.everywhere(NS_DSIG, "Signature");
        if signatures.is_empty() {
            return Ok((false, false));
        }
        for signature in &signatures {
            let Some(parent) = doc
                .parent(*signature)
                .filter(|p| *p == response || *p == assertion)
            else {
                return invalid("a signature is neither in the Response nor in the Assertion");
            };
            let id = self.attribute(parent, "ID").unwrap_or_default();
            let references: Vec<NodeId> = self
                .child(*signature, NS_DSIG, "SignedInfo")
                .map(|s| self.children(s, NS_DSIG, "Reference"))
                .unwrap_or_default();
            let [reference] = references.as_slice() else {
                return invalid("a signature must have exactly one reference");
            };
            if id.is_empty() || self.attribute(*reference, "URI") != Some(format!("#{id}")) {
                return invalid("a signature does not reference the element that holds it");
            }
            let transforms = self
                .child(*reference, NS_DSIG, "Transforms")
                .map(|t| self.children(t, NS_DSIG, "Transform"))
                .unwrap_or_default();
            if transforms.iter().any(|t| {
                !self
                    .attribute(*t, "Algorithm")
                    .is_some_and(|a| TRANSFORMS.contains(&a.as_str()))
            }) {
                return invalid("a signature uses a transform SAML does not allow");
            }
        }
        let mut keys = bergshamra_keys::KeysManager::new();
        for der in certificates {
            let key = bergshamra_keys::loader::load_x509_cert_der(der)
                .map_err(|e| format!("The identity provider's certificate is not usable: {e}"))?;
            keys.add_key(key);
        }
        if keys.is_empty() {
            return Err("The identity provider's metadata has no signing certificate.".into());
        }
        // Secure defaults: only the metadata's keys, references only to the signature's
        // ancestors or siblings, duplicate IDs refused.
        let context = bergshamra_dsig::DsigContext::new(keys);
        let results =
            bergshamra_dsig::verify::verify_all_document_with_source(&context, doc, Some(xml))
                .map_err(|e| format!("The SAML response's signature is not valid: {e}."))?;
        let (mut response_signed, mut assertion_signed) = (false, false);
        for result in results {
            let bergshamra_dsig::VerifyResult::Valid {
                signature_node,
                references,
                ..
            } = result
            else {
                return invalid("it does not match the identity provider's certificate, or the signed content was changed");
            };
            let parent = doc.parent(signature_node);
            let covers_parent = !references.is_empty()
                && references
                    .iter()
                    .all(|r| r.digest_verified && r.resolved_node == parent);
            match parent {
                Some(p) if covers_parent && p == response => response_signed = true,
                Some(p) if covers_parent && p == assertion => assertion_signed = true,
                _ => return invalid("a signature covers another element than the one read"),
            }
        }
        Ok((response_signed, assertion_signed))
    }

    fn read_assertion(&self, assertion: NodeId, expected: &Expected) -> Checked<Assertion> {
        let now = expected.now;
        let id = self
            .attribute(assertion, "ID")
            .filter(|id| !id.is_empty())
            .ok_or("The SAML assertion has no ID.")?;
        let issued = self
            .time(assertion, "IssueInstant")?
            .ok_or("The SAML assertion has no IssueInstant.")?;
        if expected.in_response_to.is_none()
            && (now - issued > UNSOLICITED_AGE || issued > now + SKEW)
        {
            return Err("An IdP-initiated SAML assertion must have been issued within the previous 6 minutes.".into());
        }
        let issuer = self
            .child(assertion, NS_ASSERTION, "Issuer")
            .map(|i| self.text(i))
            .unwrap_or_else(|| expected.idp_entity_id.to_string());
        let subject = self
            .child(assertion, NS_ASSERTION, "Subject")
            .ok_or("The SAML assertion has no Subject.")?;
        let name_id = self
            .child(subject, NS_ASSERTION, "NameID")
            .map(|n| self.text(n))
            .filter(|n| !n.is_empty())
            .ok_or("The SAML assertion's Subject has no NameID.")?;
        let mut expires = f64::INFINITY;
        // A bearer confirmation for us: our ACS URL, still valid, answering our request.
        let mut confirmed = false;
        for confirmation in self.children(subject, NS_ASSERTION, "SubjectConfirmation") {
            if self.attribute(confirmation, "Method").as_deref() != Some(BEARER) {
                continue;
            }
            let Some(data) = self.child(confirmation, NS_ASSERTION, "SubjectConfirmationData")
            else {
                continue;
            };
            let recipient_ok =
                self.attribute(data, "Recipient").as_deref() == Some(expected.acs_url);
            let until = self.time(data, "NotOnOrAfter")?;
            let in_time = until.is_some_and(|t| now < t + SKEW)
                && self
                    .time(data, "NotBefore")?
                    .is_none_or(|t| t <= now + SKEW);
            // SP-initiated: the confirmation names our request; IdP-initiated: no request.
            let answers = match (
                self.attribute(data, "InResponseTo"),
                expected.in_response_to,
            ) {
                (Some(found), Some(sent)) => found == sent,
                (None, None) => true,
                _ => false,
            };
            if recipient_ok && in_time && answers {
                confirmed = true;
                expires = expires.min(until.unwrap_or(f64::INFINITY));
            }
        }
        if !confirmed {
            return Err("The SAML assertion has no valid bearer SubjectConfirmation for this service provider (Recipient, NotOnOrAfter, InResponseTo).".into());
        }
        let conditions = self
            .child(assertion, NS_ASSERTION, "Conditions")
            .ok_or("The SAML assertion has no Conditions.")?;
        if let Some(not_before) = self.time(conditions, "NotBefore")? {
            if now + SKEW < not_before {
                return Err("The SAML assertion is not valid yet (NotBefore).".into());
            }
        }
        if let Some(until) = self.time(conditions, "NotOnOrAfter")? {
            if now >= until + SKEW {
                return Err("The SAML assertion has expired (NotOnOrAfter).".into());
            }
            expires = expires.min(until);
        }
        let restrictions = self.children(conditions, NS_ASSERTION, "AudienceRestriction");
        let for_us = |r: &NodeId| {
            self.children(*r, NS_ASSERTION, "Audience")
                .iter()
                .any(|a| self.text(*a) == expected.sp_entity_id)
        };
        if restrictions.is_empty() || !restrictions.iter().all(for_us) {
            return Err(format!(
                "The SAML assertion's audience is not {}.",
                expected.sp_entity_id
            ));
        }
        let mut attributes = Map::new();
        for statement in self.children(assertion, NS_ASSERTION, "AttributeStatement") {
            for attribute in self.children(statement, NS_ASSERTION, "Attribute") {
                let Some(name) = self.attribute(attribute, "Name") else {
                    continue;
                };
                let values: Vec<String> = self
                    .children(attribute, NS_ASSERTION, "AttributeValue")
                    .into_iter()
                    .map(|v| self.text(v))
                    .collect();
                attributes.insert(name, Value::String(values.join(",")));
            }
        }
        Ok(Assertion {
            id,
            issuer,
            name_id,
            attributes,
            expires: if expires.is_finite() {
                expires
            } else {
                now + UNSOLICITED_AGE
            },
        })
    }
}
