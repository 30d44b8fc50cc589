//! Fault injection: rules that make the next calls of one operation misbehave on purpose.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use super::operations;

/// `result` text of an injected non-OK response unless the rule gives its own.
pub const DEFAULT_INJECTED_RESULT: &str = "ERROR: injected failure";

/// The behaviour of an injected fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultMode {
    /// Responds with a SOAP 1.1 `Server` Fault and this HTTP status (200 or 500), without
    /// processing the request.
    SoapFault {
        /// HTTP status of the Fault response.
        http_status: u16,
    },
    /// Responds with this `result` text and no other fields, without processing the
    /// request.
    NotOk {
        /// The `result` text, such as [`DEFAULT_INJECTED_RESULT`].
        result: String,
    },
    /// Processes the request and waits this long before responding.
    Delay(Duration),
    /// Processes the request, storing whatever it creates, and then closes the connection
    /// without a response, so the client cannot know whether the call took effect.
    DropConnection,
}

/// A fault for the next `count` calls of one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// Operation name as in the WSDL, such as `CreateProjectItem`.
    pub operation: String,
    /// The behaviour of the affected calls.
    pub mode: FaultMode,
    /// Number of calls affected, at least 1.
    pub count: u32,
}

impl FaultRule {
    /// Builds a rule for the next `count` calls of `operation`.
    pub fn new(operation: impl Into<String>, mode: FaultMode, count: u32) -> Self {
        FaultRule {
            operation: operation.into(),
            mode,
            count,
        }
    }

    /// Checks the operation name, the count and the HTTP status.
    pub fn validate(&self) -> Result<(), FaultError> {
        if !operations::is_operation(&self.operation) {
            return Err(FaultError::UnknownOperation(self.operation.clone()));
        }
        if self.count == 0 {
            return Err(FaultError::ZeroCount(self.operation.clone()));
        }
        if let FaultMode::SoapFault { http_status } = self.mode {
            if !matches!(http_status, 200 | 500) {
                return Err(FaultError::InvalidStatus(http_status));
            }
        }
        Ok(())
    }
}

impl fmt::Display for FaultRule {
    /// Writes the rule in the form [`FaultRule::from_str`] reads, except that a custom
    /// non-OK text is not written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.mode {
            FaultMode::SoapFault { http_status: 200 } => "fault-200".to_owned(),
            FaultMode::SoapFault { .. } => "fault".to_owned(),
            FaultMode::NotOk { .. } => "not-ok".to_owned(),
            FaultMode::Delay(delay) => format!("delay-{}", delay.as_millis()),
            FaultMode::DropConnection => "drop".to_owned(),
        };
        write!(f, "{}:{mode}:{}", self.operation, self.count)
    }
}

impl FromStr for FaultRule {
    type Err = FaultError;

    /// Parses `OPERATION:MODE[:COUNT]`. MODE is `fault` (SOAP Fault, HTTP 500),
    /// `fault-200` (SOAP Fault, HTTP 200), `not-ok` (a `result` of
    /// [`DEFAULT_INJECTED_RESULT`]), `delay-MILLISECONDS` or `drop` (process, then close
    /// the connection). COUNT defaults to 1. Example: `CreateInvoicesFromItems:drop:1`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| FaultError::InvalidSpec {
            spec: text.to_owned(),
            reason: reason.to_owned(),
        };
        let mut parts = text.split(':');
        let operation = parts.next().unwrap_or_default();
        let Some(mode_text) = parts.next() else {
            return Err(invalid("the mode is missing"));
        };
        let count = match parts.next() {
            None => 1,
            Some(count) => count
                .parse::<u32>()
                .map_err(|_| invalid("the count is not a whole number"))?,
        };
        if parts.next().is_some() {
            return Err(invalid("it has more than three parts"));
        }
        let mode =
            match mode_text {
                "fault" => FaultMode::SoapFault { http_status: 500 },
                "fault-200" => FaultMode::SoapFault { http_status: 200 },
                "not-ok" => FaultMode::NotOk {
                    result: DEFAULT_INJECTED_RESULT.to_owned(),
                },
                "drop" => FaultMode::DropConnection,
                other => match other.strip_prefix("delay-") {
                    Some(milliseconds) => {
                        FaultMode::Delay(Duration::from_millis(milliseconds.parse().map_err(
                            |_| invalid("the delay is not a whole number of milliseconds"),
                        )?))
                    }
                    None => return Err(invalid(
                        "the mode is not one of fault, fault-200, not-ok, delay-MILLISECONDS, drop",
                    )),
                },
            };
        let rule = FaultRule::new(operation, mode, count);
        rule.validate()?;
        Ok(rule)
    }
}

