//! Remembered devices: the pool's DeviceConfiguration, new device keys, the error for a
//! device a user does not have, and a device as the API shows it. Shared by the device
//! operations and sign-in (`sign_in/device.rs`).

use rand::Rng;

use crate::error::{ApiError, ErrorCode};
use crate::generated::cognito_idp::{AttributeType, DeviceType};
use crate::idp::store::device::Device;
use crate::idp::store::UserPool;

/// Whether the pool tracks devices: a DeviceConfiguration with any property turns it on.
pub fn tracks_devices(pool: &UserPool) -> bool {
    pool.config.device_configuration.is_some()
}

/// ChallengeRequiredOnNewDevice: a remembered device that proved itself (DEVICE_SRP_AUTH)
/// stands in for MFA.
pub fn replaces_mfa(pool: &UserPool) -> bool {
    pool.config
        .device_configuration
        .as_ref()
        .is_some_and(|c| c.challenge_required_on_new_device == Some(true))
}

/// DeviceOnlyRememberedOnUserPrompt: a confirmed device stays not remembered until
/// UpdateDeviceStatus says otherwise.
pub fn remembered_on_prompt_only(pool: &UserPool) -> bool {
    pool.config
        .device_configuration
        .as_ref()
        .is_some_and(|c| c.device_only_remembered_on_user_prompt == Some(true))
}

/// A device key the user does not have. amazon-cognito-identity-js retries a sign-in
/// without its device key when a ResourceNotFoundException mentions "device" (text
/// unconfirmed).
pub fn device_not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFoundException,
        "Device does not exist.",
    )
}

/// `<region>_<uuid>`, the region being the pool's.
pub fn new_device_key(pool_id: &str) -> String {
    let region = pool_id.split_once('_').map_or(pool_id, |(r, _)| r);
    format!("{region}_{}", crate::infra::ids::uuid())
}

/// A device group key: `-` and nine letters and digits, as observed (format unconfirmed;
/// clients use it verbatim in the device's SRP hashing).
pub fn new_group_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let tail: String = (0..9)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("-{tail}")
}

/// A device as GetDevice and ListDevices show it.
pub fn device_type(key: &str, device: &Device) -> DeviceType {
    let attribute = |name: &str, value: &str| AttributeType {
        name: name.to_string(),
        value: Some(value.to_string()),
    };
    let mut attributes = vec![attribute("device_status", "valid")];
    if let Some(name) = &device.name {
        attributes.push(attribute("device_name", name));
    }
    attributes.push(attribute(
        "dev:device_remembered_status",
        if device.remembered {
            "remembered"
        } else {
            "not_remembered"
        },
    ));
    DeviceType {
        device_key: Some(key.to_string()),
        device_attributes: Some(attributes),
        device_create_date: Some(device.created),
        device_last_modified_date: Some(device.modified),
        device_last_authenticated_date: Some(device.last_authenticated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_model() {
        let key = new_device_key("eu-west-2_AbC123xyZ");
        let (region, id) = key.split_once('_').unwrap();
        assert_eq!(region, "eu-west-2");
        assert_eq!(id.len(), 36);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
        let group = new_group_key();
        assert_eq!(group.len(), 10);
        assert!(group.starts_with('-'));
        assert_ne!(new_group_key(), group);
    }
}
