import { stringify as toYaml } from 'yaml';

/** Human tables by default; `--json` prints the API's JSON instead, for scripts. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  line(text: string): void {
    if (!this.json) this.write(`${text}\n`);
  }

  document(value: unknown): void {
    this.write(this.json ? `${JSON.stringify(value, null, 2)}\n` : toYaml(value));
  }

  table(headers: string[], rows: string[][], raw: unknown): void {
    if (this.json) {
      this.write(`${JSON.stringify(raw, null, 2)}\n`);
      return;
    }
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const format = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    this.write(`${[format(headers), ...rows.map(format)].join('\n')}\n`);
  }
}
