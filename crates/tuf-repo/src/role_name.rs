//! Which delegated role names can be published as files.
//!
//! Clients request `N.<percent-encoded role>.json` (spec §5.6.7.2), and
//! static web servers (python's http.server, nginx, `tuf serve`) decode the
//! URL before they look for the file, so a role's metadata is stored under
//! its *decoded* name: role `apps/v1` lives at `metadata/N.apps/v1.json`,
//! a subdirectory.
//!
//! Contract: [`check_role_name`] accepts a name only if that relative path
//! is safe and every server finds it: not empty; no leading `/`, empty
//! segment, `.` or `..` segment, `\`, control character (NUL included);
//! none of `?`, `#`, `%`, which URLs give a meaning of their own and
//! servers decode differently; no directory segment ending in `.json`
//! (it would be a directory where another role's file must be); and not
//! `N.root`, which without consistent snapshots would be a root version's
//! file. Names are checked when a delegation is created and before any
//! role file is read or written, so a name from metadata made elsewhere
//! cannot reach outside `metadata/` either.

/// Why a role name cannot be stored as a metadata file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoleNameError {
    /// The name is empty.
    #[error("it is empty")]
    Empty,
    /// The name starts with `/`.
    #[error("it starts with '/'")]
    LeadingSlash,
    /// `//` or a trailing `/`.
    #[error("it has an empty path segment")]
    EmptySegment,
    /// A `.` or `..` segment.
    #[error("it has a '.' or '..' path segment")]
    DotSegment,
    /// A backslash (a separator on some systems).
    #[error("it contains '\\'")]
    Backslash,
    /// A control character, NUL included.
    #[error("it contains a control character")]
    Control,
    /// `?`, `#` or `%`.
    #[error("it contains {0:?}, which URLs treat specially")]
    UrlSpecial(char),
    /// A directory segment ending in `.json`.
    #[error("a directory segment ends in '.json', where another role's file could be")]
    JsonDirectory,
    /// `N.root`, the name of a root version's file.
    #[error("it is named like a root version's file")]
    RootVersionName,
}

/// Check that delegated role `name` can be stored as `N.<name>.json`
/// (see the module contract).
pub fn check_role_name(name: &str) -> Result<(), RoleNameError> {
    if name.is_empty() {
        return Err(RoleNameError::Empty);
    }
    if name.starts_with('/') {
        return Err(RoleNameError::LeadingSlash);
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '?' | '#' | '%')) {
        return Err(RoleNameError::UrlSpecial(c));
    }
    if name.contains('\\') {
        return Err(RoleNameError::Backslash);
    }
    if name.chars().any(char::is_control) {
        return Err(RoleNameError::Control);
    }
    let segments: Vec<&str> = name.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "" => return Err(RoleNameError::EmptySegment),
            "." | ".." => return Err(RoleNameError::DotSegment),
            s if i + 1 < segments.len() && s.ends_with(".json") => {
                return Err(RoleNameError::JsonDirectory);
            }
            _ => {}
        }
    }
    if let Some(v) = name.strip_suffix(".root")
        && !v.is_empty()
        && v.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(RoleNameError::RootVersionName);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{RoleNameError as E, check_role_name};

    #[test]
    fn names_that_are_safe_relative_paths_pass() {
        for ok in [
            "alice",
            "apps/v1",
            "a/b/c",
            "bin-0a",
            "a b+c@d:e",
            "ünïcode/名前",
            "a.json",
            ".hidden",
            "a..b",
            "1.rooted",
            "x.root",
        ] {
            assert_eq!(check_role_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn unsafe_or_ambiguous_names_are_refused() {
        for (bad, why) in [
            ("", E::Empty),
            ("/abs", E::LeadingSlash),
            ("a//b", E::EmptySegment),
            ("a/", E::EmptySegment),
            ("..", E::DotSegment),
            ("a/../b", E::DotSegment),
            ("./a", E::DotSegment),
            ("a\\b", E::Backslash),
            ("a\0b", E::Control),
            ("a\nb", E::Control),
            ("a?b", E::UrlSpecial('?')),
            ("a#b", E::UrlSpecial('#')),
            ("a%2Fb", E::UrlSpecial('%')),
            ("a.json/b", E::JsonDirectory),
            ("2.root", E::RootVersionName),
        ] {
            assert_eq!(check_role_name(bad), Err(why), "{bad:?}");
        }
    }
}
