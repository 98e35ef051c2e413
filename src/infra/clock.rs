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
        real.saturating_add(self.offset_millis.load(Ordering::Relaxed)) as f64 / 1000.0
    }

    pub fn offset_seconds(&self) -> f64 {
        self.offset_millis.load(Ordering::Relaxed) as f64 / 1000.0
    }

    /// Moves the clock by `seconds` (at most a century either way per call; NaN is ignored).
    pub fn advance(&self, seconds: f64) {
        const CENTURY_MILLIS: f64 = 100.0 * 365.25 * 86_400_000.0;
        let millis = (seconds * 1000.0).clamp(-CENTURY_MILLIS, CENTURY_MILLIS);
        if millis.is_nan() {
            return;
        }
        let _ = self
            .offset_millis
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                Some(offset.saturating_add(millis as i64))
            });
    }

    pub fn reset(&self) {
        self.offset_millis.store(0, Ordering::Relaxed);
    }
}
