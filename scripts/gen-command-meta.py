#!/usr/bin/env python3
"""Capture Redis 7.0's command metadata as data for slotd.

slotd answers COMMAND, COMMAND INFO and COMMAND DOCS exactly as Redis 7.0 does, and its
dispatch gate reads arity, flags and key specs from the same facts. Rather than retype
them, this script asks a real redis-server 7.0 (started here on a spare port) for
`COMMAND` and `COMMAND DOCS` over RESP3 and stores the two raw replies, unchanged, in
src/cmd/meta/redis-7.0.resp. slotd parses that file once at start-up.

usage: scripts/gen-command-meta.py [path-to-redis-server]
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

PORT = 16999


def read_reply(f):
    """Read one RESP3 reply from a buffered socket file and return its raw bytes."""
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    out = bytearray(line)
    if t in b"$=!":
        n = int(rest)
        if n >= 0:
            out += f.read(n + 2)
    elif t in b"*~>":
        for _ in range(max(int(rest), 0)):
            out += read_reply(f)
    elif t == b"%" or t == b"|":
        for _ in range(2 * int(rest)):
            out += read_reply(f)
    return bytes(out)


def main():
    server = sys.argv[1] if len(sys.argv) > 1 else "redis-server"
    version = subprocess.run([server, "--version"], capture_output=True, text=True).stdout
    if "v=7.0." not in version:
        sys.exit(f"need redis-server 7.0, got: {version.strip()}")
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen([server, "--port", str(PORT), "--save", "", "--dir", d],
                                stdout=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    s = socket.create_connection(("127.0.0.1", PORT))
                    break
                except OSError:
                    time.sleep(0.05)
            f = s.makefile("rb")
            s.sendall(b"HELLO 3\r\nCOMMAND\r\nCOMMAND DOCS\r\n")
            read_reply(f)
            info, docs = read_reply(f), read_reply(f)
        finally:
            proc.terminate()
            proc.wait()
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "src", "cmd", "meta", "redis-7.0.resp")
    with open(out, "wb") as w:
        w.write(info)
        w.write(docs)
    print(f"wrote {out}: {len(info)} bytes of COMMAND, {len(docs)} bytes of COMMAND DOCS ({version.split()[2]})")


if __name__ == "__main__":
    main()
