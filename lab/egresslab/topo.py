"""The lab's topology (issue 6, DESIGN 7), built from network namespaces
only; nothing is linked to the host's own namespace (every veth pair is
created inside a lab namespace with its peer end moved straight into
another).

    vpc --- cloud ===(2 tunnels each)=== cgw1..N --- isp1..N --- internet

vpc       10.180.0.10/20, default via the cloud gateway 10.180.0.1
cloud     egressd, personality aws-vgw (or aws-tgw), VPC route table in
          kernel table 100 (ip rule: what enters from the VPC uses it)
cgwI      egressd AS 64520+I, one eBGP session per tunnel
          (169.254.247.0/30 and .4/30 for router 1, +24 per router; the
          cloud is .1 of each /30, the router .2), originates 0.0.0.0/0
          while probe `uplink` (ICMP to the internet host via its ISP) is
          up, masquerades 10.180.0.0/20 towards its ISP, installs the VPC
          routes it learns; router 1 primary, the others prepend (AWS
          compares MED only between paths from the same AS), or all equal
          with MODE=ecmp on aws-tgw
ispI      198.51.100.4(I-1)/30 towards cgwI, 203.0.113.128+4(I-1)/30
          towards the internet
internet  203.0.113.10 on lo, reachable through every ISP; echoes
          udpecho traffic and answers the probes' pings
"""

import json
import os
import shutil

from .sh import LabError, kill_pid, nsip, nsrun, pid_alive, run, spawn, wait_until

VPC_CIDR = "10.180.0.0/20"
VPC_HOST = "10.180.0.10"
VPC_GW = "10.180.0.1"
INTERNET = "203.0.113.10"
ECHO_PORT = 7777
CLOUD_AS = 64512
ROUTE_TABLE = 100
HOLD = 30            # the reference design's (and AWS VPN's) hold time
KEEPALIVE = 10
CONNECT_RETRY = 1    # reconnect at once after a recovery
# The uplink probe: 5 echoes a second, 3 lost in a row take the default
# away (0.6 s), 3 answered bring it back.
PROBE = "interval 200ms timeout 150ms rise 3 fall 3"


def router_as(i):
    return 64520 + i


def tunnel_net(i, t):
    """Base of tunnel t (0, 1) of router i (1..N): .0/.4 for router 1,
    .24/.28 for router 2, ..."""
    return 24 * (i - 1) + 4 * t


def tunnel_cloud_ip(i, t):
    return f"169.254.247.{tunnel_net(i, t) + 1}"


def tunnel_cgw_ip(i, t):
    return f"169.254.247.{tunnel_net(i, t) + 2}"


def nat_ip(i):
    """Router i's address on its ISP link: what the internet sees."""
    return f"198.51.100.{4 * (i - 1) + 2}"


def isp_gw_ip(i):
    return f"198.51.100.{4 * (i - 1) + 1}"


def isp_up_ip(i):
    return f"203.0.113.{128 + 4 * (i - 1) + 1}"


def inet_side_ip(i):
    return f"203.0.113.{128 + 4 * (i - 1) + 2}"


TUN = ("tuna", "tunb")


