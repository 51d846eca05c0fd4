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

/// A writer that checksums and counts. `W` is a file (through a buffer)
/// or a `Vec<u8>` (DUMP).
pub struct RioWriter<W: Write> {
    inner: W,
    cksum: u64,
    checksum: bool,
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
            cksum: 0,
            checksum,
            processed: 0,
            progress_every: 0,
            next_progress: 0,
        }
    }

    pub fn write(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.checksum {
            self.cksum = crc64(self.cksum, buf);
        }
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
        self.cksum
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
    cksum: u64,
    checksum: bool,
    processed: u64,
}

impl<R: Read> RioReader<R> {
    pub fn new(inner: R, checksum: bool) -> RioReader<R> {
        RioReader {
            inner,
            cksum: 0,
            checksum,
            processed: 0,
        }
    }

    /// Fills `buf` completely or fails (rioRead).
    pub fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ReadError> {
        match self.inner.read_exact(buf) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Err(ReadError::Eof),
            Err(e) => return Err(ReadError::Io(e)),
        }
        if self.checksum {
            self.cksum = crc64(self.cksum, buf);
        }
        self.processed += buf.len() as u64;
        Ok(())
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
        self.cksum
    }

    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Stops updating the checksum (the stored checksum is being read).
    pub fn stop_checksum(&mut self) {
        self.checksum = false;
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
}
