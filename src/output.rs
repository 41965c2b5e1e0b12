//! Atomic site output.
