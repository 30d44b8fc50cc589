//! The Atollon SOAP client, generated at build time from the contract files in `wsdl/`:
//! one module per WSDL file, each with its request and response types, an async client
//! per port (such as [`project::ProjectClient`]) and a server trait with a dispatcher.

include!(concat!(env!("OUT_DIR"), "/atollon.rs"));

/// The runtime that the generated code calls, so that applications need only this crate.
pub use atollon_client;
pub use atollon_client::xml::Secret;
pub use atollon_client::{Client, ClientBuilder, Error, Session};

pub mod session;
pub mod values;

#[cfg(feature = "billing")]
pub mod billing;
#[cfg(feature = "sandbox")]
pub mod sandbox;

/// Compiles the Rust examples of the README as doctests, so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
