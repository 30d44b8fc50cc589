//! The XML layer that generated code is written against: a namespace-aware writer, a
//! lenient reading cursor over roxmltree nodes, and the Rust types for XML Schema's
//! built-in simple types.

mod depth;
mod error;
mod reader;
mod value;
mod writer;

pub use depth::{check_depth, MAX_DEPTH};
pub use error::{DecodeError, EncodeError};
pub use reader::{
    element_path, read_attribute, read_simple, required_attribute, Children, ReadContext,
};
pub use value::{
    write_simple, AnyAttribute, AnyElement, AnyNode, AnyType, Base64Binary, Date, DateTime,
    HexBinary, Integer, List, Nillable, ReadElement, ReadParticles, Secret, SimpleValue, Time,
    TimeZone, WriteElement, WriteParticles,
};
pub use writer::XmlWriter;

/// Namespace of `xsi:nil` and `xsi:type`.
pub const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Current namespace of Atollon's operation elements.
pub const ATOLLON_NAMESPACE: &str = "http://atollon.com/enterprise/wsdl";

/// Namespace that older Atollon hosts (from when the company was called Iterity) still
/// write on some responses; [`ReadContext::default`] reads it as [`ATOLLON_NAMESPACE`].
pub const ITERITY_NAMESPACE: &str = "http://iterity.com/enterprise/wsdl";

/// An element or attribute name: the namespace URI (`None` for an unqualified name) and
/// the local name, both as the schema spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    /// Namespace URI, or `None` for an unqualified name.
    pub namespace: Option<&'static str>,
    /// Local name.
    pub local: &'static str,
}

impl Name {
    /// Builds a name from its namespace and local part.
    pub const fn new(namespace: Option<&'static str>, local: &'static str) -> Self {
        Self { namespace, local }
    }

    /// Builds an unqualified name.
    pub const fn unqualified(local: &'static str) -> Self {
        Self {
            namespace: None,
            local,
        }
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.namespace {
            Some(namespace) => write!(f, "{{{namespace}}}{}", self.local),
            None => f.write_str(self.local),
        }
    }
}
