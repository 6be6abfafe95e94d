import { createContext, useContext } from 'react';
import type { VeilClient } from '../../app/contract/VeilClient';
import type { StreamStore } from './lib/StreamStore';

/** A question the user must answer before something irreversible or external happens. */
export interface ConfirmRequest {
  readonly title: string;
  /** Shown verbatim (a URL is shown in full, so the user sees exactly where it goes). */
  readonly body: string;
  readonly confirmLabel: string;
  readonly danger?: boolean;
}

/** What every component may reach: the core, the stream buffer, error reporting and confirmation. */
export interface UiServices {
  readonly client: VeilClient;
  readonly streams: StreamStore;
  reportError(error: unknown): void;
  confirm(request: ConfirmRequest): Promise<boolean>;
}

export const UiContext = createContext<UiServices | undefined>(undefined);

export function useUi(): UiServices {
  const services = useContext(UiContext);
  if (services === undefined) throw new Error('useUi: rendered outside <UiContext.Provider>');
  return services;
}
