//! Encrypted backups of the journal, coping data and safety plan: to a path or to a stream
//! the app opens (Android's Storage Access Framework, iOS's document picker), with progress,
//! off the caller's thread, and cancellable.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{KinshipError, Result};
use crate::profile::passphrase_text;
use crate::task::{off_thread, CancelOnDrop, CancelToken};

/// Implemented by the app (Kotlin or Swift) to drive a progress bar. Called on a worker
/// thread; post to the main thread to touch views.
#[uniffi::export(with_foreign)]
pub trait BackupProgress: Send + Sync {
    fn on_progress(&self, done: i32, total: i32);
}

/// Where an export writes: the app wraps an `OutputStream` (Android's
/// `ContentResolver.openOutputStream`, a `ParcelFileDescriptor`) or a `FileHandle`. Called on a
/// worker thread.
#[uniffi::export(with_foreign)]
pub trait BackupSink: Send + Sync {
    /// The next piece of the file (at most 64 KiB).
    fn write(&self, bytes: Vec<u8>) -> Result<()>;
    /// The file is complete: flush and close.
    fn finish(&self) -> Result<()>;
    /// The export failed or was cancelled after some bytes were written: close and delete what
    /// was written (a partial backup is useless and looks like a real one).
    fn abandon(&self);
}

/// Where an import reads from: the app wraps an `InputStream` or a `FileHandle`.
#[uniffi::export(with_foreign)]
pub trait BackupSource: Send + Sync {
    /// Up to `max_bytes` of the file; an empty array at its end.
    fn read(&self, max_bytes: i32) -> Result<Vec<u8>>;
}

#[derive(Clone, PartialEq, uniffi::Record)]
pub struct BackupExportSummary {
    pub entries: i32,
    /// Damaged entries that could not be included.
    pub unreadable: i32,
}

#[derive(Clone, PartialEq, uniffi::Record)]
pub struct BackupImportSummary {
    pub added: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub strategies: i32,
    pub tries: i32,
    pub skipped_tries: i32,
    pub safety_plan_restored: bool,
}

/// Backups of an unlocked profile (`KinshipProfile.backups()`). Every call runs off the
/// caller's thread; cancelling the coroutine (Kotlin) or the `cancel` token (Swift, or either)
/// stops it between steps, and then:
/// an export to a path leaves no file (not even a temporary one), an export to a sink is
/// `abandon`ed, an import has written nothing.
#[derive(uniffi::Object)]
pub struct Backups {
    pub(crate) core: kinship_core::Kinship,
}

