// A container's view of files: the image's base files in a writable layer that dies with the container, with
// volumes mounted over directories. A volume is a plain map shared by every container (and instance) that
// mounts it, which is what lets emptyDir data survive a container restart and PVC data survive the pod.
// Symbolic links exist for the layout the kubelet gives projected volumes (`..data` and one link per key).
/** `mode` holds the permission bits (default 0644 for files, 0755 for directories, 0777 for links). */
export type Entry =
  | { kind: 'file'; data: string; mtime: number; mode?: number }
  | { kind: 'dir'; mtime: number; mode?: number }
  | { kind: 'link'; target: string; mtime: number };

/** One tree of files keyed by path relative to its root ('' is the root directory itself). */
export class FileTree {
  readonly entries = new Map<string, Entry>([['', { kind: 'dir', mtime: 0 }]]);
  /** Called after every change with the path (relative to the root) and its new entry, undefined when removed
   * (persistent volumes write themselves through to disk). */
  onChange?: (rel: string, entry: Entry | undefined) => void;
  /** Set once a link is added: paths through this tree are then resolved component by component. */
  hasLinks = false;

  static from(files: Record<string, string>, mtime = 0): FileTree {
    const t = new FileTree();
    for (const [p, data] of Object.entries(files)) {
      const rel = normalize(p).slice(1);
      t.mkdirs(parentOf(rel), mtime);
      t.entries.set(rel, { kind: 'file', data, mtime });
    }
    return t;
  }

  mkdirs(rel: string, mtime: number, mode?: number): void {
    if (rel === '' || this.entries.get(rel)?.kind === 'dir') return;
    this.mkdirs(parentOf(rel), mtime, mode);
    this.entries.set(rel, mode === undefined ? { kind: 'dir', mtime } : { kind: 'dir', mtime, mode });
  }

  link(rel: string, target: string, mtime: number): void {
    this.hasLinks = true;
    this.entries.set(rel, { kind: 'link', target, mtime });
  }

  /** Follows links inside this tree (relative targets only), as a bind mount of a sub-path does; the real path
   * relative to the root, or undefined when a link leaves the tree or loops. */
  realPath(rel: string): string | undefined {
    if (!this.hasLinks) return rel;
    let parts = rel.split('/').filter(Boolean);
    for (let hops = 0; hops < 40; hops++) {
      const i = parts.findIndex((_, j) => this.entries.get(parts.slice(0, j + 1).join('/'))?.kind === 'link');
      if (i < 0) return parts.join('/');
      const e = this.entries.get(parts.slice(0, i + 1).join('/')) as { target: string };
      if (e.target.startsWith('/')) return undefined;
      const joined = normalize([...parts.slice(0, i), e.target, ...parts.slice(i + 1)].join('/'));
      parts = joined.split('/').filter(Boolean);
    }
    return undefined;
  }
}

/** Permission bits as `ls -l` prints them, type letter first. */
export function modeString(e: Entry): string {
  if (e.kind === 'link') return 'lrwxrwxrwx';
  const mode = e.mode ?? (e.kind === 'dir' ? 0o755 : 0o644);
  const rwx = (bits: number, special: boolean, s: string) => `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${special ? (bits & 1 ? s : s.toUpperCase()) : bits & 1 ? 'x' : '-'}`;
  return `${e.kind === 'dir' ? 'd' : '-'}${rwx(mode >> 6, !!(mode & 0o4000), 's')}${rwx(mode >> 3, !!(mode & 0o2000), 's')}${rwx(mode, !!(mode & 0o1000), 't')}`;
}

export function normalize(path: string, cwd = '/'): string {
  const parts: string[] = [];
  for (const seg of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export interface Mount {
  /** Absolute path in the container. */
  path: string;
  tree: FileTree;
  /** The volume's sub-path mounted there (subPath), relative to the tree's root; the root when absent. */
  sub?: string;
  readOnly?: boolean;
  /** Brings the tree up to date before it is read (volumes projected from API objects). */
  refresh?: () => void;
}

export class FsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EEXIST' | 'EROFS' | 'ENOTEMPTY' | 'ELOOP',
    readonly path: string,
  ) {
    super(code);
  }
  /** The text coreutils put after the file name. */
  get text(): string {
    return {
      ENOENT: 'No such file or directory',
      EISDIR: 'Is a directory',
      ENOTDIR: 'Not a directory',
      EEXIST: 'File exists',
      EROFS: 'Read-only file system',
      ENOTEMPTY: 'Directory not empty',
      ELOOP: 'Symbolic link loop',
    }[this.code];
  }
}

export class ContainerFs {
  private readonly mounts: Mount[];

  constructor(
    private readonly root: FileTree,
    mounts: Mount[],
    private readonly now: () => number,
  ) {
    // Longest mount path first, so nested mounts win.
    this.mounts = [...mounts].map((m) => ({ ...m, path: normalize(m.path) })).sort((a, b) => b.path.length - a.path.length);
    for (const m of this.mounts) {
      // A file mounted on its own (subPath) only needs its directory.
      const isFile = m.tree.entries.get(m.sub ?? '')?.kind === 'file';
      root.mkdirs((isFile ? parentOf(m.path.slice(1)) : m.path.slice(1)), 0);
    }
  }

  private locate(abs: string): { tree: FileTree; rel: string; readOnly: boolean } {
    for (const m of this.mounts) {
      if (abs !== m.path && !abs.startsWith(`${m.path}/`)) continue;
      m.refresh?.();
      const rest = abs.slice(m.path.length + 1);
      const rel = m.sub ? (rest ? `${m.sub}/${rest}` : m.sub) : rest;
      return { tree: m.tree, rel, readOnly: !!m.readOnly };
    }
    return { tree: this.root, rel: abs.slice(1), readOnly: false };
  }

