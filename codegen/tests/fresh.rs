//! The committed `src/generated` matches the generator, and the generator's translations hold.

use std::path::Path;

fn models() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models"))
}

#[test]
fn generated_files_are_fresh() {
    let out = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/generated"));
    for (name, content) in codegen::generate(models()) {
        let committed = std::fs::read_to_string(out.join(&name)).unwrap_or_default();
        assert!(
            committed == content,
            "src/generated is stale: run `cargo run -p codegen` ({name} differs)"
        );
    }
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(codegen::generate(models()), codegen::generate(models()));
}

#[test]
fn every_translated_regex_compiles() {
    let patterns = codegen::model_patterns(models());
    assert!(
        patterns.len() > 40,
        "expected the models' patterns, got {}",
        patterns.len()
    );
    for p in patterns {
        let translated = codegen::rust_regex(&p);
        assert!(
            translated.starts_with("^(?:") && translated.ends_with(")$"),
            "{translated} is not anchored"
        );
        if let Err(e) = regex::Regex::new(&translated) {
            panic!("pattern {p:?} translated to {translated:?} does not compile: {e}");
        }
    }
}

fn re(java: &str) -> regex::Regex {
    regex::Regex::new(&codegen::rust_regex(java)).unwrap()
}

#[test]
fn user_pool_id_pattern() {
    let r = re(r"[\w-]+_[0-9a-zA-Z]+");
    assert!(r.is_match("us-east-1_AbC123xyZ"));
    assert!(!r.is_match("us-east-1_Ab C"));
    assert!(!r.is_match("ü_x"), "\\w must stay ASCII as in Java");
    assert!(!r.is_match("xus-east-1_Ab C"));
}

#[test]
fn look_behind_is_rewritten() {
    let r = re(r"^[0-9A-Za-z\.\-_]*(?<!\.)$");
    assert!(!r.is_match("a."));
    assert!(r.is_match("a.b"));
    assert!(r.is_match(""));
    assert!(r.is_match("a-_"));
    assert!(!r.is_match("."));
}

#[test]
fn java_class_semantics() {
    // A `-` after a range or a class escape is literal in Java.
    let r = re(r"[A-Za-z0-9-_+/=.]+");
    assert!(r.is_match("a-b_c+/=."));
    assert!(!r.is_match("a:b"), "`9-_` must not be a range");
    assert!(re(r"\d+").is_match("123") && !re(r"\d+").is_match("١٢٣"));
    // Java's \s and \S are ASCII.
    assert!(re(r"[\S]+").is_match("a\u{a0}b"));
    assert!(!re(r"[\S]+").is_match("a b"));
    // Java's `.` stops at line terminators unless (?s).
    assert!(!re(r".*\{####\}.*").is_match("code\r{####}"));
    assert!(re(r".*\{####\}.*").is_match("Your code is {####}."));
    assert!(re(r"(?s).*").is_match("a\nb"));
    // Anchoring applies to the whole alternation.
    assert!(!re("(un)?authenticated").is_match("xauthenticated"));
}

#[test]
#[should_panic(expected = "(?<=a)b")]
fn untranslatable_pattern_panics_naming_it() {
    codegen::rust_regex("(?<=a)b");
}

#[test]
fn field_names() {
    for (wire, field) in [
        ("UserPoolId", "user_pool_id"),
        ("AllowedOAuthFlows", "allowed_oauth_flows"),
        (
            "AllowedOAuthFlowsUserPoolClient",
            "allowed_oauth_flows_user_pool_client",
        ),
        ("CallbackURLs", "callback_urls"),
        ("LogoutURLs", "logout_urls"),
        ("MFAOptions", "mfa_options"),
        ("SMSMfaSettings", "sms_mfa_settings"),
        ("AWSAccountId", "aws_account_id"),
        ("IdpIdentifiers", "idp_identifiers"),
        ("Arn", "arn"),
        ("ARN", "arn"),
        ("EmailMfaSettings", "email_mfa_settings"),
        ("IdTokenValidity", "id_token_validity"),
        ("OpenIdConnectProviderARNs", "open_id_connect_provider_arns"),
        ("SamlProviderARNs", "saml_provider_arns"),
        ("ProviderDetails", "provider_details"),
        ("KMSKeyID", "kms_key_id"),
        ("UserMFASettingList", "user_mfa_setting_list"),
        ("S3Bucket", "s3_bucket"),
        ("Type", "r#type"),
    ] {
        assert_eq!(codegen::field_name(wire), field, "field name of {wire}");
    }
}

#[test]
fn enum_variants() {
    for (value, variant) in [
        ("FORCE_CHANGE_PASSWORD", "ForceChangePassword"),
        ("verified_email", "VerifiedEmail"),
        ("ON", "On"),
        ("custom:x", "CustomX"),
        ("LoginWithAmazon", "LoginWithAmazon"),
        ("V1_0", "V1_0"),
        ("2fa", "V2fa"),
    ] {
        assert_eq!(codegen::enum_variant(value), variant, "variant of {value}");
    }
}
