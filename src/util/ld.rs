//! `long double` arithmetic for INCRBYFLOAT and HINCRBYFLOAT (Redis util.c
//! string2ld and ld2string LD_STR_HUMAN), through the C shim in csrc/ld.c.

use crate::error::{CmdError, NOT_FLOAT};

extern "C" {
    fn ferrodis_ld_add(
        a: *const u8,
        alen: usize,
        b: *const u8,
        blen: usize,
        out: *mut u8,
        outlen: usize,
    ) -> libc::c_long;
    fn ferrodis_is_ld(s: *const u8, slen: usize) -> libc::c_int;
    fn ferrodis_ld_timeout_ms(s: *const u8, slen: usize, ms: *mut libc::c_longlong) -> libc::c_int;
}

/// Why an addition failed.
#[derive(Debug, PartialEq, Eq)]
pub enum LdError {
    /// The first operand is not a valid float.
    BadValue,
    /// The increment is not a valid float.
    BadIncrement,
    /// The result would be NaN or infinite.
    NanOrInf,
}

impl LdError {
    /// The reply Redis's INCRBYFLOAT gives for this failure.
    pub fn to_cmd_error(&self) -> CmdError {
        match self {
            LdError::BadValue | LdError::BadIncrement => NOT_FLOAT,
            LdError::NanOrInf => CmdError::fixed("ERR increment would produce NaN or Infinity"),
        }
    }
}

/// `a + b` in long double, formatted as Redis stores the result ("%.17Lf"
/// without trailing zeros).
pub fn add(a: &[u8], b: &[u8]) -> Result<Vec<u8>, LdError> {
    let mut out = vec![0u8; 5 * 1024 + 64];
    // SAFETY: the pointers and lengths describe live slices; the shim copies
    // the inputs and writes at most `out.len()` bytes into `out`.
    let n = unsafe {
        ferrodis_ld_add(
            a.as_ptr(),
            a.len(),
            b.as_ptr(),
            b.len(),
            out.as_mut_ptr(),
            out.len(),
        )
    };
    match n {
        -1 => Err(LdError::BadValue),
        -2 => Err(LdError::BadIncrement),
        n if n < 0 => Err(LdError::NanOrInf),
        n => {
            out.truncate(n as usize);
            Ok(out)
        }
    }
}

/// True when `s` parses as a long double with Redis's rules (`string2ld`).
pub fn is_valid(s: &[u8]) -> bool {
    // SAFETY: the pointer and length describe a live slice the shim only reads.
    unsafe { ferrodis_is_ld(s.as_ptr(), s.len()) == 1 }
}

/// A timeout in seconds scaled to ms and rounded up in long double, as
/// `getTimeoutFromObjectOrReply` does; None when `s` is not a valid float.
pub fn timeout_ms(s: &[u8]) -> Option<i64> {
    let mut ms: libc::c_longlong = 0;
    // SAFETY: the pointer and length describe a live slice the shim only
    // reads; `ms` is a valid out pointer.
    let ok = unsafe { ferrodis_ld_timeout_ms(s.as_ptr(), s.len(), &mut ms) };
    (ok == 1).then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_double_sums() {
        assert_eq!(add(b"10", b"1.1").unwrap(), b"11.1");
        assert_eq!(add(b"10.5", b"0.1").unwrap(), b"10.6");
        assert_eq!(add(b"-1", b"1").unwrap(), b"0");
        assert_eq!(add(b"5.0e3", b"2.0e2").unwrap(), b"5200");
        assert_eq!(add(b"abc", b"1"), Err(LdError::BadValue));
        assert_eq!(add(b"1", b" 1"), Err(LdError::BadIncrement));
        assert_eq!(add(b"1e4932", b"1e4932"), Err(LdError::NanOrInf));
        assert!(!is_valid(b"nan"));
        assert!(!is_valid(b"1.5\0\09"));
        assert!(is_valid(b"1e10"));
    }

    #[test]
    fn timeouts_round_in_long_double() {
        assert_eq!(timeout_ms(b"-0.001"), Some(0));
        assert_eq!(timeout_ms(b"-0.002"), Some(-1));
        assert_eq!(timeout_ms(b"0.0001"), Some(1));
        assert_eq!(timeout_ms(b"1.5"), Some(1500));
        assert_eq!(timeout_ms(b"1e30"), Some(i64::MIN));
        assert_eq!(timeout_ms(b"inf"), Some(i64::MIN));
        assert_eq!(timeout_ms(b"nan"), None);
        assert_eq!(timeout_ms(b"abc"), None);
    }
}
