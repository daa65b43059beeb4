//! COMMAND: what cluster clients and tools learn about commands (redis-py calls
//! `COMMAND` at start-up and routes by its key positions).
//!
//! Every answer comes from Redis 7.0's own metadata (`cmd::meta`), restricted to what
//! slotd implements: the top-level commands of `srv.table`, and inside a container's
//! entry only its implemented subcommands. So a client never learns of a command it
//! would then be refused.
use super::super::keys::key_positions;
use super::super::meta::{flag, KeySpec, Meta};
use super::super::table::Command;
use super::super::{def_lock, CmdError, CmdResult, Ctx, Def, LockPolicy};
use super::help;
use crate::resp::Reply;
use crate::server::Server;
use bytes::Bytes;

pub fn defs() -> Vec<Def> {
    vec![
        def_lock("command", command, LockPolicy::None),
        def_lock("command|count", count, LockPolicy::None),
        def_lock("command|info", info, LockPolicy::None),
        def_lock("command|docs", docs, LockPolicy::None),
        def_lock("command|list", list, LockPolicy::None),
        def_lock("command|getkeys", getkeys, LockPolicy::None),
        def_lock("command|getkeysandflags", getkeysandflags, LockPolicy::None),
        def_lock("command|help", command_help, LockPolicy::None),
    ]
}

/// The lower-case name of an info entry or doc key (`config|get`).
fn reply_text(r: &Reply) -> Option<String> {
    r.as_bytes().map(|b| String::from_utf8_lossy(b).to_ascii_lowercase())
}

/// The part after `|` of a full subcommand name.
fn short_name(full: &str) -> &str {
    full.split_once('|').map_or(full, |(_, s)| s)
}

/// The COMMAND INFO entry of an implemented command: Redis's entry with the
/// subcommands list (field 10) cut down to the implemented ones.
pub fn info_entry(cmd: &Command) -> Reply {
    let mut e = cmd.meta.info();
    if let Reply::Array(fields) = &mut e {
        if let Some(Reply::Array(subs) | Reply::Set(subs)) = fields.get_mut(9) {
            subs.retain(|s| match s {
                Reply::Array(f) => f.first().and_then(reply_text).is_some_and(|n| cmd.subcommands.contains_key(short_name(&n))),
                _ => false,
            });
        }
    }
    e
}

/// The COMMAND DOCS value of an implemented command, its `subcommands` map cut down
/// the same way.
fn docs_entry(cmd: &Command) -> Reply {
    let mut d = cmd.meta.docs().unwrap_or(Reply::Map(Vec::new()));
    if let Reply::Map(pairs) = &mut d {
        for (k, v) in pairs.iter_mut() {
            if reply_text(k).as_deref() == Some("subcommands") {
                if let Reply::Map(subs) = v {
                    subs.retain(|(name, _)| reply_text(name).is_some_and(|n| cmd.subcommands.contains_key(short_name(&n))));
                }
            }
        }
    }
    d
}

/// Implemented top-level commands by name (a stable order for replies and tests).
fn sorted_commands(srv: &Server) -> Vec<&Command> {
    let mut v: Vec<&Command> = srv.table.iter().collect();
    v.sort_by_key(|c| c.name);
    v
}

/// A command by name as COMMAND INFO/DOCS take it: `get`, or `config|get` for a
/// subcommand.
fn lookup_name<'s>(srv: &'s Server, name: &[u8]) -> Option<&'s Command> {
    match name.iter().position(|&c| c == b'|') {
        None => srv.table.get(name),
        Some(i) => {
            let parent = srv.table.get(&name[..i])?;
            parent.subcommands.get(&String::from_utf8_lossy(&name[i + 1..]).to_ascii_lowercase())
        }
    }
}

fn command(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Array(sorted_commands(ctx.srv).into_iter().map(info_entry).collect()))
}

fn count(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(Reply::Int(ctx.srv.table.commands.len() as i64))
}

fn info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 2 {
        return command(ctx, argv);
    }
    Ok(Reply::Array(argv[2..].iter().map(|n| lookup_name(ctx.srv, n).map_or(Reply::Nil, info_entry)).collect()))
}

fn docs(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut out = Vec::new();
    if argv.len() == 2 {
        for c in sorted_commands(ctx.srv) {
            out.push((Reply::bulk_str(c.name), docs_entry(c)));
        }
    } else {
        for n in &argv[2..] {
            if let Some(c) = lookup_name(ctx.srv, n) {
                out.push((Reply::bulk_str(c.name), docs_entry(c)));
            }
        }
    }
    Ok(Reply::Map(out))
}

enum ListFilter {
    All,
    Module,
    AclCat(String),
    Pattern(Vec<u8>),
}

impl ListFilter {
    fn accepts(&self, m: &Meta) -> bool {
        match self {
            ListFilter::All => true,
            // slotd has no modules.
            ListFilter::Module => false,
            ListFilter::AclCat(cat) => m.acl_categories.iter().any(|c| c.trim_start_matches('@').eq_ignore_ascii_case(cat)),
            ListFilter::Pattern(p) => crate::util::glob::glob_match(p, m.full_name.as_bytes(), true),
        }
    }
}

