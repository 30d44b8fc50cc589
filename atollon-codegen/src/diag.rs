//! Errors with source positions. Every stage reports problems as [`Diagnostic`]s, and the
//! generator returns all of them together, sorted by file and position.

use std::fmt;

/// One problem found in the input, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// File name as the resolver reported it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong, naming the QName involved where there is one.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// The error returned by [`generate`](crate::Generator::generate): one or more problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Problems in the WSDL or XSD input, sorted by file, line and column.
    #[error("{}", render(.0))]
    Input(Vec<Diagnostic>),
    /// The emitted tokens did not parse as Rust, which is a bug in the generator.
    #[error("generated code for module `{module}` is not valid Rust ({message}); please report this as a bug in atollon-codegen")]
    InvalidOutput {
        /// Module whose code failed to parse.
        module: String,
        /// The parser's message.
        message: String,
    },
}

impl Error {
    /// The input problems, empty for [`Error::InvalidOutput`].
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Input(diagnostics) => diagnostics,
            Error::InvalidOutput { .. } => &[],
        }
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    out
}

/// A position in one input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Loc {
    /// Index of the file in the load order.
    pub file: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Collects diagnostics during a stage.
#[derive(Default, Debug)]
pub struct Diagnostics {
    files: Vec<String>,
    items: Vec<(Loc, String)>,
}

impl Diagnostics {
    /// Registers a file name and returns its index for [`Loc::file`].
    pub fn add_file(&mut self, name: String) -> usize {
        self.files.push(name);
        self.files.len() - 1
    }

    /// Name of the file with index `file`.
    pub fn file_name(&self, file: usize) -> &str {
        self.files
            .get(file)
            .map(String::as_str)
            .unwrap_or("<unknown>")
    }

    /// Records a problem.
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.items.push((loc, message.into()));
    }

    /// Converts the recorded problems into an error, or `Ok` when there are none.
    pub fn into_result(self) -> Result<(), Error> {
        if self.items.is_empty() {
            return Ok(());
        }
        let mut list: Vec<Diagnostic> = self
            .items
            .iter()
            .map(|(loc, message)| Diagnostic {
                file: self.file_name(loc.file).to_owned(),
                line: loc.line,
                column: loc.column,
                message: message.clone(),
            })
            .collect();
        list.sort();
        list.dedup();
        Err(Error::Input(list))
    }
}