/// An invalid fault rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// The operation is not in the contract.
    #[error("unknown operation {0:?}; expected one of {names}", names = operations::names())]
    UnknownOperation(String),
    /// The count is 0.
    #[error("the fault rule for {0} has count 0; give at least 1")]
    ZeroCount(String),
    /// The HTTP status of a SOAP Fault is neither 200 nor 500.
    #[error("HTTP status {0} is not supported for an injected SOAP Fault; use 200 or 500")]
    InvalidStatus(u16),
    /// The text form does not parse.
    #[error("invalid fault rule {spec:?}: {reason}; expected OPERATION:MODE[:COUNT]")]
    InvalidSpec {
        /// The text as given.
        spec: String,
        /// The problem with the text.
        reason: String,
    },
}

/// The pending rules, applied in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    rules: Mutex<Vec<FaultRule>>,
}

impl FaultQueue {
    pub(crate) fn push(&self, rule: FaultRule) -> Result<(), FaultError> {
        rule.validate()?;
        self.lock().push(rule);
        Ok(())
    }

    /// Takes the fault for one call of `operation`: counts down the oldest rule for it
    /// and removes the rule when its count reaches 0.
    pub(crate) fn take(&self, operation: &str) -> Option<FaultMode> {
        let mut rules = self.lock();
        let index = rules.iter().position(|rule| rule.operation == operation)?;
        let rule = &mut rules[index];
        let mode = rule.mode.clone();
        rule.count -= 1;
        if rule.count == 0 {
            rules.remove(index);
        }
        Some(mode)
    }

    pub(crate) fn pending(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        // A panic while the lock is held cannot leave the list half-changed, so a
        // poisoned lock is still usable.
        self.rules
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_mode() {
        let cases = [
            (
                "CreateContact:fault",
                FaultMode::SoapFault { http_status: 500 },
                1,
            ),
            (
                "CreateContact:fault-200:3",
                FaultMode::SoapFault { http_status: 200 },
                3,
            ),
            (
                "QuickLogin:not-ok:2",
                FaultMode::NotOk {
                    result: DEFAULT_INJECTED_RESULT.to_owned(),
                },
                2,
            ),
            (
                "CreateProject:delay-1500",
                FaultMode::Delay(Duration::from_millis(1500)),
                1,
            ),
            (
                "CreateInvoicesFromItems:drop:1",
                FaultMode::DropConnection,
                1,
            ),
        ];
        for (text, mode, count) in cases {
            let rule: FaultRule = match text.parse() {
                Ok(rule) => rule,
                Err(error) => panic!("{text}: {error}"),
            };
            assert_eq!(rule.mode, mode, "{text}");
            assert_eq!(rule.count, count, "{text}");
        }
    }

    #[test]
    fn rejects_bad_specs() {
        assert_eq!(
            "Nope:fault".parse::<FaultRule>(),
            Err(FaultError::UnknownOperation("Nope".to_owned()))
        );
        assert_eq!(
            "CreateContact:fault:0".parse::<FaultRule>(),
            Err(FaultError::ZeroCount("CreateContact".to_owned()))
        );
        assert!(matches!(
            "CreateContact".parse::<FaultRule>(),
            Err(FaultError::InvalidSpec { .. })
        ));
        assert!(matches!(
            "CreateContact:explode".parse::<FaultRule>(),
            Err(FaultError::InvalidSpec { .. })
        ));
        assert!(matches!(
            "CreateContact:delay-soon".parse::<FaultRule>(),
            Err(FaultError::InvalidSpec { .. })
        ));
    }

    #[test]
    fn queue_counts_down_in_order() {
        let queue = FaultQueue::default();
        let drop_once = FaultRule::new("CreateContact", FaultMode::DropConnection, 1);
        let fault_twice = FaultRule::new(
            "CreateContact",
            FaultMode::SoapFault { http_status: 500 },
            2,
        );
        assert_eq!(queue.push(drop_once), Ok(()));
        assert_eq!(queue.push(fault_twice), Ok(()));
        assert_eq!(queue.take("CreateProject"), None);
        assert_eq!(queue.take("CreateContact"), Some(FaultMode::DropConnection));
        let fault = Some(FaultMode::SoapFault { http_status: 500 });
        assert_eq!(queue.take("CreateContact"), fault);
        assert_eq!(queue.take("CreateContact"), fault);
        assert_eq!(queue.take("CreateContact"), None);
        assert!(queue.pending().is_empty());
    }
}
