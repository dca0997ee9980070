/** Chooses the Mailer adapter the configuration names (used by the composition root). */
import { resolve } from 'node:path';
import type { Config } from '../../config.js';
import type { Mailer } from '../../domain/ports/mailer.js';
import { FileMailer } from './file/index.js';
import { SmtpMailer } from './smtp/index.js';

export function createMailer(config: Config['email']['transport']): Mailer {
  if (config.kind === 'file') return new FileMailer(resolve(config.dir));
  return new SmtpMailer({
    host: config.host, port: config.port, security: config.security,
    ...(config.user ? { user: config.user, password: config.password ?? '' } : {}),
    pool: config.pool, maxConnections: config.maxConnections, rejectUnauthorized: config.rejectUnauthorized,
  });
}
