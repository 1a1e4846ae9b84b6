//! Editing delegations: named roles trusted for path patterns or hash
//! prefixes, and TAP 15 succinct hashed bins.
//!
//! Contract:
//! - A delegation edit makes the delegator a new version; a change to a
//!   delegated role's keys also makes that role a new version, so it is
//!   re-signed by keys its delegator now lists.
//! - A role name is never reused at a lower version: a role re-created
//!   under a name snapshot still lists continues from that version (F-79,
//!   snapshot keeps entries of removed roles).
//! - Named roles and succinct bins do not mix in one delegator (spec §4.5).
//! - A new role's name (every bin's too) must be storable as a metadata
//!   file a static web server serves
//!   ([`check_role_name`](crate::check_role_name)); others are refused
//!   with [`RepoError::InvalidRoleName`] before anything changes.
//! - A role name belongs to one delegation in the whole repository, loaded
//!   or not: a new named role must not be delegated anywhere yet, and no
//!   new bin may be a loaded role or a name snapshot lists.

use std::collections::BTreeMap;

use tuf_core::metadata::{
    DelegatedRole, Delegations, Key, KeyId, PathScope, SuccinctRoles, Targets, Threshold,
};

use crate::error::{RepoError, Result};
use crate::repository::Repository;
use crate::role_name::check_role_name;
use crate::role_state::RoleState;

/// A named delegation to create.
#[derive(Debug, Clone)]
pub struct DelegationSpec {
    /// The new role's name.
    pub name: String,
    /// Paths (shell patterns) or hash prefixes it is trusted for.
    pub scope: PathScope,
    /// Signatures required.
    pub threshold: Threshold,
    /// Whether a match ends the search (§5.6.7.2.1).
    pub terminating: bool,
    /// Its keys.
    pub keys: Vec<Key>,
}

/// TAP 15 succinct hashed bins to create.
#[derive(Debug, Clone)]
pub struct BinsSpec {
    /// `2^bit_length` bins (1..=32).
    pub bit_length: u8,
    /// Bins are named `<name_prefix>-<hex index>`.
    pub name_prefix: String,
    /// Signatures required for every bin.
    pub threshold: Threshold,
    /// Keys shared by every bin.
    pub keys: Vec<Key>,
}

/// [`RepoError::InvalidRoleName`] unless `name` can be a metadata file.
fn valid_name(name: &str) -> Result<()> {
    check_role_name(name).map_err(|reason| RepoError::InvalidRoleName {
        role: name.to_owned(),
        reason,
    })
}

impl Repository {
    fn invalid(delegator: &str, detail: impl Into<String>) -> RepoError {
        RepoError::InvalidDelegation {
            delegator: delegator.to_owned(),
            detail: detail.into(),
        }
    }

    fn name_in_use(&mut self, name: &str) -> bool {
        self.targets.contains_key(name) || self.delegator_of(name).is_ok()
    }

    /// A fresh role, starting above any version snapshot remembers (F-79).
    fn new_role(&self, name: &str) -> RoleState<Targets> {
        let mut t = Targets::new(self.expires_for(name));
        if let Some(old) = self.snapshot.md.signed.role_meta(name) {
            t.version = old.version.next();
        }
        RoleState::new(t)
    }

    /// Delegate part of `delegator`'s namespace to a new role (appended at
    /// the lowest priority), which starts with no targets.
    pub fn add_delegation(&mut self, delegator: &str, spec: DelegationSpec) -> Result<()> {
        if spec.keys.len() < spec.threshold.get() as usize {
            return Err(RepoError::TooFewKeys {
                role: spec.name,
                threshold: spec.threshold.get(),
                keys: spec.keys.len(),
            });
        }
        valid_name(&spec.name)?;
        self.ensure_loaded(delegator)?;
        if self.name_in_use(&spec.name) {
            return Err(RepoError::RoleExists { role: spec.name });
        }
        let mut role = DelegatedRole::new(&spec.name, spec.threshold, spec.terminating, spec.scope)
            .map_err(|d| Self::invalid(delegator, d))?;
        let mut keys = BTreeMap::new();
        for k in spec.keys {
            let id = k.compute_keyid();
            if !role.keyids.contains(&id) {
                role.keyids.push(id.clone());
            }
            keys.insert(id, k);
        }
        // Build the new delegations aside, so a refusal changes nothing.
        let current = self.targets[delegator].md.signed.delegations.clone();
        let next = match current {
            None => Delegations::with_roles(keys, vec![role])
                .map_err(|d| Self::invalid(delegator, d))?,
            Some(mut d) => {
                d.add_role(role).map_err(|e| Self::invalid(delegator, e))?;
                d.keys.extend(keys);
                d
            }
        };
        let new_role = self.new_role(&spec.name);
        self.touch_targets(delegator)?.md.signed.delegations = Some(next);
        self.targets.insert(spec.name, new_role);
        Ok(())
    }

