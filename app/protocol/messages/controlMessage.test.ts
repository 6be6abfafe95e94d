import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/base64url';
import { ProtocolError } from '../ProtocolError';
import {
  encodeCoordinatorToProvider,
  encodeCoordinatorToRequester,
  encodeProviderToCoordinator,
  encodeRequesterToCoordinator,
  parseCoordinatorToProvider,
  parseCoordinatorToRequester,
  parseProviderToCoordinator,
  parseRequesterToCoordinator,
} from './controlMessage';
import { MAX_CONTROL_MESSAGE_CHARS } from './controlFields';
import type { CoordinatorToProviderMessage, ProviderToCoordinatorMessage } from './providerMessages';
import type { CoordinatorToRequesterMessage, RequesterToCoordinatorMessage } from './requesterMessages';

const jobId = toBase64Url(new Uint8Array(16).fill(1));
const providerId = toBase64Url(new Uint8Array(32).fill(2));
const bytes = (n: number) => toBase64Url(new Uint8Array(n).fill(3));

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
}

describe('control messages (PROTOCOL.md §8)', () => {
  it('round-trips one valid message of every type through encode and parse', () => {
    const providerSide: ProviderToCoordinatorMessage[] = [
      { v: 1, type: 'provider.hello', certificate: bytes(300), appVersion: '0.1.0', maxConcurrentJobs: 1 },
      { v: 1, type: 'provider.key', certificate: bytes(300) },
      { v: 1, type: 'provider.heartbeat', status: 'idle', activeJobs: 0 },
      { v: 1, type: 'provider.accepted', jobId },
      { v: 1, type: 'provider.rejected', jobId, code: 'REPLAY' },
      { v: 1, type: 'provider.frame', jobId, seq: 0, data: bytes(24) },
      { v: 1, type: 'provider.end', jobId, frames: 3, usageRecord: bytes(200) },
    ];
    for (const message of providerSide) {
      expect(parseProviderToCoordinator(encodeProviderToCoordinator(message))).toEqual(message);
    }
    const toProvider: CoordinatorToProviderMessage[] = [
      { v: 1, type: 'coordinator.welcome', providerId, heartbeatIntervalMs: 5000 },
      { v: 1, type: 'coordinator.job', jobId, sealedRequest: bytes(366) },
      { v: 1, type: 'coordinator.cancel', jobId },
      { v: 1, type: 'coordinator.error', code: 'BAD_CERTIFICATE', message: 'certificate expired' },
    ];
    for (const message of toProvider) {
      expect(parseCoordinatorToProvider(encodeCoordinatorToProvider(message))).toEqual(message);
    }
    const requesterSide: RequesterToCoordinatorMessage[] = [
      { v: 1, type: 'requester.list_providers', modelId: 'qwen3' },
      { v: 1, type: 'requester.submit', clientRef: 'r1', sealedRequest: bytes(366) },
      { v: 1, type: 'requester.cancel', jobId },
    ];
    for (const message of requesterSide) {
      expect(parseRequesterToCoordinator(encodeRequesterToCoordinator(message))).toEqual(message);
    }
    const toRequester: CoordinatorToRequesterMessage[] = [
      {
        v: 1,
        type: 'coordinator.providers',
        providers: [
          { providerId, certificate: bytes(300), models: [{ id: 'm', sha256: bytes(32) }], status: 'idle' },
        ],
      },
      { v: 1, type: 'coordinator.accepted', clientRef: 'r1', jobId },
      { v: 1, type: 'coordinator.frame', jobId, seq: 1, data: bytes(81) },
      { v: 1, type: 'coordinator.end', jobId, frames: 2 },
      { v: 1, type: 'coordinator.error', jobId, code: 'PROVIDER_GONE', message: 'provider disconnected' },
    ];
    for (const message of toRequester) {
      expect(parseCoordinatorToRequester(encodeCoordinatorToRequester(message))).toEqual(message);
    }
  });

  it.each([
    ['not JSON', '{', 'MALFORMED'],
    ['an array', '[]', 'MALFORMED'],
    ['another version', JSON.stringify({ v: 2, type: 'provider.accepted', jobId }), 'BAD_VERSION'],
    ['no version', JSON.stringify({ type: 'provider.accepted', jobId }), 'BAD_VERSION'],
    ['an unknown type', JSON.stringify({ v: 1, type: 'provider.shell', jobId }), 'MALFORMED'],
    ['an extra field', JSON.stringify({ v: 1, type: 'provider.accepted', jobId, prompt: 'x' }), 'MALFORMED'],
    ['a short job id', JSON.stringify({ v: 1, type: 'provider.accepted', jobId: 'abc' }), 'MALFORMED'],
    ['padded base64', JSON.stringify({ v: 1, type: 'provider.key', certificate: 'AAA=' }), 'MALFORMED'],
    ['standard base64', JSON.stringify({ v: 1, type: 'provider.key', certificate: 'A+/A' }), 'MALFORMED'],
    ['an empty certificate', JSON.stringify({ v: 1, type: 'provider.key', certificate: '' }), 'MALFORMED'],
    [
      'an oversized frame',
      JSON.stringify({ v: 1, type: 'provider.frame', jobId, seq: 1, data: bytes(70_000) }),
      'MALFORMED',
    ],
    [
      'a negative seq',
      JSON.stringify({ v: 1, type: 'provider.frame', jobId, seq: -1, data: bytes(20) }),
      'MALFORMED',
    ],
    ['a huge text', 'x'.repeat(MAX_CONTROL_MESSAGE_CHARS + 1), 'TOO_LARGE'],
  ])('rejects %s from a provider', (_name, text, code) => {
    expect(codeOf(() => parseProviderToCoordinator(text))).toBe(code);
  });

  it('rejects multi-line error text and unknown error codes from the coordinator', () => {
    const base = { v: 1, type: 'coordinator.error', jobId };
    expect(
      codeOf(() =>
        parseCoordinatorToRequester(JSON.stringify({ ...base, code: 'NO_PROVIDER', message: 'a\nb' })),
      ),
    ).toBe('MALFORMED');
    expect(
      codeOf(() => parseCoordinatorToRequester(JSON.stringify({ ...base, code: 'OOPS', message: 'x' }))),
    ).toBe('MALFORMED');
  });

  it('refuses to encode an invalid message', () => {
    expect(
      codeOf(() =>
        encodeRequesterToCoordinator({
          v: 1,
          type: 'requester.submit',
          clientRef: 'bad ref!',
          sealedRequest: bytes(10),
        }),
      ),
    ).toBe('MALFORMED');
  });
});
