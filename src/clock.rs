//! The one clock every expiry reads. Tests (and users, through `/_emulator/clock`) can move
//! it forward instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    offset_millis: AtomicI64,
}

impl Clock {
    /// Seconds since the Unix epoch, with milliseconds, as Cognito's timestamps carry them.
    pub fn now(&self) -> f64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        (real + self.offset_millis.load(Ordering::Relaxed)) as f64 / 1000.0
    }

    pub fn offset_seconds(&self) -> f64 {
        self.offset_millis.load(Ordering::Relaxed) as f64 / 1000.0
    }

    pub fn advance(&self, seconds: f64) {
        self.offset_millis
            .fetch_add((seconds * 1000.0) as i64, Ordering::Relaxed);
    }

    pub fn reset(&self) {
        self.offset_millis.store(0, Ordering::Relaxed);
    }
}
