//! [`WriteBehind`]: metadata writes that run on a second thread while the
//! updater goes on fetching and verifying.
//!
//! # Contract
//!
//! - Writes reach the store in the order they were queued, one at a time,
//!   each through [`MetadataStore::put`] (so each is atomic on its own).
//! - A read of a name with a queued or running write waits for it: the
//!   updater always reads what it last wrote (read-your-writes).
//! - [`WriteBehind::run`] returns only when every queued write has finished,
//!   so every write of a refresh is done while its store lock is held, and
//!   its result says whether they all succeeded.
//! - After a failed write, the writes already queued are dropped, the next
//!   [`put`](WriteBehind::put) or [`remove`](WriteBehind::remove) returns the
//!   failure, and later writes go straight to the store.
//!
//! Only the order and moment of writes change, never which bytes are
//! written: each file is still trusted before it is queued (spec §5.4.5,
//! §5.5.7, §5.6.6 "persist"), and every trusted file of a refresh is on
//! disk when the refresh returns, failed or not.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::store::{MetadataStore, StoreError};

/// A queue of `(name, bytes)` writes drained by one background thread.
pub(crate) struct WriteBehind<'s> {
    store: &'s dyn MetadataStore,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    queue: VecDeque<(String, Vec<u8>)>,
    /// Queued or running writes, by name.
    pending: HashMap<String, usize>,
    failed: Option<StoreError>,
    /// The failure was already returned to a caller of `put`.
    failure_reported: bool,
    closed: bool,
}

impl<'s> WriteBehind<'s> {
    /// Run `work` with a write-behind queue over `store`, then wait for every
    /// queued write. `work`'s error comes first; a write error is returned
    /// when `work` succeeded.
    pub(crate) fn run<T, E: From<StoreError>>(
        store: &'s dyn MetadataStore,
        work: impl FnOnce(&WriteBehind<'s>) -> Result<T, E>,
    ) -> Result<T, E> {
        let queue = WriteBehind {
            store,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        };
        std::thread::scope(|s| {
            let writer = std::thread::Builder::new().spawn_scoped(s, || queue.drain());
            if writer.is_err() {
                // No thread available (resource limits): write in line.
                queue.state().closed = true;
            }
            let result = work(&queue);
            queue.state().closed = true;
            queue.changed.notify_all();
            if let Ok(writer) = writer {
                // The writer returns once the queue is empty and closed.
                writer
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            }
            let mut state = queue.state();
            let failed = state.failed.take().filter(|_| !state.failure_reported);
            drop(state);
            let value = result?;
            match failed {
                Some(e) => Err(e.into()),
                None => Ok(value),
            }
        })
    }

    /// Queue `bytes` for `name`, or write it now when no writer thread runs.
    pub(crate) fn put(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let mut state = self.state();
        if let Some(e) = state.failed.take() {
            state.failure_reported = true;
            return Err(e);
        }
        if state.closed || state.failure_reported {
            drop(state);
            return self.store.put(name, &bytes);
        }
        *state.pending.entry(name.to_owned()).or_default() += 1;
        state.queue.push_back((name.to_owned(), bytes));
        self.changed.notify_all();
        Ok(())
    }

    /// The stored bytes of `name`, after any queued write of it.
    pub(crate) fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut state = self.state();
        while state.pending.contains_key(name) {
            state = self.wait(state);
        }
        drop(state);
        self.store.get(name)
    }

    /// Remove `name` once every queued write has finished (removals are rare:
    /// §5.3.11 and discarded cache files).
    pub(crate) fn remove(&self, name: &str) -> Result<(), StoreError> {
        let mut state = self.state();
        while !state.pending.is_empty() {
            state = self.wait(state);
        }
        if let Some(e) = state.failed.take() {
            state.failure_reported = true;
            return Err(e);
        }
        drop(state);
        self.store.remove(name)
    }

