//! Pages in flight bounded by bytes, not only by count: a page is held against a budget from the
//! moment it is fetched until the last of its records is dropped (written and checked), and the
//! next page waits while the budget is spent. A run's memory then stays about the same whatever
//! the size of its records (chats with long transcripts make pages of tens of megabytes).

use std::ops::Deref;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bytes of pages an export holds at once: the page being written, the one the typed check
/// reads, and the ones fetched ahead. A page larger than this is taken alone.
pub const PAGES_IN_FLIGHT_BYTES: usize = 32 << 20;

/// A budget of bytes, counted in KiB.
#[derive(Clone)]
pub struct Budget {
    kib: Arc<Semaphore>,
    total_kib: u32,
}

impl Budget {
    /// A budget of `bytes`.
    pub fn new(bytes: usize) -> Self {
        let total_kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .max(1);
        Self {
            kib: Arc::new(Semaphore::new(total_kib as usize)),
            total_kib,
        }
    }

    /// `value`, of `bytes`, once they fit in the budget (a value larger than the whole budget
    /// waits for all of it); the bytes are given back when the returned [`Held`] is dropped.
    pub async fn hold<T>(&self, value: T, bytes: usize) -> Held<T> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.total_kib);
        let permit = self
            .kib
            .clone()
            .acquire_many_owned(kib)
            .await
            .expect("the budget's semaphore is never closed");
        Held { value, permit }
    }

    /// The KiB not held right now.
    #[cfg(test)]
    fn available_kib(&self) -> usize {
        self.kib.available_permits()
    }
}

/// A value holding its bytes of a [`Budget`] until dropped.
pub struct Held<T> {
    value: T,
    permit: OwnedSemaphorePermit,
}

impl<T> Held<T> {
    /// The value turned into another that stands for the same bytes (a page into its records).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Held<U> {
        Held {
            value: f(self.value),
            permit: self.permit,
        }
    }
}

impl<T> Deref for Held<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_page_waits_until_the_bytes_held_before_it_are_given_back() {
        let budget = Budget::new(10 * 1024);
        let first = budget.hold("first", 6 * 1024).await;
        assert_eq!(budget.available_kib(), 4);
        let waiting = tokio::spawn({
            let budget = budget.clone();
            async move { *budget.hold("second", 6 * 1024).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "6 KiB do not fit in the 4 left");
        drop(first.map(|name| name.len()));
        assert_eq!(waiting.await.unwrap(), "second");
        assert_eq!(budget.available_kib(), 10, "given back when dropped");
    }

    #[tokio::test]
    async fn a_page_larger_than_the_budget_is_taken_alone() {
        let budget = Budget::new(1024);
        let huge = budget.hold((), 50 << 20).await;
        assert_eq!(budget.available_kib(), 0);
        drop(huge);
        assert_eq!(budget.available_kib(), 1);
    }
}
