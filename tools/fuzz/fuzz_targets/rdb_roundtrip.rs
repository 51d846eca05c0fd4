//! Load, save, load, save: for any input that loads as an RDB file, the
//! second save must be byte-identical to the first (nothing is lost or
//! changed by our own writer and reader), and the saved file must load.
#![no_main]

use ferrodis_fuzz::{load_file, options, save_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (opts, bytes) = options(data);
    let Ok(first) = load_file(bytes, &opts) else {
        return;
    };
    let saved = save_file(&first.keys);
    let second = match load_file(&saved, &opts) {
        Ok(s) => s,
        Err(e) => panic!("our own file does not load: {:?}", e),
    };
    assert_eq!(first.keys.len(), second.keys.len());
    for (a, b) in first.keys.iter().zip(&second.keys) {
        assert_eq!((a.db, &a.key, a.meta), (b.db, &b.key, b.meta));
    }
    assert!(saved == save_file(&second.keys), "second save differs");
});
