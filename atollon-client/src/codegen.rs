//! Everything generated code names, reached as `::atollon_client::__codegen`. Generated
//! code depends only on this module, so the runtime can reorganise its public modules
//! without breaking generated files.

pub use crate::xml::{
    element_path, read_simple, AnyAttribute, AnyElement, AnyNode, Base64Binary, Children, Date,
    DateTime, DecodeError, EncodeError, HexBinary, Integer, Name, Nillable, ReadContext,
    ReadElement, ReadParticles, Secret, SimpleValue, Time, WriteElement, WriteParticles, XmlWriter,
};
pub use crate::xml::{read_attribute, required_attribute, write_simple, AnyType, List};
pub use roxmltree::Node;
pub use rust_decimal::Decimal;

pub use crate::client::{Client, Operation};
pub use crate::envelope::{SoapVersion, WriteXml};
pub use crate::error::Error;
pub use crate::server::{ServerFault, ServerRequest, ServerResponse};
pub use crate::session::Session;
