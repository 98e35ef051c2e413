//! A pool's hosted-UI domain: a prefix (`<prefix>.auth.<region>.amazoncognito.com`) or a
//! custom domain served through CloudFront. One per pool, unique across all pools.

use sha2::{Digest, Sha256};

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::Empty;

const PREFIX_PATTERN: &str = r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$";
const RESERVED_WORDS: &[&str] = &["aws", "amazon", "cognito"];

pub fn create_user_pool_domain(
    app: &App,
    ctx: &RequestContext,
    input: CreateUserPoolDomainRequest,
) -> ApiResult<CreateUserPoolDomainResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    check_domain(&input.domain, input.custom_domain_config.as_ref())?;
    let version = managed_login_version(input.managed_login_version)?.unwrap_or(1);
    let mut pool = pool.write();
    if pool.domain.is_some() {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(
            "User pool already has a domain configured.",
        ));
    }
    if !app.store.claim_domain(&input.domain, &input.user_pool_id) {
        return Err(ApiError::invalid_parameter(
            "Domain already associated with another user pool.",
        ));
    }
    pool.header_changed();
    let custom = input.custom_domain_config.is_some();
    let description = DomainDescriptionType {
        user_pool_id: Some(input.user_pool_id.clone()),
        aws_account_id: Some(app.account_id().to_string()),
        domain: Some(input.domain.clone()),
        s3_bucket: Some(assets_bucket(&ctx.region)),
        cloud_front_distribution: Some(cloudfront_name(&input.domain)),
        version: Some(version_stamp(app.clock.now())),
        status: Some(DomainStatusType::Active),
        custom_domain_config: input.custom_domain_config,
        managed_login_version: Some(version),
        routing: input.routing,
    };
    let response = CreateUserPoolDomainResponse {
        cloud_front_domain: cloud_front_domain(&description),
        managed_login_version: description.managed_login_version,
        routing: description.routing.clone(),
    };
    if custom {
        pool.config.custom_domain = Some(input.domain);
    } else {
        pool.config.domain = Some(input.domain);
    }
    pool.domain = Some(description);
    Ok(response)
}

