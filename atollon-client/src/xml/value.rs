use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use roxmltree::Node;
use rust_decimal::Decimal;

use super::reader::{element_path, read_simple, Children};
use super::{DecodeError, EncodeError, Name, ReadContext, XmlWriter, XSI_NAMESPACE};

/// A value with a text form in XML Schema (a built-in or derived simple type).
pub trait SimpleValue: Sized {
    /// Appends the lexical form, unescaped: the writer escapes it.
    fn write_text(&self, out: &mut String);

    /// Parses the lexical form. The error names what was expected, such as `xs:long`.
    fn parse_text(text: &str) -> Result<Self, String>;
}

/// A value that can be written as one element with a given name.
pub trait WriteElement {
    /// Writes `self` as the element `name`, with its attributes and content.
    fn write_element(&self, w: &mut XmlWriter, name: Name) -> Result<(), EncodeError>;
}

/// A value that can be read from one element.
pub trait ReadElement: Sized {
    /// Reads `Self` from the element `node`, whose name the caller has already matched.
    fn read_element(node: Node<'_, '_>, ctx: &ReadContext) -> Result<Self, DecodeError>;
}

/// A run of sibling elements with no wrapper of its own: an `xs:choice`, or a nested
/// `xs:sequence` that repeats.
pub trait WriteParticles {
    /// Writes the elements into the currently open element.
    fn write_particles(&self, w: &mut XmlWriter) -> Result<(), EncodeError>;
}

/// Reading counterpart of [`WriteParticles`].
pub trait ReadParticles: Sized {
    /// Names of the elements that can start this run, used to tell whether it is there.
    const FIRST: &'static [Name];

    /// Reads the run at the cursor.
    fn read_particles(children: &mut Children<'_, '_, '_>) -> Result<Self, DecodeError>;
}

impl<'a, 'input, 'c> Children<'a, 'input, 'c> {
    /// Reads a run of particles that must be present.
    pub fn required_group<T: ReadParticles>(&mut self) -> Result<T, DecodeError> {
        if self.find_any(T::FIRST).is_none() {
            return Err(DecodeError::NoAlternative {
                path: element_path(self.parent()),
                expected: list_names(T::FIRST),
            });
        }
        T::read_particles(self)
    }

    /// Reads a run of particles if it is present.
    pub fn optional_group<T: ReadParticles>(&mut self) -> Result<Option<T>, DecodeError> {
        if self.find_any(T::FIRST).is_none() {
            return Ok(None);
        }
        T::read_particles(self).map(Some)
    }

    /// Reads every following run of particles.
    pub fn repeated_group<T: ReadParticles>(&mut self) -> Result<Vec<T>, DecodeError> {
        let mut values = Vec::new();
        while self.find_any(T::FIRST).is_some() {
            let before = self.peek().map(|n| n.id());
            values.push(T::read_particles(self)?);
            // A run that consumed nothing would repeat forever.
            if self.peek().map(|n| n.id()) == before {
                break;
            }
        }
        Ok(values)
    }

    /// Collects the elements from the cursor on whose names are not in `known`, for an
    /// `xs:any` wildcard. The cursor does not move, so declared elements after the
    /// wildcard are still read.
    pub fn wildcard(&self, known: &[Name]) -> Vec<AnyElement> {
        let mut found = Vec::new();
        let mut node = self.peek();
        while let Some(n) = node {
            if !known
                .iter()
                .any(|name| self.context().name_matches(n, *name))
            {
                found.push(AnyElement::from_node(n));
            }
            node = n.next_sibling_element();
        }
        found
    }
}

fn list_names(names: &[Name]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.local))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes a simple value as an element, for `WriteElement` impls of simple types.
pub fn write_simple<T: SimpleValue>(
    w: &mut XmlWriter,
    name: Name,
    value: &T,
) -> Result<(), EncodeError> {
    w.simple_element(name, value)
}

