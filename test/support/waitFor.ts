/**
 * Polls `condition` every `everyMs` until it holds, or fails naming `what` after `timeoutMs`:
 * tests wait for the state they need, not for a fixed time.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what = 'the condition',
  { timeoutMs = 5_000, everyMs = 50 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not in time (${timeoutMs} ms): ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
