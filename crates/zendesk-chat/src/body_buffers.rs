//! Buffers for large response bodies, handed back when done with and given to the next large
//! body, so that an export does not allocate (and, with the allocator returning large blocks to
//! the system, map and fault in) megabytes for every page. A raw export page hands its buffer back
//! when its last record is dropped ([`crate::export::RawRecord`]); a body nobody hands back is
//! freed as usual.

use std::sync::Mutex;

/// Bodies of this size or more are read into a buffer of the pool (an export page of 1,000 chats
/// is about 4 MB; most other answers are a few kilobytes).
pub(crate) const POOLED_FROM_BYTES: u64 = 1 << 20;

/// Buffers kept for reuse: about the pages an export holds at once, and none larger than this.
const KEPT_BUFFERS: usize = 4;
const KEPT_CAPACITY_BYTES: usize = 64 << 20;

static BUFFERS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// An empty buffer with room for at least `length` bytes: one handed back before, or a new one.
pub(crate) fn take(length: usize) -> Vec<u8> {
    let reused = BUFFERS
        .lock()
        .map(|mut buffers| buffers.pop())
        .unwrap_or(None);
    let mut buffer = reused.unwrap_or_default();
    buffer.clear();
    buffer.reserve(length);
    buffer
}

/// Keeps `buffer` for the next large body, if the pool has room for it.
pub(crate) fn hand_back(buffer: Vec<u8>) {
    if buffer.capacity() < POOLED_FROM_BYTES as usize || buffer.capacity() > KEPT_CAPACITY_BYTES {
        return;
    }
    if let Ok(mut buffers) = BUFFERS.lock()
        && buffers.len() < KEPT_BUFFERS
    {
        buffers.push(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_handed_back_is_the_next_one_taken_and_small_ones_are_not_kept() {
        let mut buffer = take(2 << 20);
        buffer.extend_from_slice(b"old page");
        let address = buffer.as_ptr();
        hand_back(buffer);
        let again = take(1 << 20);
        assert!(again.is_empty(), "handed out empty");
        assert_eq!(again.as_ptr(), address, "the same allocation");
        hand_back(Vec::with_capacity(16));
        assert!(take(16).capacity() >= 16);
        let before = kept();
        hand_back(Vec::with_capacity(16));
        assert_eq!(kept(), before, "a small buffer is not kept");
    }

    fn kept() -> usize {
        BUFFERS.lock().unwrap().len()
    }
}
