/** Chooses the EventRelay adapter the configuration names (used by the composition root). */
import type { Config } from '../../config.js';
import type { EventRelay } from '../../domain/ports/event-relay.js';
import type { Logger } from '../../observability/logger.js';
import { AmqpRelay } from './amqp/index.js';
import { NoRelay } from './none/index.js';
import { SqsRelay } from './sqs/index.js';

export function createEventRelay(config: Config['relay'], log: Logger): EventRelay {
  switch (config.adapter) {
    case 'amqp':
      return new AmqpRelay({ url: config.url, exchange: config.exchange, log });
    case 'sqs':
      return new SqsRelay({ queueUrl: config.queueUrl, region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
    case 'none':
      return new NoRelay();
  }
}
