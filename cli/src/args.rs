//! The command line: one clap definition that parses it and writes its help.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// The help's closing lines: what RUN may be and where the store is.
const AFTER_HELP: &str = "\
RUN is a run id, a unique prefix of one, a run name, or `latest`.
The store is --store PATH, else $RUN_METADATA_STORE, else the default location
($XDG_DATA_HOME or ~/.local/share)/run-metadata/runs.db.
--json prints ZenML's `values` and `types` objects for each component.
sync takes the server and credentials from ZENML_STORE_URL and ZENML_STORE_API_KEY
or ZENML_STORE_USERNAME/_PASSWORD.";

/// `show`'s closing lines.
const SHOW_AFTER_HELP: &str = "\
RUN is a run id, a unique prefix of one, a run name, or `latest`.
--json prints the run, and for the pipeline run and each step the ZenML `values` and
`types` objects of each component.";

/// `sync`'s closing lines.
const SYNC_AFTER_HELP: &str = "\
The server and credentials come from the environment:
  ZENML_STORE_URL       the server
  ZENML_STORE_API_KEY   an API key, or else
  ZENML_STORE_USERNAME  a user name
  ZENML_STORE_PASSWORD  and its password";

/// A parsed command line: `run-metadata [--store PATH] [COMMAND]`.
///
/// The same definition parses the arguments and writes `--help`, `--version` and the usage in
/// errors.
#[derive(Clone, Debug, PartialEq, Eq, Parser)]
#[command(
    name = "run-metadata",
    version,
    about = "Lists runs and shows their metadata from the embedded store",
    long_about = None,
    after_help = AFTER_HELP
)]
pub struct Args {
    // The doc is also `--help`'s text, where backticks would show.
    #[allow(clippy::doc_markdown)]
    /// The store to read; else $RUN_METADATA_STORE, else the default location
    ///
    /// The default location is ($XDG_DATA_HOME or ~/.local/share)/run-metadata/runs.db.
    #[arg(long, global = true, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// The command; without one, the help is printed.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// List runs, latest first
    Runs {
        /// Print a JSON array of runs
        #[arg(long)]
        json: bool,
    },
    /// Show a run's pipeline and step metadata, per component
    #[command(after_help = SHOW_AFTER_HELP)]
    Show {
        /// The run: an id, a unique prefix of one, a name, or `latest`
        #[arg(value_name = "RUN")]
        run: String,
        /// Print JSON: ZenML's `values` and `types` objects for each component
        #[arg(long)]
        json: bool,
        /// Print URIs as terminal hyperlinks (OSC 8)
        #[arg(long, value_enum, value_name = "WHEN", default_value_t = Links::Auto)]
        links: Links,
    },
    /// Send what a ZenML server could not take, in order, once
    #[command(after_help = SYNC_AFTER_HELP)]
    Sync,
}

/// When to print URIs as terminal hyperlinks (OSC 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Links {
    /// When standard output is a terminal that is not `dumb`
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// Parses the arguments after the program's name.
///
/// Arguments are taken as `OsString`s: a path that is not UTF-8 is a valid `--store`, and a
/// RUN that is not UTF-8 is a usage error, not a panic. `--` ends the options.
///
/// ```
/// use run_metadata_cli::clap::error::ErrorKind;
/// use run_metadata_cli::{parse, Command, Links};
///
/// let args = parse(["--store", "/tmp/x.db", "show", "latest", "--json"]).unwrap();
/// assert_eq!(args.store.as_deref(), Some(std::path::Path::new("/tmp/x.db")));
/// assert_eq!(
///     args.command,
///     Some(Command::Show { run: "latest".into(), json: true, links: Links::Auto })
/// );
/// assert_eq!(parse(["show"]).unwrap_err().kind(), ErrorKind::MissingRequiredArgument);
/// assert_eq!(parse(["--version"]).unwrap_err().kind(), ErrorKind::DisplayVersion);
/// ```
///
/// # Errors
///
/// clap's error for a command line that does not parse; `--help` and `--version` also come
/// back as errors, of kinds [`DisplayHelp`](clap::error::ErrorKind::DisplayHelp) and
/// [`DisplayVersion`](clap::error::ErrorKind::DisplayVersion). [`clap::Error::exit`] prints
/// each where it belongs (help and version on standard output) and exits with its code:
/// 0 for those two, 2 for usage errors.
pub fn parse<I, T>(args: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let program = std::iter::once(OsString::from("run-metadata"));
    Args::try_parse_from(program.chain(args.into_iter().map(Into::into)))
}

/// The help, as `--help` prints it.
#[must_use]
pub fn help() -> String {
    <Args as clap::CommandFactory>::command()
        .render_long_help()
        .to_string()
}
