//! [`TargetSearch`]: the pre-order depth-first walk of delegations that finds
//! which role is trusted for a target path (spec §5.6.7), as a pure state
//! machine the updater drives: it asks for roles, the updater loads them into
//! the [`TrustedMetadataSet`], and the search continues.
//!
//! Rules: delegations in array order; only delegations whose paths or hash
//! prefixes match are followed (so a target must lie inside every role of the
//! chain); a matching terminating delegation ends the search after its
//! subtree, dropping its siblings and its ancestors' siblings; each role name
//! is visited at most once per search (cycles are harmless); after
//! `max_delegations` roles beyond the top-level one, the target is not found.

use std::collections::HashSet;

use super::TrustedMetadataSet;
use crate::metadata::TargetFile;

/// What the updater must do next for a [`TargetSearch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchStep {
    /// Load `role` (cached copy or download) with
    /// [`TrustedMetadataSet::update_delegated_targets`]`(bytes, parent, role)`,
    /// or, when `parent` is empty, the top-level targets with
    /// [`TrustedMetadataSet::update_targets`]. Then call `next` again.
    /// A failed load ends the search with that error (§5.6.7).
    NeedRole {
        /// Delegation path of the delegator (empty for top-level targets).
        parent: Vec<String>,
        /// Role to load.
        role: String,
    },
    /// The most trusted role listing the target lists it so.
    Found {
        /// The target's trusted length and hashes.
        file: TargetFile,
        /// Delegation path of the role that lists it.
        role_path: Vec<String>,
    },
    /// No trusted role lists the target.
    NotFound,
}

/// One target lookup in progress.
#[derive(Debug, Clone)]
pub struct TargetSearch {
    target: String,
    stack: Vec<Vec<String>>,
    visited: HashSet<String>,
    max_delegations: usize,
}

impl TargetSearch {
    /// Look up `target`, visiting at most `max_delegations` delegated roles
    /// (python-tuf's default is 32).
    pub fn new(target: impl Into<String>, max_delegations: usize) -> Self {
        TargetSearch {
            target: target.into(),
            stack: vec![vec!["targets".to_owned()]],
            visited: HashSet::new(),
            max_delegations,
        }
    }

    /// The target path being searched.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Advance as far as trusted metadata allows.
    pub fn next(&mut self, trusted: &TrustedMetadataSet) -> SearchStep {
        while self.visited.len() <= self.max_delegations {
            let Some(path) = self.stack.last() else { break };
            let role = path.last().expect("paths are never empty");
            if self.visited.contains(role) {
                self.stack.pop();
                continue;
            }
            let Some(targets) = trusted.targets_at(path) else {
                return SearchStep::NeedRole {
                    parent: path[..path.len() - 1].to_vec(),
                    role: role.clone(),
                };
            };
            let path = self.stack.pop().expect("checked above");
            if let Some(file) = targets.targets.get(&self.target) {
                return SearchStep::Found {
                    file: file.clone(),
                    role_path: path,
                };
            }
            self.visited.insert(path.last().expect("non-empty").clone());
            let Some(delegations) = &targets.delegations else {
                continue;
            };
            let mut children = Vec::new();
            for step in delegations.roles_for_target(&self.target) {
                let mut child = path.clone();
                child.push(step.name);
                children.push(child);
                if step.terminating {
                    // §5.6.7.2.1: nothing outside this subtree is considered.
                    self.stack.clear();
                    break;
                }
            }
            self.stack.extend(children.into_iter().rev());
        }
        SearchStep::NotFound
    }
}
