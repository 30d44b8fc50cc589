use roxmltree::Node;

use super::{DecodeError, Name, ReadElement, SimpleValue, ATOLLON_NAMESPACE, ITERITY_NAMESPACE};

/// Settings for reading generated types from XML.
#[derive(Clone, Debug)]
pub struct ReadContext {
    /// (alias, canonical): an element in the alias namespace matches a name in the
    /// canonical one.
    aliases: Vec<(String, &'static str)>,
}

impl Default for ReadContext {
    /// Reads Atollon's former namespace `http://iterity.com/enterprise/wsdl` as the
    /// current one, because some Atollon hosts still respond with it.
    fn default() -> Self {
        Self::new().with_alias(ITERITY_NAMESPACE, ATOLLON_NAMESPACE)
    }
}

impl ReadContext {
    /// Creates a context without namespace aliases.
    pub fn new() -> Self {
        Self {
            aliases: Vec::new(),
        }
    }

    /// Adds a namespace that is read as if it were `canonical`.
    pub fn with_alias(mut self, alias: &str, canonical: &'static str) -> Self {
        self.aliases.push((alias.to_owned(), canonical));
        self
    }

    /// Tells whether `node` is an element called `name`, taking aliases into account.
    pub fn name_matches(&self, node: Node<'_, '_>, name: Name) -> bool {
        if !node.is_element() {
            return false;
        }
        let tag = node.tag_name();
        if tag.name() != name.local {
            return false;
        }
        match (tag.namespace(), name.namespace) {
            (None, None) => true,
            (Some(found), Some(expected)) => {
                found == expected
                    || self
                        .aliases
                        .iter()
                        .any(|(alias, canonical)| alias == found && *canonical == expected)
            }
            _ => false,
        }
    }
}

/// A cursor over the element children of one element, in document order.
///
/// Reading is lenient in the ways real servers differ from their contracts: elements the
/// schema does not name are skipped, and an optional element that is absent leaves the
/// cursor where it was. A search for one element stops at the first element the type
/// declares under another name, so an element out of schema order never takes the
/// cursor past the elements between. A single element that comes too late is still
/// read, without moving the cursor.
pub struct Children<'a, 'input, 'c> {
    parent: Node<'a, 'input>,
    next: Option<Node<'a, 'input>>,
    ctx: &'c ReadContext,
    /// Every element name the type being read declares, nested groups included; empty
    /// when unknown, in which case a search looks at all following elements.
    declared: &'static [Name],
}

impl<'a, 'input, 'c> Children<'a, 'input, 'c> {
    /// Starts at the first element child of `parent`.
    pub fn new(parent: Node<'a, 'input>, ctx: &'c ReadContext) -> Self {
        Self::with_declared(parent, ctx, &[])
    }

    /// Starts at the first element child of `parent`, reading a type that declares the
    /// element names `declared`.
    pub fn with_declared(
        parent: Node<'a, 'input>,
        ctx: &'c ReadContext,
        declared: &'static [Name],
    ) -> Self {
        Self {
            parent,
            next: parent.first_element_child(),
            ctx,
            declared,
        }
    }

