//! Server configuration: the directive table (`table`), the readers for redis.conf, the
//! command line and TOML (`load`), value parsing (`value`), and the running store with
//! CONFIG GET/SET/REWRITE semantics.
//!
//! Values are kept as their canonical strings (what CONFIG GET prints); `Settings` is a
//! typed snapshot derived from them, rebuilt after every change and read by the hot path
//! without locking (see `server::Server::settings`).
pub mod load;
pub mod settings;
pub mod table;
pub mod value;

pub use settings::Settings;
use std::collections::BTreeMap;
use table::{Directive, DIRECTIVES};

/// The running configuration: one canonical value per directive.
#[derive(Clone, Debug)]
pub struct Store {
    values: BTreeMap<&'static str, String>,
    /// Path of the config file the server was started with (CONFIG REWRITE target).
    pub file: Option<std::path::PathBuf>,
    /// `rename-command old new` lines from the config file.
    pub renames: Vec<(String, String)>,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Store {
        let mut values = BTreeMap::new();
        for d in DIRECTIVES {
            values.insert(d.name, d.default.to_string());
        }
        Store { values, file: None, renames: Vec::new() }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        let d = table::find(name)?;
        self.values.get(d.name).map(|s| s.as_str())
    }

    /// Stores an already validated canonical value.
    pub fn put(&mut self, d: &'static Directive, canonical: String) {
        self.values.insert(d.name, canonical);
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static Directive, &str)> {
        DIRECTIVES.iter().map(move |d| (d, self.values.get(d.name).map(|s| s.as_str()).unwrap_or("")))
    }

    pub fn get_i64(&self, name: &str) -> i64 {
        self.get(name).and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    pub fn get_bool(&self, name: &str) -> bool {
        self.get(name) == Some("yes")
    }

    /// CONFIG GET: every (name, value) whose name or alias matches one of the patterns.
    /// Values print as Redis prints them (see `shown_value`).
    /// Hidden directives match only by exact name, as in Redis.
    pub fn matching(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for pat in patterns {
            let pat_str = String::from_utf8_lossy(pat).to_ascii_lowercase();
            let has_glob = pat.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
            for d in DIRECTIVES {
                for name in std::iter::once(d.name).chain(d.alias) {
                    let hit = if has_glob && d.flags & table::HIDDEN == 0 {
                        crate::util::glob::glob_match(pat_str.as_bytes(), name.as_bytes(), true)
                    } else {
                        name.eq_ignore_ascii_case(&pat_str)
                    };
                    if hit && seen.insert(name) {
                        // An exact name is echoed as the client typed it, as Redis does.
                        let shown = if has_glob { name.to_string() } else { String::from_utf8_lossy(pat).into_owned() };
                        out.push((shown, shown_value(d, &self.values[d.name])));
                    }
                }
            }
        }
        out
    }

    /// CONFIG SET of several pairs, atomically: every value is validated first; if any
    /// fails nothing changes. Returns Redis's error text on failure.
    pub fn set_many(&mut self, pairs: &[(&[u8], &[u8])], protected_ok: bool) -> Result<Vec<&'static Directive>, String> {
        let mut staged: Vec<(&'static Directive, String)> = Vec::new();
        for (name, _) in pairs {
            let n = String::from_utf8_lossy(name).to_ascii_lowercase();
            if table::find(&n).is_none() {
                return Err(format!("ERR Unknown option or number of arguments for CONFIG SET - '{}'", String::from_utf8_lossy(name)));
            }
        }
        for (name, val) in pairs {
            let n = String::from_utf8_lossy(name).to_ascii_lowercase();
            let d = table::find(&n).expect("checked above");
            let fail = |why: &str| format!("ERR CONFIG SET failed (possibly related to argument '{}') - {}", String::from_utf8_lossy(name), why);
            if staged.iter().any(|(s, _)| std::ptr::eq(*s, d)) {
                return Err(fail("duplicate parameter"));
            }
            if d.flags & table::IMMUTABLE != 0 {
                return Err(fail("can't set immutable config"));
            }
            if d.flags & table::PROTECTED != 0 && !protected_ok {
                return Err(fail("can't set protected config"));
            }
            let text = String::from_utf8_lossy(val).into_owned();
            let args = if d.flags & table::MULTI_ARG != 0 {
                crate::resp::decode::split_args(text.as_bytes())
                    .ok_or_else(|| fail("unbalanced quotes in configuration line"))?
                    .into_iter()
                    .map(|a| String::from_utf8_lossy(&a).into_owned())
                    .collect::<Vec<_>>()
            } else {
                vec![text]
            };
            let current = self.values[d.name].clone();
            let canonical = value::parse(d, &args, Some(&current), value::Origin::ConfigSet).map_err(|e| fail(&e))?;
            staged.push((d, canonical));
        }
        let changed = staged.iter().map(|(d, _)| *d).collect();
        for (d, v) in staged {
            self.values.insert(d.name, v);
        }
        Ok(changed)
    }
}

/// How CONFIG GET prints a stored value. Stored values are lossless; Redis's printing of
/// notify-keyspace-events is not: "A" swallows the `n` class (A never includes it), so
/// `KEAn` prints as `AKE` while new-key events stay on.
fn shown_value(d: &table::Directive, v: &str) -> String {
    match d.kind {
        table::Kind::Special(table::Special::NotifyKeyspaceEvents) => crate::server::notify::parse_flags(v).map_or_else(|| v.to_string(), crate::server::notify::flags_to_string),
        _ => v.to_string(),
    }
}
