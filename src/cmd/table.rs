//! The command table: implemented commands by lower-case name, each with Redis's
//! metadata, its handler, lock policy and statistics. Built once at start-up.
use super::meta::{self, Meta};
use super::{Def, Handler, LockPolicy};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default, Debug)]
pub struct CommandStats {
    pub calls: AtomicU64,
    pub usec: AtomicU64,
    pub rejected_calls: AtomicU64,
    pub failed_calls: AtomicU64,
}

impl CommandStats {
    pub fn reset(&self) {
        self.calls.store(0, Ordering::Relaxed);
        self.usec.store(0, Ordering::Relaxed);
        self.rejected_calls.store(0, Ordering::Relaxed);
        self.failed_calls.store(0, Ordering::Relaxed);
    }
}

/// Full names of all commands by id (for CLIENT LIST's cmd= field, set once).
static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// The full name of command `id`, or "NULL" (Redis's text before any command ran).
pub fn name_of(id: u32) -> &'static str {
    NAMES.get().and_then(|n| n.get(id as usize)).copied().unwrap_or("NULL")
}

pub struct Command {
    /// Index into the names registry.
    pub id: u32,
    pub meta: Meta,
    /// Leaked once at start-up so that `&'static str` names can be stored cheaply.
    pub name: &'static str,
    pub handler: Option<Handler>,
    pub lock: LockPolicy,
    pub subcommands: HashMap<String, Command>,
    pub stats: CommandStats,
}

impl Command {
    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }
}

/// FNV-1a for the command table: its keys are fixed at start-up, so flooding is not a
/// concern, and this is several times cheaper than SipHash on a 3-8 byte name.
#[derive(Default, Clone, Copy)]
pub struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type NameMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<NameHasher>>;

pub struct Table {
    pub commands: NameMap<Command>,
    /// Metadata of every Redis 7.0 command, implemented or not.
    pub all_meta: HashMap<String, Meta>,
}

impl Table {
    /// Builds the table. A definition whose name Redis 7.0 does not know is a bug in
    /// the family's list: reported as an error so tests catch it.
    pub fn build(defs: Vec<Def>) -> Result<Table, String> {
        let all_meta = meta::load();
        let mut commands: NameMap<Command> = NameMap::default();
        for d in defs {
            let (parent, sub) = match d.name.split_once('|') {
                Some((p, s)) => (p, Some(s)),
                None => (d.name, None),
            };
            let pm = all_meta.get(parent).ok_or_else(|| format!("unknown command in table: {}", d.name))?;
            let entry = commands.entry(parent.to_string()).or_insert_with(|| Command {
                id: 0,
                meta: pm.clone(),
                name: Box::leak(parent.to_string().into_boxed_str()),
                handler: None,
                lock: LockPolicy::None,
                subcommands: HashMap::new(),
                stats: CommandStats::default(),
            });
            match sub {
                None => {
                    entry.handler = Some(d.handler);
                    entry.lock = d.lock;
                }
                Some(s) => {
                    let sm = pm.subcommands.get(s).ok_or_else(|| format!("unknown subcommand in table: {}", d.name))?;
                    entry.subcommands.insert(
                        s.to_string(),
                        Command {
                            id: 0,
                            meta: sm.clone(),
                            name: Box::leak(d.name.to_string().into_boxed_str()),
                            handler: Some(d.handler),
                            lock: d.lock,
                            subcommands: HashMap::new(),
                            stats: CommandStats::default(),
                        },
                    );
                }
            }
        }
        let mut names: Vec<&'static str> = Vec::new();
        for c in commands.values_mut() {
            c.id = names.len() as u32;
            names.push(c.name);
            for s in c.subcommands.values_mut() {
                s.id = names.len() as u32;
                names.push(s.name);
            }
        }
        // Several servers in one process (tests) build identical tables: first one wins.
        let _ = NAMES.set(names);
        Ok(Table { commands, all_meta })
    }

    /// Case-insensitive lookup of a top-level command.
    pub fn get(&self, name: &[u8]) -> Option<&Command> {
        let mut buf = [0u8; 32];
        if name.len() <= buf.len() {
            for (i, &c) in name.iter().enumerate() {
                buf[i] = c.to_ascii_lowercase();
            }
            let lower = std::str::from_utf8(&buf[..name.len()]).ok()?;
            return self.commands.get(lower);
        }
        None
    }

    /// The command (or subcommand) an argv names, if implemented.
    pub fn resolve<'a>(&'a self, argv: &[bytes::Bytes]) -> Option<&'a Command> {
        let c = self.get(&argv[0])?;
        if c.is_container() && argv.len() >= 2 {
            let sub = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
            return c.subcommands.get(&sub);
        }
        Some(c)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Command> {
        self.commands.values()
    }
}
