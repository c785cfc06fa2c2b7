/** The part of `process` the guards use, so a test can hand in its own. */
export interface GuardedProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  exit(code: number): never | void;
}

/**
 * A promise rejected with nobody to handle it means some state is now unknown (a half-released
 * connection, an audit write that never landed). Carrying on would hide it; the process says
 * what failed and exits non-zero, and its supervisor (systemd's Restart=on-failure) starts a
 * clean one. Connections reconnect by themselves, and peer-to-peer video goes on meanwhile.
 */
export function exitOnUnhandledRejection(target: GuardedProcess, report: (reason: unknown) => void): void {
  target.on('unhandledRejection', (reason) => {
    try {
      report(reason);
    } finally {
      target.exit(70); // EX_SOFTWARE: an internal error
    }
  });
}

/** One line for the operator's journal: the stack when there is one. */
export function describeFailure(reason: unknown): string {
  return reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : String(reason);
}
