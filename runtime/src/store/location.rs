//! Where the store's file is when no path is given.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable that names the store's file, over the default location.
pub const STORE_ENV: &str = "RUN_METADATA_STORE";

/// `$RUN_METADATA_STORE` if set, else `runs.db` in a `run-metadata` folder of the user's data
/// folder (`$XDG_DATA_HOME` if absolute, `$HOME/.local/share`, `%LOCALAPPDATA%`), variables read
/// through `var`; `None` if none is set.
pub(super) fn default_location(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(path) = var(STORE_ENV) {
        return Some(path);
    }
    let data = var("XDG_DATA_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| var("HOME").map(|h| h.join(".local").join("share")))
        .or_else(|| var("LOCALAPPDATA"))?;
    Some(data.join("run-metadata").join("runs.db"))
}

#[cfg(test)]
mod tests {
    use super::default_location;
    use std::path::PathBuf;

    fn at(vars: &[(&str, &str)]) -> Option<PathBuf> {
        default_location(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.into()))
    }

    #[test]
    fn the_variable_then_the_data_folders() {
        let db = |p: &str| Some(PathBuf::from(p).join("run-metadata").join("runs.db"));
        assert_eq!(
            at(&[("RUN_METADATA_STORE", "/x.db"), ("HOME", "/h")]),
            Some("/x.db".into())
        );
        assert_eq!(
            at(&[("RUN_METADATA_STORE", ""), ("HOME", "/h")]),
            db("/h/.local/share")
        );
        assert_eq!(at(&[("XDG_DATA_HOME", "/d"), ("HOME", "/h")]), db("/d"));
        assert_eq!(
            at(&[("XDG_DATA_HOME", "rel"), ("HOME", "/h")]),
            db("/h/.local/share")
        );
        assert_eq!(at(&[("LOCALAPPDATA", "C:/u")]), db("C:/u"));
        assert_eq!(at(&[]), None);
    }
}
