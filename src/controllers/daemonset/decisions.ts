// The DaemonSet controller's reasoning for the dashboard's decision timeline: which nodes get a pod, which
// pods go and why, which nodes do not take the daemon. Only built when someone records decisions.
import type { KubeObject } from '../../api/types.js';
import { podPhase } from '../runtime/pods.js';
import { type Placement, placementReason } from './eligibility.js';
import type { NodeDecision } from './manage.js';
import { targetNode } from './template.js';

function list(xs: readonly string[]): string {
  return xs.length > 5 ? `${xs.slice(0, 5).join('; ')}; and ${xs.length - 5} more` : xs.join('; ');
}

/** One message for the creates and deletes `manage` decided (undefined when it decided nothing). */
export function describeManage(plan: NodeDecision, placements: ReadonlyMap<string, Placement>): string | undefined {
  const parts: string[] = [];
  for (const node of plan.create) parts.push(`${node}: daemon pod missing, creating`);
  for (const pod of plan.delete) {
    const node = targetNode(pod) ?? '?';
    const phase = podPhase(pod);
    const place = placements.get(node);
    const why = !place ? 'its node is gone' : !place.shouldContinueRunning ? 'the node no longer takes the daemon' : phase === 'Failed' ? 'it failed' : phase === 'Succeeded' ? 'it exited' : 'a duplicate';
    parts.push(`${node}: deleting daemon pod ${pod.metadata.name} (${why})`);
  }
  return parts.length ? list(parts) : undefined;
}

/** The nodes that do not take the daemon and why, e.g. "node-2 untolerated taint dedicated=db:NoSchedule: not eligible". */
export function describeIneligible(ds: KubeObject, nodes: readonly KubeObject[], placements: ReadonlyMap<string, Placement>): string | undefined {
  // Reasons for the first five only (each simulates the daemon pod): the cost stays flat with cluster size.
  const parts: string[] = [];
  let more = 0;
  for (const n of nodes) {
    if (placements.get(n.metadata.name ?? '')?.shouldRun) continue;
    if (parts.length >= 5) {
      more++;
      continue;
    }
    const why = placementReason(n, ds);
    if (why) parts.push(why);
  }
  if (more) parts.push(`and ${more} more not eligible`);
  return parts.length ? parts.join('; ') : undefined;
}
