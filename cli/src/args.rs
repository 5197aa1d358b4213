//! The command line: one clap definition that parses it and writes its help.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// The help's closing lines: what RUN may be and where the store is.
const AFTER_HELP: &str = "\
RUN is a run id, a unique prefix of one, a run name, or `latest`.
The store is --store PATH, else $RUN_METADATA_STORE, else run-metadata/runs.db in
$XDG_DATA_HOME, ~/.local/share or %LOCALAPPDATA%, the first that is set.
--json prints ZenML's `values` and `types` objects for each component.
sync takes the server and credentials as ZenML's client does: ZENML_STORE_URL and
ZENML_STORE_API_KEY or ZENML_STORE_USERNAME/_PASSWORD, else your `zenml login`.";

/// `show`'s closing lines.
const SHOW_AFTER_HELP: &str = "\
RUN is a run id, a unique prefix of one, a run name, or `latest`; with --name, only a name
(a run named `latest`; `--` before a name that starts with `-`). Of several runs with one
name, the latest is shown.
--json prints the run, and for the pipeline run and each step the ZenML `values` and
`types` objects of each component.";

/// `report`'s closing lines.
const REPORT_AFTER_HELP: &str = "\
Without RUN|PIPELINE, every run. For a pipeline, its runs: a chart of each numeric key per
run, what changed between runs, the latest two side by side, and each run. For a run: the run,
beside the one before it in its pipeline. The file needs no server and fetches nothing.";

/// `sync`'s closing lines.
const SYNC_AFTER_HELP: &str = "\
The server and credentials are found as ZenML's own client finds them. First its
environment variables:
  ZENML_STORE_URL          the server's http:// or https:// URL
  ZENML_STORE_API_KEY      an API key; else
  ZENML_STORE_USERNAME     a user name
  ZENML_STORE_PASSWORD     and its password (empty if unset)
  ZENML_ACTIVE_PROJECT_ID  the project, if not `default`
  ZENML_STORE_VERIFY_SSL   `false`, or a CA bundle (PEM) for a server behind a private CA
  SSL_CERT_FILE            a CA bundle, where ZENML_STORE_VERIFY_SSL names none
Else the server your `zenml login` names (config.yaml in $ZENML_CONFIG_PATH or ZenML's
config folder), with the API key, password or unexpired token ZenML stored for it
(credentials.yaml beside it). These files are only read.";

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
    after_help = AFTER_HELP,
    args_override_self = true
)]
pub struct Args {
    // The doc is also `--help`'s text, where backticks would show.
    #[allow(clippy::doc_markdown)]
    /// The store to read; else $RUN_METADATA_STORE, else the default location (see below)
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
        /// Take RUN as a run's name only
        #[arg(long)]
        name: bool,
        /// Print JSON: ZenML's `values` and `types` objects for each component
        #[arg(long)]
        json: bool,
        /// Print URIs as terminal hyperlinks (OSC 8)
        #[arg(long, value_enum, value_name = "WHEN", default_value_t = Links::Auto)]
        links: Links,
    },
    /// Write a self-contained HTML report: the runs, their metadata by type, charts across runs
    #[command(after_help = REPORT_AFTER_HELP)]
    Report {
        /// A pipeline's name, or a run (an id, a unique prefix of one, a name, or `latest`)
        #[arg(value_name = "RUN|PIPELINE")]
        target: Option<String>,
        /// Write the report to FILE
        #[arg(long, value_name = "FILE", required_unless_present = "open")]
        html: Option<PathBuf>,
        /// Write it to a temporary file and open that in the browser
        #[arg(long, conflicts_with = "html")]
        open: bool,
    },
    /// Check the store: SQLite's integrity check, and every record read back
    Check,
    /// Send what a ZenML server could not take, in order, once
    #[command(after_help = SYNC_AFTER_HELP)]
    Sync {
        /// Also send again what the server refused before (parked, with the reason)
        #[arg(long)]
        retry_refused: bool,
        /// First take what was kept for the server at URL, never reached there, as this
        /// server's (it moved before it was ever reached)
        #[arg(long, value_name = "URL")]
        adopt: Option<String>,
    },
    /// Print a completion script for SHELL (bash, elvish, fish, powershell, zsh)
    Completions {
        /// The shell
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
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
///     Some(Command::Show { run: "latest".into(), name: false, json: true, links: Links::Auto })
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
pub(crate) fn help() -> String {
    // `--help` always ends parsing, with the help as its "error".
    Args::try_parse_from(["run-metadata", "--help"])
        .err()
        .map_or_else(String::new, |shown| shown.render().to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::{Args, Command, Links, parse};

    #[test]
    fn the_definition_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn store_goes_before_or_after_the_command() {
        for args in [
            &["--store", "a.db", "runs"][..],
            &["runs", "--store", "a.db"],
            &["--store=a.db", "runs"],
        ] {
            let parsed = parse(args).unwrap();
            assert_eq!(parsed.store.as_deref(), Some(Path::new("a.db")), "{args:?}");
            assert_eq!(parsed.command, Some(Command::Runs { json: false }));
        }
        assert_eq!(parse(["sync"]).unwrap().store, None);
    }

    #[test]
    fn a_repeated_option_takes_its_last_value() {
        let args = parse([
            "--store", "a.db", "show", "x", "--json", "--json", "--links", "always", "--links",
            "never", "--store", "b.db",
        ])
        .unwrap();
        assert_eq!(args.store.as_deref(), Some(Path::new("b.db")));
        assert_eq!(
            args.command,
            Some(Command::Show {
                run: "x".into(),
                name: false,
                json: true,
                links: Links::Never
            })
        );
    }

    #[test]
    fn report_needs_a_file_or_open_and_not_both() {
        assert_eq!(
            parse(["report", "training", "--html", "r.html"])
                .unwrap()
                .command,
            Some(Command::Report {
                target: Some("training".into()),
                html: Some("r.html".into()),
                open: false
            })
        );
        assert_eq!(
            parse(["report", "--open"]).unwrap().command,
            Some(Command::Report {
                target: None,
                html: None,
                open: true
            })
        );
        assert_eq!(
            parse(["report", "training"]).unwrap_err().kind(),
            ErrorKind::MissingRequiredArgument
        );
        assert_eq!(
            parse(["report", "--open", "--html", "r.html"])
                .unwrap_err()
                .kind(),
            ErrorKind::ArgumentConflict
        );
    }

    #[test]
    fn no_command_is_the_help_and_extra_words_are_errors() {
        assert_eq!(parse::<[&str; 0], _>([]).unwrap().command, None);
        assert_eq!(parse(["help"]).unwrap_err().kind(), ErrorKind::DisplayHelp);
        assert_eq!(
            parse(["runs", "extra"]).unwrap_err().kind(),
            ErrorKind::UnknownArgument
        );
        assert_eq!(
            parse(["show", "a", "b"]).unwrap_err().kind(),
            ErrorKind::UnknownArgument
        );
        assert_eq!(
            parse(["sync", "now"]).unwrap_err().kind(),
            ErrorKind::UnknownArgument
        );
        assert_eq!(
            parse(["show", "a", "--links", "sometimes"])
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidValue
        );
    }
}
