import { PolicyStore } from './PolicyStore.js';

let store: PolicyStore | undefined;

/** The app's policy store, created on first use (after the host has applied the app settings). */
export function policyStore(): PolicyStore {
  store ??= new PolicyStore();
  return store;
}