    /// Stop delegating to `name`. Its published files stay until pruned and
    /// snapshot keeps its entry (F-79).
    pub fn remove_delegation(&mut self, delegator: &str, name: &str) -> Result<()> {
        self.ensure_loaded(delegator)?;
        let mut d = self.targets[delegator]
            .md
            .signed
            .delegations
            .clone()
            .ok_or_else(|| RepoError::UnknownRole {
                role: name.to_owned(),
            })?;
        d.remove_role(name).ok_or_else(|| RepoError::UnknownRole {
            role: name.to_owned(),
        })?;
        // Drop keys no remaining role uses.
        let used: std::collections::HashSet<KeyId> = d
            .roles()
            .into_iter()
            .flatten()
            .flat_map(|r| r.keyids.iter().cloned())
            .collect();
        d.keys.retain(|id, _| used.contains(id));
        self.touch_targets(delegator)?.md.signed.delegations = Some(d);
        // Unpublished edits of a role no longer delegated are dropped: no
        // key could be checked against it at publish.
        if self.targets.get(name).is_some_and(|s| s.is_pending()) {
            self.targets.remove(name);
        }
        Ok(())
    }

    /// Delegate all of `delegator`'s namespace to succinct hashed bins
    /// (TAP 15), creating every bin empty. `delegator` must not delegate yet,
    /// and no bin name may be a loaded role or one snapshot lists
    /// ([`RepoError::RoleExists`]). Returns the bin names.
    pub fn add_succinct_bins(&mut self, delegator: &str, spec: BinsSpec) -> Result<Vec<String>> {
        if spec.keys.len() < spec.threshold.get() as usize {
            return Err(RepoError::TooFewKeys {
                role: spec.name_prefix,
                threshold: spec.threshold.get(),
                keys: spec.keys.len(),
            });
        }
        self.ensure_loaded(delegator)?;
        if self.targets[delegator]
            .md
            .signed
            .delegations
            .as_ref()
            .is_some_and(|d| {
                d.succinct_roles().is_some() || d.roles().is_some_and(|r| !r.is_empty())
            })
        {
            return Err(Self::invalid(delegator, "it already delegates"));
        }
        let mut bins = SuccinctRoles::new(spec.threshold, spec.bit_length, &spec.name_prefix)
            .map_err(|d| Self::invalid(delegator, d))?;
        let mut keys = BTreeMap::new();
        for k in spec.keys {
            let id = k.compute_keyid();
            if !bins.keyids.contains(&id) {
                bins.keyids.push(id.clone());
            }
            keys.insert(id, k);
        }
        let names: Vec<String> = bins.bin_names().collect();
        // Bin names differ only in their hex suffix.
        for n in [names.first(), names.last()].into_iter().flatten() {
            valid_name(n)?;
        }
        // Loaded roles, and every published one (snapshot lists them all,
        // loaded or not, removed ones included): two delegators must never
        // share a bin's metadata file.
        let listed = &self.snapshot.md.signed;
        if let Some(n) = names
            .iter()
            .find(|n| self.targets.contains_key(*n) || listed.role_meta(n).is_some())
        {
            return Err(RepoError::RoleExists { role: n.clone() });
        }
        let new_roles: Vec<_> = names
            .iter()
            .map(|n| (n.clone(), self.new_role(n)))
            .collect();
        self.touch_targets(delegator)?.md.signed.delegations =
            Some(Delegations::with_succinct(keys, bins));
        self.targets.extend(new_roles);
        Ok(names)
    }

    /// Authorize `key` for delegated role `role` (for succinct bins: any bin
    /// name, and every bin gets the key). The role(s) will be re-signed.
    pub fn add_delegated_key(&mut self, role: &str, key: Key) -> Result<KeyId> {
        let delegator = self.delegator_of(role)?;
        let mut d = self.targets[&delegator]
            .md
            .signed
            .delegations
            .clone()
            .expect("a delegator has delegations");
        let id = d
            .add_key(role, key)
            .map_err(|e| Self::invalid(&delegator, e))?;
        self.apply_key_change(&delegator, role, d)?;
        Ok(id)
    }

    /// Remove `keyid` from delegated role `role` (for bins: from every bin).
    /// Refused if fewer keys than the threshold would remain.
    pub fn revoke_delegated_key(&mut self, role: &str, keyid: &KeyId) -> Result<()> {
        let delegator = self.delegator_of(role)?;
        let mut d = self.targets[&delegator]
            .md
            .signed
            .delegations
            .clone()
            .expect("a delegator has delegations");
        let (keyids, threshold) = if let Some(s) = d.succinct_roles_mut().filter(|s| s.is_bin(role))
        {
            (&mut s.keyids, s.threshold)
        } else {
            let r = d.role_mut(role).ok_or_else(|| RepoError::UnknownRole {
                role: role.to_owned(),
            })?;
            (&mut r.keyids, r.threshold)
        };
        let before = keyids.len();
        keyids.retain(|k| k != keyid);
        if keyids.len() == before {
            return Err(RepoError::KeyNotAuthorized {
                role: role.to_owned(),
                keyid: keyid.to_string(),
            });
        }
        if keyids.len() < threshold.get() as usize {
            return Err(RepoError::TooFewKeys {
                role: role.to_owned(),
                threshold: threshold.get(),
                keys: keyids.len(),
            });
        }
        self.apply_key_change(&delegator, role, d)
    }

    fn apply_key_change(&mut self, delegator: &str, role: &str, d: Delegations) -> Result<()> {
        let affected: Vec<String> = match d.succinct_roles().filter(|s| s.is_bin(role)) {
            Some(s) => s.bin_names().collect(),
            None => vec![role.to_owned()],
        };
        // Load first, so a failure leaves everything as it was.
        for r in &affected {
            self.ensure_loaded(r)?;
        }
        self.touch_targets(delegator)?.md.signed.delegations = Some(d);
        for r in &affected {
            self.touch_targets(r)?;
        }
        Ok(())
    }
}
