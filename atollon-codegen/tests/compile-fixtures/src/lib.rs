//! The code generated for every generator fixture, compiled with all warnings denied.

#![deny(warnings)]
#![allow(missing_docs)]

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
