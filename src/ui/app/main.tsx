// The kubeloop dashboard: nodes as columns of pod tiles, workloads as trees, services, volumes and events,
// all live from the API's watch streams; selecting an object shows why its controller acted, its YAML,
// conditions, events and (for pods) its logs.
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { age, claimViews, nodeColumns, type Obj, podView, serviceViews, TILE_LEGEND, type TreeNode, workloadTrees } from '../model/model.js';
import { keyBytes, Screen } from '../model/terminal.js';
import { toYaml } from '../model/yaml.js';
import { addNode, clockSettings, clusterNow, type DecisionEntry, decisions, followLog, KUBELET_ANNOTATION, objs, openExec, patch, remove, resources, setClock, setKubelet, start, subscribe } from './api.js';
import './style.css';

type View = 'nodes' | 'workloads' | 'network' | 'events';

function useLive(): number {
  const [n, setN] = useState(0);
  useEffect(() => subscribe(() => setN((x) => x + 1)), []);
  return n;
}

function inNs(ns: string) {
  return (o: Obj) => !ns || !o.metadata.namespace || o.metadata.namespace === ns;
}

function Tile({ pod, now, selected, onSelect }: { pod: Obj; now: number; selected: boolean; onSelect: (o: Obj) => void }) {
  const v = podView(pod, now);
  return (
    <li>
      <button
        type="button"
        class={`tile s-${v.cls}${selected ? ' sel' : ''}`}
        data-pod={pod.metadata.name}
        data-status={v.text}
        aria-pressed={selected}
        aria-label={`Pod ${pod.metadata.namespace}/${pod.metadata.name}: ${v.text}, ${v.ready} ready`}
        onClick={() => onSelect(pod)}
      >
        <span class="tname">{pod.metadata.name}</span>
        <span class="tstat">
          {v.text} · {v.ready}
          {v.restarts !== '0' ? ` · ↻${v.restarts.split(' ')[0]}` : ''}
        </span>
      </button>
    </li>
  );
}

