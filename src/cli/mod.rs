//! The subcommands of the `atollon` binary, one module each.

pub mod sandbox;
