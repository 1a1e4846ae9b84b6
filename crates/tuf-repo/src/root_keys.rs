//! Editing root: top-level keys and thresholds, including root key rotation.
//!
//! Contract:
//! - Any edit makes root a new version N+1; it is published only when a
//!   threshold of its own root keys *and* of version N's root keys signed
//!   it (F-74), so clients can follow the chain.
//! - Changing the keys of timestamp, snapshot or targets also makes that
//!   role a new version, signed by its new keys (the fast-forward recovery
//!   of F-80: a client that rotated to the new root drops old copies and
//!   needs ones the new keys signed).
//! - An edit that would leave a role with fewer keys than its threshold is
//!   refused and changes nothing.

use tuf_core::RoleType;
use tuf_core::metadata::{Key, KeyId, Threshold};

use crate::error::{RepoError, Result};
use crate::repository::{Repository, TARGETS};

impl Repository {
    fn touch_root(&mut self) {
        let e = self.expires_for("root");
        self.root.touch(e);
    }

    /// New keys for `role` need a new version of it, signed by them.
    fn resign_rotated(&mut self, role: RoleType) -> Result<()> {
        match role {
            RoleType::Root => {}
            RoleType::Timestamp => {
                let e = self.expires_for("timestamp");
                self.timestamp.touch(e);
            }
            RoleType::Snapshot => {
                let e = self.expires_for("snapshot");
                self.snapshot.touch(e);
            }
            RoleType::Targets => {
                self.touch_targets(TARGETS)?;
            }
        }
        Ok(())
    }

    /// Authorize `key` for top-level `role`; returns its key id.
    pub fn add_root_key(&mut self, role: RoleType, key: Key) -> Result<KeyId> {
        self.touch_root();
        let id = self.root.md.signed.add_key(role, key);
        self.resign_rotated(role)?;
        Ok(id)
    }

    /// Remove `keyid` from top-level `role`.
    pub fn revoke_root_key(&mut self, role: RoleType, keyid: &KeyId) -> Result<()> {
        let r = self.root.md.signed.role(role);
        if !r.keyids.contains(keyid) {
            return Err(RepoError::KeyNotAuthorized {
                role: role.to_string(),
                keyid: keyid.to_string(),
            });
        }
        let remaining = r.keyids.len() - 1;
        if remaining < r.threshold.get() as usize {
            return Err(RepoError::TooFewKeys {
                role: role.to_string(),
                threshold: r.threshold.get(),
                keys: remaining,
            });
        }
        self.touch_root();
        self.root.md.signed.revoke_key(role, keyid);
        self.resign_rotated(role)
    }

    /// Replace key `old` of `role` by `new` in one root version (the usual
    /// rotation). Returns the new key id.
    pub fn rotate_root_key(&mut self, role: RoleType, old: &KeyId, new: Key) -> Result<KeyId> {
        if !self.root.md.signed.role(role).keyids.contains(old) {
            return Err(RepoError::KeyNotAuthorized {
                role: role.to_string(),
                keyid: old.to_string(),
            });
        }
        self.touch_root();
        let id = self.root.md.signed.add_key(role, new);
        if &id != old {
            self.root.md.signed.revoke_key(role, old);
        }
        self.resign_rotated(role)?;
        Ok(id)
    }

    /// Set the threshold of top-level `role`.
    pub fn set_root_threshold(&mut self, role: RoleType, threshold: Threshold) -> Result<()> {
        let keys = self.root.md.signed.role(role).keyids.len();
        if keys < threshold.get() as usize {
            return Err(RepoError::TooFewKeys {
                role: role.to_string(),
                threshold: threshold.get(),
                keys,
            });
        }
        self.touch_root();
        self.root.md.signed.set_threshold(role, threshold);
        Ok(())
    }
}