fn list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let filter = match argv.len() {
        2 => ListFilter::All,
        5 if super::args::is(&argv[2], "filterby") => {
            let arg = &argv[4];
            if super::args::is(&argv[3], "module") {
                ListFilter::Module
            } else if super::args::is(&argv[3], "aclcat") {
                ListFilter::AclCat(String::from_utf8_lossy(arg).into_owned())
            } else if super::args::is(&argv[3], "pattern") {
                ListFilter::Pattern(arg.to_vec())
            } else {
                return Err(CmdError::Syntax);
            }
        }
        _ => return Err(CmdError::Syntax),
    };
    let mut names = Vec::new();
    for c in sorted_commands(ctx.srv) {
        if filter.accepts(&c.meta) {
            names.push(Reply::bulk_str(c.name));
        }
        let mut subs: Vec<&Command> = c.subcommands.values().collect();
        subs.sort_by_key(|s| s.name);
        for s in subs {
            if filter.accepts(&s.meta) {
                names.push(Reply::bulk_str(s.name));
            }
        }
    }
    Ok(Reply::Array(names))
}

/// A key spec names real keys unless flagged `not_key` (SUNSUBSCRIBE's channels).
fn has_key_args(m: &Meta) -> bool {
    m.key_specs.iter().any(|s| !s.has_flag("not_key"))
}

/// Positions of the keys of the command in `argv[2..]`, each with the flags of the key
/// spec that found it; or Redis's GETKEYS error.
fn keys_with_flags(ctx: &Ctx, argv: &[Bytes]) -> Result<Vec<(usize, Vec<String>)>, CmdError> {
    let target = &argv[2..];
    let Some(cmd) = ctx.srv.table.resolve(target) else {
        return Err(CmdError::err("Invalid command specified"));
    };
    let m = &cmd.meta;
    if !has_key_args(m) {
        return Err(CmdError::err("The command has no key arguments"));
    }
    let n = target.len() as i64;
    if (m.arity > 0 && m.arity != n) || n < -m.arity {
        return Err(CmdError::err("Invalid number of arguments specified for command"));
    }
    let positions = match key_positions(m, target) {
        Ok(p) if !p.is_empty() => p,
        _ if m.has(flag::NO_MANDATORY_KEYS) => return Ok(Vec::new()),
        _ => return Err(CmdError::err("Invalid arguments specified for command")),
    };
    Ok(positions.into_iter().map(|p| (p, flags_for(m, target, p))).collect())
}

/// The flags of the key spec that names position `pos` (the first spec that does).
fn flags_for(m: &Meta, argv: &[Bytes], pos: usize) -> Vec<String> {
    match m.full_name.as_str() {
        // Their keys come from dedicated rules (keys.rs), with the flags Redis gives them.
        "sort" => return if pos == 1 { vec!["RO".into(), "access".into()] } else { vec!["OW".into(), "update".into()] },
        "migrate" => return vec!["RW".into(), "access".into(), "delete".into()],
        // Specs flagged variable_flags: the flags depend on the arguments.
        "set" => {
            let get = argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
            return if get { vec!["RW".into(), "access".into(), "update".into()] } else { vec!["OW".into(), "update".into()] };
        }
        "bitfield" => return if bitfield_read_only(argv) { vec!["RO".into(), "access".into()] } else { vec!["RW".into(), "access".into(), "update".into()] },
        _ => {}
    }
    for spec in &m.key_specs {
        let single = Meta { key_specs: vec![spec.clone()], ..m.clone() };
        if key_positions(&single, argv).is_ok_and(|p| p.contains(&pos)) {
            return spec_flags(spec);
        }
    }
    Vec::new()
}

/// BITFIELD only reads when every operation is a GET (OVERFLOW changes nothing).
fn bitfield_read_only(argv: &[Bytes]) -> bool {
    let mut i = 2;
    while i < argv.len() {
        let rem = argv.len() - i - 1;
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"get") && rem >= 2 {
            i += 3;
        } else if a.eq_ignore_ascii_case(b"overflow") && rem >= 1 {
            i += 2;
        } else {
            return false;
        }
    }
    true
}

fn spec_flags(spec: &KeySpec) -> Vec<String> {
    spec.flags.clone()
}

fn getkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let keys = keys_with_flags(ctx, argv)?;
    Ok(Reply::Array(keys.into_iter().map(|(p, _)| Reply::bulk(&argv[2 + p])).collect()))
}

fn getkeysandflags(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let keys = keys_with_flags(ctx, argv)?;
    Ok(Reply::Array(
        keys.into_iter()
            .map(|(p, f)| Reply::Array(vec![Reply::bulk(&argv[2 + p]), Reply::Set(f.into_iter().map(|s| Reply::Status(s.into())).collect())]))
            .collect(),
    ))
}

fn command_help(_ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    Ok(help(&[
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Metadata of every command the server knows.",
        "COUNT",
        "    How many commands the server knows.",
        "LIST",
        "    The names of the commands the server knows.",
        "INFO [<command-name> ...]",
        "    Metadata (arity, flags, keys, ACL categories, subcommands) of the named",
        "    commands, or of all commands when none is named.",
        "DOCS [<command-name> ...]",
        "    Reference documentation of the named commands, or of all of them.",
        "GETKEYS <full-command>",
        "    The key arguments of the given command line.",
        "GETKEYSANDFLAGS <full-command>",
        "    The key arguments of the given command line with their access flags.",
        "HELP",
        "    Show this text.",
    ]))
}
