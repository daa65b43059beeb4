//! Logging in Redis's line format, which operators' tooling and test harnesses parse:
//!
//! `<pid>:<role> <dd Mon yyyy hh:mm:ss.mmm> <level> <message>`
//!
//! role: `C` before start-up completes, `M` primary, `S` replica; level: `.` debug,
//! `-` verbose, `*` notice, `#` warning. tracing's levels map onto Redis's: TRACE=debug,
//! DEBUG=verbose, INFO=notice, WARN/ERROR=warning. Structured fields are appended as
//! `key=value`.
use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};

static LEVEL: AtomicU8 = AtomicU8::new(2);
static ROLE: AtomicU8 = AtomicU8::new(b'C');

/// Redis loglevel name → threshold (0 debug, 1 verbose, 2 notice, 3 warning).
pub fn set_level(name: &str) {
    LEVEL.store(
        match name {
            "debug" => 0,
            "verbose" => 1,
            "warning" => 3,
            _ => 2,
        },
        Ordering::Relaxed,
    );
}

pub fn set_role(c: u8) {
    ROLE.store(c, Ordering::Relaxed);
}

fn rank(l: &Level) -> u8 {
    match *l {
        Level::TRACE => 0,
        Level::DEBUG => 1,
        Level::INFO => 2,
        _ => 3,
    }
}

struct Logger {
    out: Mutex<Box<dyn Write + Send>>,
}

struct Fields {
    msg: String,
    rest: String,
}

impl Visit for Fields {
    fn record_debug(&mut self, f: &Field, v: &dyn std::fmt::Debug) {
        if f.name() == "message" {
            let _ = write!(self.msg, "{v:?}");
        } else {
            let _ = write!(self.rest, " {}={:?}", f.name(), v);
        }
    }
    fn record_str(&mut self, f: &Field, v: &str) {
        if f.name() == "message" {
            self.msg.push_str(v);
        } else {
            let _ = write!(self.rest, " {}={}", f.name(), v);
        }
    }
}

impl Subscriber for Logger {
    fn enabled(&self, m: &tracing::Metadata<'_>) -> bool {
        rank(m.level()) >= LEVEL.load(Ordering::Relaxed) && m.target().starts_with("slotd")
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, e: &Event<'_>) {
        let mut f = Fields { msg: String::new(), rest: String::new() };
        e.record(&mut f);
        let lvl = match rank(e.metadata().level()) {
            0 => '.',
            1 => '-',
            2 => '*',
            _ => '#',
        };
        let line = format!("{}:{} {} {} {}{}\n", std::process::id(), ROLE.load(Ordering::Relaxed) as char, timestamp(), lvl, f.msg, f.rest);
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// `22 Nov 2026 03:00:04.838` in UTC.
pub fn timestamp() -> String {
    let ms = crate::util::time::now_ms();
    let secs = ms.div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86400));
    let sod = secs.rem_euclid(86400);
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{:02} {} {} {:02}:{:02}:{:02}.{:03}", d, MONTHS[(mo - 1) as usize], y, sod / 3600, sod % 3600 / 60, sod % 60, ms.rem_euclid(1000))
}

/// Days since 1970-01-01 → (year, month 1-12, day 1-31) (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Installs the logger writing to `logfile` (empty: standard output).
pub fn init(logfile: &str, level: &str) -> Result<(), String> {
    set_level(level);
    let out: Box<dyn Write + Send> = if logfile.is_empty() {
        Box::new(std::io::stdout())
    } else {
        Box::new(std::fs::OpenOptions::new().create(true).append(true).open(logfile).map_err(|e| format!("Can't open the log file: {e}"))?)
    };
    tracing::subscriber::set_global_default(Logger { out: Mutex::new(out) }).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(20779), (2026, 11, 22));
    }
}
