//! Messages for the operator. Everything goes to stderr: stdout is a protocol.

/// Prints one warning line on stderr.
pub fn warn(msg: &str) {
    eprintln!("xacct: warning: {msg}");
}
