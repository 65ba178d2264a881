//! Listeners the app registers: lock state (auto-lock included, as it fires), data changes per
//! feature, sync progress, directory updates. Each registration returns a [`TaskHandle`] that
//! stops it; listeners are called on the core's threads, outside its locks, so one may call
//! back into the profile (post to the main thread to touch views).

use std::sync::Arc;

use kinship_core::events::{DataTopic, DirectoryEvent, LockCause, LockEvent, SyncEvent};

use crate::task::TaskHandle;

/// The vault's lock state as a listener sees it change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LockState {
    Unlocked,
    /// Locked: keys wiped. `by_auto_lock` when the idle timeout did it, not the app.
    Locked {
        by_auto_lock: bool,
    },
    /// Quick-erased: nothing is left; only a new profile can be created.
    Erased,
}

/// A step of a sync, for a progress indicator.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncProgress {
    Started {
        groups: i32,
    },
    GroupFinished {
        group_id: String,
        new_or_changed: i32,
        removed: i32,
        /// Why this group failed (a status, never an address).
        error: Option<String>,
    },
    Finished {
        groups: i32,
        failed: i32,
    },
}

#[uniffi::export(with_foreign)]
pub trait LockListener: Send + Sync {
    fn on_lock_state(&self, state: LockState);
}

/// Told that a feature's data changed (after the write is durable); re-read what is shown.
#[uniffi::export(with_foreign)]
pub trait ChangeListener: Send + Sync {
    fn on_change(&self);
}

#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    fn on_sync_progress(&self, progress: SyncProgress);
}

#[uniffi::export(with_foreign)]
pub trait DirectoryListener: Send + Sync {
    /// A newer signed directory is in use.
    fn on_directory_updated(&self, version: i64);
}

/// A handle that ends `subscription` when cancelled or freed.
pub(crate) fn handle_for(subscription: kinship_core::events::Subscription) -> Arc<TaskHandle> {
    TaskHandle::new(move || drop(subscription))
}

pub(crate) fn observe_lock(
    core: &kinship_core::Kinship,
    listener: Arc<dyn LockListener>,
) -> Arc<TaskHandle> {
    handle_for(core.on_lock_change(Arc::new(move |event| listener.on_lock_state(event.into()))))
}

pub(crate) fn observe_changes(
    core: &kinship_core::Kinship,
    topic: DataTopic,
    listener: Arc<dyn ChangeListener>,
) -> Arc<TaskHandle> {
    handle_for(core.on_data_change(topic, Arc::new(move |_| listener.on_change())))
}

pub(crate) fn observe_sync(
    core: &kinship_core::Kinship,
    listener: Arc<dyn SyncListener>,
) -> Arc<TaskHandle> {
    handle_for(core.on_sync(Arc::new(move |event| {
        listener.on_sync_progress(event.into())
    })))
}

pub(crate) fn observe_directory(
    core: &kinship_core::Kinship,
    listener: Arc<dyn DirectoryListener>,
) -> Arc<TaskHandle> {
    handle_for(core.on_directory_update(Arc::new(move |event| match event {
        DirectoryEvent::Updated { version } => {
            listener.on_directory_updated(i64::try_from(version).unwrap_or(i64::MAX))
        }
    })))
}

impl From<LockEvent> for LockState {
    fn from(event: LockEvent) -> Self {
        match event {
            LockEvent::Unlocked => LockState::Unlocked,
            LockEvent::Locked { cause } => LockState::Locked {
                by_auto_lock: cause == LockCause::AutoLock,
            },
            LockEvent::Erased => LockState::Erased,
        }
    }
}

impl From<SyncEvent> for SyncProgress {
    fn from(event: SyncEvent) -> Self {
        match event {
            SyncEvent::Started { groups } => SyncProgress::Started {
                groups: crate::count_out(groups),
            },
            SyncEvent::GroupFinished {
                group_id,
                new_or_changed,
                removed,
                error,
            } => SyncProgress::GroupFinished {
                group_id,
                new_or_changed: crate::count_out(new_or_changed),
                removed: crate::count_out(removed),
                error,
            },
            SyncEvent::Finished { groups, failed } => SyncProgress::Finished {
                groups: crate::count_out(groups),
                failed: crate::count_out(failed),
            },
        }
    }
}
