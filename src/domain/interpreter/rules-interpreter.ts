import type { Interpreter } from '../ports/interpreter.js';
import { interpretRules } from './rules.js';

/** The rules interpreter behind the Interpreter port. */
export const rulesInterpreter: Interpreter = {
  name: 'rules',
  interpret: (input) => Promise.resolve({ ...interpretRules(input), source: 'rules' as const }),
};
