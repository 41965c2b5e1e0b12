//! `careguide taper`: print a taper schedule (owned by the taper/handout work).

/// Arguments of `careguide taper`.
#[derive(Debug, Clone, clap::Args)]
pub struct TaperArgs {}

/// Run the command; returns the process exit code.
pub fn run(_args: &TaperArgs) -> u8 {
    eprintln!("careguide taper: not available yet");
    2
}
