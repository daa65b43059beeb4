//! Parsing one directive's arguments into its canonical value, with Redis's error texts.
use super::table::{Directive, Kind, Special};
use crate::util::num::parse_f64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// A config file line or command-line option.
    File,
    ConfigSet,
}

/// Redis's memtoull: a number with an optional unit (b, k, kb, m, mb, g, gb; any case).
pub fn parse_memory(s: &str) -> Option<i64> {
    let lower = s.to_ascii_lowercase();
    let split = lower.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let mul: i64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let n: i64 = num.parse().ok()?;
    n.checked_mul(mul)
}

fn parse_int_strict(s: &str) -> Option<i64> {
    crate::util::num::parse_i64(s.as_bytes()).or_else(|| {
        // Redis's config integers go through strtoll, which accepts a leading '+' and
        // leading zeros; keep the common forms.
        let t = s.trim_start_matches('+');
        if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else if let Some(r) = t.strip_prefix('-') {
            r.parse::<i64>().ok().map(|v| -v)
        } else {
            None
        }
    })
}

fn bounds(v: i64, lo: i64, hi: i64) -> Result<i64, String> {
    if v < lo || v > hi {
        Err(format!("argument must be between {lo} and {hi} inclusive"))
    } else {
        Ok(v)
    }
}

/// Parses `args` for directive `d`. `current` is the running value (some directives
/// merge, e.g. client-output-buffer-limit by class).
pub fn parse(d: &Directive, args: &[String], current: Option<&str>, origin: Origin) -> Result<String, String> {
    let one = || -> Result<&str, String> {
        if args.len() == 1 {
            Ok(args[0].as_str())
        } else {
            Err("wrong number of arguments".into())
        }
    };
    match d.kind {
        Kind::Bool => {
            let a = one()?;
            match a.to_ascii_lowercase().as_str() {
                "yes" => Ok("yes".into()),
                "no" => Ok("no".into()),
                _ => Err("argument must be 'yes' or 'no'".into()),
            }
        }
        Kind::Int(lo, hi) => {
            let a = one()?;
            let v = parse_int_strict(a).ok_or("argument couldn't be parsed into an integer")?;
            Ok(bounds(v, lo, hi)?.to_string())
        }
        Kind::Mem(lo, hi) => {
            let a = one()?;
            let v = parse_memory(a).ok_or("argument must be a memory value")?;
            Ok(bounds(v, lo, hi)?.to_string())
        }
        Kind::MemOrPercent => {
            let a = one()?;
            if let Some(p) = a.strip_suffix('%') {
                let v = parse_int_strict(p).filter(|v| *v >= 0).ok_or("argument must be a memory or percent value")?;
                if v > 100 {
                    return Err("percentage argument must be less or equal to 100".into());
                }
                Ok(format!("{v}%"))
            } else {
                let v = parse_memory(a).ok_or("argument must be a memory or percent value")?;
                Ok(bounds(v, 0, i64::MAX)?.to_string())
            }
        }
        Kind::Enum(options) => {
            let bad = || format!("argument(s) must be one of the following: {}", options.join(", "));
            if d.flags & super::table::MULTI_ARG == 0 {
                let a = one()?.to_ascii_lowercase();
                return options.iter().find(|o| **o == a).map(|o| o.to_string()).ok_or_else(bad);
            }
            // A multi-valued enum (shutdown-on-sig*) is a set of flags: the words are
            // kept once each, in the table's order; the first option ("default") means
            // no flag and stands alone only.
            let joined = args.join(" ").to_ascii_lowercase();
            let words: Vec<&str> = joined.split_whitespace().collect();
            if words.is_empty() {
                return Err(bad());
            }
            let mut set = vec![false; options.len()];
            for w in &words {
                let i = options.iter().position(|o| o == w).ok_or_else(bad)?;
                set[i] = true;
            }
            if d.name.starts_with("shutdown-on-") && words.contains(&"save") && words.contains(&"nosave") {
                return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
            }
            let chosen: Vec<&str> = options.iter().zip(&set).skip(1).filter(|(_, on)| **on).map(|(o, _)| *o).collect();
            Ok(if chosen.is_empty() { options[0].to_string() } else { chosen.join(" ") })
        }
        Kind::Str => {
            let a = one()?;
            if d.name == "proc-title-template" && !crate::util::template::proc_title_template_is_valid(a) {
                return Err("template format is invalid or contains unknown variables".into());
            }
            // File names the AOF and RDB code join to `dir`: a path would escape it.
            let is_path = a.contains('/') || a.contains('\\');
            match d.name {
                "appendfilename" if a.is_empty() => return Err("appendfilename can't be empty".into()),
                "appendfilename" if is_path => return Err("appendfilename can't be a path, just a filename".into()),
                "appenddirname" if a.is_empty() => return Err("appenddirname can't be empty".into()),
                "appenddirname" if is_path => return Err("appenddirname can't be a path, just a dirname".into()),
                "dbfilename" if is_path => return Err("dbfilename can't be a path, just a filename".into()),
                _ => {}
            }
            Ok(a.to_string())
        }
        Kind::Octal => {
            let a = one()?;
            let v = i64::from_str_radix(a, 8).map_err(|_| "argument couldn't be parsed into an integer".to_string())?;
            bounds(v, 0, 0o777)?;
            Ok(format!("{v:o}"))
        }
        Kind::Special(s) => parse_special(s, args, current, origin),
    }
}

