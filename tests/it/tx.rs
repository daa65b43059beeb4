//! MULTI / EXEC / DISCARD / WATCH / UNWATCH.
use crate::harness::*;

#[test]
fn transactions_match_redis() {
    assert_same_as_redis(
        &[],
        &[
            "EXEC",
            "DISCARD",
            "MULTI",
            "MULTI",
            "SET a 1",
            "INCR a",
            "GET a",
            "EXEC",
            "MULTI",
            "SET a",
            "GET a",
            "EXEC",
            "MULTI",
            "NOSUCHCOMMAND",
            "EXEC",
            "MULTI",
            "SET b 2",
            "DISCARD",
            "GET b",
            "WATCH a",
            "MULTI",
            "WATCH a",
            "EXEC",
            "UNWATCH",
        ],
    );
}

#[test]
fn runtime_errors_inside_exec_do_not_abort_the_rest() {
    assert_same_as_redis(&[], &["SET s str", "MULTI", "LPUSH s x", "SET t 1", "INCR s", "GET t", "EXEC"]);
}

#[test]
fn watch_aborts_exec_when_another_client_writes() {
    let s = Server::start(&[]);
    let mut a = s.client();
    let mut b = s.client();
    assert_eq!(a.cmd(&["SET", "w", "1"]), ok());
    assert_eq!(a.cmd(&["WATCH", "w"]), ok());
    assert_eq!(b.cmd(&["SET", "w", "2"]), ok());
    assert_eq!(a.cmd(&["MULTI"]), ok());
    assert_eq!(a.cmd(&["SET", "w", "3"]), Reply::status("QUEUED"));
    assert_eq!(a.cmd(&["EXEC"]), Reply::NilArray);
    assert_eq!(a.cmd(&["GET", "w"]), bulk("2"));
    // Without interference the transaction runs; the watch is gone afterwards.
    assert_eq!(a.cmd(&["WATCH", "w"]), ok());
    assert_eq!(a.cmd(&["MULTI"]), ok());
    assert_eq!(a.cmd(&["SET", "w", "3"]), Reply::status("QUEUED"));
    assert_eq!(a.cmd(&["EXEC"]), arr(vec![ok()]));
    assert_eq!(b.cmd(&["SET", "w", "4"]), ok());
    assert_eq!(a.cmd(&["MULTI"]), ok());
    assert_eq!(a.cmd(&["GET", "w"]), Reply::status("QUEUED"));
    assert_eq!(a.cmd(&["EXEC"]), arr(vec![bulk("4")]));
}

#[test]
fn watch_sees_deletes_in_other_databases_only_for_the_watched_db() {
    let s = Server::start(&[]);
    let mut a = s.client();
    let mut b = s.client();
    assert_eq!(a.cmd(&["SET", "x", "1"]), ok());
    assert_eq!(a.cmd(&["WATCH", "x"]), ok());
    assert_eq!(b.cmd(&["SELECT", "1"]), ok());
    assert_eq!(b.cmd(&["SET", "x", "other-db"]), ok());
    assert_eq!(a.cmd(&["MULTI"]), ok());
    assert_eq!(a.cmd(&["GET", "x"]), Reply::status("QUEUED"));
    assert_eq!(a.cmd(&["EXEC"]), arr(vec![bulk("1")]));
}

#[test]
fn exec_of_a_watched_key_that_expired_fails() {
    let s = Server::start(&[]);
    let mut a = s.client();
    assert_eq!(a.cmd(&["SET", "e", "1", "PX", "50"]), ok());
    assert_eq!(a.cmd(&["WATCH", "e"]), ok());
    assert!(wait_until(std::time::Duration::from_secs(5), || {
        let mut b = s.client();
        b.cmd(&["EXISTS", "e"]) == int(0)
    }));
    assert_eq!(a.cmd(&["MULTI"]), ok());
    assert_eq!(a.cmd(&["PING"]), Reply::status("QUEUED"));
    assert_eq!(a.cmd(&["EXEC"]), Reply::NilArray);
}

#[test]
fn resp3_exec_abort_is_null() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    for args in [&["HELLO", "3"][..], &["WATCH", "k"], &["SET", "k", "1"], &["MULTI"], &["GET", "k"], &["EXEC"]] {
        if args[0] == "HELLO" {
            a.cmd(args);
            b.cmd(args);
            continue;
        }
        p.same(&mut a, &mut b, args);
    }
}

