//! The Atollon SOAP client, generated at build time from the contract files in `wsdl/`:
//! one module per WSDL file, each with its request and response types, an async client
//! per port (such as [`project::ProjectClient`]) and a server trait with a dispatcher.

include!(concat!(env!("OUT_DIR"), "/atollon.rs"));

pub mod session;
pub mod values;

#[cfg(feature = "billing")]
pub mod billing;
