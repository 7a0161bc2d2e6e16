#!/bin/sh
# Reload on a full table: egressd learns N prefixes from the bench
# feeder (loopback, in a network namespace this script creates), then an
# import policy change is reloaded (re-run over the soft-reconfiguration
# copy, or ROUTE-REFRESH without it) and then a decision knob
# (always-compare-med: every best path recomputed).  Prints egressd's RSS
# before and after and the log lines whose timestamps give the durations.
#
#   sudo bench/reload_soft.sh BUILD_DIR yes|no [PREFIXES]
# BUILD_DIR is a meson build with -Dbench=true.  Root: it makes a netns.
set -eu
B=$(cd "$1" && pwd)
SOFT_ON=$2
N=${3:-1000000}
NS=egbench-reload-$$
W=$(mktemp -d)
cleanup() {
	[ -n "${FP:-}" ] && kill "$FP" 2>/dev/null || true
	[ -n "${EP:-}" ] && kill "$EP" 2>/dev/null || true
	wait 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip addr add 127.0.0.2/8 dev lo
SOFT=""
[ "$SOFT_ON" = yes ] && SOFT="soft-reconfiguration inbound"
cat > "$W/e.conf" <<EOC
router-id 10.0.0.1
local-as 65000
listen on 127.0.0.1
policy in-v1 { accept }
neighbor 127.0.0.2 { remote-as 65001; passive; import in-v1; export none; hold-time 240; $SOFT }
EOC
ctl() { ip netns exec "$NS" "$B/src/client/egressctl" -s "$W/e.sock" "$@"; }
ip netns exec "$NS" "$B/src/daemon/egressd" -d -f "$W/e.conf" -s "$W/e.sock" > "$W/e.log" 2>&1 &
EP=$!
sleep 0.3
ip netns exec "$NS" "$B/bench/feeder" --connect 127.0.0.1 --local 127.0.0.2 --local-as 65001 \
	--peer-as 65000 --prefixes "$N" > "$W/f.log" 2>&1 &
FP=$!
n=0
for _ in $(seq 1 600); do
	n=$(ctl --json show memory | sed -n 's/.*"paths": \([0-9]*\).*/\1/p' | head -1)
	[ "${n:-0}" -ge "$N" ] && break
	sleep 0.5
done
echo "paths=$n rss_kib=$(awk '/VmRSS/ {print $2}' /proc/$EP/status)"
sed -i 's/policy in-v1 { accept }/policy in-v1 { set local-pref 200; accept }/' "$W/e.conf"
ctl reload
for _ in $(seq 1 600); do
	[ "$SOFT_ON" = yes ] || break
	grep -q "import policy re-run over" "$W/e.log" && break
	sleep 0.1
done
sed -i 's/^local-as 65000/local-as 65000\nalways-compare-med/' "$W/e.conf"
ctl reload
for _ in $(seq 1 600); do
	grep -q "best paths recomputed" "$W/e.log" && break
	sleep 0.1
done
grep -E "reload|import changed|re-run|recomputed" "$W/e.log"
echo "rss_after_kib=$(awk '/VmRSS/ {print $2}' /proc/$EP/status)"
