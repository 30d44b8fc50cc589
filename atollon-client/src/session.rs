//! Atollon login data: the MD5 password form that QuickLogin takes, and the session a caller
//! keeps after logging in.
//!
//! QuickLogin itself is a generated call. It takes the instance name (`server`), the user
//! name and [`md5_hex`] of the clear-text password, and returns the session token that every
//! later request carries next to `server`.

use std::fmt;

use md5::{Digest, Md5};

use crate::xml::Secret;

/// Hashes a clear-text password into the form QuickLogin takes: the MD5 digest of its UTF-8
/// bytes as 32 lower-case hex digits (what `echo -n PASSWORD | md5sum` prints).
///
/// The digest logs a user in as well as the password does, so it is returned as a
/// [`Secret`].
pub fn md5_hex(clear_text: &str) -> Secret {
    let digest = Md5::digest(clear_text.as_bytes());
    let mut hex = String::with_capacity(2 * digest.len());
    for byte in digest {
        hex.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
    }
    Secret::new(hex)
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The login data QuickLogin takes: the instance name, the user name and the MD5 of the password.
///
/// The clear-text password is hashed at construction and not kept. `Debug` shows the
/// server and user but not the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    server: String,
    user: String,
    password_md5: Secret,
}

impl Credentials {
    /// Builds credentials from a clear-text password, which is hashed with [`md5_hex`].
    pub fn new(server: impl Into<String>, user: impl Into<String>, clear_password: &str) -> Self {
        Credentials {
            server: server.into(),
            user: user.into(),
            password_md5: md5_hex(clear_password),
        }
    }

    /// Builds credentials from a password that is already an MD5 hex digest.
    pub fn from_md5(
        server: impl Into<String>,
        user: impl Into<String>,
        password_md5: Secret,
    ) -> Self {
        Credentials {
            server: server.into(),
            user: user.into(),
            password_md5,
        }
    }

    /// Returns the Atollon instance name, such as `acme`.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Returns the user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// Returns the MD5 hex digest of the password, the value sent as QuickLogin's
    /// `password`.
    pub fn password_md5(&self) -> &Secret {
        &self.password_md5
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("server", &self.server)
            .field("user", &self.user)
            .field("password_md5", &"***")
            .finish()
    }
}

/// A logged-in Atollon session: the instance name and the token QuickLogin returned.
///
/// Every request after login sends both, as `server` and `session`. `Debug` shows the
/// server but never the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    server: String,
    token: Secret,
}

impl Session {
    /// Builds a session from the instance name and the token returned by QuickLogin.
    pub fn new(server: impl Into<String>, token: Secret) -> Self {
        Session {
            server: server.into(),
            token,
        }
    }

    /// Returns the Atollon instance name, such as `acme`.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Returns the session token, the value sent as `session`.
    pub fn token(&self) -> &Secret {
        &self.token
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("server", &self.server)
            .field("token", &"***")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_password() {
        // `echo -n password | md5sum` prints 5f4dcc3b5aa765d61d8327deb882cf99.
        assert_eq!(
            md5_hex("password").expose(),
            "5f4dcc3b5aa765d61d8327deb882cf99"
        );
    }

    #[test]
    fn md5_of_empty_and_non_ascii() {
        assert_eq!(md5_hex("").expose(), "d41d8cd98f00b204e9800998ecf8427e");
        // The digest is of the UTF-8 bytes C3 A9, as `printf 'é' | md5sum` computes it.
        assert_eq!(md5_hex("é").expose(), "66ddcd97cfdeabb2f6fb8a999b4bc76f");
    }

    #[test]
    fn session_debug_hides_token() {
        let session = Session::new(
            "acme",
            Secret::new("6A941A9BC9EBEFAF585A4B936AA958755B1C85E2BD04"),
        );
        let debug = format!("{session:?}");
        assert_eq!(debug, r#"Session { server: "acme", token: "***" }"#);
        assert_eq!(
            session.token().expose(),
            "6A941A9BC9EBEFAF585A4B936AA958755B1C85E2BD04"
        );
    }

    #[test]
    fn credentials_debug_hides_password() {
        let credentials = Credentials::new("acme", "jack", "password");
        let debug = format!("{credentials:?}");
        assert_eq!(
            debug,
            r#"Credentials { server: "acme", user: "jack", password_md5: "***" }"#
        );
        assert!(!debug.contains("5f4dcc3b"));
        assert_eq!(
            credentials.password_md5().expose(),
            "5f4dcc3b5aa765d61d8327deb882cf99"
        );
    }
}
