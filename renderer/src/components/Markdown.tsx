import { memo, useRef, useState, type ComponentPropsWithoutRef, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';
import { copyText } from '../lib/clipboard';
import { safeUrlTransform, toSafeExternalUrl } from '../lib/safeUrl';
import { useUi } from '../UiContext';
import { ImageIcon } from './icons';

// Model output is hostile. No rehype-raw: raw HTML never becomes DOM (react-markdown shows it as text). Every URL
// passes `safeUrlTransform`; images never load (a remote image is a tracking beacon); links open only in a new,
// detached window after the user confirmed the full URL.

const remarkPlugins = [remarkGfm];
const rehypePlugins = [rehypeHighlight];

function SafeLink({ href, children }: ComponentPropsWithoutRef<'a'>) {
  const { confirm } = useUi();
  const url = href === undefined ? undefined : toSafeExternalUrl(href);
  if (url === undefined) {
    return (
      <span
        className="md-link-inert"
        title="Link blocked: only http(s) and mailto links can be opened"
        data-testid="inert-link"
      >
        {children}
      </span>
    );
  }
  return (
    <a
      href={url}
      rel="noopener noreferrer nofollow"
      target="_blank"
      data-testid="external-link"
      onClick={async (event) => {
        event.preventDefault();
        const open = await confirm({
          title: 'Open this link in your browser?',
          body: url,
          confirmLabel: 'Open link',
        });
        if (open) window.open(url, '_blank', 'noopener,noreferrer');
      }}
    >
      {children}
    </a>
  );
}

function BlockedImage({ alt }: ComponentPropsWithoutRef<'img'>) {
  return (
    <span className="md-image-blocked" data-testid="blocked-image" title="Images in replies are not loaded">
      <ImageIcon /> {alt === undefined || alt === '' ? 'image' : alt}
    </span>
  );
}

function CodeBlock({ children }: ComponentPropsWithoutRef<'pre'>) {
  const { reportError } = useUi();
  const ref = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  return (
    <div className="code-block">
      <button
        type="button"
        className="code-copy"
        data-testid="copy-code"
        onClick={async () => {
          try {
            await copyText(ref.current?.textContent ?? '');
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          } catch (error) {
            reportError(error);
          }
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      <pre ref={ref}>{children}</pre>
    </div>
  );
}

const components: Components = {
  a: SafeLink,
  img: BlockedImage,
  pre: CodeBlock,
};

/** Renders model-written markdown safely. Memoised: it re-parses only when its text changes. */
export const Markdown = memo(function Markdown({ text }: { text: string }): ReactNode {
  return (
    <ReactMarkdown
      remarkPlugins={remarkPlugins}
      rehypePlugins={rehypePlugins}
      urlTransform={safeUrlTransform}
      components={components}
    >
      {text}
    </ReactMarkdown>
  );
});
