//! Logging to stderr with `tracing`: `-q` errors only, default warnings, `-v` what happens,
//! `-vv` also why (e.g. why the cache missed). `RUST_LOG` replaces the flags (and may turn
//! on the AWS SDK's own logs).
//!
//! `-v`/`-vv` raise only xacct's own targets: the SDK's debug logs describe requests, and
//! nothing of ours can vouch for what they print. xacct's own lines never hold a secret:
//! `Credentials` and `Secret` print `** redacted **`, and no line formats a credential.
//!
//! Cheap on the cache-hit path: without `RUST_LOG` the filter is a static target list (no
//! regex-based `EnvFilter` is built), and a disabled `debug!` costs one level check.

use std::fmt;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields};
use tracing_subscriber::fmt::{FmtContext, FormattedFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// The level of xacct's own messages for `-v` counts and `-q`.
pub fn level(verbose: u8, quiet: bool) -> LevelFilter {
    match (quiet, verbose) {
        (true, _) => LevelFilter::ERROR,
        (false, 0) => LevelFilter::WARN,
        (false, 1) => LevelFilter::INFO,
        (false, 2) => LevelFilter::DEBUG,
        (false, _) => LevelFilter::TRACE,
    }
}

/// Installs the stderr logger. A second call (tests) keeps the first.
pub fn init(verbose: u8, quiet: bool) {
    crate::ui::set_quiet(quiet);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .event_format(Line);
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let result = match rust_log {
        Some(spec) => tracing_subscriber::registry()
            .with(layer.with_filter(EnvFilter::new(spec)))
            .try_init(),
        None => {
            let own = level(verbose, quiet);
            // The SDK warns about benign things (a missing ~/.aws/config): its lines
            // appear from -v on, and all of them with RUST_LOG.
            let others = if verbose > 0 {
                LevelFilter::WARN
            } else {
                LevelFilter::OFF
            };
            let targets = Targets::new()
                .with_default(others)
                .with_target("xacct", own);
            tracing_subscriber::registry()
                .with(layer.with_filter(targets))
                .try_init()
        }
    };
    let _ = result;
}

/// `xacct: warning: message`, as the messages looked before logging existed; other crates'
/// lines (RUST_LOG only) also name their target.
struct Line;

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: format::Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let level = match *meta.level() {
            Level::ERROR => "error",
            Level::WARN => "warning",
            Level::INFO => "info",
            Level::DEBUG => "debug",
            Level::TRACE => "trace",
        };
        write!(w, "xacct: {level}: ")?;
        if !meta.target().starts_with("xacct") {
            write!(w, "{}: ", meta.target())?;
        }
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                if let Some(fields) = span.extensions().get::<FormattedFields<N>>()
                    && !fields.is_empty()
                {
                    write!(w, "{}{{{fields}}}: ", span.name())?;
                }
            }
        }
        ctx.format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_map_to_levels() {
        let table = [
            (0, false, LevelFilter::WARN),
            (1, false, LevelFilter::INFO),
            (2, false, LevelFilter::DEBUG),
            (5, false, LevelFilter::TRACE),
            (0, true, LevelFilter::ERROR),
        ];
        for (v, q, want) in table {
            assert_eq!(level(v, q), want, "-v x{v} quiet={q}");
        }
    }
}
