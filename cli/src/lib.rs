//! The `run-metadata` command, as a library: argument parsing and the renderings of runs, so
//! that programs (the quickstart among them) print a run exactly as the command does.
//!
//! ```text
//! run-metadata [--store PATH] runs [--json]
//! run-metadata [--store PATH] show <RUN|latest> [--json] [--links auto|always|never]
//! run-metadata [--store PATH] sync
//! ```

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::SystemTime;

use run_metadata::Resource;
use run_metadata::sink::{RunRecord, StepRecord};
use run_metadata::store::{ComponentMetadata, Store, StoreError};
use run_metadata::{Metadata, MetadataValue};

/// The usage text.
pub const USAGE: &str = "\
usage: run-metadata [--store PATH] <command>

commands:
  runs [--json]                    list runs, latest first
  show <RUN|latest> [--json]       a run's pipeline and step metadata, per component
       [--links auto|always|never] URIs as terminal hyperlinks (auto: when stdout is a terminal)
  sync                             send what a ZenML server could not take, in order, once
                                   (server and credentials from ZENML_STORE_URL and
                                   ZENML_STORE_API_KEY or ZENML_STORE_USERNAME/_PASSWORD)

RUN is a run id, a unique prefix of one, or a run name.
The store is --store PATH, else $RUN_METADATA_STORE, else the default location
($XDG_DATA_HOME or ~/.local/share)/run-metadata/runs.db.
--json prints ZenML's `values` and `types` objects for each component.
";

/// When to print URIs as terminal hyperlinks (OSC 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// When standard output is a terminal that is not `dumb`.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `runs`
    Runs {
        /// `--json`
        json: bool,
    },
    /// `show RUN`
    Show {
        /// The run.
        run: String,
        /// `--json`
        json: bool,
        /// `--links`
        links: Links,
    },
    /// `sync`
    Sync,
    /// `help`, `--help`, `-h`
    Help,
    /// `--version`
    Version,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// `--store PATH`
    pub store: Option<PathBuf>,
    /// The command.
    pub command: Command,
}

