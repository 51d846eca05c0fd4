//! Arbitrary bytes as a whole RDB file (Redis rdbLoadRio): the load must
//! end in Ok or an error, never a panic, hang or runaway allocation, and
//! whatever loads must save as a payload that loads again.
#![no_main]

use ferrodis_fuzz::{check_resave, load_file, options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (opts, bytes) = options(data);
    if let Ok(c) = load_file(bytes, &opts) {
        for k in &c.keys {
            check_resave(&k.val, &opts);
        }
    }
});
