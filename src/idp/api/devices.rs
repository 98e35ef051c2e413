//! Remembered devices: ConfirmDevice, and getting, listing, marking and forgetting a user's
//! devices with their access token or as an administrator. Signing in with a device is in
//! [`crate::idp::engine::sign_in`].

use crate::app::{App, RequestContext};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::generated::cognito_idp::*;
use crate::idp::api::{decode_token, encode_token, page_size, Empty};
use crate::idp::engine::devices::{device_not_found, device_type, remembered_on_prompt_only};
use crate::idp::engine::tokens::verify_access_token;
use crate::idp::store::device::Device;
use crate::idp::store::{PoolHandle, UserKey};
use crate::infra::crypto::srp;

/// Whose devices an operation is about.
struct Owner {
    pool: PoolHandle,
    user: UserKey,
}

/// The access token's user. GetDevice and ForgetDevice model the token as optional, but
/// nothing else could name the user.
fn by_token(app: &App, token: Option<&str>) -> ApiResult<Owner> {
    // Text unconfirmed.
    let token = token
        .ok_or_else(|| ApiError::invalid_parameter("Missing required parameter AccessToken"))?;
    let token = verify_access_token(app, token)?;
    Ok(Owner {
        pool: token.pool,
        user: token.user,
    })
}

/// A user of a pool, by username or alias.
fn by_name(app: &App, pool_id: &str, username: &str) -> ApiResult<Owner> {
    let pool = app.store.pool(pool_id)?;
    let user = pool.read().find_user(username)?;
    Ok(Owner { pool, user })
}

fn get(owner: &Owner, key: &str) -> ApiResult<DeviceType> {
    let pool = owner.pool.read();
    let device = pool
        .user(owner.user)?
        .extras()
        .devices
        .confirmed
        .get(key)
        .ok_or_else(device_not_found)?;
    Ok(device_type(key, device))
}

fn list(
    owner: &Owner,
    limit: Option<i64>,
    token: Option<&str>,
) -> ApiResult<(Vec<DeviceType>, Option<String>)> {
    use std::ops::Bound;
    let after = decode_token(token)?;
    let pool = owner.pool.read();
    let devices = &pool.user(owner.user)?.extras().devices.confirmed;
    let start = after.map_or(Bound::Unbounded, Bound::Excluded);
    let mut iter = devices.range::<String, _>((start, Bound::Unbounded));
    let page: Vec<(&String, &Device)> = iter.by_ref().take(page_size(limit)).collect();
    let next = match (iter.next(), page.last()) {
        (Some(_), Some((key, _))) => Some(encode_token(key)),
        _ => None,
    };
    let listed = page.into_iter().map(|(k, d)| device_type(k, d)).collect();
    Ok((listed, next))
}

fn set_status(
    app: &App,
    owner: &Owner,
    key: &str,
    status: Option<DeviceRememberedStatusType>,
) -> ApiResult<()> {
    // Text unconfirmed.
    let status = status.ok_or_else(|| {
        ApiError::invalid_parameter("Missing required parameter DeviceRememberedStatus")
    })?;
    let now = app.clock.now();
    let mut pool = owner.pool.write();
    if !pool
        .user(owner.user)?
        .extras()
        .devices
        .confirmed
        .contains_key(key)
    {
        return Err(device_not_found());
    }
    pool.users.update(owner.user, |u| {
        if let Some(device) = u.extras_mut().devices.confirmed.get_mut(key) {
            device.remembered = status == DeviceRememberedStatusType::Remembered;
            device.modified = now;
        }
    });
    Ok(())
}

/// Forgets a device (confirmed or only handed out) and revokes the tokens issued to it
/// (unconfirmed, but what the device's refresh token being bound to it implies).
fn forget(app: &App, owner: &Owner, key: &str) -> ApiResult<()> {
    let now = app.clock.now();
    let mut pool = owner.pool.write();
    if !pool.user(owner.user)?.extras().devices.knows(key) {
        return Err(device_not_found());
    }
    pool.users
        .update(owner.user, |u| u.extras_mut().devices.forget(key));
    pool.auth.revoke_device(owner.user, key, now);
    Ok(())
}

