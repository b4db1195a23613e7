//! `neighd --config FILE [--check]`: the agent.

fn main() {
    eprintln!("neighd: not wired yet");
    std::process::exit(1);
}
