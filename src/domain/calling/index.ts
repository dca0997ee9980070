export * from './local-time.js';
export * from './window.js';
export * from './eligibility.js';
export * from './errors.js';
export * from './retry.js';
export * from './transitions.js';
export * from './pacing.js';
