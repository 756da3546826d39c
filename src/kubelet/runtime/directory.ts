// Where the API server finds containers: per pod (by namespace and name) and container name, the current and
// previous instance's logs and, while it runs, a way to exec in it; per pod the servers its programs listen on.
// Volumes live here too, so emptyDir outlives a container and PVC data outlives the pod.
import type { ContainerFs, FileTree } from '../../containers/fs.js';
import type { HttpHandler } from '../../containers/http.js';
import type { LogBuffer } from '../../containers/logs.js';
import type { ContainerConsole, TerminalSession } from '../../containers/shell/interactive.js';
import type { Sink, Source } from '../../containers/shell/io.js';
import { MemoryVolumeStore, type VolumeStore } from './volume-store.js';

export interface ExecIo {
  stdin: Source;
  stdout: Sink;
  stderr: Sink;
}

export interface LiveContainer {
  fs: ContainerFs;
  /** Runs argv in the container (its filesystem, env, hostname, working dir); resolves with the exit code. */
  exec(argv: string[], io: ExecIo): Promise<number>;
  /** For `kubectl exec -t`: fresh shells of the container on a system of the caller's (interruptible). */
  terminal?: TerminalSession;
}

export interface InstanceRecord {
  containerID: string;
  logs: LogBuffer;
  live?: LiveContainer;
  /** The main process's stdin and output for `kubectl attach`. */
  console?: ContainerConsole;
}

export interface ContainerRecord {
  current?: InstanceRecord;
  previous?: InstanceRecord;
}

interface PodRecord {
  uid: string;
  containers: Map<string, ContainerRecord>;
  servers: Map<number, HttpHandler>;
  ip?: string;
  volumes: Map<string, FileTree>;
}

export class ContainerDirectory {
  private readonly pods = new Map<string, PodRecord>();
  private readonly byUid = new Map<string, string>();
  /** Persistent volume data (by PersistentVolume name) and hostPath data (per node and path), kept after the
   * pod: in memory, or on disk under the data dir. */
  constructor(readonly volumes: VolumeStore = new MemoryVolumeStore()) {}

  pod(namespace: string, name: string, uid: string): PodRecord {
    const key = `${namespace}/${name}`;
    let p = this.pods.get(key);
    if (!p || p.uid !== uid) {
      if (p) this.byUid.delete(p.uid);
      p = { uid, containers: new Map(), servers: new Map(), volumes: new Map() };
      this.pods.set(key, p);
      this.byUid.set(uid, key);
    }
    return p;
  }

  /** A new instance of a container started: the one before becomes `previous`. */
  started(namespace: string, name: string, uid: string, container: string, inst: InstanceRecord): void {
    const p = this.pod(namespace, name, uid);
    const rec = p.containers.get(container) ?? {};
    if (rec.current) rec.previous = rec.current;
    rec.current = inst;
    p.containers.set(container, rec);
  }

  find(namespace: string, name: string, container: string): ContainerRecord | undefined {
    return this.pods.get(`${namespace}/${name}`)?.containers.get(container);
  }

  servers(namespace: string, name: string): Map<number, HttpHandler> | undefined {
    return this.pods.get(`${namespace}/${name}`)?.servers;
  }

  serversByIP(ip: string): Map<number, HttpHandler> | undefined {
    for (const p of this.pods.values()) if (p.ip === ip) return p.servers;
    return undefined;
  }

  /** The pod is gone from the API: its logs, servers and pod-scoped volumes go with it. */
  forget(uid: string): void {
    const key = this.byUid.get(uid);
    if (!key) return;
    this.byUid.delete(uid);
    this.pods.delete(key);
  }
}
