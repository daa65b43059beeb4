//! Glob-style pattern matching with Redis's semantics (KEYS, SCAN MATCH, PSUBSCRIBE,
//! CONFIG GET, CLIENT KILL ...): `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges
//! allowed), `\x` escapes, optional case folding.
//!
//! Redis compares bytes as C `char`, which is signed on x86_64, so range bounds above 0x7f
//! order below ASCII; we keep that so `[\x00-\xff]` behaves as it does in Redis.

/// Deepest recursion through `*` before giving up: bounds stack use on hostile patterns
/// (Redis uses the same guard).
const MAX_NESTING: u32 = 1000;

pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut give_up = false;
    match_from(pattern, s, nocase, &mut give_up, 0)
}

fn fold(b: u8, nocase: bool) -> u8 {
    if nocase {
        b.to_ascii_lowercase()
    } else {
        b
    }
}

/// Matches `p` against `s`. `give_up` is set once a `*` found no match for the rest of
/// the pattern at any later position: an earlier `*` cannot do better, so callers stop.
fn match_from(mut p: &[u8], mut s: &[u8], nocase: bool, give_up: &mut bool, depth: u32) -> bool {
    if depth > MAX_NESTING {
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() > 1 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_from(&p[1..], s, nocase, give_up, depth + 1) {
                        return true;
                    }
                    if *give_up {
                        return false;
                    }
                    s = &s[1..];
                }
                *give_up = true;
                return false;
            }
            b'?' => {
                s = &s[1..];
                p = &p[1..];
            }
            b'[' => {
                let (matched, rest) = match_class(&p[1..], s[0], nocase);
                if !matched {
                    return false;
                }
                s = &s[1..];
                p = rest;
            }
            c => {
                let (lit, rest) = if c == b'\\' && p.len() >= 2 { (p[1], &p[2..]) } else { (c, &p[1..]) };
                if fold(lit, nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
                p = rest;
            }
        }
        if s.is_empty() {
            while !p.is_empty() && p[0] == b'*' {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

/// Matches one byte against a class whose body starts at `p` (just after `[`). Returns
/// whether it matched and the pattern after the closing `]` (or the end, when the class
/// is unterminated: Redis then treats the pattern as ending with the class).
fn match_class(mut p: &[u8], c: u8, nocase: bool) -> (bool, &[u8]) {
    let negate = p.first() == Some(&b'^');
    if negate {
        p = &p[1..];
    }
    let mut matched = false;
    loop {
        if p.is_empty() {
            break;
        }
        if p[0] == b'\\' && p.len() >= 2 {
            if p[1] == c {
                matched = true;
            }
            p = &p[2..];
        } else if p[0] == b']' {
            p = &p[1..];
            break;
        } else if p.len() >= 3 && p[1] == b'-' {
            let (mut lo, mut hi, mut x) = (p[0] as i8 as i32, p[2] as i8 as i32, c as i8 as i32);
            if lo > hi {
                std::mem::swap(&mut lo, &mut hi);
            }
            if nocase {
                lo = lower_signed(lo);
                hi = lower_signed(hi);
                x = lower_signed(x);
            }
            if x >= lo && x <= hi {
                matched = true;
            }
            p = &p[3..];
        } else {
            if fold(p[0], nocase) == fold(c, nocase) {
                matched = true;
            }
            p = &p[1..];
        }
    }
    (matched != negate, p)
}

fn lower_signed(v: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&v) {
        v + 32
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match as m;

    #[test]
    fn stars_and_questions() {
        assert!(m(b"*", b"anything", false));
        assert!(!m(b"*", b"", false)); // as Redis: the loop never runs for an empty string
        assert!(m(b"h?llo", b"hello", false));
        assert!(!m(b"h?llo", b"hllo", false));
        assert!(m(b"h*llo", b"heeeello", false));
        assert!(m(b"a*b*c", b"aXXbYYc", false));
        assert!(!m(b"a*b*c", b"aXXbYY", false));
        assert!(m(b"foo*", b"foo", false));
        assert!(m(b"foo**", b"foo", false));
        assert!(!m(b"", b"a", false));
        assert!(m(b"", b"", false));
    }

    #[test]
    fn classes() {
        assert!(m(b"h[ae]llo", b"hello", false));
        assert!(!m(b"h[ae]llo", b"hillo", false));
        assert!(m(b"h[^e]llo", b"hallo", false));
        assert!(!m(b"h[^e]llo", b"hello", false));
        assert!(m(b"h[a-b]llo", b"hbllo", false));
        assert!(m(b"h[b-a]llo", b"hallo", false));
        assert!(m(b"[\\]]", b"]", false));
        assert!(m(b"a[bc", b"ab", false));
    }

    #[test]
    fn escapes_and_case() {
        assert!(m(b"h\\*llo", b"h*llo", false));
        assert!(!m(b"h\\*llo", b"hello", false));
        assert!(m(b"HELLO", b"hello", true));
        assert!(!m(b"HELLO", b"hello", false));
        assert!(m(b"[A-C]x", b"bx", true));
    }

    #[test]
    fn hostile_patterns_end() {
        let p = vec![b'*'; 2000].into_iter().chain(b"x".iter().copied()).collect::<Vec<_>>();
        assert!(!m(&p, &vec![b'a'; 5000], false));
        let p2 = b"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b".to_vec();
        assert!(!m(&p2, &vec![b'a'; 3000], false));
    }
}
