//! A checksumming byte stream (Redis rio.c): RDB, DUMP payloads and (later)
//! the AOF preamble and replication transfer all go through one writer and
//! one reader that keep a running CRC-64/Jones of every byte and count them.

use std::io::{self, Read, Write};

/// CRC-64/Jones as Redis computes it (crc64.c): reflected, init 0, xorout 0.
pub const CRC64: crc::Crc<u64, crc::Table<16>> =
    crc::Crc::<u64, crc::Table<16>>::new(&crc::CRC_64_REDIS);

/// Continues a CRC-64 from `crc` over `data` (Redis `crc64(crc, p, l)`).
pub fn crc64(crc: u64, data: &[u8]) -> u64 {
    // xorout is 0 and input and output are both reflected, so the register
    // is the checksum itself; the crate reflects an initial value, so undo it.
    let mut d = CRC64.digest_with_initial(crc.reverse_bits());
    d.update(data);
    d.finalize()
}

/// A running CRC-64 fed in chunks: RDB fields are a few bytes each, and
/// the table-driven CRC costs a setup per call, so small pieces are
/// gathered (copied) and checksummed a few KB at a time. The data itself
/// goes through unbuffered here, so readers and writers keep their exact
/// positions.
struct ChunkedCrc {
    value: u64,
    on: bool,
    pending: Vec<u8>,
}

/// Bytes gathered before they are checksummed.
const CRC_CHUNK: usize = 8 * 1024;

impl ChunkedCrc {
    fn new(on: bool) -> ChunkedCrc {
        ChunkedCrc {
            value: 0,
            on,
            pending: Vec::new(),
        }
    }

    #[inline]
    fn update(&mut self, data: &[u8]) {
        if !self.on {
            return;
        }
        if self.pending.len() + data.len() > CRC_CHUNK {
            self.value = crc64(self.value, &self.pending);
            self.pending.clear();
            if data.len() >= CRC_CHUNK {
                self.value = crc64(self.value, data);
                return;
            }
        }
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(CRC_CHUNK);
        }
        self.pending.extend_from_slice(data);
    }

    fn value(&self) -> u64 {
        crc64(self.value, &self.pending)
    }

    fn stop(&mut self) {
        self.value = self.value();
        self.pending.clear();
        self.on = false;
    }
}

/// A writer that checksums and counts. `W` is a file (through a buffer)
/// or a `Vec<u8>` (DUMP).
pub struct RioWriter<W: Write> {
    inner: W,
    crc: ChunkedCrc,
    processed: u64,
    /// Call `on_progress` every this many bytes (0: never).
    pub progress_every: u64,
    next_progress: u64,
}

impl<W: Write> RioWriter<W> {
    /// A writer; `checksum` false leaves the checksum 0 (rdbchecksum no).
    pub fn new(inner: W, checksum: bool) -> RioWriter<W> {
        RioWriter {
            inner,
            crc: ChunkedCrc::new(checksum),
            processed: 0,
            progress_every: 0,
            next_progress: 0,
        }
    }

    pub fn write(&mut self, buf: &[u8]) -> io::Result<()> {
        self.crc.update(buf);
        self.inner.write_all(buf)?;
        self.processed += buf.len() as u64;
        Ok(())
    }

    /// True once every `progress_every` bytes; the caller then reports.
    pub fn progress_due(&mut self) -> bool {
        if self.progress_every == 0 || self.processed < self.next_progress {
            return false;
        }
        self.next_progress = self.processed + self.progress_every;
        true
    }

    pub fn checksum(&self) -> u64 {
        self.crc.value()
    }

