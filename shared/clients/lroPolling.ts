/**
 * How often an ARM operation is polled when nothing waits on it but the activity (tagging, deleting): quick enough
 * for an activity to end soon after the operation does, without the SDK's default 2 s. Not for the freeze window
 * (createDiskSnapshots polls faster).
 */
export const BACKGROUND_LRO_POLL_INTERVAL_MS = 500;
