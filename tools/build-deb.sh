#!/usr/bin/env bash
# Builds the Debian package warm-market_<version>_<arch>.deb with plain dpkg-deb: both binaries,
# /etc/warm-market/{kiosk,hub}.toml and the udev rules as configuration files an upgrade keeps,
# a systemd unit for the hub, a systemd user unit and an XDG autostart for the kiosk (each
# restarts it after a crash), data under /var/lib/warm-market. See docs/INSTALL.md.
#
#   tools/build-deb.sh                  # release build, package in target/debian/
#   tools/build-deb.sh --profile dev    # quicker to build, slower to run (tests)
#   tools/build-deb.sh --out DIR
# WARM_KIOSK_BIN and WARM_HUB_BIN name binaries already built (nothing is compiled then).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
out=target/debian
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "build-deb.sh: unknown argument $1 (see the head of this file)" >&2; exit 2 ;;
  esac
done

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
arch=$(dpkg --print-architecture)
target_dir=${CARGO_TARGET_DIR:-target}
folder=$([ "$profile" = dev ] && echo debug || echo "$profile")
kiosk_bin=${WARM_KIOSK_BIN:-}
hub_bin=${WARM_HUB_BIN:-}
if [ -z "$kiosk_bin" ] || [ -z "$hub_bin" ]; then
  cargo build --locked --profile "$profile" -p warm-kiosk --bin warm-kiosk -p warm-hub --bin warm-hub
  kiosk_bin=$target_dir/$folder/warm-kiosk
  hub_bin=$target_dir/$folder/warm-hub
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$kiosk_bin" "$root/usr/bin/warm-kiosk"
install -D -m 0755 "$hub_bin" "$root/usr/bin/warm-hub"

# The shipped example configs, pointed at the package's folders and device names. Each change
# is checked: a reworded example must not silently ship the wrong folder.
edit() { # file, sed expression, what must then be in it
  sed -i "$2" "$1"
  grep -qF "$3" "$1" || { echo "build-deb.sh: could not set '$3' in $1" >&2; exit 1; }
}
install -D -m 0644 config/kiosk.toml "$root/etc/warm-market/kiosk.toml"
edit "$root/etc/warm-market/kiosk.toml" 's|^# data_dir = .*|data_dir = "/var/lib/warm-market/kiosk"|' 'data_dir = "/var/lib/warm-market/kiosk"'
edit "$root/etc/warm-market/kiosk.toml" 's|^fullscreen = false|fullscreen = true|' 'fullscreen = true'
edit "$root/etc/warm-market/kiosk.toml" 's|^port = "/dev/ttyUSB0"|port = "/dev/warm-printer"|' 'port = "/dev/warm-printer"'
edit "$root/etc/warm-market/kiosk.toml" 's|^# port = "/dev/ttyACM0"|# port = "/dev/warm-scanner"|' '# port = "/dev/warm-scanner"'
install -D -m 0644 config/hub.toml "$root/etc/warm-market/hub.toml"
edit "$root/etc/warm-market/hub.toml" 's|^# data_dir = .*|data_dir = "/var/lib/warm-market/hub"|' 'data_dir = "/var/lib/warm-market/hub"'

install -D -m 0644 packaging/warm-hub.service "$root/lib/systemd/system/warm-hub.service"
install -D -m 0644 packaging/warm-kiosk.service "$root/usr/lib/systemd/user/warm-kiosk.service"
install -D -m 0644 packaging/warm-kiosk.desktop "$root/etc/xdg/autostart/warm-kiosk.desktop"
install -D -m 0755 packaging/warm-kiosk-session "$root/usr/share/warm-market/warm-kiosk-session"
install -D -m 0644 packaging/60-warm-market.rules "$root/etc/udev/rules.d/60-warm-market.rules"
install -D -m 0644 README.md "$root/usr/share/doc/warm-market/README.md"
install -D -m 0644 docs/INSTALL.md "$root/usr/share/doc/warm-market/INSTALL.md"

mkdir -p "$root/DEBIAN"
install -m 0755 packaging/postinst packaging/postrm "$root/DEBIAN/"
# Files under /etc an operator edits: dpkg keeps their changes on upgrade and asks.
(cd "$root" && find etc -type f | sort | sed 's|^|/|') > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: warm-market
Version: $version
Architecture: $arch
Maintainer: Warm Market <warm-market@localhost>
Installed-Size: $size
Depends: libc6, libgcc-s1
Recommends: espeak-ng, x11-xserver-utils, libxkbcommon-x11-0, libx11-6, libxcursor1, libxi6, libxrandr2, libegl1
Section: misc
Priority: optional
Homepage: https://github.com/warm-market
Description: Warm Market (暖心市集) grocery kiosk for seniors and its co-op hub
 warm-kiosk: a touchscreen ordering kiosk with a serial receipt printer and
 scanner, orders kept in SQLite and synced to the co-op's hub.
 warm-hub: the co-op's hub on SQLite or PostgreSQL, with its dashboard.
CONTROL

mkdir -p "$out"
deb="$out/warm-market_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
