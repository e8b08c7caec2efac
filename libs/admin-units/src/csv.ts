// A minimal RFC 4180 reader for the bundled unit lists. csv-parse took ~0.5 s for these 2.5 MB on
// a slow machine; this takes a few tens of ms, which matters because every service and test
// suite loads the lists at start. Values are kept as text (codes keep their leading zeros).

/** Parses CSV text with a header row into one record per line. Handles quotes, CRLF and a BOM. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows = parseRows(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = rows.shift();
  if (!header) return [];
  return rows
    .filter((r) => !(r.length === 1 && r[0] === ''))
    .map((r) => {
      if (r.length !== header.length) throw new Error(`CSV row has ${r.length} fields, header has ${header.length}: ${r.join(',')}`);
      const record: Record<string, string> = {};
      header.forEach((name, i) => (record[name] = (r[i] ?? '').trim()));
      return record;
    });
}

function parseRows(text: string): string[][] {
  if (!text.includes('"')) {
    return text
      .split(/\r?\n/)
      .filter((line, i, all) => line !== '' || i < all.length - 1)
      .map((line) => line.split(','));
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let value = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          value += '"';
          i++;
        } else quoted = false;
      } else value += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(value);
      value = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(value);
      rows.push(row);
      row = [];
      value = '';
    } else value += ch;
  }
  if (value !== '' || row.length > 0) {
    row.push(value);
    rows.push(row);
  }
  return rows;
}
