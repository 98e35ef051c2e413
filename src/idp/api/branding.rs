//! Managed login branding: one style per app client, made of a Settings JSON document and
//! image assets.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::app::App;
use crate::app::RequestContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::Empty;
use crate::idp::engine::branding::{default_settings, merge_settings};
use crate::idp::store::branding::ManagedLoginStyle;
use crate::idp::store::UserPool;
use crate::infra::ids;

pub fn create_managed_login_branding(
    app: &App,
    _: &RequestContext,
    input: CreateManagedLoginBrandingRequest,
) -> ApiResult<CreateManagedLoginBrandingResponse> {
    let use_defaults = input.use_cognito_provided_values == Some(true);
    check_values(use_defaults, &input.settings, &input.assets)?;
    if let Some(assets) = &input.assets {
        check_assets(assets)?;
    }
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    pool.client(&input.client_id)?;
    if pool.branding.style_of_client(&input.client_id).is_some() {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::ManagedLoginBrandingExistsException,
            format!(
                "A managed login branding style already exists for app client {}.",
                input.client_id
            ),
        ));
    }
    pool.header_changed();
    let now = app.clock.now();
    let id = ids::uuid();
    let branding = ManagedLoginBrandingType {
        managed_login_branding_id: Some(id.clone()),
        user_pool_id: Some(input.user_pool_id),
        use_cognito_provided_values: Some(use_defaults),
        settings: input.settings,
        assets: Some(input.assets.unwrap_or_default()),
        creation_date: Some(now),
        last_modified_date: Some(now),
    };
    pool.branding.managed_login.insert(
        id,
        ManagedLoginStyle {
            client_id: input.client_id,
            branding: branding.clone(),
        },
    );
    Ok(CreateManagedLoginBrandingResponse {
        managed_login_branding: Some(branding),
    })
}

pub fn describe_managed_login_branding(
    app: &App,
    _: &RequestContext,
    input: DescribeManagedLoginBrandingRequest,
) -> ApiResult<DescribeManagedLoginBrandingResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    let style = style(&pool, &input.managed_login_branding_id)?;
    Ok(DescribeManagedLoginBrandingResponse {
        managed_login_branding: Some(shown(style, input.return_merged_resources)),
    })
}

pub fn describe_managed_login_branding_by_client(
    app: &App,
    _: &RequestContext,
    input: DescribeManagedLoginBrandingByClientRequest,
) -> ApiResult<DescribeManagedLoginBrandingByClientResponse> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let pool = pool.read();
    pool.client(&input.client_id)?;
    let style = pool
        .branding
        .style_of_client(&input.client_id)
        .ok_or_else(|| {
            // Text unconfirmed.
            ApiError::resource_not_found(format!(
                "App client {} has no managed login branding style.",
                input.client_id
            ))
        })?;
    Ok(DescribeManagedLoginBrandingByClientResponse {
        managed_login_branding: Some(shown(style, input.return_merged_resources)),
    })
}

/// Cognito "preserves existing style settings that you don't specify": Settings are merged
/// into the stored ones (objects member by member), and assets replace those of the same
/// category and color mode. `UseCognitoProvidedValues` reverts the style to the defaults.
pub fn update_managed_login_branding(
    app: &App,
    _: &RequestContext,
    input: UpdateManagedLoginBrandingRequest,
) -> ApiResult<UpdateManagedLoginBrandingResponse> {
    // Optional in the model, needed to name the style: refused as the model refuses nulls.
    let required = |value: &Option<String>, name: &str| {
        value.clone().ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
            ))
        })
    };
    let pool_id = required(&input.user_pool_id, "userPoolId")?;
    let id = required(&input.managed_login_branding_id, "managedLoginBrandingId")?;
    let use_defaults = input.use_cognito_provided_values == Some(true);
    check_values(use_defaults, &input.settings, &input.assets)?;
    if let Some(assets) = &input.assets {
        check_assets(assets)?;
    }
    let pool = app.store.pool(&pool_id)?;
    let mut pool = pool.write();
    style(&pool, &id)?;
    pool.header_changed();
    let now = app.clock.now();
    let style = pool
        .branding
        .managed_login
        .get_mut(&id)
        .expect("checked above");
    let branding = &mut style.branding;
    if use_defaults {
        branding.use_cognito_provided_values = Some(true);
        branding.settings = None;
        branding.assets = Some(Vec::new());
    } else {
        if let Some(settings) = input.settings {
            branding.settings = Some(match branding.settings.take() {
                Some(mut stored) => {
                    merge_settings(&mut stored, settings);
                    stored
                }
                None => settings,
            });
            branding.use_cognito_provided_values = Some(false);
        }
        if let Some(assets) = input.assets {
            let stored = branding.assets.get_or_insert_with(Vec::new);
            for asset in assets {
                stored.retain(|a| (a.category, a.color_mode) != (asset.category, asset.color_mode));
                stored.push(asset);
            }
            branding.use_cognito_provided_values = Some(false);
        }
    }
    branding.last_modified_date = Some(now);
    Ok(UpdateManagedLoginBrandingResponse {
        managed_login_branding: Some(branding.clone()),
    })
}

