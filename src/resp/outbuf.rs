//! A client's pending output (networking.c `_addReplyToBufferOrList`,
//! `_addReplyProtoToList`, `_writevToClient`): a head buffer of `size` bytes
//! (16 KB at first; the clients cron moves it between 1 KB and 16 KB, as
//! Redis resizes `c->buf`), then a list of blocks of at least 16 KB. A big reply is copied once, into
//! a block of its own size, and never moved again by a growing buffer; each
//! block is freed as soon as it has been written.
//!
//! Positions (`len`, `truncate`, `insert`) are offsets in the whole stream,
//! head first, written bytes included until their chunk is dropped; the
//! written prefix only shrinks between commands, so marks a command takes
//! stay valid while it runs.
//!
//! The running command's pushes (pub/sub messages, invalidations) are
//! recorded as spans, kept in place by `insert` and `truncate`, so that
//! CLIENT REPLY OFF/SKIP drop everything the command wrote except them
//! (Redis lets output through while CLIENT_PUSHING is set).

use std::collections::VecDeque;
use std::io::IoSlice;

/// Most the head holds, and the least size of a block (PROTO_REPLY_CHUNK_BYTES).
pub const REPLY_CHUNK: usize = 16 * 1024;
/// Redis's `clientReplyBlock` header (`size`, `used`) before each block's data.
const REPLY_BLOCK_HEADER: usize = 16;

/// Least size the clients cron shrinks the head to (PROTO_REPLY_MIN_BYTES).
pub const REPLY_MIN: usize = 1024;

/// Most slices handed to one `writev` (IOV_MAX is 1024; 64 blocks already
/// hold at least 1 MB).
pub const MAX_IOV: usize = 64;

#[derive(Debug)]
pub struct OutBuf {
    /// Redis's static `buf`: reused from reply to reply. Its allocation grows
    /// on demand up to `size`, and is only given back by `set_head_size`.
    head: Vec<u8>,
    /// The head's size (Redis `buf_usable_size`, CLIENT LIST `rbs`): replies
    /// go to blocks once the head holds this many bytes.
    size: usize,
    /// Redis's reply list. Data goes here once a block exists, so that the
    /// stream stays in order.
    blocks: VecDeque<Vec<u8>>,
    /// Bytes held in `blocks`.
    blocks_len: usize,
    /// Capacity of `blocks` (Redis `reply_bytes`).
    blocks_mem: usize,
    /// Bytes at the start of the stream already written.
    sent: usize,
    /// Spans (start, end) of pushes the running command wrote, in order;
    /// emptied after each command by `drop_replies_from` / `end_command`.
    pushes: Vec<(usize, usize)>,
}

impl Default for OutBuf {
    fn default() -> Self {
        OutBuf {
            head: Vec::new(),
            size: REPLY_CHUNK,
            blocks: VecDeque::new(),
            blocks_len: 0,
            blocks_mem: 0,
            sent: 0,
            pushes: Vec::new(),
        }
    }
}

impl OutBuf {
    /// Bytes held, the written prefix of the first chunk included.
    #[inline]
    pub fn len(&self) -> usize {
        self.head.len() + self.blocks_len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes not written yet.
    #[inline]
    pub fn pending(&self) -> usize {
        self.len() - self.sent
    }

    /// Bytes in the head (CLIENT LIST `obl`).
    pub fn head_len(&self) -> usize {
        self.head.len()
    }

    /// Memory the head holds now.
    pub fn head_capacity(&self) -> usize {
        self.head.capacity()
    }

    /// Size of the head (CLIENT LIST `rbs`).
    pub fn head_size(&self) -> usize {
        self.size
    }

    /// Resizes the head (the clients cron): later replies fill it up to
    /// `size` bytes, and memory it holds past both `size` and its content
    /// is given back. Positions do not move.
    pub fn set_head_size(&mut self, size: usize) {
        self.size = size;
        if self.head.capacity() > size.max(self.head.len()) {
            self.head.shrink_to(size);
        }
    }

    /// Number of blocks (CLIENT LIST `oll`).
    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }

    /// Memory of the blocks (CLIENT LIST `omem`, the output limits).
    pub fn blocks_memory(&self) -> usize {
        self.blocks_mem
    }

