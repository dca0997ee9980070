export * from './claim.js';
export * from './outcomes.js';
export * from './invariants.js';
export * from './exhausted.js';