/// A command line that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Parses the arguments after the program's name.
///
/// ```
/// use run_metadata_cli::{parse, Command, Links};
///
/// let args = parse(["--store", "/tmp/x.db", "show", "latest", "--json"]).unwrap();
/// assert_eq!(args.store.as_deref(), Some(std::path::Path::new("/tmp/x.db")));
/// assert_eq!(args.command, Command::Show { run: "latest".into(), json: true, links: Links::Auto });
/// assert!(parse(["show"]).is_err());
/// ```
///
/// # Errors
///
/// [`UsageError`] saying what is wrong.
pub fn parse<I, S>(args: I) -> Result<Args, UsageError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut store = None;
    let mut json = false;
    let mut links = Links::Auto;
    let mut positional = Vec::new();
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .ok_or_else(|| UsageError(format!("{flag} needs a value")))
        };
        match arg.as_str() {
            "--store" => store = Some(PathBuf::from(value("--store")?)),
            "--json" => json = true,
            "--links" => {
                links = match value("--links")?.as_str() {
                    "auto" => Links::Auto,
                    "always" => Links::Always,
                    "never" => Links::Never,
                    other => {
                        return Err(UsageError(format!(
                            "--links takes auto, always or never, not {other:?}"
                        )));
                    }
                }
            }
            "-h" | "--help" => positional.insert(0, "help".to_owned()),
            "-V" | "--version" => positional.insert(0, "version".to_owned()),
            flag if flag.starts_with('-') && flag.len() > 1 => {
                return Err(UsageError(format!("unknown option {flag}")));
            }
            _ => positional.push(arg),
        }
    }
    let command = match positional.first().map(String::as_str) {
        None | Some("help") => Command::Help,
        Some("version") => Command::Version,
        Some("runs") if positional.len() == 1 => Command::Runs { json },
        Some("sync") if positional.len() == 1 => Command::Sync,
        Some("sync") => return Err(UsageError("sync takes no argument".into())),
        Some("show") => match &positional[1..] {
            [run] => Command::Show {
                run: run.clone(),
                json,
                links,
            },
            [] => {
                return Err(UsageError(
                    "show needs a run: an id, a name or `latest`".into(),
                ));
            }
            _ => return Err(UsageError("show takes one run".into())),
        },
        Some("runs") => return Err(UsageError("runs takes no argument".into())),
        Some(other) => return Err(UsageError(format!("unknown command {other:?}"))),
    };
    Ok(Args { store, command })
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// The command line.
    Usage(UsageError),
    /// There is no store at the path.
    NoStore(PathBuf),
    /// The store's own error.
    Store(StoreError),
    /// The ZenML server's configuration or answer.
    Zenml(run_metadata::zenml::ZenmlError),
    /// A sync left entries in the outbox.
    Unsynced {
        /// Items the server refused.
        refused: usize,
        /// Items not tried because the server went away.
        untried: usize,
    },
    /// Writing the output.
    Io(io::Error),
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Usage(e) => write!(f, "{e}\n\n{USAGE}"),
            Self::NoStore(path) => write!(
                f,
                "no store at {}: run a pipeline first (cargo run --example quickstart), or give --store PATH",
                path.display()
            ),
            Self::Store(e) => write!(f, "{e}"),
            Self::Zenml(e) => write!(f, "{e}"),
            Self::Unsynced { refused, untried } => write!(
                f,
                "{refused} refused and {untried} not tried are kept in the outbox; run sync again later"
            ),
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// Runs a parsed command, writing to `out`; `terminal` says whether `out` is a terminal.
///
/// # Errors
///
/// [`CliError`] for a missing store, an unknown run, the store's errors, and write errors.
pub fn run(args: &Args, out: &mut dyn Write, terminal: bool) -> Result<(), CliError> {
    let store = || -> Result<Store, CliError> {
        let path = match &args.store {
            Some(path) => path.clone(),
            None => Store::default_path()?,
        };
        if !path.exists() {
            return Err(CliError::NoStore(path));
        }
        Ok(Store::open(path)?)
    };
    match &args.command {
        Command::Help => out.write_all(USAGE.as_bytes())?,
        Command::Version => writeln!(out, "run-metadata {}", env!("CARGO_PKG_VERSION"))?,
        Command::Runs { json } => {
            let runs = store()?.runs()?;
            if *json {
                write_runs_json(out, &runs)?;
            } else {
                write_runs(out, &runs)?;
            }
        }
        Command::Sync => {
            let mut store = store()?;
            let config = run_metadata::zenml::Config::from_env().map_err(CliError::Zenml)?;
            let mut client = run_metadata::zenml::Client::new(config);
            let outbox = run_metadata::zenml::Outbox::new(client.config().url());
            let kept = outbox.count(&store)?.total();
            let report = run_metadata::zenml::sync(&mut client, &mut store)?;
            let took = report.took;
            writeln!(
                out,
                "{}: {kept} kept in the outbox; the server took {} steps, {} metadata, {} statuses; {} refused, {} not tried",
                outbox.server(),
                took.steps,
                took.metadata,
                took.statuses,
                report.refused.len(),
                report.untried
            )?;
            for refusal in &report.refused {
                writeln!(out, "  {} refused: {}", refusal.what, refusal.reason)?;
            }
            if !report.refused.is_empty() || report.untried > 0 {
                return Err(CliError::Unsynced {
                    refused: report.refused.len(),
                    untried: report.untried,
                });
            }
        }
        Command::Show { run, json, links } => {
            let store = store()?;
            let record = store.find_run(run)?;
            if *json {
                write_run_json(out, &store, &record)?;
            } else {
                let links = match links {
                    Links::Always => true,
                    Links::Never => false,
                    Links::Auto => terminal && std::env::var("TERM").map_or(true, |t| t != "dumb"),
                };
                write_run(out, &store, &record, links)?;
            }
        }
    }
    Ok(())
}

