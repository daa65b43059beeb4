use crate::harness::*;

#[test]
fn ping_set_get_round_trip() {
    let s = Server::start(&[]);
    let mut c = s.client();
    assert_eq!(c.cmd(&["PING"]), Reply::status("PONG"));
    assert_eq!(c.cmd(&["SET", "k", "v"]), ok());
    assert_eq!(c.cmd(&["GET", "k"]), bulk("v"));
    assert_eq!(c.cmd(&["GET", "missing"]), nil());
}

#[test]
fn unknown_commands_and_wrong_arity_match_redis() {
    assert_same_as_redis(&[], &["FOO", "FOO a b", "GET", "GET a b", "SET a"]);
}
