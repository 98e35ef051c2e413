//! A user's devices (remembered devices): the keys handed out in `NewDeviceMetadata` and
//! not yet confirmed, and the devices confirmed with ConfirmDevice, with their SRP verifier.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// At most this many keys handed out and not confirmed are kept per user (the oldest go):
/// every sign-in without a DEVICE_KEY hands out one, and most clients never confirm it.
const MAX_UNCONFIRMED: usize = 10;

/// A device confirmed with ConfirmDevice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    pub group_key: String,
    /// DeviceSecretVerifierConfig as sent: standard base64 of `PAD(v)` and of the salt.
    pub verifier: String,
    pub salt: String,
    pub name: Option<String>,
    pub remembered: bool,
    pub created: f64,
    pub modified: f64,
    pub last_authenticated: f64,
}

/// A device key handed out with its group key, waiting for ConfirmDevice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnconfirmedDevice {
    pub key: String,
    pub group_key: String,
    pub created: f64,
    pub last_authenticated: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Devices {
    /// Confirmed devices by device key (the order ListDevices pages follow).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub confirmed: BTreeMap<String, Device>,
    /// Oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed: Vec<UnconfirmedDevice>,
}

impl Devices {
    pub fn is_empty(&self) -> bool {
        self.confirmed.is_empty() && self.unconfirmed.is_empty()
    }

    /// Whether the key is one of this user's devices, confirmed or not.
    pub fn knows(&self, key: &str) -> bool {
        self.confirmed.contains_key(key) || self.unconfirmed.iter().any(|d| d.key == key)
    }

    /// Keeps a newly handed-out key, forgetting the oldest unconfirmed ones beyond the limit.
    pub fn hand_out(&mut self, device: UnconfirmedDevice) {
        self.unconfirmed.push(device);
        let excess = self.unconfirmed.len().saturating_sub(MAX_UNCONFIRMED);
        self.unconfirmed.drain(..excess);
    }

    /// Takes an unconfirmed device out, to confirm it.
    pub fn take_unconfirmed(&mut self, key: &str) -> Option<UnconfirmedDevice> {
        let index = self.unconfirmed.iter().position(|d| d.key == key)?;
        Some(self.unconfirmed.remove(index))
    }

    /// Records a sign-in with a device.
    pub fn signed_in(&mut self, key: &str, now: f64) {
        if let Some(device) = self.confirmed.get_mut(key) {
            device.last_authenticated = now;
        } else if let Some(device) = self.unconfirmed.iter_mut().find(|d| d.key == key) {
            device.last_authenticated = now;
        }
    }

    /// Forgets a device, confirmed or not; whether it was there.
    pub fn forget(&mut self, key: &str) -> bool {
        self.confirmed.remove(key).is_some() || self.take_unconfirmed(key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unconfirmed_keys_are_capped_oldest_first() {
        let mut devices = Devices::default();
        for i in 0..(MAX_UNCONFIRMED + 3) {
            devices.hand_out(UnconfirmedDevice {
                key: format!("k{i}"),
                group_key: "g".into(),
                created: i as f64,
                last_authenticated: i as f64,
            });
        }
        assert_eq!(devices.unconfirmed.len(), MAX_UNCONFIRMED);
        assert!(!devices.knows("k2"));
        assert!(devices.knows("k3"));
        assert!(devices.take_unconfirmed("k3").is_some());
        assert!(!devices.knows("k3"));
        assert!(devices.forget("k4"));
        assert!(!devices.forget("k4"));
    }

    #[test]
    fn empty_devices_are_not_written_and_old_records_load() {
        #[derive(Serialize, Deserialize)]
        struct Holder {
            #[serde(default, skip_serializing_if = "Devices::is_empty")]
            devices: Devices,
        }
        let json = serde_json::to_string(&Holder {
            devices: Devices::default(),
        })
        .unwrap();
        assert_eq!(json, "{}");
        let back: Holder = serde_json::from_str("{}").unwrap();
        assert!(back.devices.is_empty());
    }
}