fn parse_special(s: Special, args: &[String], current: Option<&str>, origin: Origin) -> Result<String, String> {
    match s {
        Special::Hz => {
            if args.len() != 1 {
                return Err("wrong number of arguments".into());
            }
            let v = parse_int_strict(&args[0]).ok_or("argument couldn't be parsed into an integer")?;
            bounds(v, 0, i32::MAX as i64)?;
            Ok(v.clamp(1, 500).to_string())
        }
        Special::Save => {
            let words: Vec<&str> = args.iter().flat_map(|a| a.split_whitespace()).collect();
            if words.is_empty() || (words.len() == 1 && words[0].is_empty()) {
                return Ok(String::new());
            }
            if !words.len().is_multiple_of(2) {
                return Err("Invalid save parameters".into());
            }
            // Seconds at least 1, changes at least 0.
            for (i, w) in words.iter().enumerate() {
                match w.parse::<i64>() {
                    Ok(v) if v >= 1 - (i % 2) as i64 => {}
                    _ => return Err("Invalid save parameters".into()),
                }
            }
            let mut out: Vec<String> = words.iter().map(|w| w.parse::<i64>().unwrap_or(0).to_string()).collect();
            // In a file, each `save` line adds a point (after the first replaced the
            // defaults; load.rs handles that reset).
            if origin == Origin::File {
                if let Some(cur) = current {
                    if !cur.is_empty() {
                        let mut merged: Vec<String> = cur.split_whitespace().map(String::from).collect();
                        merged.append(&mut out);
                        out = merged;
                    }
                }
            }
            Ok(out.join(" "))
        }
        Special::Bind => {
            // An empty list is allowed: no TCP listener (the Unix socket only).
            let words: Vec<&str> = args.iter().flat_map(|a| a.split_whitespace()).collect();
            if words.len() > 16 {
                return Err("Too many bind addresses specified.".into());
            }
            Ok(words.join(" "))
        }
        Special::ClientOutputBufferLimit => {
            let words: Vec<&str> = args.iter().flat_map(|a| a.split_whitespace()).collect();
            if !words.len().is_multiple_of(4) || words.is_empty() {
                return Err("Wrong number of arguments in buffer limit configuration.".into());
            }
            let mut classes: Vec<(String, [i64; 3])> = Vec::new();
            for cur in current.unwrap_or("").split_whitespace().collect::<Vec<_>>().chunks(4) {
                if cur.len() == 4 {
                    let n = |s: &str| s.parse::<i64>().unwrap_or(0);
                    classes.push((cur[0].to_string(), [n(cur[1]), n(cur[2]), n(cur[3])]));
                }
            }
            for chunk in words.chunks(4) {
                let class = match chunk[0].to_ascii_lowercase().as_str() {
                    "normal" => "normal",
                    "replica" | "slave" => "slave",
                    "pubsub" => "pubsub",
                    _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
                };
                let hard = parse_memory(chunk[1]);
                let soft = parse_memory(chunk[2]);
                let secs = chunk[3].parse::<i64>().ok();
                let (Some(hard), Some(soft), Some(secs)) = (hard, soft, secs) else {
                    return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into());
                };
                if hard < 0 || soft < 0 || secs < 0 {
                    return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into());
                }
                match classes.iter_mut().find(|(c, _)| c == class) {
                    Some(e) => e.1 = [hard, soft, secs],
                    None => classes.push((class.to_string(), [hard, soft, secs])),
                }
            }
            let order = ["normal", "slave", "pubsub"];
            classes.sort_by_key(|(c, _)| order.iter().position(|o| o == c).unwrap_or(9));
            Ok(classes.iter().map(|(c, v)| format!("{c} {} {} {}", v[0], v[1], v[2])).collect::<Vec<_>>().join(" "))
        }
        Special::NotifyKeyspaceEvents => {
            if args.len() != 1 {
                return Err("wrong number of arguments".into());
            }
            let flags = crate::server::notify::parse_flags(&args[0]).ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
            Ok(crate::server::notify::flags_to_stored(flags))
        }
        Special::OomScoreAdjValues => {
            let words: Vec<&str> = args.iter().flat_map(|a| a.split_whitespace()).collect();
            if words.len() != 3 {
                return Err("wrong number of arguments".into());
            }
            for w in &words {
                match w.parse::<i64>() {
                    Ok(v) if (-2000..=2000).contains(&v) => {}
                    _ => return Err("Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into()),
                }
            }
            Ok(words.join(" "))
        }
        Special::LatencyPercentiles => {
            let words: Vec<&str> = args.iter().flat_map(|a| a.split_whitespace()).collect();
            let mut out = Vec::new();
            for w in words {
                match parse_f64(w.as_bytes()) {
                    Some(v) if (0.0..=100.0).contains(&v) => out.push(fmt_percentile(v)),
                    Some(_) => return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into()),
                    None => return Err("Invalid latency-tracking-info-percentiles parameters".into()),
                }
            }
            Ok(out.join(" "))
        }
        Special::ReplicaOf => {
            let words: Vec<&str> = args.iter().flat_map(|a| a.split_whitespace()).collect();
            if words.len() != 2 {
                return Err("wrong number of arguments".into());
            }
            if words[0].eq_ignore_ascii_case("no") && words[1].eq_ignore_ascii_case("one") {
                return Ok(String::new());
            }
            let port: i64 = words[1].parse().map_err(|_| "Invalid master port".to_string())?;
            bounds(port, 0, 65535)?;
            Ok(format!("{} {}", words[0], port))
        }
        Special::Dir => {
            if args.len() != 1 {
                return Err("wrong number of arguments".into());
            }
            let p = std::path::Path::new(&args[0]);
            if !p.is_dir() {
                return Err("No such file or directory".into());
            }
            let abs = std::fs::canonicalize(p).map_err(|e| e.to_string())?;
            Ok(abs.to_string_lossy().into_owned())
        }
    }
}

/// A percentile as Redis prints it (CONFIG GET, INFO latencystats labels): `%f` with
/// its trailing zeros (and a bare point) removed: 99.9, 50, 0.333333.
pub fn fmt_percentile(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("100"), Some(100));
        assert_eq!(parse_memory("1k"), Some(1000));
        assert_eq!(parse_memory("1KB"), Some(1024));
        assert_eq!(parse_memory("2gb"), Some(2 << 30));
        assert_eq!(parse_memory("10xb"), None);
        assert_eq!(parse_memory(""), None);
    }

    #[test]
    fn percentiles_print_like_redis() {
        assert_eq!(fmt_percentile(99.9), "99.9");
        assert_eq!(fmt_percentile(50.0), "50");
        assert_eq!(fmt_percentile(0.0), "0");
        assert_eq!(fmt_percentile(0.3333333), "0.333333");
        assert_eq!(fmt_percentile(99.99999999), "100");
    }
}