macro_rules! element_via_text {
    ($($ty:ty),* $(,)?) => {$(
        impl WriteElement for $ty {
            fn write_element(&self, w: &mut XmlWriter, name: Name) -> Result<(), EncodeError> {
                w.simple_element(name, self)
            }
        }
        impl ReadElement for $ty {
            fn read_element(node: Node<'_, '_>, ctx: &ReadContext) -> Result<Self, DecodeError> {
                read_simple(node, ctx)
            }
        }
    )*};
}

element_via_text!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    Decimal,
    Integer,
    DateTime,
    Date,
    Time,
    Base64Binary,
    HexBinary,
    Secret,
);

impl<T: SimpleValue> WriteElement for List<T> {
    fn write_element(&self, w: &mut XmlWriter, name: Name) -> Result<(), EncodeError> {
        w.simple_element(name, self)
    }
}

impl<T: SimpleValue> ReadElement for List<T> {
    fn read_element(node: Node<'_, '_>, ctx: &ReadContext) -> Result<Self, DecodeError> {
        read_simple(node, ctx)
    }
}

impl SimpleValue for String {
    fn write_text(&self, out: &mut String) {
        out.push_str(self);
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl SimpleValue for bool {
    fn write_text(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        match text.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err("xs:boolean (true, false, 1 or 0)".to_owned()),
        }
    }
}

macro_rules! integer_simple {
    ($($ty:ty => $xsd:literal),* $(,)?) => {$(
        impl SimpleValue for $ty {
            fn write_text(&self, out: &mut String) {
                use fmt::Write as _;
                let _ = write!(out, "{self}");
            }
            fn parse_text(text: &str) -> Result<Self, String> {
                let trimmed = text.trim();
                // Rust's integer parser accepts a leading `+`, as XML Schema does.
                trimmed.parse::<$ty>().map_err(|_| $xsd.to_owned())
            }
        }
    )*};
}

integer_simple!(
    i8 => "xs:byte",
    i16 => "xs:short",
    i32 => "xs:int",
    i64 => "xs:long",
    u8 => "xs:unsignedByte",
    u16 => "xs:unsignedShort",
    u32 => "xs:unsignedInt",
    u64 => "xs:unsignedLong",
);

macro_rules! float_simple {
    ($($ty:ty => $xsd:literal),* $(,)?) => {$(
        impl SimpleValue for $ty {
            fn write_text(&self, out: &mut String) {
                use fmt::Write as _;
                if self.is_nan() {
                    out.push_str("NaN");
                } else if self.is_infinite() {
                    out.push_str(if *self > 0.0 { "INF" } else { "-INF" });
                } else {
                    let _ = write!(out, "{self}");
                }
            }
            fn parse_text(text: &str) -> Result<Self, String> {
                match text.trim() {
                    "INF" | "+INF" => Ok(<$ty>::INFINITY),
                    "-INF" => Ok(<$ty>::NEG_INFINITY),
                    "NaN" => Ok(<$ty>::NAN),
                    other => {
                        // Rust also accepts `inf` and `nan`, which XML Schema does not.
                        if other.bytes().any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') {
                            return Err($xsd.to_owned());
                        }
                        other.parse::<$ty>().map_err(|_| $xsd.to_owned())
                    }
                }
            }
        }
    )*};
}

float_simple!(f32 => "xs:float", f64 => "xs:double");

impl SimpleValue for Decimal {
    fn write_text(&self, out: &mut String) {
        use fmt::Write as _;
        let _ = write!(out, "{self}");
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        const EXPECTED: &str = "xs:decimal (digits with an optional sign and decimal point)";
        let trimmed = text.trim();
        // XML Schema has no exponent in xs:decimal, but servers that print floats (PHP
        // writes 1.0E-5) send one; it is read exactly, never through a float.
        if let Some((mantissa, _)) = trimmed.split_once(['e', 'E']) {
            if !mantissa.is_empty()
                && mantissa
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'))
            {
                return Decimal::from_scientific(trimmed).map_err(|_| EXPECTED.to_owned());
            }
        }
        let unsigned = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits_only(whole)
            || !digits_only(fraction)
        {
            return Err(EXPECTED.to_owned());
        }
        let normalised = trimmed.strip_prefix('+').unwrap_or(trimmed);
        // `from_str_exact` fails instead of rounding when the value has more than the
        // 28 significant digits that `Decimal` holds.
        Decimal::from_str_exact(normalised)
            .map_err(|_| format!("{EXPECTED} within 28 significant digits"))
    }
}