    /// The head, when `n` more bytes fit in it without growing and no
    /// block exists: encoders then write a small reply in place.
    #[inline]
    pub fn head_room(&mut self, n: usize) -> Option<&mut Vec<u8>> {
        if self.blocks.is_empty() && self.head.capacity() - self.head.len() >= n {
            Some(&mut self.head)
        } else {
            None
        }
    }

    #[inline]
    pub fn push(&mut self, b: u8) {
        match self.head_room(1) {
            Some(h) => h.push(b),
            None => self.extend_slow(&[b], 0),
        }
    }

    #[inline]
    pub fn extend(&mut self, s: &[u8]) {
        self.extend_reserving(s, 0);
    }

    /// Appends `s`; a block created for it gets `extra` more bytes of room
    /// (a bulk's CRLF then lands in the same block).
    #[inline]
    pub fn extend_reserving(&mut self, s: &[u8], extra: usize) {
        if self.blocks.is_empty() && self.head.capacity() - self.head.len() >= s.len() {
            self.head.extend_from_slice(s);
        } else {
            self.extend_slow(s, extra);
        }
    }

    fn extend_slow(&mut self, mut s: &[u8], extra: usize) {
        if self.blocks.is_empty() {
            let len = self.head.len();
            let k = self.size.saturating_sub(len).min(s.len());
            if k > 0 {
                if self.head.capacity() - len < k {
                    // Grow by doubling, but never past the head's size.
                    let want = (self.head.capacity() * 2).max(64).min(self.size);
                    self.head.reserve_exact(want.max(len + k) - len);
                }
                self.head.extend_from_slice(&s[..k]);
                s = &s[k..];
            }
            if s.is_empty() {
                return;
            }
        }
        if let Some(tail) = self.blocks.back_mut() {
            let k = (tail.capacity() - tail.len()).min(s.len());
            tail.extend_from_slice(&s[..k]);
            self.blocks_len += k;
            s = &s[k..];
            if s.is_empty() {
                return;
            }
        }
        // The whole size class of a block with Redis's header
        // (`clientReplyBlock`), as Redis takes over the allocation's slack:
        // a 16 KB block holds 20464 bytes, and `omem` and the output limits
        // count what Redis counts.
        let want = (s.len() + extra).max(REPLY_CHUNK) + REPLY_BLOCK_HEADER;
        let cap = crate::alloc::size_class(want) - REPLY_BLOCK_HEADER;
        let mut b = Vec::with_capacity(cap);
        b.extend_from_slice(s);
        self.blocks_len += b.len();
        self.blocks_mem += b.capacity();
        self.blocks.push_back(b);
    }

    /// Drops everything from position `at` on (CLIENT REPLY OFF/SKIP).
    pub fn truncate(&mut self, at: usize) {
        if at >= self.len() {
            return;
        }
        debug_assert!(at >= self.sent, "truncating written output");
        if !self.pushes.is_empty() {
            self.pushes.retain_mut(|(s, e)| {
                *e = (*e).min(at);
                *s < *e
            });
        }
        if at <= self.head.len() {
            self.head.truncate(at);
            self.drop_blocks_from(0);
            return;
        }
        let mut off = self.head.len();
        for i in 0..self.blocks.len() {
            let n = self.blocks[i].len();
            if at < off + n {
                let keep = at - off;
                if keep == 0 {
                    self.drop_blocks_from(i);
                } else {
                    self.blocks[i].truncate(keep);
                    self.blocks_len -= n - keep;
                    self.drop_blocks_from(i + 1);
                }
                return;
            }
            off += n;
        }
    }

    fn drop_blocks_from(&mut self, i: usize) {
        for b in self.blocks.drain(i..) {
            self.blocks_len -= b.len();
            self.blocks_mem -= b.capacity();
        }
    }

