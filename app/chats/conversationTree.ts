import type { ChatMessage, Conversation } from './chatSchemas';

/** The messages from the first one down to the active leaf: what the user sees and what the model is prompted with. */
export function getActivePath(conversation: Pick<Conversation, 'messages' | 'activeLeafId'>): ChatMessage[] {
  const byId = new Map(conversation.messages.map((message) => [message.id, message]));
  const path: ChatMessage[] = [];
  let cursor = conversation.activeLeafId === null ? undefined : byId.get(conversation.activeLeafId);
  // The guard stops a cycle in hand-made data; stored trees are validated acyclic.
  while (cursor !== undefined && path.length <= conversation.messages.length) {
    path.push(cursor);
    cursor = cursor.parentId === null ? undefined : byId.get(cursor.parentId);
  }
  return path.reverse();
}

/** The versions of a message (itself included, same parent, creation order) and its position among them. */
export function getSiblings(
  conversation: Pick<Conversation, 'messages'>,
  messageId: string,
): { siblings: ChatMessage[]; index: number } {
  const self = conversation.messages.find((message) => message.id === messageId);
  if (self === undefined) return { siblings: [], index: -1 };
  const siblings = conversation.messages.filter((message) => message.parentId === self.parentId);
  return { siblings, index: siblings.findIndex((message) => message.id === messageId) };
}

/**
 * The leaf reached from `messageId` by following the newest child at each step. Switching to another version of a
 * message shows that version's latest continuation.
 */
export function findNewestLeaf(messages: readonly ChatMessage[], messageId: string): string {
  const newestChild = new Map<string, string>();
  // Messages are in creation order, so the last child seen for a parent is its newest.
  for (const message of messages)
    if (message.parentId !== null) newestChild.set(message.parentId, message.id);
  let leaf = messageId;
  for (let steps = 0; steps < messages.length; steps += 1) {
    const next = newestChild.get(leaf);
    if (next === undefined) break;
    leaf = next;
  }
  return leaf;
}
