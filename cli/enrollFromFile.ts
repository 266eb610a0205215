import { readFile } from 'node:fs/promises';

import { z } from 'zod';

/** The part of a fleet's `enrollment.json` (local/fleet/FleetAgents) that enrollment needs. */
const EnrollmentFile = z.array(z.looseObject({ vmId: z.string(), publicKey: z.string() }));

/** Enrolls every entry of an enrollment file, one after the other; returns how many. */
export async function enrollFromFile(
  file: string,
  enroll: (vmId: string, publicKey: string) => Promise<unknown>,
): Promise<number> {
  const parsed = EnrollmentFile.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not an enrollment file:\n${z.prettifyError(parsed.error)}`);
  for (const entry of parsed.data) await enroll(entry.vmId, entry.publicKey);
  return parsed.data.length;
}