    /// The writer thread: write queued files in order until closed and empty.
    fn drain(&self) {
        let mut state = self.state();
        loop {
            let Some((name, bytes)) = state.queue.pop_front() else {
                if state.closed {
                    return;
                }
                state = self.wait(state);
                continue;
            };
            // After a failure, files queued before the caller heard of it
            // are not written: the caller's refresh fails anyway.
            let skip = state.failed.is_some() || state.failure_reported;
            drop(state);
            let result = if skip {
                Ok(())
            } else {
                self.store.put(&name, &bytes)
            };
            drop(bytes);
            state = self.state();
            if let Err(e) = result {
                state.failed.get_or_insert(e);
            }
            if let Some(n) = state.pending.get_mut(&name) {
                *n -= 1;
                if *n == 0 {
                    state.pending.remove(&name);
                }
            }
            self.changed.notify_all();
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; the
        // panic itself is propagated by the thread scope.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, State>) -> MutexGuard<'g, State> {
        self.changed
            .wait(guard)
            .unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::time::Duration;

    use super::WriteBehind;
    use crate::fs::{LocalError, LocalOp};
    use crate::store::{MetadataStore, RefreshLock, StoreError};

    /// An in-memory store whose writes are slow (so they really overlap
    /// with the caller) and can be made to fail for one name.
    #[derive(Default)]
    struct SlowStore {
        files: Mutex<HashMap<String, Vec<u8>>>,
        log: Mutex<Vec<String>>,
        fail: Option<&'static str>,
    }

    impl MetadataStore for SlowStore {
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.files.lock().unwrap().get(name).cloned())
        }
        fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
            std::thread::sleep(Duration::from_millis(30));
            if self.fail == Some(name) {
                let e = std::io::Error::other("disk full");
                return Err(LocalError::new(LocalOp::Write, name, e).into());
            }
            self.log.lock().unwrap().push(format!("put {name}"));
            self.files
                .lock()
                .unwrap()
                .insert(name.to_owned(), bytes.to_vec());
            Ok(())
        }
        fn remove(&self, name: &str) -> Result<(), StoreError> {
            self.log.lock().unwrap().push(format!("remove {name}"));
            self.files.lock().unwrap().remove(name);
            Ok(())
        }
        fn lock(&self) -> Result<RefreshLock, StoreError> {
            Ok(RefreshLock::new(()))
        }
    }

    #[test]
    fn every_write_is_done_in_order_when_run_returns() {
        let store = SlowStore::default();
        WriteBehind::run(&store, |w| {
            w.put("a", b"1".to_vec())?;
            w.put("b", b"1".to_vec())?;
            w.put("a", b"2".to_vec())?;
            // Queued, not yet written: the writer sleeps 30 ms per file.
            assert!(store.log.lock().unwrap().len() < 3);
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(*store.log.lock().unwrap(), ["put a", "put b", "put a"]);
        assert_eq!(store.files.lock().unwrap()["a"], b"2");
    }

    #[test]
    fn a_read_waits_for_the_queued_write_of_that_name() {
        let store = SlowStore::default();
        store
            .files
            .lock()
            .unwrap()
            .insert("a".into(), b"old".to_vec());
        WriteBehind::run(&store, |w| {
            w.put("a", b"new".to_vec())?;
            assert_eq!(w.get("a")?.as_deref(), Some(&b"new"[..]));
            Ok::<_, StoreError>(())
        })
        .unwrap();
    }

    #[test]
    fn a_removal_comes_after_the_writes_queued_before_it() {
        let store = SlowStore::default();
        WriteBehind::run(&store, |w| {
            w.put("a", b"1".to_vec())?;
            w.remove("a")?;
            assert_eq!(w.get("a")?, None);
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(*store.log.lock().unwrap(), ["put a", "remove a"]);
    }

    #[test]
    fn a_failed_background_write_fails_the_run() {
        let store = SlowStore {
            fail: Some("b"),
            ..SlowStore::default()
        };
        let result = WriteBehind::run(&store, |w| {
            w.put("a", b"1".to_vec())?;
            w.put("b", b"1".to_vec())?;
            Ok::<_, StoreError>(())
        });
        assert!(matches!(result, Err(StoreError::Local(_))), "{result:?}");
        assert_eq!(*store.log.lock().unwrap(), ["put a"]);
    }

    #[test]
    fn the_next_write_after_a_failure_reports_it_and_later_ones_are_not_queued() {
        let store = SlowStore {
            fail: Some("a"),
            ..SlowStore::default()
        };
        let result = WriteBehind::run(&store, |w| {
            w.put("a", b"1".to_vec())?;
            std::thread::sleep(Duration::from_millis(100));
            w.put("b", b"1".to_vec())
        });
        assert!(matches!(result, Err(StoreError::Local(_))), "{result:?}");
        assert!(store.log.lock().unwrap().is_empty());
        assert!(!store.files.lock().unwrap().contains_key("b"));
    }

    #[test]
    fn writes_queued_before_a_later_step_fails_still_reach_the_store() {
        // Checklist: earlier roles stay persisted when a later one fails.
        let store = SlowStore::default();
        let result: Result<(), _> = WriteBehind::run(&store, |w| {
            w.put("timestamp.json", b"ts".to_vec())?;
            Err(StoreError::InvalidName {
                name: "snapshot refused".into(),
                problem: crate::store::NameProblem::Empty,
            })
        });
        assert!(matches!(result, Err(StoreError::InvalidName { .. })));
        assert_eq!(store.files.lock().unwrap()["timestamp.json"], b"ts");
    }
}
