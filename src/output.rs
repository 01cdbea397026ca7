//! The one place that writes a run's files. Every file is first written in full to a
//! temporary file in the target directory and flushed to disk; only when all of them are
//! complete are they renamed into place, each rename atomic. A failure while writing leaves
//! no half-written output (and removes the directory if this run created it and it is still
//! empty). The renames themselves run one after another: if one failed after another had
//! succeeded (both in the same directory, so in practice only if permissions changed during
//! the run) the directory would hold a mix of new and old files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tempfile::NamedTempFile;

/// Why the output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output directory could not be created.
    #[error("cannot create output directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The user asked to stop before the output was written.
    #[error("interrupted: stopped before writing anything")]
    Interrupted,
    /// A file could not be written or moved into place.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// Set once the user has asked the program to stop (Ctrl-C): no write starts after it.
static STOP_REQUESTED: AtomicBool = AtomicBool::new(false);
/// Writes under way.
static WRITING: AtomicUsize = AtomicUsize::new(0);

/// Records that the user asked to stop, and says whether the process may end at once: true
/// unless a write is under way, which then runs to its end (its files complete) while every
/// later write is refused. With sequentially consistent order, either a writer sees the
/// request before it creates any file, or this sees the writer and waits for it.
pub fn request_stop() -> bool {
    STOP_REQUESTED.store(true, Ordering::SeqCst);
    WRITING.load(Ordering::SeqCst) == 0
}

/// Whether [`request_stop`] has been called.
pub fn stop_requested() -> bool {
    STOP_REQUESTED.load(Ordering::SeqCst)
}

/// Marks a write under way for as long as it lives; a command that writes to several places
/// holds one across them all, so a stop request cannot fall between them.
pub struct Writing;

impl Writing {
    /// Starts a write, unless the user has asked to stop.
    pub fn start() -> Result<Writing, OutputError> {
        WRITING.fetch_add(1, Ordering::SeqCst);
        if STOP_REQUESTED.load(Ordering::SeqCst) {
            WRITING.fetch_sub(1, Ordering::SeqCst);
            return Err(OutputError::Interrupted);
        }
        Ok(Writing)
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        WRITING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes `files` (name, bytes) into `dir`, all or nothing.
pub fn write_atomically(
    dir: &Path,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<PathBuf>, OutputError> {
    let _writing = Writing::start()?;
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let result = stage_and_commit(dir, files);
    if result.is_err() && created {
        // Only removes the directory if it is empty: nothing of anyone else's is touched.
        let _ = std::fs::remove_dir(dir);
    }
    result
}

fn stage_and_commit(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>, OutputError> {
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        let werr = |source| OutputError::Write {
            path: path.clone(),
            source,
        };
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // Temporary files are private (0600) by default; the outputs are ordinary files.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let mut tmp: NamedTempFile = builder.tempfile_in(dir).map_err(werr)?;
        tmp.write_all(bytes).map_err(werr)?;
        tmp.as_file().sync_all().map_err(werr)?;
        staged.push((tmp, path));
    }
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, path) in staged {
        tmp.persist(&path).map_err(|e| OutputError::Write {
            path: path.clone(),
            source: e.error,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let files = [
            ("a.txt".to_string(), b"one".to_vec()),
            ("b.txt".to_string(), b"two".to_vec()),
        ];
        let written = write_atomically(&out, &files).unwrap();
        assert_eq!(written.len(), 2);
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "b.txt"]);
        assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"two");
    }

    #[test]
    fn a_file_where_the_directory_should_be_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("taken");
        std::fs::write(&blocker, b"x").unwrap();
        let err = write_atomically(&blocker, &[("a.txt".to_string(), b"one".to_vec())]);
        assert!(matches!(err, Err(OutputError::CreateDir { .. })));
        assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
    }
}
