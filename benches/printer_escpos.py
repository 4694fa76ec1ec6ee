#!/usr/bin/env python3
"""The same receipt encoded by python-escpos (Dummy printer, qr(native=True)), for
examples/printer_bench.rs. Reads the layout (lines with their style, a QR payload) as JSON on
stdin; prints one JSON line: bytes, encoding time per receipt in microseconds, and the bytes in hex."""
import json
import sys
import time

from escpos.printer import Dummy
from escpos.constants import QR_ECLEVEL_M

ALIGN = {0: "left", 1: "center", 2: "right"}


def encode(spec):
    p = Dummy()
    style = None
    for line in spec["lines"]:
        s = (line["align"], line["bold"], line["w"], line["h"])
        if s != style:
            # Only what changed, as a careful user would; python-escpos sends every given attribute.
            p.set(align=ALIGN[s[0]], bold=s[1], custom_size=True, width=s[2], height=s[3])
            style = s
        p.text(line["text"] + "\n")
    p.set(align="center")
    p.qr(spec["qr"], native=True, size=spec["qr_module"], ec=QR_ECLEVEL_M)
    p.cut()
    return p.output


def main():
    spec = json.load(sys.stdin)
    out = encode(spec)
    runs = 2000
    start = time.perf_counter()
    for _ in range(runs):
        encode(spec)
    per = (time.perf_counter() - start) / runs * 1e6
    print(json.dumps({"bytes": len(out), "encode_us": per, "hex": out.hex()}))


if __name__ == "__main__":
    main()