    /// The reading context.
    pub fn context(&self) -> &'c ReadContext {
        self.ctx
    }

    /// The element whose children are read.
    pub fn parent(&self) -> Node<'a, 'input> {
        self.parent
    }

    /// The next element child not yet consumed.
    pub fn peek(&self) -> Option<Node<'a, 'input>> {
        self.next
    }

    /// Returns the first element at or after the cursor that is one of `names`, without
    /// consuming it.
    pub fn find_any(&self, names: &[Name]) -> Option<Node<'a, 'input>> {
        let mut node = self.next;
        while let Some(n) = node {
            if names.iter().any(|name| self.ctx.name_matches(n, *name)) {
                return Some(n);
            }
            if self
                .declared
                .iter()
                .any(|name| self.ctx.name_matches(n, *name))
            {
                return None;
            }
            node = n.next_sibling_element();
        }
        None
    }

    /// Consumes the next element called `name`, skipping unknown elements before it.
    pub fn take(&mut self, name: Name) -> Option<Node<'a, 'input>> {
        let found = self.find_any(&[name])?;
        self.next = found.next_sibling_element();
        Some(found)
    }

    /// Consumes the next element, whatever its name.
    pub fn take_next(&mut self) -> Option<Node<'a, 'input>> {
        let node = self.next?;
        self.next = node.next_sibling_element();
        Some(node)
    }

    /// Finds `name` after an element out of schema order, without moving the cursor, so
    /// that an element a server sends too late is still read.
    fn find_late(&self, name: Name) -> Option<Node<'a, 'input>> {
        let mut node = self.next;
        while let Some(n) = node {
            if self.ctx.name_matches(n, name) {
                return Some(n);
            }
            node = n.next_sibling_element();
        }
        None
    }

    /// Reads the required element `name`.
    pub fn required<T: ReadElement>(&mut self, name: Name) -> Result<T, DecodeError> {
        match self.take(name).or_else(|| self.find_late(name)) {
            Some(node) => T::read_element(node, self.ctx),
            None => Err(self.missing(name)),
        }
    }

    /// Reads the element `name` if it is present.
    pub fn optional<T: ReadElement>(&mut self, name: Name) -> Result<Option<T>, DecodeError> {
        match self.take(name).or_else(|| self.find_late(name)) {
            Some(node) => T::read_element(node, self.ctx).map(Some),
            None => Ok(None),
        }
    }

    /// Reads every following element called `name`.
    pub fn repeated<T: ReadElement>(&mut self, name: Name) -> Result<Vec<T>, DecodeError> {
        let mut values = Vec::new();
        while let Some(node) = self.take(name) {
            values.push(T::read_element(node, self.ctx)?);
        }
        Ok(values)
    }

    /// Reads at least `min` elements called `name`.
    pub fn repeated_min<T: ReadElement>(
        &mut self,
        name: Name,
        min: usize,
    ) -> Result<Vec<T>, DecodeError> {
        let values = self.repeated(name)?;
        if values.len() < min {
            return Err(self.missing(name));
        }
        Ok(values)
    }

    /// Builds the error for a missing child `name` of this element.
    pub fn missing(&self, name: Name) -> DecodeError {
        DecodeError::Missing {
            path: format!("{}/{}", element_path(self.parent), name.local),
        }
    }
}

/// Path from the document root to `node`, by local names, such as
/// `Envelope/Body/CreateProjectResponse/TYPE`.
pub fn element_path(node: Node<'_, '_>) -> String {
    let mut names: Vec<&str> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    names.reverse();
    names.join("/")
}

/// Reads the text content of `node` as a simple value.
pub fn read_simple<T: SimpleValue>(
    node: Node<'_, '_>,
    ctx: &ReadContext,
) -> Result<T, DecodeError> {
    let _ = ctx;
    let text = text_content(node);
    T::parse_text(&text)
        .map_err(|expected| DecodeError::invalid(element_path(node), &text, expected))
}

/// Concatenates the text children of `node`; roxmltree already merges CDATA sections
/// and resolves character references.
pub(crate) fn text_content<'a>(node: Node<'a, '_>) -> std::borrow::Cow<'a, str> {
    let mut texts = node.children().filter(|n| n.is_text());
    let first = match texts.next() {
        Some(first) => first.text().unwrap_or(""),
        None => return std::borrow::Cow::Borrowed(""),
    };
    match texts.next() {
        None => std::borrow::Cow::Borrowed(first),
        Some(second) => {
            let mut all = String::from(first);
            all.push_str(second.text().unwrap_or(""));
            for more in texts {
                all.push_str(more.text().unwrap_or(""));
            }
            std::borrow::Cow::Owned(all)
        }
    }
}

