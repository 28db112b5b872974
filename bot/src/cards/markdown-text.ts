/**
 * Text from the directory (names, group names, emails, Graph's messages) placed in a
 * TextBlock or a FactSet, where Teams reads a subset of Markdown (bold, italic, lists,
 * links — "Format cards in Teams", learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format).
 * Every character that could start such formatting is backslash-escaped, and line
 * breaks become spaces so a name can never start a list.
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()<>#+\-.!|~&$]/g, (c) => `\\${c}`);
}
