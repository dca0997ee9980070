/**
 * Chooses the telephony adapter from configuration. With `simulator`, the
 * built-in Twilio-protocol simulator is started in-process on loopback and the
 * same Twilio adapter is pointed at it, so the demo and the tests exercise the
 * exact code path production uses.
 */
import type { TelephonyConfig } from '../../config.js';
import type { Telephony } from '../../domain/ports/telephony.js';
import type { Logger } from '../../observability/logger.js';
import { createSimulator, type Simulator, type SimulatorOptions } from './simulator/index.js';
import { createTwilioTelephony } from './twilio/index.js';

export interface TelephonyRuntime {
  readonly telephony: Telephony;
  /** The in-process simulator, when provider is `simulator` (its stats are useful to tests and the demo). */
  readonly simulator?: Simulator;
  /** Stops the in-process simulator, if any. */
  close(): Promise<void>;
}

export interface TelephonyFactoryOptions {
  /**
   * Our public base URL when the configuration has none (PUBLIC_BASE_URL unset):
   * typically the HTTP server's own address, known only after listen.
   */
  readonly fallbackPublicBaseUrl?: string | (() => string);
  readonly log?: Logger;
  /** Extra simulator options (personas per number, chaos, …) for tests. */
  readonly simulator?: Partial<SimulatorOptions>;
}

export async function createTelephonyRuntime(config: TelephonyConfig, opts: TelephonyFactoryOptions = {}): Promise<TelephonyRuntime> {
  const fallback = opts.fallbackPublicBaseUrl;
  const publicBaseUrl: string | (() => string) =
    config.publicBaseUrl ??
    (typeof fallback === 'function'
      ? fallback
      : fallback ??
        (() => {
          throw new Error('no public base URL: set PUBLIC_BASE_URL');
        }));

  if (config.provider === 'twilio') {
    const t = config.twilio!;
    return {
      telephony: createTwilioTelephony({
        accountSid: t.accountSid,
        authToken: t.authToken,
        ...(t.apiKey ? { apiKey: t.apiKey } : {}),
        fromNumber: t.fromNumber,
        publicBaseUrl,
        ...(t.apiBaseUrl ? { apiBaseUrl: t.apiBaseUrl } : {}),
        machineDetection: config.machineDetection,
      }),
      close: async () => {},
    };
  }

  const s = config.simulator;
  const simulator = createSimulator({
    port: s.port,
    fast: s.fast,
    seed: s.seed,
    mix: s.mix,
    cps: s.cps,
    maxConcurrent: s.maxConcurrent,
    chaos: s.chaos,
    ...(opts.log ? { log: opts.log } : {}),
    ...opts.simulator,
  });
  await simulator.start();
  return {
    telephony: createTwilioTelephony({
      accountSid: simulator.accountSid,
      authToken: simulator.authToken,
      fromNumber: s.fromNumber,
      publicBaseUrl,
      apiBaseUrl: simulator.url,
      machineDetection: config.machineDetection,
    }),
    simulator,
    close: () => simulator.stop(),
  };
}

export { createSimulator, SIMULATOR_FROM_NUMBER, type Simulator, type SimulatorOptions, type SimulatorStats } from './simulator/index.js';
export { createTwilioTelephony, type TwilioTelephonyOptions } from './twilio/index.js';
