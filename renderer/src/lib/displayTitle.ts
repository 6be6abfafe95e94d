/** Longest title derived from a first message, in characters. */
const DERIVED_TITLE_LENGTH = 60;

/** What the UI shows for a conversation's title: a placeholder while it has none. */
export function displayTitle(title: string): string {
  return title.trim() === '' ? 'New chat' : title;
}

/** A title from the first line of a message, shortened at a word boundary. */
export function titleFromMessage(content: string): string {
  const firstLine = content.trim().split('\n', 1)[0]?.trim() ?? '';
  if (firstLine.length <= DERIVED_TITLE_LENGTH) return firstLine === '' ? 'New chat' : firstLine;
  const cut = firstLine.slice(0, DERIVED_TITLE_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${(space > DERIVED_TITLE_LENGTH / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