/// A prefix follows the model's pattern and avoids Cognito's reserved words; a custom domain
/// (one with a certificate) is a lower-case host name of at least two labels.
fn check_domain(domain: &str, custom: Option<&CustomDomainConfigType>) -> ApiResult<()> {
    let Some(custom) = custom else {
        if !regex::Regex::new(PREFIX_PATTERN).is_ok_and(|r| r.is_match(domain)) {
            return Err(ApiError::invalid_parameter(format!(
                "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: {PREFIX_PATTERN}"
            )));
        }
        if let Some(word) = RESERVED_WORDS.iter().find(|w| domain.contains(*w)) {
            return Err(ApiError::invalid_parameter(format!(
                "Domain cannot contain reserved word: {word}"
            )));
        }
        return Ok(());
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if domain.split('.').count() < 2 || !domain.split('.').all(label) {
        // Text unconfirmed.
        return Err(ApiError::invalid_parameter(format!(
            "The custom domain {domain} is not a valid domain name."
        )));
    }
    check_certificate(custom)
}

/// CloudFront takes certificates from ACM in us-east-1 only (text unconfirmed; the
/// emulator cannot check that the certificate exists or covers the domain).
fn check_certificate(custom: &CustomDomainConfigType) -> ApiResult<()> {
    let arn = &custom.certificate_arn;
    if !arn.starts_with("arn:aws:acm:us-east-1:") || !arn.contains(":certificate/") {
        return Err(ApiError::invalid_parameter(format!(
            "The certificate {arn} must be an ACM certificate in us-east-1."
        )));
    }
    Ok(())
}

/// 1 is the classic hosted UI, 2 managed login (text unconfirmed).
fn managed_login_version(version: Option<i64>) -> ApiResult<Option<i64>> {
    match version {
        None | Some(1 | 2) => Ok(version),
        Some(other) => Err(ApiError::invalid_parameter(format!(
            "Invalid ManagedLoginVersion {other}: the version must be 1 or 2."
        ))),
    }
}

/// CreateUserPoolDomain and UpdateUserPoolDomain answer the CloudFront name of custom
/// domains only.
fn cloud_front_domain(description: &DomainDescriptionType) -> Option<String> {
    description
        .custom_domain_config
        .as_ref()
        .and(description.cloud_front_distribution.clone())
}

/// A CloudFront-looking distribution name (`d` and 13 lower-case alphanumerics), stable for a
/// domain name.
fn cloudfront_name(domain: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let digest = Sha256::digest(domain.as_bytes());
    let id: String = digest
        .iter()
        .take(13)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("d{id}.cloudfront.net")
}

/// The bucket of Cognito's hosted-UI assets, named after the region's airport code as
/// observed for us-east-1 (`aws-cognito-prod-iad-assets`); other codes unconfirmed.
fn assets_bucket(region: &str) -> String {
    let code = match region {
        "us-east-1" => "iad",
        "us-east-2" => "cmh",
        "us-west-1" => "sfo",
        "us-west-2" => "pdx",
        "eu-west-1" => "dub",
        "eu-west-2" => "lhr",
        "eu-west-3" => "cdg",
        "eu-central-1" => "fra",
        "eu-north-1" => "arn",
        "ap-south-1" => "bom",
        "ap-northeast-1" => "nrt",
        "ap-northeast-2" => "icn",
        "ap-southeast-1" => "sin",
        "ap-southeast-2" => "syd",
        "ca-central-1" => "yul",
        "sa-east-1" => "gru",
        other => other,
    };
    format!("aws-cognito-prod-{code}-assets")
}

/// `Version`: when the domain's configuration last changed, as `yyyyMMddHHmmss`.
fn version_stamp(now: f64) -> String {
    chrono::DateTime::from_timestamp(now as i64, 0)
        .unwrap_or_default()
        .format("%Y%m%d%H%M%S")
        .to_string()
}

pub fn describe_user_pool_domain(
    app: &App,
    _: &RequestContext,
    input: DescribeUserPoolDomainRequest,
) -> ApiResult<DescribeUserPoolDomainResponse> {
    // An unknown domain is an empty description, not an error.
    let description = app
        .store
        .pool_of_domain(&input.domain)
        .and_then(|pool_id| app.store.pool(&pool_id).ok())
        .and_then(|pool| pool.read().domain.clone())
        .filter(|d| d.domain.as_deref() == Some(input.domain.as_str()))
        .unwrap_or_default();
    Ok(DescribeUserPoolDomainResponse {
        domain_description: Some(description),
    })
}

/// Changes a custom domain's certificate or the managed-login version; omitted settings stay.
pub fn update_user_pool_domain(
    app: &App,
    _: &RequestContext,
    input: UpdateUserPoolDomainRequest,
) -> ApiResult<UpdateUserPoolDomainResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let version = managed_login_version(input.managed_login_version)?;
    let mut pool = pool.write();
    let description = pool
        .domain
        .as_mut()
        .filter(|d| d.domain.as_deref() == Some(input.domain.as_str()))
        .ok_or_else(|| {
            // Text unconfirmed.
            ApiError::new(
                ErrorCode::ResourceNotFoundException,
                format!(
                    "Domain {} does not exist in user pool {}.",
                    input.domain, input.user_pool_id
                ),
            )
        })?;
    match (
        &input.custom_domain_config,
        &description.custom_domain_config,
    ) {
        (Some(config), Some(_)) => {
            check_certificate(config)?;
            description.custom_domain_config = input.custom_domain_config;
        }
        (Some(_), None) => {
            // Text unconfirmed: a prefix domain has no certificate.
            return Err(ApiError::invalid_parameter(
                "CustomDomainConfig cannot be set on a prefix domain.",
            ));
        }
        (None, _) => {}
    }
    if version.is_some() {
        description.managed_login_version = version;
    }
    if input.routing.is_some() {
        description.routing = input.routing;
    }
    description.version = Some(version_stamp(app.clock.now()));
    let response = UpdateUserPoolDomainResponse {
        cloud_front_domain: cloud_front_domain(description),
        managed_login_version: description.managed_login_version,
        routing: description.routing.clone(),
    };
    pool.header_changed();
    Ok(response)
}

pub fn delete_user_pool_domain(
    app: &App,
    _: &RequestContext,
    input: DeleteUserPoolDomainRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    if pool.domain.as_ref().and_then(|d| d.domain.as_deref()) != Some(input.domain.as_str()) {
        return Err(ApiError::invalid_parameter(
            "No such domain or user pool exists.",
        ));
    }
    pool.header_changed();
    pool.domain = None;
    pool.config.domain = None;
    pool.config.custom_domain = None;
    app.store.release_domain(&input.domain);
    Ok(Empty {})
}
