/** The analysis outputs as bus messages: each kind to its topic, keyed by session id like the frames. */
import type { OutgoingMessage, Producer } from '@pitwall/bus';
import { codecs } from '@pitwall/proto';
import type { Output } from '@pitwall/race-analysis';

export interface OutputTopics {
  insights: string;
  laps: string;
  alerts: string;
}

export interface OutputMessages {
  insights: OutgoingMessage[];
  laps: OutgoingMessage[];
  alerts: OutgoingMessage[];
}

export function encodeOutputs(outputs: readonly Output[]): OutputMessages {
  const encoded: OutputMessages = { insights: [], laps: [], alerts: [] };
  for (const out of outputs) {
    if (out.kind === 'lap') encoded.laps.push({ key: out.lap.sessionId!, value: codecs.lap.encode(out.lap) });
    else if (out.kind === 'insight') encoded.insights.push({ key: out.insight.sessionId!, value: codecs.insight.encode(out.insight) });
    else encoded.alerts.push({ key: out.alert.sessionId!, value: codecs.alert.encode(out.alert) });
  }
  return encoded;
}

export function outputCount(m: OutputMessages): number {
  return m.insights.length + m.laps.length + m.alerts.length;
}

/** Resolves when every message is acknowledged; one send per topic keeps a session's messages in order. */
export async function sendOutputs(producer: Producer, topics: OutputTopics, m: OutputMessages): Promise<void> {
  const sends: Promise<void>[] = [];
  if (m.insights.length > 0) sends.push(producer.send(topics.insights, m.insights));
  if (m.laps.length > 0) sends.push(producer.send(topics.laps, m.laps));
  if (m.alerts.length > 0) sends.push(producer.send(topics.alerts, m.alerts));
  await Promise.all(sends);
}
