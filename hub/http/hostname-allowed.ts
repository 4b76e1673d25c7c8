/**
 * Whether `hostname` is on the list: an entry matches itself exactly, and `*.shop.example`
 * matches the subdomains of shop.example only (not shop.example itself, nor evilshop.example).
 */
export function hostnameAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    if (!pattern.startsWith('*.')) return host === pattern;
    const suffix = pattern.slice(1); // ".shop.example"
    return host.length > suffix.length && host.endsWith(suffix);
  });
}
