//! The clock the auto-lock measures idle time with.
//!
//! A monotonic `Instant` stops while a phone sleeps (Android's `uptimeMillis`, iOS's
//! `mach_absolute_time`), so a phone left asleep for hours would wake up still unlocked. The
//! default clock is the wall clock, which keeps counting while the phone sleeps; a clock that
//! goes backwards (the time was changed) locks the vault rather than extend the idle time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Time since an arbitrary, fixed epoch, counting time the device spends asleep.
pub trait Clock: Send + Sync {
    /// Time since the clock's epoch.
    fn now(&self) -> Duration;
}

/// The wall clock (the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct WallClock;

impl Clock for WallClock {
    fn now(&self) -> Duration {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }
}

/// A clock that moves only when told to: tests of the auto-lock step it past the timeout
/// exactly, instead of sleeping and hoping.
#[derive(Debug, Default)]
pub struct ManualClock {
    millis: AtomicU64,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        ManualClock::default()
    }

    /// Moves the clock forward by `by` (whole milliseconds).
    pub fn advance(&self, by: Duration) {
        let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }

    /// Moves the clock back, as when a person changes the time.
    pub fn rewind(&self, by: Duration) {
        let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        let _ = self
            .millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                Some(m.saturating_sub(millis))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_millis(self.millis.load(Ordering::SeqCst))
    }
}