    /// Inserts `bytes` at position `at` (deferred aggregate headers, pushes
    /// that go before the running command's reply).
    pub fn insert(&mut self, at: usize, bytes: &[u8]) {
        debug_assert!(at >= self.sent, "inserting into written output");
        // Pushes from `at` on move with their bytes; one `at` is inside grows.
        for (s, e) in self.pushes.iter_mut() {
            if *s >= at {
                *s += bytes.len();
            }
            if *e > at {
                *e += bytes.len();
            }
        }
        if at < self.head.len() || (self.blocks.is_empty() && at <= self.head.len()) {
            self.head.splice(at..at, bytes.iter().copied());
            return;
        }
        let mut off = self.head.len();
        for b in self.blocks.iter_mut() {
            if at <= off + b.len() {
                let cap = b.capacity();
                b.splice(at - off..at - off, bytes.iter().copied());
                self.blocks_len += bytes.len();
                self.blocks_mem += b.capacity() - cap;
                return;
            }
            off += b.len();
        }
        self.extend(bytes);
    }

    /// Records that the bytes from `start` to the end are a push the running
    /// command wrote to its own client.
    pub fn mark_push(&mut self, start: usize) {
        let end = self.len();
        if start >= end {
            return;
        }
        match self.pushes.last_mut() {
            Some((_, e)) if *e >= start => *e = (*e).max(end),
            _ => self.pushes.push((start, end)),
        }
    }

    /// Inserts a push at position `at` (one that goes before the running
    /// command's reply) and records it.
    pub fn insert_push(&mut self, at: usize, bytes: &[u8]) {
        self.insert(at, bytes);
        let end = at + bytes.len();
        let i = self.pushes.partition_point(|&(s, _)| s < at);
        self.pushes.insert(i, (at, end));
    }

    /// CLIENT REPLY OFF/SKIP after a command: drops what it wrote from
    /// position `mark` on, except its pushes, which close up in order.
    pub fn drop_replies_from(&mut self, mark: usize) {
        let pushes = std::mem::take(&mut self.pushes);
        if pushes.is_empty() {
            self.truncate(mark);
            return;
        }
        let tail = self.split_off(mark);
        for (s, e) in pushes {
            let (s, e) = (s.max(mark) - mark, e.saturating_sub(mark).min(tail.len()));
            if s < e {
                self.extend(&tail[s..e]);
            }
        }
    }

    /// Forgets the running command's push spans (its output stays).
    #[inline]
    pub fn end_command(&mut self) {
        self.pushes.clear();
    }

