export * from './canonicalJson.js';
export * from './messages.js';
export * from './openMessage.js';
export * from './protocolVersion.js';
export * from './queueNames.js';
export * from './ReplayGuard.js';
export * from './sealMessage.js';
export * from './signingKeys.js';
