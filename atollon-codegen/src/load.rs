//! Loading documents through a [`Resolver`]: entry WSDL files, the WSDL files they
//! import and the schemas those import or include, each once, cycles included.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostics, Loc};
use crate::raw::{Definitions, LineIndex, Parser, Schema, SchemaRef, WSDL, XS};

/// A document returned by a [`Resolver`].
#[derive(Clone, Debug)]
pub struct Source {
    /// Canonical name: equal names mean the same document, so each is read once.
    pub name: String,
    /// The document's text.
    pub text: String,
}

/// Finds documents by location. The generator engine does no I/O of its own; a resolver
/// decides where `schemaLocation` and `location` attributes lead.
pub trait Resolver {
    /// Resolves `location`, relative to the document named `base` when there is one.
    /// The error is a sentence saying what failed.
    fn resolve(&self, base: Option<&str>, location: &str) -> Result<Source, String>;
}

/// Reads documents from the file system, relative to the importing file's folder.
#[derive(Clone, Debug, Default)]
pub struct FsResolver;

impl Resolver for FsResolver {
    fn resolve(&self, base: Option<&str>, location: &str) -> Result<Source, String> {
        let path = match base {
            Some(base) => Path::new(base)
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join(location),
            None => PathBuf::from(location),
        };
        let metadata = std::fs::metadata(&path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if !metadata.is_file() {
            return Err(format!("`{}` is not a regular file", path.display()));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(format!(
                "`{}` is {} bytes, more than the {MAX_FILE_BYTES} bytes a WSDL or schema file may have",
                path.display(),
                metadata.len()
            ));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        // Canonical paths make `a/../b.xsd` and `b.xsd` the same document.
        let name = std::fs::canonicalize(&path)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        Ok(Source { name, text })
    }
}

/// Documents held in memory, keyed by name; locations are joined to the importing
/// document's name like relative paths. Useful for tests and for build tools that
/// already hold the files.
#[derive(Clone, Debug, Default)]
pub struct MemoryResolver {
    documents: BTreeMap<String, String>,
}

impl MemoryResolver {
    /// Creates an empty resolver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document under `name`.
    pub fn insert(&mut self, name: impl Into<String>, text: impl Into<String>) -> &mut Self {
        self.documents.insert(name.into(), text.into());
        self
    }
}

impl Resolver for MemoryResolver {
    fn resolve(&self, base: Option<&str>, location: &str) -> Result<Source, String> {
        let name = match base.and_then(|b| b.rfind('/').map(|i| &b[..i])) {
            Some(folder) => normalise(&format!("{folder}/{location}")),
            None => normalise(location),
        };
        self.documents
            .get(&name)
            .map(|text| Source {
                name: name.clone(),
                text: text.clone(),
            })
            .ok_or_else(|| format!("no document named `{name}`"))
    }
}

/// Removes `.` and `..` segments from a `/`-separated path.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Schemas that are resolved from copies inside the generator, because their
/// `schemaLocation`s point to the web and a build must never fetch anything.
const WELL_KNOWN: &[(&str, &str, &str)] = &[
    (
        "http://www.w3.org/XML/1998/namespace",
        "<built-in xml.xsd>",
        include_str!("wellknown/xml.xsd"),
    ),
    (
        "http://schemas.xmlsoap.org/soap/encoding/",
        "<built-in soap-encoding.xsd>",
        include_str!("wellknown/soap-encoding.xsd"),
    ),
    (
        "http://www.w3.org/2005/08/addressing",
        "<built-in ws-addressing.xsd>",
        include_str!("wellknown/ws-addressing.xsd"),
    ),
];

/// Everything loaded for one entry WSDL file.
#[derive(Debug, Default)]
pub struct Loaded {
    /// WSDL documents: the entry first, then imported ones in the order met.
    pub definitions: Vec<Definitions>,
    /// Every schema: those inside `wsdl:types` and those imported or included.
    pub schemas: Vec<Schema>,
    /// Names of the files read through the resolver, in the order read.
    pub files_read: Vec<String>,
}

pub struct Loader<'r> {
    resolver: &'r dyn Resolver,
    pub diagnostics: Diagnostics,
    /// Canonical names already loaded, to read each once and stop at cycles.
    seen: BTreeMap<String, ()>,
    well_known_loaded: BTreeMap<&'static str, ()>,
}

impl<'r> Loader<'r> {
    pub fn new(resolver: &'r dyn Resolver) -> Self {
        Self {
            resolver,
            diagnostics: Diagnostics::default(),
            seen: BTreeMap::new(),
            well_known_loaded: BTreeMap::new(),
        }
    }

