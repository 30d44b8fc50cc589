//! Atollon's fair-use rule: one session has at most a fixed number of requests in
//! progress at once.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Requests in progress per session, keyed by the MD5 digest of the session token.
#[derive(Debug)]
pub(crate) struct FairUse {
    limit: usize,
    in_progress: Mutex<HashMap<String, usize>>,
}

impl FairUse {
    pub(crate) fn new(limit: usize) -> Self {
        FairUse {
            limit,
            in_progress: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Counts one more request of session `key`, or returns `None` when the session
    /// already has `limit` requests in progress. The slot is freed when the guard drops.
    pub(crate) fn enter(&self, key: String) -> Option<FairUseGuard<'_>> {
        let mut in_progress = self
            .in_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = in_progress.entry(key.clone()).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(FairUseGuard {
            fair_use: self,
            key,
        })
    }

    fn leave(&self, key: &str) {
        let mut in_progress = self
            .in_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = in_progress.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                in_progress.remove(key);
            }
        }
    }
}

/// One request in progress; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct FairUseGuard<'a> {
    fair_use: &'a FairUse,
    key: String,
}

impl Drop for FairUseGuard<'_> {
    fn drop(&mut self) {
        self.fair_use.leave(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_request_rejected_until_one_ends() {
        let fair_use = FairUse::new(2);
        let first = fair_use.enter("a".to_owned());
        let second = fair_use.enter("a".to_owned());
        assert!(first.is_some());
        assert!(second.is_some());
        assert!(fair_use.enter("a".to_owned()).is_none());
        assert!(
            fair_use.enter("b".to_owned()).is_some(),
            "another session has its own slots"
        );
        drop(first);
        assert!(fair_use.enter("a".to_owned()).is_some());
    }

    #[test]
    fn empty_sessions_are_forgotten() {
        let fair_use = FairUse::new(2);
        drop(fair_use.enter("a".to_owned()));
        let in_progress = fair_use
            .in_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        assert!(in_progress.is_empty());
    }
}