    /// The bytes from position `at` to the end.
    pub fn bytes_from(&self, at: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len().saturating_sub(at));
        let mut skip = at;
        for chunk in self.chunks() {
            if chunk.len() <= skip {
                skip -= chunk.len();
                continue;
            }
            out.extend_from_slice(&chunk[skip..]);
            skip = 0;
        }
        out
    }

    /// Removes and returns the bytes from position `at` on.
    pub fn split_off(&mut self, at: usize) -> Vec<u8> {
        let tail = self.bytes_from(at);
        self.truncate(at);
        tail
    }

    /// Everything held, as one vector (tests, AOF loading).
    pub fn to_vec(&self) -> Vec<u8> {
        self.bytes_from(0)
    }

    /// Drops everything, written or not.
    pub fn clear(&mut self) {
        self.pushes.clear();
        self.head.clear();
        self.drop_blocks_from(0);
        self.sent = 0;
    }

    fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::once(&self.head[..]).chain(self.blocks.iter().map(|b| &b[..]))
    }

    /// The pending bytes when they all sit in the head (the usual case).
    #[inline]
    pub fn head_only(&self) -> Option<&[u8]> {
        if self.blocks.is_empty() {
            Some(&self.head[self.sent..])
        } else {
            None
        }
    }

    /// True when all pending bytes sit in one chunk (a plain `write` will do).
    pub fn one_chunk(&self) -> bool {
        self.blocks.is_empty() || (self.head.is_empty() && self.blocks.len() == 1)
    }

    /// The pending bytes of the first chunk holding any.
    pub fn first_pending(&self) -> &[u8] {
        let mut skip = self.sent;
        for chunk in self.chunks() {
            if chunk.len() > skip {
                return &chunk[skip..];
            }
            skip -= chunk.len();
        }
        &[]
    }

    /// Fills `iov` with the pending chunks, in order; returns how many.
    pub fn io_slices<'a>(&'a self, iov: &mut [IoSlice<'a>]) -> usize {
        let mut n = 0;
        let mut skip = self.sent;
        for chunk in self.chunks() {
            if n == iov.len() {
                break;
            }
            if chunk.len() <= skip {
                skip -= chunk.len();
                continue;
            }
            iov[n] = IoSlice::new(&chunk[skip..]);
            skip = 0;
            n += 1;
        }
        n
    }

    /// Records that `n` more bytes were written: written chunks are dropped
    /// (blocks freed, the head kept for reuse).
    #[inline]
    pub fn consume(&mut self, n: usize) {
        self.sent += n;
        debug_assert!(self.sent <= self.len());
        if self.blocks.is_empty() {
            if self.sent < self.head.len() {
                return;
            }
            if self.head.capacity() <= self.size {
                // All written: the usual end of a write.
                self.head.clear();
                self.sent = 0;
                return;
            }
        }
        self.drop_written();
    }

    fn drop_written(&mut self) {
        if !self.head.is_empty() {
            if self.sent < self.head.len() {
                return;
            }
            self.sent -= self.head.len();
            self.head.clear();
            // An insert may have grown the head past its size.
            if self.head.capacity() > self.size {
                self.head.shrink_to(self.size);
            }
        }
        while let Some(b) = self.blocks.front() {
            if self.sent < b.len() {
                break;
            }
            self.sent -= b.len();
            self.blocks_len -= b.len();
            self.blocks_mem -= b.capacity();
            self.blocks.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(n: usize, seed: u8) -> Vec<u8> {
        (0..n)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    /// Drains `o` as a socket taking `step` bytes per write would.
    fn drain(o: &mut OutBuf, step: usize) -> Vec<u8> {
        let mut got = Vec::new();
        while o.pending() > 0 {
            let mut iov = [IoSlice::new(&[]); MAX_IOV];
            let n = o.io_slices(&mut iov);
            let mut take = step;
            for s in &iov[..n] {
                let k = s.len().min(take);
                got.extend_from_slice(&s[..k]);
                take -= k;
            }
            o.consume(step - take);
        }
        got
    }

    #[test]
    fn small_replies_stay_in_the_head() {
        let mut o = OutBuf::default();
        for _ in 0..100 {
            o.extend(b"+OK\r\n");
        }
        assert_eq!(o.block_count(), 0);
        assert_eq!(o.len(), 500);
        assert!(o.head_capacity() <= REPLY_CHUNK);
        assert_eq!(drain(&mut o, 7), b"+OK\r\n".repeat(100));
        assert!(o.is_empty());
    }

    #[test]
    fn a_big_value_fills_the_head_then_one_block_of_its_size() {
        let mut o = OutBuf::default();
        let v = pattern(100_000, 1);
        o.extend(b"$100000\r\n");
        o.extend_reserving(&v, 2);
        o.extend(b"\r\n");
        assert_eq!(o.head_len(), REPLY_CHUNK);
        assert_eq!(o.block_count(), 1);
        assert!(o.blocks_memory() >= 100_000 + 9 + 2 - REPLY_CHUNK);
        let mut want = b"$100000\r\n".to_vec();
        want.extend_from_slice(&v);
        want.extend_from_slice(b"\r\n");
        assert_eq!(o.to_vec(), want);
        assert_eq!(drain(&mut o, 4096), want);
        assert_eq!((o.block_count(), o.blocks_memory(), o.len()), (0, 0, 0));
    }

    #[test]
    fn stream_order_survives_partial_writes_and_appends() {
        let mut o = OutBuf::default();
        let mut want = Vec::new();
        let mut got = Vec::new();
        for i in 0..40u8 {
            let v = pattern(1 + (i as usize * 7919) % 50_000, i);
            o.extend(&v);
            want.extend_from_slice(&v);
            // Write a bit after every append, as a slow socket would.
            let mut iov = [IoSlice::new(&[]); MAX_IOV];
            let n = o.io_slices(&mut iov);
            let first = iov[..n].first().map(|s| s.len().min(3000)).unwrap_or(0);
            got.extend_from_slice(&iov[0][..first]);
            o.consume(first);
            assert_eq!(o.pending(), want.len() - got.len());
        }
        got.extend(drain(&mut o, 10_000));
        assert_eq!(got, want);
    }

    #[test]
    fn truncate_and_insert_across_chunks() {
        let mut o = OutBuf::default();
        let a = pattern(20_000, 3);
        let b = pattern(30_000, 4);
        o.extend(&a);
        o.extend(&b);
        let mut want = a.clone();
        want.extend_from_slice(&b);
        // Insert in the head, at the head's end, in a block and at the end.
        for at in [10, REPLY_CHUNK, 25_000, want.len()] {
            o.insert(at, b"*3\r\n");
            want.splice(at..at, b"*3\r\n".iter().copied());
            assert_eq!(o.to_vec(), want);
        }
        for at in [40_000, 20_000, REPLY_CHUNK + 1, 100] {
            o.truncate(at);
            want.truncate(at);
            assert_eq!(o.to_vec(), want);
            assert_eq!(o.len(), want.len());
        }
        assert_eq!(o.block_count(), 0);
        assert_eq!(o.blocks_memory(), 0);
        let tail = o.split_off(40);
        assert_eq!(tail, want[40..]);
        assert_eq!(o.to_vec(), want[..40]);
    }

    #[test]
    fn first_pending_and_one_chunk() {
        let mut o = OutBuf::default();
        o.extend(b"abc");
        assert!(o.one_chunk());
        o.consume(1);
        assert_eq!(o.first_pending(), b"bc");
        o.extend(&pattern(REPLY_CHUNK, 0));
        assert!(!o.one_chunk());
        o.consume(REPLY_CHUNK - 1);
        // The head was written out; one block is left.
        assert!(o.one_chunk());
        assert_eq!(o.first_pending().len(), 3);
        o.consume(3);
        assert!(o.is_empty());
    }

    #[test]
    fn head_size_bounds_the_head_and_shrinking_keeps_content() {
        let mut o = OutBuf::default();
        o.set_head_size(REPLY_MIN);
        o.extend(&pattern(3000, 9));
        assert_eq!((o.head_len(), o.block_count()), (REPLY_MIN, 1));
        assert!(o.head_capacity() <= REPLY_MIN);
        assert_eq!(drain(&mut o, 500), pattern(3000, 9));
        // Growing the size lets the head take more before a block.
        o.set_head_size(4096);
        o.extend(&pattern(3000, 1));
        assert_eq!(o.block_count(), 0);
        // Shrinking below what it holds keeps every byte.
        o.set_head_size(REPLY_MIN);
        assert_eq!(o.to_vec(), pattern(3000, 1));
        assert_eq!(drain(&mut o, 3000), pattern(3000, 1));
        assert!(o.head_capacity() <= REPLY_MIN);
    }

    #[test]
    fn dropping_replies_keeps_pushes_in_order() {
        let mut o = OutBuf::default();
        o.extend(b"+before\r\n");
        let mark = o.len();
        o.extend(b"*3\r\n+PONG\r\n");
        let p = o.len();
        o.extend(b">1\r\n+msg\r\n");
        o.mark_push(p);
        o.extend(b":1\r\n");
        // A push inserted before the command's reply (a notification).
        o.insert_push(mark, b">1\r\n+ev\r\n");
        o.drop_replies_from(mark);
        assert_eq!(o.to_vec(), b"+before\r\n>1\r\n+ev\r\n>1\r\n+msg\r\n");
        // Spans are gone: the next drop keeps nothing after its mark.
        let mark = o.len();
        o.extend(b"+OK\r\n");
        o.drop_replies_from(mark);
        assert_eq!(o.len(), mark);
    }

    #[test]
    fn push_spans_follow_inserts_and_truncates() {
        let mut o = OutBuf::default();
        o.extend(b"aa");
        o.extend(b"PP");
        o.mark_push(2);
        o.insert(1, b"xyz");
        assert_eq!(o.to_vec(), b"axyzaPP");
        o.extend(b"QQ");
        o.mark_push(7);
        o.truncate(8);
        o.drop_replies_from(0);
        assert_eq!(o.to_vec(), b"PPQ");
        o.clear();
        o.extend(b"zz");
        o.mark_push(0);
        o.end_command();
        o.drop_replies_from(0);
        assert!(o.is_empty());
    }
}
