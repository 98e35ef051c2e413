//! Identity providers: details per type (with what Cognito derives), SAML metadata,
//! attribute mappings, IdP identifiers, listing, and the app clients that support them.

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::types::*;

use crate::common::{err, start, Emulator};

pub fn details(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const METADATA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/metadata">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIBexample</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

pub async fn create_idp(
    emulator: &Emulator,
    pool: &str,
    name: &str,
    kind: IdentityProviderTypeType,
    given: &[(&str, &str)],
) -> Result<IdentityProviderType, (String, String)> {
    emulator
        .idp
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .provider_type(kind)
        .set_provider_details(Some(details(given)))
        .send()
        .await
        .map(|r| r.identity_provider.unwrap())
        .map_err(err)
}

pub const GOOGLE: &[(&str, &str)] = &[
    ("client_id", "google-client"),
    ("client_secret", "google-secret"),
    ("authorize_scopes", "openid email profile"),
];

#[tokio::test]
async fn identity_providers_by_type() {
    let emulator = start().await;
    let pool = emulator.pool("federation").await;
    use IdentityProviderTypeType as T;

    let google = create_idp(&emulator, &pool, "Google", T::Google, GOOGLE)
        .await
        .unwrap();
    let d = google.provider_details().unwrap();
    assert_eq!(d["client_id"], "google-client");
    assert_eq!(
        d["authorize_url"],
        "https://accounts.google.com/o/oauth2/v2/auth"
    );
    assert_eq!(d["token_url"], "https://www.googleapis.com/oauth2/v4/token");
    assert_eq!(
        d["attributes_url"],
        "https://people.googleapis.com/v1/people/me?personFields="
    );
    assert_eq!(d["attributes_url_add_attributes"], "true");
    assert_eq!(d["oidc_issuer"], "https://accounts.google.com");
    assert_eq!(google.attribute_mapping().unwrap()["username"], "sub");
    assert_eq!(google.user_pool_id(), Some(pool.as_str()));
    assert!(google.creation_date().is_some());

    // Social providers are named after their type; names are unique.
    assert_eq!(
        create_idp(&emulator, &pool, "MyGoogle", T::Google, GOOGLE)
            .await
            .unwrap_err(),
        (
            "InvalidParameterException".into(),
            "The provider name of a Google identity provider must be Google.".into()
        )
    );
    assert_eq!(
        create_idp(&emulator, &pool, "Google", T::Google, GOOGLE)
            .await
            .unwrap_err(),
        (
            "DuplicateProviderException".into(),
            "A provider with the name Google already exists in this user pool.".into()
        )
    );
    assert_eq!(
        create_idp(
            &emulator,
            &pool,
            "Facebook",
            T::Facebook,
            &[("client_id", "x")]
        )
        .await
        .unwrap_err(),
        (
            "InvalidParameterException".into(),
            "client_secret is required for Facebook identity providers.".into()
        )
    );
    let facebook = create_idp(
        &emulator,
        &pool,
        "Facebook",
        T::Facebook,
        &[
            ("client_id", "fb"),
            ("client_secret", "fb-secret"),
            ("authorize_scopes", "public_profile,email"),
            ("api_version", "v17.0"),
        ],
    )
    .await
    .unwrap();
    let d = facebook.provider_details().unwrap();
    assert_eq!(
        d["authorize_url"],
        "https://www.facebook.com/v17.0/dialog/oauth"
    );
    assert_eq!(
        d["token_url"],
        "https://graph.facebook.com/v17.0/oauth/access_token"
    );
    assert_eq!(d["token_request_method"], "GET");
    assert_eq!(facebook.attribute_mapping().unwrap()["username"], "id");
    let apple = create_idp(
        &emulator,
        &pool,
        "SignInWithApple",
        T::SignInWithApple,
        &[
            ("client_id", "a"),
            ("team_id", "t"),
            ("key_id", "k"),
            ("authorize_scopes", "email"),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(
        apple.1,
        "private_key is required for SignInWithApple identity providers."
    );

    // OIDC keeps what it was given (no discovery), with its mapping checked.
    let oidc_details = [
        ("client_id", "oidc-client"),
        ("client_secret", "oidc-secret"),
        ("attributes_request_method", "GET"),
        ("oidc_issuer", "https://issuer.example.com"),
        ("authorize_scopes", "openid email"),
        ("authorize_url", "https://issuer.example.com/authorize"),
    ];
    let bad_mapping = emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(T::Oidc)
        .set_provider_details(Some(details(&oidc_details)))
        .attribute_mapping("shoe_size", "shoe")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        bad_mapping,
        (
            "InvalidParameterException".into(),
            "Invalid attribute mapping: shoe_size is not a writable attribute of the user pool."
                .into()
        )
    );
    let oidc = emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(T::Oidc)
        .set_provider_details(Some(details(&oidc_details)))
        .attribute_mapping("email", "email")
        .idp_identifiers("corp.example.com")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let d = oidc.provider_details().unwrap();
    assert_eq!(d["oidc_issuer"], "https://issuer.example.com");
    assert_eq!(d["authorize_url"], "https://issuer.example.com/authorize");
    assert_eq!(d["attributes_url_add_attributes"], "false");
    assert!(!d.contains_key("token_url"));
    let mapping = oidc.attribute_mapping().unwrap();
    assert_eq!(
        (mapping["email"].as_str(), mapping["username"].as_str()),
        ("email", "sub")
    );
    assert_eq!(
        create_idp(&emulator, &pool, "Cognito", T::Oidc, &oidc_details)
            .await
            .unwrap_err()
            .1,
        "The provider name Cognito is reserved."
    );

    // SAML: the metadata file is read for its endpoints.
    let saml = emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Okta")
        .provider_type(T::Saml)
        .provider_details("MetadataFile", METADATA)
        .provider_details("IDPSignout", "true")
        .idp_identifiers("okta")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let d = saml.provider_details().unwrap();
    assert_eq!(d["SSORedirectBindingURI"], "https://idp.example.com/sso");
    assert_eq!(d["SLORedirectBindingURI"], "https://idp.example.com/slo");
    assert_eq!(d["IDPSignout"], "true");
    assert!(!saml.attribute_mapping().unwrap().contains_key("username"));
    assert!(!d.contains_key("ActiveEncryptionCertificate"));
    // With encrypted responses Cognito shows the certificate the IdP encrypts to.
    let encrypted = emulator
        .idp
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Okta")
        .provider_details("MetadataURL", "https://idp.example.com/metadata")
        .provider_details("EncryptedResponses", "true")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let d = encrypted.provider_details().unwrap();
    assert_eq!(d["MetadataURL"], "https://idp.example.com/metadata");
    assert!(!d.contains_key("MetadataFile") && !d.contains_key("SSORedirectBindingURI"));
    assert!(d["ActiveEncryptionCertificate"].starts_with("MII"), "{d:?}");
    assert_eq!(
        create_idp(
            &emulator,
            &pool,
            "Broken",
            T::Saml,
            &[("MetadataFile", "<x/>")]
        )
        .await
        .unwrap_err(),
        (
            "InvalidParameterException".into(),
            "Invalid SAML metadata: no EntityDescriptor.".into()
        )
    );
    assert_eq!(
        create_idp(&emulator, &pool, "Broken", T::Saml, &[])
            .await
            .unwrap_err()
            .1,
        "MetadataFile or MetadataURL is required for SAML identity providers."
    );
    let taken = emulator
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Other")
        .provider_type(T::Saml)
        .provider_details("MetadataURL", "https://idp.example.com/metadata")
        .idp_identifiers("okta")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        taken,
        (
            "DuplicateProviderException".into(),
            "The IdP identifier okta is already used in this user pool.".into()
        )
    );

    // Lookup by identifier, listing, update, deletion.
    let found = emulator
        .idp
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("corp.example.com")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(found.provider_name(), Some("Corp"));
    let listed = emulator
        .idp
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(2)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = listed
        .providers()
        .iter()
        .map(|p| p.provider_name().unwrap())
        .collect();
    assert_eq!(names, ["Corp", "Facebook"]);
    assert_eq!(listed.providers()[0].provider_type(), Some(&T::Oidc));
    let rest = emulator
        .idp
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(2)
        .next_token(listed.next_token().unwrap())
        .send()
        .await
        .unwrap();
    let names: Vec<_> = rest
        .providers()
        .iter()
        .map(|p| p.provider_name().unwrap())
        .collect();
    assert_eq!(names, ["Google", "Okta"]);
    assert_eq!(rest.next_token(), None);

    let updated = emulator
        .idp
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(updated.attribute_mapping().unwrap()["email"], "email");
    assert_eq!(
        updated.provider_details().unwrap()["client_id"],
        "google-client"
    );

    // Clients may support the pool's providers; deleting a provider takes it from them.
    let client = emulator
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .supported_identity_providers("Okta")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        client.supported_identity_providers(),
        ["COGNITO", "Google", "Okta"]
    );
    emulator
        .idp
        .delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Okta")
        .send()
        .await
        .unwrap();
    let described = emulator
        .idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(client.client_id().unwrap())
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        described.supported_identity_providers(),
        ["COGNITO", "Google"]
    );
    let gone = emulator
        .idp
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Okta")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        gone,
        (
            "ResourceNotFoundException".into(),
            "Identity provider Okta does not exist.".into()
        )
    );
    let by_identifier = emulator
        .idp
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("okta")
        .send()
        .await
        .map_err(err)
        .unwrap_err();
    assert_eq!(
        by_identifier,
        (
            "ResourceNotFoundException".into(),
            "Identity provider with identifier okta does not exist.".into()
        )
    );
}
