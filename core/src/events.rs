//! What a profile tells the app without being asked: lock state, data changes, sync progress,
//! directory updates. One [`Bus`] per open profile; the app subscribes through the facade
//! (`Kinship::on_lock_change` and the like) and gets a [`Subscription`] that stops the listener
//! when cancelled or dropped, like matrix-rust-sdk's `TaskHandle`.
//!
//! Delivery rules, which the session relies on:
//! - Listeners run **outside** the profile's state lock. Events raised while the lock is held
//!   are queued in order ([`Bus::enqueue`]) and delivered once it is released ([`Bus::drain`]),
//!   so a listener may call back into the profile (`is_unlocked()`, `journal().list()`).
//! - One thread delivers at a time, in the order the events were queued. An event raised by a
//!   listener (or by another thread while one is delivering) is delivered by the thread already
//!   delivering, right after the current listener returns: nothing is re-entered, nothing is
//!   lost.
//! - A listener that panics is caught and logged; the other listeners, the queue and the
//!   profile's state are unaffected.
//! - Events carry no personal data: a data event names only a feature, a sync event only
//!   counts and the server's group id (never a group name, event title or server URL).
//!
//! This module is at the bottom of the core: it names no feature module, only the topics.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// A change of the vault's lock state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockEvent {
    /// The vault was unlocked (by passphrase or device key).
    Unlocked,
    /// The vault was locked; the keys are wiped from memory.
    Locked {
        /// Who locked it.
        cause: LockCause,
    },
    /// The profile was quick-erased: its keys are gone for good.
    Erased,
}

/// Why the vault locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockCause {
    /// The app asked (`Kinship::lock`).
    Requested,
    /// The auto-lock timeout passed with no use of the data.
    AutoLock,
}

/// The kind of data a committed write touched. Names only: the app re-reads what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataTopic {
    /// Journal entries (added, edited, deleted, imported).
    Journal,
    /// Coping strategies, favourites and logged tries.
    Coping,
    /// The safety plan.
    SafetyPlan,
    /// The person's own directory entries and queued "this number didn't work" reports.
    PersonalDirectory,
    /// Followed groups and their cached events.
    Groups,
    /// Journal check-in reminders.
    Reminders,
}

impl DataTopic {
    const ALL: [DataTopic; 6] = [
        DataTopic::Journal,
        DataTopic::Coping,
        DataTopic::SafetyPlan,
        DataTopic::PersonalDirectory,
        DataTopic::Groups,
        DataTopic::Reminders,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The topics one call touched, coalesced (each at most once per call).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TopicSet(u8);

impl TopicSet {
    pub(crate) fn with(self, topic: DataTopic) -> TopicSet {
        TopicSet(self.0 | topic.bit())
    }

    pub(crate) fn events(self) -> impl Iterator<Item = Event> {
        DataTopic::ALL
            .into_iter()
            .filter(move |t| self.0 & t.bit() != 0)
            .map(Event::Data)
    }
}

/// Progress and results of a sync with the followed groups' servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    /// A sync began with this many followed groups.
    Started {
        /// Followed groups about to be synced.
        groups: usize,
    },
    /// One group is done (or failed).
    GroupFinished {
        /// The group's id on its server (an id the server chose, not what a person wrote).
        group_id: String,
        /// Events added or changed in the local cache.
        new_or_changed: usize,
        /// Events removed from the local cache.
        removed: usize,
        /// Why the group failed, if it did (the error's text: a status, never a URL).
        error: Option<String>,
    },
    /// The sync is over (also when every server was offline).
    Finished {
        /// Groups synced or tried.
        groups: usize,
        /// Groups that failed.
        failed: usize,
    },
}

/// A change of the crisis directory in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryEvent {
    /// A newer signed bundle was installed (by a sync or an explicit install).
    Updated {
        /// The version of the directory now in use.
        version: u64,
    },
}

