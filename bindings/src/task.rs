//! Work that takes time, off the caller's thread, and handles that stop what a call started.
//!
//! The slow calls (Argon2id in create and unlock, backups, search, stats) are `async` on
//! uniffi's tokio support: Kotlin `suspend`, Swift `async`. Each runs on tokio's blocking pool,
//! so neither the app's main thread nor the async workers wait on it. When the app cancels the
//! coroutine or task, uniffi drops the future; [`CancelOnDrop`] turns that into a flag the core
//! checks between steps, so a cancelled backup stops and writes nothing.
//!
//! Swift's generated code (uniffi 0.32) does not drop the Rust future when a `Task` is
//! cancelled (mozilla/uniffi-rs#2771), so the cancellable calls also take an optional
//! [`CancelToken`]: KinshipKit cancels it from `withTaskCancellationHandler`. Kotlin needs none
//! (a cancelled coroutine drops the future), but may pass one too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{KinshipError, Result};

/// Stops what a call started (a listener, a watch). Stopping twice is harmless; dropping the
/// handle without calling [`TaskHandle::cancel`] stops it too, when the foreign side frees it.
#[derive(uniffi::Object)]
pub struct TaskHandle {
    stop: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

#[uniffi::export]
impl TaskHandle {
    /// A handle that stops nothing: for an app's fakes of the feature interfaces, whose
    /// `observe...` methods must return one.
    #[uniffi::constructor]
    pub fn inert() -> Arc<Self> {
        TaskHandle::new(|| {})
    }

    pub fn cancel(&self) {
        let stop = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(stop) = stop {
            stop();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.stop
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }
}

impl TaskHandle {
    pub(crate) fn new(stop: impl FnOnce() + Send + 'static) -> Arc<Self> {
        Arc::new(TaskHandle {
            stop: Mutex::new(Some(Box::new(stop))),
        })
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// A flag the app raises to stop a call it started (the cancellable calls take one).
/// Cancelling after the call ended does nothing; a token can be shared by several calls.
#[derive(Default, uniffi::Object)]
pub struct CancelToken {
    cancelled: AtomicBool,
    wake: tokio::sync::Notify,
}

#[uniffi::export]
impl CancelToken {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(CancelToken::default())
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

impl CancelToken {
    /// Resolves once the token is cancelled.
    async fn cancelled(&self) {
        loop {
            let woken = self.wake.notified();
            if self.is_cancelled() {
                return;
            }
            woken.await;
        }
    }
}

/// Runs `work` (network I/O) until it ends or `token` is cancelled, whichever comes first; a
/// cancelled call is `Cancelled` (dropping `work` stops it between its awaits).
pub(crate) async fn until_cancelled<T>(
    token: Option<Arc<CancelToken>>,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match token {
        None => work.await,
        Some(token) => tokio::select! {
            done = work => done,
            () = token.cancelled() => Err(KinshipError::Cancelled),
        },
    }
}

/// Runs `work` on tokio's blocking pool and waits for it without blocking the caller.
pub(crate) async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| KinshipError::Internal {
            reason: "the work stopped unexpectedly".into(),
        })?
}

/// A flag that is raised when this guard is dropped before [`CancelOnDrop::disarm`]: held by
/// an async call, it says "the caller went away" to the work it started.
pub(crate) struct CancelOnDrop {
    flag: Arc<AtomicBool>,
    token: Option<Arc<CancelToken>>,
    armed: bool,
}

impl CancelOnDrop {
    /// Raised when dropped early, or when the app cancels `token`.
    pub(crate) fn new(token: Option<Arc<CancelToken>>) -> Self {
        CancelOnDrop {
            flag: Arc::new(AtomicBool::new(false)),
            token,
            armed: true,
        }
    }

    /// The check the work calls between steps.
    pub(crate) fn checker(&self) -> impl Fn() -> bool + Send + Sync + 'static {
        let flag = self.flag.clone();
        let token = self.token.clone();
        move || flag.load(Ordering::Relaxed) || token.as_ref().is_some_and(|t| t.is_cancelled())
    }

    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if self.armed {
            self.flag.store(true, Ordering::Relaxed);
        }
    }
}
