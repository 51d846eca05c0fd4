//! Builds the small C shim for `long double` (see csrc/ld.c and docs/dependencies.md).
fn main() {
    println!("cargo:rerun-if-changed=csrc/ld.c");
    cc::Build::new()
        .file("csrc/ld.c")
        .opt_level(2)
        .compile("ferrodis_ld");
}
