// Compiles csrc/longdouble.c: the platform's C `long double`, which Rust lacks and which
// INCRBYFLOAT/HINCRBYFLOAT need to print the digits Redis prints (see that file).
fn main() {
    println!("cargo:rerun-if-changed=csrc/longdouble.c");
    cc::Build::new().file("csrc/longdouble.c").opt_level(2).compile("slotd_longdouble");
}
