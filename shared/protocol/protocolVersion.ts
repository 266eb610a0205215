/** Version 1 of the guest protocol; a receiver rejects any other version with `unsupported-version`. */
export const PROTOCOL_VERSION = 1;

/** The Put Message limit on the encoded (base64) text. */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

/** Base64 inflates by 4/3, so the JSON itself may use at most this many UTF-8 bytes. */
export const MAX_MESSAGE_JSON_BYTES = (MAX_QUEUE_MESSAGE_BYTES / 4) * 3;

/** A message may not live longer than this (bounds the replay memory and the window for a captured message). */
export const MAX_MESSAGE_LIFETIME_MS = 15 * 60_000;

/** Clock skew tolerated between the service and a VM when checking issued-at and expires-at. */
export const DEFAULT_CLOCK_SKEW_MS = 30_000;

/** The one queue all agents write their replies to. */
export const REPLY_QUEUE_NAME = 'quiesce-replies';
