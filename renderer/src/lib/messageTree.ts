import type { Message } from '../../../app/contract/dto';

/** A conversation's message tree, indexed for the renderer. */
export interface MessageTree {
  readonly byId: ReadonlyMap<string, Message>;
  /** Children of each message (`null` = roots), oldest first. */
  readonly children: ReadonlyMap<string | null, readonly Message[]>;
}

export function buildMessageTree(messages: readonly Message[]): MessageTree {
  const byId = new Map<string, Message>();
  const children = new Map<string | null, Message[]>();
  for (const message of messages) {
    byId.set(message.id, message);
    const siblings = children.get(message.parentId);
    if (siblings === undefined) children.set(message.parentId, [message]);
    else siblings.push(message);
  }
  for (const siblings of children.values()) siblings.sort(compareMessages);
  return { byId, children };
}

/** The messages from the root down to `leafId`. A broken parent link ends the walk rather than looping. */
export function activePath(tree: MessageTree, leafId: string | null): Message[] {
  const path: Message[] = [];
  const seen = new Set<string>();
  let current = leafId === null ? undefined : tree.byId.get(leafId);
  while (current !== undefined && !seen.has(current.id)) {
    seen.add(current.id);
    path.push(current);
    current = current.parentId === null ? undefined : tree.byId.get(current.parentId);
  }
  return path.reverse();
}

/** The versions of a message: itself and its siblings, oldest first, and its position among them. */
export function versionsOf(
  tree: MessageTree,
  message: Message,
): { versions: readonly Message[]; index: number } {
  const versions = tree.children.get(message.parentId) ?? [message];
  return {
    versions,
    index: Math.max(
      0,
      versions.findIndex((candidate) => candidate.id === message.id),
    ),
  };
}

function compareMessages(a: Message, b: Message): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
