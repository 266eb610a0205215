import { z } from 'zod';

import { VssBackupType, VssWriterState } from '../../shared/protocol/index.js';

/**
 * The VSS helper line protocol (v1): UTF-8 JSON, one object per line, on the helper's stdin and stdout. The agent
 * starts one helper process per freeze; see README "VSS helper contract".
 */
export const HelperRequest = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('freeze'),
    backupType: VssBackupType,
    include: z.array(z.string()).optional(),
    exclude: z.array(z.string()).optional(),
  }),
  z.object({ op: z.literal('thaw') }),
]);
export type HelperRequest = z.infer<typeof HelperRequest>;

export const HelperError = z.object({
  /** The VSS error name, e.g. VSS_E_HOLD_WRITES_TIMEOUT. */
  name: z.string(),
  hresult: z.string(),
  message: z.string(),
});
export type HelperError = z.infer<typeof HelperError>;

export const HelperEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ready'), helperVersion: z.string(), writers: z.array(VssWriterState) }),
  z.object({ event: z.literal('frozen'), snapshotSetId: z.string(), writers: z.array(VssWriterState) }),
  z.object({ event: z.literal('thawed'), writers: z.array(VssWriterState), error: HelperError.optional() }),
  /** A failure of the freeze, or after `frozen` an abort that released the writes (hold-writes or writer timeout). */
  z.object({ event: z.literal('error'), error: HelperError, writers: z.array(VssWriterState) }),
]);
export type HelperEvent = z.infer<typeof HelperEvent>;
