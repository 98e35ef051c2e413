//! The classic hosted UI's customization: a CSS file and a logo, pool-wide (`ALL`) or per
//! app client.

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult};
use crate::generated::cognito_idp::*;
use crate::idp::engine::branding::{effective_ui, image_type, ui_image_url};
use crate::idp::store::branding::{Image, UiCustomization, ALL_CLIENTS};
use crate::idp::store::UserPool;

/// Cognito's documented logo limit ("no larger than 100 KB"); the model allows 128 KiB.
const MAX_IMAGE_BYTES: usize = 100 * 1024;

/// The class names the classic hosted UI lets CSS style (Cognito's developer guide and the
/// console's CSS template), with the pseudo-classes it allows on some of them.
const CSS_CLASSES: &[&str] = &[
    "background-customizable",
    "banner-customizable",
    "errorMessage-customizable",
    "idpButton-customizable",
    "idpButton-customizable:hover",
    "idpDescription-customizable",
    "inputField-customizable",
    "inputField-customizable:focus",
    "label-customizable",
    "legalText-customizable",
    "logo-customizable",
    "passwordCheck-notValid-customizable",
    "passwordCheck-valid-customizable",
    "redirect-customizable",
    "socialButton-customizable",
    "submitButton-customizable",
    "submitButton-customizable:hover",
    "textDescription-customizable",
];

pub fn set_ui_customization(
    app: &App,
    _: &RequestContext,
    input: SetUICustomizationRequest,
) -> ApiResult<SetUICustomizationResponse> {
    let key = input
        .client_id
        .as_deref()
        .unwrap_or(ALL_CLIENTS)
        .to_string();
    if let Some(css) = &input.css {
        check_css(css)?;
    }
    let image = input.image_file.as_deref().map(check_image).transpose()?;
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    require_domain(&pool)?;
    if key != ALL_CLIENTS {
        pool.client(&key)?;
    }
    pool.header_changed();
    let now = app.clock.now();
    let previous = pool.branding.ui.remove(&key);
    if input.css.is_none() && image.is_none() {
        // Neither: the customization is removed (what Terraform's destroy sends); the
        // client falls back to the pool-wide one again.
        return Ok(SetUICustomizationResponse {
            ui_customization: UICustomizationType {
                user_pool_id: Some(input.user_pool_id),
                client_id: Some(key),
                ..Default::default()
            },
        });
    }
    let ui = UiCustomization {
        css: input.css,
        css_version: next_css_version(now, previous.as_ref()),
        image,
        created: previous.as_ref().map_or(now, |p| p.created),
        modified: now,
    };
    let shown = ui_type(app, &input.user_pool_id, &key, &ui);
    pool.branding.ui.insert(key, ui);
    Ok(SetUICustomizationResponse {
        ui_customization: shown,
    })
}

/// A client without its own customization gets the pool-wide one, shown with ClientId
/// `ALL` (unconfirmed against Cognito, which documents the fallback for the pages); with
/// neither, an empty customization (Terraform's provider relies on that).
pub fn get_ui_customization(
    app: &App,
    _: &RequestContext,
    input: GetUICustomizationRequest,
) -> ApiResult<GetUICustomizationResponse> {
    let key = input.client_id.as_deref().unwrap_or(ALL_CLIENTS);
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    require_domain(&pool)?;
    if key != ALL_CLIENTS {
        pool.client(key)?;
    }
    let ui_customization = match effective_ui(&pool, key) {
        Some((key, ui)) => ui_type(app, &input.user_pool_id, key, ui),
        None => UICustomizationType::default(),
    };
    Ok(GetUICustomizationResponse { ui_customization })
}

fn ui_type(app: &App, pool_id: &str, key: &str, ui: &UiCustomization) -> UICustomizationType {
    UICustomizationType {
        user_pool_id: Some(pool_id.to_string()),
        client_id: Some(key.to_string()),
        image_url: ui.image.as_ref().map(|_| ui_image_url(app, pool_id, key)),
        css: ui.css.clone(),
        css_version: Some(ui.css_version.clone()),
        creation_date: Some(ui.created),
        last_modified_date: Some(ui.modified),
    }
}

/// Both operations answer this (text as Cognito's) when the pool has no domain.
fn require_domain(pool: &UserPool) -> ApiResult<()> {
    if pool.domain.is_none() {
        return Err(ApiError::invalid_parameter(
            "There has to be an existing domain associated with this user pool",
        ));
    }
    Ok(())
}

