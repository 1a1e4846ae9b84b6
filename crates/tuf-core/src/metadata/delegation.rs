//! Delegations (spec §4.5): [`Delegations`], [`DelegatedRole`] with its path
//! patterns and hash prefixes, and TAP 15 [`SuccinctRoles`] (hashed bins).
//!
//! Rules enforced on parse: exactly one of `roles` / `succinct_roles`; role
//! names unique, non-empty and not a top-level name; exactly one of `paths` /
//! `path_hash_prefixes`; thresholds ≥ 1; `bit_length` in 1..=32.
//! Path patterns match per `/`-separated segment (a wildcard never crosses
//! `/`), case-sensitively on every OS.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Key, KeyId, RoleKeys, RoleType, Threshold, present_strings, unique_keyids};

/// `delegations`: keys plus either an ordered list of roles or succinct roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DelegationsRepr")]
pub struct Delegations {
    /// Keys of every delegated role.
    pub keys: BTreeMap<KeyId, Key>,
    /// Delegated roles in priority order (absent when `succinct_roles` is used).
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<Vec<DelegatedRole>>,
    /// TAP 15 hashed bins (absent when `roles` is used).
    #[serde(skip_serializing_if = "Option::is_none")]
    succinct_roles: Option<SuccinctRoles>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

#[derive(Deserialize)]
struct DelegationsRepr {
    keys: BTreeMap<KeyId, Key>,
    #[serde(default, deserialize_with = "present_roles")]
    roles: Option<Vec<DelegatedRole>>,
    #[serde(default, deserialize_with = "present_succinct")]
    succinct_roles: Option<SuccinctRoles>,
    #[serde(flatten)]
    unrecognized: Map<String, Value>,
}

fn present_roles<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<DelegatedRole>>, D::Error> {
    Vec::deserialize(d).map(Some)
}

fn present_succinct<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<SuccinctRoles>, D::Error> {
    SuccinctRoles::deserialize(d).map(Some)
}

impl TryFrom<DelegationsRepr> for Delegations {
    type Error = String;
    fn try_from(r: DelegationsRepr) -> Result<Self, String> {
        match (&r.roles, &r.succinct_roles) {
            (Some(roles), None) => {
                let mut seen = HashSet::new();
                for role in roles {
                    validate_role_name(&role.name)?;
                    if !seen.insert(role.name.as_str()) {
                        return Err(format!("duplicate delegated role {:?}", role.name));
                    }
                }
            }
            (None, Some(_)) => {}
            _ => return Err("exactly one of \"roles\" and \"succinct_roles\" must be set".into()),
        }
        Ok(Delegations {
            keys: r.keys,
            roles: r.roles,
            succinct_roles: r.succinct_roles,
            unrecognized: r.unrecognized,
        })
    }
}

fn validate_role_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("delegated role name must not be empty".into());
    }
    if RoleType::from_name(name).is_some() {
        return Err(format!(
            "delegated role name {name:?} is a top-level role name"
        ));
    }
    Ok(())
}

/// One delegated role, as its delegator lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DelegatedRoleRepr")]
pub struct DelegatedRole {
    /// Role name (any string; percent-encoded when it reaches a path or URL).
    pub name: String,
    /// Authorized key ids (unique).
    pub keyids: Vec<KeyId>,
    /// Signatures needed from distinct keys.
    pub threshold: Threshold,
    /// When it matches, stop considering other delegations (§5.6.7.2.1).
    pub terminating: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_hash_prefixes: Option<Vec<String>>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

#[derive(Deserialize)]
struct DelegatedRoleRepr {
    name: String,
    #[serde(deserialize_with = "unique_keyids")]
    keyids: Vec<KeyId>,
    threshold: Threshold,
    terminating: bool,
    #[serde(default, deserialize_with = "present_strings")]
    paths: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present_strings")]
    path_hash_prefixes: Option<Vec<String>>,
    #[serde(flatten)]
    unrecognized: Map<String, Value>,
}

impl TryFrom<DelegatedRoleRepr> for DelegatedRole {
    type Error = String;
    fn try_from(r: DelegatedRoleRepr) -> Result<Self, String> {
        if r.paths.is_some() == r.path_hash_prefixes.is_some() {
            return Err(format!(
                "delegated role {:?}: exactly one of \"paths\" and \"path_hash_prefixes\" must be set",
                r.name
            ));
        }
        Ok(DelegatedRole {
            name: r.name,
            keyids: r.keyids,
            threshold: r.threshold,
            terminating: r.terminating,
            paths: r.paths,
            path_hash_prefixes: r.path_hash_prefixes,
            unrecognized: r.unrecognized,
        })
    }
}

/// Which targets a delegated role is trusted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathScope {
    /// Shell-style patterns, matched per path segment.
    Paths(Vec<String>),
    /// Hex prefixes of SHA-256(target path).
    HashPrefixes(Vec<String>),
}

