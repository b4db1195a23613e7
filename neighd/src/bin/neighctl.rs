//! `neighctl [--socket PATH] show hosts|peers|routes [--json]`.

fn main() {
    eprintln!("neighctl: not wired yet");
    std::process::exit(1);
}
