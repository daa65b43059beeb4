//! Bitmap commands side by side with redis-server 7.0: SETBIT, GETBIT, BITCOUNT, BITPOS,
//! BITOP, BITFIELD, BITFIELD_RO — options, ranges, overflow modes, errors, and both
//! protocols; plus seeded random sweeps of ranges and field operations.
use crate::harness::*;
use crate::string::{lines, same_in_both_protocols};

#[test]
fn setbit_and_getbit_match_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "SETBIT b 7 1",
            "GET b",
            "SETBIT b 7 1",
            "SETBIT b 7 0",
            "SETBIT b 100 1",
            "GETBIT b 100",
            "GETBIT b 101",
            "GETBIT b 100000",
            "GETBIT missing 5",
            "STRLEN b",
            "SETBIT b 1 2",
            "SETBIT b 1 -1",
            "SETBIT b 1 x",
            "SETBIT b -1 1",
            "SETBIT b x 1",
            "SETBIT b 1.5 1",
            "GETBIT b -1",
            "GETBIT b x",
            "SET s 1",
            "SETBIT s 6 1",
            "GET s",
            "SETBIT big 4294967295 0",
            "SETBIT big 4294967296 0",
            "GETBIT big 4294967296",
            "STRLEN big",
        ]),
    );
}

#[test]
fn bit_offsets_are_bounded_by_proto_max_bulk_len() {
    same_in_both_protocols(
        &["--proto-max-bulk-len", "1048576"],
        &lines(&[
            "SETBIT b 8388607 1",
            "SETBIT b 8388608 1",
            "GETBIT b 8388608",
            "BITFIELD b GET u8 8388600",
            "BITFIELD b GET u8 #1048575",
            "BITFIELD b GET u8 #1048576",
            "BITFIELD b SET u8 #1048575 255",
            "STRLEN b",
        ]),
    );
}

#[test]
fn bitcount_matches_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "SET s foobar",
            "BITCOUNT s",
            "BITCOUNT s 0 0",
            "BITCOUNT s 1 1",
            "BITCOUNT s 1 -2",
            "BITCOUNT s -100 100",
            "BITCOUNT s 5 1",
            "BITCOUNT s 0 -1 BIT",
            "BITCOUNT s 5 30 bit",
            "BITCOUNT s 5 30 BYTE",
            "BITCOUNT s 47 47 BIT",
            "BITCOUNT s -1 -1 BIT",
            "BITCOUNT s 5 30 FOO",
            "BITCOUNT s -1 -5 FOO",
            "BITCOUNT s -2 -3",
            "BITCOUNT s -2 -3 BIT",
            "BITCOUNT s 1",
            "BITCOUNT s 1 2 BIT x",
            "BITCOUNT s a b",
            "BITCOUNT s 1 b",
            "BITCOUNT missing",
            "BITCOUNT missing 1",
            "BITCOUNT missing a b",
            "SET e ",
            "BITCOUNT e",
            "BITCOUNT e 0 -1 BIT",
        ]),
    );
}

#[test]
fn bitpos_matches_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "SET s foobar",
            "BITPOS s 1",
            "BITPOS s 0",
            "BITPOS s 1 2",
            "BITPOS s 1 2 -1",
            "BITPOS s 0 2 -1 BIT",
            "BITPOS s 1 7 13 BIT",
            "BITPOS s 0 7 13 bit",
            "BITPOS s 1 7 13 BYTE",
            "BITPOS s 1 2 1",
            "BITPOS s 1 0 0 FOO",
            "BITPOS s 1 0 0 BIT extra",
            "BITPOS s 2",
            "BITPOS s -1",
            "BITPOS s x",
            "BITPOS s 1 a",
            "BITPOS s 1 0 a",
            "BITPOS missing 1",
            "BITPOS missing 0",
            "BITPOS missing 0 1 2 3 4",
            "BITPOS missing 2",
            "SET e ",
            "BITPOS e 0",
            "BITPOS e 1",
            "BITPOS e 0 0 -1 BIT",
            "SETBIT ones 0 1",
            "BITFIELD ones SET u16 0 65535",
            "BITPOS ones 0",
            "BITPOS ones 0 0",
            "BITPOS ones 0 0 -1",
            "BITPOS ones 0 0 1",
            "BITPOS ones 0 0 15 BIT",
            "BITPOS ones 0 3 BIT",
            "BITPOS ones 1 20 BIT",
            "BITPOS ones 0 20 -1 BIT",
        ]),
    );
}

