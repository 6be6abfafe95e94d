import { z } from 'zod';
import { DownloadHttpError, UnsupportedModelSourceError } from './modelLibraryErrors';

/** Hugging Face's public endpoint, used when neither an option nor `HF_ENDPOINT` names another. */
export const DEFAULT_HUGGING_FACE_ENDPOINT = 'https://huggingface.co';

/** The branch a Hugging Face reference without `#branch` points at. */
const DEFAULT_HUGGING_FACE_BRANCH = 'main';

/** The quantization tag `hf:owner/repo` without a tag resolves to, as in llama.cpp and node-llama-cpp. */
const DEFAULT_HUGGING_FACE_TAG = 'latest';

/** Prefixes node-llama-cpp accepts for Hugging Face references, longest first so `hf://` wins over `hf:`. */
const HUGGING_FACE_PREFIXES = ['huggingface://', 'huggingface:', 'huggingface.co/', 'hf://', 'hf:', 'hf.co/'];

/** Hosts whose URLs are treated as Hugging Face URLs besides the configured endpoint. */
const HUGGING_FACE_HOSTS = new Set(['huggingface.co', 'hf.co']);

/** Matches the files of a split GGUF (`name-00001-of-00003.gguf`), which the library does not assemble. */
const SPLIT_GGUF_PATTERN = /-\d{5}-of-\d{5}\.gguf$/i;

/** Printable characters that cannot appear in a file name on some platform (control characters are handled too). */
const UNSAFE_FILE_NAME_CHARACTERS = new Set(['<', '>', ':', '"', '/', '\\', '|', '?', '*']);

/** The answer of Hugging Face's `/v2/<owner>/<repo>/manifests/<tag>` (the llama.cpp `-hf` API) that we use. */
const huggingFaceManifestSchema = z.object({ ggufFile: z.object({ rfilename: z.string().min(1) }) });

/** A download source turned into the URL to fetch and the file name to store. */
export interface ResolvedModelSource {
  /** The http(s) URL the GGUF is fetched from. */
  readonly url: string;
  /** The file name the model is stored under (ends in `.gguf`). */
  readonly fileName: string;
  /** The source string as the caller gave it. */
  readonly reference: string;
  /** Set when the source points into a Hugging Face repository. */
  readonly huggingFace?: {
    readonly owner: string;
    readonly repo: string;
    readonly branch: string;
    readonly filePath: string;
  };
}

/** Options of `resolveModelSource`. */
export interface ResolveModelSourceOptions {
  /** Base URL of the Hugging Face hub. Defaults to `HF_ENDPOINT` from the environment, else `https://huggingface.co`. */
  readonly huggingFaceEndpoint?: string;
  /** Used to resolve quantization tags (`hf:owner/repo:Q4_K_M`) through the hub. Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Extra request headers for hub API calls (an `Authorization` header for gated repositories). Defaults to none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Cancels a hub API call. Defaults to none. */
  readonly signal?: AbortSignal;
}

/** The hub endpoint without a trailing slash: the option, else `HF_ENDPOINT`, else the public hub. */
export function resolveHuggingFaceEndpoint(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint =
    option ?? (env.HF_ENDPOINT !== undefined && env.HF_ENDPOINT !== '' ? env.HF_ENDPOINT : undefined);
  return (endpoint ?? DEFAULT_HUGGING_FACE_ENDPOINT).replace(/\/+$/, '');
}

/** Whether `url` points at the configured hub or the public Hugging Face hosts (where an `HF_TOKEN` may be sent). */
export function isHuggingFaceUrl(url: string, huggingFaceEndpoint: string): boolean {
  const parsed = new URL(url);
  return parsed.origin === new URL(huggingFaceEndpoint).origin || HUGGING_FACE_HOSTS.has(parsed.hostname);
}

/**
 * Turns a download source into a URL and a file name. Accepts http(s) URLs (Hugging Face `blob/` links are
 * rewritten to `resolve/`), `hf:owner/repo/path/file.gguf[#branch]` with node-llama-cpp's other prefixes
 * (`hf://`, `huggingface:`, `hf.co/`, `huggingface.co/`), and `hf:owner/repo[:QUANT]`, which asks the hub which file
 * holds that quantization.
 */
