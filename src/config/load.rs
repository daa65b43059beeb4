//! Reading configuration the way redis-server does: `slotd [file] [--name value ...] [-]`.
//!
//! The file (redis.conf syntax, or TOML when its name ends in `.toml`) is read first,
//! then the command-line options in order, then standard input when `-` is given. Each
//! line is split with Redis's quoting rules; `include` reads another file in place. The
//! first error stops start-up with Redis's "FATAL CONFIG FILE ERROR" block, which also
//! names the file, the line and the directive's text.
use super::table::{self, FILE_ONLY, MULTI_ARG};
use super::value::{self, Origin};
use super::Store;
use std::path::{Path, PathBuf};

/// Deepest `include` nesting followed (guards against include loops).
const MAX_INCLUDE_DEPTH: usize = 16;

#[derive(Debug)]
pub struct ConfigError {
    pub source: String,
    pub line_no: usize,
    pub line: String,
    pub reason: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "\n*** FATAL CONFIG FILE ERROR (Redis {} compatible, slotd {}) ***", crate::REDIS_VERSION, crate::VERSION)?;
        writeln!(f, "Reading the configuration file {}, at line {}", self.source, self.line_no)?;
        writeln!(f, ">>> '{}'", self.line)?;
        write!(f, "{}", self.reason)
    }
}

/// What the command line asked for.
pub enum Invocation {
    Run(Box<Store>),
    Version,
    Help,
    /// An error that is not about a config line (e.g. unreadable file).
    Fatal(String),
    Config(ConfigError),
}

struct Loader {
    store: Store,
    /// Directives already set by a `save` line in this load (the first one replaces
    /// the defaults, later ones add points).
    save_seen: bool,
    cob_seen: bool,
}

impl Loader {
    fn apply_line(&mut self, source: &str, line_no: usize, raw: &str, depth: usize) -> Result<(), ConfigError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(());
        }
        let err = |reason: String| ConfigError { source: source.to_string(), line_no, line: trimmed.to_string(), reason };
        let words = crate::resp::decode::split_args(trimmed.as_bytes()).ok_or_else(|| err("Unbalanced quotes in configuration line".into()))?;
        if words.is_empty() {
            return Ok(());
        }
        let name = String::from_utf8_lossy(&words[0]).to_ascii_lowercase();
        let args: Vec<String> = words[1..].iter().map(|w| String::from_utf8_lossy(w).into_owned()).collect();
        if name == "include" {
            if args.len() != 1 {
                return Err(err("Bad directive or wrong number of arguments".into()));
            }
            if depth >= MAX_INCLUDE_DEPTH {
                return Err(err("include nesting too deep".into()));
            }
            let text = std::fs::read_to_string(&args[0]).map_err(|e| err(format!("Fatal error, can't open config file '{}': {}", args[0], io_text(&e))))?;
            return self.apply_text(&args[0], &text, depth + 1);
        }
        if name == "rename-command" {
            if args.len() != 2 {
                return Err(err("Bad directive or wrong number of arguments".into()));
            }
            self.store.renames.push((args[0].to_ascii_lowercase(), args[1].to_ascii_lowercase()));
            return Ok(());
        }
        if name == "loadmodule" {
            return Err(err("Modules are not supported by slotd".into()));
        }
        if FILE_ONLY.contains(&name.as_str()) {
            return Ok(()); // accepted and ignored (ACL users, deprecated list sizes ...)
        }
        let Some(d) = table::find(&name) else {
            return Err(err("Bad directive or wrong number of arguments".into()));
        };
        if d.flags & MULTI_ARG == 0 && args.len() != 1 {
            return Err(err("wrong number of arguments".into()));
        }
        // A bare `save` line (what `save ""` becomes once a test harness writes it out
        // unquoted) disables snapshots, as in Redis; after another `save` line it adds
        // nothing and removes nothing.
        if args.is_empty() && d.name == "save" && self.save_seen {
            return Ok(());
        }
        // A multi-argument directive given as one non-empty argument is split again,
        // so that `--bind "127.0.0.1 ::1"` works as in a file.
        let args = if d.flags & MULTI_ARG != 0 && args.len() == 1 && !args[0].is_empty() {
            match crate::resp::decode::split_args(args[0].as_bytes()) {
                Some(w) => w.iter().map(|w| String::from_utf8_lossy(w).into_owned()).collect(),
                None => return Err(err("Unbalanced quotes in configuration line".into())),
            }
        } else {
            args
        };
        // The first `save` / `client-output-buffer-limit` line replaces the default;
        // later ones add to it.
        let mut current = self.store.get(d.name).map(String::from);
        if d.name == "save" && !self.save_seen {
            self.save_seen = true;
            current = None;
        }
        if d.name == "client-output-buffer-limit" && !self.cob_seen {
            self.cob_seen = true;
        }
        let v = value::parse(d, &args, current.as_deref(), Origin::File).map_err(err)?;
        self.store.put(d, v);
        Ok(())
    }

    fn apply_text(&mut self, source: &str, text: &str, depth: usize) -> Result<(), ConfigError> {
        for (i, line) in text.lines().enumerate() {
            self.apply_line(source, i + 1, line, depth)?;
        }
        Ok(())
    }

    fn apply_toml(&mut self, source: &str, text: &str) -> Result<(), ConfigError> {
        let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
            source: source.to_string(),
            line_no: e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1)).unwrap_or(0),
            line: String::new(),
            reason: e.message().to_string(),
        })?;
        for (i, (key, val)) in doc.iter().enumerate() {
            let words = toml_words(val).ok_or_else(|| ConfigError {
                source: source.to_string(),
                line_no: i + 1,
                line: format!("{key} = {val}"),
                reason: "unsupported TOML value (use a string, integer, boolean or array of them)".into(),
            })?;
            let line = std::iter::once(key.clone()).chain(words.iter().map(|w| quote(w))).collect::<Vec<_>>().join(" ");
            if key == "save" && words.len() > 2 {
                // save = ["3600 1", "300 100"] → one line per pair
                for w in &words {
                    self.apply_line(source, i + 1, &format!("save {}", quote(w)), 0)?;
                }
                continue;
            }
            self.apply_line(source, i + 1, &line, 0)?;
        }
        Ok(())
    }
}

