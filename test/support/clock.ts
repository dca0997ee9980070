import type { Clock } from '../../src/domain/clock.js';

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  #ms: number;
  constructor(start: Date | string = '2026-03-02T09:00:00Z') {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  set(to: Date | string): void {
    this.#ms = new Date(to).getTime();
  }
  advance(ms: number): Date {
    this.#ms += ms;
    return this.now();
  }
}
