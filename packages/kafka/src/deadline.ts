/**
 * Whether `work` settled within `ms`: true once it fulfilled, false when the time ran out first
 * (it may still settle later), its rejection rethrown when it failed in time.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** `work`'s outcome, or an error once `ms` passed without one. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  if (!(await settlesWithin(work, ms))) throw new Error(`no answer within ${ms} ms`);
  return work;
}
