//! Which arguments of a command are keys: Redis 7.0's key-spec interpretation
//! (begin_search index/keyword, find_keys range/keynum), plus the few commands whose
//! specs are marked incomplete and need their own rule (SORT's STORE, MIGRATE's KEYS).
//! Used by the gate (shard locking, cluster routing) and by COMMAND GETKEYS.
use super::meta::{BeginSearch, FindKeys, Meta};
use bytes::Bytes;

#[derive(Debug, PartialEq, Eq)]
pub enum KeysError {
    /// A keynum argument is not a valid count, or keys run past the arguments.
    Invalid,
}

/// Positions in `argv` (0 = command name) of every key, in spec order.
pub fn key_positions(meta: &Meta, argv: &[Bytes]) -> Result<Vec<usize>, KeysError> {
    let argc = argv.len() as i64;
    match meta.full_name.as_str() {
        "sort" => return Ok(sort_keys(argv)),
        "migrate" => return Ok(migrate_keys(argv)),
        _ => {}
    }
    let mut out = Vec::new();
    for spec in &meta.key_specs {
        let first = match &spec.begin {
            BeginSearch::Index(i) => *i,
            BeginSearch::Keyword { keyword, startfrom } => {
                let (start, end) = if *startfrom > 0 { (*startfrom, argc - 1) } else { (argc + startfrom, 1) };
                let mut found = None;
                let mut i = start;
                loop {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if argv[i as usize].eq_ignore_ascii_case(keyword) {
                        found = Some(i + 1);
                        break;
                    }
                    if i == end {
                        break;
                    }
                    i += if start <= end { 1 } else { -1 };
                }
                match found {
                    Some(f) => f,
                    None => continue,
                }
            }
            BeginSearch::Unknown => continue,
        };
        let (last, step) = match &spec.find {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = if *lastkey >= 0 {
                    first + lastkey
                } else if *limit <= 1 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / limit + lastkey)
                };
                (last, (*keystep).max(1))
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                let idx = first + keynumidx;
                if idx >= argc || idx < 1 {
                    return Err(KeysError::Invalid);
                }
                let n = crate::util::num::parse_i64(&argv[idx as usize]).ok_or(KeysError::Invalid)?;
                if n < 0 {
                    return Err(KeysError::Invalid);
                }
                let step = (*keystep).max(1);
                let start = first + firstkey;
                if n == 0 {
                    continue;
                }
                // Checked: a huge keynum from the client must not overflow
                // (LMPOP/ZMPOP 9223372036854775807 ...).
                let last = (n - 1).checked_mul(step).and_then(|v| v.checked_add(start)).ok_or(KeysError::Invalid)?;
                if last >= argc {
                    return Err(KeysError::Invalid);
                }
                let mut i = start;
                while i <= last {
                    out.push(i as usize);
                    i += step;
                }
                continue;
            }
            FindKeys::Unknown => continue,
        };
        let mut i = first;
        while i <= last {
            if i >= argc || i < 1 {
                if spec.has_flag("incomplete") || spec.has_flag("variable_flags") {
                    break;
                }
                // Arity was checked, so this is a malformed call; keep what was found.
                break;
            }
            out.push(i as usize);
            i += step;
        }
    }
    Ok(out)
}

/// SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE dst]: the sorted key
/// and the STORE destination (BY/GET patterns are not keys).
fn sort_keys(argv: &[Bytes]) -> Vec<usize> {
    let mut out = vec![1];
    let mut i = 2;
    let mut store = None;
    while i < argv.len() {
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"store") && i + 1 < argv.len() {
            // The last STORE wins, as in Redis's sortGetKeys.
            store = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    if let Some(s) = store {
        out.push(s);
    }
    out
}

/// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 u pw] [KEYS k ...]
fn migrate_keys(argv: &[Bytes]) -> Vec<usize> {
    if argv.len() > 6 && argv[3].is_empty() {
        let mut i = 6;
        while i < argv.len() {
            let a = &argv[i];
            if a.eq_ignore_ascii_case(b"auth") {
                i += 1;
            } else if a.eq_ignore_ascii_case(b"auth2") {
                i += 2;
            } else if a.eq_ignore_ascii_case(b"keys") {
                return (i + 1..argv.len()).collect();
            }
            i += 1;
        }
        return Vec::new();
    }
    if argv.len() > 3 {
        vec![3]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<Bytes> {
        s.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect()
    }

    #[test]
    fn key_specs_find_keys_like_redis() {
        let m = super::super::meta::load();
        assert_eq!(key_positions(&m["get"], &args("get a")).unwrap(), vec![1]);
        assert_eq!(key_positions(&m["mset"], &args("mset a 1 b 2")).unwrap(), vec![1, 3]);
        assert_eq!(key_positions(&m["del"], &args("del a b c")).unwrap(), vec![1, 2, 3]);
        assert_eq!(key_positions(&m["zunionstore"], &args("zunionstore d 2 a b weights 1 2")).unwrap(), vec![1, 3, 4]);
        assert_eq!(key_positions(&m["zunionstore"], &args("zunionstore d x a")), Err(KeysError::Invalid));
        assert_eq!(key_positions(&m["blpop"], &args("blpop a b 0")).unwrap(), vec![1, 2]);
        assert_eq!(key_positions(&m["lmpop"], &args("lmpop 2 a b left")).unwrap(), vec![2, 3]);
        assert_eq!(key_positions(&m["lmpop"], &args("lmpop 9223372036854775807 a left")), Err(KeysError::Invalid));
        assert_eq!(key_positions(&m["sort"], &args("sort a by x store b")).unwrap(), vec![1, 5]);
        assert_eq!(key_positions(&m["migrate"], &args("migrate h 1  0 5 keys a b")).unwrap(), vec![7, 8]);
        assert_eq!(key_positions(&m["ping"], &args("ping")).unwrap(), Vec::<usize>::new());
        assert_eq!(key_positions(&m["set"], &args("set a b")).unwrap(), vec![1]);
    }
}
