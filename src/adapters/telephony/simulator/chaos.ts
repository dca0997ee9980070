/**
 * Chaos settings from text (`duplicate=0.1,reorder=0.05,drop=0.01`), for the
 * CLI and the SIMULATOR_CHAOS variable.
 */
import type { ChaosOptions } from './types.js';

const KEYS = ['duplicate', 'reorder', 'delay', 'delayMs', 'drop', 'create5xx', 'create429'] as const;

export function parseChaos(spec: string): ChaosOptions {
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [key, raw] = part.split('=').map((s) => s.trim());
    if (!key || !(KEYS as readonly string[]).includes(key)) throw new Error(`unknown chaos option "${key ?? ''}" (known: ${KEYS.join(', ')})`);
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(value) || value < 0) throw new Error(`chaos option ${key} needs a non-negative number`);
    if (key !== 'delayMs' && value > 1) throw new Error(`chaos option ${key} is a probability between 0 and 1`);
    out[key] = value;
  }
  return out as ChaosOptions;
}
