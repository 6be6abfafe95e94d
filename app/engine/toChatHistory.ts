import type { ChatHistoryItem } from 'node-llama-cpp';
import { missingCaseError } from '../errors/missingCaseError';
import type { ChatMessage } from './generationTypes';

/**
 * Maps Veil's role/content messages onto node-llama-cpp's chat history. The result always ends with a model item,
 * which is what the chat wrapper renders as the open assistant turn: an empty one for a new answer, or the last
 * assistant message when the model is asked to continue it.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map(toChatHistoryItem);
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}

function toChatHistoryItem(message: ChatMessage): ChatHistoryItem {
  switch (message.role) {
    case 'system':
      return { type: 'system', text: message.content };
    case 'user':
      return { type: 'user', text: message.content };
    case 'assistant':
      return { type: 'model', response: [message.content] };
    default:
      throw missingCaseError(message.role);
  }
}
