#!/usr/bin/env bash
# Side by side on warm answers for one enforce domain: Debian's postfix-mta-sts-resolver daemon (mta-sts-daemon) and
# our `mta-sts postfix`, both loaded by SocketmapLoad (64 clients, 3 s unmeasured, 10 s measured), in one session, with
# a third server as the floor: noop-server.c, a single-threaded C socketmap server that answers NOTFOUND to everything
# at once (what the kernel, loopback TCP and two system calls per request cost; no server can need less CPU).
#
#   sudo benchmarks/SocketmapLoad/side-by-side.sh [runs]      # runs per server, default 2; needs root
#   sudo OURS_ENV=DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 benchmarks/SocketmapLoad/side-by-side.sh
#                                                            # the same, with that environment for our server only
#
# The Python daemon asks the system resolver and trusts the system CA store, so everything runs in a private network
# and mount namespace (the host is untouched): lo up, /etc/resolv.conf -> nameserver 127.0.0.1, the CA bundle = the
# system bundle + the world's test root, and `SocketmapLoad --world` serving DNS on 127.0.0.1:53 and the policy host on
# 127.0.0.1:443. Both servers answer from that one world. A benchmark command, not part of CI.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin="$here/bin/Release/net10.0"
runs=${1:-2}
clients=64
seconds=10
domain=load.example.test
py_port=8461
our_port=8462
floor_port=8463

if [[ "${SIDE_BY_SIDE_INNER:-}" != 1 ]]; then
    [[ $(id -u) == 0 ]] || { echo "needs root (unshare --net --mount, ports 53 and 443)" >&2; exit 2; }
    if ! dpkg -s postfix-mta-sts-resolver >/dev/null 2>&1; then
        apt-get install -y postfix-mta-sts-resolver
    fi
    command -v postmap >/dev/null || apt-get install -y postfix
    command -v gcc >/dev/null || apt-get install -y gcc
    dotnet build -c Release "$here/SocketmapLoad.csproj" -v quiet -nologo | tail -n 3
    SIDE_BY_SIDE_INNER=1 exec unshare --net --mount --propagation private "${BASH_SOURCE[0]}" "$runs"
fi

# --- inside the namespace ---
work=$(mktemp -d /tmp/side-by-side.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip link set lo up
echo "nameserver 127.0.0.1" > "$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf

wait_for() { # file pattern
    for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1
}
wait_port() { # port
    for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
    echo "nothing listens on 127.0.0.1:$1" >&2; exit 1
}

dotnet "$bin/SocketmapLoad.dll" --world "$work/root.pem" > "$work/world.log" 2>&1 &
pids+=($!)
wait_for "$work/world.log" '^ready'
head -n 1 "$work/world.log"

# The bundle Python's ssl module loads (cafile of ssl.get_default_verify_paths(); certifi's too if present).
cafile=$(/usr/bin/python3 -c 'import ssl; print(ssl.get_default_verify_paths().cafile)')
cat "$cafile" "$work/root.pem" > "$work/bundle.crt"
mount --bind "$work/bundle.crt" "$cafile"
if certifi=$(/usr/bin/python3 -c 'import certifi; print(certifi.where())' 2>/dev/null); then
    mount --bind "$work/bundle.crt" "$certifi"
fi

# The Python daemon: one listener, in-memory cache; cache_grace 3600 so no refresh lookup falls in a run (default 60 s).
cat > "$work/mta-sts-daemon.yml" <<EOF
host: 127.0.0.1
port: $py_port
reuse_port: true
cache_grace: 3600
cache:
  type: internal
  options:
    cache_size: 10000
default_zone:
  strict_testing: false
  timeout: 4
EOF
mta-sts-daemon -c "$work/mta-sts-daemon.yml" -v info -l "$work/py.log" &
py_pid=$!
pids+=("$py_pid")
wait_port "$py_port"

env ${OURS_ENV:-} dotnet "$bin/mta-sts.dll" postfix --listen "inet:127.0.0.1:$our_port" --log-level warning --max-connections 1000 \
    --name-server 127.0.0.1:53 --trust-anchor "$work/root.pem" --allow-private-policy-hosts > "$work/ours.log" 2>&1 &
our_pid=$!
pids+=("$our_pid")
wait_port "$our_port"

gcc -O2 -o "$work/noop-server" "$here/noop-server.c"
"$work/noop-server" "$floor_port" &
floor_pid=$!
pids+=("$floor_pid")
wait_port "$floor_port"

# postmap wants a main.cf; an empty one in a config directory of our own will do.
mkdir -p "$work/postfix" && touch "$work/postfix/main.cf"
echo "postfix-mta-sts-resolver $(dpkg-query -W -f '${Version}' postfix-mta-sts-resolver), $(/usr/bin/python3 --version)," \
    "$(grep -o 'uvloop[^.]*' "$work/py.log" | head -n 1); mta-sts on .NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -n 1); $(nproc) cores"
echo "postmap -q $domain (python): $(postmap -c "$work/postfix" -q "$domain" "socketmap:inet:127.0.0.1:$py_port:postfix" || echo NOTFOUND)"
echo "postmap -q $domain (ours):   $(postmap -c "$work/postfix" -q "$domain" "socketmap:inet:127.0.0.1:$our_port:postfix" || echo NOTFOUND)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); nice 19 processes (not kernel threads): $(ps -eo ni=,args= | awk '$1==19 && $2 !~ /^\[/ {print $2}' | sort -u | tr '\n' ' ')"

results=()
load() { # label port pid expected-answer
    local out
    out=$(dotnet "$bin/SocketmapLoad.dll" --target "inet:127.0.0.1:$2" --pid "$3" --key "$domain" \
        --clients "$clients" --seconds "$seconds")
    echo "$1: $out"
    grep -q "^warm-up answer: $4" <<<"$out" || { echo "$1 did not answer $4" >&2; exit 1; }
    local rps us
    rps=$(sed -n 's/.* \([0-9]*\) requests\/s.*/\1/p' <<<"$out")
    us=$(sed -n 's/.* = \([0-9.]*\) µs per request.*/\1/p' <<<"$out")
    results+=("$1|$rps|$us")
}

for run in $(seq "$runs"); do
    load "python run $run" "$py_port" "$py_pid" "OK secure match="
    load "ours run $run" "$our_port" "$our_pid" "OK secure match="
    load "floor run $run" "$floor_port" "$floor_pid" "NOTFOUND"
done

echo
printf '| %-18s | %12s | %22s |\n' "Server, run" "Requests/s" "Server CPU per request"
printf '|%s|%s|%s|\n' "--------------------" "--------------" "------------------------"
for r in "${results[@]}"; do
    IFS='|' read -r label rps us <<<"$r"
    printf '| %-18s | %12s | %19s µs |\n' "$label" "$rps" "$us"
done
echo
for run in $(seq "$runs"); do
    IFS='|' read -r _ py_rps py_us <<<"${results[$(( (run - 1) * 3 ))]}"
    IFS='|' read -r _ our_rps our_us <<<"${results[$(( (run - 1) * 3 + 1 ))]}"
    IFS='|' read -r _ _ floor_us <<<"${results[$(( (run - 1) * 3 + 2 ))]}"
    awk -v r="$run" -v a="$our_rps" -v b="$py_rps" -v c="$py_us" -v d="$our_us" -v f="$floor_us" \
        'BEGIN { printf "run %d: ours/python throughput %.2fx; python/ours CPU per request %.2fx; python/floor %.2fx, ours/floor %.2fx\n", r, a / b, c / d, c / f, d / f }'
done
