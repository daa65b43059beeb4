//! maxmemory and its policies: OOM refusals, eviction, counters.
use crate::harness::*;

fn info_num(c: &mut Client, section: &str, name: &str) -> i64 {
    let r = c.cmd(&["INFO", section]);
    let text = String::from_utf8_lossy(r.as_bytes().expect("INFO text")).into_owned();
    text.lines().find_map(|l| l.strip_prefix(&format!("{name}:"))).and_then(|v| v.trim().parse().ok()).unwrap_or_else(|| panic!("no {name} in INFO {section}"))
}

/// Sets maxmemory to what is used now plus `headroom` bytes.
fn limit_to_current_plus(c: &mut Client, headroom: i64) -> i64 {
    let used = info_num(c, "memory", "used_memory");
    let limit = used + headroom;
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", &limit.to_string()]), ok());
    limit
}

#[test]
fn noeviction_refuses_writes_with_oom_but_serves_reads_and_deletes() {
    let s = Server::start(&[]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["SET", "keep", "v"]), ok());
    limit_to_current_plus(&mut c, 200 * 1024);
    let big = "x".repeat(10_000);
    let mut refused = None;
    for i in 0..200 {
        match c.cmd(&["SET", &format!("k{i}"), &big]) {
            Reply::Error(e) => {
                refused = Some(e.to_string());
                break;
            }
            r => assert_eq!(r, ok()),
        }
    }
    assert_eq!(refused.as_deref(), Some("OOM command not allowed when used memory > 'maxmemory'."));
    assert_eq!(c.cmd(&["GET", "keep"]), bulk("v"));
    assert_eq!(c.cmd(&["DEL", "k0"]), int(1));
    assert_eq!(info_num(&mut c, "stats", "evicted_keys"), 0);
}

fn fill_and_check(policy: &str, volatile_half: bool) -> (Server, i64) {
    let s = Server::start(&["--maxmemory-policy", policy]);
    let mut c = s.client();
    let limit = limit_to_current_plus(&mut c, 400 * 1024);
    let val = "v".repeat(1000);
    for i in 0..2000 {
        let k = format!("key:{i}");
        let r = if volatile_half && i % 2 == 0 { c.cmd(&["SET", &k, &val, "EX", "10000"]) } else { c.cmd(&["SET", &k, &val]) };
        assert_eq!(r, ok(), "write {i} refused under {policy}");
    }
    let used = info_num(&mut c, "memory", "used_memory");
    assert!(used <= limit + 64 * 1024, "{policy}: used_memory {used} far above maxmemory {limit}");
    assert!(info_num(&mut c, "stats", "evicted_keys") > 0, "{policy}: nothing evicted");
    (s, limit)
}

#[test]
fn allkeys_policies_evict_to_stay_under_the_limit() {
    for p in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
        let (s, _) = fill_and_check(p, false);
        let mut c = s.client();
        let n = match c.cmd(&["DBSIZE"]) {
            Reply::Int(n) => n,
            r => panic!("{r:?}"),
        };
        assert!(n > 10 && n < 2000, "{p}: dbsize {n}");
    }
}

#[test]
fn volatile_policies_only_evict_keys_with_a_ttl() {
    for p in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] {
        let s = Server::start(&["--maxmemory-policy", p]);
        let mut c = s.client();
        limit_to_current_plus(&mut c, 400 * 1024);
        let val = "v".repeat(1000);
        // Half the keys persistent, written first; then volatile ones push memory over.
        for i in 0..150 {
            assert_eq!(c.cmd(&["SET", &format!("p:{i}"), &val]), ok());
        }
        for i in 0..1500 {
            let r = c.cmd(&["SET", &format!("v:{i}"), &val, "EX", "10000"]);
            if r != ok() {
                break;
            }
        }
        assert!(info_num(&mut c, "stats", "evicted_keys") > 0, "{p}: nothing evicted");
        for i in 0..150 {
            assert_eq!(c.cmd(&["EXISTS", &format!("p:{i}")]), int(1), "{p} evicted persistent key p:{i}");
        }
    }
}

#[test]
fn lru_evicts_idle_keys_before_recently_used_ones() {
    let s = Server::start(&["--maxmemory-policy", "allkeys-lru", "--maxmemory-samples", "10"]);
    let mut c = s.client();
    limit_to_current_plus(&mut c, 450 * 1024);
    let val = "v".repeat(1000);
    for i in 0..100 {
        assert_eq!(c.cmd(&["SET", &format!("hot:{i}"), &val]), ok());
    }
    for i in 0..200 {
        assert_eq!(c.cmd(&["SET", &format!("old:{i}"), &val]), ok());
    }
    assert_eq!(info_num(&mut c, "stats", "evicted_keys"), 0);
    // The LRU clock has one-second resolution: wait until the keys look idle, then
    // touch the hot ones so they are measurably newer than the old ones.
    assert!(wait_until(std::time::Duration::from_secs(5), || matches!(c.cmd(&["OBJECT", "IDLETIME", "old:0"]), Reply::Int(n) if n >= 1)));
    for i in 0..100 {
        c.cmd(&["GET", &format!("hot:{i}")]);
    }
    for i in 0..200 {
        assert_eq!(c.cmd(&["SET", &format!("new:{i}"), &val]), ok());
    }
    assert!(info_num(&mut c, "stats", "evicted_keys") > 50);
    let mut hot_alive = 0;
    for i in 0..100 {
        if c.cmd(&["EXISTS", &format!("hot:{i}")]) == int(1) {
            hot_alive += 1;
        }
    }
    assert!(hot_alive >= 90, "only {hot_alive}/100 recently used keys survived LRU eviction");
}
