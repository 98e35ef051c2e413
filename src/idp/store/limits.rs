//! The account's provisioned API rate limits (UpdateProvisionedLimit), per region and API
//! category: account-level state, kept durable as a section of the store's commits.

use std::collections::{BTreeMap, BTreeSet};

use parking_lot::Mutex;

use super::sections::DurableSection;

#[derive(Debug, Default)]
pub struct ProvisionedLimits {
    /// `<region>/<category>` → requests per second.
    values: Mutex<BTreeMap<String, i64>>,
    changed: Mutex<BTreeSet<String>>,
}

fn key(region: &str, category: &str) -> String {
    format!("{region}/{category}")
}

impl ProvisionedLimits {
    pub fn get(&self, region: &str, category: &str) -> Option<i64> {
        self.values.lock().get(&key(region, category)).copied()
    }

    pub fn set(&self, region: &str, category: &str, value: i64) {
        let key = key(region, category);
        self.values.lock().insert(key.clone(), value);
        self.changed.lock().insert(key);
    }
}

impl DurableSection for ProvisionedLimits {
    fn kind(&self) -> &'static str {
        "provisioned_limit"
    }

    fn has_changes(&self) -> bool {
        !self.changed.lock().is_empty()
    }

    fn take_changes(&self) -> Vec<(String, Option<String>)> {
        let changed = std::mem::take(&mut *self.changed.lock());
        let values = self.values.lock();
        changed
            .into_iter()
            .map(|key| {
                let value = values.get(&key).map(i64::to_string);
                (key, value)
            })
            .collect()
    }

    fn restore(&self, rows: Vec<(String, String)>) -> Result<(), String> {
        let mut values = self.values.lock();
        for (key, data) in rows {
            let value = data
                .parse()
                .map_err(|e| format!("provisioned limit {key} on disk: {e}"))?;
            values.insert(key, value);
        }
        Ok(())
    }

    fn clear(&self) {
        self.values.lock().clear();
        self.changed.lock().clear();
    }
}
