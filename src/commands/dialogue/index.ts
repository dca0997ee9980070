export { startDialogue, runDialogueTurn, abandonDialogue, type StartDialogueInput, type DialogueTurnInput } from './turn.js';
export { applyOutcome, honourOptOut } from './outcomes.js';
export { buildScript, consentWording, loadCallContext, type DialogueDeps } from './context.js';
export { dialogueDepsFromConfig } from './deps.js';
export { recordCallStatus, type CallStatusDeps } from './call-status.js';