/// `xs:integer` and its unbounded derivations, kept exactly as an arbitrary-length
/// decimal number so that no value overflows silently.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Integer(String);

impl Integer {
    /// The canonical lexical form: an optional `-` and digits without leading zeros.
    pub fn as_str(&self) -> &str {
        if self.0.is_empty() {
            "0"
        } else {
            &self.0
        }
    }

    /// Tells whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.0.starts_with('-')
    }
}

impl From<i64> for Integer {
    fn from(value: i64) -> Self {
        Integer(value.to_string())
    }
}

impl TryFrom<&Integer> for i64 {
    type Error = std::num::ParseIntError;
    fn try_from(value: &Integer) -> Result<Self, Self::Error> {
        value.as_str().parse()
    }
}

impl FromStr for Integer {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, &trimmed[1..]),
            Some(b'+') => (false, &trimmed[1..]),
            _ => (false, trimmed),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("xs:integer (digits with an optional sign)".to_owned());
        }
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() {
            return Ok(Integer("0".to_owned()));
        }
        let sign = if negative { "-" } else { "" };
        Ok(Integer(format!("{sign}{significant}")))
    }
}

impl fmt::Display for Integer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl SimpleValue for Integer {
    fn write_text(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        text.parse()
    }
}

/// A time zone as written on a date or time: `Z` or an offset from UTC.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TimeZone {
    /// `Z`.
    Utc,
    /// `+hh:mm` or `-hh:mm`, in minutes east of UTC.
    Offset(i16),
}