/// `runs`: one line per run, latest first.
///
/// # Errors
///
/// Write errors.
pub fn write_runs(out: &mut dyn Write, runs: &[RunRecord]) -> io::Result<()> {
    if runs.is_empty() {
        return writeln!(out, "no runs yet");
    }
    let name_width = runs.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
    let pipeline_width = runs
        .iter()
        .map(|r| r.pipeline.len())
        .max()
        .unwrap_or(0)
        .max(8);
    writeln!(
        out,
        "{:<8}  {:<name_width$}  {:<pipeline_width$}  {:<9}  STARTED",
        "ID", "NAME", "PIPELINE", "STATUS"
    )?;
    for r in runs {
        writeln!(
            out,
            "{:<8}  {:<name_width$}  {:<pipeline_width$}  {:<9}  {}",
            &r.id.to_string()[..8],
            r.name,
            r.pipeline,
            r.status,
            timestamp(r.started)
        )?;
    }
    Ok(())
}

/// `show`: the run, its pipeline metadata and each step's, grouped by component, each value in
/// the dashboard's form with its tag. With `links`, URIs are terminal hyperlinks.
///
/// # Errors
///
/// The store's errors and write errors.
pub fn write_run(
    out: &mut dyn Write,
    store: &Store,
    run: &RunRecord,
    links: bool,
) -> Result<(), CliError> {
    writeln!(out, "run {}  {}", run.name, run.id)?;
    write!(
        out,
        "  pipeline {}  stack {}  {}  started {}",
        run.pipeline,
        run.stack,
        run.status,
        timestamp(run.started)
    )?;
    if let Some(finished) = run.finished {
        write!(out, "  took {}", took(run.started, finished))?;
    }
    writeln!(out)?;
    writeln!(out)?;
    writeln!(out, "pipeline run")?;
    write_groups(
        out,
        &store.metadata_by_component(Resource::pipeline_run(run.id))?,
        links,
    )?;
    for step in store.steps(run.id)? {
        writeln!(out)?;
        write!(out, "step {}  {}", step.name, step.status)?;
        if let Some(finished) = step.finished {
            write!(out, "  took {}", took(step.started, finished))?;
        }
        writeln!(out)?;
        write_groups(
            out,
            &store.metadata_by_component(Resource::step_run(step.id))?,
            links,
        )?;
    }
    Ok(())
}

fn write_groups(out: &mut dyn Write, groups: &[ComponentMetadata], links: bool) -> io::Result<()> {
    if groups.is_empty() {
        return writeln!(out, "  (no metadata)");
    }
    for group in groups {
        match &group.component {
            Some(c) => writeln!(out, "  {} `{}`", c.kind, c.name)?,
            None => writeln!(out, "  (no component)")?,
        }
        let width = group.metadata.keys().map(str::len).max().unwrap_or(0);
        for (key, value) in &group.metadata {
            let shown = value.to_string();
            let shown = match value {
                MetadataValue::Uri(uri) if links => hyperlink(uri.as_str(), &shown),
                _ => shown,
            };
            writeln!(
                out,
                "    {key:<width$}  {shown}  [{}]",
                value.metadata_type()
            )?;
        }
    }
    Ok(())
}

/// `text` as an OSC 8 hyperlink to `target`; control characters in the target are dropped so
/// that a stored value cannot inject terminal escapes.
fn hyperlink(target: &str, text: &str) -> String {
    let target: String = target.chars().filter(|c| !c.is_control()).collect();
    format!("\x1b]8;;{target}\x1b\\{text}\x1b]8;;\x1b\\")
}

/// `runs --json`: an array of runs.
///
/// # Errors
///
/// Write errors.
pub fn write_runs_json(out: &mut dyn Write, runs: &[RunRecord]) -> io::Result<()> {
    let mut json = String::from("[");
    for (i, run) in runs.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        run_json(&mut json, run);
    }
    json.push(']');
    writeln!(out, "{json}")
}

