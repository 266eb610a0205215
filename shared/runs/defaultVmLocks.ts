import { VmLocks } from './VmLocks.js';

let locks: VmLocks | undefined;

/** The app's VM claims, created on first use (after the host has applied the app settings). */
export function vmLocks(): VmLocks {
  locks ??= new VmLocks();
  return locks;
}
