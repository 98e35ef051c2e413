//! Provisioned API rate limits: GetProvisionedLimit and UpdateProvisionedLimit, per region
//! and API category (account-level, like Cognito's). The emulator throttles nothing; it keeps
//! the values and checks requests as Cognito does.

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;

/// Cognito's API categories: their free (default) requests per second, and whether
/// UpdateProvisionedLimit may raise them (from Cognito's quota documentation).
const CATEGORIES: &[(&str, i64, bool)] = &[
    ("UserAuthentication", 120, true),
    ("UserCreation", 50, true),
    ("UserFederation", 25, true),
    ("UserAccountRecovery", 30, false),
    ("UserRead", 120, true),
    ("UserUpdate", 25, false),
    ("UserToken", 120, true),
    ("UserResourceRead", 50, true),
    ("UserResourceUpdate", 25, false),
    ("UserList", 30, false),
    ("UserPoolRead", 15, false),
    ("UserPoolUpdate", 15, false),
    ("UserPoolResourceRead", 20, false),
    ("UserPoolResourceUpdate", 15, false),
    ("UserPoolClientRead", 15, false),
    ("UserPoolClientUpdate", 15, false),
    ("ClientAuthentication", 150, false),
    ("LimitManagement", 1, false),
];

/// The emulator's stand-in for the account's maximum in Service Quotas (unconfirmed: real
/// accounts differ).
const MAXIMUM_FACTOR: i64 = 10;

struct Category {
    name: &'static str,
    free: i64,
    adjustable: bool,
}

/// The category a limit definition names (`Attributes.Category`). Texts unconfirmed.
fn category(definition: &LimitDefinitionType) -> ApiResult<Category> {
    let Some(name) = definition.attributes.get("Category") else {
        return Err(ApiError::invalid_parameter(
            "An API_CATEGORY limit needs the attribute Category.",
        ));
    };
    CATEGORIES
        .iter()
        .find(|(known, _, _)| known == name)
        .map(|&(name, free, adjustable)| Category {
            name,
            free,
            adjustable,
        })
        .ok_or_else(|| ApiError::resource_not_found(format!("No API category named {name}.")))
}

fn limit(app: &App, ctx: &RequestContext, definition: LimitDefinitionType) -> ApiResult<LimitType> {
    let category = category(&definition)?;
    let provisioned = app
        .limits
        .get(&ctx.region, category.name)
        .unwrap_or(category.free);
    Ok(LimitType {
        free_limit_value: category.free,
        limit_definition: definition,
        provisioned_limit_value: provisioned,
    })
}

pub fn get_provisioned_limit(
    app: &App,
    ctx: &RequestContext,
    input: GetProvisionedLimitRequest,
) -> ApiResult<GetProvisionedLimitResponse> {
    Ok(GetProvisionedLimitResponse {
        limit: limit(app, ctx, input.limit_definition)?,
    })
}

pub fn update_provisioned_limit(
    app: &App,
    ctx: &RequestContext,
    input: UpdateProvisionedLimitRequest,
) -> ApiResult<UpdateProvisionedLimitResponse> {
    let category = category(&input.limit_definition)?;
    let requested = input.requested_limit_value;
    if !category.adjustable {
        return Err(ApiError::invalid_parameter(format!(
            "The {} category's limit cannot be adjusted.",
            category.name
        )));
    }
    if requested < category.free {
        return Err(ApiError::invalid_parameter(format!(
            "RequestedLimitValue must be at least the {} category's default limit, {}.",
            category.name, category.free
        )));
    }
    let maximum = category.free * MAXIMUM_FACTOR;
    if requested > maximum {
        return Err(ApiError::new(
            ErrorCode::ServiceQuotaExceededException,
            format!(
                "RequestedLimitValue exceeds the account's maximum for the {} category, {maximum}.",
                category.name
            ),
        ));
    }
    app.limits.set(&ctx.region, category.name, requested);
    Ok(UpdateProvisionedLimitResponse {
        limit: limit(app, ctx, input.limit_definition)?,
    })
}
