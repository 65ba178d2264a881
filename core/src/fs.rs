//! Files that hold secrets or must survive a crash: private files and folders (owner only),
//! atomic writes (temporary file, fsync, rename, fsync of the folder) and shredding. The bottom
//! layer of the core: it knows nothing of keys or data.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;

/// Overwrites a file with random bytes, flushes it to disk, then removes it. Used on the key
/// file so the wrapped data keys are gone before anything else is deleted.
pub fn shred_file(path: &Path) -> std::io::Result<()> {
    let len = match fs::metadata(path) {
        Ok(meta) => meta.len() as usize,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    let mut noise = vec![0u8; len.max(1)];
    rand::thread_rng().fill_bytes(&mut noise);
    let mut file = fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(&noise)?;
    file.sync_all()?;
    drop(file);
    fs::remove_file(path)
}

/// Writes `bytes` to `path` through a temporary file, fsync and rename, then fsyncs the folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temporary_sibling(path);
    {
        let mut file = create_private_file(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        // Directory fsync makes the rename durable; not every platform allows opening a folder.
        if let Ok(dir) = fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// Creates (or truncates) a file readable and writable by its owner only.
pub fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates a folder (and its parents) that only its owner can enter.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)
}

pub(crate) fn temporary_sibling(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}