macro_rules! lexical_type {
    ($(#[$doc:meta])* $name:ident, $xsd:literal, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Debug)]
        pub struct $name(String);

        impl $name {
            /// Validates `text` and keeps it exactly as written (surrounding white space
            /// removed, as XML Schema's whitespace facet for this type requires).
            pub fn parse(text: &str) -> Result<Self, String> {
                let trimmed = text.trim();
                match $check(trimmed) {
                    Some(_) => Ok(Self(trimmed.to_owned())),
                    None => Err(concat!($xsd, " in its lexical form").to_owned()),
                }
            }

            /// The lexical form as it was read or built.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The time zone, or `None` when the value has none: XML Schema treats
            /// such a value as local time, which is not the same as UTC.
            pub fn timezone(&self) -> Option<TimeZone> {
                $check(&self.0).flatten()
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl SimpleValue for $name {
            fn write_text(&self, out: &mut String) {
                out.push_str(&self.0);
            }
            fn parse_text(text: &str) -> Result<Self, String> {
                Self::parse(text)
            }
        }
    };
}

lexical_type!(
    /// `xs:dateTime`, kept in its lexical form, so a value without a time zone is
    /// written back without one.
    DateTime,
    "xs:dateTime",
    check_date_time
);
lexical_type!(
    /// `xs:date`, kept in its lexical form.
    Date,
    "xs:date",
    check_date
);
lexical_type!(
    /// `xs:time`, kept in its lexical form.
    Time,
    "xs:time",
    check_time
);

impl Default for DateTime {
    /// `1970-01-01T00:00:00`, without a time zone. It only exists so that structs with a
    /// required date-time can derive `Default`; set the field before sending.
    fn default() -> Self {
        DateTime("1970-01-01T00:00:00".to_owned())
    }
}

impl Default for Date {
    /// `1970-01-01`, so that structs can derive `Default`; set the field before sending.
    fn default() -> Self {
        Date("1970-01-01".to_owned())
    }
}

impl Default for Time {
    /// `00:00:00`, so that structs can derive `Default`; set the field before sending.
    fn default() -> Self {
        Time("00:00:00".to_owned())
    }
}

impl DateTime {
    /// Builds a date-time without a time zone, such as `2020-05-14T00:00:00`, the form
    /// Atollon uses.
    pub fn local(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<Self, String> {
        Self::parse(&format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
        ))
    }

    /// The date part, such as `2020-05-14`.
    pub fn date(&self) -> &str {
        self.0.split('T').next().unwrap_or(&self.0)
    }
}

/// Checks `-?YYYY-MM-DD` and returns the rest of the text.
fn split_date(text: &str) -> Option<&str> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (year, rest) = unsigned.split_once('-')?;
    if year.len() < 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month = two_digits(rest.get(0..2)?)?;
    if rest.as_bytes().get(2) != Some(&b'-') {
        return None;
    }
    let day = two_digits(rest.get(3..5)?)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(&rest[5..])
}

/// Checks `hh:mm:ss(.s+)?` and returns the rest of the text.
fn split_time(text: &str) -> Option<&str> {
    let hour = two_digits(text.get(0..2)?)?;
    let minute = two_digits(text.get(3..5)?)?;
    let second = two_digits(text.get(6..8)?)?;
    if text.as_bytes().get(2) != Some(&b':') || text.as_bytes().get(5) != Some(&b':') {
        return None;
    }
    if hour > 24 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[8..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    Some(rest)
}

/// Parses an optional time zone that must end the text: `Some(None)` when there is none.
fn check_zone(text: &str) -> Option<Option<TimeZone>> {
    match text {
        "" => Some(None),
        "Z" => Some(Some(TimeZone::Utc)),
        _ => {
            let sign: i16 = match text.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if text.len() != 6 || text.as_bytes()[3] != b':' {
                return None;
            }
            let hours = two_digits(&text[1..3])? as i16;
            let minutes = two_digits(&text[4..6])? as i16;
            if hours > 14 || minutes > 59 {
                return None;
            }
            Some(Some(TimeZone::Offset(sign * (hours * 60 + minutes))))
        }
    }
}

fn check_date_time(text: &str) -> Option<Option<TimeZone>> {
    let rest = split_date(text)?;
    let rest = rest.strip_prefix('T')?;
    check_zone(split_time(rest)?)
}

fn check_date(text: &str) -> Option<Option<TimeZone>> {
    check_zone(split_date(text)?)
}

fn check_time(text: &str) -> Option<Option<TimeZone>> {
    check_zone(split_time(text)?)
}

fn two_digits(text: &str) -> Option<u8> {
    let bytes = text.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((bytes[0] - b'0') * 10 + (bytes[1] - b'0'))
}

/// `xs:base64Binary`: the decoded bytes.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Base64Binary(pub Vec<u8>);

impl SimpleValue for Base64Binary {
    fn write_text(&self, out: &mut String) {
        base64::engine::general_purpose::STANDARD.encode_string(&self.0, out);
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        // The lexical space allows white space between characters, which line-wrapped
        // encoders produce.
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map(Base64Binary)
            .map_err(|_| "xs:base64Binary".to_owned())
    }
}

/// `xs:hexBinary`: the decoded bytes.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct HexBinary(pub Vec<u8>);

impl SimpleValue for HexBinary {
    fn write_text(&self, out: &mut String) {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        for byte in &self.0 {
            out.push(DIGITS[(byte >> 4) as usize] as char);
            out.push(DIGITS[(byte & 0xF) as usize] as char);
        }
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        let trimmed = text.trim().as_bytes();
        if !trimmed.len().is_multiple_of(2) {
            return Err("xs:hexBinary (an even number of hex digits)".to_owned());
        }
        let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        trimmed
            .chunks(2)
            .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
            .collect::<Option<Vec<u8>>>()
            .map(HexBinary)
            .ok_or_else(|| "xs:hexBinary (hex digits)".to_owned())
    }
}

/// A string that must not be shown: a password, its hash or a session token.
/// `Debug` prints `Secret("***")`; [`Secret::expose`] gives the value to the code that
/// must send it.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl SimpleValue for Secret {
    fn write_text(&self, out: &mut String) {
        out.push_str(&self.0);
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        Ok(Secret(text.to_owned()))
    }
}

/// `xs:list`: white-space separated items of a simple type.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct List<T>(pub Vec<T>);

impl<T: SimpleValue> SimpleValue for List<T> {
    fn write_text(&self, out: &mut String) {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            item.write_text(out);
        }
    }
    fn parse_text(text: &str) -> Result<Self, String> {
        text.split_ascii_whitespace()
            .map(T::parse_text)
            .collect::<Result<Vec<T>, String>>()
            .map(List)
            .map_err(|item| format!("a list of {item}"))
    }
}

/// An element that may be written as `xsi:nil="true"`: a separate axis from being
/// optional, so `Option<Nillable<T>>` distinguishes an absent element from a nil one.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Nillable<T> {
    /// The element is present with `xsi:nil="true"` and no content.
    Nil,
    /// The element has a value.
    Value(T),
}

