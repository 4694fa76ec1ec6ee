#!/usr/bin/env python3
"""Check a Warm Market catalog file (default: assets/catalog.toml).

Checks: required fields and types, category order/ids, unique product ids (lowercase ascii),
unique EAN-13 codes with prefix 690-699 and a correct check digit, GB2312-encodable Chinese
fields, tile-name lengths (zh <= 6 chars, en <= 18 chars; warnings only with --lenient),
positive integer prices and limits, and that every picture file exists.
Usage: python3 tools/assets/check_catalog.py [catalog.toml] [--lenient]
Exit status 0 = OK, 1 = problems found.
"""
import re
import sys
import tomllib
from pathlib import Path

CATEGORY_IDS = ["grain_oil", "eggs_dairy", "seasoning", "produce", "epidemic", "daily"]
ZH_FIELDS = ["name_zh", "spec_zh", "unit_zh"]
PRODUCT_FIELDS = {
    "id": str, "category": str, "name_zh": str, "name_en": str, "spec_zh": str, "spec_en": str,
    "unit_zh": str, "unit_en": str, "price_fen": int, "ean13": str, "limit_per_household": int,
    "picture": str,
}


def ean13_check_digit(d12: str) -> int:
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(d12))
    return (10 - s % 10) % 10


def ean13_ok(code: str) -> bool:
    return bool(re.fullmatch(r"69[0-9]{11}", code)) and int(code[12]) == ean13_check_digit(code[:12])


def gb2312_ok(s: str) -> bool:
    try:
        s.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def check(path: Path, lenient: bool = False) -> list[str]:
    errs: list[str] = []
    warn = (lambda m: print("warning:", m)) if lenient else errs.append
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    base = path.parent
    for k in ("market_name_zh", "market_name_en"):
        if not isinstance(data.get(k), str):
            errs.append(f"missing {k}")
    if not gb2312_ok(data.get("market_name_zh", "")):
        errs.append("market_name_zh not GB2312")
    cats = data.get("category", [])
    ids = [c.get("id") for c in cats]
    if ids != CATEGORY_IDS:
        errs.append(f"categories {ids} != {CATEGORY_IDS}")
    for c in cats:
        for k in ("id", "name_zh", "name_en", "picture"):
            if not isinstance(c.get(k), str):
                errs.append(f"category {c.get('id')}: missing {k}")
        if not gb2312_ok(c.get("name_zh", "")):
            errs.append(f"category {c['id']}: name_zh not GB2312")
        if not (base / c.get("picture", "")).is_file():
            errs.append(f"category {c['id']}: picture {c.get('picture')} missing")
    seen_ids, seen_eans, seen_pics = {}, {}, {}
    for i, p in enumerate(data.get("product", [])):
        pid = p.get("id", f"#{i}")
        for k, t in PRODUCT_FIELDS.items():
            if not isinstance(p.get(k), t) or isinstance(p.get(k), bool):
                errs.append(f"{pid}: field {k} missing or not {t.__name__}")
        extra = set(p) - set(PRODUCT_FIELDS)
        if extra:
            errs.append(f"{pid}: unknown fields {sorted(extra)}")
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", str(pid)):
            errs.append(f"{pid}: id not lowercase ascii")
        if pid in seen_ids:
            errs.append(f"{pid}: duplicate id")
        seen_ids[pid] = i
        if p.get("category") not in CATEGORY_IDS:
            errs.append(f"{pid}: unknown category {p.get('category')}")
        e = str(p.get("ean13", ""))
        if not ean13_ok(e):
            errs.append(f"{pid}: bad EAN-13 {e}")
        if e in seen_eans:
            errs.append(f"{pid}: EAN {e} also used by {seen_eans[e]}")
        seen_eans[e] = pid
        for k in ZH_FIELDS:
            if not gb2312_ok(str(p.get(k, ""))):
                errs.append(f"{pid}: {k} {p.get(k)!r} not GB2312")
        if len(str(p.get("name_zh", ""))) > 6:
            warn(f"{pid}: name_zh longer than 6 characters")
        if len(str(p.get("name_en", ""))) > 18:
            warn(f"{pid}: name_en longer than 18 characters")
        if not (isinstance(p.get("price_fen"), int) and p["price_fen"] > 0):
            errs.append(f"{pid}: price_fen must be a positive integer")
        if not (isinstance(p.get("limit_per_household"), int) and p["limit_per_household"] > 0):
            errs.append(f"{pid}: limit_per_household must be a positive integer")
        pic = p.get("picture", "")
        if not (base / pic).is_file():
            errs.append(f"{pid}: picture {pic} missing")
        if pic in seen_pics:
            warn(f"{pid}: picture shared with {seen_pics[pic]}")
        seen_pics[pic] = pid
    n = len(data.get("product", []))
    per_cat = {c: sum(1 for p in data.get("product", []) if p.get("category") == c) for c in CATEGORY_IDS}
    print(f"{path}: {n} products in {len(cats)} categories {per_cat}")
    return errs


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "assets" / "catalog.toml"
    errs = check(path, lenient="--lenient" in sys.argv)
    for e in errs:
        print("error:", e)
    print("OK" if not errs else f"{len(errs)} problem(s)")
    sys.exit(1 if errs else 0)
