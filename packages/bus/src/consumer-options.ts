import type { ConsumerOptions } from './types';

/** Options both buses refuse alike: a mistake in the calling code, reported at creation. */
export function assertConsumerOptions(opts: ConsumerOptions): void {
  if (opts.live && opts.onAssigned) {
    throw new Error(`consumer of group ${opts.groupId}: live starts every partition at its end, so it cannot take onAssigned's offsets as well`);
  }
}
