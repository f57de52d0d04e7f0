#!/usr/bin/env bash
# Starts the real-peer test world: a network namespace holding Unbound (DNS for *.test),
# Dovecot (IMAP/POP3 on 993/143/995/110) and Postfix (SMTP on 25/587/465), each scenario on
# its own 127.0.10.x address, plus iptables rules for the firewall scenarios.
#
#   sudo tests/world/up.sh [NAMESPACE] [DIR]      (defaults: mailprobe-world /tmp/mailprobe-world)
#
# An existing namespace or directory of that name is never removed: the start fails instead.
#
# Installs what it needs with apt when missing. tests/world/down.sh removes everything.
# Addresses (inside the namespace only):
#   127.0.0.53  Unbound           127.0.10.1  good.test (valid certificate, account)
#   127.0.10.2  wrongname.test    127.0.10.3  expired.test    127.0.10.4  nostarttls.test
#   127.0.10.5  DROP (timeouts)   127.0.10.6  REJECT tcp-reset  127.0.10.7  REJECT icmp-host-unreachable
#   127.0.10.8  mx.good.test (SMTP 25 only)
#   127.0.10.40-42  legacy.test (+ weakkey.test), tls13.test, sha1.test (Dovecot: TLS 1.0 and
#                   an RSA-1024 key by SNI, TLS 1.3 only and ECDSA, a SHA-1 signature)
#   127.0.10.43 smtpd.test (OpenSMTPD)   127.0.10.44  exim.test (Exim)
# A DNS hierarchy under the private TLD .internal, reached by Unbound through root hints exactly
# as on the internet (NSD, one instance per role; see start_authorities):
#   127.0.20.1  root + internal.   127.0.20.11-12  moved.internal (MX changed after caching)
#   127.0.20.21 stale.internal (current)   127.0.20.22  stale.internal (stale secondary)
#   127.0.20.31 lame.internal   127.0.20.32 REFUSED (lame)   127.0.20.33 DROP (silent name server)
#   127.0.20.41-43 split.internal (parent and child NS sets differ)
# Port 25 is dropped for uid 65534 ("the ISP-blocked user") while 587 and 465 pass.
set -euo pipefail

NS=${1:-mailprobe-world}
DIR=${2:-/tmp/mailprobe-world}
HERE=$(cd "$(dirname "$0")" && pwd)
PASSWORD=${MAILPROBE_WORLD_PASSWORD:-world-secret}