    pub fn processed(&self) -> u64 {
        self.processed
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

/// Why a read failed: the stream ended early, or an I/O error.
#[derive(Debug)]
pub enum ReadError {
    Eof,
    Io(io::Error),
}

/// A reader that checksums and counts. `R` is a file (through a buffer)
/// or a byte slice (RESTORE, tests).
pub struct RioReader<R: Read> {
    inner: R,
    crc: ChunkedCrc,
    processed: u64,
    /// loading-process-events-interval-bytes when set (0: off), and the
    /// offset Redis's progress callback last recorded with it.
    interval: u64,
    mark: u64,
}

impl<R: Read> RioReader<R> {
    pub fn new(inner: R, checksum: bool) -> RioReader<R> {
        RioReader {
            inner,
            crc: ChunkedCrc::new(checksum),
            processed: 0,
            interval: 0,
            mark: 0,
        }
    }

    /// Fills `buf` completely or fails (rioRead).
    pub fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ReadError> {
        match self.inner.read_exact(buf) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(ReadError::Eof),
            Err(e) => return Err(ReadError::Io(e)),
        }
        self.crc.update(buf);
        let n = buf.len() as u64;
        // rdbLoadProgressCallback: a read that crosses an interval boundary
        // records the offset it started at (server.loading_loaded_bytes).
        if self.interval != 0
            && (self.processed + n) / self.interval > self.processed / self.interval
        {
            self.mark = self.processed;
        }
        self.processed += n;
        Ok(())
    }

    /// Tracks the offset Redis's loading progress would report, updated
    /// each time the reading crosses a multiple of `interval` bytes.
    pub fn set_progress_interval(&mut self, interval: u64) {
        self.interval = interval;
    }

    /// The offset recorded at the last interval crossing (0 before any):
    /// what Redis's "Internal error in RDB reading offset N" names.
    pub fn progress_mark(&self) -> u64 {
        self.mark
    }

    /// Reads `n` bytes into a new vector, growing it as data arrives so a
    /// corrupt length cannot make us allocate more than the input holds
    /// in one step.
    pub fn read_vec(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        const STEP: usize = 1 << 20;
        let mut out = Vec::with_capacity(n.min(STEP));
        while out.len() < n {
            let start = out.len();
            let take = (n - start).min(STEP);
            out.resize(start + take, 0);
            self.read_exact(&mut out[start..])?;
        }
        Ok(out)
    }

    pub fn checksum(&self) -> u64 {
        self.crc.value()
    }

    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Stops updating the checksum (the stored checksum is being read).
    pub fn stop_checksum(&mut self) {
        self.crc.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_jones_check_value() {
        assert_eq!(CRC64.checksum(b"123456789"), 0xe9c6d914c4b8d9ca);
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
        // Resuming over two halves gives the same value.
        assert_eq!(crc64(crc64(0, b"1234"), b"56789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn writer_and_reader_agree() {
        let mut w = RioWriter::new(Vec::new(), true);
        w.write(b"1234").unwrap();
        w.write(b"56789").unwrap();
        assert_eq!(w.checksum(), 0xe9c6d914c4b8d9ca);
        assert_eq!(w.processed(), 9);
        let data = w.into_inner();
        let mut r = RioReader::new(&data[..], true);
        let v = r.read_vec(9).unwrap();
        assert_eq!(v, b"123456789");
        assert_eq!(r.checksum(), 0xe9c6d914c4b8d9ca);
        assert!(matches!(r.read_vec(1), Err(ReadError::Eof)));
    }

    /// Many small pieces and big ones, across chunk boundaries, give the
    /// CRC of the whole; stopping freezes it.
    #[test]
    fn chunked_crc_matches_one_pass() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        let mut w = RioWriter::new(Vec::new(), true);
        let mut at = 0;
        for (i, n) in [1usize, 3, 9000, 5, 20_000, 2, 8191, 8192, 1]
            .iter()
            .cycle()
            .enumerate()
        {
            if at >= data.len() || i > 1000 {
                break;
            }
            let end = (at + n).min(data.len());
            w.write(&data[at..end]).unwrap();
            at = end;
        }
        w.write(&data[at..]).unwrap();
        assert_eq!(w.checksum(), crc64(0, &data));
        let mut r = RioReader::new(&data[..], true);
        let mut b = vec![0u8; 70_000];
        r.read_exact(&mut b[..3]).unwrap();
        r.read_exact(&mut b[3..]).unwrap();
        r.stop_checksum();
        let ck = r.checksum();
        assert_eq!(ck, crc64(0, &data[..70_000]));
        r.read_exact(&mut b[..10]).unwrap();
        assert_eq!(r.checksum(), ck);
    }
}
