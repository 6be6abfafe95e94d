import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG, modelCatalogSchema } from './catalog';
import { resolveModelSource } from './resolveModelSource';

describe('MODEL_CATALOG', () => {
  it('passes its schema, with unique ids and references', () => {
    expect(() => modelCatalogSchema.parse(MODEL_CATALOG)).not.toThrow();
    expect(MODEL_CATALOG.length).toBeGreaterThanOrEqual(6);
    expect(MODEL_CATALOG.length).toBeLessThanOrEqual(10);
  });

  it('pins the revision of every entry that carries a sha256', () => {
    for (const model of MODEL_CATALOG) {
      if (model.sha256 !== undefined) expect(model.hfRef).toMatch(/#[0-9a-f]{40}$/);
    }
  });

  it('needs more memory than the download size, for every entry', () => {
    for (const model of MODEL_CATALOG) expect(model.minMemoryBytes).toBeGreaterThan(model.sizeBytes);
  });

  it('resolves every reference to a Hugging Face download URL and a .gguf file name', async () => {
    for (const model of MODEL_CATALOG) {
      const resolved = await resolveModelSource(model.hfRef, {
        huggingFaceEndpoint: 'https://huggingface.co',
      });
      expect(resolved.url).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/[^/]+\/.+\.gguf$/);
      expect(resolved.fileName).toMatch(/Q4_K_M\.gguf$/);
    }
  });

  it('rejects duplicate ids and malformed references', () => {
    const [first] = MODEL_CATALOG;
    if (first === undefined) throw new Error('empty catalog');
    expect(modelCatalogSchema.safeParse([first, { ...first, hfRef: `${first.hfRef}x` }]).success).toBe(false);
    expect(
      modelCatalogSchema.safeParse([{ ...first, hfRef: 'https://huggingface.co/a/b/c.gguf' }]).success,
    ).toBe(false);
    expect(modelCatalogSchema.safeParse([{ ...first, hfRef: 'hf:owner/file.gguf' }]).success).toBe(false);
    expect(modelCatalogSchema.safeParse([{ ...first, sha256: 'ABC' }]).success).toBe(false);
  });
});
