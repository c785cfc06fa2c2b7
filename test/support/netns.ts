import { execFileSync } from 'node:child_process';

/**
 * A network namespace joined to this machine by a veth pair, as a /30 of its own: tests that
 * need two hosts (libnice ignores loopback; an edge node at a "site") make one. Names and the
 * subnet derive from the process id, so concurrent runs do not collide.
 */
export interface VethNamespace {
  readonly ns: string;
  /** This machine's end and its address. */
  readonly outside: string;
  readonly hostAddress: string;
  /** The namespace's end and its address. */
  readonly inside: string;
  readonly nsAddress: string;
  create(): void;
  /** Idempotent: also clears what an earlier, killed run of the same process id left. */
  remove(): void;
}

const sh = (...commands: string[]) => { for (const command of commands) execFileSync('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] }); };

/** `name` (a few letters) names it; `secondOctet` picks its 10.x.0.0/16. */
export function vethNamespace(name: string, secondOctet: number): VethNamespace {
  const slot = process.pid % 16_000;
  const base = `10.${secondOctet}.${Math.floor(slot / 64)}.${(slot % 64) * 4}`;
  const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
  const net = {
    ns: `vigil-${name}-${process.pid}`,
    outside: `v${name.slice(0, 2)}A${process.pid}`.slice(0, 15),
    inside: `v${name.slice(0, 2)}B${process.pid}`.slice(0, 15),
    hostAddress: `${a}.${b}.${c}.${d + 1}`,
    nsAddress: `${a}.${b}.${c}.${d + 2}`,
  };
  return {
    ...net,
    create() {
      sh(`ip netns add ${net.ns}`,
        `ip link add ${net.outside} type veth peer name ${net.inside}`,
        `ip link set ${net.inside} netns ${net.ns}`,
        `ip addr add ${net.hostAddress}/30 dev ${net.outside}`, `ip link set ${net.outside} up`,
        `ip netns exec ${net.ns} ip addr add ${net.nsAddress}/30 dev ${net.inside}`,
        `ip netns exec ${net.ns} ip link set ${net.inside} up`, `ip netns exec ${net.ns} ip link set lo up`);
    },
    remove() {
      try { sh(`ip link del ${net.outside} 2>/dev/null || true`, `ip netns del ${net.ns} 2>/dev/null || true`); } catch { /* already gone */ }
    },
  };
}
