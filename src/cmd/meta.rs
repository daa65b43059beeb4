//! Redis 7.0's command metadata (arity, flags, key specs, ACL categories, docs), loaded
//! from `meta/redis-7.0.resp`: the raw RESP3 replies of `COMMAND` and `COMMAND DOCS`
//! captured from redis-server 7.0.15 by scripts/gen-command-meta.py.
//!
//! The gate reads arity, flags and key specs from here, and COMMAND INFO/DOCS answer with
//! the captured trees, so what cluster clients route by is exactly what Redis reports.
use crate::resp::parse::parse_reply;
use crate::resp::Reply;
use std::collections::HashMap;

static RAW: &[u8] = include_bytes!("meta/redis-7.0.resp");

pub mod flag {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
    pub const NO_MULTI: u32 = 1 << 15;
    pub const MOVABLEKEYS: u32 = 1 << 16;
    pub const ALLOW_BUSY: u32 = 1 << 17;
    pub const NO_ASYNC_LOADING: u32 = 1 << 18;
    pub const PROTECTED: u32 = 1 << 19;
}

fn flag_bit(name: &str) -> u32 {
    use flag::*;
    match name {
        "write" => WRITE,
        "readonly" => READONLY,
        "denyoom" => DENYOOM,
        "admin" => ADMIN,
        "pubsub" => PUBSUB,
        "noscript" => NOSCRIPT,
        "blocking" => BLOCKING,
        "loading" => LOADING,
        "stale" => STALE,
        "skip_monitor" => SKIP_MONITOR,
        "skip_slowlog" => SKIP_SLOWLOG,
        "fast" => FAST,
        "no_auth" => NO_AUTH,
        "may_replicate" => MAY_REPLICATE,
        "no_mandatory_keys" => NO_MANDATORY_KEYS,
        "no_multi" => NO_MULTI,
        "movablekeys" => MOVABLEKEYS,
        "allow_busy" => ALLOW_BUSY,
        "no_async_loading" => NO_ASYNC_LOADING,
        _ => 0,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum BeginSearch {
    Index(i64),
    Keyword { keyword: Vec<u8>, startfrom: i64 },
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FindKeys {
    Range { lastkey: i64, keystep: i64, limit: i64 },
    Keynum { keynumidx: i64, firstkey: i64, keystep: i64 },
    Unknown,
}

#[derive(Debug, Clone)]
pub struct KeySpec {
    pub flags: Vec<String>,
    pub begin: BeginSearch,
    pub find: FindKeys,
}

impl KeySpec {
    pub fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }
}

#[derive(Debug, Clone)]
pub struct Meta {
    /// Lower case; subcommands as `parent|sub`.
    pub full_name: String,
    pub arity: i64,
    pub flags: u32,
    pub first_key: i64,
    pub last_key: i64,
    pub step: i64,
    pub key_specs: Vec<KeySpec>,
    pub acl_categories: Vec<String>,
    /// The COMMAND INFO entry exactly as Redis sent it, kept RESP3-encoded (a parsed
    /// tree of every command's docs would cost megabytes of heap for replies that are
    /// rarely asked for); `info()` parses it.
    pub info_resp3: std::sync::Arc<[u8]>,
    /// The COMMAND DOCS value (the map after the name), RESP3-encoded; see `docs()`.
    pub docs_resp3: Option<std::sync::Arc<[u8]>>,
    pub group: String,
    pub subcommands: HashMap<String, Meta>,
}

impl Meta {
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    /// The COMMAND INFO entry, as Redis reports it.
    pub fn info(&self) -> Reply {
        parse_reply(&self.info_resp3).map(|(r, _)| r).unwrap_or(Reply::NilArray)
    }

    /// The COMMAND DOCS value, when Redis has docs for the command.
    pub fn docs(&self) -> Option<Reply> {
        self.docs_resp3.as_ref().and_then(|b| parse_reply(b).ok()).map(|(r, _)| r)
    }
}

fn encode3(r: &Reply) -> std::sync::Arc<[u8]> {
    let mut v = Vec::new();
    crate::resp::reply::encode(r, 3, &mut v);
    v.into()
}

fn text(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) => s.to_string(),
        _ => String::new(),
    }
}

fn int(r: &Reply) -> i64 {
    match r {
        Reply::Int(i) => *i,
        _ => 0,
    }
}

fn list(r: &Reply) -> &[Reply] {
    match r {
        Reply::Array(v) | Reply::Set(v) => v,
        _ => &[],
    }
}

fn map_get<'a>(r: &'a Reply, key: &str) -> Option<&'a Reply> {
    match r {
        Reply::Map(pairs) => pairs.iter().find(|(k, _)| text(k) == key).map(|(_, v)| v),
        _ => None,
    }
}

