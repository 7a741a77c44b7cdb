/**
 * XenStore path rules: allowed characters, relative paths, canonical form, parent and depth
 * matching. Source: tools/xenstored/core.c `valid_chars`, `canonicalize`, `get_parent` and
 * watch.c `is_child` @RELEASE-4.22.0; docs/misc/xenstore.txt (reference §4.3).
 */

export type DomId = number;

/** core.c `valid_chars`: A-Z a-z 0-9 and "-/_@". */
function validChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 47 && c <= 57) || c === 45 || c === 95 || c === 64; // a-z A-Z /0-9 - _ @
}

/**
 * Only valid chars and no "//": one pass over the request path instead of a regular expression
 * plus a substring search (every request canonicalizes its path). A relative path is joined to its
 * home with one '/', so "//" appears in the joined name exactly when it appears in `path`.
 */
function validCharsNoDoubleSlash(path: string): boolean {
  let prevSlash = false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (!validChar(c)) return false;
    const slash = c === 47;
    if (slash && prevSlash) return false;
    prevSlash = slash;
  }
  return true;
}

const homes: string[] = [];

/** `/local/domain/<domid>`: a domain's home and the base of its relative paths (built once per domid: every request asks). */
export function domainPath(domid: DomId): string {
  if (domid >>> 0 !== domid || domid > 0xffff) return `/local/domain/${domid}`;
  return (homes[domid] ??= `/local/domain/${domid}`);
}

/** Length of a leading `/local/domain/<up to 5 digits>/`, as the sscanf in `canonicalize` finds it. */
function localPrefixLength(name: string): number {
  const m = /^\/local\/domain\/(?:-[0-9]{1,4}|[0-9]{1,5})\//.exec(name); // %5u takes a sign
  return m ? m[0].length : 0;
}

/** A path that canonicalize joins to the caller's home: it starts with neither '/' nor '@'. */
export function isRelative(path: string): boolean {
  return path[0] !== "/" && path[0] !== "@";
}

/**
 * core.c `canonicalize`: the canonical name, or undefined (EINVAL) for no path, bad characters,
 * '@' where no special path is allowed, a trailing '/' (except "/"), "//", or a length over
 * `pathMax` counted after the `/local/domain/<id>/` prefix. `pathMax` is undefined when no quota
 * applies (privileged caller). The empty string is rejected by the trailing-slash rule after being
 * made "<home>/".
 */
export function canonicalize(path: string | undefined, home: string, allowSpecial: boolean, pathMax: number | undefined): string | undefined {
  if (path === undefined || !validCharsNoDoubleSlash(path) || (path[0] === "@" && !allowSpecial)) return undefined;
  const name = isRelative(path) ? home + "/" + path : path;
  if (name.length > 1 && name.charCodeAt(name.length - 1) === 47) return undefined;
  if (pathMax !== undefined && name.length - localPrefixLength(name) >= pathMax) return undefined;
  return name;
}

/** core.c `get_parent`: everything before the last '/', or "/" (also for "@special" names). */
export function parentOf(name: string): string {
  const slash = name.lastIndexOf("/");
  return slash > 0 ? name.slice(0, slash) : "/";
}

/** Last path component; `name` must not be "/". */
export function baseName(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

export function childPath(parent: string, child: string): string {
  return parent === "/" ? `/${child}` : `${parent}/${child}`;
}

/**
 * watch.c `is_child`: `child` is `parent` or below it, at most `depth` levels down
 * (depth < 0: unlimited). "/" is the parent of every absolute path.
 */
export function isChild(child: string, parent: string, depth: number): boolean {
  const len = parent.length;
  if (!child.startsWith(parent)) return false;
  if (len > 1 && child.length > len && child[len] !== "/") return false;
  if (depth < 0 || child.length === len) return true;
  let levels = len === 1 ? 1 : 0;
  for (let i = len; i < child.length; i++) {
    if (child[i] === "/") levels++;
    if (levels > depth) return false;
  }
  return true;
}

/**
 * The names a watch on which could match an event on `name`: `name` itself and every ancestor,
 * ending with "/" for absolute paths ("@special/5" gives "@special/5", "@special").
 */
export function selfAndAncestors(name: string): string[] {
  const out = [name];
  let i = name.lastIndexOf("/");
  while (i > 0) {
    out.push(name.slice(0, i));
    i = name.lastIndexOf("/", i - 1);
  }
  if (name[0] === "/" && name !== "/") out.push("/");
  return out;
}
