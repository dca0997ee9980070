/** Time, as a port: the domain asks a Clock instead of calling Date.now(). */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
