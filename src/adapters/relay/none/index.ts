/**
 * The default relay: nothing leaves. Events stay in the `events` table, where
 * reports and integrations can query them; no relay worker runs with it.
 */
import type { EventRelay, OutgoingEvent, PublishResult } from '../../../domain/ports/event-relay.js';

export class NoRelay implements EventRelay {
  readonly name = 'none';
  /** Publishes nothing and reports nothing published, so events stay unpublished. */
  async publish(_messages: readonly OutgoingEvent[]): Promise<PublishResult> {
    return { published: [], failed: [] };
  }
  async close(): Promise<void> {}
}
