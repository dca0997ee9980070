export * from './types.js';
export { interpretRules } from './rules.js';
export { parseCallbackTime, zonedTime } from './time.js';
export { extractNumbers, italianNumberWord } from './numbers.js';
export { fold, tokenize } from './normalize.js';
export { rulesInterpreter } from './rules-interpreter.js';
