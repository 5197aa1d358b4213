//! The `run-metadata` command, as a library: its command line and the renderings of runs, so
//! that programs (the quickstart among them) print a run exactly as the command does.
//!
//! ```text
//! run-metadata [--store PATH] runs [--json]
//! run-metadata [--store PATH] show <RUN|latest> [--name] [--json] [--links auto|always|never]
//! run-metadata [--store PATH] report [RUN|PIPELINE] (--html FILE | --open)
//! run-metadata [--store PATH] check
//! run-metadata [--store PATH] sync
//! ```
//!
//! `run-metadata --help` tells the rest: [`Args`] is both the parser and the help.

use std::io::{self, Write};
use std::path::PathBuf;

use run_metadata::store::{Store, StoreError};

mod args;
mod error;
mod json;
mod report;
mod text;

/// The clap that [`parse`] uses, to name its errors.
pub use clap;

use crate::args::help;
pub use crate::args::{Args, Command, Links, parse};
pub use crate::error::CliError;
pub use crate::json::{write_run_json, write_runs_json};
pub use crate::report::write_report;
pub use crate::text::{timestamp, write_run, write_runs};

/// Runs a parsed command, writing to `out`, and to `notes` what a reader of `out` as JSON must
/// still be told (records that could not be read back); `terminal` says whether `out` is a
/// terminal. Without a command, writes the help.
///
/// # Errors
///
/// [`CliError`] for a missing store, an unknown run, the store's errors, a damaged store found
/// by `check`, and write errors.
pub fn run(
    args: &Args,
    out: &mut dyn Write,
    notes: &mut dyn Write,
    terminal: bool,
) -> Result<(), CliError> {
    let path = || -> Result<PathBuf, CliError> {
        let path = match &args.store {
            Some(path) => path.clone(),
            None => Store::default_path()?,
        };
        if path.exists() {
            Ok(path)
        } else {
            Err(CliError::NoStore(path))
        }
    };
    // Reading needs no write access: where the store cannot be written, it is read as it is.
    let reader = || -> Result<Store, CliError> {
        let path = path()?;
        match Store::open(&path) {
            Err(StoreError::ReadOnly { .. }) => Ok(Store::open_read_only(&path)?),
            other => Ok(other?),
        }
    };
    let Some(command) = &args.command else {
        out.write_all(help().as_bytes())?;
        return Ok(());
    };
    match command {
        Command::Runs { json } => {
            let store = reader()?;
            let runs = store.runs()?;
            let damaged = store.damaged_runs()?;
            if *json {
                write_runs_json(out, &runs)?;
                text::write_damaged(notes, &damaged)?;
            } else {
                write_runs(out, &runs)?;
                text::write_damaged(out, &damaged)?;
            }
        }
        Command::Check => {
            let store = match reader() {
                // Too damaged to open: that is the verdict.
                Err(CliError::Store(StoreError::Corrupt { path, detail })) => {
                    text::write_unreadable(out, &path, &detail)?;
                    return Err(CliError::Damaged { path });
                }
                other => other?,
            };
            let health = store.check()?;
            text::write_health(out, store.path(), &health)?;
            if !health.is_ok() {
                return Err(CliError::Damaged {
                    path: store.path().to_path_buf(),
                });
            }
        }
        Command::Report { target, html, open } => {
            report(
                &reader()?,
                target.as_deref(),
                html.as_deref(),
                *open,
                out,
                notes,
            )?;
        }
        Command::Completions { shell } => {
            // Written to memory first: clap_complete panics on a failed write, and a closed
            // pipe is an error to report here, not a panic.
            let mut script = Vec::new();
            let mut command = <crate::args::Args as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "run-metadata", &mut script);
            out.write_all(&script)?;
        }
        Command::Sync {
            retry_refused,
            adopt,
        } => sync(
            &mut Store::open(path()?)?,
            out,
            *retry_refused,
            adopt.as_deref(),
        )?,
        Command::Show {
            run,
            name,
            json,
            links,
        } => {
            let links = match links {
                Links::Always => true,
                Links::Never => false,
                Links::Auto => terminal && std::env::var("TERM").map_or(true, |t| t != "dumb"),
            };
            show(&reader()?, run, *name, *json, links, out, notes)?;
        }
    }
    Ok(())
}

/// `show`: the run of that id, prefix or name (with `name`, only a name), as text or JSON;
/// the records that could not be read back after it.
fn show(
    store: &Store,
    run: &str,
    name: bool,
    json: bool,
    links: bool,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    // With --name, every run of that name, the latest first.
    let named = if name {
        Some(store.runs_named(run)?)
    } else {
        None
    };
    let record = match &named {
        Some(named) => named.first().cloned().ok_or_else(|| {
            CliError::Store(StoreError::RunNotFound {
                query: run.to_owned(),
            })
        })?,
        None => store.find_run(run)?,
    };
    // A name that several runs have: the latest is shown, and the reader told.
    if record.name == run {
        let runs = match named {
            Some(named) => named.len(),
            None => store.runs_named(run)?.len(),
        };
        if runs > 1 {
            writeln!(
                notes,
                "run-metadata: {runs} runs are named {}; showing the latest, {} (give an id for another: run-metadata runs)",
                text::visible(run),
                record.id
            )?;
        }
    }
    // Read once: the run, and what of it could not be read back.
    let contents = store.run_contents(record.id)?;
    if json {
        json::write_contents_json(out, &record, &contents)?;
        text::write_damaged(notes, &contents.damaged)?;
    } else {
        text::write_contents(out, &record, &contents, links)?;
        text::write_damaged(out, &contents.damaged)?;
    }
    Ok(())
}

