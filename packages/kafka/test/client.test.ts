import { createKafkaClient } from '../src';
import { silentLogger } from '@pitwall/logger';

describe('createKafkaClient', () => {
  it('makes kafkajs restart a consumer that got INVALID_REQUEST (the mock coordinator answers a heartbeat or commit to an emptied group with it) instead of giving up on it', () => {
    createKafkaClient({ clientId: 't', brokers: ['127.0.0.1:1'] } as Parameters<typeof createKafkaClient>[0], silentLogger());
    const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): { type: string; retriable: boolean } };
    expect(createErrorFromCode(42)).toMatchObject({ type: 'INVALID_REQUEST', retriable: true });
    // Other fatal answers stay fatal.
    expect(createErrorFromCode(29)).toMatchObject({ retriable: false });
  });
});