impl DelegatedRole {
    /// A role trusted for `scope`, with no keys yet. Fails for an invalid name.
    pub fn new(
        name: impl Into<String>,
        threshold: Threshold,
        terminating: bool,
        scope: PathScope,
    ) -> Result<Self, String> {
        let name = name.into();
        validate_role_name(&name)?;
        let (paths, path_hash_prefixes) = match scope {
            PathScope::Paths(p) => (Some(p), None),
            PathScope::HashPrefixes(h) => (None, Some(h)),
        };
        Ok(DelegatedRole {
            name,
            keyids: Vec::new(),
            threshold,
            terminating,
            paths,
            path_hash_prefixes,
            unrecognized: Map::new(),
        })
    }

    /// The path patterns, if this role uses them.
    pub fn paths(&self) -> Option<&[String]> {
        self.paths.as_deref()
    }

    /// The hash prefixes, if this role uses them.
    pub fn path_hash_prefixes(&self) -> Option<&[String]> {
        self.path_hash_prefixes.as_deref()
    }

    /// Whether `target` falls inside this role's trusted namespace (§5.6.7.2).
    pub fn is_delegated_path(&self, target: &str) -> bool {
        if let Some(patterns) = &self.paths {
            return patterns.iter().any(|p| path_matches(p, target));
        }
        if let Some(prefixes) = &self.path_hash_prefixes {
            let digest = hex::encode(sha256(target.as_bytes()));
            return prefixes.iter().any(|p| digest.starts_with(p.as_str()));
        }
        false
    }
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    d.as_ref().try_into().expect("sha256 is 32 bytes")
}

/// Whether `target` matches `pattern`: both are split on `/`, must have the
/// same number of segments, and each segment must match as a shell glob
/// (`*`, `?`, `[seq]`, `[!seq]`). Case-sensitive.
pub fn path_matches(pattern: &str, target: &str) -> bool {
    let mut p = pattern.split('/');
    let mut t = target.split('/');
    loop {
        match (p.next(), t.next()) {
            (None, None) => return true,
            (Some(ps), Some(ts)) if glob_segment(ps.as_bytes(), ts.as_bytes()) => {}
            _ => return false,
        }
    }
}

