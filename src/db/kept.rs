//! Copies of what pages read, kept by the web server between views while the version they were
//! read at still holds. What a version is, and that PostgreSQL raises it on every change that
//! shows, is each list's own business (see `cases::document`, `cases::queue`, `referrals::inbox`).

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::{Mutex, MutexGuard};

use lru::LruCache;

/// At most `capacity` copies, the least recently used going first.
pub struct KeptCopies<K: Hash + Eq, V, T> {
    /// What is kept, for the metrics of hits and misses (`kept_copies_total`).
    name: &'static str,
    copies: Mutex<LruCache<K, (V, T)>>,
}

impl<K: Hash + Eq, V: PartialEq, T: Clone> KeptCopies<K, V, T> {
    pub fn new(name: &'static str, capacity: NonZeroUsize) -> Self {
        KeptCopies {
            name,
            copies: Mutex::new(LruCache::new(capacity)),
        }
    }

    /// The copy kept under `key`, if it was read at `version`.
    pub fn get(&self, key: &K, version: &V) -> Option<T> {
        let found = match self.lock().get(key) {
            Some((kept, copy)) if kept == version => Some(copy.clone()),
            _ => None,
        };
        let outcome = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!("kept_copies_total", "kept" => self.name, "outcome" => outcome).increment(1);
        found
    }

    /// The copy kept under `key` and the version it was read at, whatever that was.
    pub fn latest(&self, key: &K) -> Option<(V, T)>
    where
        V: Clone,
    {
        self.lock().get(key).cloned()
    }

    pub fn keep(&self, key: K, version: V, copy: T) {
        self.lock().put(key, (version, copy));
    }

    fn lock(&self) -> MutexGuard<'_, LruCache<K, (V, T)>> {
        // A panic while holding the lock leaves at worst a copy that is checked like any other.
        self.copies
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
