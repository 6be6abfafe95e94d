import { describe, expect, it } from 'vitest';
import { DownloadHttpError, UnsupportedModelSourceError } from './modelLibraryErrors';
import { isHuggingFaceUrl, resolveHuggingFaceEndpoint, resolveModelSource } from './resolveModelSource';

const HUB = 'https://huggingface.co';

describe('resolveModelSource', () => {
  it.each([
    ['hf:owner/repo/file.gguf', `${HUB}/owner/repo/resolve/main/file.gguf`, 'file.gguf'],
    ['hf:owner/repo/dir/sub/file.gguf', `${HUB}/owner/repo/resolve/main/dir/sub/file.gguf`, 'file.gguf'],
    ['hf:owner/repo/file.gguf#dev', `${HUB}/owner/repo/resolve/dev/file.gguf`, 'file.gguf'],
    ['hf://owner/repo/file.gguf', `${HUB}/owner/repo/resolve/main/file.gguf`, 'file.gguf'],
    ['huggingface:owner/repo/file.gguf', `${HUB}/owner/repo/resolve/main/file.gguf`, 'file.gguf'],
    ['hf.co/owner/repo/file.gguf', `${HUB}/owner/repo/resolve/main/file.gguf`, 'file.gguf'],
    ['huggingface.co/owner/repo/file.gguf', `${HUB}/owner/repo/resolve/main/file.gguf`, 'file.gguf'],
    [`${HUB}/owner/repo/blob/main/file.gguf`, `${HUB}/owner/repo/resolve/main/file.gguf`, 'file.gguf'],
    [
      `${HUB}/owner/repo/resolve/abc123/file.gguf?download=true`,
      `${HUB}/owner/repo/resolve/abc123/file.gguf`,
      'file.gguf',
    ],
    [
      'hf:owner/repo/name with space.gguf',
      `${HUB}/owner/repo/resolve/main/name%20with%20space.gguf`,
      'name with space.gguf',
    ],
    [
      'https://example.com/models/model.gguf?token=1',
      'https://example.com/models/model.gguf?token=1',
      'model.gguf',
    ],
    ['https://example.com/bad%E0%A4%A.gguf', 'https://example.com/bad%E0%A4%A.gguf', 'bad%E0%A4%A.gguf'],
    ['https://example.com/download/weights', 'https://example.com/download/weights', 'weights.gguf'],
    [
      'https://example.com/a/..%2F..%2Fevil:name.gguf',
      'https://example.com/a/..%2F..%2Fevil:name.gguf',
      '_.._evil_name.gguf',
    ],
  ])('%s → %s', async (source, url, fileName) => {
    const resolved = await resolveModelSource(source, { huggingFaceEndpoint: HUB });
    expect(resolved.url).toBe(url);
    expect(resolved.fileName).toBe(fileName);
    expect(resolved.reference).toBe(source);
  });

  it('describes the Hugging Face repository a reference points into', async () => {
    expect(
      (await resolveModelSource('hf:owner/repo/dir/file.gguf#v1', { huggingFaceEndpoint: HUB })).huggingFace,
    ).toEqual({
      owner: 'owner',
      repo: 'repo',
      branch: 'v1',
      filePath: 'dir/file.gguf',
    });
    expect((await resolveModelSource('https://example.com/file.gguf')).huggingFace).toBeUndefined();
  });

  it.each([
    ['hf:owner', /not a valid Hugging Face reference/],
    ['hf:/repo/file.gguf', /not a valid Hugging Face reference/],
    ['hf:owner/repo/file.gguf#', /not a valid Hugging Face reference/],
    ['hf:owner/repo/README.md', /does not name a \.gguf file/],
    ['hf:owner/repo/model-00001-of-00003.gguf', /split GGUF/],
    ['ftp://example.com/model.gguf', /only http and https URLs/],
    ['file:///tmp/model.gguf', /only http and https URLs/],
    ['./model.gguf', /import it instead/],
    ['', /import it instead/],
  ])('rejects %j', async (source, message) => {
    const failure = resolveModelSource(source, { huggingFaceEndpoint: HUB });
    await expect(failure).rejects.toThrow(UnsupportedModelSourceError);
    await expect(failure).rejects.toThrow(message);
  });

  it('resolves a quantization tag through the hub manifest API, sending llama.cpp’s user agent', async () => {
    const seen: { url: string; userAgent: string | null; authorization: string | null }[] = [];
    const hubFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      seen.push({
        url: String(input),
        userAgent: headers.get('user-agent'),
        authorization: headers.get('authorization'),
      });
      return Response.json({ ggufFile: { rfilename: 'sub/Model-Q4_K_M.gguf' } });
    };

    const resolved = await resolveModelSource('hf:owner/Model-GGUF:Q4_K_M', {
      huggingFaceEndpoint: 'http://hub.test',
      fetch: hubFetch,
      headers: { Authorization: 'Bearer t' },
    });

    expect(seen).toEqual([
      {
        url: 'http://hub.test/v2/owner/Model-GGUF/manifests/Q4_K_M',
        userAgent: 'llama-cpp',
        authorization: 'Bearer t',
      },
    ]);
    expect(resolved.url).toBe('http://hub.test/owner/Model-GGUF/resolve/main/sub/Model-Q4_K_M.gguf');
    expect(resolved.fileName).toBe('Model-Q4_K_M.gguf');
  });

  it('asks for the "latest" tag when none is given, and explains a failed lookup', async () => {
    const urls: string[] = [];
    const failing: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response('gated', { status: 401 });
    };
    const failure = resolveModelSource('hf:owner/repo', {
      huggingFaceEndpoint: 'http://hub.test',
      fetch: failing,
    });
    await expect(failure).rejects.toThrow(DownloadHttpError);
    await expect(failure).rejects.toThrow(/set HF_TOKEN/);
    expect(urls[0]).toBe('http://hub.test/v2/owner/repo/manifests/latest');

    const malformed: typeof fetch = async () => Response.json({ unexpected: true });
    await expect(
      resolveModelSource('hf:owner/repo:Q8_0', { huggingFaceEndpoint: 'http://hub.test', fetch: malformed }),
    ).rejects.toThrow(/gave no GGUF file/);
  });
});

describe('resolveHuggingFaceEndpoint', () => {
  it('prefers the option, then HF_ENDPOINT, then the public hub, without a trailing slash', () => {
    expect(resolveHuggingFaceEndpoint('http://a.test/', { HF_ENDPOINT: 'http://b.test' })).toBe(
      'http://a.test',
    );
    expect(resolveHuggingFaceEndpoint(undefined, { HF_ENDPOINT: 'http://b.test//' })).toBe('http://b.test');
    expect(resolveHuggingFaceEndpoint(undefined, { HF_ENDPOINT: '' })).toBe(HUB);
    expect(resolveHuggingFaceEndpoint(undefined, {})).toBe(HUB);
  });

  it('recognises hub URLs by origin', () => {
    expect(isHuggingFaceUrl('https://huggingface.co/x', 'http://mirror.test')).toBe(true);
    expect(isHuggingFaceUrl('http://mirror.test/x', 'http://mirror.test')).toBe(true);
    expect(isHuggingFaceUrl('http://mirror.test:8080/x', 'http://mirror.test')).toBe(false);
    expect(isHuggingFaceUrl('https://evil.test/huggingface.co', 'http://mirror.test')).toBe(false);
  });
});