function Nodes({ ns, now, sel, onSelect }: { ns: string; now: number; sel?: string; onSelect: (o: Obj) => void }) {
  const cols = nodeColumns(objs('nodes'), objs('pods').filter(inNs(ns)));
  return (
    <section aria-label="Nodes and their pods">
      <AddNode />
      <ul class="legend" aria-label="Pod status colours">
        {TILE_LEGEND.map(([cls, text]) => (
          <li key={cls}>
            <span class={`swatch s-${cls}`} aria-hidden="true" /> {text}
          </li>
        ))}
      </ul>
      <div class="columns">
        {cols.map((c) => (
          <div class={`col${c.ready === 'True' ? '' : ' notready'}`} key={c.name || '(unscheduled)'} data-node={c.name}>
            <h3>
              {c.node ? (
                <button type="button" class="link" onClick={() => onSelect(c.node as Obj)}>
                  {c.name}
                </button>
              ) : (
                c.name || 'Not scheduled'
              )}
              <span class="badge">{c.name ? (c.ready === 'True' ? 'Ready' : 'NotReady') : ''}{c.unschedulable ? ', SchedulingDisabled' : ''}{c.node?.metadata.annotations?.[KUBELET_ANNOTATION] === 'stopped' ? ', kubelet stopped' : ''}</span>
              <span class="count">{c.pods.length} pods</span>
            </h3>
            <ul class="tiles">
              {c.pods.map((p) => (
                <Tile key={p.metadata.uid} pod={p} now={now} selected={sel === p.metadata.uid} onSelect={onSelect} />
              ))}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}

function Tree({ node, now, sel, onSelect }: { node: TreeNode; now: number; sel?: string; onSelect: (o: Obj) => void }) {
  const isPod = node.kind === 'Pod';
  const v = isPod ? podView(node.obj, now) : undefined;
  return (
    <li>
      <button type="button" class={`node${v ? ` s-${v.cls}` : ''}${sel === node.obj.metadata.uid ? ' sel' : ''}`} onClick={() => onSelect(node.obj)} aria-pressed={sel === node.obj.metadata.uid}>
        <span class="kind">{node.kind}</span> {node.label}
        <span class="detail">{v ? `${v.text} ${v.ready}` : node.detail}</span>
      </button>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <Tree key={c.obj.metadata.uid} node={c} now={now} {...(sel ? { sel } : {})} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </li>
  );
}

function Workloads({ ns, now, sel, onSelect }: { ns: string; now: number; sel?: string; onSelect: (o: Obj) => void }) {
  const f = inNs(ns);
  const trees = workloadTrees({
    deployments: objs('deployments').filter(f),
    replicasets: objs('replicasets').filter(f),
    statefulsets: objs('statefulsets').filter(f),
    daemonsets: objs('daemonsets').filter(f),
    cronjobs: objs('cronjobs').filter(f),
    jobs: objs('jobs').filter(f),
    pods: objs('pods').filter(f),
  });
  if (!trees.length) return <p class="empty">No workloads{ns ? ` in ${ns}` : ''}. Try: kubectl create deployment web --image=nginx --replicas=3</p>;
  return (
    <ul class="tree" aria-label="Workloads">
      {trees.map((t) => (
        <Tree key={t.obj.metadata.uid} node={t} now={now} {...(sel ? { sel } : {})} onSelect={onSelect} />
      ))}
    </ul>
  );
}

function Network({ ns, onSelect }: { ns: string; onSelect: (o: Obj) => void }) {
  const f = inNs(ns);
  const svcs = serviceViews(objs('services').filter(f), objs('endpoints').filter(f));
  const claims = claimViews(objs('persistentvolumeclaims').filter(f), objs('persistentvolumes'));
  return (
    <div class="split">
      <section aria-label="Services">
        <h2>Services and their endpoints</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">Ports</th>
              <th scope="col">Ready endpoints</th>
              <th scope="col">Not ready</th>
            </tr>
          </thead>
          <tbody>
            {svcs.map((s) => (
              <tr key={s.service.metadata.uid}>
                <td>
                  <button type="button" class="link" onClick={() => onSelect(s.service)}>
                    {s.service.metadata.namespace}/{s.service.metadata.name}
                  </button>
                </td>
                <td>{s.ports}</td>
                <td>{s.ready.map((a) => `${a.ip}${a.pod ? ` (${a.pod})` : ''}`).join(', ') || '—'}</td>
                <td>{s.notReady.map((a) => `${a.ip}${a.pod ? ` (${a.pod})` : ''}`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-label="Volume claims">
        <h2>PersistentVolumeClaims and their volumes</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Claim</th>
              <th scope="col">Status</th>
              <th scope="col">Volume</th>
              <th scope="col">Capacity</th>
            </tr>
          </thead>
          <tbody>
            {claims.map((c) => (
              <tr key={c.claim.metadata.uid}>
                <td>
                  <button type="button" class="link" onClick={() => onSelect(c.claim)}>
                    {c.claim.metadata.namespace}/{c.claim.metadata.name}
                  </button>
                </td>
                <td>{c.phase}</td>
                <td>{c.volume ? <button type="button" class="link" onClick={() => onSelect(c.volume as Obj)}>{c.volume.metadata.name}</button> : '—'}</td>
                <td>{c.capacity}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function eventTime(e: Obj): string {
  return (e.lastTimestamp as string) || (e.eventTime as string) || e.metadata.creationTimestamp || '';
}

function EventList({ events, now, limit = 200 }: { events: Obj[]; now: number; limit?: number }) {
  const sorted = [...events].sort((a, b) => (eventTime(a) < eventTime(b) ? 1 : -1)).slice(0, limit);
  if (!sorted.length) return <p class="empty">No events.</p>;
  return (
    <ol class="events" aria-label="Events, newest first">
      {sorted.map((e) => {
        const io = e.involvedObject as { kind?: string; name?: string } | undefined;
        return (
          <li key={e.metadata.uid} class={e.type === 'Warning' ? 'warn' : ''}>
            <span class="when">{age(eventTime(e), now)}</span> <span class="reason">{String(e.reason ?? '')}</span>{' '}
            <span class="obj">
              {io?.kind}/{io?.name}
            </span>{' '}
            {String(e.message ?? '')}
            {(e.count as number) > 1 ? <span class="count"> ×{String(e.count)}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

function Timeline({ uid, live }: { uid: string; live: number }) {
  const [items, setItems] = useState<DecisionEntry[]>([]);
  const last = useRef(0);
  // Refetched when something watched changed (the decisions follow those changes), at most twice a second.
  useEffect(() => {
    const t = setTimeout(() => {
      last.current = Date.now();
      void decisions(uid).then(setItems);
    }, Math.max(0, 500 - (Date.now() - last.current)));
    return () => clearTimeout(t);
  }, [uid, live]);
  if (!items.length) return <p class="empty">No decisions recorded for this object (controllers record them for Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs).</p>;
  return (
    <ol class="timeline" aria-label="Controller decisions, newest first">
      {[...items].reverse().map((d) => (
        <li key={d.seq}>
          <time dateTime={new Date(d.time).toISOString()}>{new Date(d.time).toLocaleTimeString()}</time> <span class="ctl">{d.controller}</span>
          <p>
            {d.message}
            {d.count > 1 ? <span class="count"> (×{d.count})</span> : null}
          </p>
        </li>
      ))}
    </ol>
  );
}

function Logs({ pod }: { pod: Obj }) {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [text, setText] = useState('');
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const ac = new AbortController();
    setText('');
    let buf = '';
    void followLog(pod, container, ac.signal, (t) => {
      buf = (buf + t).slice(-100_000);
      setText(buf);
    }).catch(() => undefined);
    return () => ac.abort();
  }, [pod.metadata.uid, container]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div>
      {containers.length > 1 && (
        <label>
          Container{' '}
          <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      )}
      <pre class="logs" ref={pre} tabIndex={0} aria-label={`Logs of ${container}, following`} aria-live="off">
        {text || '(no output yet)'}
      </pre>
    </div>
  );
}

/** A small terminal running `sh` in the pod over the exec WebSocket: type into it (Tab leaves it). */
function Term({ pod }: { pod: Obj }) {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [session, setSession] = useState(0);
  const [, setTick] = useState(0);
  const [state, setState] = useState<'connecting' | 'open' | 'ended'>('connecting');
  const screen = useRef(new Screen());
  const conn = useRef<{ send(k: string): void; close(): void } | undefined>(undefined);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    screen.current = new Screen();
    setState('connecting');
    setTick((x) => x + 1);
    const show = (t: string) => {
      screen.current.write(t);
      setTick((x) => x + 1);
    };
    const c = openExec(pod, container, {
      open: () => setState('open'),
      output: show,
      status: (s) => show(`\r\n[${s.status === 'Success' ? 'exited' : (s.message ?? 'ended')}]`),
      close: () => setState('ended'),
    });
    conn.current = c;
    return () => c.close();
  }, [pod.metadata.uid, container, session]);
  useEffect(() => {
    const el = pre.current;
    if (el) el.scrollTop = el.scrollHeight;
  });
  const onKey = (e: KeyboardEvent) => {
    if (state === 'ended') {
      if (e.key === 'Enter') {
        e.preventDefault();
        setSession((x) => x + 1);
      }
      return;
    }
    const k = e.key.toLowerCase();
    if (e.ctrlKey && k === 'l') {
      e.preventDefault();
      screen.current.clear();
      setTick((x) => x + 1);
      return;
    }
    // Copy a selection and paste as a browser does; ^C without a selection interrupts.
    if ((e.ctrlKey || e.metaKey) && (k === 'v' || (k === 'c' && String(window.getSelection() ?? '') !== ''))) return;
    const bytes = keyBytes(e);
    if (bytes === undefined) return;
    e.preventDefault();
    conn.current?.send(bytes);
  };
  const onPaste = (e: ClipboardEvent) => {
    const text = e.clipboardData?.getData('text') ?? '';
    e.preventDefault();
    if (text) conn.current?.send(text.replace(/\r?\n/g, '\r'));
  };
  const lines = screen.current.lines;
  const last = lines[lines.length - 1] ?? '';
  const col = screen.current.col;
  return (
    <div>
      {containers.length > 1 && (
        <label>
          Container{' '}
          <select value={container} onChange={(e) => setContainer((e.target as HTMLSelectElement).value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      )}
      <p class="hint" id="term-hint">
        {state === 'ended' ? 'The shell ended: press Enter in the terminal (or the button) for a new one.' : state === 'connecting' ? 'Connecting…' : 'sh in the container: click or focus the terminal and type; Tab leaves it, Ctrl+L clears.'}{' '}
        {state === 'ended' && (
          <button type="button" onClick={() => setSession((x) => x + 1)}>
            New shell
          </button>
        )}
      </p>
      <pre
        class={`term${state === 'open' ? ' live' : ''}`}
        ref={pre}
        tabIndex={0}
        role="log"
        aria-live="polite"
        aria-label={`Terminal: sh in ${pod.metadata.name}/${container}`}
        aria-describedby="term-hint"
        data-state={state}
        onKeyDown={onKey}
        onPaste={onPaste}
      >
        {lines.slice(0, -1).join('\n')}
        {lines.length > 1 ? '\n' : ''}
        {last.slice(0, col)}
        <span class="cursor" aria-hidden="true">
          {last[col] ?? ' '}
        </span>
        {last.slice(col + 1)}
      </pre>
    </div>
  );
}

function nextNodeName(): string {
  const names = new Set(objs('nodes').map((n) => n.metadata.name));
  let i = names.size + 1;
  while (names.has(`node-${i}`)) i++;
  return `node-${i}`;
}

/** Add a node above the columns (stop, start and remove are on a selected node). */
function AddNode() {
  const [name, setName] = useState('');
  const [msg, setMsg] = useState('');
  return (
    <form
      class="addnode"
      onSubmit={(e) => {
        e.preventDefault();
        const n = name.trim() || nextNodeName();
        setMsg(`add node ${n}…`);
        addNode(n).then(
          () => {
            setMsg(`add node ${n}: done`);
            setName('');
          },
          (err: Error) => setMsg(`add node ${n} failed: ${err.message}`),
        );
      }}
    >
      <label>
        New node <input type="text" value={name} placeholder={nextNodeName()} pattern="[a-z0-9]([-a-z0-9.]*[a-z0-9])?" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit">Add node</button>
      {msg && (
        <span class="msg" role="status">
          {msg}
        </span>
      )}
    </form>
  );
}

const SCALES = [0.5, 1, 2, 5, 10, 30, 60, 100];

/** The cluster clock through ConfigMap kube-system/kubeloop-clock: its time scale and a pause button. */
function ClockControls() {
  const c = clockSettings();
  const [msg, setMsg] = useState('');
  if (!c) return null;
  const act = (what: string, p: Promise<unknown>) => {
    setMsg('');
    p.catch((e: Error) => setMsg(`${what} failed: ${e.message}`));
  };
  const scales = SCALES.includes(c.rate) ? SCALES : [...SCALES, c.rate].sort((a, b) => a - b);
  return (
    <div class="clock" role="group" aria-label="Cluster clock">
      <label>
        Time ×{' '}
        <select value={String(c.rate)} aria-label="Time scale" onChange={(e) => act('time scale', setClock(c, { rate: Number((e.target as HTMLSelectElement).value) }))}>
          {scales.map((s) => (
            <option key={s} value={String(s)}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <button type="button" aria-pressed={c.paused} onClick={() => act(c.paused ? 'resume' : 'pause', setClock(c, { paused: !c.paused }))}>
        {c.paused ? 'Resume clock' : 'Pause clock'}
      </button>
      {c.paused && <span class="paused">paused</span>}
      {msg && (
        <span class="msg" role="alert">
          {msg}
        </span>
      )}
    </div>
  );
}

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);
const WITH_TEMPLATE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

function Controls({ obj }: { obj: Obj }) {
  const [msg, setMsg] = useState('');
  const [replicas, setReplicas] = useState(String(obj.spec?.replicas ?? 1));
  const containers: Array<{ name: string; image: string }> = obj.spec?.template?.spec?.containers ?? [];
  const [image, setImage] = useState(containers[0]?.image ?? '');
  useEffect(() => {
    setReplicas(String(obj.spec?.replicas ?? 1));
    setImage(containers[0]?.image ?? '');
    setMsg('');
  }, [obj.metadata.uid]);
  const act = (what: string, p: Promise<unknown>) => {
    setMsg(`${what}…`);
    p.then(
      () => setMsg(`${what}: done`),
      (e: Error) => setMsg(`${what} failed: ${e.message}`),
    );
  };
  return (
    <div class="controls">
      {SCALABLE.has(obj.kind ?? '') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act(`scale to ${replicas}`, patch(obj, { spec: { replicas: Number(replicas) } }, 'merge', 'scale'));
          }}
        >
          <label>
            Replicas <input type="number" min="0" max="1000" value={replicas} onInput={(e) => setReplicas((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Scale</button>
        </form>
      )}
      {WITH_TEMPLATE.has(obj.kind ?? '') && containers.length > 0 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act(`set image ${image}`, patch(obj, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }], 'json'));
          }}
        >
          <label>
            Image of {containers[0]?.name} <input type="text" value={image} onInput={(e) => setImage((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Set image</button>
        </form>
      )}
      {obj.kind === 'Pod' && (
        <button type="button" class="danger" onClick={() => act('delete pod', remove(obj))}>
          Delete pod
        </button>
      )}
      {obj.kind === 'Node' &&
        (obj.metadata.annotations?.[KUBELET_ANNOTATION] === 'stopped' ? (
          <button type="button" onClick={() => act('start kubelet', setKubelet(obj, true))}>
            Start kubelet
          </button>
        ) : (
          <button type="button" onClick={() => act('stop kubelet', setKubelet(obj, false))}>
            Stop kubelet
          </button>
        ))}
      {obj.kind === 'Node' && (
        <button type="button" class="danger" onClick={() => act('remove node', remove(obj))}>
          Remove node
        </button>
      )}
      {msg && (
        <p class="msg" role="status">
          {msg}
        </p>
      )}
    </div>
  );
}

type Tab = 'why' | 'yaml' | 'conditions' | 'events' | 'logs' | 'terminal';

function Detail({ uid, kind, live, now, onClose }: { uid: string; kind: string; live: number; now: number; onClose: () => void }) {
  const r = [...resources.values()].find((x) => x.kind === kind);
  const obj = r?.objs.get(uid);
  const [tab, setTab] = useState<Tab>(kind === 'Pod' ? 'logs' : 'why');
  useEffect(() => setTab(kind === 'Pod' ? 'logs' : 'why'), [uid]);
  if (!obj) {
    return (
      <aside class="detail" aria-label="Selected object">
        <p>
          The {kind} is gone.{' '}
          <button type="button" onClick={onClose} aria-label="Close details">
            Close
          </button>
        </p>
      </aside>
    );
  }
  const events = objs('events').filter((e) => (e.involvedObject as { uid?: string } | undefined)?.uid === uid);
  const conditions: Array<Record<string, string>> = obj.status?.conditions ?? [];
  const { managedFields: _m, ...meta } = obj.metadata as Obj['metadata'] & { managedFields?: unknown };
  const tabs: Array<[Tab, string]> = [
    ['why', 'Why'],
    ['yaml', 'YAML'],
    ['conditions', `Conditions (${conditions.length})`],
    ['events', `Events (${events.length})`],
    ...(kind === 'Pod' ? ([['logs', 'Logs'], ['terminal', 'Terminal']] as Array<[Tab, string]>) : []),
  ];
  return (
    <aside class="detail" aria-label={`${kind} ${obj.metadata.name}`}>
      <header>
        <h2>
          <span class="kind">{kind}</span> {obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}
          {obj.metadata.name}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>
      <Controls obj={obj} />
      <div role="tablist" aria-label="Details">
        {tabs.map(([t, label]) => (
          <button type="button" role="tab" key={t} id={`tab-${t}`} aria-selected={tab === t} aria-controls="detail-panel" onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="detail-panel" aria-labelledby={`tab-${tab}`} class="panel">
        {tab === 'why' && <Timeline uid={uid} live={live} />}
        {tab === 'yaml' && <pre class="yaml" tabIndex={0}>{toYaml({ apiVersion: obj.apiVersion, kind, metadata: meta, ...Object.fromEntries(Object.entries(obj).filter(([k]) => !['apiVersion', 'kind', 'metadata'].includes(k))) })}</pre>}
        {tab === 'conditions' &&
          (conditions.length ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Message</th>
                  <th scope="col">Age</th>
                </tr>
              </thead>
              <tbody>
                {conditions.map((c) => (
                  <tr key={c.type}>
                    <td>{c.type}</td>
                    <td>{c.status}</td>
                    <td>{c.reason}</td>
                    <td>{c.message}</td>
                    <td>{age(c.lastTransitionTime, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="empty">No conditions.</p>
          ))}
        {tab === 'events' && <EventList events={events} now={now} />}
        {tab === 'logs' && kind === 'Pod' && <Logs pod={obj} />}
        {tab === 'terminal' && kind === 'Pod' && <Term pod={obj} />}
      </div>
    </aside>
  );
}

function App() {
  const live = useLive();
  const [view, setView] = useState<View>((location.hash.slice(1) as View) || 'nodes');
  const [ns, setNs] = useState('');
  const [sel, setSel] = useState<{ uid: string; kind: string } | undefined>();
  const now = clusterNow();
  useEffect(() => {
    history.replaceState(null, '', `#${view}`);
  }, [view]);
  const onSelect = (o: Obj) => setSel({ uid: o.metadata.uid ?? '', kind: o.kind ?? '' });
  const states = [...resources.values()].map((r) => r.state);
  const status = states.includes('unauthorized') ? 'Not logged in: run `kubeloop dashboard` for a login link' : states.includes('retrying') ? 'Reconnecting…' : states.includes('loading') ? 'Loading…' : 'Live';
  const namespaces = useMemo(() => objs('namespaces').map((n) => n.metadata.name ?? '').sort(), [live]);
  const views: Array<[View, string]> = [
    ['nodes', 'Nodes'],
    ['workloads', 'Workloads'],
    ['network', 'Services & volumes'],
    ['events', 'Events'],
  ];
  const selUid = sel?.uid;
  return (
    <div class={`layout${sel ? ' with-detail' : ''}`}>
      <header class="top">
        <h1>kubeloop</h1>
        <nav aria-label="Views">
          {views.map(([v, label]) => (
            <button type="button" key={v} aria-current={view === v ? 'page' : undefined} onClick={() => setView(v)}>
              {label}
            </button>
          ))}
        </nav>
        <label>
          Namespace{' '}
          <select value={ns} onChange={(e) => setNs((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {namespaces.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <ClockControls />
        <span class={`conn ${status === 'Live' ? 'ok' : 'bad'}`} role="status" aria-live="polite">
          {status}
        </span>
      </header>
      <main>
        {view === 'nodes' && <Nodes ns={ns} now={now} {...(selUid ? { sel: selUid } : {})} onSelect={onSelect} />}
        {view === 'workloads' && <Workloads ns={ns} now={now} {...(selUid ? { sel: selUid } : {})} onSelect={onSelect} />}
        {view === 'network' && <Network ns={ns} onSelect={onSelect} />}
        {view === 'events' && <EventList events={objs('events').filter(inNs(ns))} now={now} />}
      </main>
      {sel && <Detail uid={sel.uid} kind={sel.kind} live={live} now={now} onClose={() => setSel(undefined)} />}
    </div>
  );
}

start();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