fn toml_words(v: &toml::Value) -> Option<Vec<String>> {
    Some(match v {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Integer(i) => vec![i.to_string()],
        toml::Value::Float(f) => vec![f.to_string()],
        toml::Value::Boolean(b) => vec![if *b { "yes".into() } else { "no".into() }],
        toml::Value::Array(items) => {
            let mut out = Vec::new();
            for it in items {
                out.extend(toml_words(it)?);
            }
            out
        }
        _ => return None,
    })
}

/// Quotes an argument so that `split_args` gives it back unchanged.
pub fn quote(s: &str) -> String {
    if !s.is_empty() && !s.bytes().any(|c| c.is_ascii_whitespace() || c == b'"' || c == b'\'' || c == b'\\' || !(0x20..0x7f).contains(&c)) {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.bytes() {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('"');
    out
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// Parses argv (without the program name) as redis-server does.
pub fn from_args(args: &[String], stdin: impl FnOnce() -> std::io::Result<String>) -> Invocation {
    let mut loader = Loader { store: Store::new(), save_seen: false, cob_seen: false };
    let mut i = 0;
    if let Some(first) = args.first() {
        match first.as_str() {
            "-v" | "--version" | "-V" => return Invocation::Version,
            "-h" | "--help" => return Invocation::Help,
            _ => {}
        }
    }
    let mut read_stdin = false;
    if let Some(first) = args.first() {
        if first == "-" {
            read_stdin = true;
            i = 1;
        } else if !first.starts_with("--") {
            let path = PathBuf::from(first);
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => return Invocation::Fatal(format!("Fatal error, can't open config file '{}': {}", first, io_text(&e))),
            };
            let abs = std::fs::canonicalize(&path).unwrap_or(path.clone());
            loader.store.file = Some(abs);
            let r = if first.ends_with(".toml") { loader.apply_toml(first, &text) } else { loader.apply_text(first, &text, 0) };
            if let Err(e) = r {
                return Invocation::Config(e);
            }
            i = 1;
        }
    }
    // Command-line options become config lines, applied after the file and stdin.
    let mut lines = Vec::new();
    while i < args.len() {
        let a = &args[i];
        if a == "-" && i == args.len() - 1 {
            read_stdin = true;
        } else {
            lines.push(a.as_str());
        }
        i += 1;
    }
    let lines = option_lines(&lines);
    if read_stdin {
        match stdin() {
            Ok(text) => {
                if let Err(e) = loader.apply_text("(stdin)", &text, 0) {
                    return Invocation::Config(e);
                }
            }
            Err(e) => return Invocation::Fatal(format!("Fatal error, can't read config from stdin: {e}")),
        }
    }
    for (n, line) in lines.iter().enumerate() {
        if let Err(e) = loader.apply_line("(command line)", n + 1, line, 0) {
            return Invocation::Config(e);
        }
    }
    if loader.store.get("dir").unwrap_or("").is_empty() {
        if let Ok(cwd) = std::env::current_dir() {
            let d = table::find("dir").expect("dir is a directive");
            loader.store.put(d, cwd.to_string_lossy().into_owned());
        }
    }
    Invocation::Run(Box::new(loader.store))
}

/// Turns command-line options into config lines the way redis-server 7.0 does.
///
/// BACKGROUND: an argument starting with `--` opens a new line with its name, unless
/// the previous option still has no value, in which case it IS that value
/// (`--proc-title-template --my--title`). An argument holding a name and its value
/// (`"--maxmemory 700mb"`) is copied as written, so its quoting applies. Other
/// arguments are values, quoted (sdscatrepr) so that the line splits back into exactly
/// them. `--save` directly followed by another option, or last, means `save ""`
/// (what generators that join an empty list produce).
pub fn option_lines(args: &[&str]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    // Whether the last option already has a value (or carried one in its argument).
    let mut has_value = true;
    let mut j = 0;
    while j < args.len() {
        let a = args[j];
        if has_value && a.starts_with("--") {
            let mut line = String::from(&a[2..]);
            line.push(' ');
            let words = crate::resp::decode::split_args(a.as_bytes()).map_or(0, |w| w.len());
            if words == 1 {
                has_value = false;
                let next_is_option = args.get(j + 1).is_some_and(|n| n.starts_with("--"));
                if a.eq_ignore_ascii_case("--save") && (next_is_option || j + 1 == args.len()) {
                    line.push_str("\"\"");
                    has_value = next_is_option;
                }
            } else {
                has_value = true;
            }
            lines.push(line);
        } else {
            let shown = String::from_utf8_lossy(&crate::cmd::gate::repr(a.as_bytes())).into_owned();
            match lines.last_mut() {
                Some(l) => {
                    l.push_str(&shown);
                    l.push(' ');
                }
                // A value before any option name (after the config file): Redis starts
                // the line with it, so `loglevel verbose` still reads as a directive.
                None => lines.push(format!("{shown} ")),
            }
            has_value = true;
        }
        j += 1;
    }
    lines.into_iter().map(|l| l.trim().to_string()).collect()
}

/// CONFIG REWRITE: rewrites the config file in place, keeping comments and unknown
/// lines (`rename-command` among them), replacing the lines of every directive whose
/// value differs from its default or was in the file, appending new ones (every
/// directive with `force_all`, for DEBUG CONFIG-REWRITE-FORCE-ALL). Written to a temp
/// file, fsynced, renamed.
pub fn rewrite(store: &Store, path: &Path, force_all: bool) -> std::io::Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut done = std::collections::BTreeSet::new();
    let mut out: Vec<String> = Vec::new();
    for line in old.lines() {
        let t = line.trim();
        let words = if t.starts_with('#') || t.is_empty() { None } else { crate::resp::decode::split_args(t.as_bytes()) };
        let Some(words) = words.filter(|w| !w.is_empty()) else {
            out.push(line.to_string());
            continue;
        };
        let name = String::from_utf8_lossy(&words[0]).to_ascii_lowercase();
        match table::find(&name) {
            Some(d) => {
                if done.insert(d.name) {
                    out.extend(directive_lines(d, store.get(d.name).unwrap_or("")));
                }
            }
            None => out.push(line.to_string()),
        }
    }
    let mut appended = false;
    for (d, v) in store.iter() {
        if done.contains(d.name) || (v == d.default && !force_all) {
            continue;
        }
        if !appended {
            out.push("# Generated by CONFIG REWRITE".into());
            appended = true;
        }
        out.extend(directive_lines(d, v));
    }
    let mut text = out.join("\n");
    text.push('\n');
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

fn directive_lines(d: &table::Directive, v: &str) -> Vec<String> {
    use table::{Kind, Special};
    match d.name {
        "save" => {
            if v.is_empty() {
                return vec!["save \"\"".into()];
            }
            let w: Vec<&str> = v.split_whitespace().collect();
            w.chunks(2).map(|c| format!("save {}", c.join(" "))).collect()
        }
        "client-output-buffer-limit" => {
            let w: Vec<&str> = v.split_whitespace().collect();
            w.chunks(4)
                .filter(|c| c.len() == 4)
                .map(|c| format!("client-output-buffer-limit {} {} {} {}", c[0], format_memory(c[1]), format_memory(c[2]), c[3]))
                .collect()
        }
        _ if d.flags & MULTI_ARG != 0 => {
            if v.is_empty() {
                // An empty list that is not the default must survive a restart.
                if d.default.is_empty() {
                    vec![]
                } else {
                    vec![format!("{} \"\"", d.name)]
                }
            } else {
                vec![format!("{} {}", d.name, v)]
            }
        }
        _ => match d.kind {
            Kind::Mem(..) => vec![format!("{} {}", d.name, format_memory(v))],
            // Redis writes string values quoted (sdscatrepr), empty ones included.
            Kind::Str | Kind::Special(Special::Dir) => vec![format!("{} {}", d.name, String::from_utf8_lossy(&crate::cmd::gate::repr(v.as_bytes())))],
            _ => vec![format!("{} {}", d.name, quote(v))],
        },
    }
}

/// A byte count the way Redis's CONFIG REWRITE writes it: the largest of gb, mb, kb that
/// divides it exactly, else plain bytes.
fn format_memory(v: &str) -> String {
    const KB: i64 = 1024;
    let Ok(n) = v.parse::<i64>() else { return v.to_string() };
    if n != 0 && n % (KB * KB * KB) == 0 {
        format!("{}gb", n / (KB * KB * KB))
    } else if n != 0 && n % (KB * KB) == 0 {
        format!("{}mb", n / (KB * KB))
    } else if n != 0 && n % KB == 0 {
        format!("{}kb", n / KB)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Store, String> {
        let a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match from_args(&a, || Ok(String::new())) {
            Invocation::Run(s) => Ok(*s),
            Invocation::Config(e) => Err(e.to_string()),
            Invocation::Fatal(e) => Err(e),
            _ => Err("other".into()),
        }
    }

    #[test]
    fn command_line_options_override() {
        let s = run(&["--port", "7001", "--save", "", "--maxmemory", "1mb", "--bind", "127.0.0.1", "::1"]).unwrap();
        assert_eq!(s.get("port"), Some("7001"));
        assert_eq!(s.get("save"), Some(""));
        assert_eq!(s.get("maxmemory"), Some("1048576"));
        assert_eq!(s.get("bind"), Some("127.0.0.1 ::1"));
    }

    #[test]
    fn a_bare_save_line_disables_snapshots_like_save_empty() {
        let dir = std::env::temp_dir().join(format!("slotd-cfg-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("bare.conf");
        std::fs::write(&f, "port 7004\nsave \n").unwrap();
        assert_eq!(run(&[f.to_str().unwrap()]).unwrap().get("save"), Some(""));
        std::fs::write(&f, "save 900 1\nsave\n").unwrap();
        assert_eq!(run(&[f.to_str().unwrap()]).unwrap().get("save"), Some("900 1"));
        std::fs::write(&f, "hz\n").unwrap();
        assert!(run(&[f.to_str().unwrap()]).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn option_lines_follow_redis_main() {
        let l = |a: &[&str]| option_lines(a);
        assert_eq!(l(&["--port", "6379", "6380"]), vec!["port \"6379\" \"6380\""]);
        assert_eq!(l(&["--port", "--loglevel", "verbose"]), vec!["port \"--loglevel\" \"verbose\""]);
        assert_eq!(l(&["--port", "--bla", "--loglevel", "verbose"]), vec!["port \"--bla\"", "loglevel \"verbose\""]);
        assert_eq!(l(&["--maxmemory 700mb", "--maxmemory-policy 'volatile-lru'"]), vec!["maxmemory 700mb", "maxmemory-policy 'volatile-lru'"]);
        assert_eq!(l(&["loglevel", "verbose", "--port", "1"]), vec!["\"loglevel\" \"verbose\"", "port \"1\""]);
        assert_eq!(l(&["--save", "--loglevel", "verbose"]), vec!["save \"\"", "loglevel \"verbose\""]);
        assert_eq!(l(&["--loglevel", "verbose", "--save"]), vec!["loglevel \"verbose\"", "save \"\""]);
        assert_eq!(l(&["--proc-title-template", "--save", "--save", "", "--loglevel", "verbose"]), vec!["proc-title-template \"--save\"", "save \"\"", "loglevel \"verbose\""]);
        assert_eq!(l(&["--requirepass", "a\"b c"]), vec!["requirepass \"a\\\"b c\""]);
    }

    #[test]
    fn command_line_values_and_errors_match_redis() {
        let s = run(&["--proc-title-template", "--my--title--template", "--loglevel", "verbose"]).unwrap();
        assert_eq!(s.get("proc-title-template"), Some("--my--title--template"));
        assert_eq!(s.get("loglevel"), Some("verbose"));
        let s = run(&["--shutdown-on-sigint", "nosave", "force", "now", "--shutdown-on-sigterm", "nosave force"]).unwrap();
        assert_eq!(s.get("shutdown-on-sigint"), Some("nosave now force"));
        assert_eq!(s.get("shutdown-on-sigterm"), Some("nosave force"));
        let s = run(&["--save", "--loglevel", "verbose"]).unwrap();
        assert_eq!(s.get("save"), Some(""));
        let e = run(&["--port", "6379", "6380"]).unwrap_err();
        assert!(e.contains(">>> 'port \"6379\" \"6380\"'\nwrong number of arguments"), "{e}");
        let e = run(&["--port"]).unwrap_err();
        assert!(e.contains(">>> 'port'\nwrong number of arguments"), "{e}");
        let e = run(&["--logfile", "--my--log--file", "--loglevel", "--bla"]).unwrap_err();
        assert!(e.contains(">>> 'loglevel \"--bla\"'\nargument(s) must be one of the following"), "{e}");
        let e = run(&["--shutdown-on-sigint", "now force", "--shutdown-on-sigterm"]).unwrap_err();
        assert!(e.contains(">>> 'shutdown-on-sigterm'\nargument(s) must be one of the following"), "{e}");
        let e = run(&["--replicaof", "--127.0.0.1", "abc"]).unwrap_err();
        assert!(e.contains(">>> 'replicaof \"--127.0.0.1\" \"abc\"'\nInvalid master port"), "{e}");
        let e = run(&["--replicaof", "--127.0.0.1", "--abc"]).unwrap_err();
        assert!(e.contains(">>> 'replicaof \"--127.0.0.1\"'\nwrong number of arguments"), "{e}");
    }

    #[test]
    fn files_with_includes_quotes_and_errors() {
        let dir = std::env::temp_dir().join(format!("slotd-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let inc = dir.join("inc.conf");
        std::fs::write(&inc, "hz 20\nsave 900 1\nsave 300 10\n").unwrap();
        let main = dir.join("main.conf");
        std::fs::write(&main, format!("# comment\nport 7002\ninclude {}\nrequirepass \"a b\"\nappendonly YES\n", inc.display())).unwrap();
        let s = run(&[main.to_str().unwrap()]).unwrap();
        assert_eq!(s.get("hz"), Some("20"));
        assert_eq!(s.get("save"), Some("900 1 300 10"));
        assert_eq!(s.get("requirepass"), Some("a b"));
        assert_eq!(s.get("appendonly"), Some("yes"));
        let bad = dir.join("bad.conf");
        std::fs::write(&bad, "port 7777\nfoo bar\n").unwrap();
        let e = run(&[bad.to_str().unwrap()]).unwrap_err();
        assert!(e.contains("at line 2"), "{e}");
        assert!(e.contains(">>> 'foo bar'"), "{e}");
        assert!(e.contains("Bad directive or wrong number of arguments"), "{e}");
        assert!(e.contains("bad.conf"), "{e}");
        let e = run(&["--port", "99999"]).unwrap_err();
        assert!(e.contains("argument must be between 0 and 65535 inclusive"), "{e}");
        let e = run(&["--appendfsync", "sometimes"]).unwrap_err();
        assert!(e.contains("argument(s) must be one of the following: everysec, always, no"), "{e}");
        let toml = dir.join("node.toml");
        std::fs::write(&toml, "port = 7003\nappendonly = true\nsave = [\"900 1\", \"60 5\"]\n").unwrap();
        let s = run(&[toml.to_str().unwrap()]).unwrap();
        assert_eq!(s.get("port"), Some("7003"));
        assert_eq!(s.get("appendonly"), Some("yes"));
        assert_eq!(s.get("save"), Some("900 1 60 5"));
        let bare = dir.join("bare-save.conf");
        std::fs::write(&bare, "save \n").unwrap();
        assert_eq!(run(&[bare.to_str().unwrap()]).unwrap().get("save"), Some(""));
        std::fs::remove_dir_all(&dir).ok();
    }
}
