/** A linear conversation of `count` messages with varied markdown: paragraphs, lists, code, tables. */
export function longConversationExport(count: number): string {
  const now = Date.now() - count * 1000;
  const words =
    'the sea was calm and the boat drifted slowly toward a distant island where light fell on old stones'.split(
      ' ',
    );
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const sentence = (length: number): string =>
    Array.from({ length }, () => words[Math.floor(random() * words.length)] ?? 'sea').join(' ');
  const assistantContent = (index: number): string => {
    switch (index % 4) {
      case 0:
        return `${sentence(40)}.\n\n${sentence(30)}.`;
      case 1:
        return `Steps:\n\n1. ${sentence(8)}\n2. ${sentence(10)}\n3. ${sentence(6)}\n\n**Note:** ${sentence(12)}.`;
      case 2:
        return `Example:\n\n\`\`\`ts\nfunction step${index}(input: number): number {\n  return input * ${index} + 1;\n}\n\`\`\`\n\n${sentence(15)}.`;
      default:
        return `| name | value |\n| --- | --- |\n| a | ${index} |\n| b | ${index * 2} |\n\n${sentence(20)}.`;
    }
  };
  const messages = Array.from({ length: count }, (_, index) => ({
    id: `m${index}`,
    parentId: index === 0 ? null : `m${index - 1}`,
    role: index % 2 === 0 ? 'user' : 'assistant',
    content: index % 2 === 0 ? `${sentence(5 + (index % 12))}?` : assistantContent(index),
    createdAt: now + index * 1000,
  }));
  return JSON.stringify({
    format: 'veil-chat-export',
    version: 1,
    exportedAt: Date.now(),
    conversation: {
      title: `Long conversation (${count} messages)`,
      createdAt: now,
      updatedAt: now + count * 1000,
      systemPrompt: '',
      activeLeafId: `m${count - 1}`,
      messages,
    },
  });
}