log() { printf 'world: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, iptables, ports below 1024)"

install_packages() {
    local missing=()
    command -v unbound >/dev/null || missing+=(unbound)
    command -v nsd >/dev/null || missing+=(nsd)
    command -v rbldnsd >/dev/null || missing+=(rbldnsd)
    command -v ldns-signzone >/dev/null || missing+=(ldnsutils)
    command -v nginx >/dev/null || missing+=(nginx-light)
    command -v plistutil >/dev/null || missing+=(libplist-utils)
    command -v dovecot >/dev/null || missing+=(dovecot-imapd dovecot-pop3d)
    [ -x /usr/lib/dovecot/pop3 ] || missing+=(dovecot-pop3d)
    [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
    command -v postfix >/dev/null || missing+=(postfix)
    command -v iptables >/dev/null || missing+=(iptables)
    # A second TLS oracle beside openssl s_client (issue 26).
    command -v sslscan >/dev/null || missing+=(sslscan)
    # The libraries of the Exim and OpenSMTPD unpacked by install_other_mtas.
    for lib in libevent-2.1-7 libgnutls-dane0 libidn12 libnsl2 libpcre2-8-0 libdb5.3; do
        dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib")
    done
    command -v openssl >/dev/null || missing+=(openssl)
    command -v ip >/dev/null || missing+=(iproute2)
    command -v setpriv >/dev/null || missing+=(util-linux)
    # The monitoring outputs' reference tools: the monitoring-plugins performance-data parser,
    # promtool, and YAML for the Kubernetes manifests.
    perl -MMonitoring::Plugin::Performance -e 1 2>/dev/null || missing+=(libmonitoring-plugin-perl)
    command -v promtool >/dev/null || missing+=(prometheus)
    /usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
    [ ${#missing[@]} -eq 0 ] && return
    log "installing ${missing[*]}"
    # Keep the packages' own services from starting on the host while they install.
    local policy=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ "$created" = 1 ] && rm -f "$policy"
    return 0
}

# Exim and OpenSMTPD conflict with Postfix as packages (each is Debian's mail-transport-agent),
# so their Debian packages are unpacked beside it into $MTA_ROOT, never installed; their
# libraries come from install_packages, their system users are made as their postinst would.
MTA_ROOT=/var/cache/mailprobe-world/mta
install_other_mtas() {
    if [ ! -x "$MTA_ROOT/usr/sbin/exim4" ] || [ ! -x "$MTA_ROOT/usr/sbin/smtpd" ]; then
        log "unpacking exim4-daemon-light and opensmtpd into $MTA_ROOT"
        local debs
        debs=$(mktemp -d)
        chmod 777 "$debs"
        (cd "$debs" && apt-get download -qq exim4-daemon-light opensmtpd >/dev/null 2>&1) ||
            { apt-get update -qq && (cd "$debs" && apt-get download -qq exim4-daemon-light opensmtpd); }
        mkdir -p "$MTA_ROOT"
        for deb in "$debs"/*.deb; do dpkg -x "$deb" "$MTA_ROOT"; done
        rm -rf "$debs"
    fi
    local user
    for user in opensmtpd opensmtpq Debian-exim; do
        getent passwd "$user" >/dev/null ||
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$user"
    done
    # OpenSMTPD's processes chroot here (compiled in).
    mkdir -p /var/lib/opensmtpd/empty
}

make_certs() {
    local c="$DIR/certs"
    mkdir -p "$c" "$c/db"
    : >"$c/db/index.txt"; echo 1000 >"$c/db/serial"
    cat >"$c/ca.cnf" <<EOF
[ca]
default_ca = world
[world]
dir = $c/db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $c/ca.pem
private_key = $c/ca.key
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[inter]
dir = $c/idb
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $c/intermediate.crt
private_key = $c/intermediate.key
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
EOF
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$c/ca.key" -out "$c/ca.pem" \
        -days 30 -subj "/CN=mailprobe world CA" 2>/dev/null
    leaf good "mail.good.test" "DNS:mail.good.test,DNS:imap.good.test,DNS:smtp.good.test,DNS:pop.good.test,DNS:mx.good.test" 20250101000000Z 20991231000000Z
    leaf wrongname "server1.hoster.test" "DNS:server1.hoster.test" 20250101000000Z 20991231000000Z
    leaf expired "mail.expired.test" "DNS:mail.expired.test,DNS:imap.expired.test,DNS:smtp.expired.test" 20200101000000Z 20210101000000Z
    leaf web "mta-sts.sts.internal" "DNS:mta-sts.sts.internal,DNS:mta-sts.stsbad.internal,DNS:autoconfig.clients.test,DNS:autodiscover.clients.test,DNS:clients.test,DNS:autoconfig.thunderbird.net" 20250101000000Z 20991231000000Z
    leaf clients "mail.clients.test" "DNS:mail.clients.test" 20250101000000Z 20991231000000Z
    leaf authfail "mail.authfail.test" "DNS:mail.authfail.test" 20250101000000Z 20991231000000Z
    leaf busy "mail.busy.test" "DNS:mail.busy.test" 20250101000000Z 20991231000000Z
    leaf oauth "mail.oauth.test" "DNS:mail.oauth.test" 20250101000000Z 20991231000000Z
    chain_with_expired_intermediate
    # Certificate depth (issue 26): an RSA-1024 key, an ECDSA P-256 key, a SHA-1 signature.
    leaf legacy "mail.legacy.test" "DNS:mail.legacy.test" 20250101000000Z 20991231000000Z
    KEY="rsa:1024" leaf weakkey "mail.weakkey.test" "DNS:mail.weakkey.test" 20250101000000Z 20991231000000Z
    KEY="ec -pkeyopt ec_paramgen_curve:P-256" \
        leaf tls13 "mail.tls13.test" "DNS:mail.tls13.test" 20250101000000Z 20991231000000Z
    MD=sha1 leaf sha1 "mail.sha1.test" "DNS:mail.sha1.test" 20250101000000Z 20991231000000Z
    leaf smtpd "mail.smtpd.test" "DNS:mail.smtpd.test" 20250101000000Z 20991231000000Z
    leaf exim "mail.exim.test" "DNS:mail.exim.test" 20250101000000Z 20991231000000Z
    chmod 644 "$c"/*.pem
    chmod 640 "$c"/*.key; chgrp dovecot "$c"/*.key 2>/dev/null || true
}

# chain.test: a valid leaf issued by an intermediate that expired on 2021-01-01, sent with it.
chain_with_expired_intermediate() {
    local c="$DIR/certs"
    mkdir -p "$c/idb"; : >"$c/idb/index.txt"; echo 2000 >"$c/idb/serial"
    openssl req -newkey rsa:2048 -nodes -keyout "$c/intermediate.key" -out "$c/intermediate.csr" \
        -subj "/CN=mailprobe world intermediate (expired)" 2>/dev/null
    openssl ca -batch -config "$c/ca.cnf" -extensions intermediate -startdate 20200101000000Z \
        -enddate 20210101000000Z -in "$c/intermediate.csr" -out "$c/intermediate.crt" -notext 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$c/chain.key" -out "$c/chain.csr" \
        -subj "/CN=mail.chain.test" -addext "subjectAltName=DNS:mail.chain.test" 2>/dev/null
    openssl ca -batch -config "$c/ca.cnf" -name inter -extensions leaf -startdate 20250101000000Z \
        -enddate 20991231000000Z -in "$c/chain.csr" -out "$c/chain.crt" -notext 2>/dev/null
    cat "$c/chain.crt" "$c/intermediate.crt" >"$c/chain.pem"
}

leaf() { # name CN SANs start end  (KEY: openssl -newkey argument, MD: the CA's digest)
    local c="$DIR/certs"
    # shellcheck disable=SC2086 # KEY may carry -pkeyopt
    openssl req -newkey ${KEY:-rsa:2048} -nodes -keyout "$c/$1.key" -out "$c/$1.csr" -subj "/CN=$2" \
        -addext "subjectAltName=$3" 2>/dev/null
    openssl ca -batch -config "$c/ca.cnf" -extensions leaf -startdate "$4" -enddate "$5" \
        -md "${MD:-sha256}" -in "$c/$1.csr" -out "$c/$1.crt" -notext 2>/dev/null
    cat "$c/$1.crt" "$c/ca.pem" >"$c/$1.pem"
}

make_namespace() {
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    local x="ip netns exec $NS iptables"
    $x -A INPUT -d 127.0.10.5 -p tcp -j DROP
    $x -A INPUT -d 127.0.10.6 -p tcp -j REJECT --reject-with tcp-reset
    $x -A INPUT -d 127.0.10.7 -p tcp -j REJECT --reject-with icmp-host-unreachable
    $x -A OUTPUT -p tcp --dport 25 -m owner --uid-owner 65534 -j DROP
    $x -A INPUT -d 127.0.20.33 -j DROP
}

start_unbound() {
    {
        cat <<EOF
server:
  interface: 127.0.0.53
  port: 53
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "$DIR"
  pidfile: "$DIR/unbound.pid"
  logfile: "$DIR/unbound.log"
  use-syslog: no
  do-daemonize: yes
  module-config: "validator iterator"
  root-hints: "$DIR/zones/root.hints"
  do-not-query-localhost: no
  local-zone: "test." static
EOF
        # Only the signed zones have anchors: everything else is insecure, as an unsigned
        # zone under a signed root would be.
        cat "$DIR/trust-anchors.conf"
        sed -e '/^\s*#/d' -e '/^\s*$/d' -e "s/.*/  local-data: '&'/" "$HERE/zones.txt"
    } >"$DIR/unbound.conf"
    daemon unbound -c "$DIR/unbound.conf"
}

# One NSD per role: name, the addresses it listens on, then zone:file pairs it serves.
start_nsd() {
    local name=$1 addrs=$2 d="$DIR/nsd-$1" a entry
    shift 2
    mkdir -p "$d"
    {
        echo "server:"
        for a in $addrs; do echo "  ip-address: $a"; done
        cat <<EOF
  port: 53
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$DIR/zones"
  zonelistfile: "$d/zone.list"
  xfrdfile: "$d/xfrd.state"
  xfrdir: "$d/xfr"
  pidfile: "$d/nsd.pid"
  logfile: "$d/nsd.log"
  server-count: 1
  hide-version: yes
remote-control:
  control-enable: no
EOF
        for entry in "$@"; do
            printf 'zone:\n  name: "%s"\n  zonefile: "%s"\n' "${entry%%:*}" "${entry#*:}"
        done
    } >"$d/nsd.conf"
    daemon nsd -c "$d/nsd.conf"
}

start_authorities() {
    mkdir -p "$DIR/zones"
    cp "$HERE"/dns/*.zone "$HERE/dns/root.hints" "$DIR/zones/"
    # moved.internal is served from its "before" file; tests/world/move-mx.sh swaps it.
    cp "$HERE/dns/moved.zone" "$DIR/zones/moved-served.zone"
    start_nsd root 127.0.20.1 .:root.zone internal.:internal.zone
    start_nsd moved "127.0.20.11 127.0.20.12" moved.internal.:moved-served.zone
    start_nsd stale1 127.0.20.21 stale.internal.:stale-new.zone
    start_nsd stale2 127.0.20.22 stale.internal.:stale-old.zone
    start_nsd lame 127.0.20.31 lame.internal.:lame.zone
    start_nsd refusing 127.0.20.32 elsewhere.internal.:elsewhere.zone
    start_nsd split "127.0.20.41 127.0.20.42 127.0.20.43" split.internal.:split.zone
    sign_dane_zones
    start_nsd delivery 127.0.20.51 sts.internal.:sts.zone stsbad.internal.:stsbad.zone \
        dane.internal.:dane.zone.signed danestale.internal.:danestale.zone.signed \
        danesplit.internal.:danesplit.zone.signed
    start_blocklists
}

# DNS blocklists (issue 25), served by rbldnsd under bl.internal: one that behaves (its test
# address and the hoster's shared server listed, with a reason), one that refuses this
# resolver (127.255.255.254 for everything), one without its test address.
start_blocklists() {
    mkdir -p "$DIR/rbl"
    cp "$HERE"/rbl/* "$DIR/rbl/"
    chmod 755 "$DIR/rbl"; chmod 644 "$DIR"/rbl/*
    daemon rbldnsd -r "$DIR/rbl" -b 127.0.20.61/53 -p "$DIR/rbldnsd.pid" -q \
        listed.bl.internal:ip4set:listed refusing.bl.internal:ip4trie:refusing \
        dead.bl.internal:ip4set:dead
    # UDP only (no TCP port to wait for): its pid file is written once it listens.
    local i
    for i in $(seq 1 50); do [ -s "$DIR/rbldnsd.pid" ] && return 0; sleep 0.1; done
    die "rbldnsd did not start"
}

# Signs dane.internal and danestale.internal (one ECDSA key each, used as Unbound's trust
# anchor) after filling in their TLSA data: the SHA-256 of a certificate's public key.
sign_dane_zones() {
    local z="$DIR/zones" spki
    spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
    sed "s/@TLSA@/$(spki "$DIR/certs/good.crt")/" "$HERE/dns/dane.zone" >"$z/dane.zone"
    sed "s/@TLSA@/$(spki "$DIR/certs/expired.crt")/" "$HERE/dns/danestale.zone" >"$z/danestale.zone"
    local name key
    for name in dane danestale; do
        key=$(cd "$z" && ldns-keygen -a ECDSAP256SHA256 -k "$name.internal")
        (cd "$z" && ldns-signzone -f "$name.zone.signed" "$name.zone" "$key" >/dev/null)
        echo "  trust-anchor-file: \"$z/$key.key\"" >>"$DIR/trust-anchors.conf"
    done
    # The usual split: a KSK (the anchor, also as a DS record) and a ZSK.
    sed "s/@TLSA@/$(spki "$DIR/certs/good.crt")/" "$HERE/dns/danesplit.zone" >"$z/danesplit.zone"
    local ksk zsk
    ksk=$(cd "$z" && ldns-keygen -a ECDSAP256SHA256 -k danesplit.internal)
    zsk=$(cd "$z" && ldns-keygen -a ECDSAP256SHA256 danesplit.internal)
    (cd "$z" && ldns-signzone -f danesplit.zone.signed danesplit.zone "$zsk" "$ksk" >/dev/null)
    cp "$z/$ksk.key" "$z/danesplit.ksk"
    (cd "$z" && ldns-key2ds -n -2 "$ksk.key") >"$z/danesplit.ds"
    echo "  trust-anchor-file: \"$z/danesplit.ksk\"" >>"$DIR/trust-anchors.conf"
}

# nginx serving the MTA-STS policies of sts.internal and stsbad.internal over HTTPS.
start_nginx() {
    local n="$DIR/nginx" site
    mkdir -p "$n/www" "$n/tmp"
    {
        cat <<EOF
daemon on;
pid $n/nginx.pid;
error_log $n/error.log;
user www-data;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $n/tmp;
  proxy_temp_path $n/tmp;
  fastcgi_temp_path $n/tmp;
  uwsgi_temp_path $n/tmp;
  scgi_temp_path $n/tmp;
  types { text/plain txt; }
EOF
        for site in sts stsbad; do
            mkdir -p "$n/www/$site/.well-known"
            cp "$HERE/www/$site.txt" "$n/www/$site/.well-known/mta-sts.txt"
            cat <<EOF
  server {
    listen 127.0.20.50:443 ssl;
    server_name mta-sts.$site.internal;
    ssl_certificate $DIR/certs/web.pem;
    ssl_certificate_key $DIR/certs/web.key;
    root $n/www/$site;
  }
EOF
        done
        # What mail clients are told about clients.test: a stale autoconfig (plaintext ports,
        # closed there) over HTTPS and plain HTTP, and an Autodiscover answer that is right.
        mkdir -p "$n/www/clients/mail"
        cp "$HERE/www/clients-autoconfig.xml" "$n/www/clients/mail/config-v1.1.xml"
        local pox
        pox=$(tr -d '\n' <"$HERE/www/clients-autodiscover.xml")
        cat <<EOF
  server {
    listen 127.0.20.50:443 ssl;
    listen 127.0.20.50:80;
    server_name autoconfig.clients.test;
    ssl_certificate $DIR/certs/web.pem;
    ssl_certificate_key $DIR/certs/web.key;
    root $n/www/clients;
    types { text/xml xml; }
  }
  server {
    listen 127.0.20.50:443 ssl;
    server_name autodiscover.clients.test;
    ssl_certificate $DIR/certs/web.pem;
    ssl_certificate_key $DIR/certs/web.key;
    location = /autodiscover/autodiscover.xml {
      default_type text/xml;
      return 200 '$pox';
    }
  }
EOF
        # Thunderbird's ISPDB under its real name: /v1.1/<domain>, good.test's entry only.
        mkdir -p "$n/www/ispdb/v1.1"
        cp "$HERE/www/ispdb/"* "$n/www/ispdb/v1.1/"
        cat <<EOF
  server {
    listen 127.0.20.50:443 ssl;
    server_name autoconfig.thunderbird.net;
    ssl_certificate $DIR/certs/web.pem;
    ssl_certificate_key $DIR/certs/web.key;
    root $n/www/ispdb;
    default_type text/xml;
  }
EOF
        echo "}"
    } >"$n/nginx.conf"
    chmod -R a+rX "$n/www"
    daemon nginx -c "$n/nginx.conf"
}

start_dovecot() { # name address cert|none [tls-only]
    local name=$1 addr=$2 cert=$3 d="$DIR/dovecot-$1"
    # tls-only: no plaintext listeners (143, 110): only the implicit-TLS ports answer.
    local plain=143 plain_pop=110
    [ "${4:-}" = tls-only ] && plain=0 plain_pop=0
    mkdir -p "$d"
    local ssl
    if [ "$cert" = none ]; then
        ssl="ssl = no"
    else
        ssl="ssl = yes
ssl_cert = <$DIR/certs/$cert.pem
ssl_key = <$DIR/certs/$cert.key
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = ${SSL_MIN:-TLSv1.2}
${SSL_CIPHERS:+ssl_cipher_list = $SSL_CIPHERS}"
    fi
    cat >"$d/dovecot.conf" <<EOF
base_dir = $d/run
instance_name = mailprobe-$name
state_dir = $d/state
protocols = imap pop3
listen = $addr
log_path = $d/dovecot.log
$ssl
auth_mechanisms = ${AUTH_MECHANISMS:-plain login}
disable_plaintext_auth = yes
first_valid_uid = 8
mail_location = maildir:$DIR/mail/%u
${DOVECOT_EXTRA:-}
passdb {
  driver = ${PASSDB_DRIVER:-passwd-file}
  args = ${PASSDB_ARGS:-scheme=PLAIN username_format=%u $DIR/users}
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$DIR/mail/%u
}
service auth {
  unix_listener auth-client {
    mode = 0666
  }
}
service imap-login {
  inet_listener imap {
    port = $plain
  }
  inet_listener imaps {
    port = $([ "$cert" = none ] && echo 0 || echo 993)
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $plain_pop
  }
  inet_listener pop3s {
    port = $([ "$cert" = none ] && echo 0 || echo 995)
    ssl = yes
  }
}
EOF
    daemon dovecot -c "$d/dovecot.conf"
}

start_postfix() {
    local p="$DIR/postfix"
    mkdir -p "$p" "$DIR/spool" "$DIR/postfix-data"
    chown postfix "$DIR/postfix-data"
    cat >"$p/main.cf" <<EOF
compatibility_level = 3.6
myhostname = mail.good.test
mydomain = good.test
mydestination = good.test
inet_protocols = ipv4
queue_directory = $DIR/spool
data_directory = $DIR/postfix-data
maillog_file_prefixes = $DIR
maillog_file = $DIR/postfix.log
smtpd_banner = \$myhostname ESMTP mailprobe world
smtpd_tls_cert_file = $DIR/certs/good.pem
smtpd_tls_key_file = $DIR/certs/good.key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DIR/dovecot-good/run/auth-client
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
alias_maps =
alias_database =
EOF
    local sub="-o smtpd_sasl_auth_enable=yes -o smtpd_tls_auth_only=yes"
    {
        svc() { echo "$1 inet n - n - - smtpd ${*:2}"; }
        svc 127.0.10.1:25
        svc 127.0.10.8:25
        svc 127.0.10.1:587 -o smtpd_tls_security_level=encrypt "$sub"
        svc 127.0.10.1:465 -o smtpd_tls_wrappermode=yes "$sub"
        for host in 2:wrongname 3:expired; do
            local cert="-o smtpd_tls_cert_file=$DIR/certs/${host#*:}.pem -o smtpd_tls_key_file=$DIR/certs/${host#*:}.key"
            svc "127.0.10.${host%%:*}:25" "$cert"
            svc "127.0.10.${host%%:*}:587" -o smtpd_tls_security_level=encrypt "$sub" "$cert"
            svc "127.0.10.${host%%:*}:465" -o smtpd_tls_wrappermode=yes "$sub" "$cert"
        done
        # clients.test: SMTP on 25 and 465 only (587 closed), its own certificate.
        local clients="-o smtpd_tls_cert_file=$DIR/certs/clients.pem -o smtpd_tls_key_file=$DIR/certs/clients.key"
        svc 127.0.10.9:25 "$clients"
        svc 127.0.10.9:465 -o smtpd_tls_wrappermode=yes "$sub" "$clients"
        svc 127.0.10.4:25 -o smtpd_tls_security_level=none
        svc 127.0.10.4:587 -o smtpd_tls_security_level=none -o smtpd_sasl_auth_enable=yes
        # greet.test: postscreen on 25 (a 220- teaser, the rest after 7 s, longer than the
        # default probe timeout; nobody whitelisted), and a 3 s `sleep` before the greeting on
        # 587, while Dovecot on the same address greets at once.
        echo "127.0.10.20:25 inet n - n - 1 postscreen -o postscreen_greet_action=enforce -o postscreen_greet_wait=7s -o postscreen_access_list= -o postscreen_dnsbl_sites="
        echo "smtpd pass - - n - - smtpd"
        svc 127.0.10.20:587 -o smtpd_client_restrictions=sleep,3 -o smtpd_delay_reject=no "$sub"
        # chain.test: submission whose certificate comes with an expired intermediate.
        svc 127.0.10.26:465 -o smtpd_tls_wrappermode=yes \
            -o smtpd_tls_cert_file=$DIR/certs/chain.pem -o smtpd_tls_key_file=$DIR/certs/chain.key
        # The relay test: an open relay (mynetworks = the whole Internet, the classic mistake;
        # Postfix refuses to start with relay restrictions of just "permit"), and a server
        # trusting the prober's own network. From here both relay.
        local trusting="-o smtpd_relay_restrictions=permit_mynetworks,reject_unauth_destination"
        svc 127.0.10.24:25 -o mynetworks=0.0.0.0/0 "$trusting"
        svc 127.0.10.25:25 -o mynetworks=127.0.0.0/8 "$trusting"
        # oauth.test: submission whose SASL is the OAuth-only Dovecot.
        svc 127.0.10.23:465 -o smtpd_tls_wrappermode=yes "$sub" \
            -o smtpd_sasl_path=$DIR/dovecot-oauth/run/auth-client \
            -o smtpd_tls_cert_file=$DIR/certs/oauth.pem -o smtpd_tls_key_file=$DIR/certs/oauth.key
        cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
dnsblog   unix  -       -       n       -       0       dnsblog
tlsproxy  unix  -       -       n       -       0       tlsproxy
EOF
    } >"$p/master.cf"
    ip netns exec "$NS" postfix -c "$p" set-permissions >/dev/null 2>&1 || true
    # Postfix reports fatal errors on stderr only when it is a terminal: give it one.
    if ! script -qec "ip netns exec $NS postfix -c $p start" /dev/null </dev/null >"$DIR/postfix-start.log" 2>&1; then
        cat "$DIR/postfix-start.log" "$DIR/postfix.log" >&2 2>/dev/null
        die "postfix did not start"
    fi
}

# smtpd.test: Debian 12's OpenSMTPD 6.8 on 25 (STARTTLS), 465 and 587. Its privilege-separated
# key process cannot sign with OpenSSL 3: it sends its ServerHello and certificate, then
# internal_error — the real server-side failure mailprobe must not blame on an old client.
start_opensmtpd() {
    local d="$DIR/opensmtpd"
    mkdir -p "$d"
    install -m 600 "$DIR/certs/smtpd.key" "$d/smtpd.key"
    cat >"$d/smtpd.conf" <<EOF
pki mail.smtpd.test cert "$DIR/certs/smtpd.pem"
pki mail.smtpd.test key "$d/smtpd.key"
listen on 127.0.10.43 port 25 tls pki mail.smtpd.test hostname mail.smtpd.test
listen on 127.0.10.43 port 465 smtps pki mail.smtpd.test hostname mail.smtpd.test
listen on 127.0.10.43 port 587 tls-require pki mail.smtpd.test hostname mail.smtpd.test
action "local" mbox
match from any for domain "smtpd.test" action "local"
EOF
    # Its control socket (/run/smtpd.sock) and queue (/var/spool/smtpd) are compiled in: a
    # mount namespace of its own gives it private ones, so the host and another world are
    # never touched.
    mkdir -p "$d/spool" /var/spool/smtpd
    chmod 711 "$d/spool"
    daemon unshare --mount --propagation private sh -c \
        "mount -t tmpfs mailprobe-world /run && mount --bind '$d/spool' /var/spool/smtpd &&
         exec '$MTA_ROOT/usr/sbin/smtpd' -f '$d/smtpd.conf'"
}

# exim.test: Debian 12's Exim 4.96 (GnuTLS) on 25 and 587 (STARTTLS) and 465 (implicit TLS),
# with Debian's defaults otherwise.
start_exim() {
    local d="$DIR/exim"
    mkdir -p "$d/spool" "$d/log"
    install -m 640 -g Debian-exim "$DIR/certs/exim.key" "$d/exim.key"
    chown -R Debian-exim "$d/spool" "$d/log"
    cat >"$d/exim.conf" <<EOF
primary_hostname = mail.exim.test
# On 587 a look-alike greeting (as admins set to hide the software): the capability list still
# tells Exim.
smtp_banner = \${if eq{\$received_port}{587}{\$primary_hostname ESMTP Postfix (Debian/GNU)}{\$primary_hostname ESMTP Exim \$version_number \$tod_full}}
spool_directory = $d/spool
log_file_path = $d/log/%slog
pid_file_path = $d/exim.pid
keep_environment =
local_interfaces = 127.0.10.44
daemon_smtp_ports = 25 : 465 : 587
tls_on_connect_ports = 465
tls_advertise_hosts = *
tls_certificate = $DIR/certs/exim.pem
tls_privatekey = $d/exim.key
domainlist local_domains = exim.test
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted
begin routers
begin transports
EOF
    daemon "$MTA_ROOT/usr/sbin/exim4" -C "$d/exim.conf" -bd
}

# Starts a daemon in the namespace with no inherited descriptors: whoever ran this script may
# be waiting for its output to end, and a daemon holding the pipe would keep it open forever.
daemon() {
    ip netns exec "$NS" "$@" </dev/null >>"$DIR/daemons.log" 2>&1
}

wait_for() { # address port
    local i
    for i in $(seq 1 100); do
        ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listens on $1:$2"
}

install_packages
install_other_mtas
# Never tear down a world this call did not start: a running namespace of this name (another
# user's or another test's) is left alone, and this start fails instead.
if ip netns list 2>/dev/null | grep -qw "$NS"; then
    die "namespace $NS already exists: stop it with tests/world/down.sh $NS $DIR, or pass another name"
fi
[ -e "$DIR" ] && die "$DIR already exists: remove it, or pass another directory"
mkdir -p "$DIR/mail"
chmod 755 "$DIR"
chown mail:mail "$DIR/mail"
printf 'user@good.test:{PLAIN}%s::::::\n' "$PASSWORD" >"$DIR/users"
chmod 644 "$DIR/users"
make_certs
make_namespace
start_authorities
start_unbound
start_dovecot good 127.0.10.1 good
start_dovecot wrongname 127.0.10.2 wrongname
start_dovecot expired 127.0.10.3 expired
start_dovecot nostarttls 127.0.10.4 none
start_dovecot clients 127.0.10.9 clients tls-only
start_dovecot greet 127.0.10.20 good
# authfail.test: Dovecot whose password check always fails inside the server (a checkpassword
# program answering 111, "temporary problem"), so every login gets [UNAVAILABLE].
printf '#!/bin/sh\nexit 111\n' >"$DIR/checkpassword-tempfail"
chmod 755 "$DIR/checkpassword-tempfail"
PASSDB_DRIVER=checkpassword PASSDB_ARGS="$DIR/checkpassword-tempfail" \
    start_dovecot authfail 127.0.10.21 authfail tls-only
# oauth.test: Dovecot taking only OAuth bearer tokens (OAUTHBEARER, XOAUTH2), validated locally
# as HS256 JWTs with the key in oauth-keys/ (the test mints its tokens with it); Postfix
# submission on 465 authenticates through it.
mkdir -p "$DIR/oauth-keys/default/HS256"
head -c 32 /dev/urandom | base64 -w0 >"$DIR/oauth-keys/default/HS256/default"
chmod -R a+rX "$DIR/oauth-keys"
printf 'introspection_mode = local\nlocal_validation_key_dict = fs:posix:prefix=%s/oauth-keys/\nusername_attribute = email\n' \
    "$DIR" >"$DIR/oauth2.conf.ext"
AUTH_MECHANISMS="oauthbearer xoauth2" PASSDB_DRIVER=oauth2 PASSDB_ARGS="$DIR/oauth2.conf.ext" \
    start_dovecot oauth 127.0.10.23 oauth tls-only
# busy.test: one IMAP session per user and address (the test holds one open).
DOVECOT_EXTRA="protocol imap {
  mail_max_userip_connections = 1
}" start_dovecot busy 127.0.10.22 busy
# TLS as deep as the scanners (issue 26).
# legacy.test takes TLS 1.0 (Dovecot with @SECLEVEL=0, as old-device setups do); the same
# Dovecot answers mail.weakkey.test (SNI) with an RSA-1024 key, which that level lets it load.
DOVECOT_EXTRA="local_name mail.weakkey.test {
  ssl_cert = <$DIR/certs/weakkey.pem
  ssl_key = <$DIR/certs/weakkey.key
}" SSL_MIN=TLSv1 SSL_CIPHERS="DEFAULT:@SECLEVEL=0" start_dovecot legacy 127.0.10.40 legacy tls-only
SSL_MIN=TLSv1.3 start_dovecot tls13 127.0.10.41 tls13 tls-only
SSL_CIPHERS="DEFAULT:@SECLEVEL=0" start_dovecot sha1 127.0.10.42 sha1 tls-only
start_postfix
start_opensmtpd
start_exim
start_nginx
for port in 993 143 995 110 25 587 465; do wait_for 127.0.10.1 "$port"; done
wait_for 127.0.10.8 25
wait_for 127.0.10.9 993
wait_for 127.0.10.4 143
wait_for 127.0.10.4 587
wait_for 127.0.10.20 25
wait_for 127.0.10.20 993
wait_for 127.0.10.21 993
wait_for 127.0.10.22 993
wait_for 127.0.10.23 993
wait_for 127.0.10.23 995
wait_for 127.0.10.23 465
wait_for 127.0.20.50 443
wait_for 127.0.10.24 25
wait_for 127.0.10.26 465
wait_for 127.0.10.25 25
for a in 127.0.10.40 127.0.10.41 127.0.10.42; do wait_for "$a" 993; done
for port in 25 465 587; do wait_for 127.0.10.43 "$port"; wait_for 127.0.10.44 "$port"; done
for a in 127.0.20.1 127.0.20.11 127.0.20.21 127.0.20.22 127.0.20.31 127.0.20.32 127.0.20.41 127.0.20.51; do
    wait_for "$a" 53
done
log "up: namespace $NS, files in $DIR, DNS 127.0.0.53, CA $DIR/certs/ca.pem"
