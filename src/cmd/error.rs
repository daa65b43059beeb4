//! `CmdError`: what a client sees when a command fails. Every text lives here, rendered
//! exactly as Redis 7.0 prints it; handlers pick a variant or, for one-off texts, build
//! `Msg` with the whole line.
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum CmdError {
    WrongType,
    NotInteger,
    NotFloat,
    Syntax,
    Overflow,
    NoSuchKey,
    IndexOutOfRange,
    /// Command name as Redis prints it (lower case, `parent|sub` for subcommands).
    WrongArity(String),
    UnknownCommand { name: String, args_preview: String },
    UnknownSubcommand { sub: String, parent: String },
    NoAuth,
    TimeoutNotFloat,
    TimeoutNegative,
    InvalidExpire(&'static str),
    NotInMulti(&'static str),
    Oom,
    /// A whole error line, prefix included (`ERR ...`, `BUSYKEY ...`).
    Msg(Cow<'static, str>),
}

impl CmdError {
    /// `ERR <text>`
    pub fn err(text: impl Into<Cow<'static, str>>) -> CmdError {
        match text.into() {
            Cow::Borrowed(s) => CmdError::Msg(Cow::Owned(format!("ERR {s}"))),
            Cow::Owned(s) => CmdError::Msg(Cow::Owned(format!("ERR {s}"))),
        }
    }

    /// A line with its own prefix, e.g. `CmdError::raw("BUSYKEY Target key name already exists.")`.
    pub fn raw(line: impl Into<Cow<'static, str>>) -> CmdError {
        CmdError::Msg(line.into())
    }

    /// The first word of the error (INFO errorstats groups by it).
    pub fn prefix(&self) -> String {
        let s = self.to_string();
        s.split(' ').next().unwrap_or("ERR").to_string()
    }
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CmdError::WrongType => f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value"),
            CmdError::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            CmdError::NotFloat => f.write_str("ERR value is not a valid float"),
            CmdError::Syntax => f.write_str("ERR syntax error"),
            CmdError::Overflow => f.write_str("ERR increment or decrement would overflow"),
            CmdError::NoSuchKey => f.write_str("ERR no such key"),
            CmdError::IndexOutOfRange => f.write_str("ERR index out of range"),
            CmdError::WrongArity(name) => write!(f, "ERR wrong number of arguments for '{name}' command"),
            CmdError::UnknownCommand { name, args_preview } => write!(f, "ERR unknown command '{name}', with args beginning with: {args_preview}"),
            CmdError::UnknownSubcommand { sub, parent } => write!(f, "ERR unknown subcommand '{sub}'. Try {parent} HELP."),
            CmdError::NoAuth => f.write_str("NOAUTH Authentication required."),
            CmdError::TimeoutNotFloat => f.write_str("ERR timeout is not a float or out of range"),
            CmdError::TimeoutNegative => f.write_str("ERR timeout is negative"),
            CmdError::InvalidExpire(cmd) => write!(f, "ERR invalid expire time in '{cmd}' command"),
            CmdError::NotInMulti(cmd) => write!(f, "ERR {cmd} without MULTI"),
            CmdError::Oom => f.write_str("OOM command not allowed when used memory > 'maxmemory'."),
            CmdError::Msg(s) => f.write_str(s),
        }
    }
}

impl From<CmdError> for crate::resp::Reply {
    fn from(e: CmdError) -> Self {
        crate::resp::Reply::Error(Cow::Owned(e.to_string()))
    }
}

/// Redis truncates names and arguments it echoes in errors (`%.128s`) and prints at most
/// this many bytes of the argument preview.
pub fn unknown_command(name: &[u8], args: &[bytes::Bytes]) -> CmdError {
    let mut preview = String::new();
    for a in args {
        if preview.len() >= 128 {
            break;
        }
        let s = String::from_utf8_lossy(a);
        let room = 128 - preview.len();
        let take: String = s.chars().take(room).collect();
        preview.push('\'');
        preview.push_str(&take);
        preview.push_str("' ");
    }
    let n = String::from_utf8_lossy(name);
    CmdError::UnknownCommand { name: n.chars().take(128).collect(), args_preview: preview }
}
