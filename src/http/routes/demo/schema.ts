/** Demo-mode request and response shapes (the console imports these). */
import { z } from 'zod';

export const DemoInfo = z.object({
  /** Always true: the endpoint exists only in demo mode. */
  demo: z.literal(true),
  /** The campaign the demo keeps calling. */
  campaign_id: z.string(),
  /** Whether the simulator runs in fast mode (tests) rather than in real time. */
  fast: z.boolean(),
});

export const MailboxQuery = z.strictObject({
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be between 1 and 200').max(200, 'must be between 1 and 200').default(50),
  offset: z.coerce.number().int('must be a whole number').min(0, 'must be at least 0').max(100_000, 'must be at most 100000').default(0),
});

export const MailboxParams = z.strictObject({ id: z.uuid('must be a UUID') });

const Summary = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  language: z.enum(['en', 'it']),
  sent_at: z.string(),
});

export const MailboxList = z.object({
  items: z.array(Summary),
  /** Messages in the mailbox in all. */
  total: z.number(),
});

export const MailboxMessageOut = Summary.extend({
  from: z.string(),
  text: z.string(),
  /** The rendered HTML body: show it only in a sandboxed frame. */
  html: z.string(),
});
