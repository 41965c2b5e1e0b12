//! The subcommands, one module each; `cli` parses the arguments and calls these.
