import { EncodeError, encodeOutbound } from '@pitwall/acc-broadcast';
import type { Bus, Consumer } from '@pitwall/bus';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { codecs, DecodeError, Source, type Command } from '@pitwall/proto';
import type { AccRequest } from './acc-link';

const U16_MAX = 0xffff;

export type CommandMapping = { ok: true; request: AccRequest } | { ok: false; reason: string };

/**
 * A pit-wall command as the broadcasting request the game understands. Times on the wire are in
 * ms of session time (as REALTIME_UPDATE reports them); the schema's are seconds.
 */
export function commandRequest(c: Command): CommandMapping {
  let request: AccRequest;
  if (c.changeFocus) {
    const { carIndex, cameraSet, camera } = c.changeFocus;
    const hasCar = carIndex !== null && carIndex !== undefined;
    // The SDK sends "keep the camera" when either name is empty.
    const cam = cameraSet && camera ? { cameraSet, camera } : null;
    if (!hasCar && !cam) return { ok: false, reason: 'change_focus names neither a car nor a camera' };
    if (hasCar && carIndex > U16_MAX) return { ok: false, reason: `car_index ${carIndex} is above ${U16_MAX}` };
    request = { type: 'CHANGE_FOCUS', carIndex: hasCar ? carIndex : null, camera: cam };
  } else if (c.changeHudPage) {
    if (!c.changeHudPage.page) return { ok: false, reason: 'change_hud_page has no page' };
    request = { type: 'CHANGE_HUD_PAGE', hudPage: c.changeHudPage.page };
  } else if (c.instantReplay) {
    const r = c.instantReplay;
    const start = r.startSessionTimeS ?? 0;
    const duration = r.durationS ?? 0;
    if (!(duration > 0)) return { ok: false, reason: `instant_replay duration_s ${duration} is not positive` };
    request = {
      type: 'INSTANT_REPLAY_REQUEST',
      startSessionTime: start * 1000,
      durationMs: duration * 1000,
      initialFocusedCarIndex: r.carIndex ?? -1,
      initialCameraSet: r.cameraSet ?? '',
      initialCamera: r.camera ?? '',
    };
  } else {
    return { ok: false, reason: 'command has no action' };
  }
  // Check now that the wire can carry it (string lengths, integer ranges), not at send time.
  try {
    encodeOutbound({ ...request, connectionId: 0 } as Parameters<typeof encodeOutbound>[0]);
  } catch (err) {
    if (err instanceof EncodeError) return { ok: false, reason: err.message };
    throw err;
  }
  return { ok: true, request };
}

export interface CommandTarget {
  /** The session commands must name; null while there is none. */
  sessionId(): string | null;
  /** Sends to the game; false when not registered. */
  send(request: AccRequest): Promise<boolean>;
}

/**
 * Reads the `commands` topic in its own consumer group and forwards ACC commands for the current
 * session to the game. Each batch is committed after its commands were sent; a command that cannot
 * be sent (not for us, malformed, no registration) is counted, logged and committed, since replaying
 * a camera change minutes later would be wrong.
 */
export async function startCommandConsumer(opts: {
  bus: Bus;
  topic: string;
  groupId: string;
  target: CommandTarget;
  metrics: Metrics;
  logger: Logger;
}): Promise<Consumer> {
  const { target, logger } = opts;
  const results = opts.metrics.counter('pitwall_collector_commands_total', 'Commands from the bus, by action and what became of them', ['source', 'action', 'result']);
  const count = (action: string, result: string) => results.inc({ source: 'acc', action, result });

  const handle = async (bytes: Uint8Array): Promise<void> => {
    let command: Command;
    try {
      command = codecs.command.decode(bytes);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      count('unknown', 'undecodable');
      logger.warn('command dropped: not a Command', { reason: err.reason });
      return;
    }
    const action = command.changeFocus ? 'change_focus' : command.changeHudPage ? 'change_hud_page' : command.instantReplay ? 'instant_replay' : 'none';
    if (command.target !== Source.SOURCE_ACC) return count(action, 'other_source');
    const session = target.sessionId();
    if (!session || command.sessionId !== session) return count(action, 'other_session');
    const mapped = commandRequest(command);
    if (!mapped.ok) {
      count(action, 'invalid');
      logger.warn('command dropped: the game cannot take it', { commandId: command.commandId, reason: mapped.reason });
      return;
    }
    try {
      if (!(await target.send(mapped.request))) {
        count(action, 'not_registered');
        logger.warn('command dropped: not registered with ACC', { commandId: command.commandId });
        return;
      }
    } catch (err) {
      count(action, 'send_failed');
      logger.warn('command could not be sent to ACC', { commandId: command.commandId, err: (err as Error).message });
      return;
    }
    count(action, 'sent');
    logger.info('command sent to ACC', { commandId: command.commandId, action, issuedBy: command.issuedBy });
  };

  const consumer = opts.bus.consumer({ groupId: opts.groupId, topics: [opts.topic], fromBeginning: false });
  await consumer.run(async (batch) => {
    for (const m of batch.messages) await handle(m.value);
  });
  return consumer;
}
