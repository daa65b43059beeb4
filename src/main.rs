//! slotd: argv → configuration → runtime → server. Nothing else lives here.
use slotd::config::load::{from_args, Invocation};
use std::io::Read;

#[global_allocator]
static ALLOC: slotd::util::alloc::Counting = slotd::util::alloc::Counting;

const USAGE: &str = "Usage: slotd [/path/to/redis.conf|/path/to/node.toml] [options] [-]
       slotd - (read config from stdin)
       slotd -v or --version
       slotd -h or --help

Examples:
       slotd (run the server with default conf)
       echo 'maxmemory 128mb' | slotd -
       slotd /etc/slotd/node.conf
       slotd --port 7777
       slotd /etc/slotd/node.conf --loglevel verbose -
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store = match from_args(&args, || {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    }) {
        Invocation::Run(s) => s,
        Invocation::Version => {
            println!("slotd v={} redis_version={} bits=64", slotd::VERSION, slotd::REDIS_VERSION);
            return;
        }
        Invocation::Help => {
            print!("{USAGE}");
            return;
        }
        Invocation::Fatal(msg) => {
            eprintln!("{msg}");
            std::process::exit(1);
        }
        Invocation::Config(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    std::process::exit(slotd::server::start(*store, &args));
}
