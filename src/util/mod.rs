//! Small helpers shared by every layer (Redis util.c, sds.c fragments).

pub mod args;
pub mod glob;
pub mod ld;
pub mod lzf;
pub mod num;
pub mod prefetch;
pub mod sha256;

/// An I/O error as C's `strerror` prints it, without Rust's "(os error N)".
pub fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod strerror_tests {
    #[test]
    fn strerror_drops_the_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(super::strerror(&e), "No such file or directory");
    }
}
