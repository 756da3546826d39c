// Where volume data that outlives a pod lives: persistent volumes (keyed by the PersistentVolume's name, so a
// claim sees the data of whichever volume it is bound to) and hostPath directories (per node and path). In
// memory for `--in-memory`; otherwise real files under the data dir, `volumes/<pv>/...` and
// `nodes/<node>/<path>/...`, written through on every change and read back when the volume is first used, so
// the data survives restarts of kubeloop.
import fs from 'node:fs';
import path from 'node:path';
import { type Entry, FileTree } from '../../containers/fs.js';

export interface VolumeStore {
  /** The files of a PersistentVolume (created empty on first use). */
  volume(name: string): FileTree;
  /** The files of a node's hostPath directory. */
  hostPath(node: string, hostPath: string): FileTree;
  /** The volume was deleted (reclaim policy Delete): its data goes with it. */
  deleteVolume(name: string): void;
}

export class MemoryVolumeStore implements VolumeStore {
  private readonly volumes = new Map<string, FileTree>();
  private readonly hostPaths = new Map<string, FileTree>();

  volume(name: string): FileTree {
    let t = this.volumes.get(name);
    if (!t) this.volumes.set(name, (t = new FileTree()));
    return t;
  }

  hostPath(node: string, hostPath: string): FileTree {
    const key = `${node}:${path.posix.normalize(`/${hostPath}`)}`;
    let t = this.hostPaths.get(key);
    if (!t) this.hostPaths.set(key, (t = new FileTree()));
    return t;
  }

  deleteVolume(name: string): void {
    this.volumes.delete(name);
  }
}

/** A file or directory name that cannot climb out of its parent. */
function safeSegment(name: string): string {
  return name.replace(/[/\\]/g, '_').replace(/^\.+$/, '_');
}

export class DiskVolumeStore implements VolumeStore {
  private readonly open = new Map<string, FileTree>();

  constructor(
    private readonly dataDir: string,
    private readonly log: (message: string, err?: unknown) => void = () => {},
  ) {}

  /** The directory that holds a PersistentVolume's files. */
  volumeDir(name: string): string {
    return path.join(this.dataDir, 'volumes', safeSegment(name));
  }

  volume(name: string): FileTree {
    return this.tree(this.volumeDir(name));
  }

  hostPath(node: string, hostPath: string): FileTree {
    const rel = path.posix.normalize(`/${hostPath}`).slice(1);
    return this.tree(path.join(this.dataDir, 'nodes', safeSegment(node), ...rel.split('/').filter(Boolean)));
  }

  deleteVolume(name: string): void {
    const dir = this.volumeDir(name);
    const t = this.open.get(dir);
    if (t) delete t.onChange;
    this.open.delete(dir);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      this.log(`removing the data of volume ${name} failed`, err);
    }
  }

  private tree(dir: string): FileTree {
    const cached = this.open.get(dir);
    if (cached) return cached;
    const tree = new FileTree();
    try {
      fs.mkdirSync(dir, { recursive: true });
      load(tree, dir, '');
    } catch (err) {
      this.log(`reading volume data in ${dir} failed`, err);
    }
    tree.onChange = (rel, entry) => {
      try {
        write(dir, rel, entry);
      } catch (err) {
        this.log(`writing volume data in ${dir} failed`, err);
      }
    };
    this.open.set(dir, tree);
    return tree;
  }
}

function load(tree: FileTree, dir: string, rel: string): void {
  for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    const abs = path.join(dir, r);
    const st = fs.statSync(abs);
    if (d.isDirectory()) {
      tree.entries.set(r, { kind: 'dir', mtime: st.mtimeMs });
      load(tree, dir, r);
    } else if (d.isFile()) {
      tree.entries.set(r, { kind: 'file', data: fs.readFileSync(abs, 'utf8'), mtime: st.mtimeMs });
    }
  }
}

function write(dir: string, rel: string, entry: Entry | undefined): void {
  const abs = path.join(dir, ...rel.split('/'));
  if (!entry) {
    fs.rmSync(abs, { recursive: true, force: true });
    return;
  }
  if (entry.kind === 'dir') {
    fs.mkdirSync(abs, { recursive: true });
    return;
  }
  if (entry.kind !== 'file') return;
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, entry.data);
  const t = entry.mtime / 1000;
  if (t > 0) fs.utimesSync(abs, t, t);
}