/// Glob match over bytes with backtracking on the last `*`. Works on bytes, but
/// `?` and bracket sets consume one whole UTF-8 character.
fn glob_segment(pat: &[u8], text: &[u8]) -> bool {
    let text = std::str::from_utf8(text).expect("split of a str");
    let chars: Vec<char> = text.chars().collect();
    let pat = std::str::from_utf8(pat).expect("split of a str");
    let pchars: Vec<char> = pat.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < chars.len() {
        if pi < pchars.len() {
            match pchars[pi] {
                '*' => {
                    star = Some((pi, ti));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = bracket(&pchars, pi, chars[ti]) {
                        if matched {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if chars[ti] == '[' {
                        // Unclosed bracket: a literal '['.
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                c if c == chars[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pchars[pi..].iter().all(|&c| c == '*')
}

/// Match `c` against the bracket expression starting at `p[start] == '['`.
/// Returns (matched, index after `]`), or `None` when the bracket is unclosed.
fn bracket(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = p.get(i) == Some(&'!');
    if negate {
        i += 1;
    }
    let first = i;
    let mut matched = false;
    while i < p.len() {
        if p[i] == ']' && i > first {
            return Some((matched != negate, i + 1));
        }
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

/// TAP 15 succinct hashed bins: `2^bit_length` roles named
/// `<name_prefix>-<zero-padded hex>`, all sharing keys and threshold, all terminating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SuccinctRepr")]
pub struct SuccinctRoles {
    /// Key ids shared by every bin.
    pub keyids: Vec<KeyId>,
    /// Threshold shared by every bin.
    pub threshold: Threshold,
    bit_length: u8,
    name_prefix: String,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub unrecognized: Map<String, Value>,
}

#[derive(Deserialize)]
struct SuccinctRepr {
    #[serde(deserialize_with = "unique_keyids")]
    keyids: Vec<KeyId>,
    threshold: Threshold,
    bit_length: u8,
    name_prefix: String,
    #[serde(flatten)]
    unrecognized: Map<String, Value>,
}

impl TryFrom<SuccinctRepr> for SuccinctRoles {
    type Error = String;
    fn try_from(r: SuccinctRepr) -> Result<Self, String> {
        let mut s = SuccinctRoles::new(r.threshold, r.bit_length, r.name_prefix)?;
        s.keyids = r.keyids;
        s.unrecognized = r.unrecognized;
        Ok(s)
    }
}

impl SuccinctRoles {
    /// Bins with no keys yet. `bit_length` must be 1..=32.
    pub fn new(
        threshold: Threshold,
        bit_length: u8,
        name_prefix: impl Into<String>,
    ) -> Result<Self, String> {
        if !(1..=32).contains(&bit_length) {
            return Err(format!(
                "succinct_roles bit_length {bit_length} is not in 1..=32"
            ));
        }
        Ok(SuccinctRoles {
            keyids: Vec::new(),
            threshold,
            bit_length,
            name_prefix: name_prefix.into(),
            unrecognized: Map::new(),
        })
    }

    /// Bits of SHA-256(target path) that pick the bin.
    pub fn bit_length(&self) -> u8 {
        self.bit_length
    }

    /// Prefix of every bin name.
    pub fn name_prefix(&self) -> &str {
        &self.name_prefix
    }

    /// How many bins there are.
    pub fn bin_count(&self) -> u64 {
        1u64 << self.bit_length
    }

    fn suffix_len(&self) -> usize {
        format!("{:x}", self.bin_count() - 1).len()
    }

    /// Name of bin `index`.
    pub fn bin_name(&self, index: u64) -> String {
        format!(
            "{}-{:0width$x}",
            self.name_prefix,
            index,
            width = self.suffix_len()
        )
    }

    /// Every bin name, in order.
    pub fn bin_names(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.bin_count()).map(|i| self.bin_name(i))
    }

    /// Index of the bin responsible for `target`.
    pub fn bin_for_target(&self, target: &str) -> u64 {
        let h = sha256(target.as_bytes());
        let first = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        u64::from(first) >> (32 - u32::from(self.bit_length))
    }

    /// Name of the bin responsible for `target`.
    pub fn role_for_target(&self, target: &str) -> String {
        self.bin_name(self.bin_for_target(target))
    }

    /// Whether `name` is one of these bins.
    pub fn is_bin(&self, name: &str) -> bool {
        let Some(suffix) = name
            .strip_prefix(self.name_prefix.as_str())
            .and_then(|s| s.strip_prefix('-'))
        else {
            return false;
        };
        suffix.len() == self.suffix_len()
            && suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && u64::from_str_radix(suffix, 16).is_ok_and(|i| i < self.bin_count())
    }
}

/// The role a lookup should visit next, as the delegator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationStep {
    /// Role name.
    pub name: String,
    /// Whether matching it ends the search after its subtree.
    pub terminating: bool,
}

impl Delegations {
    /// Delegate to an ordered list of roles.
    pub fn with_roles(
        keys: BTreeMap<KeyId, Key>,
        roles: Vec<DelegatedRole>,
    ) -> Result<Self, String> {
        DelegationsRepr {
            keys,
            roles: Some(roles),
            succinct_roles: None,
            unrecognized: Map::new(),
        }
        .try_into()
    }

    /// Delegate to succinct hashed bins.
    pub fn with_succinct(keys: BTreeMap<KeyId, Key>, succinct: SuccinctRoles) -> Self {
        Delegations {
            keys,
            roles: None,
            succinct_roles: Some(succinct),
            unrecognized: Map::new(),
        }
    }

    /// The ordered roles, if this uses `roles`.
    pub fn roles(&self) -> Option<&[DelegatedRole]> {
        self.roles.as_deref()
    }

    /// The succinct bins, if this uses `succinct_roles`.
    pub fn succinct_roles(&self) -> Option<&SuccinctRoles> {
        self.succinct_roles.as_ref()
    }

    /// Mutable succinct bins (e.g. to add keys).
    pub fn succinct_roles_mut(&mut self) -> Option<&mut SuccinctRoles> {
        self.succinct_roles.as_mut()
    }

    /// Append a role at the lowest priority. Fails if the name is taken or
    /// this uses succinct roles.
    pub fn add_role(&mut self, role: DelegatedRole) -> Result<(), String> {
        let roles = self
            .roles
            .as_mut()
            .ok_or("these delegations use succinct_roles")?;
        if roles.iter().any(|r| r.name == role.name) {
            return Err(format!("delegated role {:?} already exists", role.name));
        }
        roles.push(role);
        Ok(())
    }

    /// Remove a role by name; returns it.
    pub fn remove_role(&mut self, name: &str) -> Option<DelegatedRole> {
        let roles = self.roles.as_mut()?;
        let i = roles.iter().position(|r| r.name == name)?;
        Some(roles.remove(i))
    }

    /// Mutable access to a named role.
    pub fn role_mut(&mut self, name: &str) -> Option<&mut DelegatedRole> {
        self.roles.as_mut()?.iter_mut().find(|r| r.name == name)
    }

    /// Add a key (by its computed id) and authorize it for `role` (a role name
    /// or, with succinct roles, any bin name). Returns the key id.
    pub fn add_key(&mut self, role: &str, key: Key) -> Result<KeyId, String> {
        let id = key.compute_keyid();
        let keyids = if let Some(s) = self.succinct_roles.as_mut().filter(|s| s.is_bin(role)) {
            &mut s.keyids
        } else {
            &mut self
                .role_mut(role)
                .ok_or_else(|| format!("no delegated role {role:?}"))?
                .keyids
        };
        if !keyids.contains(&id) {
            keyids.push(id.clone());
        }
        self.keys.insert(id.clone(), key);
        Ok(id)
    }

    /// Every role delegated to, in priority order (bins in index order).
    pub fn role_names(&self) -> Vec<String> {
        match &self.succinct_roles {
            Some(s) => s.bin_names().collect(),
            None => self
                .roles
                .iter()
                .flatten()
                .map(|r| r.name.clone())
                .collect(),
        }
    }

    /// The delegations that apply to `target`, in priority order (§5.6.7.2).
    pub fn roles_for_target(&self, target: &str) -> Vec<DelegationStep> {
        if let Some(s) = &self.succinct_roles {
            return vec![DelegationStep {
                name: s.role_for_target(target),
                terminating: true,
            }];
        }
        self.roles
            .iter()
            .flatten()
            .filter(|r| r.is_delegated_path(target))
            .map(|r| DelegationStep {
                name: r.name.clone(),
                terminating: r.terminating,
            })
            .collect()
    }

    /// Keys and threshold for a delegated role (or succinct bin), if delegated here.
    pub fn role_keys<'a>(&'a self, role: &'a str) -> Option<RoleKeys<'a>> {
        if let Some(s) = &self.succinct_roles {
            return s
                .is_bin(role)
                .then(|| RoleKeys::from_parts(role, &s.keyids, s.threshold, &self.keys));
        }
        let r = self.roles.iter().flatten().find(|r| r.name == role)?;
        Some(RoleKeys::from_parts(
            role,
            &r.keyids,
            r.threshold,
            &self.keys,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_never_cross_a_slash() {
        assert!(path_matches("*", "a.tgz"));
        assert!(!path_matches("*", "a/b"));
        assert!(path_matches("*/*", "a/b"));
        assert!(path_matches("targets/*.tgz", "targets/foo.tgz"));
        assert!(!path_matches("targets/*.tgz", "targets/foo.txt"));
        assert!(path_matches("foo-version-?.tgz", "foo-version-2.tgz"));
        assert!(!path_matches("foo-version-?.tgz", "foo-version-alpha.tgz"));
        assert!(!path_matches("*.tgz", "targets/foo.tgz"));
        assert!(path_matches("foo.tgz", "foo.tgz"));
        assert!(!path_matches("foo.tgz", "foo.tgzz"));
        assert!(path_matches("a/*/c", "a/b/c"));
        assert!(!path_matches("a/*", "a/b/c"));
        assert!(path_matches("", ""));
        assert!(path_matches("a*b*c", "aXbYbZc"));
    }

    #[test]
    fn matching_is_case_sensitive_everywhere() {
        assert!(!path_matches("*.md", "README.MD"));
        assert!(path_matches("*.MD", "README.MD"));
    }

    #[test]
    fn bracket_sets() {
        assert!(path_matches("file[0-9].txt", "file7.txt"));
        assert!(!path_matches("file[0-9].txt", "filex.txt"));
        assert!(path_matches("file[!0-9].txt", "filex.txt"));
        assert!(path_matches("[]]", "]"));
        assert!(path_matches("a[", "a["));
        assert!(path_matches("?", "ü"));
    }

    #[test]
    fn hash_prefixes_use_sha256_of_the_path() {
        let mut role = DelegatedRole::new(
            "bins",
            Threshold::ONE,
            false,
            PathScope::HashPrefixes(vec![]),
        )
        .unwrap();
        let digest = hex::encode(sha256(b"file.txt"));
        role.path_hash_prefixes = Some(vec![digest[..2].to_owned()]);
        assert!(role.is_delegated_path("file.txt"));
        role.path_hash_prefixes = Some(vec![if digest.starts_with('0') {
            "f".into()
        } else {
            "0".into()
        }]);
        assert!(!role.is_delegated_path("file.txt"));
    }

    #[test]
    fn succinct_bins_are_named_and_chosen_like_tap15() {
        let s = SuccinctRoles::new(Threshold::ONE, 8, "bin").unwrap();
        assert_eq!(s.bin_count(), 256);
        assert_eq!(s.bin_name(0), "bin-00");
        assert_eq!(s.bin_name(255), "bin-ff");
        let s12 = SuccinctRoles::new(Threshold::ONE, 12, "b").unwrap();
        assert_eq!(s12.bin_name(5), "b-005");
        assert!(s.is_bin("bin-0a"));
        assert!(!s.is_bin("bin-0A"));
        assert!(!s.is_bin("bin-100"));
        assert!(!s.is_bin("bin-a"));
        let h = sha256(b"some/target");
        assert_eq!(s.bin_for_target("some/target"), u64::from(h[0]));
        let s1 = SuccinctRoles::new(Threshold::ONE, 1, "x").unwrap();
        assert_eq!(s1.bin_for_target("some/target"), u64::from(h[0] >> 7));
        let s32 = SuccinctRoles::new(Threshold::ONE, 32, "x").unwrap();
        assert_eq!(
            s32.bin_for_target("some/target"),
            u64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]]))
        );
        assert!(SuccinctRoles::new(Threshold::ONE, 0, "x").is_err());
        assert!(SuccinctRoles::new(Threshold::ONE, 33, "x").is_err());
    }
}
