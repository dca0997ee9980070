export * from './step.js';
export * from './texts.js';