/// Reads the attribute `name` of `node` as a simple value, if present.
pub fn read_attribute<T: SimpleValue>(
    node: Node<'_, '_>,
    name: Name,
) -> Result<Option<T>, DecodeError> {
    let value = match name.namespace {
        Some(ns) => node.attribute((ns, name.local)),
        None => node.attribute(name.local),
    };
    match value {
        None => Ok(None),
        Some(text) => T::parse_text(text).map(Some).map_err(|expected| {
            DecodeError::invalid(
                format!("{}/@{}", element_path(node), name.local),
                text,
                expected,
            )
        }),
    }
}

/// Reads the required attribute `name` of `node`.
pub fn required_attribute<T: SimpleValue>(
    node: Node<'_, '_>,
    name: Name,
) -> Result<T, DecodeError> {
    read_attribute(node, name)?.ok_or_else(|| DecodeError::MissingAttribute {
        path: element_path(node),
        attribute: name.local.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "urn:x";

    #[test]
    fn cursor_skips_unknown_and_keeps_order() {
        let doc = roxmltree::Document::parse("<r><x/><a>1</a><junk/><c>3</c><c>4</c></r>").unwrap();
        let ctx = ReadContext::new();
        let mut c = Children::new(doc.root_element(), &ctx);
        let a: i32 = c.required(Name::unqualified("a")).unwrap();
        let b: Option<i32> = c.optional(Name::unqualified("b")).unwrap();
        let cs: Vec<i32> = c.repeated(Name::unqualified("c")).unwrap();
        assert_eq!(a, 1);
        assert_eq!(b, None);
        assert_eq!(cs, vec![3, 4]);
    }

    #[test]
    fn search_stops_at_declared_element() {
        const DECLARED: &[Name] = &[Name::unqualified("count"), Name::unqualified("ITEM")];
        let doc =
            roxmltree::Document::parse("<r><ITEM>1</ITEM><x/><ITEM>2</ITEM><count>2</count></r>")
                .unwrap();
        let ctx = ReadContext::new();
        let mut c = Children::with_declared(doc.root_element(), &ctx, DECLARED);
        let count: Option<i32> = c.optional(Name::unqualified("count")).unwrap();
        let items: Vec<i32> = c.repeated(Name::unqualified("ITEM")).unwrap();
        // `count` out of order is still read, and the items before it are kept.
        assert_eq!(count, Some(2));
        assert_eq!(items, vec![1, 2]);
    }

    #[test]
    fn missing_required_names_path() {
        let doc = roxmltree::Document::parse("<r><s><a>1</a></s></r>").unwrap();
        let ctx = ReadContext::new();
        let s = doc.root_element().first_element_child().unwrap();
        let mut c = Children::new(s, &ctx);
        let err = c.required::<i32>(Name::unqualified("b")).unwrap_err();
        assert_eq!(
            err,
            DecodeError::Missing {
                path: "r/s/b".into()
            }
        );
    }

    #[test]
    fn alias_namespace_matches() {
        let xml = format!(r#"<r xmlns:i="{ITERITY_NAMESPACE}"><i:Op/></r>"#);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let node = doc.root_element().first_element_child().unwrap();
        assert!(ReadContext::default().name_matches(node, Name::new(Some(ATOLLON_NAMESPACE), "Op")));
        assert!(!ReadContext::new().name_matches(node, Name::new(Some(ATOLLON_NAMESPACE), "Op")));
        assert!(!ReadContext::default().name_matches(node, Name::new(Some(NS), "Op")));
        assert!(!ReadContext::default().name_matches(node, Name::unqualified("Op")));
    }

    #[test]
    fn invalid_value_names_path_and_type() {
        let doc = roxmltree::Document::parse("<r><id>12x</id></r>").unwrap();
        let ctx = ReadContext::new();
        let mut c = Children::new(doc.root_element(), &ctx);
        let err = c.required::<i64>(Name::unqualified("id")).unwrap_err();
        assert_eq!(
            err,
            DecodeError::Invalid {
                path: "r/id".into(),
                value: "12x".into(),
                expected: "xs:long".into()
            }
        );
    }
}
