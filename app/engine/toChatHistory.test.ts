import { describe, expect, it } from 'vitest';
import { toChatHistory } from './toChatHistory';

describe('toChatHistory', () => {
  it('maps roles and opens an empty model turn after a user message', () => {
    expect(
      toChatHistory([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Again' },
      ]),
    ).toEqual([
      { type: 'system', text: 'Be brief.' },
      { type: 'user', text: 'Hi' },
      { type: 'model', response: ['Hello.'] },
      { type: 'user', text: 'Again' },
      { type: 'model', response: [] },
    ]);
  });

  it('leaves a trailing assistant message open so the model continues it', () => {
    const history = toChatHistory([
      { role: 'user', content: 'Count' },
      { role: 'assistant', content: 'One, two' },
    ]);
    expect(history.at(-1)).toEqual({ type: 'model', response: ['One, two'] });
    expect(history).toHaveLength(2);
  });
});