impl<T> Nillable<T> {
    /// The value, or `None` when nil.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Nillable::Nil => None,
            Nillable::Value(v) => Some(v),
        }
    }
}

impl<T> From<T> for Nillable<T> {
    fn from(value: T) -> Self {
        Nillable::Value(value)
    }
}

impl<T: WriteElement> WriteElement for Nillable<T> {
    fn write_element(&self, w: &mut XmlWriter, name: Name) -> Result<(), EncodeError> {
        match self {
            Nillable::Value(value) => value.write_element(w, name),
            Nillable::Nil => {
                w.start(name)?;
                w.attribute(Name::new(Some(XSI_NAMESPACE), "nil"), "true")?;
                w.end()
            }
        }
    }
}

impl<T: ReadElement> ReadElement for Nillable<T> {
    fn read_element(node: Node<'_, '_>, ctx: &ReadContext) -> Result<Self, DecodeError> {
        match node.attribute((XSI_NAMESPACE, "nil")).map(str::trim) {
            Some("true") | Some("1") => Ok(Nillable::Nil),
            _ => T::read_element(node, ctx).map(Nillable::Value),
        }
    }
}

impl<T: WriteParticles + ?Sized> WriteParticles for Box<T> {
    fn write_particles(&self, w: &mut XmlWriter) -> Result<(), EncodeError> {
        (**self).write_particles(w)
    }
}

impl<T: ReadParticles> ReadParticles for Box<T> {
    const FIRST: &'static [Name] = T::FIRST;
    fn read_particles(children: &mut Children<'_, '_, '_>) -> Result<Self, DecodeError> {
        T::read_particles(children).map(Box::new)
    }
}

impl<T: Default> Default for Nillable<T> {
    /// A present value, because the default of a struct field should be writable as
    /// ordinary content.
    fn default() -> Self {
        Nillable::Value(T::default())
    }
}

impl<T: WriteElement + ?Sized> WriteElement for Box<T> {
    fn write_element(&self, w: &mut XmlWriter, name: Name) -> Result<(), EncodeError> {
        (**self).write_element(w, name)
    }
}

impl<T: ReadElement> ReadElement for Box<T> {
    fn read_element(node: Node<'_, '_>, ctx: &ReadContext) -> Result<Self, DecodeError> {
        T::read_element(node, ctx).map(Box::new)
    }
}

/// An attribute kept as it was read, for `xs:anyAttribute`.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct AnyAttribute {
    /// Namespace URI, or `None` when unqualified.
    pub namespace: Option<String>,
    /// Local name.
    pub name: String,
    /// Value, unescaped.
    pub value: String,
}

impl AnyAttribute {
    /// Collects the attributes of `node` that are not in `known`.
    pub fn collect(node: Node<'_, '_>, known: &[Name]) -> Vec<AnyAttribute> {
        node.attributes()
            .filter(|a| {
                !known
                    .iter()
                    .any(|k| k.local == a.name() && k.namespace == a.namespace())
            })
            .map(|a| AnyAttribute {
                namespace: a.namespace().map(str::to_owned),
                name: a.name().to_owned(),
                value: a.value().to_owned(),
            })
            .collect()
    }

    /// Writes the attribute on the element just started.
    pub fn write(&self, w: &mut XmlWriter) -> Result<(), EncodeError> {
        w.attribute_dynamic(
            self.namespace.clone().map(Cow::Owned),
            &self.name,
            &self.value,
        )
    }
}

