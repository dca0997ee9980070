export * from './fields.js';
export * from './phone.js';
export * from './report.js';
export * from './row.js';
export * from './values.js';