/// `show --json`: the run, and per resource each component's ZenML `values` and `types`.
///
/// # Errors
///
/// The store's errors and write errors.
pub fn write_run_json(out: &mut dyn Write, store: &Store, run: &RunRecord) -> Result<(), CliError> {
    let mut json = String::from("{\"run\":");
    run_json(&mut json, run);
    json.push_str(",\"pipeline_run\":");
    groups_json(
        &mut json,
        &store.metadata_by_component(Resource::pipeline_run(run.id))?,
    );
    json.push_str(",\"steps\":[");
    for (i, step) in store.steps(run.id)?.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        step_json(
            &mut json,
            step,
            &store.metadata_by_component(Resource::step_run(step.id))?,
        );
    }
    json.push_str("]}");
    writeln!(out, "{json}")?;
    Ok(())
}

fn string(json: &mut String, s: &str) {
    json.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

fn time_json(json: &mut String, t: Option<SystemTime>) {
    match t {
        Some(t) => string(json, &iso8601(t)),
        None => json.push_str("null"),
    }
}

fn run_json(json: &mut String, run: &RunRecord) {
    let _ = write!(json, "{{\"id\":\"{}\",\"name\":", run.id);
    string(json, &run.name);
    json.push_str(",\"pipeline\":");
    string(json, &run.pipeline);
    json.push_str(",\"stack\":");
    string(json, &run.stack);
    let _ = write!(json, ",\"status\":\"{}\",\"started\":", run.status);
    time_json(json, Some(run.started));
    json.push_str(",\"finished\":");
    time_json(json, run.finished);
    json.push('}');
}

fn step_json(json: &mut String, step: &StepRecord, metadata: &[ComponentMetadata]) {
    let _ = write!(json, "{{\"id\":\"{}\",\"name\":", step.id);
    string(json, &step.name);
    let _ = write!(json, ",\"status\":\"{}\",\"started\":", step.status);
    time_json(json, Some(step.started));
    json.push_str(",\"finished\":");
    time_json(json, step.finished);
    json.push_str(",\"metadata\":");
    groups_json(json, metadata);
    json.push('}');
}

fn groups_json(json: &mut String, groups: &[ComponentMetadata]) {
    json.push('[');
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str("{\"component\":");
        match &group.component {
            Some(c) => {
                let _ = write!(json, "{{\"id\":\"{}\",\"name\":", c.id);
                string(json, &c.name);
                let _ = write!(json, ",\"kind\":\"{}\"}}", c.kind);
            }
            None => json.push_str("null"),
        }
        metadata_json(json, &group.metadata);
        json.push('}');
    }
    json.push(']');
}

fn metadata_json(json: &mut String, m: &Metadata) {
    json.push_str(",\"values\":");
    m.write_json(json);
    json.push_str(",\"types\":");
    m.write_types_json(json);
}

/// `2026-11-29 16:12:00 UTC`.
#[must_use]
pub fn timestamp(t: SystemTime) -> String {
    run_metadata::time::Utc::from(t).to_string()
}

/// `2026-11-29T16:12:00.123Z`.
fn iso8601(t: SystemTime) -> String {
    let utc = run_metadata::time::Utc::from(t);
    let iso = utc.iso8601();
    // Milliseconds and a zone, as JSON readers expect.
    format!("{}Z", &iso[..iso.len() - 3])
}

/// A duration for people: `850 ms`, `12.3 s`, `4 min 5 s`.
fn took(from: SystemTime, to: SystemTime) -> String {
    let d = to.duration_since(from).unwrap_or_default();
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{} s", ms / 1000, ms % 1000 / 100)
    } else {
        format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::{iso8601, timestamp, took};

    #[test]
    fn dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
        let t = UNIX_EPOCH + Duration::from_millis(1_795_968_720_123);
        assert_eq!(timestamp(t), "2026-11-29 16:12:00 UTC");
        assert_eq!(iso8601(t), "2026-11-29T16:12:00.123Z");
        let leap = UNIX_EPOCH + Duration::from_hours(264_384); // 2000-02-29
        assert_eq!(timestamp(leap), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn durations() {
        let t = UNIX_EPOCH;
        assert_eq!(took(t, t + Duration::from_millis(850)), "850 ms");
        assert_eq!(took(t, t + Duration::from_millis(12_345)), "12.3 s");
        assert_eq!(took(t, t + Duration::from_secs(245)), "4 min 5 s");
    }
}