/// A node of raw XML content.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AnyNode {
    /// A child element.
    Element(AnyElement),
    /// Character data, unescaped.
    Text(String),
}

/// An element kept as raw XML, for `xs:any` wildcards and `xs:anyType` content. It keeps
/// names by namespace URI, not by prefix, so it can be written into another document.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct AnyElement {
    /// Namespace URI, or `None` when unqualified.
    pub namespace: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes, without namespace declarations.
    pub attributes: Vec<AnyAttribute>,
    /// Child elements and text, in document order.
    pub children: Vec<AnyNode>,
}

impl AnyElement {
    /// Copies `node` and everything inside it.
    pub fn from_node(node: Node<'_, '_>) -> Self {
        let tag = node.tag_name();
        AnyElement {
            namespace: tag.namespace().map(str::to_owned),
            name: tag.name().to_owned(),
            attributes: AnyAttribute::collect(node, &[]),
            children: any_children(node),
        }
    }

    /// Writes the element with its own name.
    pub fn write(&self, w: &mut XmlWriter) -> Result<(), EncodeError> {
        w.start_dynamic(
            self.namespace.clone().map(Cow::Owned),
            Cow::Owned(self.name.clone()),
        )?;
        write_any_content(w, &self.attributes, &self.children)?;
        w.end()
    }
}

fn any_children(node: Node<'_, '_>) -> Vec<AnyNode> {
    node.children()
        .filter_map(|child| {
            if child.is_element() {
                Some(AnyNode::Element(AnyElement::from_node(child)))
            } else if child.is_text() {
                child.text().map(|t| AnyNode::Text(t.to_owned()))
            } else {
                None
            }
        })
        .collect()
}

fn write_any_content(
    w: &mut XmlWriter,
    attributes: &[AnyAttribute],
    children: &[AnyNode],
) -> Result<(), EncodeError> {
    for attribute in attributes {
        attribute.write(w)?;
    }
    for child in children {
        match child {
            AnyNode::Element(element) => element.write(w)?,
            AnyNode::Text(text) => w.text(text)?,
        }
    }
    Ok(())
}

/// The content of an element typed `xs:anyType`: attributes and children kept raw.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct AnyType {
    /// Attributes, without namespace declarations.
    pub attributes: Vec<AnyAttribute>,
    /// Child elements and text, in document order.
    pub children: Vec<AnyNode>,
}

impl WriteElement for AnyType {
    fn write_element(&self, w: &mut XmlWriter, name: Name) -> Result<(), EncodeError> {
        w.start(name)?;
        write_any_content(w, &self.attributes, &self.children)?;
        w.end()
    }
}

