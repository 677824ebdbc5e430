#!/usr/bin/env python3
"""examples/train.py - the same toy training loop in Python, logging to plumb over PLUMB_FD.

Usage inside `plumb run`: python3 examples/train.py --lr 0.1 --epochs 20
Only the standard library: the protocol is one line of text per record.
"""
import argparse
import math
import os


def plumb_stream():
    fd = os.environ.get("PLUMB_FD")
    if fd is None:          # not inside plumb run: print instead
        return None
    return os.fdopen(int(fd), "w", buffering=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=20)
    args = ap.parse_args()
    out = plumb_stream()

    def log(line):
        if out:
            out.write(line + "\n")
        else:
            print(line)

    log(f"param lr {args.lr}")
    log(f"param epochs {args.epochs}")
    floor = 0.35 if args.lr > 0.3 else 0.05 + args.lr / 4
    for epoch in range(args.epochs):
        loss = floor + (1 - floor) * math.exp(-epoch * args.lr * 1.5)
        log(f"metric loss {loss:.6f} step={epoch}")
        log(f"metric accuracy {1 - loss * 0.8:.6f} step={epoch}")
    print(f"trained {args.epochs} epochs with lr={args.lr}")


if __name__ == "__main__":
    main()