/// Runs the same steps on slotd and redis-server (each step's replies must agree).
fn side_by_side(extra: &[&str], steps: impl Fn(&mut Client, &mut Client) -> Vec<Reply>) {
    let p = Pair::start(extra);
    let ours = steps(&mut p.ours.client(), &mut p.ours.client());
    let theirs = steps(&mut p.theirs.client(), &mut p.theirs.client());
    assert_eq!(ours, theirs);
}

/// Sets `key` to expire in 1 ms. With active expiry off it stays in the table as a
/// stale key once that ms passed (the callers sleep past it: any read would expire it).
fn stale_key(c: &mut Client, key: &str) {
    c.cmd(&["SET", key, "foo", "PX", "1"]);
}

#[test]
fn watching_a_stale_key_is_watching_a_missing_key() {
    side_by_side(&["--enable-debug-command", "yes"], |c, _| {
        let mut out = Vec::new();
        c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
        for touch in [&[][..], &["EXISTS", "x"], &["FLUSHDB"]] {
            stale_key(c, "x");
            std::thread::sleep(std::time::Duration::from_millis(5));
            out.push(c.cmd(&["WATCH", "x"]));
            if !touch.is_empty() {
                out.push(c.cmd(touch));
            }
            c.cmd(&["MULTI"]);
            c.cmd(&["PING"]);
            out.push(c.cmd(&["EXEC"]));
        }
        out
    });
}

#[test]
fn swapdb_touches_watched_keys_only_when_they_really_change() {
    side_by_side(&["--enable-debug-command", "yes"], |c, _| {
        let mut out = Vec::new();
        let exec = |c: &mut Client| {
            c.cmd(&["MULTI"]);
            c.cmd(&["PING"]);
            c.cmd(&["EXEC"])
        };
        c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
        // stale key replaced with no key
        c.cmd(&["FLUSHALL"]);
        c.cmd(&["SELECT", "1"]);
        stale_key(c, "x");
        std::thread::sleep(std::time::Duration::from_millis(5));
        c.cmd(&["WATCH", "x"]);
        c.cmd(&["SWAPDB", "0", "1"]);
        out.push(exec(c));
        // no key replaced with a stale key
        c.cmd(&["FLUSHALL"]);
        c.cmd(&["SELECT", "0"]);
        stale_key(c, "x");
        std::thread::sleep(std::time::Duration::from_millis(5));
        c.cmd(&["SELECT", "1"]);
        c.cmd(&["WATCH", "x"]);
        c.cmd(&["SWAPDB", "0", "1"]);
        out.push(exec(c));
        // stale key replaced with another stale key
        c.cmd(&["FLUSHALL"]);
        c.cmd(&["SELECT", "1"]);
        stale_key(c, "x");
        c.cmd(&["SELECT", "0"]);
        stale_key(c, "x");
        std::thread::sleep(std::time::Duration::from_millis(5));
        c.cmd(&["SELECT", "1"]);
        c.cmd(&["WATCH", "x"]);
        c.cmd(&["SWAPDB", "0", "1"]);
        out.push(exec(c));
        // a live key replaced with nothing, and nothing replaced with a live key
        c.cmd(&["FLUSHALL"]);
        c.cmd(&["SET", "x", "1"]);
        c.cmd(&["WATCH", "x"]);
        c.cmd(&["SWAPDB", "0", "1"]);
        out.push(exec(c));
        c.cmd(&["WATCH", "x"]);
        c.cmd(&["SWAPDB", "0", "1"]);
        out.push(exec(c));
        // neither database has the key
        c.cmd(&["WATCH", "nosuchkey"]);
        c.cmd(&["SWAPDB", "0", "1"]);
        out.push(exec(c));
        out
    });
}

#[test]
fn exec_refused_for_memory_aborts_the_transaction() {
    side_by_side(&[], |c, other| {
        let mut out = vec![c.cmd(&["MULTI"]), c.cmd(&["SET", "x", "1"]), c.cmd(&["GET", "x"])];
        other.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
        out.push(c.cmd(&["EXEC"]));
        out.push(c.cmd(&["EXEC"]));
        // Inside MULTI even reads are refused at the limit.
        out.push(c.cmd(&["MULTI"]));
        out.push(c.cmd(&["GET", "x"]));
        out.push(c.cmd(&["DISCARD"]));
        other.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
        out.push(c.cmd(&["SET", "x", "2"]));
        out
    });
}
