#!/usr/bin/env python3
"""Checks that the code's layers only import downwards (run by .ci/run; prints each breach).

Every `crate::…`, `super::…`, `warm_core::…`, `warm_hub::…` and `warm_kiosk::…` path in a source
file is resolved to the layer it names; a file may use its own layer and the layers ranked below
it, never one above, so no two layers can form a circle. The ranks are the architecture the
README's "How it is built" describes: change them there and here together.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# crate name -> (source folder, {layer: rank}); a file's layer is the longest matching prefix of
# its module path. Higher ranks may use lower ones.
CRATES = {
    "warm_core": ("crates/warm-core/src", {
        "fonts": 1, "process": 1, "toml_error": 1,
        "domain": 2,
        # The wire carries domain values (limit periods, stock movements, day reports); the
        # domain never imports the wire.
        "api": 3, "catalog_file": 3, "i18n": 3,
        "receipt": 4, "speech": 4,
        "": 9,  # lib.rs
    }),
    "warm_hub": ("crates/warm-hub/src", {
        "validate": 0,  # the rules every event must meet, with no I/O
        "ingest": 1, "config": 1,
        "store": 2,
        "sqlite": 3, "pipeline": 3, "import": 3, "dashboard": 3,
        "postgres": 4,  # uses sqlite's time and hash helpers; from_sqlite reads a SQLite hub
        "": 8,  # lib.rs: the HTTP handlers
        "main": 9,
    }),
    "warm_kiosk": ("src", {
        "demo": 1, "store": 1,
        "device": 2,
        "config": 3,
        "sync": 4,
        "ui/theme": 5, "ui/devices": 5,
        "ui/picture": 6,
        "ui/widget": 7,
        "ui/screen": 8, "ui/sync_status": 8,
        "ui/app": 9,
        "ui": 10,
        "kiosk": 11,
        "": 12,  # lib.rs
        "bin": 13,
    }),
}
# Which crates each may use: the core none of ours, the hub and the kiosk only the core.
USES = {"warm_core": {"warm_core"}, "warm_hub": {"warm_core", "warm_hub"}, "warm_kiosk": {"warm_core", "warm_kiosk"}}

PATH = re.compile(r"\b(crate|super|warm_core|warm_hub|warm_kiosk)((?:::[a-z_][a-z0-9_]*)+)")


def module_of(crate_dir: pathlib.Path, file: pathlib.Path) -> list[str]:
    parts = list(file.relative_to(crate_dir).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return parts


def layer(ranks: dict[str, int], module: list[str]) -> str:
    path = "/".join(module)
    best = ""
    for key in ranks:
        if key and (path == key or path.startswith(key + "/")) and len(key) > len(best):
            best = key
    return best


def main() -> int:
    problems = []
    for crate, (folder, ranks) in CRATES.items():
        crate_dir = ROOT / folder
        for file in sorted(crate_dir.rglob("*.rs")):
            module = module_of(crate_dir, file)
            own = layer(ranks, module)
            text = file.read_text(encoding="utf-8")
            # Unit tests may reach anywhere in their crate: only the code above them is checked.
            text = text.split("#[cfg(test)]")[0]
            for m in PATH.finditer(text):
                root, rest = m.group(1), [p for p in m.group(2).split("::") if p]
                if root == "super":
                    # `super::` from a file names its parent module (a mod.rs names its own).
                    base = module[:-1] if file.stem not in ("mod", "lib") else module[:-1]
                    while rest and rest[0] == "super":
                        base, rest = base[:-1], rest[1:]
                    target_crate, target = crate, base + rest
                elif root == "crate":
                    target_crate, target = crate, rest
                else:
                    target_crate, target = root, rest
                if target_crate not in USES[crate]:
                    problems.append(f"{file.relative_to(ROOT)}: {crate} must not use {target_crate}")
                    continue
                if target_crate != crate:
                    continue
                theirs = layer(ranks, target)
                if theirs != own and ranks[theirs] >= ranks[own]:
                    problems.append(
                        f"{file.relative_to(ROOT)}: layer '{own or 'lib'}' ({ranks[own]}) uses "
                        f"'{theirs or 'lib'}' ({ranks[theirs]}) via {m.group(0)}"
                    )
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} import(s) against the layers")
        return 1
    print("layers: every import points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
