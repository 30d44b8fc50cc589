//! SOAP runtime for the generated Atollon client.

#![deny(missing_docs)]

pub mod xml;

pub mod client;
pub mod envelope;
pub mod error;
pub mod log;
pub mod server;
pub mod session;
pub mod transport;

pub use client::{Client, ClientBuilder, Operation, DEFAULT_MAX_IN_FLIGHT};
pub use envelope::{Fault, FaultCode, SoapVersion};
pub use error::{BuildError, Error, Outcome};
pub use server::{ServerFault, ServerRequest, ServerResponse};
pub use session::{md5_hex, Credentials, Session};

#[doc(hidden)]
pub mod codegen;
#[doc(hidden)]
pub use codegen as __codegen;
