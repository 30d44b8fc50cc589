//! The subcommands that compare and download contracts.

pub mod diff;
pub mod fetch;
