//! [`RoleState`]: one role's metadata as the tooling holds it, with the
//! version published on disk, so "pending" needs no separate flag.
//!
//! Contract: a role is *pending* exactly when its in-memory version differs
//! from the published one. The first edit after a publish bumps the version
//! once (F-76); every edit drops signatures, which covered the old content.

use tuf_core::DateTime;
use tuf_core::metadata::{Metadata, SignedMeta, Version};

/// A role's current metadata and what is published of it.
#[derive(Debug, Clone)]
pub(crate) struct RoleState<T> {
    /// The current (maybe unpublished) metadata.
    pub md: Metadata<T>,
    /// The version on disk; `None` for a role never published.
    pub published: Option<Version>,
}

impl<T: SignedMeta> RoleState<T> {
    /// A role loaded from disk.
    pub(crate) fn published(md: Metadata<T>) -> Self {
        let v = md.signed.version();
        RoleState {
            md,
            published: Some(v),
        }
    }

    /// A role that exists only in memory so far.
    pub(crate) fn new(signed: T) -> Self {
        RoleState {
            md: Metadata::new(signed),
            published: None,
        }
    }

    /// Whether the in-memory version still has to be published.
    pub(crate) fn is_pending(&self) -> bool {
        self.published != Some(self.md.signed.version())
    }

    /// The version of the current metadata.
    pub(crate) fn version(&self) -> Version {
        self.md.signed.version()
    }

    /// Prepare for an edit: start a new version if the current one is
    /// published, set the expiry, and drop signatures over the old content.
    pub(crate) fn touch(&mut self, expires: DateTime) {
        if let Some(p) = self.published
            && p == self.md.signed.version()
        {
            self.md.signed.set_version(p.next());
        }
        self.md.signed.set_expires(expires);
        self.md.signatures.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuf_core::metadata::Targets;

    #[test]
    fn first_edit_bumps_the_version_once_and_drops_signatures() {
        let t0 = DateTime::from_unix(0);
        let mut s = RoleState::published(Metadata::new(Targets::new(t0)));
        assert!(!s.is_pending());
        s.touch(t0.plus_days(1));
        assert_eq!(s.version().get(), 2);
        assert!(s.is_pending());
        s.touch(t0.plus_days(2));
        assert_eq!(s.version().get(), 2);
        assert_eq!(s.md.signed.expires, t0.plus_days(2));
    }
}
