#!/usr/bin/env bash
# The MX change of the propagation scenario: moved.internal's primary starts serving the
# "after" zone (new serial, MX mx-new) and reloads it. Run it after the resolver has cached the
# old MX (any lookup of moved.internal through 127.0.0.53 does that).
#   sudo tests/world/move-mx.sh [NAMESPACE] [DIR]
set -euo pipefail
NS=${1:-mailprobe-world}
DIR=${2:-/tmp/mailprobe-world}
HERE=$(cd "$(dirname "$0")" && pwd)
cp "$HERE/dns/moved-new.zone" "$DIR/zones/moved-served.zone"
touch "$DIR/zones/moved-served.zone"
# NSD re-reads zone files whose modification time changed on SIGHUP.
kill -HUP "$(cat "$DIR/nsd-moved/nsd.pid")"
for _ in $(seq 1 50); do
    grep -q "moved.internal.*2026112402\|zone moved.internal.*serial 2026112402" "$DIR/nsd-moved/nsd.log" 2>/dev/null && exit 0
    sleep 0.1
done
exit 0
