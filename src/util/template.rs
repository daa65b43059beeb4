//! `{variable}` templates as Redis expands them (proc-title-template): pure text work;
//! the values come from the caller.

/// Expands `template`: `{name}` becomes `var(name)` (None: unknown variable, the whole
/// expansion fails), `{{` is a literal `{`, a `{` without its `}` fails; a lone `}` is
/// plain text. The result is trimmed of spaces, as Redis trims a process title.
pub fn expand(template: &str, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return None;
        }
        if let Some(r) = after.strip_prefix('{') {
            out.push('{');
            rest = r;
            continue;
        }
        let close = after.find('}')?;
        out.push_str(&var(&after[..close])?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out.trim_matches(' ').to_string())
}

/// The variables a proc-title-template may use.
pub const PROC_TITLE_VARIABLES: [&str; 7] = ["title", "listen-addr", "server-mode", "port", "tls-port", "unixsocket", "config-file"];

/// Whether a proc-title-template is acceptable: it expands (known variables, closed
/// braces) to something non-empty even with an empty title and no server mode, which
/// is Redis's check.
pub fn proc_title_template_is_valid(template: &str) -> bool {
    let placeholder = |name: &str| -> Option<String> {
        match name {
            "title" | "server-mode" => Some(String::new()),
            _ if PROC_TITLE_VARIABLES.contains(&name) => Some("x".into()),
            _ => None,
        }
    };
    expand(template, placeholder).is_some_and(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        Some(match name {
            "title" => "redis-server".into(),
            "port" => "6379".into(),
            "server-mode" => String::new(),
            _ => return None,
        })
    }

    #[test]
    fn templates_expand_like_redis() {
        assert_eq!(expand("{title} {port} {server-mode}", vars).as_deref(), Some("redis-server 6379"));
        assert_eq!(expand("a {{b} c}", vars).as_deref(), Some("a {b} c}"));
        assert_eq!(expand("{unknown}", vars), None);
        assert_eq!(expand("x {port", vars), None);
        assert_eq!(expand("x {", vars), None);
    }

    #[test]
    fn proc_title_templates_must_name_known_variables_and_not_be_empty() {
        assert!(proc_title_template_is_valid("{title} {listen-addr} {server-mode}"));
        assert!(proc_title_template_is_valid("TEST {title} {listen-addr} {port} {tls-port} {unixsocket} {config-file}"));
        assert!(!proc_title_template_is_valid("{invalid-var}"));
        assert!(!proc_title_template_is_valid("{title}"));
        assert!(!proc_title_template_is_valid("  "));
    }
}
