import type { Reply, ReplyType } from '../protocol/index.js';

/**
 * The external events a backupVm instance waits for. The reply trigger raises each verified agent reply under its
 * type's name (`pong`, `frozen`, `freeze-failed`, `thawed`) with the opened reply as data; an operator's cancel is
 * raised as `cancel`.
 */
export function replyEventName(type: ReplyType): string {
  return type;
}

export const CANCEL_EVENT = 'cancel';

export interface CancelRequest {
  requestedAt: string;
  reason: string;
}

/** What a waiting orchestration receives for a reply: the verified message, envelope fields and body. */
export type GuestReplyEvent = Reply;
