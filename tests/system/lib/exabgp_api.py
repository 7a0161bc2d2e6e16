#!/usr/bin/python3
"""ExaBGP API process used by peer_exabgp.

exabgp runs this with two arguments: a file to which every message
exabgp sends us (JSON: state changes, parsed UPDATEs, NOTIFICATIONs) is
appended, one per line, and a FIFO from which API commands ("announce
route ...") are read and passed to exabgp on stdout.
"""

import os
import sys
import threading


def forward_commands(fifo):
    while True:
        # open() blocks until a writer appears; each writer may send
        # several lines, then closes, and we wait for the next one.
        with open(fifo, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    sys.stdout.write(line + "\n")
                    sys.stdout.flush()


def main():
    events, fifo = sys.argv[1], sys.argv[2]
    t = threading.Thread(target=forward_commands, args=(fifo,), daemon=True)
    t.start()
    with open(events, "a", encoding="utf-8") as out:
        for line in sys.stdin:
            out.write(line)
            out.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
