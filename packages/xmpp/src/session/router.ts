/**
 * The sessions bound on this instance, by bare JID and resource: what message, presence and iq
 * routing between accounts needs. One router is shared by every XMPP listener of the process.
 */
import type { Element } from '@xmpp/xml';

export interface RoutedSession {
  readonly bare: string;
  readonly resource: string;
  /** the client sent available presence and has not gone unavailable since */
  readonly available: boolean;
  /** the last available presence it sent, for its other resources */
  readonly presence: Element | null;
  deliver(stanza: Element): void;
  /** end the session with a stream error (a newer session took its resource) */
  kick(condition: 'conflict'): void;
}

export class XmppRouter {
  private readonly byBare = new Map<string, Map<string, RoutedSession>>();

  /** Register a bound resource; the session it replaces (same full JID), if any, is returned. */
  bind(session: RoutedSession): RoutedSession | undefined {
    let resources = this.byBare.get(session.bare);
    if (!resources) {
      resources = new Map();
      this.byBare.set(session.bare, resources);
    }
    const old = resources.get(session.resource);
    resources.set(session.resource, session);
    return old;
  }

  unbind(session: RoutedSession): void {
    const resources = this.byBare.get(session.bare);
    if (resources?.get(session.resource) !== session) return;
    resources.delete(session.resource);
    if (resources.size === 0) this.byBare.delete(session.bare);
  }

  get(bare: string, resource: string): RoutedSession | undefined {
    return this.byBare.get(bare)?.get(resource);
  }

  resources(bare: string): RoutedSession[] {
    return [...(this.byBare.get(bare)?.values() ?? [])];
  }
}

/** the process-wide router used when the handler options name none */
export const defaultRouter = new XmppRouter();
