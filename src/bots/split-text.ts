/**
 * Splits a message that is longer than a platform allows into parts, at paragraph,
 * line or word boundaries where it can, so nothing is cut off.
 */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find((i) => i > max / 2) ?? max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (parts.length === 0) return [rest];
  if (rest.trim().length > 0) parts.push(rest.trimEnd());
  return parts;
}
