//! [`WriteBehind`]: metadata writes that run on a second thread while the
//! updater goes on fetching and verifying.
//!
//! # Contract
//!
//! - Writes reach the store in the order they were queued, one at a time,
//!   each through [`MetadataStore::put`] or a [staged](MetadataStore::stage)
//!   write and its commit (so each is atomic on its own).
//! - A staged write ([`WriteBehind::stage`]) only prepares the bytes where no
//!   reader looks; its name changes only when the caller commits it, which
//!   it does once the bytes are trusted ([`Staged::commit`]). A staged write
//!   dropped or discarded is never committed: nothing unverified ever
//!   appears under a metadata name.
//! - A read of a name with a queued, running or staged write waits for it:
//!   the updater always reads what it last wrote (read-your-writes).
//! - [`WriteBehind::run`] returns only when every queued write has finished,
//!   so every write of a refresh is done while its store lock is held, and
//!   its result says whether they all succeeded.
//! - After a failed write, the writes already queued are dropped, the next
//!   [`put`](WriteBehind::put), [`stage`](WriteBehind::stage) or
//!   [`remove`](WriteBehind::remove) returns the failure, and later writes go
//!   straight to the store.
//!
//! Only the order and moment of writes change, never which bytes are
//! written: each file is still trusted before it is committed (spec §5.4.5,
//! §5.5.7, §5.6.6 "persist"), and every trusted file of a refresh is on
//! disk when the refresh returns, failed or not.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use crate::store::{MetadataStore, StagedWrite, StoreError};

/// A queue of writes drained by one background thread.
pub(crate) struct WriteBehind<'s> {
    store: &'s dyn MetadataStore,
    state: Mutex<State>,
    changed: Condvar,
}

/// One queued operation of the writer thread.
enum Op {
    Put(Vec<u8>),
    /// Write the bytes where no reader looks (or keep them, for a store
    /// without staging) under ticket `id`.
    Stage(u64, Arc<Vec<u8>>),
    Commit(u64),
    Discard(u64),
}

#[derive(Default)]
struct State {
    queue: VecDeque<(String, Op)>,
    /// Queued or running writes, and staged writes not yet committed or
    /// discarded, by name.
    pending: HashMap<String, usize>,
    next_ticket: u64,
    failed: Option<StoreError>,
    /// The failure was already returned to a caller of `put`.
    failure_reported: bool,
    closed: bool,
}

impl State {
    /// A write failure the caller has not heard of yet, now reported (once).
    fn report_failure(&mut self) -> Result<(), StoreError> {
        match self.failed.take() {
            Some(e) => {
                self.failure_reported = true;
                Err(e)
            }
            None => Ok(()),
        }
    }

    /// Writes go to the writer thread (else straight to the store: no
    /// writer thread, or a failure already reported).
    fn queueing(&self) -> bool {
        !(self.closed || self.failure_reported)
    }
}

/// What the writer thread holds for a staged write until its commit.
enum Held<'s> {
    /// Written by the store, waiting for its commit.
    Store(Box<dyn StagedWrite + 's>),
    /// The store cannot stage: `put` these bytes on commit.
    Bytes(Arc<Vec<u8>>),
}

/// A staged write not yet committed; dropping it discards the write.
#[must_use = "a staged write is discarded unless committed"]
pub(crate) struct Staged<'w, 's> {
    queue: &'w WriteBehind<'s>,
    name: String,
    ticket: Ticket,
}

enum Ticket {
    /// Queued to the writer thread under this id.
    Queued(u64),
    /// No writer thread: the bytes are written in line on commit.
    Inline(Arc<Vec<u8>>),
    /// Committed or discarded.
    Done,
}

impl Staged<'_, '_> {
    /// The bytes are trusted: make them the content of their name.
    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        match std::mem::replace(&mut self.ticket, Ticket::Done) {
            Ticket::Queued(id) => {
                let queue = self.queue;
                queue.enqueue(&mut queue.state(), &self.name, Op::Commit(id));
                Ok(())
            }
            Ticket::Inline(bytes) => self.queue.store.put(&self.name, &bytes),
            Ticket::Done => Ok(()),
        }
    }
}

