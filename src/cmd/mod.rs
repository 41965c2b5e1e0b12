//! The subcommands whose work is more than a library call; `cli` parses and dispatches.

pub mod handout;
pub mod init;
pub mod progress;
pub mod serve;
pub mod taper;
