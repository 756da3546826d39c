// The `deployment-controller` definition: what wakes a deployment's key, and the reconcile that claims the
// deployment's ReplicaSets and hands them to one DeploymentSync. ReplicaSet events wake their controlling
// deployment (owns); an orphaned ReplicaSet wakes the deployments that could adopt it; a deleted pod wakes a
// Recreate deployment, which waits for old pods to be gone before it starts new ones.
import { deploymentDescriptor } from '../../api/kinds/deployment.js';
import { podDescriptor } from '../../api/kinds/pod.js';
import { replicaSetDescriptor } from '../../api/kinds/replicaset.js';
import { type LabelSelector, labelSelectorFromObject } from '../../api/selectors/labels.js';
import type { KubeObject } from '../../api/types.js';
import { objectKey } from '../../client/informer.js';
import type { ControllerContext, ControllerDefinition } from '../runtime/controller.js';
import { ControllerRefManager, controllerRefOf, errorMessage } from '../runtime/claim.js';
import { DeploymentSync } from './sync.js';
import { dSpec, dStatus, RECREATE } from './types.js';

export const COMPONENT = 'deployment-controller';

// Informer objects are frozen and replaced on change, so a compiled selector can hang off the stored one.
const compiled = new WeakMap<object, LabelSelector>();

function selectorOf(d: KubeObject): LabelSelector {
  const sel = dSpec(d).selector;
  if (!sel) return labelSelectorFromObject(sel);
  let s = compiled.get(sel);
  if (!s) compiled.set(sel, (s = labelSelectorFromObject(sel)));
  return s;
}

/** `{}` (or only empty parts): a deployment selecting every pod is refused rather than acted on. */
function selectsEverything(d: KubeObject): boolean {
  const sel = dSpec(d).selector as Record<string, unknown> | null | undefined;
  if (!sel) return false;
  return Object.values(sel).every((v) => v === null || v === undefined || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v as object).length === 0));
}

/** Deployments of the ReplicaSet's namespace whose selector matches it: who may adopt an orphan. */
function adopters(rs: KubeObject, ctx: ControllerContext): string[] {
  const out: string[] = [];
  for (const d of ctx.informers.informer(deploymentDescriptor).byIndex('namespace', rs.metadata.namespace ?? '')) {
    try {
      const s = selectorOf(d);
      if (!s.isEmpty() && s.matches(rs.metadata.labels)) out.push(objectKey(d));
    } catch {
      // A selector we cannot compile adopts nothing.
    }
  }
  return out;
}

/** The deployment controlling the ReplicaSet that controls `pod`, if any. */
function deploymentOfPod(pod: KubeObject, ctx: ControllerContext): KubeObject | undefined {
  const podRef = controllerRefOf(pod);
  if (!podRef || podRef.kind !== 'ReplicaSet') return undefined;
  const rs = ctx.informers.informer(replicaSetDescriptor).get(pod.metadata.namespace, podRef.name);
  if (!rs || rs.metadata.uid !== podRef.uid) return undefined;
  const rsRef = controllerRefOf(rs);
  if (!rsRef || rsRef.kind !== 'Deployment') return undefined;
  const d = ctx.informers.informer(deploymentDescriptor).get(rs.metadata.namespace, rsRef.name);
  return d?.metadata.uid === rsRef.uid ? d : undefined;
}

export function deploymentController(): ControllerDefinition {
  return {
    name: COMPONENT,
    for: deploymentDescriptor,
    owns: [replicaSetDescriptor],
    watches: [
      { resource: replicaSetDescriptor, map: (rs, ctx) => (controllerRefOf(rs) ? [] : adopters(rs, ctx)) },
      // Pods only matter when they go away (see observe); mapping them here would wake on every change.
      { resource: podDescriptor, map: () => [] },
    ],
    setup(ctx) {
      ctx.informers.informer(deploymentDescriptor);
      ctx.informers.informer(replicaSetDescriptor);
      ctx.informers.informer(podDescriptor);
    },
    observe(e, ctx) {
      if (e.type !== 'DELETED' || e.resource.kind !== 'Pod' || e.resource.group !== '') return;
      const d = deploymentOfPod(e.object, ctx);
      if (d && dSpec(d).strategy?.type === RECREATE) ctx.enqueue(objectKey(d), `pod deleted: ${objectKey(e.object)}`);
    },
    async reconcile(key, ctx) {
      const cached = ctx.informers.informer(deploymentDescriptor).getByKey(key);
      if (!cached) return undefined;
      if (selectsEverything(cached)) {
        ctx.recorder.event(cached, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
        if ((dStatus(cached).observedGeneration ?? 0) < (cached.metadata.generation ?? 0)) {
          const status = { ...dStatus(cached), observedGeneration: cached.metadata.generation };
          await ctx.client.update(deploymentDescriptor, cached.metadata.namespace, { ...cached, status }, { subresource: 'status' });
        }
        return undefined;
      }
      let selector: LabelSelector;
      try {
        selector = selectorOf(cached);
      } catch (err) {
        // The server accepted it, so retrying cannot help.
        ctx.log(`${key}: cannot use selector: ${errorMessage(err)}`);
        return undefined;
      }
      const rsInformer = ctx.informers.informer(replicaSetDescriptor);
      const candidates = rsInformer.byIndex('namespace', cached.metadata.namespace ?? '');
      const refs = new ControllerRefManager({ client: ctx.client, owner: cached, ownerResource: deploymentDescriptor, selector });
      const replicaSets = await refs.claim(candidates, replicaSetDescriptor);
      const pods = ctx.informers.informer(podDescriptor);
      const sync = new DeploymentSync({
        ctx,
        deployment: cached,
        replicaSets,
        podsOf: (uid) => pods.byIndex('owner', uid).filter((p) => controllerRefOf(p)?.uid === uid),
      });
      return sync.run();
    },
  };
}