#[uniffi::export(async_runtime = "tokio")]
impl Backups {
    /// Writes an encrypted backup to `path` under its own `passphrase`, atomically.
    #[uniffi::method(default(cancel = None))]
    pub async fn export_to_path(
        &self,
        path: String,
        passphrase: Vec<u8>,
        progress: Option<Arc<dyn BackupProgress>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<BackupExportSummary> {
        let summary = self
            .run(
                passphrase,
                progress,
                cancel,
                move |backups, pass, report, cancelled| {
                    Ok(
                        backups.export_cancellable(
                            &PathBuf::from(path),
                            pass,
                            report,
                            cancelled,
                        )?,
                    )
                },
            )
            .await?;
        Ok(export_summary(summary))
    }

    /// Writes an encrypted backup to `sink`: the bytes go out only once the whole file is
    /// sealed; on failure or cancellation the sink is told to `abandon` it.
    #[uniffi::method(default(cancel = None))]
    pub async fn export_to_sink(
        &self,
        sink: Arc<dyn BackupSink>,
        passphrase: Vec<u8>,
        progress: Option<Arc<dyn BackupProgress>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<BackupExportSummary> {
        let summary = self
            .run(
                passphrase,
                progress,
                cancel,
                move |backups, pass, report, cancelled| {
                    export_into(&sink, backups, pass, report, cancelled)
                },
            )
            .await?;
        Ok(export_summary(summary))
    }

    /// Merges a backup file into this profile in one transaction: a wrong passphrase, a
    /// damaged file or a cancellation changes nothing.
    #[uniffi::method(default(cancel = None))]
    pub async fn import_from_path(
        &self,
        path: String,
        passphrase: Vec<u8>,
        progress: Option<Arc<dyn BackupProgress>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<BackupImportSummary> {
        let summary = self
            .run(
                passphrase,
                progress,
                cancel,
                move |backups, pass, report, cancelled| {
                    Ok(
                        backups.import_cancellable(
                            &PathBuf::from(path),
                            pass,
                            report,
                            cancelled,
                        )?,
                    )
                },
            )
            .await?;
        Ok(import_summary(summary))
    }

    /// As [`Backups::import_from_path`], reading the file from `source` (at most 1 GiB).
    #[uniffi::method(default(cancel = None))]
    pub async fn import_from_source(
        &self,
        source: Arc<dyn BackupSource>,
        passphrase: Vec<u8>,
        progress: Option<Arc<dyn BackupProgress>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<BackupImportSummary> {
        let summary = self
            .run(
                passphrase,
                progress,
                cancel,
                move |backups, pass, report, cancelled| {
                    let mut reader = SourceReader(source);
                    Ok(backups.import_from_reader(&mut reader, pass, report, cancelled)?)
                },
            )
            .await?;
        Ok(import_summary(summary))
    }
}

impl Backups {
    /// Runs one backup call off the caller's thread, stopped by the caller going away or by
    /// `cancel`. `work` gets the core's backups, the passphrase, the progress reporter and the
    /// cancellation check.
    async fn run<T: Send + 'static>(
        &self,
        passphrase: Vec<u8>,
        progress: Option<Arc<dyn BackupProgress>>,
        cancel: Option<Arc<CancelToken>>,
        work: impl FnOnce(
                &kinship_core::backup::Backups,
                &str,
                &mut dyn FnMut(kinship_core::Progress),
                &dyn Fn() -> bool,
            ) -> Result<T>
            + Send
            + 'static,
    ) -> Result<T> {
        let passphrase = passphrase_text(passphrase)?;
        let core = self.core.clone();
        let cancel = CancelOnDrop::new(cancel);
        let cancelled = cancel.checker();
        let done = off_thread(move || {
            let mut report = progress_reporter(progress);
            work(&core.backups(), &passphrase, &mut report, &cancelled)
        })
        .await?;
        cancel.disarm();
        Ok(done)
    }
}

/// Writes the sealed backup into the app's sink, then finishes it; abandons it on any failure.
fn export_into(
    sink: &Arc<dyn BackupSink>,
    backups: &kinship_core::backup::Backups,
    passphrase: &str,
    report: &mut dyn FnMut(kinship_core::Progress),
    cancelled: &dyn Fn() -> bool,
) -> Result<kinship_core::ExportSummary> {
    let mut writer = SinkWriter {
        sink: sink.clone(),
        cancelled: false,
    };
    let written = backups.export_to_writer(&mut writer, passphrase, report, cancelled);
    let finished = match written {
        Ok(summary) => sink.finish().map(|()| summary),
        Err(_) if writer.cancelled => Err(KinshipError::Cancelled),
        Err(err) => Err(err.into()),
    };
    if finished.is_err() {
        sink.abandon();
    }
    finished
}

/// The app's sink as a `Write`, so the core writes streams and files alike. A sink that
/// answers `Cancelled` (its task was cancelled) makes the export `Cancelled`, not a storage
/// failure.
struct SinkWriter {
    sink: Arc<dyn BackupSink>,
    cancelled: bool,
}

impl Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.sink.write(buf.to_vec()).map_err(|err| {
            self.cancelled = matches!(err, KinshipError::Cancelled);
            io_error(err)
        })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The app's source as a `Read`.
struct SourceReader(Arc<dyn BackupSource>);

impl Read for SourceReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let max = i32::try_from(buf.len()).unwrap_or(i32::MAX);
        let bytes = self.0.read(max).map_err(io_error)?;
        if bytes.len() > buf.len() {
            return Err(std::io::Error::other(
                "the app's source returned more bytes than asked for",
            ));
        }
        buf[..bytes.len()].copy_from_slice(&bytes);
        Ok(bytes.len())
    }
}

fn io_error(err: KinshipError) -> std::io::Error {
    std::io::Error::other(err.to_string())
}

fn export_summary(summary: kinship_core::ExportSummary) -> BackupExportSummary {
    BackupExportSummary {
        entries: crate::count_out(summary.entries),
        unreadable: crate::count_out(summary.unreadable),
    }
}

fn import_summary(summary: kinship_core::ImportSummary) -> BackupImportSummary {
    BackupImportSummary {
        added: crate::count_out(summary.added),
        updated: crate::count_out(summary.updated),
        unchanged: crate::count_out(summary.unchanged),
        strategies: crate::count_out(summary.strategies),
        tries: crate::count_out(summary.tries),
        skipped_tries: crate::count_out(summary.skipped_tries),
        safety_plan_restored: summary.safety_plan_restored,
    }
}

fn progress_reporter(
    listener: Option<Arc<dyn BackupProgress>>,
) -> impl FnMut(kinship_core::Progress) {
    move |p: kinship_core::Progress| {
        if let Some(listener) = &listener {
            listener.on_progress(crate::count_out(p.done), crate::count_out(p.total));
        }
    }
}
