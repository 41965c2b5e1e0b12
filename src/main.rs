//! The `careguide` binary: everything lives in the library; this only maps panics and results
//! to exit codes.

use std::process::ExitCode;

/// mimalloc for small blocks, the system's allocator for large ones (see the module).
#[global_allocator]
static ALLOCATOR: careguide::util::alloc::Split = careguide::util::alloc::Split;

fn main() -> ExitCode {
    // A bug must not print a backtrace full of internals (or any input) at a clinician:
    // say what happened and how to report it. Exit code 2 like other internal failures.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "careguide: internal error{place}. Nothing was written. Please report this with the command you ran."
        );
    }));
    match std::panic::catch_unwind(careguide::cli::main) {
        Ok(code) => code,
        Err(_) => ExitCode::from(2),
    }
}
