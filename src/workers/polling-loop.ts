/**
 * A polling loop with start()/stop(): runs `tick` until stopped; when a tick
 * reports more work it runs again at once, otherwise it sleeps `idleMs`.
 * stop() wakes the sleeper and waits for the tick in progress to finish, so a
 * graceful shutdown never abandons work half-recorded.
 */
import type { Logger } from '../observability/logger.js';

export class PollingLoop {
  #running = false;
  #current: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly name: string,
    private readonly tick: () => Promise<{ more: boolean }>,
    private readonly idleMs: number,
    private readonly log: Logger,
    private readonly errorDelayMs = idleMs,
  ) {}

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#current = this.#run();
  }

  /** Stops after the current tick; resolves when it has finished. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#wake?.();
    await this.#current;
    this.#current = null;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let delay = 0;
      try {
        const { more } = await this.tick();
        if (!more) delay = this.idleMs;
      } catch (err) {
        this.log.error({ err, loop: this.name }, 'worker tick failed');
        delay = this.errorDelayMs;
      }
      if (!this.#running) break;
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          this.#timer = setTimeout(resolve, delay);
        });
        this.#wake = null;
        this.#timer = null;
      }
    }
  }
}
