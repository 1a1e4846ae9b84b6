//! `tuf repo sign`: add signatures from a key store to staged roles, keep
//! them staged, and publish once every threshold is met.

use std::path::PathBuf;

use anyhow::Result;
use tuf_repo::RepoError;

use super::{KeysArgs, open_for_signing, print_report, print_staged, signable_pending};

/// Arguments of `tuf repo sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct SignArgs {
    /// Repository directory.
    repo: PathBuf,
    #[command(flatten)]
    keys: KeysArgs,
    /// Roles to sign (default: every unpublished root, targets or delegated
    /// role; snapshot and timestamp are signed at publish).
    #[arg(value_name = "ROLE")]
    roles: Vec<String>,
    /// Only keep the signatures staged, even if every threshold is met.
    #[arg(long)]
    no_publish: bool,
}

impl SignArgs {
    pub(crate) fn run(self) -> Result<()> {
        let (mut repo, _store) = open_for_signing(&self.repo, &self.keys)?;
        let roles = if self.roles.is_empty() {
            signable_pending(&repo)
        } else {
            self.roles.clone()
        };
        // Check every role before signing any, so a typo changes nothing.
        for role in &roles {
            if role == "snapshot" || role == "timestamp" {
                return Err(RepoError::SignedAtPublish { role: role.clone() }.into());
            }
            if !repo.signature_status(role)?.pending {
                return Err(RepoError::NothingToSign { role: role.clone() }.into());
            }
        }
        for role in &roles {
            let n = repo.sign_role(role)?;
            println!("{role}: {n} new signature(s)");
        }
        repo.stage()?;
        if self.no_publish {
            return print_staged(&mut repo);
        }
        match repo.publish() {
            Ok(report) => {
                print_report(&report);
                Ok(())
            }
            Err(e @ RepoError::ThresholdNotMet { .. }) => {
                print_staged(&mut repo)?;
                println!("not published yet: {e}");
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }
}
