import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import type { Message } from '../../../app/contract/dto';
import { versionsOf, type MessageTree } from '../lib/messageTree';
import { MessageItem } from './MessageItem';

/** How close to the bottom (px) still counts as "at the bottom", so streaming text keeps the view pinned. */
const STICK_THRESHOLD_PX = 48;
/** First guess of a row's height before it is measured. */
const ESTIMATED_ROW_PX = 140;
/** Rows rendered beyond the viewport on each side, so fast scrolling rarely shows blank space. */
const OVERSCAN_ROWS = 6;

export interface MessageListProps {
  readonly conversationId: string;
  readonly tree: MessageTree;
  /** The active branch, root first (system messages excluded). */
  readonly path: readonly Message[];
  readonly generatingId: string | undefined;
  /** A message to scroll to and highlight (a search hit); it stops the view following the bottom. */
  readonly focusMessageId?: string | undefined;
  onSwitchVersion(message: Message, offset: -1 | 1): void;
  onEdit(message: Message, content: string): Promise<boolean>;
  onRegenerate(message: Message): void;
}

/**
 * The active branch, virtualised: only the rows near the viewport are in the DOM, measured as they render, so a
 * conversation of thousands of messages opens and scrolls as fast as a short one.
 */
export function MessageList(props: MessageListProps) {
  const { path, tree, generatingId } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  const virtualizer = useVirtualizer({
    count: path.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: OVERSCAN_ROWS,
    getItemKey: (index) => path[index]?.id ?? index,
  });

  const scrollToBottom = useCallback(() => {
    const element = scrollRef.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  }, []);

  // A conversation opens at its latest message.
  useLayoutEffect(() => {
    stickToBottom.current = true;
    if (path.length > 0) virtualizer.scrollToIndex(path.length - 1, { align: 'end' });
    // Only when another conversation is shown; growth is handled by the resize observer below.
  }, [props.conversationId]);

  // A new message (sent, or a new branch shown) pins the view to the bottom again.
  const lastId = path.at(-1)?.id;
  useEffect(() => {
    stickToBottom.current = true;
    scrollToBottom();
  }, [lastId, scrollToBottom]);

  // A search hit: bring it to the middle of the view once it is on the branch shown.
  const focusIndex =
    props.focusMessageId === undefined ? -1 : path.findIndex((m) => m.id === props.focusMessageId);
  useEffect(() => {
    if (focusIndex === -1) return;
    stickToBottom.current = false;
    virtualizer.scrollToIndex(focusIndex, { align: 'center' });
  }, [focusIndex, virtualizer]);

  // While pinned, follow the content as rows are measured and streamed text grows.
  useEffect(() => {
    const inner = innerRef.current;
    if (inner === null) return undefined;
    const observer = new ResizeObserver(() => {
      if (stickToBottom.current) scrollToBottom();
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, [scrollToBottom]);

  const items = virtualizer.getVirtualItems();
  return (
    <div
      ref={scrollRef}
      className="message-scroll"
      data-testid="message-list"
      data-count={path.length}
      onScroll={(event) => {
        const element = event.currentTarget;
        stickToBottom.current =
          element.scrollHeight - element.scrollTop - element.clientHeight < STICK_THRESHOLD_PX;
      }}
    >
      <div ref={innerRef} className="message-scroll-inner" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const message = path[item.index];
          if (message === undefined) return null;
          const { versions, index } = versionsOf(tree, message);
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={`message-row ${message.id === props.focusMessageId ? 'message-row-focus' : ''}`}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <MessageItem
                message={message}
                versionCount={versions.length}
                versionIndex={index}
                streaming={message.id === generatingId}
                busy={generatingId !== undefined}
                onSwitchVersion={props.onSwitchVersion}
                onEdit={props.onEdit}
                onRegenerate={props.onRegenerate}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}
