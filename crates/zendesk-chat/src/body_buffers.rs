//! Buffers for large response bodies, handed back when done with and given to the next large
//! body, so that an export does not allocate (and, with the allocator returning large blocks to
//! the system, map and fault in) megabytes for every page. A raw export page hands its buffer back
//! when its last record is dropped ([`crate::export::RawRecord`]); a body nobody hands back is
//! freed as usual.
//!
//! A body is read into a buffer of the pool at once when the server announces a large one
//! (`Content-Length`), and from the moment it grows large when it announces none (a chunked
//! body): small answers never take a pooled buffer.

use std::sync::Mutex;

/// Bodies of this size or more are read into a buffer of the pool (an export page of 1,000 chats
/// is about 4 MB; most other answers are a few kilobytes).
pub(crate) const POOLED_FROM_BYTES: usize = 1 << 20;

/// Buffers kept for reuse: about the pages an export holds at once, and none larger than this.
const KEPT_BUFFERS: usize = 4;
const KEPT_CAPACITY_BYTES: usize = 64 << 20;

/// The most reserved up front for an announced length: a server's word, not a promise (a body
/// that is really longer grows its buffer as it comes).
const RESERVED_AT_MOST_BYTES: usize = KEPT_CAPACITY_BYTES;

/// Buffers handed back, for the next large bodies.
pub(crate) struct Pool {
    buffers: Mutex<Vec<Vec<u8>>>,
}

/// The process's pool: what the transport reads large bodies into and raw pages hand back to.
pub(crate) static POOL: Pool = Pool::new();

impl Pool {
    const fn new() -> Self {
        Self {
            buffers: Mutex::new(Vec::new()),
        }
    }

    /// An empty buffer with room for at least `length` bytes (up to [`RESERVED_AT_MOST_BYTES`]):
    /// one handed back before, or a new one.
    fn take(&self, length: usize) -> Vec<u8> {
        let reused = self
            .buffers
            .lock()
            .map(|mut buffers| buffers.pop())
            .unwrap_or(None);
        let mut buffer = reused.unwrap_or_default();
        buffer.clear();
        buffer.reserve(length.min(RESERVED_AT_MOST_BYTES));
        buffer
    }

    /// Keeps `buffer` for the next large body, if the pool has room for it.
    pub(crate) fn hand_back(&self, buffer: Vec<u8>) {
        if buffer.capacity() < POOLED_FROM_BYTES || buffer.capacity() > KEPT_CAPACITY_BYTES {
            return;
        }
        if let Ok(mut buffers) = self.buffers.lock()
            && buffers.len() < KEPT_BUFFERS
        {
            buffers.push(buffer);
        }
    }
}

/// A response body being read chunk by chunk. One dropped unfinished (the connection broke)
/// hands its buffer back.
pub(crate) struct Body<'p> {
    pool: &'p Pool,
    buffer: Vec<u8>,
    /// Whether `buffer` was taken from the pool (new, when the pool had none to give).
    pooled: bool,
}

impl<'p> Body<'p> {
    /// A body of which the server announced `announced` bytes, if it did.
    pub(crate) fn new(pool: &'p Pool, announced: Option<u64>) -> Self {
        let announced = announced.map(|length| usize::try_from(length).unwrap_or(usize::MAX));
        match announced {
            Some(length) if length >= POOLED_FROM_BYTES => Self {
                pool,
                buffer: pool.take(length),
                pooled: true,
            },
            _ => Self {
                pool,
                buffer: Vec::with_capacity(announced.unwrap_or(0)),
                pooled: false,
            },
        }
    }

    /// Adds the next chunk; a body that grows large moves into a buffer of the pool.
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        let length = self.buffer.len() + chunk.len();
        if !self.pooled && length >= POOLED_FROM_BYTES {
            // Room to grow: a body of unknown length that is this large is likely larger.
            let mut pooled = self.pool.take(2 * length);
            pooled.extend_from_slice(&self.buffer);
            self.buffer = pooled;
            self.pooled = true;
        }
        self.buffer.extend_from_slice(chunk);
    }

    /// The bytes read so far.
    pub(crate) fn len(&self) -> usize {
        self.buffer.len()
    }

    /// The whole body.
    pub(crate) fn finish(mut self) -> bytes::Bytes {
        bytes::Bytes::from(std::mem::take(&mut self.buffer))
    }
}

