#!/usr/bin/env bash
# Stops everything tests/world/up.sh started and removes the namespace and the files.
#   sudo tests/world/down.sh [NAMESPACE] [DIR]
set -uo pipefail
NS=${1:-mailprobe-world}
DIR=${2:-/tmp/mailprobe-world}

if [ -d "$DIR/postfix" ]; then
    postfix -c "$DIR/postfix" stop >/dev/null 2>&1
fi
for conf in "$DIR"/dovecot-*/dovecot.conf; do
    [ -f "$conf" ] && doveadm -c "$conf" stop >/dev/null 2>&1
done
[ -f "$DIR/unbound.pid" ] && kill "$(cat "$DIR/unbound.pid")" 2>/dev/null
# Anything still running inside the namespace goes with it.
if ip netns list 2>/dev/null | grep -qw "$NS"; then
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    sleep 0.3
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$NS"
fi
case "$DIR" in
    /tmp/*) rm -rf "$DIR" ;;
esac
exit 0
