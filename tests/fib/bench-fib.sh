#!/bin/sh
# FIB write benchmark (not a test): installs COUNT routes on one nexthop
# group through the batched netlink writer inside a throwaway network
# namespace and reports routes/s, then the time of one group replace
# under a full table with net.ipv4.nexthop_compat_mode 1 and 0.
#
# usage (root): tests/fib/bench-fib.sh [BUILD_DIR [COUNT [RUNS]]]
# Figures vary with machine load; compare runs made side by side.
set -eu
build=${1:-build}
count=${2:-1000000}
runs=${3:-3}
probe="$build/tests/fib/fib_probe"
[ -x "$probe" ] || { echo "bench-fib: $probe not built" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench-fib: needs root (network namespace)" >&2; exit 2; }

# Named like the system tests' namespaces, so their stale sweep
# removes it should this script be killed before its trap runs.
ns="egs-$$-0-fibbench"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT INT TERM
for i in 0 1; do
	ip -n "$ns" link add "d$i" type veth peer name "d${i}p"
	ip -n "$ns" link set "d$i" up
	ip -n "$ns" link set "d${i}p" up
done
ip -n "$ns" addr add 192.0.2.254/24 dev d0
ip -n "$ns" addr add 198.51.100.254/24 dev d1
gws="--gw 192.0.2.1@d0 --gw 198.51.100.1@d1"
run() { ip netns exec "$ns" "$probe" --count "$count" "$@"; }
sweep() { ip netns exec "$ns" "$probe" --gw 192.0.2.1@d0 sweep >/dev/null 2>&1; }
rate() { sed -n 's/.*"rate":\([0-9]*\).*/\1/p' | head -1; }
secs() { sed -n "s/.*\"step\":\"$1\".*\"seconds\":\([0-9.]*\).*/\1/p"; }

for mode in "nexthop-group:" "nexthop-group-ack-each:--ack-each" "inline-multipath:--inline"; do
	name=${mode%%:*}
	opt=${mode#*:}
	all=""
	for r in $(seq "$runs"); do
		# shellcheck disable=SC2086
		all="$all $(run $gws $opt bench | rate)"
		sweep
	done
	echo "install $count routes, $name: routes/s$all"
done

for compat in 1 0; do
	ip netns exec "$ns" sysctl -qw net.ipv4.nexthop_compat_mode=$compat
	# shellcheck disable=SC2086
	out=$(run $gws --to 192.0.2.2@d0 --to 198.51.100.1@d1 replace)
	echo "group replace under $count routes, nexthop_compat_mode=$compat:" \
		"$(echo "$out" | secs replaced) s (netlink call)"
	sweep
done