/// Every (start, end, unit) over a few strings, for BITCOUNT and BITPOS 0/1.
#[test]
fn bit_ranges_match_redis_across_a_sweep() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let values: [&[u8]; 4] = [b"\x00\xff\x00\x01\x80", b"\xff\xff\xfe", b"\x00\x00\x00\x10", b"\x5a"];
    for (n, v) in values.iter().enumerate() {
        let key = format!("k{n}");
        for c in [&mut a, &mut b] {
            assert_eq!(c.cmd_bin(&[b"SET", key.as_bytes(), v]), ok());
        }
        let bits = v.len() as i64 * 8;
        for start in (-bits - 2..bits + 2).step_by(3) {
            for end in (-bits - 2..bits + 2).step_by(5) {
                let (s, e) = (start.to_string(), end.to_string());
                for unit in ["BIT", "BYTE"] {
                    p.same(&mut a, &mut b, &["BITCOUNT", &key, &s, &e, unit]);
                    p.same(&mut a, &mut b, &["BITPOS", &key, "1", &s, &e, unit]);
                    p.same(&mut a, &mut b, &["BITPOS", &key, "0", &s, &e, unit]);
                }
                p.same(&mut a, &mut b, &["BITPOS", &key, "0", &s]);
                p.same(&mut a, &mut b, &["BITPOS", &key, "1", &s, &e]);
            }
        }
    }
}

#[test]
fn bitop_matches_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "SET a foobar",
            "SET b abcdefghij",
            "BITOP AND d a b",
            "GET d",
            "BITOP OR d a b missing",
            "GET d",
            "BITOP XOR d a b a",
            "GET d",
            "BITOP NOT d a",
            "GET d",
            "BITOP and d b",
            "GET d",
            "BITOP AnD d missing a",
            "GET d",
            "BITOP NOT d a b",
            "BITOP NOT d",
            "BITOP FOO d a",
            "BITOP ANDX d a",
            "BITOP AND d missing1 missing2",
            "GET d",
            "BITOP OR a a b",
            "GET a",
        ]),
    );
}

