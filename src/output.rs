//! The one place that writes a command's output folder. A command owns its folder: every file
//! is written in full into a staging folder beside the target (`.<name>.staging`), flushed to
//! disk with a manifest of the files (`manifest.json`: name, size and SHA-256 of each), and
//! only then swapped into place in one step: on Linux an atomic exchange of the two folders
//! (`renameat2` with `RENAME_EXCHANGE`), so that at every instant the target is either the
//! previous complete result or the new complete one; elsewhere two renames. The previous
//! result is then removed with its staging folder, so no file of an earlier run remains.
//!
//! The staging folder is also the lock: its writer holds an advisory lock on it (`flock`,
//! released by the system if the process dies), so a second command writing the same folder
//! at the same time fails with a clear message instead of mixing its files in. A staging
//! folder left by a killed process is unlocked; the next writer takes it over and empties it.
//!
//! A folder that exists, is not empty and has no manifest was not written by this program: it
//! is never replaced (an `--out` pointing at a folder of one's own documents is refused).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::scenario::sha256_hex;

/// The name of the list of a folder's files, written last into every output folder.
pub const MANIFEST_FILE: &str = "manifest.json";

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
    /// Another command is writing the same folder.
    #[error(
        "cannot write {}: another loyalty-sim command is writing it now (its staging folder {} is locked); wait for it to finish or choose another --out",
        path.display(),
        staging.display()
    )]
    Busy {
        /// The output folder.
        path: PathBuf,
        /// The locked staging folder.
        staging: PathBuf,
    },
    /// The target is not a folder this program may replace.
    #[error("refusing to replace {}: {why}", path.display())]
    NotOurs {
        /// The output folder.
        path: PathBuf,
        /// What it is instead.
        why: &'static str,
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

/// One file of a folder's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// File name within the folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// `manifest.json`: which program wrote the folder, and every file it holds besides this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderManifest {
    /// Always "loyalty-sim".
    pub program: String,
    /// Version of the program that wrote the folder.
    pub version: String,
    /// The files, in the order they were written.
    pub files: Vec<ManifestEntry>,
}

impl FolderManifest {
    /// The manifest of `files`.
    pub fn of(files: &[(String, Vec<u8>)]) -> FolderManifest {
        FolderManifest {
            program: "loyalty-sim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            files: files
                .iter()
                .map(|(name, bytes)| ManifestEntry {
                    name: name.clone(),
                    bytes: bytes.len() as u64,
                    sha256: sha256_hex(bytes),
                })
                .collect(),
        }
    }

    /// Reads the manifest of `dir` and checks that the folder holds exactly its files, each
    /// with its size and SHA-256: `Err` says what differs.
    pub fn verify(dir: &Path) -> Result<FolderManifest, String> {
        let path = dir.join(MANIFEST_FILE);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let manifest: FolderManifest = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a manifest ({e})", path.display()))?;
        let mut present: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != MANIFEST_FILE)
            .collect();
        present.sort();
        let mut listed: Vec<String> = manifest.files.iter().map(|f| f.name.clone()).collect();
        listed.sort();
        if present != listed {
            return Err(format!(
                "{} holds {present:?}, its manifest lists {listed:?}",
                dir.display()
            ));
        }
        for f in &manifest.files {
            let content = std::fs::read(dir.join(&f.name))
                .map_err(|e| format!("{}: {e}", dir.join(&f.name).display()))?;
            if content.len() as u64 != f.bytes || sha256_hex(&content) != f.sha256 {
                return Err(format!("{}: not the file its manifest lists", f.name));
            }
        }
        Ok(manifest)
    }
}

/// Writes `files` (name, bytes) as the whole content of `dir`, with a manifest, replacing any
/// earlier output there in one step; all or nothing. Returns the paths written.
pub fn write_atomically(
    dir: &Path,
    files: &[(String, Vec<u8>)],
) -> Result<Vec<PathBuf>, OutputError> {
    write_folder(dir, files, &[])
}