/// A listener for lock state changes.
pub type LockListener = Arc<dyn Fn(LockEvent) + Send + Sync>;
/// A listener for data changes of one topic.
pub type DataListener = Arc<dyn Fn(DataTopic) + Send + Sync>;
/// A listener for sync progress.
pub type SyncListener = Arc<dyn Fn(SyncEvent) + Send + Sync>;
/// A listener for directory updates.
pub type DirectoryListener = Arc<dyn Fn(DirectoryEvent) + Send + Sync>;

/// Keeps a listener subscribed. [`Subscription::cancel`] stops it, and so does dropping the
/// subscription: keep it for as long as the listener should be called. After `cancel` returns
/// the listener is not called again, except for a delivery already under way on another thread.
///
/// A subscription does not keep the profile open, but the profile keeps its listeners: a
/// listener that holds a `Kinship` handle keeps the profile (and its keys, while unlocked) alive
/// until the subscription is cancelled or dropped. Dropping the profile tells no listener.
pub struct Subscription {
    bus: Weak<Listeners>,
    id: u64,
}

impl Subscription {
    /// Stops the listener. Calling it again does nothing.
    pub fn cancel(&self) {
        if let Some(listeners) = self.bus.upgrade() {
            lock(&listeners.entries).retain(|(id, _)| *id != self.id);
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}

/// One event of any kind, as queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    Lock(LockEvent),
    Data(DataTopic),
    Sync(SyncEvent),
    Directory(DirectoryEvent),
}

/// The event bus of one profile.
#[derive(Default)]
pub(crate) struct Bus {
    listeners: Arc<Listeners>,
    queue: Mutex<Queue>,
}

impl Bus {
    pub(crate) fn on_lock_change(&self, listener: LockListener) -> Subscription {
        self.subscribe(Listener::Lock(listener))
    }

    pub(crate) fn on_data_change(&self, topic: DataTopic, listener: DataListener) -> Subscription {
        self.subscribe(Listener::Data(topic, listener))
    }

    pub(crate) fn on_sync(&self, listener: SyncListener) -> Subscription {
        self.subscribe(Listener::Sync(listener))
    }

    pub(crate) fn on_directory_update(&self, listener: DirectoryListener) -> Subscription {
        self.subscribe(Listener::Directory(listener))
    }

    /// Queues events, in order; nothing is delivered until [`Bus::drain`].
    pub(crate) fn enqueue(&self, events: impl IntoIterator<Item = Event>) {
        lock(&self.queue).events.extend(events);
    }

    /// Queues and delivers at once: for callers that hold no lock.
    pub(crate) fn publish(&self, event: Event) {
        self.enqueue([event]);
        self.drain();
    }

    /// Delivers queued events unless another call is already delivering (that one delivers
    /// them). Must be called with no lock of the profile held.
    pub(crate) fn drain(&self) {
        let mut batch = {
            let mut queue = lock(&self.queue);
            if queue.draining || queue.events.is_empty() {
                return;
            }
            queue.draining = true;
            std::mem::take(&mut queue.events)
        };
        loop {
            for event in batch.drain(..) {
                self.deliver(&event);
            }
            let mut queue = lock(&self.queue);
            if queue.events.is_empty() {
                queue.draining = false;
                return;
            }
            batch = std::mem::take(&mut queue.events);
        }
    }

    fn subscribe(&self, listener: Listener) -> Subscription {
        let id = self
            .listeners
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.listeners.entries).push((id, listener));
        Subscription {
            bus: Arc::downgrade(&self.listeners),
            id,
        }
    }

    fn deliver(&self, event: &Event) {
        // Copied out first, so a listener may subscribe or cancel while being called.
        let targets: Vec<Listener> = lock(&self.listeners.entries)
            .iter()
            .filter(|(_, l)| l.wants(event))
            .map(|(_, l)| l.clone())
            .collect();
        for listener in targets {
            let called = catch_unwind(AssertUnwindSafe(|| listener.call(event)));
            if called.is_err() {
                log::warn!("an event listener panicked; the others still run");
            }
        }
    }
}