#[test]
fn bitfield_matches_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "BITFIELD f SET i8 0 100 GET i8 0 INCRBY i8 0 100 GET u8 0",
            "BITFIELD f OVERFLOW SAT INCRBY i8 0 100 OVERFLOW FAIL INCRBY i8 0 100 OVERFLOW WRAP INCRBY i8 0 100",
            "BITFIELD f OVERFLOW sat INCRBY i8 0 -300 INCRBY u8 8 -1 INCRBY u8 8 300",
            "BITFIELD f SET u63 3 9223372036854775807 GET u63 3 GET i64 3 INCRBY u63 3 1",
            "BITFIELD f SET i64 5 -9223372036854775808 INCRBY i64 5 -1 OVERFLOW SAT INCRBY i64 5 -1 INCRBY i64 5 9223372036854775807 INCRBY i64 5 1",
            "BITFIELD f SET u5 #3 31 GET u5 #3 GET u5 15 SET i5 #100 -16 GET i5 #100",
            "GET f",
            "BITFIELD f GET u8 999999",
            "BITFIELD f GET u8 #-1",
            "BITFIELD f GET u8 #a",
            "BITFIELD f GET u8 -1",
            "BITFIELD f GET I8 0",
            "BITFIELD f GET u64 0",
            "BITFIELD f GET i65 0",
            "BITFIELD f GET i0 0",
            "BITFIELD f GET u 0",
            "BITFIELD f GET x8 0",
            "BITFIELD f GET u8",
            "BITFIELD f OVERFLOW",
            "BITFIELD f OVERFLOW FOO",
            "BITFIELD f FOO",
            "BITFIELD f SET u8 0 x",
            "BITFIELD f SET u8 0",
            "BITFIELD f INCRBY u8 0 1 OVERFLOW",
            "BITFIELD f",
            "BITFIELD missing GET u8 0 GET i64 0",
            "BITFIELD new SET u1 7 1",
            "GET new",
            "BITFIELD failing OVERFLOW FAIL INCRBY u2 0 5",
            "GET failing",
            "SET s abc",
            "BITFIELD s GET u8 0 GET u16 4 GET i32 20 SET u3 1 7 GET u32 0",
            "BITFIELD s SET u8 0 256 SET i8 8 200 SET u8 16 -1 OVERFLOW SAT SET u8 24 -1 SET i8 32 200 SET i8 40 -200 OVERFLOW FAIL SET u8 48 256 SET u8 48 255",
            "GET s",
            "BITFIELD s OVERFLOW FAIL SET i8 0 128 SET i8 0 -128 SET i1 0 -1 SET i1 0 1 SET u1 0 2",
            "BITFIELD s OVERFLOW SAT INCRBY i1 0 5 INCRBY i1 0 -5 INCRBY u1 0 5 INCRBY u1 0 -5",
            "BITFIELD s OVERFLOW WRAP INCRBY i1 0 5 INCRBY i1 0 -5 INCRBY u1 0 5 INCRBY u1 0 -5 INCRBY i64 0 9223372036854775807 INCRBY i63 0 -9223372036854775808",
            "BITFIELD_RO s GET u8 0 GET i4 4",
            "BITFIELD_RO s GET u8 0 OVERFLOW SAT",
            "BITFIELD_RO s SET u8 0 1",
            "BITFIELD_RO s INCRBY u8 0 1",
            "BITFIELD_RO s",
            "BITFIELD_RO missing GET u8 0",
            "BITFIELD_RO s GET u64 0",
            "LPUSH l a",
            "BITFIELD l GET u8 0",
            "BITFIELD l SET u8 0 1",
            "BITFIELD_RO l GET u8 0",
            "BITFIELD l",
        ]),
    );
}

/// Seeded random BITFIELD sequences: any width, signedness, overflow mode and offset.
#[test]
fn bitfield_random_operations_match_redis() {
    let p = Pair::start(&[]);
    let (mut a, mut b) = (p.ours.client(), p.theirs.client());
    let mut seed: u64 = 0x5eed_1234_abcd_ef01;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..400 {
        let mut cmd: Vec<String> = vec!["BITFIELD".into(), "r".into()];
        for _ in 0..(1 + next() % 4) {
            let signed = next() % 2 == 0;
            let bits = if signed { 1 + next() % 64 } else { 1 + next() % 63 };
            let ty = format!("{}{bits}", if signed { "i" } else { "u" });
            let offset = (next() % 200).to_string();
            let value = match next() % 4 {
                0 => (next() as i64).to_string(),
                1 => ((next() % 512) as i64 - 256).to_string(),
                2 => i64::MAX.to_string(),
                _ => i64::MIN.to_string(),
            };
            match next() % 4 {
                0 => cmd.extend(["GET".into(), ty, offset]),
                1 => cmd.extend(["SET".into(), ty, offset, value]),
                2 => cmd.extend(["INCRBY".into(), ty, offset, value]),
                _ => cmd.extend(["OVERFLOW".into(), ["WRAP", "SAT", "FAIL"][(next() % 3) as usize].into()]),
            }
        }
        let args: Vec<&str> = cmd.iter().map(|s| s.as_str()).collect();
        p.same(&mut a, &mut b, &args);
    }
    p.same(&mut a, &mut b, &["GET", "r"]);
}

#[test]
fn bitmap_commands_refuse_other_types_like_redis() {
    same_in_both_protocols(
        &[],
        &lines(&[
            "LPUSH l a",
            "SETBIT l 0 1",
            "SETBIT l x 1",
            "GETBIT l 0",
            "BITCOUNT l",
            "BITCOUNT l a b",
            "BITPOS l 1",
            "BITPOS l 2",
            "SET s v",
            "BITOP AND d s l",
            "BITOP NOT d l",
            "BITOP AND l s",
            "TYPE l",
        ]),
    );
}