fn parse_key_spec(r: &Reply) -> KeySpec {
    let flags = map_get(r, "flags").map(|f| list(f).iter().map(text).collect()).unwrap_or_default();
    let begin = match map_get(r, "begin_search") {
        Some(b) => {
            let spec = map_get(b, "spec");
            match map_get(b, "type").map(text).as_deref() {
                Some("index") => BeginSearch::Index(spec.and_then(|s| map_get(s, "index")).map(int).unwrap_or(0)),
                Some("keyword") => BeginSearch::Keyword {
                    keyword: spec.and_then(|s| map_get(s, "keyword")).map(text).unwrap_or_default().into_bytes(),
                    startfrom: spec.and_then(|s| map_get(s, "startfrom")).map(int).unwrap_or(0),
                },
                _ => BeginSearch::Unknown,
            }
        }
        None => BeginSearch::Unknown,
    };
    let find = match map_get(r, "find_keys") {
        Some(f) => {
            let spec = map_get(f, "spec");
            let g = |k: &str| spec.and_then(|s| map_get(s, k)).map(int).unwrap_or(0);
            match map_get(f, "type").map(text).as_deref() {
                Some("range") => FindKeys::Range { lastkey: g("lastkey"), keystep: g("keystep"), limit: g("limit") },
                Some("keynum") => FindKeys::Keynum { keynumidx: g("keynumidx"), firstkey: g("firstkey"), keystep: g("keystep") },
                _ => FindKeys::Unknown,
            }
        }
        None => FindKeys::Unknown,
    };
    KeySpec { flags, begin, find }
}

fn parse_info(entry: &Reply, docs: &HashMap<String, Reply>) -> Option<Meta> {
    let f = list(entry);
    if f.len() < 10 {
        return None;
    }
    let full_name = text(&f[0]).to_ascii_lowercase();
    let flag_names: Vec<String> = list(&f[2]).iter().map(text).collect();
    let mut subcommands = HashMap::new();
    let sub_docs = docs.get(&full_name).and_then(|d| map_get(d, "subcommands"));
    let mut sub_doc_map = HashMap::new();
    if let Some(Reply::Map(pairs)) = sub_docs {
        for (k, v) in pairs {
            sub_doc_map.insert(text(k).to_ascii_lowercase(), v.clone());
        }
    }
    for s in list(&f[9]) {
        if let Some(m) = parse_info(s, &sub_doc_map) {
            let short = m.full_name.split('|').nth(1).unwrap_or(&m.full_name).to_string();
            subcommands.insert(short, m);
        }
    }
    let doc = docs.get(&full_name);
    let group = doc.and_then(|d| map_get(d, "group")).map(text).unwrap_or_default();
    Some(Meta {
        arity: int(&f[1]),
        flags: flag_names.iter().map(|n| flag_bit(n)).fold(0, |a, b| a | b),
        first_key: int(&f[3]),
        last_key: int(&f[4]),
        step: int(&f[5]),
        acl_categories: list(&f[6]).iter().map(text).collect(),
        key_specs: list(&f[8]).iter().map(parse_key_spec).collect(),
        info_resp3: encode3(entry),
        docs_resp3: doc.map(encode3),
        group,
        subcommands,
        full_name,
    })
}

/// All of Redis 7.0's commands by lower-case name.
pub fn load() -> HashMap<String, Meta> {
    let (info, used) = parse_reply(RAW).expect("embedded COMMAND reply parses");
    let (docs, _) = parse_reply(&RAW[used..]).expect("embedded COMMAND DOCS reply parses");
    let mut doc_map = HashMap::new();
    if let Reply::Map(pairs) = docs {
        for (k, v) in pairs {
            doc_map.insert(text(&k).to_ascii_lowercase(), v);
        }
    }
    let mut out = HashMap::new();
    for e in list(&info) {
        if let Some(m) = parse_info(e, &doc_map) {
            out.insert(m.full_name.clone(), m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_loads_with_redis_facts() {
        let m = load();
        assert_eq!(m.len(), 240);
        let get = &m["get"];
        assert_eq!(get.arity, 2);
        assert!(get.has(flag::READONLY) && get.has(flag::FAST));
        assert_eq!(get.key_specs[0].begin, BeginSearch::Index(1));
        assert_eq!(get.group, "string");
        let cfg = &m["config"];
        assert_eq!(cfg.subcommands["get"].arity, -3);
        assert_eq!(cfg.subcommands["get"].full_name, "config|get");
        let zu = &m["zunionstore"];
        assert_eq!(zu.key_specs[1].find, FindKeys::Keynum { keynumidx: 0, firstkey: 1, keystep: 1 });
    }
}