/// `report`: the file at `html`, or, with `open`, in the temporary folder, then opened.
fn report(
    store: &Store,
    target: Option<&str>,
    html: Option<&std::path::Path>,
    open: bool,
    out: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    // Written whole before the file is touched: an error leaves an existing file as it was.
    let mut page = Vec::new();
    write_report(&mut page, store, target)?;
    let path = if let Some(path) = html {
        std::fs::write(path, &page)?;
        path.to_path_buf()
    } else {
        // A folder of its own, created here and nowhere else: nothing planted in the temporary
        // folder is followed or overwritten.
        let dir =
            std::env::temp_dir().join(format!("run-metadata-report-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&dir)?;
        let path = dir.join("report.html");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.write_all(&page)?;
        file.sync_all()?;
        path
    };
    let size = std::fs::metadata(&path)?.len();
    writeln!(out, "wrote {} ({size} bytes)", path.display())?;
    if open {
        open_in_browser(&path, notes)?;
    }
    Ok(())
}

/// Opens `path` with the system's opener; where there is none, says where the file is.
fn open_in_browser(path: &std::path::Path, notes: &mut dyn Write) -> io::Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener).arg(path).status() {
        Ok(status) if status.success() => Ok(()),
        _ => writeln!(
            notes,
            "run-metadata: could not open a browser with {opener}; open {} yourself",
            path.display()
        ),
    }
}

/// `sync`: sends the outbox to the server ZenML's own client would use, once, and
/// says what went and what stayed.
fn sync(
    store: &mut Store,
    out: &mut dyn Write,
    retry_refused: bool,
    adopt: Option<&str>,
) -> Result<(), CliError> {
    // As ZenML's own client finds it: its variables, else the server its login names.
    let config = run_metadata::zenml::Config::discover()?;
    let mut client = run_metadata::zenml::Client::new(config);
    let outbox = run_metadata::zenml::Outbox::of(&mut client, store)?;
    if let Some(url) = adopt {
        let moved = outbox.adopt(store, url)?;
        if moved == 0 {
            writeln!(
                out,
                "nothing kept for {} was taken: nothing waits there, or another process is sending it now",
                text::visible(url)
            )?;
        } else {
            writeln!(
                out,
                "{moved} items kept for {} taken as this server's",
                text::visible(url)
            )?;
        }
    }
    let kept = outbox.count(store)?;
    writeln!(
        out,
        "ZenML server {} ({}): {} kept in the outbox ({} runs, {} steps, {} metadata, {} statuses), {} refused before{}",
        client.config().url(),
        if outbox.server() == client.config().url() {
            "not reached yet".to_owned()
        } else {
            format!("id {}", outbox.server())
        },
        kept.total(),
        kept.runs,
        kept.steps,
        kept.metadata,
        kept.statuses,
        kept.refused,
        if retry_refused { ", sent again" } else { "" }
    )?;
    let mut options = run_metadata::zenml::SyncOptions::default();
    if retry_refused {
        options = options.retry_refused();
    }
    let report = run_metadata::zenml::sync_with(&mut client, store, options)?;
    let took = report.took;
    writeln!(
        out,
        "the server took {} runs, {} steps, {} metadata, {} statuses; {} refused now; {} still kept",
        took.runs,
        took.steps,
        took.metadata,
        took.statuses,
        report.refused.len(),
        report.untried,
    )?;
    if let Some(why) = &report.stopped {
        writeln!(
            out,
            "sending stopped: {}; the rest is sent by the next sync once that is fixed",
            text::visible(why)
        )?;
    }
    if report.busy {
        writeln!(
            out,
            "another process is sending this server's outbox from this store; it sends what is kept"
        )?;
    }
    // Names and reasons come from the store and the server: shown escaped, as in `show`.
    for refusal in &report.refused {
        writeln!(
            out,
            "  {} refused: {}",
            text::visible(&refusal.what),
            text::visible(&refusal.reason)
        )?;
    }
    let parked = outbox.parked(store)?;
    if !parked.is_empty() && report.refused.is_empty() {
        writeln!(
            out,
            "{} refused before stay parked (send them again with --retry-refused):",
            parked.len()
        )?;
        for (what, why) in &parked {
            writeln!(out, "  {}: {}", text::visible(what), text::visible(why))?;
        }
    }
    elsewhere(out, &report.elsewhere)?;
    if !report.refused.is_empty() || report.untried > 0 {
        return Err(CliError::Unsynced {
            refused: report.refused.len(),
            untried: report.untried,
        });
    }
    Ok(())
}

/// What waits for servers other than the one reached, and how to send it.
fn elsewhere(out: &mut dyn Write, waiting: &[run_metadata::zenml::Waiting]) -> io::Result<()> {
    for waiting in waiting {
        let server = text::visible(&waiting.server);
        match &waiting.url {
            Some(url) => writeln!(
                out,
                "{} items wait for another ZenML server, id {server}, last reached at {}: \
                 sync with ZENML_STORE_URL set to where it is now",
                waiting.items,
                text::visible(url)
            )?,
            None => writeln!(
                out,
                "{} items wait for the server at {server}, never reached there: sync with \
                 ZENML_STORE_URL={server}, or, if this is that server at a new address, \
                 `run-metadata sync --adopt {server}`",
                waiting.items
            )?,
        }
    }
    Ok(())
}
