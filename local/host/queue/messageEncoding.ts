import type { QueuesOptions } from '../app/hostJson.js';

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type MessageEncoding = QueuesOptions['messageEncoding'];

export function encodeQueueMessage(text: string | Uint8Array, encoding: MessageEncoding): string {
  if (encoding === 'base64') return Buffer.from(text).toString('base64');
  if (typeof text !== 'string') throw new Error('Binary queue messages need messageEncoding "base64".');
  return text;
}

/** Undefined when a base64 message is not valid base64 (the extension fails such a message). */
export function decodeQueueMessage(wire: string, encoding: MessageEncoding): string | undefined {
  if (encoding === 'none') return wire;
  if (!STRICT_BASE64.test(wire)) return undefined;
  return Buffer.from(wire, 'base64').toString('utf8');
}
