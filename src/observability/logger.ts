import { pino, type Logger, type DestinationStream, type LoggerOptions } from 'pino';
import { scrubText, scrubValue } from './redact.js';

export type { Logger } from 'pino';

/**
 * The application logger: JSON lines, with phone numbers, emails, secrets and
 * transcripts removed before anything is written. Redaction is by key (any key
 * that names a secret or personal field) and by content (emails and phone-number
 * shaped text anywhere in messages, error messages and stacks).
 */
export function createLogger(opts: { level: string; name?: string }, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: opts.level,
    name: opts.name ?? 'voicesurvey',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => scrubValue(obj) as Record<string, unknown>,
      bindings: (b) => scrubValue(b) as Record<string, unknown>,
    },
    // `formatters.log` has already turned errors into scrubbed plain objects;
    // pino's default serializer would re-label them as type "Object".
    serializers: { err: (e: unknown) => (e instanceof Error ? scrubValue(e) : e) },
    hooks: {
      logMethod(args, method) {
        const clean = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
        method.apply(this, clean);
      },
    },
  };
  const root = destination ? pino(options, destination) : pino(options);
  // pino applies `formatters.bindings` to the root only; children's bindings
  // would reach the output unscrubbed. Children inherit this override.
  const protoChild = Object.getPrototypeOf(root).child as Logger['child'];
  root.child = function child(this: Logger, bindings, childOptions) {
    return protoChild.call(this, scrubValue(bindings) as typeof bindings, childOptions);
  } as Logger['child'];
  return root;
}
