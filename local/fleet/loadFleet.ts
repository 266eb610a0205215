import { access, readFile } from 'node:fs/promises';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

import { FleetFile } from './FleetFile.js';

/** A fleet file that is not valid; the message names the path of each problem, one per line. */
export class FleetFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid fleet file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** `vms[2].disks.data[0].sizeGB: ...` */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const where = issue.path.reduce<string>(
      (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
      '',
    );
    return `${where || '(root)'}: ${issue.message}`;
  });
}

/** Parses a fleet file (YAML, or JSON, which is YAML too); disk files are resolved from the file's folder and must exist. */
export async function loadFleet(file: string): Promise<FleetFile> {
  const text = await readFile(file, 'utf8');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error: unknown) {
    throw new FleetFileError(file, [
      `(root): not YAML or JSON: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  const parsed = FleetFile.safeParse(raw ?? {});
  if (!parsed.success) throw new FleetFileError(file, formatIssues(parsed.error.issues));
  const fleet = parsed.data;
  const folder = path.dirname(path.resolve(file));
  const problems: string[] = [];
  for (const [index, vm] of fleet.vms.entries()) {
    const disks = [
      { disk: vm.disks.os, where: `vms[${index}].disks.os.file` },
      ...vm.disks.data.map((disk, d) => ({ disk, where: `vms[${index}].disks.data[${d}].file` })),
    ];
    for (const { disk, where } of disks) {
      if (disk.file === undefined) continue;
      disk.file = path.resolve(folder, disk.file);
      try {
        await access(disk.file);
      } catch {
        problems.push(`${where}: no such file: ${disk.file}`);
      }
    }
  }
  if (problems.length > 0) throw new FleetFileError(file, problems);
  return fleet;
}