    /// Loads one entry file and everything it refers to.
    pub fn load_entry(&mut self, location: &str) -> Loaded {
        self.seen.clear();
        self.well_known_loaded.clear();
        let mut loaded = Loaded::default();
        match self.resolver.resolve(None, location) {
            Ok(source) => self.load_source(source, &mut loaded, None),
            Err(message) => {
                let file = self.diagnostics.add_file(location.to_owned());
                self.diagnostics.error(
                    Loc {
                        file,
                        line: 1,
                        column: 1,
                    },
                    message,
                );
            }
        }
        loaded
    }

    fn load_source(&mut self, source: Source, loaded: &mut Loaded, chameleon: Option<String>) {
        if self.seen.insert(source.name.clone(), ()).is_some() {
            return;
        }
        loaded.files_read.push(source.name.clone());
        self.parse_source(&source, loaded, chameleon);
    }

    fn parse_source(&mut self, source: &Source, loaded: &mut Loaded, chameleon: Option<String>) {
        let file = self.diagnostics.add_file(source.name.clone());
        if let Err(offset) = check_depth(&source.text, MAX_DEPTH) {
            let pos = text_position(&source.text, offset);
            self.diagnostics.error(
                Loc { file, line: pos.0, column: pos.1 },
                format!("elements are nested more than {MAX_DEPTH} levels deep; no WSDL or schema needs that, and parsing it could overflow the stack"),
            );
            return;
        }
        let options = roxmltree::ParsingOptions {
            allow_dtd: false,
            ..roxmltree::ParsingOptions::default()
        };
        let document = match roxmltree::Document::parse_with_options(&source.text, options) {
            Ok(document) => document,
            Err(error) => {
                let pos = error.pos();
                self.diagnostics.error(
                    Loc {
                        file,
                        line: pos.row,
                        column: pos.col,
                    },
                    format!("malformed XML: {error}"),
                );
                return;
            }
        };
        let root = document.root_element();
        let lines = LineIndex::new(document.input_text());
        let mut parser = Parser {
            file,
            lines: &lines,
            diagnostics: &mut self.diagnostics,
        };
        let tag = root.tag_name();
        if tag.namespace() == Some(WSDL) && tag.name() == "definitions" {
            let definitions = parser.definitions(root);
            let imports = definitions.imports.clone();
            let mut schema_refs = Vec::new();
            for schema in &definitions.schemas {
                schema_refs.push((
                    schema.imports.clone(),
                    schema.includes.clone(),
                    schema.target_namespace.clone(),
                ));
            }
            loaded.schemas.extend(definitions.schemas.iter().cloned());
            loaded.definitions.push(definitions);
            for import in imports {
                self.follow(&source.name, &import, loaded, None);
            }
            for (imports, includes, target) in schema_refs {
                self.follow_schema_refs(&source.name, &imports, &includes, target, loaded);
            }
        } else if tag.namespace() == Some(XS) && tag.name() == "schema" {
            let mut schema = parser.schema(root);
            if schema.target_namespace.is_none() {
                schema.target_namespace = chameleon;
            }
            let imports = schema.imports.clone();
            let includes = schema.includes.clone();
            let target = schema.target_namespace.clone();
            loaded.schemas.push(schema);
            self.follow_schema_refs(&source.name, &imports, &includes, target, loaded);
        } else {
            let loc = Loc {
                file,
                line: 1,
                column: 1,
            };
            self.diagnostics.error(
                loc,
                format!(
                    "expected a WSDL 1.1 `definitions` or an XML Schema `schema` root element, found `{}`",
                    tag.name()
                ),
            );
        }
    }

    fn follow_schema_refs(
        &mut self,
        base: &str,
        imports: &[SchemaRef],
        includes: &[SchemaRef],
        target: Option<String>,
        loaded: &mut Loaded,
    ) {
        for import in imports {
            self.follow(base, import, loaded, None);
        }
        for include in includes {
            self.follow(base, include, loaded, target.clone());
        }
    }

