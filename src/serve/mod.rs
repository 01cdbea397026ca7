//! The workbench: `loyalty-sim serve`, a local web page where a person opens a scenario, edits
//! it in a form generated from the scenario schema, runs a quick preview and compares designs.
//!
//! The page is plain HTML, CSS and JavaScript compiled into the program. The server (axum on
//! tokio) holds no state of its own besides the list of scenarios it may open: designs live
//! in the page, so two browser sessions never see each other's work. Every rule, run and
//! comparison is the library's own ([`crate::scenario`], [`crate::run`],
//! [`crate::decide::compare`]); simulations run on the blocking pool and rayon, never on the
//! threads that answer requests.
//!
//! Safe by default: it listens on the loopback address unless told otherwise; it opens only
//! the shipped scenarios and the files named on its command line, by name, never a path a
//! request gives; request bodies are limited; at most [`MAX_RUNS`] runs go at once, the rest
//! wait in line; a preview whose page goes away is cancelled; every error is a message.

mod api;
mod edit;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::shipped;

/// Runs (previews and comparisons) simulated at once; the rest wait.
pub const MAX_RUNS: usize = 2;
/// Most trials of a preview (unless the page asks for others), and the trials of a sweep's
/// points and of a comparison.
pub const PREVIEW_TRIALS: u64 = 20;
/// Fewest trials of a preview: enough for a median and a Monte Carlo error.
pub const MIN_PREVIEW_TRIALS: u64 = 5;
/// Customer-months a preview simulates at most (each world once; beyond the fewest trials):
/// about a second's work on two cores at the `bench` reference's 60 million customer-months a
/// second, both worlds counted.
pub const PREVIEW_CUSTOMER_MONTHS: u64 = 30_000_000;

/// Trials of a preview of `customers` over `months`: as many as fit in
/// [`PREVIEW_CUSTOMER_MONTHS`], from [`MIN_PREVIEW_TRIALS`] to [`PREVIEW_TRIALS`], so a preview
/// of a large base answers as soon as one of a small base, with a larger Monte Carlo error.
pub fn preview_trials(customers: u64, months: u32) -> u64 {
    let per_trial = customers.saturating_mul(u64::from(months)).max(1);
    (PREVIEW_CUSTOMER_MONTHS / per_trial).clamp(MIN_PREVIEW_TRIALS, PREVIEW_TRIALS)
}
/// Most points a sweep on the page may have.
pub const MAX_SWEEP_STEPS: usize = 11;
/// Trials of a lesson on the page (fewer than `loyalty-sim learn`'s: the page answers a slider).
pub const LESSON_TRIALS: u64 = 4;
/// Customers of a lesson on the page.
pub const LESSON_CUSTOMERS: u64 = 3000;
/// Most trials a request may ask for (a sweep's points together).
pub const MAX_REQUEST_TRIALS: u64 = 100_000;
/// Largest request body accepted, in bytes (a scenario is a few kilobytes; four designs and
/// their comments fit many times over).
pub const BODY_LIMIT: usize = 1 << 20;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on (loopback unless the user says otherwise).
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Scenario files, or folders whose `*.toml` files the page may open.
    pub scenarios: Vec<PathBuf>,
}

/// Why the workbench could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be listened on.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// host:port as given.
        address: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A scenario or folder on the command line cannot be read.
    #[error("cannot open {}: {why}", path.display())]
    Scenario {
        /// The path as given.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The server failed.
    #[error("the workbench stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Where a scenario of the list comes from.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// Compiled into the program.
    Shipped(&'static str),
    /// A file named on the command line (or found in a folder named there).
    File(PathBuf),
}

/// A scenario the page may open.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The name the page asks for it by.
    pub(crate) name: String,
    /// Where its text is.
    pub(crate) origin: Origin,
}

/// The scenarios the page may open: the shipped ones, then the files named on the command
/// line, each folder's `*.toml` files in name order.
pub(crate) fn library(paths: &[PathBuf]) -> Result<Vec<Entry>, ServeError> {
    let mut entries: Vec<Entry> = shipped::SCENARIOS
        .iter()
        .map(|s| Entry {
            name: s.name.to_string(),
            origin: Origin::Shipped(s.text),
        })
        .collect();
    let bad = |path: &Path, why: String| ServeError::Scenario {
        path: path.to_path_buf(),
        why,
    };
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| bad(path, e.to_string()))?;
        let files: Vec<PathBuf> = if meta.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| bad(path, e.to_string()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let name = file.display().to_string();
            if !entries.iter().any(|e| e.name == name) {
                entries.push(Entry {
                    name,
                    origin: Origin::File(file),
                });
            }
        }
    }
    Ok(entries)
}

/// Serves the workbench until the process is stopped; `ready` is told the page's address
/// once the server listens.
pub fn serve(options: &ServeOptions, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let entries = library(&options.scenarios)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()?;
    runtime.block_on(async {
        let address = format!("{}:{}", options.host, options.port);
        let listener = tokio::net::TcpListener::bind(&address)
            .await
            .map_err(|source| ServeError::Bind {
                address: address.clone(),
                source,
            })?;
        let local: SocketAddr = listener.local_addr()?;
        let host = if local.is_ipv6() {
            format!("[{}]", local.ip())
        } else {
            local.ip().to_string()
        };
        ready(&format!("http://{host}:{}/", local.port()));
        let app = api::router(Arc::new(api::AppState::new(entries)));
        axum::serve(listener, app).await?;
        Ok(())
    })
}

/// Whether `host` is a loopback address (or `localhost`): reachable from this machine only.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_fits_its_trials_to_the_base() {
        // 30,000,000 customer-months: 40,000 customers × 36 months is 1,440,000 a trial, 20
        // trials fit (28.8 M); 100,000 × 36 = 3,600,000 a trial, 8 fit (28.8 M); 20,000 × 36,
        // 41 fit, capped at 20; ten million customers fit none, at least 5.
        assert_eq!(preview_trials(40_000, 36), 20);
        assert_eq!(preview_trials(100_000, 36), 8);
        assert_eq!(preview_trials(20_000, 36), 20);
        assert_eq!(preview_trials(10_000_000, 36), 5);
        assert_eq!(preview_trials(u64::MAX, 120), 5);
    }
}
