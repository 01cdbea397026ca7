//! The one place that reads an input file: only a regular file (a FIFO, a device such as
//! `/dev/zero` or a folder would hang or exhaust memory), or `-` for standard input where a
//! command allows it, and never more than a stated number of bytes.

use std::io::Read;
use std::path::Path;

/// Largest scenario file read: far beyond any hand-written scenario.
pub const SCENARIO_LIMIT: u64 = 64 << 20;
/// Largest transaction log read (about 10⁸ rows).
pub const LOG_LIMIT: u64 = 8 << 30;
/// Largest part of a sharded run read.
pub const PART_LIMIT: u64 = 16 << 30;

/// Reads all of `path`, at most `limit` bytes; `-` reads standard input if `stdin_allowed`.
/// Errors are the operating system's, or `InvalidInput` naming what the path is instead.
pub fn read_limited(path: &Path, limit: u64, stdin_allowed: bool) -> std::io::Result<Vec<u8>> {
    if stdin_allowed && path.as_os_str() == "-" {
        return read_up_to(std::io::stdin().lock(), limit);
    }
    // Looked at before opening: opening a FIFO waits for a writer.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, device or socket)"
        };
        let hint = if stdin_allowed {
            "; give a regular file, or - to read standard input"
        } else {
            "; give a regular file"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}{hint}"),
        ));
    }
    if meta.len() > limit {
        return Err(too_big(limit));
    }
    read_up_to(std::fs::File::open(path)?, limit)
}

fn read_up_to(reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(limit));
    }
    Ok(bytes)
}

fn too_big(limit: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("larger than the {} MiB this program reads", limit >> 20),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_within_the_limit_and_refuses_beyond_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, vec![b'x'; 3 << 20]).unwrap();
        assert_eq!(read_limited(&path, 4 << 20, false).unwrap().len(), 3 << 20);
        let err = read_limited(&path, 2 << 20, false).unwrap_err();
        assert_eq!(err.to_string(), "larger than the 2 MiB this program reads");
    }

    #[test]
    fn devices_and_folders_are_refused_without_reading() {
        // /dev/zero never ends: reading it would exhaust memory.
        let err = read_limited(Path::new("/dev/zero"), 1 << 20, true).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert!(
            err.to_string().contains("- to read standard input"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let err = read_limited(dir.path(), 1 << 20, false).unwrap_err();
        assert!(err.to_string().contains("a folder"), "{err}");
    }
}