impl ReadElement for AnyType {
    fn read_element(node: Node<'_, '_>, _ctx: &ReadContext) -> Result<Self, DecodeError> {
        Ok(AnyType {
            attributes: AnyAttribute::collect(node, &[]),
            children: any_children(node),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boolean_accepts_four_forms() {
        assert_eq!(bool::parse_text("1"), Ok(true));
        assert_eq!(bool::parse_text(" true "), Ok(true));
        assert_eq!(bool::parse_text("0"), Ok(false));
        assert_eq!(bool::parse_text("false"), Ok(false));
        assert!(bool::parse_text("yes").is_err());
    }

    #[test]
    fn decimal_keeps_scale_and_rejects_exponent() {
        let d = Decimal::parse_text("6170.00").unwrap();
        let mut out = String::new();
        d.write_text(&mut out);
        assert_eq!(out, "6170.00");
        assert_eq!(Decimal::parse_text("+1.5"), Ok(Decimal::new(15, 1)));
        assert_eq!(Decimal::parse_text(".5"), Ok(Decimal::new(5, 1)));
        assert_eq!(Decimal::parse_text("1.0E-5"), Ok(Decimal::new(1, 5)));
        assert_eq!(Decimal::parse_text("25e2"), Ok(Decimal::new(2500, 0)));
        assert!(Decimal::parse_text("e5").is_err());
        assert!(Decimal::parse_text("1e").is_err());
        assert!(Decimal::parse_text("1_000").is_err());
        assert!(Decimal::parse_text(".").is_err());
        assert!(Decimal::parse_text("123456789012345678901234567890").is_err());
    }

    #[test]
    fn integer_never_overflows() {
        let big = Integer::parse_text("-000123456789012345678901234567890").unwrap();
        assert_eq!(big.as_str(), "-123456789012345678901234567890");
        assert!(i64::try_from(&big).is_err());
        assert_eq!(Integer::parse_text("-0").unwrap().as_str(), "0");
        assert!(Integer::parse_text("1.0").is_err());
    }

    #[test]
    fn long_overflow_is_error() {
        assert!(i64::parse_text("9223372036854775808").is_err());
        assert_eq!(i64::parse_text("9223372036854775807"), Ok(i64::MAX));
    }

    #[test]
    fn date_time_keeps_zone_or_its_absence() {
        let naive = DateTime::parse("2020-05-14T00:00:00").unwrap();
        assert_eq!(naive.as_str(), "2020-05-14T00:00:00");
        assert_eq!(naive.timezone(), None);
        let utc = DateTime::parse("2020-05-14T00:00:00.5Z").unwrap();
        assert_eq!(utc.timezone(), Some(TimeZone::Utc));
        let offset = DateTime::parse("2020-05-14T00:00:00-05:30").unwrap();
        assert_eq!(offset.timezone(), Some(TimeZone::Offset(-330)));
        assert!(DateTime::parse("2020-07-31 12:00").is_err());
        assert!(DateTime::parse("2020-13-01T00:00:00").is_err());
        assert_eq!(DateTime::local(2020, 5, 14, 0, 0, 0).unwrap(), naive);
    }

    #[test]
    fn date_and_time_forms() {
        assert_eq!(
            Date::parse("2020-05-14+02:00").unwrap().timezone(),
            Some(TimeZone::Offset(120))
        );
        assert!(Date::parse("2020-5-14").is_err());
        assert!(Time::parse("12:00:00").is_ok());
        assert!(Time::parse("12:00").is_err());
    }

    #[test]
    fn binary_types_round_trip() {
        let b = Base64Binary::parse_text("aGVs\nbG8=").unwrap();
        assert_eq!(b.0, b"hello");
        let h = HexBinary::parse_text("0fA0").unwrap();
        assert_eq!(h.0, vec![0x0f, 0xa0]);
        let mut out = String::new();
        h.write_text(&mut out);
        assert_eq!(out, "0FA0");
        assert!(HexBinary::parse_text("abc").is_err());
    }

    #[test]
    fn float_special_values() {
        assert_eq!(f64::parse_text("INF"), Ok(f64::INFINITY));
        assert!(f64::parse_text("inf").is_err());
        assert_eq!(f64::parse_text("1.5E3"), Ok(1500.0));
    }

    #[test]
    fn secret_debug_hides_value() {
        let s = Secret::new("6A941A9BC9EB");
        assert_eq!(format!("{s:?}"), "Secret(\"***\")");
        assert_eq!(s.expose(), "6A941A9BC9EB");
    }

    #[test]
    fn nil_round_trip() {
        let mut w = XmlWriter::new();
        w.element(Name::unqualified("a"), &Nillable::<i32>::Nil)
            .unwrap();
        let xml = w.into_string();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let back = Nillable::<i32>::read_element(doc.root_element(), &ReadContext::new()).unwrap();
        assert_eq!(back, Nillable::Nil);
    }

    #[test]
    fn any_element_rewrites_prefixes() {
        let doc = roxmltree::Document::parse(r#"<r xmlns:p="urn:p"><p:x a="1">t<p:y/></p:x></r>"#)
            .unwrap();
        let any = AnyElement::from_node(doc.root_element().first_element_child().unwrap());
        let mut w = XmlWriter::new();
        any.write(&mut w).unwrap();
        assert_eq!(
            w.as_str(),
            r#"<ns0:x xmlns:ns0="urn:p" a="1">t<ns0:y/></ns0:x>"#
        );
    }
}
