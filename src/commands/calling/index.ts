export * from './claim.js';
export * from './outcomes.js';
