//! The commands that help a person write and explore scenarios: `schema`, `init` and the
//! workbench, `serve`. Each maps its arguments to library calls.

use std::io::Write;
use std::path::{Path, PathBuf};

use loyalty_sim::{Error, scenario, serve, shipped};

/// Commands for writing and exploring scenarios.
#[derive(Debug, clap::Subcommand)]
pub enum WorkbenchCommand {
    /// Print the JSON Schema of the scenario format (for editors: Taplo / Even Better TOML
    /// read it from a `#:schema ./scenario.schema.json` first-line comment).
    Schema {
        /// Write it to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write a commented starter scenario.
    Init {
        /// The file to write (it must not exist yet).
        #[arg(default_value = "scenario.toml")]
        path: PathBuf,
        /// The shipped scenario to start from (see --list).
        #[arg(long, default_value = shipped::DEFAULT_TEMPLATE)]
        template: String,
        /// List the templates and write nothing.
        #[arg(long)]
        list: bool,
    },
    /// Open the workbench: a local web page to edit a scenario, preview its run and compare
    /// designs. Prints the page's address.
    Serve {
        /// Scenario files, or folders of them, the page may open (besides the shipped ones).
        scenarios: Vec<PathBuf>,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8350)]
        port: u16,
        /// Address to listen on. Anything but the loopback address lets other machines run
        /// simulations here: only on a network you trust.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
}

/// Runs one of the commands.
pub fn execute(command: WorkbenchCommand) -> Result<(), Error> {
    match command {
        WorkbenchCommand::Schema { out } => {
            let text = schema_text();
            match out {
                None => print(&text),
                Some(path) => write_new_or_replace(&path, &text),
            }
        }
        WorkbenchCommand::Init {
            path,
            template,
            list,
        } => {
            if list {
                let names: Vec<String> = shipped::SCENARIOS
                    .iter()
                    .map(|s| format!("{}\n", s.name))
                    .collect();
                return print(&names.concat());
            }
            init(&path, &template)
        }
        WorkbenchCommand::Serve {
            scenarios,
            port,
            host,
        } => {
            if !serve::is_loopback(&host) {
                eprintln!(
                    "warning: listening on {host}: anyone who can reach this machine can open the workbench and run simulations on it"
                );
            }
            let options = serve::ServeOptions {
                host,
                port,
                scenarios,
            };
            serve::serve(&options, |url| {
                println!("loyalty-sim workbench: {url}");
                eprintln!("open it in a browser; Ctrl-C stops it");
                let _ = std::io::stdout().flush();
            })
            .map_err(|e| Error::Argument(e.to_string()))
        }
    }
}

fn schema_text() -> String {
    let schema = scenario::schema::json_schema();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

fn print(text: &str) -> Result<(), Error> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| Error::Argument(format!("cannot write to standard output: {e}")))
}

fn write_new_or_replace(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text)
        .map_err(|e| Error::Argument(format!("cannot write {}: {e}", path.display())))
}

/// Writes the starter scenario at `path`, checked first, never over an existing file.
fn init(path: &Path, template: &str) -> Result<(), Error> {
    let Some(t) = shipped::find(template) else {
        let names: Vec<&str> = shipped::SCENARIOS.iter().map(|s| s.name).collect();
        return Err(Error::Argument(format!(
            "--template {template}: no such template (known: {})",
            names.join(", ")
        )));
    };
    let file_name = path.display().to_string();
    let text = shipped::starter(t, &file_name);
    // What is written must load: a template that does not is a bug, not the user's problem,
    // but it is caught here rather than in their first run.
    scenario::ScenarioFile::from_text(path.to_path_buf(), &text)
        .map_err(|e| Error::Scenario(e.into()))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
                "the file exists; name another (loyalty-sim init NEW.toml) or remove it".to_string()
            } else {
                e.to_string()
            };
            Error::Argument(format!("cannot write {}: {why}", path.display()))
        })?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::Argument(format!("cannot write {}: {e}", path.display())))?;
    eprintln!(
        "wrote {} from the template {:?}; check it with `loyalty-sim validate {}` and run it with `loyalty-sim run {}`",
        path.display(),
        t.name,
        path.display(),
        path.display()
    );
    Ok(())
}
