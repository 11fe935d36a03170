/** A systemd unit file as sections of key → values (keys may repeat; continuation lines joined). */
export type Unit = Map<string, Map<string, string[]>>;

export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1] ?? '') ?? new Map<string, string[]>();
      unit.set(header[1] ?? '', section);
      return;
    }
    const eq = line.indexOf('=');
    if (!section || eq <= 0) throw new Error(`line ${index + 1}: not a section header or Key=value: ${line}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  });
  return unit;
}

/** The value a key ends up with (systemd: the last assignment wins for single-valued keys). */
export function lastValue(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}
