import { RunStore } from './RunStore.js';

let store: RunStore | undefined;

/** The app's run store, created on first use (after the host has applied the app settings). */
export function runStore(): RunStore {
  store ??= new RunStore();
  return store;
}
