#!/usr/bin/env bash
# Regenerates the example outputs of README.md and docs/*.md from real runs against the real-peer world
# (Unbound, Dovecot, Postfix in a network namespace): every block between
#   <!-- example: NAME -->  and  <!-- /example -->
# is replaced by the output of the command registered for NAME below. Never edit those blocks
# by hand. Needs root (the world does); run from anywhere:
#   sudo -E env "PATH=$PATH" scripts/readme-examples.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
NS="mailprobe-readme-$$"
DIR="/tmp/mailprobe-readme-$$"
OUT="$DIR-out"
trap 'tests/world/down.sh "$NS" "$DIR" >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT
tests/world/up.sh "$NS" "$DIR" >/dev/null
mkdir -p "$OUT"
cp target/release/mailprobe "$DIR/mailprobe"
chmod 755 "$DIR/mailprobe"

# NAME | user ("" = root, "isp" = the customer whose port 25 is dropped) | arguments
examples=(
  "wrongname||accounts@wrongname.test"
  "blocked25|isp|accounts@good.test"
  "card||accounts@good.test --card"
  "card-expired||accounts@expired.test --card"
  "quiet||accounts@nostarttls.test -q"
  "verbose||accounts@nostarttls.test -v -p 143,587"
  "json||nullmx.test --json --no-probe"
  "login|login|user@good.test --login --card"
  "propagation||moved.internal"
  "stale||stale.internal --no-probe"
  "mta-sts||stsbad.internal -p 25"
  "dane||danestale.internal -p 25"
  "spf||spfmess.test -p 25 --no-published"
  "blocklists||wrongname.test -p 25 --no-published --relay-test --blocklist listed.bl.internal --blocklist refusing.bl.internal --blocklist dead.bl.internal"
  "published||accounts@clients.test"
  "export||accounts@clients.test --export autoconfig"
  "fleet||--from clients.txt"
  "fleet-compare||--from clients.txt --compare last-week.jsonl"
  "nagios||accounts@expired.test --nagios"
  "prometheus||good.test -q --prometheus good.prom"
)
# The fleet examples: a client list, and last week's run of it (before the MX move below).
printf '# our clients\ngood.test\nwrongname.test\nexpired.test\nnot a domain\nclients.test\nmoved.internal\n' >"$DIR/clients.txt"
(cd "$DIR" && ip netns exec "$NS" ./mailprobe --from clients.txt --jsonl --dns 127.0.0.53 \
    --ca-file "$DIR/certs/ca.pem" >last-week.jsonl 2>/dev/null) || true
# The propagation example: the resolver caches moved.internal's old MX, then the zone changes.
ip netns exec "$NS" "$DIR/mailprobe" moved.internal --dns 127.0.0.53 >/dev/null 2>&1 || true
tests/world/move-mx.sh "$NS" "$DIR"
for entry in "${examples[@]}"; do
  IFS='|' read -r name user args <<<"$entry"
  prefix=()
  [ "$user" = isp ] && prefix=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  # The world's account; its password reaches mailprobe the way a user's would.
  [ "$user" = login ] && prefix=(env MAILPROBE_PASSWORD="${MAILPROBE_WORLD_PASSWORD:-world-secret}")
  # The world's own resolver and CA; the README shows the command as a user types it.
  # shellcheck disable=SC2086
  (cd "$DIR" && ip netns exec "$NS" "${prefix[@]}" env COLUMNS=100 "$DIR/mailprobe" $args \
      --dns 127.0.0.53 --ca-file "$DIR/certs/ca.pem" --color never >"$OUT/$name" 2>&1) || true
  shown="mailprobe $args"
  [ "$user" = login ] && shown="MAILPROBE_PASSWORD=… $shown"
  printf '$ %s\n' "$shown" | cat - "$OUT/$name" >"$OUT/$name.shown"
  # The metrics file the run wrote, shown after it.
  if [ "$name" = prometheus ]; then
    printf '$ cat good.prom\n' >>"$OUT/$name.shown"
    cat "$DIR/good.prom" >>"$OUT/$name.shown"
  fi
done

python3 - "$OUT" <<'PY'
import re, sys, pathlib
out = pathlib.Path(sys.argv[1])
def block(m):
    name = m.group(1)
    path = out / f"{name}.shown"
    if not path.exists():
        sys.exit(f"README names example {name!r}, which this script does not run")
    fence = "json" if name == "json" else "text"
    return f"<!-- example: {name} -->\n```{fence}\n{path.read_text().rstrip()}\n```\n<!-- /example -->"
for page in [pathlib.Path("README.md"), *sorted(pathlib.Path("docs").glob("*.md"))]:
    text = page.read_text()
    new = re.sub(r"<!-- example: ([\w-]+) -->.*?<!-- /example -->", block, text, flags=re.S)
    page.write_text(new)
PY
echo "examples in README.md and docs/ regenerated from the world"