impl Drop for Body<'_> {
    fn drop(&mut self) {
        if self.pooled {
            self.pool.hand_back(std::mem::take(&mut self.buffer));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A buffer of `capacity` handed back to `pool`, and where its bytes are.
    fn handed_back(pool: &Pool, capacity: usize) -> *const u8 {
        let mut buffer = Vec::with_capacity(capacity);
        buffer.extend_from_slice(b"an old page");
        let address = buffer.as_ptr();
        pool.hand_back(buffer);
        address
    }

    fn kept(pool: &Pool) -> usize {
        pool.buffers.lock().unwrap().len()
    }

    fn read(pool: &Pool, announced: Option<u64>, chunks: &[&[u8]]) -> bytes::Bytes {
        let mut body = Body::new(pool, announced);
        for chunk in chunks {
            body.push(chunk);
        }
        body.finish()
    }

    #[test]
    fn a_large_body_announced_is_read_into_the_buffer_handed_back() {
        let pool = Pool::new();
        let address = handed_back(&pool, 4 << 20);
        let page = vec![b'x'; 3 << 20];
        let body = read(
            &pool,
            Some(page.len() as u64),
            &[&page[..1000], &page[1000..]],
        );
        assert_eq!(body, page);
        assert_eq!(body.as_ptr(), address, "the same allocation, emptied first");
        assert_eq!(kept(&pool), 0);
    }

    #[test]
    fn a_body_of_unknown_length_moves_into_a_pooled_buffer_once_it_is_large() {
        let pool = Pool::new();
        let address = handed_back(&pool, 8 << 20);
        let chunk = vec![b'y'; 64 << 10];
        let small = read(&pool, None, &[b"{\"count\": ", b"0}"]);
        assert_eq!(small, "{\"count\": 0}");
        assert_eq!(kept(&pool), 1, "a small answer leaves the pool alone");
        let chunks = vec![chunk.as_slice(); 40]; // 2.5 MiB
        let large = read(&pool, None, &chunks);
        assert_eq!(large.len(), 40 * chunk.len());
        assert!(large.iter().all(|&b| b == b'y'));
        assert_eq!(large.as_ptr(), address);
    }

    #[test]
    fn an_announced_length_reserves_no_more_than_the_pool_keeps() {
        let pool = Pool::new();
        for announced in [u64::MAX, 1 << 40] {
            let mut body = Body::new(&pool, Some(announced));
            assert!(body.buffer.capacity() <= RESERVED_AT_MOST_BYTES);
            body.push(b"short");
            assert_eq!(body.finish(), "short");
        }
    }

    #[test]
    fn a_body_dropped_unfinished_hands_its_buffer_back() {
        let pool = Pool::new();
        let address = handed_back(&pool, 4 << 20);
        let mut body = Body::new(&pool, Some(3 << 20));
        body.push(b"the first chunk, then the connection broke");
        drop(body);
        assert_eq!(kept(&pool), 1);
        let again = pool.take(1);
        assert_eq!(again.as_ptr(), address);
    }

    #[test]
    fn only_large_buffers_are_kept_and_only_a_few() {
        let pool = Pool::new();
        pool.hand_back(Vec::with_capacity(16));
        assert_eq!(kept(&pool), 0, "a small buffer");
        pool.hand_back(Vec::with_capacity(KEPT_CAPACITY_BYTES + 1));
        assert_eq!(kept(&pool), 0, "a huge buffer");
        for _ in 0..KEPT_BUFFERS + 2 {
            handed_back(&pool, POOLED_FROM_BYTES);
        }
        assert_eq!(kept(&pool), KEPT_BUFFERS);
    }
}