export async function resolveModelSource(
  source: string,
  options: ResolveModelSourceOptions = {},
): Promise<ResolvedModelSource> {
  const endpoint = resolveHuggingFaceEndpoint(options.huggingFaceEndpoint);
  const trimmed = source.trim();
  const prefix = HUGGING_FACE_PREFIXES.find((candidate) => trimmed.toLowerCase().startsWith(candidate));
  if (prefix !== undefined) {
    return resolveHuggingFaceReference(trimmed.slice(prefix.length), source, endpoint, options);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new UnsupportedModelSourceError(
      `resolveModelSource: "${source}" is not a URL or a Hugging Face reference (hf:owner/repo/file.gguf); to add a file on this computer, import it instead.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UnsupportedModelSourceError(
      `resolveModelSource: only http and https URLs can be downloaded, not ${url.protocol} ("${source}").`,
    );
  }
  if (isHuggingFaceUrl(url.href, endpoint)) {
    const segments = url.pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map(safeDecode);
    const [owner, repo, kind, branch, ...fileParts] = segments;
    if (owner !== undefined && repo !== undefined && kind === undefined) {
      return resolveHuggingFaceReference(`${owner}/${repo}`, source, endpoint, options);
    }
    if (
      owner !== undefined &&
      repo !== undefined &&
      (kind === 'blob' || kind === 'resolve') &&
      branch !== undefined &&
      fileParts.length > 0
    ) {
      return huggingFaceFileSource(owner, repo, fileParts.join('/'), branch, source, endpoint);
    }
  }
  const lastSegment = url.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .pop();
  return {
    url: url.href,
    fileName: toModelFileName(lastSegment === undefined ? 'model' : safeDecode(lastSegment)),
    reference: source,
  };
}

/** Resolves the part after the `hf:` prefix: `owner/repo/path/file.gguf[#branch]` or `owner/repo[:tag]`. */
async function resolveHuggingFaceReference(
  rest: string,
  source: string,
  endpoint: string,
  options: ResolveModelSourceOptions,
): Promise<ResolvedModelSource> {
  const hashIndex = rest.indexOf('#');
  const body = hashIndex === -1 ? rest : rest.slice(0, hashIndex);
  const branch = hashIndex === -1 ? DEFAULT_HUGGING_FACE_BRANCH : rest.slice(hashIndex + 1);
  const [owner, repoAndTag, ...fileParts] = body.split('/');
  if (owner === undefined || owner === '' || repoAndTag === undefined || repoAndTag === '' || branch === '') {
    throw new UnsupportedModelSourceError(
      `resolveModelSource: "${source}" is not a valid Hugging Face reference; expected hf:owner/repo/file.gguf, hf:owner/repo/file.gguf#branch or hf:owner/repo:Q4_K_M.`,
    );
  }
  if (fileParts.length > 0) {
    return huggingFaceFileSource(owner, repoAndTag, fileParts.join('/'), branch, source, endpoint);
  }
  const colonIndex = repoAndTag.indexOf(':');
  const repo = colonIndex === -1 ? repoAndTag : repoAndTag.slice(0, colonIndex);
  const tag = colonIndex === -1 ? DEFAULT_HUGGING_FACE_TAG : repoAndTag.slice(colonIndex + 1);
  if (repo === '' || tag === '') {
    throw new UnsupportedModelSourceError(`resolveModelSource: "${source}" has an empty repository or tag.`);
  }
  const filePath = await fetchHuggingFaceTagFile(owner, repo, tag, source, endpoint, options);
  return huggingFaceFileSource(owner, repo, filePath, DEFAULT_HUGGING_FACE_BRANCH, source, endpoint);
}

/** Asks the hub which GGUF file of `owner/repo` holds the quantization `tag` (the API llama.cpp's `-hf` uses). */
async function fetchHuggingFaceTagFile(
  owner: string,
  repo: string,
  tag: string,
  source: string,
  endpoint: string,
  options: ResolveModelSourceOptions,
): Promise<string> {
  const fetchFn = options.fetch ?? fetch;
  const manifestUrl = `${endpoint}/v2/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/manifests/${encodeURIComponent(tag)}`;
  const suggestion = `name the file instead: hf:${owner}/${repo}/<file>.gguf`;
  let response: Response;
  try {
    // The hub only includes `ggufFile` in this answer for llama.cpp's user agent.
    response = await fetchFn(manifestUrl, {
      headers: { ...options.headers, 'User-Agent': 'llama-cpp', Accept: 'application/json' },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    throw new UnsupportedModelSourceError(
      `resolveModelSource: could not ask ${endpoint} which file "${source}" means; ${suggestion}.`,
      { cause: error },
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    const hint =
      response.status === 401 || response.status === 403
        ? ' The repository may be gated or private: set HF_TOKEN to a Hugging Face access token.'
        : ` The repository or quantization "${tag}" may not exist; ${suggestion}.`;
    throw new DownloadHttpError(
      `resolveModelSource: ${endpoint} answered ${response.status} for "${source}".${hint}`,
      response.status,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = huggingFaceManifestSchema.safeParse(body);
  if (!parsed.success) {
    throw new UnsupportedModelSourceError(
      `resolveModelSource: ${endpoint} gave no GGUF file for "${source}"; ${suggestion}.`,
    );
  }
  return parsed.data.ggufFile.rfilename;
}

/** The download URL and file name of one file in a Hugging Face repository. */
function huggingFaceFileSource(
  owner: string,
  repo: string,
  filePath: string,
  branch: string,
  source: string,
  endpoint: string,
): ResolvedModelSource {
  if (!filePath.toLowerCase().endsWith('.gguf')) {
    throw new UnsupportedModelSourceError(`resolveModelSource: "${source}" does not name a .gguf file.`);
  }
  if (SPLIT_GGUF_PATTERN.test(filePath)) {
    throw new UnsupportedModelSourceError(
      `resolveModelSource: "${source}" is one part of a split GGUF, which Veil cannot download yet; choose a single-file quantization.`,
    );
  }
  const encodedPath = filePath.split('/').map(encodeURIComponent).join('/');
  const baseName = filePath.split('/').pop() ?? filePath;
  return {
    url: `${endpoint}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/resolve/${encodeURIComponent(branch)}/${encodedPath}`,
    fileName: toModelFileName(baseName),
    reference: source,
    huggingFace: { owner, repo, branch, filePath },
  };
}

/** A file name safe on every platform, ending in `.gguf`. */
function toModelFileName(candidate: string): string {
  const cleaned = Array.from(candidate, (character) =>
    UNSAFE_FILE_NAME_CHARACTERS.has(character) || character.charCodeAt(0) < 0x20 ? '_' : character,
  )
    .join('')
    .replace(/^[.\s]+/, '')
    .trim();
  const base = cleaned === '' ? 'model' : cleaned;
  return base.toLowerCase().endsWith('.gguf') ? base : `${base}.gguf`;
}

/** `decodeURIComponent` that keeps a malformed escape (`%E0%A4%A`) as written instead of throwing. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
