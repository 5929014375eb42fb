// Text from the outside world (file names, user logins, comment text) goes into the job
// summary, which GitHub renders as markdown with some HTML. Nothing from outside may change
// the structure of the page: no table break, no link, no tag.

const HTML: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for a markdown paragraph. Newlines become a visible ⏎. */
export function md(text: string): string {
  // Block structure only matters at the start of a paragraph: headings, lists, quotes.
  return cell(text).replace(/^(#|-|\+|&gt;|\d+\.)/, '\\$1');
}

/** Escapes text for a table cell, where block syntax does not apply. */
export function cell(text: string): string {
  return (
    text
      .replace(/\r\n|\r|\n/g, '⏎')
      .replace(/[&<>"']/g, (c) => HTML[c]!)
      // Inline structure: emphasis, code, links, tables, strikethrough, autolinks.
      .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
  );
}

/** A path or value shown as code. Code spans cannot hold every character safely, so escape instead. */
export function code(text: string): string {
  return `<code>${text
    .replace(/\r\n|\r|\n/g, '⏎')
    .replace(/[&<>"']/g, (c) => HTML[c]!)
    // Markdown still applies between HTML tags: entities keep links and emphasis literal. An
    // underscore inside a word cannot start emphasis, so snake_case stays readable.
    .replace(/[|\\`*[\]~]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '&#95;')}</code>`;
}

export function link(text: string, url: string): string {
  if (!/^https?:\/\/[^\s<>"')]+$/.test(url)) return md(text);
  return `[${md(text)}](${url})`;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
