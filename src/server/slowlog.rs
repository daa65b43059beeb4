//! SLOWLOG: the last `slowlog-max-len` commands that ran longer than
//! `slowlog-log-slower-than` microseconds, newest first.
use bytes::Bytes;
use std::collections::VecDeque;

/// Arguments kept per entry and bytes kept per argument (Redis's SLOWLOG_ENTRY_MAX_ARGC
/// and SLOWLOG_ENTRY_MAX_STRING): enough to recognise the command, bounded memory.
const MAX_ARGS: usize = 32;
const MAX_ARG_BYTES: usize = 128;

#[derive(Clone, Debug)]
pub struct Entry {
    pub id: u64,
    pub time_secs: i64,
    pub duration_us: u64,
    pub argv: Vec<Vec<u8>>,
    pub client_addr: String,
    pub client_name: String,
}

#[derive(Default)]
pub struct SlowLog {
    pub entries: VecDeque<Entry>,
    pub next_id: u64,
}

impl SlowLog {
    pub fn push(&mut self, argv: &[Bytes], duration_us: u64, addr: &str, name: &str, max_len: usize) {
        let mut args: Vec<Vec<u8>> = Vec::new();
        let shown = argv.len().min(MAX_ARGS);
        for (i, a) in argv.iter().take(shown).enumerate() {
            if i == MAX_ARGS - 1 && argv.len() > MAX_ARGS {
                args.push(format!("... ({} more arguments)", argv.len() - MAX_ARGS + 1).into_bytes());
                break;
            }
            if a.len() > MAX_ARG_BYTES {
                let mut v = a[..MAX_ARG_BYTES].to_vec();
                v.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_ARG_BYTES).as_bytes());
                args.push(v);
            } else {
                args.push(a.to_vec());
            }
        }
        self.entries.push_front(Entry {
            id: self.next_id,
            time_secs: crate::util::time::now_secs(),
            duration_us,
            argv: args,
            client_addr: addr.to_string(),
            client_name: name.to_string(),
        });
        self.next_id += 1;
        self.entries.truncate(max_len);
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}
