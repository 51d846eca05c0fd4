//! Arbitrary bytes as a RESTORE payload (Redis verifyDumpPayload and
//! rdbLoadObject): checked with and without the CRC, loaded under the
//! options the first byte picks; anything that loads must save again.
#![no_main]

use ferrodis::persistence::rdb::dump;
use ferrodis_fuzz::{check_resave, options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (opts, p) = options(data);
    // Both answers must come back without a panic; the fuzzer cannot fix a
    // CRC, so the load below runs as with skip-checksum-validation.
    let _ = dump::verify(p, false);
    if !dump::verify(p, true) {
        return;
    }
    if let Ok(v) = dump::load(p, &opts) {
        check_resave(&v, &opts);
    }
});
