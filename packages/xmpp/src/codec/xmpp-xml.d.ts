/**
 * @xmpp/xml (and the ltx Element it re-exports) ships no type declarations; these cover the part
 * this package uses.
 */
declare module '@xmpp/xml' {
  export type Node = Element | string;

  export class Element {
    constructor(name: string, attrs?: Record<string, string> | string);
    name: string;
    parent: Element | null;
    children: Node[];
    attrs: Record<string, string | undefined>;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getAttr(name: string, xmlns?: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getText(): string;
    getChildText(name: string, xmlns?: string): string | null;
    append(...nodes: Node[]): Element;
    c(name: string, attrs?: Record<string, string>): Element;
    t(text: string): Element;
    up(): Element;
    attr(name: string, value?: string): Element | string | undefined;
    toString(): string;
  }

  export class XMLError extends Error {}

  type ParserEvents = {
    start: (root: Element) => void;
    element: (el: Element) => void;
    end: (root: Element) => void;
    error: (err: Error) => void;
  };

  export class Parser {
    constructor();
    root: Element | null;
    cursor: Element | null;
    on<K extends keyof ParserEvents>(event: K, listener: ParserEvents[K]): this;
    write(data: string): void;
    end(data?: string): void;
  }

  type Child = Element | string | null | undefined | false | Child[];
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: Child[]): Element;
  export function escapeXML(text: string): string;
  export function escapeXMLText(text: string): string;
}