pub fn delete_managed_login_branding(
    app: &App,
    _: &RequestContext,
    input: DeleteManagedLoginBrandingRequest,
) -> ApiResult<Empty> {
    let pool = app.store.pool(&input.user_pool_id)?;
    let mut pool = pool.write();
    style(&pool, &input.managed_login_branding_id)?;
    pool.header_changed();
    pool.branding
        .managed_login
        .remove(&input.managed_login_branding_id);
    Ok(Empty {})
}

fn style<'a>(pool: &'a UserPool, id: &str) -> ApiResult<&'a ManagedLoginStyle> {
    pool.branding
        .managed_login
        .get(id)
        // Text unconfirmed.
        .ok_or_else(|| {
            ApiError::resource_not_found(format!("Managed login branding {id} does not exist."))
        })
}

/// The style as stored, or with `ReturnMergedResources` merged over the defaults.
fn shown(style: &ManagedLoginStyle, merged: Option<bool>) -> ManagedLoginBrandingType {
    let mut branding = style.branding.clone();
    if merged == Some(true) {
        let mut settings = default_settings();
        if let Some(own) = branding.settings.take() {
            merge_settings(&mut settings, own);
        }
        branding.settings = Some(settings);
    }
    branding
}

/// Cognito's rule: "When you specify true for this option, you must also omit values for
/// Settings and Assets in the request." Text unconfirmed.
fn check_values(
    use_defaults: bool,
    settings: &Option<Value>,
    assets: &Option<Vec<AssetType>>,
) -> ApiResult<()> {
    if use_defaults && (settings.is_some() || assets.as_ref().is_some_and(|a| !a.is_empty())) {
        return Err(ApiError::invalid_parameter(
            "Settings and Assets must be omitted when UseCognitoProvidedValues is true.",
        ));
    }
    if settings.as_ref().is_some_and(|s| !s.is_object()) {
        return Err(ApiError::invalid_parameter(
            "Settings must be a JSON object.",
        ));
    }
    Ok(())
}

/// Each asset: one per category and color mode, favicons in their own format, and bytes
/// that are base64 (the model limits their size). Texts unconfirmed.
fn check_assets(assets: &[AssetType]) -> ApiResult<()> {
    use base64::Engine;
    let mut seen = BTreeSet::new();
    for asset in assets {
        let (category, mode) = (wire(&asset.category), wire(&asset.color_mode));
        if !seen.insert((category.clone(), mode.clone())) {
            return Err(ApiError::invalid_parameter(format!(
                "Assets contain more than one {category} asset for color mode {mode}."
            )));
        }
        let required = match asset.category {
            AssetCategoryType::FaviconIco => Some(AssetExtensionType::Ico),
            AssetCategoryType::FaviconSvg => Some(AssetExtensionType::Svg),
            _ => None,
        };
        if let Some(required) = required.filter(|r| *r != asset.extension) {
            return Err(ApiError::invalid_parameter(format!(
                "A {category} asset must have the extension {}.",
                wire(&required)
            )));
        }
        if let Some(bytes) = &asset.bytes {
            if base64::engine::general_purpose::STANDARD
                .decode(bytes)
                .is_err()
            {
                return Err(ApiError::invalid_parameter(format!(
                    "The bytes of the {category} asset are not valid base64."
                )));
            }
        }
    }
    Ok(())
}

/// The wire name of a generated enum value, for messages.
fn wire(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