    fn follow(
        &mut self,
        base: &str,
        reference: &SchemaRef,
        loaded: &mut Loaded,
        chameleon: Option<String>,
    ) {
        if let Some(namespace) = &reference.namespace {
            if let Some((ns, name, text)) = WELL_KNOWN.iter().find(|(ns, _, _)| ns == namespace) {
                if self.well_known_loaded.insert(ns, ()).is_none() {
                    let source = Source {
                        name: (*name).to_owned(),
                        text: (*text).to_owned(),
                    };
                    self.parse_source(&source, loaded, None);
                }
                return;
            }
        }
        let Some(location) = &reference.location else {
            // An import by namespace alone refers to a schema found elsewhere in the same
            // set of documents, such as a sibling schema in `wsdl:types`.
            return;
        };
        if location.starts_with("http://") || location.starts_with("https://") {
            self.diagnostics.error(
                reference.loc,
                format!(
                    "remote location `{location}` is not fetched at build time; save a copy next to this file and point the location at it"
                ),
            );
            return;
        }
        match self.resolver.resolve(Some(base), location) {
            Ok(source) => self.load_source(source, loaded, chameleon),
            Err(message) => self.diagnostics.error(
                reference.loc,
                format!("cannot load `{location}`: {message}"),
            ),
        }
    }
}

/// Deepest element nesting accepted in a WSDL or schema document. roxmltree parses
/// recursively, so a deeper document could overflow the stack.
const MAX_DEPTH: usize = 256;

/// Largest document the file-system resolver reads. Contract files are kilobytes; the
/// limit keeps a wrong location (such as a device file) from exhausting memory.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Returns the byte offset of the first element nested deeper than `max_depth`.
///
/// NOTE: atollon-client has the same check for envelopes (`xml::check_depth`); the
/// generator keeps its own copy so that it does not depend on the runtime crate.
fn check_depth(text: &str, max_depth: usize) -> Result<(), usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset;
        let rest = &bytes[start..];
        let skip_to = |marker: &[u8]| {
            bytes[start..]
                .windows(marker.len())
                .position(|w| w == marker)
                .map_or(bytes.len(), |end| start + end + marker.len())
        };
        i = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>")
        } else if rest.starts_with(b"<!") {
            skip_to(b">")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(b">")
        } else {
            // The start tag ends at the first `>` outside a quoted attribute value.
            let mut quote = None;
            let mut end = bytes.len();
            for (index, &byte) in bytes.iter().enumerate().skip(start + 1) {
                match (quote, byte) {
                    (None, b'"' | b'\'') => quote = Some(byte),
                    (Some(q), b) if b == q => quote = None,
                    (None, b'>') => {
                        end = index;
                        break;
                    }
                    _ => {}
                }
            }
            if !(end > start + 1 && end < bytes.len() && bytes[end - 1] == b'/') {
                depth += 1;
                if depth > max_depth {
                    return Err(start);
                }
            }
            end + 1
        };
        if i >= bytes.len() {
            break;
        }
    }
    Ok(())
}

/// 1-based line and column of a byte offset.
fn text_position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, column as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_document_reported_with_position() {
        let text = format!("<a>\n  {}{}", "<b>".repeat(300), "</b>".repeat(300));
        // The 256th `<b>` is the 257th element: line 2, column 3 + 255 * 3.
        let offset = check_depth(&text, MAX_DEPTH).unwrap_err();
        assert_eq!(text_position(&text, offset), (2, 3 + 255 * 3));
        assert_eq!(check_depth("<a><b/><!-- <c><c> --></a>", 2), Ok(()));
    }

    #[test]
    fn device_file_is_not_read() {
        let error = FsResolver.resolve(None, "/dev/zero").unwrap_err();
        assert!(error.contains("is not a regular file"), "{error}");
    }

    #[test]
    fn normalise_removes_dot_segments() {
        assert_eq!(normalise("a/./b/../c.xsd"), "a/c.xsd");
        assert_eq!(normalise("./x.wsdl"), "x.wsdl");
    }

    #[test]
    fn memory_resolver_joins_relative_locations() {
        let mut r = MemoryResolver::new();
        r.insert("dir/sub/a.xsd", "<a/>");
        let source = r.resolve(Some("dir/main.wsdl"), "sub/a.xsd").unwrap();
        assert_eq!(source.name, "dir/sub/a.xsd");
        assert!(r.resolve(Some("dir/main.wsdl"), "missing.xsd").is_err());
    }
}
