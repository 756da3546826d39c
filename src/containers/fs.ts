// A container's view of files: the image's base files in a writable layer that dies with the container, with
// volumes mounted over directories. A volume is a plain map shared by every container (and instance) that
// mounts it, which is what lets emptyDir data survive a container restart and PVC data survive the pod.
export type Entry = { kind: 'file'; data: string; mtime: number } | { kind: 'dir'; mtime: number };

/** One tree of files keyed by path relative to its root ('' is the root directory itself). */
export class FileTree {
  readonly entries = new Map<string, Entry>([['', { kind: 'dir', mtime: 0 }]]);
  /** Called after every change (persistent volumes save themselves). */
  onChange?: () => void;

  static from(files: Record<string, string>, mtime = 0): FileTree {
    const t = new FileTree();
    for (const [p, data] of Object.entries(files)) {
      const rel = normalize(p).slice(1);
      t.mkdirs(parentOf(rel), mtime);
      t.entries.set(rel, { kind: 'file', data, mtime });
    }
    return t;
  }

  mkdirs(rel: string, mtime: number): void {
    if (rel === '' || this.entries.get(rel)?.kind === 'dir') return;
    this.mkdirs(parentOf(rel), mtime);
    this.entries.set(rel, { kind: 'dir', mtime });
  }
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
  readOnly?: boolean;
  /** Brings the tree up to date before it is read (volumes projected from API objects). */
  refresh?: () => void;
}

export class FsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EEXIST' | 'EROFS' | 'ENOTEMPTY',
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
    for (const m of this.mounts) root.mkdirs(m.path.slice(1), 0);
  }

  private locate(abs: string): { tree: FileTree; rel: string; readOnly: boolean } {
    for (const m of this.mounts) {
      if (abs === m.path || abs.startsWith(`${m.path}/`)) m.refresh?.();
      if (abs === m.path || abs.startsWith(`${m.path}/`)) return { tree: m.tree, rel: abs.slice(m.path.length + 1), readOnly: !!m.readOnly };
    }
    return { tree: this.root, rel: abs.slice(1), readOnly: false };
  }

  stat(path: string): Entry | undefined {
    const { tree, rel } = this.locate(normalize(path));
    return tree.entries.get(rel);
  }

  readFile(path: string): string {
    const e = this.stat(path);
    if (!e) throw new FsError('ENOENT', path);
    if (e.kind === 'dir') throw new FsError('EISDIR', path);
    return e.data;
  }

  writeFile(path: string, data: string, append = false): void {
    const abs = normalize(path);
    const { tree, rel, readOnly } = this.locate(abs);
    const cur = tree.entries.get(rel);
    if (cur?.kind === 'dir') throw new FsError('EISDIR', path);
    const parent = tree.entries.get(parentOf(rel));
    if (!parent) throw new FsError('ENOENT', path);
    if (parent.kind !== 'dir') throw new FsError('ENOTDIR', path);
    if (readOnly) throw new FsError('EROFS', path);
    tree.entries.set(rel, { kind: 'file', data: append && cur ? cur.data + data : data, mtime: this.now() });
    tree.onChange?.();
  }

  mkdir(path: string, parents = false): void {
    const abs = normalize(path);
    const { tree, rel, readOnly } = this.locate(abs);
    const cur = tree.entries.get(rel);
    if (cur) {
      if (parents && cur.kind === 'dir') return;
      throw new FsError('EEXIST', path);
    }
    if (readOnly) throw new FsError('EROFS', path);
    if (!parents && !tree.entries.has(parentOf(rel))) throw new FsError('ENOENT', path);
    tree.mkdirs(rel, this.now());
    tree.onChange?.();
  }

  /** Names directly inside a directory, mount points included. */
  list(path: string): string[] {
    const abs = normalize(path);
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
    const abs = normalize(path);
    const { tree, rel, readOnly } = this.locate(abs);
    const e = tree.entries.get(rel);
    if (!e) throw new FsError('ENOENT', path);
    if (readOnly || rel === '') throw new FsError(rel === '' ? 'EISDIR' : 'EROFS', path);
    if (e.kind === 'dir') {
      const children = [...tree.entries.keys()].filter((k) => k.startsWith(`${rel}/`));
      if (children.length && !recursive) throw new FsError('ENOTEMPTY', path);
      for (const k of children) tree.entries.delete(k);
    }
    tree.entries.delete(rel);
    tree.onChange?.();
  }

  /** Every entry at and below a path, with absolute paths (for cp -r and mv of directories). */
  walk(path: string): Array<[string, Entry]> {
    const abs = normalize(path);
    const { tree, rel } = this.locate(abs);
    const base = rel === '' ? abs : abs.slice(0, abs.length - rel.length - 1);
    const join = (k: string) => (k === '' ? base || '/' : `${base === '/' ? '' : base}/${k}`);
    const out: Array<[string, Entry]> = [];
    for (const [k, e] of tree.entries) {
      if (k === rel || rel === '' || k.startsWith(`${rel}/`)) out.push([join(k), e]);
    }
    return out;
  }
}
