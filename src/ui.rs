//! Messages for the operator. Everything goes to stderr: stdout is a protocol.

/// One warning line on stderr (through `log`: shown by default, hidden by `-q`).
pub fn warn(msg: &str) {
    tracing::warn!("{msg}");
}