  /** The path with every symbolic link on the way followed (the last component only when `followLast`). */
  private resolve(path: string, followLast = true): string {
    let abs = normalize(path);
    if (!this.root.hasLinks && !this.mounts.some((m) => m.tree.hasLinks)) return abs;
    for (let hops = 0; hops < 40; hops++) {
      const parts = abs.split('/').filter(Boolean);
      let next: string | undefined;
      for (let i = 0; i < parts.length; i++) {
        if (i === parts.length - 1 && !followLast) break;
        const prefix = `/${parts.slice(0, i + 1).join('/')}`;
        const { tree, rel } = this.locate(prefix);
        const e = tree.entries.get(rel);
        if (e?.kind !== 'link') continue;
        next = normalize([e.target, ...parts.slice(i + 1)].join('/'), `/${parts.slice(0, i).join('/')}`);
        break;
      }
      if (next === undefined) return abs;
      abs = next;
    }
    throw new FsError('ELOOP', path);
  }

  stat(path: string): Entry | undefined {
    const { tree, rel } = this.locate(this.resolve(path));
    return tree.entries.get(rel);
  }

  /** Like stat, but a link is reported as itself. */
  lstat(path: string): Entry | undefined {
    const { tree, rel } = this.locate(this.resolve(path, false));
    return tree.entries.get(rel);
  }

  readFile(path: string): string {
    const e = this.stat(path);
    if (!e) throw new FsError('ENOENT', path);
    if (e.kind !== 'file') throw new FsError('EISDIR', path);
    return e.data;
  }

  writeFile(path: string, data: string, append = false): void {
    const abs = this.resolve(path);
    const { tree, rel, readOnly } = this.locate(abs);
    const cur = tree.entries.get(rel);
    if (cur?.kind === 'dir') throw new FsError('EISDIR', path);
    const parent = tree.entries.get(parentOf(rel));
    if (!parent) throw new FsError('ENOENT', path);
    if (parent.kind !== 'dir') throw new FsError('ENOTDIR', path);
    if (readOnly) throw new FsError('EROFS', path);
    const entry: Entry = { kind: 'file', data: append && cur?.kind === 'file' ? cur.data + data : data, mtime: this.now() };
    if (cur?.kind === 'file' && cur.mode !== undefined) entry.mode = cur.mode;
    tree.entries.set(rel, entry);
    tree.onChange?.(rel, entry);
  }

  mkdir(path: string, parents = false): void {
    const abs = this.resolve(path);
    const { tree, rel, readOnly } = this.locate(abs);
    const cur = tree.entries.get(rel);
    if (cur) {
      if (parents && cur.kind === 'dir') return;
      throw new FsError('EEXIST', path);
    }
    if (readOnly) throw new FsError('EROFS', path);
    if (!parents && !tree.entries.has(parentOf(rel))) throw new FsError('ENOENT', path);
    tree.mkdirs(rel, this.now());
    tree.onChange?.(rel, tree.entries.get(rel));
  }

  /** Names directly inside a directory, mount points included. */
  list(path: string): string[] {
    const abs = this.resolve(path);
    const e = this.stat(abs);
    if (!e) throw new FsError('ENOENT', path);
    if (e.kind !== 'dir') throw new FsError('ENOTDIR', path);
    const { tree, rel } = this.locate(abs);
    const prefix = rel === '' ? '' : `${rel}/`;
    const names = new Set<string>();
    for (const k of tree.entries.keys()) {
      if (k === '' || !k.startsWith(prefix)) continue;
      const rest = k.slice(prefix.length);
      if (rest && !rest.includes('/')) names.add(rest);
    }
    const self = abs === '/' ? '/' : `${abs}/`;
    for (const m of this.mounts) {
      if (m.path.startsWith(self)) {
        const rest = m.path.slice(self.length);
        if (rest && !rest.includes('/')) names.add(rest);
      }
    }
    return [...names].sort();
  }

  remove(path: string, recursive = false): void {
    const abs = this.resolve(path, false);
    const { tree, rel, readOnly } = this.locate(abs);
    const e = tree.entries.get(rel);
    if (!e) throw new FsError('ENOENT', path);
    if (readOnly || rel === '') throw new FsError(rel === '' ? 'EISDIR' : 'EROFS', path);
    if (this.mounts.some((m) => m.path === abs)) throw new FsError('EISDIR', path);
    if (e.kind === 'dir') {
      const children = [...tree.entries.keys()].filter((k) => k.startsWith(`${rel}/`));
      if (children.length && !recursive) throw new FsError('ENOTEMPTY', path);
      for (const k of children) tree.entries.delete(k);
    }
    tree.entries.delete(rel);
    tree.onChange?.(rel, undefined);
  }

  /** Every entry at and below a path, with absolute paths (for cp -r and mv of directories). */
  walk(path: string): Array<[string, Entry]> {
    const abs = this.resolve(path);
    const { tree, rel } = this.locate(abs);
    const out: Array<[string, Entry]> = [];
    for (const [k, e] of tree.entries) {
      if (k === rel) out.push([abs, e]);
      else if (rel === '') out.push([abs === '/' ? `/${k}` : `${abs}/${k}`, e]);
      else if (k.startsWith(`${rel}/`)) out.push([abs + k.slice(rel.length), e]);
    }
    return out;
  }
}