/// A new version on every update: the time in milliseconds, always above the previous one.
/// (Cognito's version format is unconfirmed.)
fn next_css_version(now: f64, previous: Option<&UiCustomization>) -> String {
    let mut version = (now * 1000.0) as u64;
    if let Some(previous) = previous.and_then(|p| p.css_version.parse::<u64>().ok()) {
        version = version.max(previous + 1);
    }
    version.to_string()
}

fn check_image(base64_text: &str) -> ApiResult<Image> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_text)
        .map_err(|_| ApiError::invalid_parameter("ImageFile is not valid base64."))?;
    // Texts unconfirmed: Cognito documents the limit and the formats, not its messages.
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::invalid_parameter(format!(
            "The image file is {} bytes; it can be no larger than 100 KB.",
            bytes.len()
        )));
    }
    let content_type = image_type(&bytes).ok_or_else(|| {
        ApiError::invalid_parameter("The image file must be a PNG or JPEG image.")
    })?;
    Ok(Image {
        content_type: content_type.to_string(),
        base64: base64_text.to_string(),
    })
}

/// Cognito accepts only rules whose selectors are its classes (`.label-customizable`,
/// `.submitButton-customizable:hover`, ...) and refuses `@import`, `@media` and other
/// at-rules, and script in values. The error texts are unconfirmed.
fn check_css(css: &str) -> ApiResult<()> {
    let invalid = |why: String| ApiError::invalid_parameter(format!("Invalid CSS: {why}"));
    let css = strip_comments(css);
    let mut rest = css.as_str();
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return Ok(());
        }
        if trimmed.starts_with('@') {
            let rule: String = trimmed
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '{' && *c != ';')
                .collect();
            return Err(invalid(format!("{rule} rules are not allowed.")));
        }
        let Some(open) = trimmed.find('{') else {
            return Err(invalid(format!(
                "expected a declaration block after '{}'.",
                trimmed.trim_end()
            )));
        };
        let Some(close) = trimmed[open..].find('}').map(|i| open + i) else {
            return Err(invalid("a declaration block is not closed.".to_string()));
        };
        for selector in trimmed[..open].split(',') {
            let selector = selector.trim();
            let allowed = selector
                .strip_prefix('.')
                .is_some_and(|class| CSS_CLASSES.contains(&class));
            if !allowed {
                return Err(invalid(format!(
                    "the selector '{selector}' is not one of the customizable classes."
                )));
            }
        }
        let block = &trimmed[open + 1..close];
        if block.contains('{') {
            return Err(invalid("nested blocks are not allowed.".to_string()));
        }
        let lower = block.to_ascii_lowercase();
        for forbidden in ["javascript:", "expression(", "<script"] {
            if lower.contains(forbidden) {
                return Err(invalid(format!(
                    "'{forbidden}' is not allowed in property values."
                )));
            }
        }
        rest = &trimmed[close + 1..];
    }
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(css: &str) -> String {
        check_css(css).unwrap_err().message
    }

    #[test]
    fn the_customizable_classes_are_accepted() {
        check_css(
            "/* template */ .logo-customizable { max-width: 60%; }\n\
             .submitButton-customizable:hover, .idpButton-customizable:hover { color: #fff; }\n\
             .inputField-customizable:focus{border-color:red}",
        )
        .unwrap();
        check_css("").unwrap();
    }

    #[test]
    fn other_selectors_at_rules_and_script_are_refused() {
        assert_eq!(
            message(".logo-customizable{} body { color: red }"),
            "Invalid CSS: the selector 'body' is not one of the customizable classes."
        );
        assert_eq!(
            message(".label-customizable:hover{color:red}"),
            "Invalid CSS: the selector '.label-customizable:hover' is not one of the customizable classes."
        );
        assert_eq!(
            message("@import url(x.css);"),
            "Invalid CSS: @import rules are not allowed."
        );
        assert_eq!(
            message("@media screen { .logo-customizable { width: 1px } }"),
            "Invalid CSS: @media rules are not allowed."
        );
        assert_eq!(
            message(".banner-customizable{background:url(javascript:alert(1))}"),
            "Invalid CSS: 'javascript:' is not allowed in property values."
        );
        assert_eq!(
            message(".banner-customizable{color:red"),
            "Invalid CSS: a declaration block is not closed."
        );
    }
}
