import { type ComponentPropsWithoutRef, createElement as h, type JSX } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import remarkGfm from 'remark-gfm';

/**
 * A component's README (or any text someone else wrote) as HTML that cannot run code: react-markdown builds React
 * elements (never innerHTML), raw HTML in the markdown is dropped, and rehype-sanitize keeps only the tags and
 * attributes below. Links only to http(s), mailto or this site; images only over https or from the node. Written
 * without JSX so vitest (which cannot read this app's preserved JSX) can test it.
 */

/** Longest text the renderer takes (the node's README bound); anything past it is cut. */
export const markdownCharsMax = 64 * 1024;

/** Tags a README may use: GitHub's default list, without forms, media or anything that loads or runs. */
const blockedTags = new Set(['input', 'details', 'summary', 'picture', 'source', 'video', 'audio', 'iframe', 'object', 'embed']);

const schema = {
  ...defaultSchema,
  tagNames: (defaultSchema.tagNames ?? []).filter((tag) => !blockedTags.has(tag)),
  attributes: {
    // Only what markdown itself makes: no style, no class, no event handlers, no ids beyond the prefixed ones.
    a: ['href', 'title'],
    img: ['src', 'alt', 'title'],
    code: [['className', /^language-[a-z0-9-]+$/]],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
    '*': [],
  },
  // http images pass here only to meet the img component, which keeps https and the node's own.
  protocols: { href: ['http', 'https', 'mailto'], src: ['http', 'https'] },
  clobberPrefix: 'readme-',
  strip: ['script', 'style'],
};

/** A link target people may follow: http(s), mailto, a fragment or a path on this site; anything else is dropped. */
export function safeHref(url: string): string | null {
  const value = url.trim();
  if (value.startsWith('#') || (value.startsWith('/') && !value.startsWith('//'))) return value;
  try {
    const parsed = new URL(value);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    // Neither absolute nor a path from the root: a relative link in someone's repository that means nothing here.
    return null;
  }
}

/** An image source the page may load: https, or the node (its origin, or a path on this site that it proxies). */
export function safeImageSrc(url: string, nodeOrigin: string | null): string | null {
  const value = url.trim();
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'https:') return parsed.href;
    if (nodeOrigin !== null && parsed.origin === new URL(nodeOrigin).origin) return parsed.href;
    return null;
  } catch {
    return null;
  }
}

const headingClass = 'mt-6 mb-2 font-semibold text-slate-900 dark:text-slate-100';

type Props<T extends keyof JSX.IntrinsicElements> = ComponentPropsWithoutRef<T> & { node?: unknown };

/** README headings sit under the page's own: its h1 becomes an h3, and so on down to h6. */
function shifted(level: 2 | 3 | 4 | 5 | 6, size: string) {
  const tag = `h${Math.min(level + 1, 6)}`;
  return ({ node: _node, ...props }: Props<'h1'>) => h(tag, { ...props, className: `${headingClass} ${size}` });
}

function components(nodeOrigin: string | null): Components {
  return {
    h1: shifted(2, 'text-xl'),
    h2: shifted(3, 'text-lg'),
    h3: shifted(4, 'text-base'),
    h4: shifted(5, 'text-sm'),
    h5: shifted(6, 'text-sm'),
    h6: shifted(6, 'text-sm'),
    a: ({ href, children, title }: Props<'a'>) => {
      const safe = href ? safeHref(href) : null;
      if (safe === null) return h('span', null, children);
      const external = /^https?:/.test(safe);
      return h(
        'a',
        {
          href: safe,
          title,
          className: 'font-medium text-indigo-600 underline underline-offset-2 dark:text-indigo-400',
          ...(external ? { rel: 'nofollow ugc noopener noreferrer' } : {}),
        },
        children,
      );
    },
    img: ({ src, alt, title }: Props<'img'>) => {
      const safe = typeof src === 'string' ? safeImageSrc(src, nodeOrigin) : null;
      if (safe === null) return h('span', { className: 'text-slate-500 italic' }, `[image not shown: ${alt || 'no description'}]`);
      return h('img', { src: safe, alt: alt ?? '', title, loading: 'lazy', referrerPolicy: 'no-referrer', className: 'inline max-w-full' });
    },
    table: ({ children }: Props<'table'>) =>
      h(
        'div',
        { className: 'my-3 overflow-x-auto', tabIndex: 0, role: 'region', 'aria-label': 'Table' },
        h('table', { className: 'min-w-full text-sm' }, children),
      ),
    pre: ({ children }: Props<'pre'>) =>
      h(
        'pre',
        { className: 'my-3 overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100 dark:bg-black/40', tabIndex: 0 },
        children,
      ),
  };
}

/** Link targets are checked here (images are checked by the img component, which knows the node's origin). */
function urlTransform(url: string, key: string): string | null {
  if (key === 'src') return url;
  return safeHref(url);
}

export interface MarkdownProps {
  text: string;
  /** The node's public origin, whose images are shown over http too (a local node). */
  nodeOrigin?: string | null;
}

const proseClass =
  'readme space-y-3 text-sm leading-relaxed break-words text-slate-700 dark:text-slate-300 [&_blockquote]:border-l-4 [&_blockquote]:border-slate-200 [&_blockquote]:pl-3 [&_code]:font-mono [&_li]:ml-5 [&_ol]:list-decimal [&_td]:border [&_td]:border-slate-200 [&_td]:px-2 [&_td]:py-1 [&_th]:border [&_th]:border-slate-200 [&_th]:px-2 [&_th]:py-1 [&_ul]:list-disc dark:[&_td]:border-slate-700 dark:[&_th]:border-slate-700';

/** Markdown rendered safely, styled like the rest of the app. Usable in server components. */
export function Markdown({ text, nodeOrigin = null }: MarkdownProps) {
  return h(
    'div',
    { className: proseClass },
    h(
      ReactMarkdown,
      {
        remarkPlugins: [remarkGfm],
        rehypePlugins: [[rehypeSanitize, schema]],
        skipHtml: true,
        urlTransform,
        components: components(nodeOrigin),
      },
      text.slice(0, markdownCharsMax),
    ),
  );
}
