//! `careguide handout`: a personalized PDF handout (owned by the taper/handout work).

/// Arguments of `careguide handout`.
#[derive(Debug, Clone, clap::Args)]
pub struct HandoutArgs {}

/// Run the command; returns the process exit code.
pub fn run(_args: &HandoutArgs) -> u8 {
    eprintln!("careguide handout: not available yet");
    2
}
