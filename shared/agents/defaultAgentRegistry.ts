import { AgentRegistry } from './AgentRegistry.js';

let registry: AgentRegistry | undefined;

/** The app's agent registry, created on first use (after the host has applied the app settings). */
export function agentRegistry(): AgentRegistry {
  registry ??= new AgentRegistry();
  return registry;
}