#[derive(Default)]
struct Listeners {
    entries: Mutex<Vec<(u64, Listener)>>,
    counter: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Queue {
    events: VecDeque<Event>,
    /// Whether a thread is delivering now.
    draining: bool,
}

#[derive(Clone)]
enum Listener {
    Lock(LockListener),
    Data(DataTopic, DataListener),
    Sync(SyncListener),
    Directory(DirectoryListener),
}

impl Listener {
    fn wants(&self, event: &Event) -> bool {
        match (self, event) {
            (Listener::Lock(_), Event::Lock(_)) => true,
            (Listener::Data(topic, _), Event::Data(changed)) => topic == changed,
            (Listener::Sync(_), Event::Sync(_)) => true,
            (Listener::Directory(_), Event::Directory(_)) => true,
            _ => false,
        }
    }

    fn call(&self, event: &Event) {
        match (self, event) {
            (Listener::Lock(f), Event::Lock(e)) => f(*e),
            (Listener::Data(_, f), Event::Data(topic)) => f(*topic),
            (Listener::Sync(f), Event::Sync(e)) => f(e.clone()),
            (Listener::Directory(f), Event::Directory(e)) => f(*e),
            _ => {}
        }
    }
}

/// Listeners run outside these locks and are caught when they panic, so a poisoned lock here
/// only means a panic in this module's own short critical sections: the data is still whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn delivers_in_order_and_stops_after_cancel_or_drop() {
        let bus = Bus::default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let sub = bus.on_lock_change(Arc::new(move |e| s.lock().unwrap().push(e)));
        bus.enqueue([
            Event::Lock(LockEvent::Unlocked),
            Event::Data(DataTopic::Journal),
            Event::Lock(LockEvent::Locked {
                cause: LockCause::AutoLock,
            }),
        ]);
        assert!(seen.lock().unwrap().is_empty(), "nothing before drain");
        bus.drain();
        assert_eq!(
            *seen.lock().unwrap(),
            vec![
                LockEvent::Unlocked,
                LockEvent::Locked {
                    cause: LockCause::AutoLock
                }
            ]
        );
        sub.cancel();
        bus.publish(Event::Lock(LockEvent::Erased));
        assert_eq!(seen.lock().unwrap().len(), 2);

        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        let sub = bus.on_data_change(
            DataTopic::Coping,
            Arc::new(move |_| {
                c.fetch_add(1, Ordering::SeqCst);
            }),
        );
        bus.publish(Event::Data(DataTopic::Journal));
        bus.publish(Event::Data(DataTopic::Coping));
        drop(sub);
        bus.publish(Event::Data(DataTopic::Coping));
        assert_eq!(
            count.load(Ordering::SeqCst),
            1,
            "only its topic, only while held"
        );
    }

    #[test]
    fn a_panicking_listener_does_not_stop_the_others() {
        let bus = Bus::default();
        let _bad = bus.on_sync(Arc::new(|_| panic!("listener bug")));
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        let _good = bus.on_sync(Arc::new(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        }));
        bus.publish(Event::Sync(SyncEvent::Started { groups: 1 }));
        bus.publish(Event::Sync(SyncEvent::Finished {
            groups: 1,
            failed: 0,
        }));
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn an_event_raised_by_a_listener_is_delivered_after_it_returns() {
        let bus = Arc::new(Bus::default());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (b, s) = (Arc::downgrade(&bus), seen.clone());
        let _sub = bus.on_lock_change(Arc::new(move |e| {
            s.lock().unwrap().push(e);
            if e == LockEvent::Unlocked {
                if let Some(bus) = b.upgrade() {
                    bus.publish(Event::Lock(LockEvent::Erased));
                }
                // Not yet delivered: this listener is still running.
                assert_eq!(s.lock().unwrap().len(), 1);
            }
        }));
        bus.publish(Event::Lock(LockEvent::Unlocked));
        assert_eq!(
            *seen.lock().unwrap(),
            vec![LockEvent::Unlocked, LockEvent::Erased]
        );
    }
}