pub fn confirm_device(
    app: &App,
    _: &RequestContext,
    input: ConfirmDeviceRequest,
) -> ApiResult<ConfirmDeviceResponse> {
    let token = verify_access_token(app, &input.access_token)?;
    let config = input.device_secret_verifier_config.unwrap_or_default();
    // Texts unconfirmed.
    let (Some(verifier), Some(salt)) = (config.password_verifier, config.salt) else {
        return Err(ApiError::invalid_parameter(
            "DeviceSecretVerifierConfig needs a PasswordVerifier and a Salt.",
        ));
    };
    if srp::device_verifier(&verifier, &salt).is_none() {
        return Err(ApiError::invalid_parameter(
            "Invalid DeviceSecretVerifierConfig: PasswordVerifier and Salt must be base64.",
        ));
    }
    let now = app.clock.now();
    let mut pool = token.pool.write();
    let prompt_only = remembered_on_prompt_only(&pool);
    let devices = &pool.user(token.user)?.extras().devices;
    if devices.confirmed.contains_key(&input.device_key) {
        // Text unconfirmed.
        return Err(ApiError::new(
            ErrorCode::DeviceKeyExistsException,
            "Device key already exists.",
        ));
    }
    let handed_out = devices
        .unconfirmed
        .iter()
        .find(|d| d.key == input.device_key)
        .cloned()
        .ok_or_else(device_not_found)?;
    let device = Device {
        group_key: handed_out.group_key,
        verifier,
        salt,
        name: input.device_name,
        remembered: !prompt_only,
        created: handed_out.created,
        modified: now,
        last_authenticated: handed_out.last_authenticated,
    };
    pool.users.update(token.user, |u| {
        u.extras_mut().devices.take_unconfirmed(&input.device_key);
        u.extras_mut()
            .devices
            .confirmed
            .insert(input.device_key.clone(), device);
    });
    Ok(ConfirmDeviceResponse {
        user_confirmation_necessary: Some(prompt_only),
    })
}

pub fn get_device(
    app: &App,
    _: &RequestContext,
    input: GetDeviceRequest,
) -> ApiResult<GetDeviceResponse> {
    let owner = by_token(app, input.access_token.as_deref())?;
    Ok(GetDeviceResponse {
        device: get(&owner, &input.device_key)?,
    })
}

pub fn admin_get_device(
    app: &App,
    _: &RequestContext,
    input: AdminGetDeviceRequest,
) -> ApiResult<AdminGetDeviceResponse> {
    let owner = by_name(app, &input.user_pool_id, &input.username)?;
    Ok(AdminGetDeviceResponse {
        device: get(&owner, &input.device_key)?,
    })
}

pub fn list_devices(
    app: &App,
    _: &RequestContext,
    input: ListDevicesRequest,
) -> ApiResult<ListDevicesResponse> {
    let owner = by_token(app, Some(input.access_token.as_str()))?;
    let (devices, next) = list(&owner, input.limit, input.pagination_token.as_deref())?;
    Ok(ListDevicesResponse {
        devices: Some(devices),
        pagination_token: next,
    })
}

pub fn admin_list_devices(
    app: &App,
    _: &RequestContext,
    input: AdminListDevicesRequest,
) -> ApiResult<AdminListDevicesResponse> {
    let owner = by_name(app, &input.user_pool_id, &input.username)?;
    let (devices, next) = list(&owner, input.limit, input.pagination_token.as_deref())?;
    Ok(AdminListDevicesResponse {
        devices: Some(devices),
        pagination_token: next,
    })
}

pub fn update_device_status(
    app: &App,
    _: &RequestContext,
    input: UpdateDeviceStatusRequest,
) -> ApiResult<UpdateDeviceStatusResponse> {
    let owner = by_token(app, Some(input.access_token.as_str()))?;
    set_status(
        app,
        &owner,
        &input.device_key,
        input.device_remembered_status,
    )?;
    Ok(UpdateDeviceStatusResponse {})
}

pub fn admin_update_device_status(
    app: &App,
    _: &RequestContext,
    input: AdminUpdateDeviceStatusRequest,
) -> ApiResult<AdminUpdateDeviceStatusResponse> {
    let owner = by_name(app, &input.user_pool_id, &input.username)?;
    set_status(
        app,
        &owner,
        &input.device_key,
        input.device_remembered_status,
    )?;
    Ok(AdminUpdateDeviceStatusResponse {})
}

pub fn forget_device(
    app: &App,
    _: &RequestContext,
    input: ForgetDeviceRequest,
) -> ApiResult<Empty> {
    let owner = by_token(app, input.access_token.as_deref())?;
    forget(app, &owner, &input.device_key)?;
    Ok(Empty {})
}

pub fn admin_forget_device(
    app: &App,
    _: &RequestContext,
    input: AdminForgetDeviceRequest,
) -> ApiResult<Empty> {
    let owner = by_name(app, &input.user_pool_id, &input.username)?;
    forget(app, &owner, &input.device_key)?;
    Ok(Empty {})
}
