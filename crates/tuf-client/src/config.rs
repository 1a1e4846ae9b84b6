//! [`UpdaterConfig`]: limits and switches of the client, with python-tuf's defaults.

/// Limits of one update. Defaults are python-tuf's (`ngclient/config.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdaterConfig {
    /// Most root versions fetched in one refresh (§5.3.3 "Y").
    pub max_root_rotations: u32,
    /// Most delegated roles visited in one target lookup (§5.6.7.1).
    pub max_delegations: usize,
    /// Byte limit for a root file (§5.3.3 "W").
    pub root_max_length: u64,
    /// Byte limit for timestamp.json (§5.4.1 "X").
    pub timestamp_max_length: u64,
    /// Byte limit for snapshot.json when timestamp gives no length (§5.5.1 "Y").
    pub snapshot_max_length: u64,
    /// Byte limit for a targets file when snapshot gives no length (§5.6.1 "Z").
    pub targets_max_length: u64,
    /// Download targets as `dir/HASH.name` when consistent snapshots are on (§5.7.3).
    pub prefix_targets_with_hash: bool,
}

impl Default for UpdaterConfig {
    fn default() -> Self {
        UpdaterConfig {
            max_root_rotations: 256,
            max_delegations: 32,
            root_max_length: 512_000,
            timestamp_max_length: 16_384,
            snapshot_max_length: 2_000_000,
            targets_max_length: 5_000_000,
            prefix_targets_with_hash: true,
        }
    }
}
