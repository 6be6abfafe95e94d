import { useState } from 'react';
import { Sampling, type Conversation } from '../../../app/contract/dto';
import { useAction } from '../lib/hooks';
import { useUi } from '../UiContext';

interface SamplingDraft {
  temperature: string;
  topP: string;
  topK: string;
  maxTokens: string;
  repeatPenalty: string;
  seed: string;
}

function toDraft(sampling: Sampling): SamplingDraft {
  return {
    temperature: String(sampling.temperature),
    topP: String(sampling.topP),
    topK: String(sampling.topK),
    maxTokens: String(sampling.maxTokens),
    repeatPenalty: String(sampling.repeatPenalty),
    seed: sampling.seed === undefined ? '' : String(sampling.seed),
  };
}

const FIELDS: ReadonlyArray<{ key: keyof SamplingDraft; label: string; step: string; hint: string }> = [
  { key: 'temperature', label: 'Temperature', step: '0.05', hint: '0 – 5' },
  { key: 'topP', label: 'Top P', step: '0.01', hint: '0 – 1' },
  { key: 'topK', label: 'Top K', step: '1', hint: '0 – 1000' },
  { key: 'maxTokens', label: 'Max tokens', step: '1', hint: '1 – 131072' },
  { key: 'repeatPenalty', label: 'Repeat penalty', step: '0.05', hint: '0.5 – 3' },
  { key: 'seed', label: 'Seed', step: '1', hint: 'empty = random' },
];

/** A conversation's system prompt and sampling settings, checked against the contract before they are sent. */
export function ConversationSettings({
  conversation,
  onSaved,
}: {
  conversation: Conversation;
  onSaved(conversation: Conversation): void;
}) {
  const { client } = useUi();
  const [systemPrompt, setSystemPrompt] = useState(conversation.systemPrompt);
  const [draft, setDraft] = useState(() => toDraft(conversation.sampling));
  const [problem, setProblem] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [save, saving] = useAction(async () => {
    setSaved(false);
    const parsed = Sampling.safeParse({
      temperature: Number(draft.temperature),
      topP: Number(draft.topP),
      topK: Number(draft.topK),
      maxTokens: Number(draft.maxTokens),
      repeatPenalty: Number(draft.repeatPenalty),
      seed: draft.seed.trim() === '' ? undefined : Number(draft.seed),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setProblem(`${String(issue?.path[0] ?? 'sampling')}: ${issue?.message ?? 'invalid value'}`);
      return;
    }
    setProblem(undefined);
    onSaved(
      await client.call('chats.updateSettings', { id: conversation.id, systemPrompt, sampling: parsed.data }),
    );
    setSaved(true);
  });

  return (
    <form
      className="conversation-settings"
      data-testid="conversation-settings"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <label className="field">
        <span>System prompt</span>
        <textarea
          data-testid="system-prompt"
          rows={5}
          value={systemPrompt}
          onChange={(event) => setSystemPrompt(event.target.value)}
        />
      </label>
      <div className="grid-2">
        {FIELDS.map((field) => (
          <label className="field" key={field.key}>
            <span>
              {field.label} <small>{field.hint}</small>
            </span>
            <input
              type="number"
              step={field.step}
              data-testid={`sampling-${field.key}`}
              value={draft[field.key]}
              onChange={(event) => setDraft({ ...draft, [field.key]: event.target.value })}
            />
          </label>
        ))}
      </div>
      {problem !== undefined && (
        <p className="form-problem" role="alert">
          {problem}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" data-testid="save-chat-settings" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        {saved && (
          <span className="form-ok" data-testid="chat-settings-saved">
            Saved
          </span>
        )}
      </div>
    </form>
  );
}