class Lab:
    def __init__(self, root, build, prefix="egl", routers=2, personality="aws-vgw",
                 mode="primary-backup"):
        self.root = root                    # the lab/ directory
        self.build = build
        self.prefix = prefix
        self.n = routers
        self.personality = personality
        self.mode = mode
        self.out = os.path.join(root, "out")
        self.run_dir = os.path.join(self.out, "run")
        self.state_path = os.path.join(self.out, "state.json")
        self.pids = {}

    def set_out(self, out):
        self.out = os.path.abspath(out)
        self.run_dir = os.path.join(self.out, "run")
        self.state_path = os.path.join(self.out, "state.json")

    def asn(self, i):
        """Router i's AS.  For ECMP the transit gateway wants byte-identical
        AS paths (AWS: AS path and advertised ASN must match), so equal
        routers share one AS, as they do in such deployments."""
        return router_as(1) if self.mode == "ecmp" else router_as(i)

    # -- names and binaries ---------------------------------------------
    def ns(self, role):
        return f"{self.prefix}-{role}"

    def roles(self):
        r = ["vpc", "cloud", "internet"]
        for i in range(1, self.n + 1):
            r += [f"cgw{i}", f"isp{i}"]
        return r

    def bin(self, *parts):
        return os.path.join(self.build, *parts)

    @property
    def egressd(self):
        return self.bin("src", "daemon", "egressd")

    @property
    def egressctl(self):
        return self.bin("src", "client", "egressctl")

    @property
    def udpecho(self):
        return self.bin("lab", "udpecho")

    def node_dir(self, role):
        d = os.path.join(self.run_dir, role)
        os.makedirs(d, exist_ok=True)
        return d

    def sock(self, role):
        return os.path.join(self.node_dir(role), "egressd.sock")

    def log_path(self, role):
        return os.path.join(self.node_dir(role), "egressd.log")

    # -- state kept between invocations ---------------------------------
    def save(self):
        os.makedirs(self.out, exist_ok=True)
        st = {"out": self.out, "prefix": self.prefix, "routers": self.n, "personality": self.personality,
              "mode": self.mode, "build": self.build, "pids": self.pids}
        with open(self.state_path, "w") as f:
            json.dump(st, f, indent=1)

    @classmethod
    def load(cls, root, out=None):
        out = os.path.abspath(out) if out else os.path.join(root, "out")
        path = os.path.join(out, "state.json")
        try:
            with open(path) as f:
                st = json.load(f)
        except (OSError, ValueError):
            return None
        lab = cls(root, st["build"], st["prefix"], st["routers"], st["personality"],
                  st["mode"])
        lab.set_out(out)
        lab.pids = st.get("pids", {})
        return lab

    # -- configs ----------------------------------------------------------
    def cloud_conf(self):
        lines = ["router-id 10.255.0.100", f"personality {self.personality}"]
        if self.personality == "aws-tgw":
            lines.append("vpn-ecmp on" if self.mode == "ecmp" else "vpn-ecmp off")
        lines += ["route-table vpc {", f"    table {ROUTE_TABLE}", f"    local {VPC_CIDR}",
                  "}"]
        for i in range(1, self.n + 1):
            for t in (0, 1):
                lines.append(f"neighbor {tunnel_cgw_ip(i, t)} {{ remote-as {self.asn(i)}; "
                             f"connect-retry {CONNECT_RETRY}; "
                             f'description "cgw{i} tunnel {t + 1}" }}')
        return "\n".join(lines) + "\n"

    def cgw_conf(self, i):
        primary = self.mode == "ecmp" or i == 1
        # Backups prepend: router 2 once more than router 1, router 3
        # twice, so the order of preference is the router number.
        export = "primary" if primary else "backup"
        lines = [
            f"router-id 10.255.1.{i}",
            f"local-as {self.asn(i)}",
            f"probe uplink {{ icmp {INTERNET} via isp0 {PROBE} }}",
            "originate 0.0.0.0/0 when uplink",
            f"prefix-set vpc {{ {VPC_CIDR} le 24 }}",
            "policy from-aws { match prefix-set vpc; accept }",
            "policy primary { match prefix 0.0.0.0/0; accept }",
            f"policy backup {{ match prefix 0.0.0.0/0; prepend {max(i - 1, 1)}; accept }}",
            "group aws {",
            f"    remote-as {CLOUD_AS}",
            f"    hold-time {HOLD}",
            f"    keepalive {KEEPALIVE}",
            f"    connect-retry {CONNECT_RETRY}",
            "    import from-aws",
            f"    export {export}",
        ]
        for t in (0, 1):
            lines.append(f'    neighbor {tunnel_cloud_ip(i, t)} {{ description "tunnel {t + 1}" }}')
        lines.append("}")
        return "\n".join(lines) + "\n"

    # -- building ---------------------------------------------------------
    def _veth(self, a, aif, b, bif):
        nsip(self.ns(a), "link", "add", aif, "type", "veth", "peer", "name", bif,
             "netns", self.ns(b))
        nsip(self.ns(a), "link", "set", aif, "up")
        nsip(self.ns(b), "link", "set", bif, "up")

    def _addr(self, role, ifname, cidr):
        nsip(self.ns(role), "addr", "add", cidr, "dev", ifname)

    def _sysctl(self, role, *kv):
        for x in kv:
            nsrun(self.ns(role), ["sysctl", "-qw", x])

    def lab_namespaces(self):
        """Namespaces of this prefix that exist now (ours, or left by an
        interrupted run)."""
        r = run(["ip", "netns", "list"], check=False)
        names = [ln.split()[0] for ln in r.stdout.splitlines() if ln.split()]
        return [x for x in names if x.startswith(self.prefix + "-")]

    def up(self):
        self.down(quiet=True)  # a re-run after an interrupted one starts clean
        # Results of an earlier lab would mix with this one's.
        for sub in ("scenarios", "run"):
            shutil.rmtree(os.path.join(self.out, sub), ignore_errors=True)
        for f in ("report.json", "report.txt", "timeline.svg"):
            try:
                os.unlink(os.path.join(self.out, f))
            except FileNotFoundError:
                pass
        os.makedirs(self.run_dir, exist_ok=True)
        try:
            self._build()
            self.save()
            self._start_all()
            self.save()
            self.wait_converged()
        except BaseException:
            self.save()
            self.down(quiet=True)
            raise

    def _build(self):
        for role in self.roles():
            run(["ip", "netns", "add", self.ns(role)])
            nsip(self.ns(role), "link", "set", "lo", "up")
            self._sysctl(role, "net.ipv4.conf.all.rp_filter=0",
                         "net.ipv4.conf.default.rp_filter=0")
        for role in ["cloud"] + [f"{k}{i}" for i in range(1, self.n + 1) for k in ("cgw", "isp")]:
            self._sysctl(role, "net.ipv4.ip_forward=1")
        # A flow's packets stay on one ECMP path; different source
        # ports may take different ones (aws-tgw ECMP spreads flows).
        self._sysctl("cloud", "net.ipv4.fib_multipath_hash_policy=1")
        self._veth("vpc", "eth0", "cloud", "vpc0")
        self._addr("vpc", "eth0", f"{VPC_HOST}/20")
        nsip(self.ns("vpc"), "route", "add", "default", "via", VPC_GW)
        self._addr("cloud", "vpc0", f"{VPC_GW}/20")
        # What comes from the VPC is routed by the VPC route table.
        nsip(self.ns("cloud"), "rule", "add", "iif", "vpc0", "lookup", str(ROUTE_TABLE),
             "pref", "100")
        nsip(self.ns("internet"), "addr", "add", f"{INTERNET}/32", "dev", "lo")
        for i in range(1, self.n + 1):
            cgw, isp = f"cgw{i}", f"isp{i}"
            for t in (0, 1):
                cif = f"t{i}{'ab'[t]}"
                self._veth("cloud", cif, cgw, TUN[t])
                self._addr("cloud", cif, f"{tunnel_cloud_ip(i, t)}/30")
                self._addr(cgw, TUN[t], f"{tunnel_cgw_ip(i, t)}/30")
            self._veth(cgw, "isp0", isp, "cgw0")
            self._addr(cgw, "isp0", f"{nat_ip(i)}/30")
            self._addr(isp, "cgw0", f"{isp_gw_ip(i)}/30")
            nsip(self.ns(cgw), "route", "add", "default", "via", isp_gw_ip(i))
            self._veth(isp, "inet0", "internet", f"isp{i}")
            self._addr(isp, "inet0", f"{isp_up_ip(i)}/30")
            self._addr("internet", f"isp{i}", f"{inet_side_ip(i)}/30")
            nsip(self.ns(isp), "route", "add", f"{INTERNET}/32", "via", inet_side_ip(i))
            nsip(self.ns("internet"), "route", "add", f"198.51.100.{4 * (i - 1)}/30", "via",
                 isp_up_ip(i))
            # Source NAT of the VPC towards the ISP: the address the
            # internet host sees names the router.
            nsrun(self.ns(cgw), ["nft", "-f", "-"], input_=(
                "table ip egl_nat {\n"
                " chain post {\n"
                "  type nat hook postrouting priority srcnat; policy accept;\n"
                f'  oifname "isp0" ip saddr {VPC_CIDR} masquerade\n'
                " }\n"
                "}\n"))

    def _start_all(self):
        self.pids["echo"] = spawn(self.ns("internet"),
                                  [self.udpecho, "server", "-b", INTERNET, "-p", str(ECHO_PORT)],
                                  os.path.join(self.node_dir("internet"), "udpecho.log"))
        self.start_egressd("cloud")
        for i in range(1, self.n + 1):
            self.start_egressd(f"cgw{i}")

    def write_conf(self, role):
        path = os.path.join(self.node_dir(role), "egressd.conf")
        text = self.cloud_conf() if role == "cloud" else self.cgw_conf(int(role[3:]))
        with open(path, "w") as f:
            f.write(text)
        return path

    def start_egressd(self, role):
        conf = self.write_conf(role)
        r = run([self.egressd, "-n", "-f", conf], check=False)
        if r.returncode != 0:
            raise LabError(f"the {role} config does not load: {r.stderr.strip()}")
        try:
            os.unlink(self.sock(role))
        except FileNotFoundError:
            pass
        pid = spawn(self.ns(role), [self.egressd, "-d", "-f", conf, "-s", self.sock(role)],
                    self.log_path(role))
        self.pids[role] = pid
        self.save()
        wait_until(lambda: os.path.exists(self.sock(role)) or self._dead(role), 10,
                   what=f"egressd in {role} to open its control socket")
        if self._dead(role):
            raise LabError(f"egressd in {role} exited; see {self.log_path(role)}")
        return pid

    def _dead(self, role):
        return not pid_alive(self.pids.get(role, 0) or 0)

    def kill_egressd(self, role, sig):
        pid = self.pids.get(role)
        if pid:
            kill_pid(pid, sig, grace=2.0)
        self.pids[role] = None
        self.save()

    # -- asking the daemons -------------------------------------------------
    def ctl(self, role, *args):
        r = nsrun(self.ns(role), [self.egressctl, "-s", self.sock(role), "--json"] + list(args),
                  check=False, timeout=10)
        if r.returncode != 0:
            raise LabError(f"egressctl {' '.join(args)} in {role}: {r.stderr.strip()}")
        return json.loads(r.stdout)

    def vpc_default(self):
        """Router numbers the cloud's VPC route table (the kernel's table
        100, as `ip route` says) sends the default to."""
        r = nsip(self.ns("cloud"), "-j", "route", "show", "table", str(ROUTE_TABLE),
                 "0.0.0.0/0", check=False)
        try:
            routes = json.loads(r.stdout or "[]")
        except ValueError:
            return set()
        gws = set()
        for rt in routes:
            if rt.get("dst") != "default":
                continue
            hops = [rt] if "gateway" in rt else rt.get("nexthops", [])
            for h in hops:
                gws.add(h.get("gateway"))
        return {self.router_of_tunnel(g) for g in gws if self.router_of_tunnel(g)}

    def router_of_tunnel(self, gw):
        for i in range(1, self.n + 1):
            if gw in (tunnel_cgw_ip(i, 0), tunnel_cgw_ip(i, 1)):
                return i
        return None

    def router_of_nat(self, addr):
        for i in range(1, self.n + 1):
            if addr == nat_ip(i):
                return i
        return None

    def sessions(self, role):
        return {n["address"]: n["state"] for n in self.ctl(role, "show", "neighbors")["neighbors"]}

    def expected_default(self):
        return set(range(1, self.n + 1)) if self.mode == "ecmp" else {1}

    def wait_converged(self, timeout=60):
        """Every session Established, every probe up, and the VPC route
        table pointing where the policy says."""
        def ok():
            if any(s != "Established" for s in self.sessions("cloud").values()):
                return False
            for i in range(1, self.n + 1):
                probes = self.ctl(f"cgw{i}", "show", "probes")["probes"]
                if any(p["state"] != "up" for p in probes):
                    return False
            return self.vpc_default() == self.expected_default()
        wait_until(ok, timeout, interval=0.2,
                   what="the lab to converge (sessions up, probes up, default via "
                   + ",".join(f"router {i}" for i in sorted(self.expected_default())) + ")")

    # -- teardown -----------------------------------------------------------
    def down(self, quiet=False):
        for role, pid in list(self.pids.items()):
            if pid:
                kill_pid(pid)
            self.pids[role] = None
        # Anything still inside our namespaces was started by the lab
        # (a daemon whose PID was lost with an interrupted run).
        for name in self.lab_namespaces():
            r = run(["ip", "netns", "pids", name], check=False)
            for p in r.stdout.split():
                if p.isdigit():
                    kill_pid(int(p), grace=1.0)
            run(["ip", "netns", "del", name], check=False)
        if os.path.exists(self.state_path):
            os.unlink(self.state_path)
        if not quiet:
            print(f"lab down: namespaces {self.prefix}-* removed")

    def status(self):
        names = self.lab_namespaces()
        if not names:
            return "lab is down (no namespaces " + self.prefix + "-*)"
        lines = [f"lab up: {self.n} routers, {self.personality}, {self.mode}; "
                 f"namespaces: {' '.join(sorted(names))}"]
        for role in ["cloud"] + [f"cgw{i}" for i in range(1, self.n + 1)]:
            pid = self.pids.get(role)
            alive = bool(pid) and pid_alive(pid)
            lines.append(f"  {role:6} egressd pid {pid or '-'} {'running' if alive else 'stopped'}")
            if alive:
                try:
                    for a, s in sorted(self.sessions(role).items()):
                        lines.append(f"         {a:16} {s}")
                except LabError as e:
                    lines.append(f"         ({e})")
        lines.append("  VPC default route via router(s): "
                     + (", ".join(str(x) for x in sorted(self.vpc_default())) or "none"))
        return "\n".join(lines)
