//! The process title: what `ps` and /proc/<pid>/cmdline show, built from
//! `proc-title-template` as Redis builds it ("{title} {listen-addr} {server-mode}").
//!
//! BACKGROUND: Linux shows a process's command line by reading the memory that held its
//! argument strings at exec time (/proc/self/stat fields arg_start..arg_end). The
//! environment strings follow them (env_start..env_end). To show another title, a
//! process writes into that memory; when the last byte of the argument area is no
//! longer a NUL, the kernel reads on into the environment area up to the first NUL, so
//! the title may use both areas. `init` first copies the environment strings (and the
//! argument strings) to the heap and points `environ` (and argv) at the copies, so
//! nothing still reads the area afterwards. Other systems keep their title (no-op).
//!
//! Owns the area; must never be called concurrently with `init` (which runs once, in
//! `server::start`, before any other thread exists).
use std::sync::Mutex;

/// Longest title written: the limit of the setproctitle Redis uses.
const MAX_TITLE: usize = 255;

/// The writable title area, once `init` succeeded.
struct Area {
    start: usize,
    len: usize,
    /// Offset of the NUL that ended the last argument (the kernel's "untouched" marker).
    args_nul: usize,
    /// The whole area was zeroed once (later writes only clear what they may use).
    cleared: bool,
}

/// Written by `init` and `set` (CONFIG SET from any connection), hence a mutex.
static AREA: Mutex<Option<Area>> = Mutex::new(None);
/// argv[0] as exec'd: the `{title}` variable.
static ARG0: Mutex<String> = Mutex::new(String::new());

/// Captures argv[0] and makes the argument + environment area reusable. Call once,
/// while the process is single-threaded.
pub fn init() {
    let arg0 = std::env::args_os().next().map(|a| a.to_string_lossy().into_owned()).unwrap_or_default();
    *ARG0.lock().unwrap_or_else(|e| e.into_inner()) = arg0;
    #[cfg(target_os = "linux")]
    if let Some(area) = linux::take_area() {
        *AREA.lock().unwrap_or_else(|e| e.into_inner()) = Some(area);
    }
}

/// What `{title}` stands for: the program name as it was started.
pub fn arg0() -> String {
    ARG0.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Shows `title` as the process's command line (truncated to what fits).
pub fn set(title: &str) {
    let mut guard = AREA.lock().unwrap_or_else(|e| e.into_inner());
    let Some(area) = guard.as_mut() else { return };
    let bytes = title.as_bytes();
    let room = area.len.min(MAX_TITLE + 1);
    let n = bytes.len().min(room - 1);
    // SAFETY: [start, start+len) is this process's own argument/environment memory,
    // which `init` made unreachable to everything else (environ and argv point at heap
    // copies); the lock serialises writers.
    unsafe {
        let base = area.start as *mut u8;
        let clear = if area.cleared { room } else { area.len };
        std::ptr::write_bytes(base, 0, clear);
        area.cleared = true;
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), base, n);
        if n < area.args_nul {
            // A non-NUL last argument byte tells the kernel to stop at our NUL.
            *base.add(area.args_nul) = b'.';
        } else if n == area.args_nul && n + 1 < area.len {
            *base.add(area.args_nul) = b' ';
        }
    }
}

/// Expands the template with the server's current values and shows it.
pub fn update(store: &crate::config::Store) -> bool {
    let template = store.get("proc-title-template").unwrap_or("");
    let title = arg0();
    let port = store.get_i64("port");
    let tls_port = store.get_i64("tls-port");
    let unixsocket = store.get("unixsocket").unwrap_or("").to_string();
    let var = |name: &str| -> Option<String> {
        Some(match name {
            "title" => title.clone(),
            "listen-addr" => {
                if port != 0 || tls_port != 0 {
                    let bind = store.get("bind").unwrap_or("").split_whitespace().next().unwrap_or("*").to_string();
                    format!("{bind}:{}", if port != 0 { port } else { tls_port })
                } else {
                    format!("unixsocket:{unixsocket}")
                }
            }
            "server-mode" => if store.get_bool("cluster-enabled") { "[cluster]".into() } else { String::new() },
            "config-file" => store.file.as_ref().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default(),
            "port" => port.to_string(),
            "tls-port" => tls_port.to_string(),
            "unixsocket" => unixsocket.clone(),
            _ => return None,
        })
    };
    match crate::util::template::expand(template, var) {
        Some(t) => {
            set(&t);
            true
        }
        None => false,
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::Area;
    use std::ffi::{c_char, CStr};

    extern "C" {
        static mut environ: *mut *mut c_char;
    }

    /// (arg_start, arg_end, env_start, env_end) from /proc/self/stat (fields 48-51).
    fn bounds() -> Option<(usize, usize, usize, usize)> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may contain spaces and parentheses)
        // start at field 3.
        let tail = &stat[stat.rfind(')')? + 1..];
        let f: Vec<&str> = tail.split_whitespace().collect();
        let get = |field: usize| f.get(field - 3)?.parse::<usize>().ok();
        Some((get(48)?, get(49)?, get(50)?, get(51)?))
    }

    /// Leaks a heap copy of the C string at `p` (lives as long as the process).
    unsafe fn copy(p: *const c_char) -> *mut c_char {
        CStr::from_ptr(p).to_owned().into_raw()
    }

    pub(super) fn take_area() -> Option<Area> {
        let (arg_start, arg_end, env_start, env_end) = bounds()?;
        if arg_start == 0 || arg_end <= arg_start {
            return None;
        }
        // The environment area extends the title only if it directly follows.
        let end = if env_start == arg_end && env_end > env_start { env_end } else { arg_end };
        let argc = std::env::args_os().len();
        // SAFETY: single-threaded (see module doc); every pointer read is checked to lie
        // in the process's initial stack layout before use.
        unsafe {
            let envp = environ;
            if envp.is_null() {
                return None;
            }
            {
                let mut i = 0;
                while !(*envp.add(i)).is_null() {
                    let p = *envp.add(i) as usize;
                    if (arg_start..end).contains(&p) {
                        *envp.add(i) = copy(p as *const c_char);
                    }
                    i += 1;
                }
                // The kernel lays out argv's pointer array just before envp's, both on
                // the stack below the strings; only then is it ours to repoint.
                let envp_addr = envp as usize;
                if envp_addr < arg_start && arg_start - envp_addr < (1 << 20) && argc > 0 {
                    let argv = envp.sub(argc + 1);
                    if (*envp.sub(1)).is_null() && *argv as usize == arg_start {
                        for j in 0..argc {
                            let p = *argv.add(j);
                            if (arg_start..end).contains(&(p as usize)) {
                                *argv.add(j) = copy(p);
                            }
                        }
                    } else {
                        // Without argv's array, writing over its strings is unsafe.
                        return None;
                    }
                } else {
                    return None;
                }
            }
        }
        Some(Area { start: arg_start, len: end - arg_start, args_nul: arg_end - arg_start - 1, cleared: false })
    }
}
