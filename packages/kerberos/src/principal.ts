/**
 * Kerberos principal names as MIT writes them (`a/b@REALM`, with `\` escaping `/`, `@` and `\`
 * inside a component), read back into components and realm.
 */
export interface Principal {
  components: string[];
  realm: string;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', b: '\b', '0': '\0' };

/** The components and realm of an MIT principal string, or null when it is malformed. */
export function parsePrincipal(text: string): Principal | null {
  const components: string[] = [];
  let current = '';
  let realm: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[++i];
      if (next === undefined) return null;
      current += ESCAPES[next] ?? next;
    } else if (c === '/' && realm === null) {
      components.push(current);
      current = '';
    } else if (c === '@' && realm === null) {
      components.push(current);
      current = '';
      realm = '';
    } else if (realm !== null && (c === '@' || c === '/')) {
      return null;
    } else {
      current += c;
    }
  }
  if (realm === null) return null;
  realm = current;
  if (realm === '' || components.length === 0 || components.some((x) => x === '')) return null;
  return { components, realm };
}

/**
 * The host a service principal names, which picks the domain: the second component of
 * `service/host`, or the only one.
 */
export function serviceHost(p: Principal): string | null {
  const host = p.components.length >= 2 ? p.components[1] : p.components[0];
  return host ? host.toLowerCase() : null;
}

/** A client principal that can name an account: one component, no `@` or `%` in it. */
export function simpleClientName(p: Principal): string | null {
  if (p.components.length !== 1) return null;
  const name = p.components[0]!;
  if (/[@%/\\\s\0]/.test(name)) return null;
  return name.toLowerCase();
}
