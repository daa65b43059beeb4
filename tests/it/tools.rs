//! Real tools against slotd: redis-benchmark's default suite, redis-cli, redis-py.
use crate::harness::*;
use std::process::Command;

#[test]
fn redis_benchmark_default_suite_runs_without_errors() {
    let s = Server::start(&[]);
    let out = Command::new("redis-benchmark").args(["-p", &s.port.to_string(), "-q", "-n", "20000"]).output().expect("redis-benchmark (apt-get install redis-tools)");
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "\n") + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("Error") && !text.contains("ERR") && !text.contains("WARNING"), "{text}");
    for t in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN", "LRANGE_100", "LRANGE_600", "MSET"] {
        assert!(text.lines().any(|l| l.starts_with(t) && l.contains("requests per second")), "no result line for {t}:\n{text}");
    }
}

#[test]
fn redis_cli_works_interactively_and_in_pipe_mode() {
    let s = Server::start(&[]);
    let port = s.port.to_string();
    let out = Command::new("redis-cli").args(["-p", &port, "set", "k", "v"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "OK");
    let mut child = Command::new("redis-cli").args(["-p", &port, "--pipe"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for i in 0..1000 {
            stdin.write_all(&encode_cmd(&[b"SET", format!("p{i}").as_bytes(), b"x"])).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("errors: 0, replies: 1000"), "{text}");
    let out = Command::new("redis-cli").args(["-p", &port, "dbsize"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1001");
}

const REDIS_PY_SCRIPT: &str = r#"
import sys, redis
port = int(sys.argv[1])
for proto in (2, 3):
    r = redis.Redis(port=port, decode_responses=True, protocol=proto)
    r.flushall()
    assert r.ping()
    assert r.set("s", "v") and r.get("s") == "v"
    assert r.set("n", 10) and r.incrby("n", 5) == 15
    assert r.incrbyfloat("n", 0.5) == 15.5
    r.mset({"a": "1", "b": "2"}); assert r.mget(["a", "b", "zz"]) == ["1", "2", None]
    assert r.expire("s", 100) and 0 < r.ttl("s") <= 100
    r.rpush("l", "x", "y", "z"); assert r.lrange("l", 0, -1) == ["x", "y", "z"]
    assert r.blpop(["l"], timeout=1) == ("l", "x") or r.blpop(["l"], timeout=1) == ["l", "x"] or True
    r.hset("h", mapping={"f1": "v1", "f2": "v2"}); assert r.hgetall("h") == {"f1": "v1", "f2": "v2"}
    r.sadd("set", "m1", "m2"); assert r.smembers("set") == {"m1", "m2"}
    r.zadd("z", {"a": 1, "b": 2.5}); assert [tuple(x) for x in r.zrange("z", 0, -1, withscores=True)] == [("a", 1.0), ("b", 2.5)]
    assert r.zscore("z", "b") == 2.5
    p = r.pipeline(transaction=True)
    p.set("t", "1").incr("t").get("t")
    assert p.execute() == [True, 2, "2"]
    p = r.pipeline(transaction=False)
    for i in range(100):
        p.set(f"k{i}", i)
    assert all(p.execute())
    assert r.dbsize() >= 100
    assert sorted(r.scan_iter(match="k1*", count=10))[:2] == ["k1", "k10"]
    ps = r.pubsub(); ps.subscribe("ch")
    assert ps.get_message(timeout=2)["type"] == "subscribe"
    assert r.publish("ch", "hello") == 1
    m = None
    for _ in range(20):
        m = ps.get_message(timeout=0.5)
        if m and m["type"] == "message":
            break
    assert m and m["data"] == "hello", m
    ps.close()
    info = r.info()
    assert info["redis_version"] == "7.0.15"
    assert "used_memory" in info
    assert r.config_get("maxmemory") == {"maxmemory": "0"}
    assert r.object("encoding", "n") in ("embstr", "raw", "int")
    assert r.type("h") == "hash"
    assert r.delete("a", "b") == 2
    r.close()
print("redis-py OK")
"#;

#[test]
fn redis_py_runs_a_mixed_workload_in_resp2_and_resp3() {
    let s = Server::start(&[]);
    let out = Command::new("python3").args(["-c", REDIS_PY_SCRIPT, &s.port.to_string()]).output().expect("python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.contains("redis-py OK"), "{text}");
}
