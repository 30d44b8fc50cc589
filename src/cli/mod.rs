//! The subcommands of the `atollon` binary, one module each.

pub mod invoice;
pub mod journal;
pub mod sandbox;
pub mod trigger;