/// As [`write_atomically`], and also writes each single file of `beside` (path, bytes) that
/// lies outside the folder: all are staged in full before the folder is swapped in, each
/// replaced by one rename just after it, so a failure while writing leaves none of them.
pub fn write_folder(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    beside: &[(PathBuf, Vec<u8>)],
) -> Result<Vec<PathBuf>, OutputError> {
    let _writing = Writing::start()?;
    let target = Target::of(dir)?;
    let parent_created = !target.parent.exists();
    std::fs::create_dir_all(&target.parent).map_err(|source| OutputError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let result = target.replace(files, beside);
    if result.is_err() && parent_created {
        // Only removes the folder if it is empty: nothing of anyone else's is touched.
        let _ = std::fs::remove_dir(&target.parent);
    }
    result
}

/// An output folder: where it goes, and the staging folder beside it.
struct Target {
    path: PathBuf,
    parent: PathBuf,
    staging: PathBuf,
}

impl Target {
    fn of(dir: &Path) -> Result<Target, OutputError> {
        // `.`, `..` and paths ending in them have no name of their own: use the real one.
        let path = if dir.file_name().is_none() {
            std::fs::canonicalize(dir).map_err(|source| OutputError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?
        } else {
            dir.to_path_buf()
        };
        let (Some(name), Some(parent)) = (path.file_name(), path.parent()) else {
            return Err(OutputError::NotOurs {
                path: dir.to_path_buf(),
                why: "the root of the file system cannot be an output folder",
            });
        };
        let parent = if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            parent.to_path_buf()
        };
        let mut staging_name = std::ffi::OsString::from(".");
        staging_name.push(name);
        staging_name.push(".staging");
        Ok(Target {
            staging: parent.join(staging_name),
            parent,
            path,
        })
    }

    /// Whether the target exists, refusing what may not be replaced.
    fn check_replaceable(&self) -> Result<bool, OutputError> {
        let meta = match std::fs::symlink_metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(source) => {
                return Err(OutputError::CreateDir {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        if meta.file_type().is_symlink() {
            return Err(OutputError::NotOurs {
                path: self.path.clone(),
                why: "it is a symbolic link; give the folder it points to",
            });
        }
        if !meta.is_dir() {
            return Err(OutputError::CreateDir {
                path: self.path.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file of that name is in the way",
                ),
            });
        }
        let mut entries = std::fs::read_dir(&self.path).map_err(|source| OutputError::Write {
            path: self.path.clone(),
            source,
        })?;
        let empty = entries.next().is_none();
        if !empty && !self.path.join(MANIFEST_FILE).is_file() {
            return Err(OutputError::NotOurs {
                path: self.path.clone(),
                why: "it holds files that loyalty-sim did not write (it has no manifest.json); choose another --out, or empty or remove it",
            });
        }
        Ok(true)
    }

    fn replace(
        &self,
        files: &[(String, Vec<u8>)],
        beside: &[(PathBuf, Vec<u8>)],
    ) -> Result<Vec<PathBuf>, OutputError> {
        let exists = self.check_replaceable()?;
        let _staging_lock = self.claim_staging()?;
        let mut swapped = false;
        let result = self.fill_and_swap(files, beside, exists, &mut swapped);
        if !swapped {
            // The partial new result, still ours (locked): it goes.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        result
    }

    fn fill_and_swap(
        &self,
        files: &[(String, Vec<u8>)],
        beside: &[(PathBuf, Vec<u8>)],
        exists: bool,
        swapped: &mut bool,
    ) -> Result<Vec<PathBuf>, OutputError> {
        let manifest = FolderManifest::of(files);
        let manifest_bytes =
            serde_json::to_vec_pretty(&manifest).map_err(|e| OutputError::Write {
                path: self.staging.join(MANIFEST_FILE),
                source: e.into(),
            })?;
        let mut seen = std::collections::HashSet::new();
        for (name, bytes) in files.iter().chain(std::iter::once(&(
            MANIFEST_FILE.to_string(),
            manifest_bytes,
        ))) {
            let path = self.staging.join(name);
            let werr = |source| OutputError::Write {
                path: self.path.join(name),
                source,
            };
            if !plain_name(name) || !seen.insert(name.as_str()) {
                return Err(werr(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a plain file name, or given twice",
                )));
            }
            let mut file = File::create_new(&path).map_err(werr)?;
            file.write_all(bytes).map_err(werr)?;
            file.sync_all().map_err(werr)?;
        }
        sync_dir(&self.staging).map_err(|source| OutputError::Write {
            path: self.path.clone(),
            source,
        })?;
        // The single files outside the folder: staged beside their targets.
        let mut staged = Vec::with_capacity(beside.len());
        for (path, bytes) in beside {
            staged.push(stage_file(path, bytes)?);
        }
        // The previous result stays locked until it is gone, so a second writer cannot take
        // its place at the staging path while it is being removed.
        let old_lock = if exists {
            Some(lock_dir(&self.path, &self.staging, &self.path)?)
        } else {
            None
        };
        swap(&self.staging, &self.path, exists).map_err(|source| OutputError::Write {
            path: self.path.clone(),
            source,
        })?;
        *swapped = true;
        if exists {
            // The previous result, now at the staging path, still locked by this writer.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        drop(old_lock);
        let _ = sync_dir(&self.parent);
        let mut written: Vec<PathBuf> = files.iter().map(|(n, _)| self.path.join(n)).collect();
        written.push(self.path.join(MANIFEST_FILE));
        for (tmp, path) in staged {
            tmp.persist(&path).map_err(|e| OutputError::Write {
                path: path.clone(),
                source: e.error,
            })?;
            written.push(path);
        }
        Ok(written)
    }

    /// Creates (or takes over a dead writer's) staging folder, empty and locked.
    fn claim_staging(&self) -> Result<File, OutputError> {
        let werr = |source| OutputError::Write {
            path: self.staging.clone(),
            source,
        };
        for _ in 0..3 {
            let fresh = match std::fs::create_dir(&self.staging) {
                Ok(()) => true,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
                Err(source) => return Err(werr(source)),
            };
            let lock = match lock_dir(&self.staging, &self.staging, &self.path) {
                Ok(lock) => lock,
                // Removed between the two steps by the writer that held it: try again.
                Err(OutputError::Write { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            };
            if !same_folder(&lock, &self.staging) {
                continue;
            }
            if !fresh {
                // A leftover of a killed writer: empty it.
                for entry in std::fs::read_dir(&self.staging).map_err(werr)? {
                    let entry = entry.map_err(werr)?;
                    let path = entry.path();
                    let removed = if entry.file_type().map_err(werr)?.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                    removed.map_err(werr)?;
                }
            }
            return Ok(lock);
        }
        Err(OutputError::Busy {
            path: self.path.clone(),
            staging: self.staging.clone(),
        })
    }
}

/// A name that stays inside its folder.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Opens `dir` and takes its lock without waiting: `Busy` if another process holds it.
fn lock_dir(dir: &Path, staging: &Path, target: &Path) -> Result<File, OutputError> {
    let file = File::open(dir).map_err(|source| OutputError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(OutputError::Busy {
            path: target.to_path_buf(),
            staging: staging.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(OutputError::Write {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// Whether the open folder `file` is still the one at `path` (not removed and replaced).
fn same_folder(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Writes `bytes` in full to a temporary file beside `path`, ready to be renamed onto it.
fn stage_file(
    path: &Path,
    bytes: &[u8],
) -> Result<(tempfile::NamedTempFile, PathBuf), OutputError> {
    let werr = |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}.");
    builder.prefix(&prefix).suffix(".partial");
    // Temporary files are private (0600) by default; the outputs are ordinary files.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(dir).map_err(werr)?;
    tmp.write_all(bytes).map_err(werr)?;
    tmp.as_file().sync_all().map_err(werr)?;
    Ok((tmp, path.to_path_buf()))
}

/// Puts the folder `staging` at `target`; the previous `target` (if `exists`) ends up at
/// `staging`.
fn swap(staging: &Path, target: &Path, exists: bool) -> std::io::Result<()> {
    if !exists {
        return std::fs::rename(staging, target);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staging, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // File systems without the exchange: the two renames below.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut aside = staging.as_os_str().to_owned();
    aside.push(".old");
    let aside = PathBuf::from(aside);
    std::fs::rename(target, &aside)?;
    if let Err(e) = std::fs::rename(staging, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(e);
    }
    std::fs::rename(&aside, staging)
}

/// Flushes a folder's entries to disk (where the system allows it).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn pair(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
        (name.to_string(), bytes.to_vec())
    }

    #[test]
    fn writes_every_file_with_a_manifest_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let written =
            write_atomically(&out, &[pair("a.txt", b"one"), pair("b.txt", b"two")]).unwrap();
        assert_eq!(written.len(), 3);
        assert_eq!(names(&out), ["a.txt", "b.txt", MANIFEST_FILE]);
        assert_eq!(names(dir.path()), ["run"]);
        assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"two");
        let manifest = FolderManifest::verify(&out).unwrap();
        // SHA-256 of "one", as `printf one | sha256sum` gives it.
        assert_eq!(
            manifest.files[0].sha256,
            "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed"
        );
    }

    #[test]
    fn a_second_write_replaces_every_file_of_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        write_atomically(&out, &[pair("old.txt", b"1"), pair("both.txt", b"1")]).unwrap();
        write_atomically(&out, &[pair("both.txt", b"2")]).unwrap();
        assert_eq!(names(&out), ["both.txt", MANIFEST_FILE]);
        assert_eq!(std::fs::read(out.join("both.txt")).unwrap(), b"2");
        assert_eq!(names(dir.path()), ["run"]);
        FolderManifest::verify(&out).unwrap();
    }

    #[test]
    fn a_folder_of_other_files_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("thesis.docx"), b"mine").unwrap();
        let err = write_atomically(dir.path(), &[pair("a.txt", b"1")]).unwrap_err();
        assert!(matches!(err, OutputError::NotOurs { .. }), "{err}");
        assert_eq!(names(dir.path()), ["thesis.docx"]);
    }

    #[test]
    fn a_locked_staging_folder_means_another_writer_and_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let staging = dir.path().join(".run.staging");
        std::fs::create_dir(&staging).unwrap();
        let holder = File::open(&staging).unwrap();
        holder.try_lock().unwrap();
        // Another open file description: flock conflicts as between two processes.
        let err = write_atomically(&out, &[pair("a.txt", b"1")]).unwrap_err();
        assert!(matches!(err, OutputError::Busy { .. }), "{err}");
        assert!(err.to_string().contains("another loyalty-sim command"));
        assert!(!out.exists());
        drop(holder);
        // Unlocked, it is a dead writer's leftover: taken over, emptied and gone after.
        std::fs::write(staging.join("half.txt"), b"x").unwrap();
        write_atomically(&out, &[pair("a.txt", b"1")]).unwrap();
        assert_eq!(names(dir.path()), ["run"]);
        assert_eq!(names(&out), ["a.txt", MANIFEST_FILE]);
    }

    #[test]
    fn a_file_where_the_directory_should_be_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("taken");
        std::fs::write(&blocker, b"x").unwrap();
        let err = write_atomically(&blocker, &[pair("a.txt", b"one")]);
        assert!(matches!(err, Err(OutputError::CreateDir { .. })));
        assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
        assert_eq!(names(dir.path()), ["taken"]);
    }

    #[test]
    fn files_beside_the_folder_are_written_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("report");
        let single = dir.path().join("elsewhere").join("scenario.toml");
        write_folder(
            &out,
            &[pair("a.txt", b"1")],
            &[(single.clone(), b"s".to_vec())],
        )
        .unwrap();
        assert_eq!(std::fs::read(&single).unwrap(), b"s");
        assert_eq!(names(single.parent().unwrap()), ["scenario.toml"]);
    }

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        for bad in ["../x", "", "a/b", MANIFEST_FILE] {
            assert!(write_atomically(&out, &[pair(bad, b"1")]).is_err(), "{bad}");
            assert_eq!(names(dir.path()), Vec::<String>::new(), "{bad}");
        }
    }
}