impl Drop for Staged<'_, '_> {
    fn drop(&mut self) {
        if let Ticket::Queued(id) = std::mem::replace(&mut self.ticket, Ticket::Done) {
            let queue = self.queue;
            queue.enqueue(&mut queue.state(), &self.name, Op::Discard(id));
        }
    }
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
        state.report_failure()?;
        if !state.queueing() {
            drop(state);
            return self.store.put(name, &bytes);
        }
        self.enqueue(&mut state, name, Op::Put(bytes));
        Ok(())
    }

    /// Begin writing `bytes` for `name` while the caller is still verifying
    /// them; nothing changes under `name` until [`Staged::commit`].
    pub(crate) fn stage<'w>(
        &'w self,
        name: &str,
        bytes: Arc<Vec<u8>>,
    ) -> Result<Staged<'w, 's>, StoreError> {
        let mut state = self.state();
        state.report_failure()?;
        let ticket = if state.queueing() {
            let id = state.next_ticket;
            state.next_ticket += 1;
            self.enqueue(&mut state, name, Op::Stage(id, bytes));
            Ticket::Queued(id)
        } else {
            Ticket::Inline(bytes)
        };
        Ok(Staged {
            queue: self,
            name: name.to_owned(),
            ticket,
        })
    }

    /// Queue `op` on `name` for the writer thread. A staged write stays
    /// pending from its `Stage` until its `Commit` or `Discard` is done.
    fn enqueue(&self, state: &mut State, name: &str, op: Op) {
        if matches!(op, Op::Put(_) | Op::Stage(..)) {
            *state.pending.entry(name.to_owned()).or_default() += 1;
        }
        state.queue.push_back((name.to_owned(), op));
        self.changed.notify_all();
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
        state.report_failure()?;
        drop(state);
        self.store.remove(name)
    }

    /// The writer thread: carry out queued operations in order until closed
    /// and empty.
    fn drain(&self) {
        let mut held: HashMap<u64, Held<'s>> = HashMap::new();
        let mut state = self.state();
        loop {
            let Some((name, op)) = state.queue.pop_front() else {
                if state.closed {
                    return;
                }
                state = self.wait(state);
                continue;
            };
            // After a failure, operations queued before the caller heard of
            // it are not carried out: the caller's refresh fails anyway.
            let skip = state.failed.is_some() || state.failure_reported;
            drop(state);
            let finished = matches!(op, Op::Put(_) | Op::Commit(_) | Op::Discard(_));
            let result = match op {
                _ if skip => {
                    held.clear();
                    Ok(())
                }
                Op::Put(bytes) => self.store.put(&name, &bytes),
                Op::Stage(id, bytes) => match self.store.stage(&name, &bytes) {
                    Ok(Some(mut staged)) => {
                        // Let go of the bytes before the slow flush: the
                        // updater frees a large file once it is parsed.
                        drop(bytes);
                        let flushed = staged.flush();
                        held.insert(id, Held::Store(staged));
                        flushed
                    }
                    Ok(None) => {
                        held.insert(id, Held::Bytes(bytes));
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                Op::Commit(id) => match held.remove(&id) {
                    Some(Held::Store(staged)) => staged.commit(),
                    Some(Held::Bytes(bytes)) => self.store.put(&name, &bytes),
                    // Its staging failed, and that failure is recorded.
                    None => Ok(()),
                },
                Op::Discard(id) => {
                    held.remove(&id);
                    Ok(())
                }
            };
            state = self.state();
            if let Err(e) = result {
                state.failed.get_or_insert(e);
            }
            if finished && let Some(n) = state.pending.get_mut(&name) {
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

    use std::sync::Arc;

    use super::WriteBehind;
    use crate::fs::{LocalError, LocalOp};
    use crate::store::{DirectoryStore, MetadataStore, RefreshLock, StoreError};

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
    fn a_staged_write_changes_nothing_until_committed() {
        // A store without a staging step: the bytes are put on commit.
        let store = SlowStore::default();
        store
            .files
            .lock()
            .unwrap()
            .insert("t".into(), b"old".to_vec());
        WriteBehind::run(&store, |w| {
            let staged = w.stage("t", Arc::new(b"new".to_vec()))?;
            std::thread::sleep(Duration::from_millis(50));
            assert_eq!(store.files.lock().unwrap()["t"], b"old");
            assert!(store.log.lock().unwrap().is_empty());
            staged.commit()?;
            assert_eq!(w.get("t")?.as_deref(), Some(&b"new"[..]));
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(*store.log.lock().unwrap(), ["put t"]);
    }

    #[test]
    fn an_unverified_download_never_reaches_its_name() {
        // Checklist: never an unverified file at a final path. The bytes are
        // staged, verification fails, and the staged write is dropped.
        let dir = tempfile::tempdir().unwrap();
        let store = DirectoryStore::new(dir.path()).unwrap();
        store.put("targets.json", b"trusted").unwrap();
        let result: Result<(), StoreError> = WriteBehind::run(&store, |w| {
            let _staged = w.stage("targets.json", Arc::new(b"forged".to_vec()))?;
            Err(StoreError::InvalidName {
                name: "verification failed".into(),
                problem: crate::store::NameProblem::Empty,
            })
        });
        assert!(result.is_err());
        assert_eq!(store.get("targets.json").unwrap().unwrap(), b"trusted");
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["targets.json"], "no temporary file is left behind");
    }

    #[test]
    fn a_committed_staged_file_replaces_the_old_one_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let store = DirectoryStore::new(dir.path()).unwrap();
        store.put("snapshot.json", b"v1").unwrap();
        WriteBehind::run(&store, |w| {
            let staged = w.stage("snapshot.json", Arc::new(b"v2".to_vec()))?;
            // Staged, not committed: readers still see the old file.
            std::thread::sleep(Duration::from_millis(50));
            assert_eq!(store.get("snapshot.json")?.unwrap(), b"v1");
            staged.commit()
        })
        .unwrap();
        assert_eq!(store.get("snapshot.json").unwrap().unwrap(), b"v2");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// A store with a staging step that logs it, and whose flush can fail.
    #[derive(Default)]
    struct StagingStore {
        inner: SlowStore,
        /// The bytes being staged, watched from the flush.
        watched: Mutex<Option<std::sync::Weak<Vec<u8>>>>,
        fail_flush: bool,
    }

    struct LoggedStage<'a> {
        store: &'a StagingStore,
        name: String,
        bytes: Vec<u8>,
    }

    impl crate::store::StagedWrite for LoggedStage<'_> {
        fn flush(&mut self) -> Result<(), StoreError> {
            let released = self
                .store
                .watched
                .lock()
                .unwrap()
                .as_ref()
                .is_some_and(|w| w.upgrade().is_none());
            let log = format!("flush {} (bytes released: {released})", self.name);
            self.store.inner.log.lock().unwrap().push(log);
            if self.store.fail_flush {
                let e = std::io::Error::other("I/O error");
                return Err(LocalError::new(LocalOp::Sync, &self.name, e).into());
            }
            Ok(())
        }
        fn commit(self: Box<Self>) -> Result<(), StoreError> {
            self.store.inner.put(&self.name, &self.bytes)
        }
    }

    impl MetadataStore for StagingStore {
        fn get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.get(name)
        }
        fn put(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
            self.inner.put(name, bytes)
        }
        fn remove(&self, name: &str) -> Result<(), StoreError> {
            self.inner.remove(name)
        }
        fn lock(&self) -> Result<RefreshLock, StoreError> {
            self.inner.lock()
        }
        fn stage(
            &self,
            name: &str,
            bytes: &[u8],
        ) -> Result<Option<Box<dyn crate::store::StagedWrite + '_>>, StoreError> {
            Ok(Some(Box::new(LoggedStage {
                store: self,
                name: name.to_owned(),
                bytes: bytes.to_vec(),
            })))
        }
    }

    #[test]
    fn a_staged_write_lets_go_of_the_bytes_before_its_flush() {
        let store = StagingStore::default();
        WriteBehind::run(&store, |w| {
            let bytes = Arc::new(b"large".to_vec());
            *store.watched.lock().unwrap() = Some(Arc::downgrade(&bytes));
            let staged = w.stage("targets.json", bytes)?;
            staged.commit()
        })
        .unwrap();
        assert_eq!(
            *store.inner.log.lock().unwrap(),
            [
                "flush targets.json (bytes released: true)",
                "put targets.json"
            ]
        );
    }

    #[test]
    fn a_failed_flush_fails_the_run_and_is_never_committed() {
        let store = StagingStore {
            fail_flush: true,
            ..StagingStore::default()
        };
        let result = WriteBehind::run(&store, |w| {
            let staged = w.stage("targets.json", Arc::new(b"v2".to_vec()))?;
            staged.commit()
        });
        assert!(matches!(result, Err(StoreError::Local(_))), "{result:?}");
        assert!(store.inner.files.lock().unwrap().is_empty());
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
