//! The one clock every expiry reads. Tests (and users, through `/_emulator/clock`) can move
//! it forward instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
pub struct Clock {
    offset_millis: AtomicI64,
    /// While frozen, the time it stands at (milliseconds since the epoch); 0 while it runs.
    frozen_millis: AtomicI64,
}

fn real_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Clock {
    /// Seconds since the Unix epoch, with milliseconds, as Cognito's timestamps carry them.
    pub fn now(&self) -> f64 {
        self.now_millis() as f64 / 1000.0
    }

    fn now_millis(&self) -> i64 {
        match self.frozen_millis.load(Ordering::SeqCst) {
            0 => real_millis().saturating_add(self.offset_millis.load(Ordering::SeqCst)),
            frozen => frozen,
        }
    }

    pub fn offset_seconds(&self) -> f64 {
        (self.now_millis() - real_millis()) as f64 / 1000.0
    }

    pub fn frozen(&self) -> bool {
        self.frozen_millis.load(Ordering::SeqCst) != 0
    }

    /// Moves the clock by `seconds` (at most a century either way per call; NaN is ignored).
    pub fn advance(&self, seconds: f64) {
        const CENTURY_MILLIS: f64 = 100.0 * 365.25 * 86_400_000.0;
        let millis = (seconds * 1000.0).clamp(-CENTURY_MILLIS, CENTURY_MILLIS);
        if millis.is_nan() {
            return;
        }
        let by = |value: i64| Some(value.saturating_add(millis as i64).max(1));
        let _ = self
            .frozen_millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |frozen| {
                (frozen != 0).then_some(frozen).and_then(by)
            });
        let _ = self
            .offset_millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                Some(offset.saturating_add(millis as i64))
            });
    }

    /// Stops the clock where it stands (`true`; only `advance` moves it then), or lets it run
    /// on from where it stands (`false`). Tests use it so that a short window (a one-second
    /// lockout) does not close while a slow machine answers.
    pub fn freeze(&self, frozen: bool) {
        let now = self.now_millis();
        if frozen {
            self.frozen_millis.store(now.max(1), Ordering::SeqCst);
        } else if self.frozen() {
            self.offset_millis
                .store(now - real_millis(), Ordering::SeqCst);
            self.frozen_millis.store(0, Ordering::SeqCst);
        }
    }

    pub fn reset(&self) {
        self.offset_millis.store(0, Ordering::SeqCst);
        self.frozen_millis.store(0, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced_and_runs_on_from_there() {
        let clock = Clock::default();
        clock.freeze(true);
        let frozen = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(clock.now(), frozen);
        clock.advance(1.5);
        assert_eq!(clock.now(), frozen + 1.5);
        clock.freeze(false);
        let running = clock.now();
        assert!(
            running >= frozen + 1.5 && running < frozen + 2.5,
            "{running}"
        );
        assert!((clock.offset_seconds() - 1.5).abs() < 0.5);
        clock.reset();
        assert!(!clock.frozen());
        assert!(clock.offset_seconds().abs() < 0.1);
    }
}
