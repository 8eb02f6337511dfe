#!/usr/bin/env python3
"""Python's own codec registry, for the codec tests.

usage: codec_oracle.py resolve      names on stdin, one JSON string a line; writes the codec's own name
                                    (codecs.lookup(name).name) or "-" when Python knows none
       codec_oracle.py decode CODEC writes "HEX RESULT" for every byte, every pair of bytes whose first is
                                    >= 0x80, and 3,000 seeded random strings of 1 to 8 bytes; RESULT is the
                                    strictly decoded text as code points in hex joined by ".", or "!" when
                                    Python refuses the bytes
"""
import codecs
import json
import random
import sys


def resolve():
    for line in sys.stdin:
        try:
            print(codecs.lookup(json.loads(line)).name)
        except LookupError:
            print("-")


def decode(codec):
    rng = random.Random(13)
    corpus = [bytes([b]) for b in range(256)]
    corpus += [bytes([a, b]) for a in range(0x80, 0x100) for b in range(256)]
    corpus += [bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    out = []
    for data in corpus:
        try:
            text = data.decode(codec)
            result = ".".join(f"{ord(c):x}" for c in text)
        except UnicodeDecodeError:
            result = "!"
        out.append(f"{data.hex()} {result}")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "resolve":
        resolve()
    else:
        decode(sys.argv[2])
