import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SchemaNode } from '../schema/types.js';
import { mergePatch } from './merge.js';
import { APISERVER_PANIC_MESSAGE, SMP_INVALID_MESSAGE, strategicMergePatch, StrategicMergePatchError } from './strategic.js';

// A small schema tree carrying the same patch metadata as the Go struct tags of the fields used below.
type Meta = { patchStrategy?: string; patchMergeKey?: string };
function node(type: SchemaNode['type'], fields?: Record<string, SchemaNode>, item?: SchemaNode, meta: Meta = {}): SchemaNode {
  return { type, ...meta, field: (n) => (fields && Object.hasOwn(fields, n) ? fields[n] : undefined), fieldNames: () => Object.keys(fields ?? {}), items: () => item };
}
const str = node('string');
const int = node('integer');
const obj = (fields: Record<string, SchemaNode>, meta?: Meta) => node('object', fields, undefined, meta);
const arr = (item: SchemaNode, meta?: Meta) => node('array', undefined, item, meta);
const map = (item: SchemaNode) => node('map', undefined, item);
const mergeOn = (key?: string): Meta => (key ? { patchStrategy: 'merge', patchMergeKey: key } : { patchStrategy: 'merge' });

const objectMeta = obj({
  name: str,
  labels: map(str),
  annotations: map(str),
  finalizers: arr(str, mergeOn()),
  ownerReferences: arr(obj({ uid: str, name: str }), mergeOn('uid')),
});
const container = obj({
  name: str,
  image: str,
  args: arr(str),
  ports: arr(obj({ containerPort: int, protocol: str }), mergeOn('containerPort')),
  env: arr(obj({ name: str, value: str }), mergeOn('name')),
  volumeMounts: arr(obj({ name: str, mountPath: str }), mergeOn('mountPath')),
});
const volume = obj({ name: str, emptyDir: obj({}), configMap: obj({ name: str }), secret: obj({ secretName: str }) });
const podSpec = obj({
  containers: arr(container, mergeOn('name')),
  volumes: arr(volume, { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' }),
  tolerations: arr(obj({ key: str, value: str })),
  nodeSelector: map(str),
});
const deploymentSchema = obj({
  metadata: objectMeta,
  spec: obj({
    replicas: int,
    selector: obj({ matchLabels: map(str) }),
    strategy: obj({ type: str, rollingUpdate: obj({ maxSurge: str, maxUnavailable: str }) }, { patchStrategy: 'retainKeys' }),
    template: obj({ metadata: objectMeta, spec: podSpec }),
  }),
});

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

const BASE = deepFreeze({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx","labels":{"app":"nginx"},"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"]},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.20","ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"volumeMounts":[{"name":"cache","mountPath":"/cache"}]},{"name":"sidecar","image":"busybox:1.36","args":["sleep","3600"]}],"volumes":[{"name":"cache","emptyDir":{}},{"name":"conf","configMap":{"name":"nginx-conf"}}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst"}}}});

// What kube-apiserver v1.32 makes of each patch applied to BASE: results and error texts produced with the
// real kubectl as an oracle (`kubectl patch --local --type=strategic`, the same apimachinery code).
interface Fixture {
  name: string;
  patch: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
}
const FIXTURES: Fixture[] = [
  {"name":"kubectl apply re-apply (wire 2.3): image and replicas change","patch":{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"apps/v1\"}\n"}},"spec":{"replicas":4,"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"image":"nginx:1.21","name":"nginx"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2","kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"apps/v1\"}\n"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":4,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.21","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl set image (wire 6)","patch":{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"image":"nginx:1.21-alpine","name":"nginx"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.21-alpine","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl set image --record (wire 6)","patch":{"metadata":{"annotations":{"kubernetes.io/change-cause":"kubectl set image deployment nginx nginx=nginx:1.21-alpine --record=true"}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"image":"nginx:1.21-alpine","name":"nginx"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2","kubernetes.io/change-cause":"kubectl set image deployment nginx nginx=nginx:1.21-alpine --record=true"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.21-alpine","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl rollout restart (wire 7.4)","patch":{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-28T03:24:42Z"}}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-28T03:24:42Z"},"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl rollout pause (wire 7.4)","patch":{"spec":{"paused":true}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"paused":true,"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl rollout resume: paused null (wire 7.4)","patch":{"spec":{"paused":null}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"sts/ds rollout undo: template $patch replace (wire 7.3)","patch":{"spec":{"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"containers":[{"image":"nginx:1.19","imagePullPolicy":"IfNotPresent","name":"nginx","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30},"$patch":"replace"}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"containers":[{"image":"nginx:1.19","imagePullPolicy":"IfNotPresent","name":"nginx","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30}}}}},
  {"name":"kubectl edit: delete a container","patch":{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"$patch":"delete","name":"sidecar"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl edit: delete an env var","patch":{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"$setElementOrder/env":[{"name":"MODE"},{"name":"TZ"}],"env":[{"$patch":"delete","name":"DEBUG"}],"name":"nginx"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl edit: add an env var in the middle","patch":{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],"containers":[{"$setElementOrder/env":[{"name":"MODE"},{"name":"LOG"},{"name":"DEBUG"},{"name":"TZ"}],"env":[{"name":"LOG","value":"info"}],"name":"nginx"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"LOG","value":"info"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl edit: reorder containers only","patch":{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"},{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl edit: drop a label (null)","patch":{"metadata":{"labels":{"app":null,"tier":"web"}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"tier":"web"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl edit: remove a finalizer","patch":{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a"],"$setElementOrder/finalizers":["example.com/b"]}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl apply: switch strategy to Recreate ($retainKeys)","patch":{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"type":"Recreate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"kubectl apply: volume source swap ($retainKeys on volumes)","patch":{"spec":{"template":{"spec":{"$setElementOrder/volumes":[{"name":"cache"},{"name":"conf"}],"volumes":[{"$retainKeys":["name","secret"],"name":"conf","secret":{"secretName":"nginx-secret"}}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"name":"conf","secret":{"secretName":"nginx-secret"}}]}}}}},
  {"name":"container port added: ports merge on containerPort","patch":{"spec":{"template":{"spec":{"containers":[{"name":"nginx","ports":[{"containerPort":443,"protocol":"TCP"}]}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":443,"protocol":"TCP"},{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"new container without $setElementOrder goes first","patch":{"spec":{"template":{"spec":{"containers":[{"name":"log","image":"fluentd"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"image":"fluentd","name":"log"},{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"args replaced (no merge strategy)","patch":{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","args":["sleep","60"]}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","60"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"list $patch replace element","patch":{"spec":{"template":{"spec":{"containers":[{"name":"solo","image":"x"},{"$patch":"replace"}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"image":"x","name":"solo"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"map $patch delete empties it","patch":{"spec":{"template":{"spec":{"$patch":"delete"}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{}}}}},
  {"name":"primitive merge list union","patch":{"metadata":{"finalizers":["example.com/c","example.com/a"]}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/c","example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"new map value loses nulls and directive maps","patch":{"spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd","zone":null},"affinity":{"nodeAffinity":{"$patch":"replace"}},"tolerations":[{"key":"k","value":null}]}}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"affinity":{},"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","nodeSelector":{"disk":"ssd"},"restartPolicy":"Always","tolerations":[{"key":"k"}],"volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"$patch replace on a map keeps nested nulls","patch":{"metadata":{"labels":{"$patch":"replace","app":"web","old":null}}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a","example.com/b"],"labels":{"app":"web","old":null},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"deleteFromPrimitiveList without setElementOrder","patch":{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/b","nope"]}},"result":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"deployment.kubernetes.io/revision":"2"},"finalizers":["example.com/a"],"labels":{"app":"nginx"},"name":"nginx"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"nginx"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"},"type":"RollingUpdate"},"template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[{"env":[{"name":"MODE","value":"prod"},{"name":"DEBUG","value":"0"},{"name":"TZ","value":"UTC"}],"image":"nginx:1.20","name":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"mountPath":"/cache","name":"cache"}]},{"args":["sleep","3600"],"image":"busybox:1.36","name":"sidecar"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","volumes":[{"emptyDir":{},"name":"cache"},{"configMap":{"name":"nginx-conf"},"name":"conf"}]}}}}},
  {"name":"error: $patch merge in a map","patch":{"spec":{"selector":{"$patch":"merge"}}},"error":"unknown patch type: merge in map: map[$patch:merge]"},
  {"name":"error: $patch merge in a list","patch":{"spec":{"template":{"spec":{"containers":[{"name":"nginx","$patch":"merge"}]}}}},"error":"merging lists cannot yet be specified in the patch"},
  {"name":"error: missing merge key","patch":{"spec":{"template":{"spec":{"containers":[{"image":"noname"}]}}}},"error":"map: map[image:noname] does not contain declared merge key: name"},
  {"name":"error: $retainKeys not a list","patch":{"spec":{"strategy":{"$retainKeys":"type"}}},"error":"invalid patch format of retainKeys"},
  {"name":"error: patch field outside $retainKeys","patch":{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{"maxSurge":"1"}}}},"error":"invalid patch format of retainKeys"},
  {"name":"error: bad $deleteFromPrimitiveList key","patch":{"metadata":{"$deleteFromPrimitiveListfinalizers":["x"]}},"error":"invalid patch format of primitive list"},
  {"name":"error: bad $setElementOrder key","patch":{"metadata":{"$setElementOrderfinalizers":["x"]}},"error":"invalid patch format of setElementOrder list"},
  {"name":"error: list of lists","patch":{"spec":{"template":{"spec":{"containers":[{"name":"nginx","env":[["x"]]}]}}}},"error":"list element types are not identical: [[map[name:MODE value:prod] map[name:DEBUG value:0] map[name:TZ value:UTC]] [[x]]]"},
  {"name":"error: mixed element types","patch":{"metadata":{"finalizers":[1]}},"error":"list element types are not identical: [[example.com/a example.com/b] [1]]"},
  {"name":"error: order mismatch","patch":{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"}],"containers":[{"name":"nginx","image":"q"}]}}}},"error":"The order in patch list:\n[map[image:q name:nginx]]\n doesn't match $setElementOrder list:\n[map[name:sidecar]]"},
  {"name":"error: unknown $patch value","patch":{"spec":{"template":{"spec":{"containers":[{"name":"nginx","$patch":"bogus"}]}}}},"error":"unknown patch type: bogus in map: map[$patch:bogus name:nginx]"},
];

const STATUS: Record<string, number> = {
  'error: $retainKeys not a list': 400,
  'error: patch field outside $retainKeys': 400,
  'error: bad $deleteFromPrimitiveList key': 400,
  'error: bad $setElementOrder key': 400,
};

for (const f of FIXTURES) {
  test(`oracle: ${f.name}`, () => {
    if (f.result) {
      assert.deepEqual(strategicMergePatch(BASE, f.patch, deploymentSchema), f.result);
      return;
    }
    assert.throws(
      () => strategicMergePatch(BASE, f.patch, deploymentSchema),
      (e: unknown) => {
        assert.ok(e instanceof StrategicMergePatchError);
        assert.equal(e.detail.trimEnd(), f.error);
        const status = STATUS[f.name] ?? 500;
        assert.equal(e.status, status);
        assert.equal(e.reason, status === 400 ? 'BadRequest' : '');
        assert.equal(e.message, e.detail);
        return true;
      },
    );
  });
}

test('lists of lists answer 422 Invalid with the fixed message', () => {
  const pod = { metadata: { finalizers: [] }, spec: {} };
  assert.throws(
    () => strategicMergePatch(pod, { metadata: { finalizers: [['x']] } }, obj({ metadata: objectMeta })),
    (e: unknown) => e instanceof StrategicMergePatchError && e.status === 422 && e.reason === 'Invalid' && e.message === SMP_INVALID_MESSAGE && e.detail === 'lists of lists are not supported',
  );
});

test('inputs kube crashes on are reported as a panic', () => {
  // kubectl panics with "invalid memory address or nil pointer dereference" on this one.
  assert.throws(
    () => strategicMergePatch({ metadata: { finalizers: [] } }, { metadata: { finalizers: [null] } }, obj({ metadata: objectMeta })),
    (e: unknown) => e instanceof StrategicMergePatchError && e.panicked && e.status === 500 && e.message === APISERVER_PANIC_MESSAGE,
  );
});

test('a patch that is not an object is a 400 with the decoder text', () => {
  assert.throws(() => strategicMergePatch(BASE, [1]), { message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' });
  assert.deepEqual(strategicMergePatch(BASE, null), BASE);
});

test('$patch replace in a template only applies where the key exists', () => {
  // kube drops a new value that carries a directive, so undoing onto an object without a template adds nothing.
  const out = strategicMergePatch({ spec: {} }, { spec: { template: { metadata: {}, $patch: 'replace' } } }, deploymentSchema);
  assert.deepEqual(out, { spec: {} });
});

test('inputs are left untouched and the result is independent of them', () => {
  const patch = deepFreeze({
    metadata: { labels: { app: null }, '$deleteFromPrimitiveList/finalizers': ['example.com/a'] },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
          containers: [{ name: 'nginx', env: [{ name: 'MODE', $patch: 'delete' }, { name: 'NEW', value: 'v' }] }],
        },
      },
    },
  });
  const patchBefore = JSON.stringify(patch);
  const before = JSON.stringify(BASE);
  const out = strategicMergePatch(BASE, patch, deploymentSchema) as { spec: { template: { spec: { containers: { env?: unknown[] }[] } } } };
  assert.equal(JSON.stringify(BASE), before);
  assert.equal(JSON.stringify(patch), patchBefore);
  const env = out.spec.template.spec.containers[0]!.env!;
  assert.deepEqual(env, [{ name: 'NEW', value: 'v' }, { name: 'DEBUG', value: '0' }, { name: 'TZ', value: 'UTC' }]);
  (env[0] as { value: string }).value = 'changed';
  assert.equal(JSON.stringify(patch), patchBefore);
});

test('keys named __proto__, constructor and prototype are ordinary data', () => {
  const original = JSON.parse('{"data":{"__proto__":"a","prototype":"p"}}');
  const patch = JSON.parse('{"data":{"__proto__":{"polluted":true},"constructor":{"x":1},"prototype":null}}');
  const out = strategicMergePatch(original, patch) as { data: Record<string, unknown> };
  assert.equal(Object.getPrototypeOf(out.data), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(out.data, '__proto__')?.value, { polluted: true });
  assert.deepEqual(Object.getOwnPropertyDescriptor(out.data, 'constructor')?.value, { x: 1 });
  assert.equal(Object.hasOwn(out.data, 'prototype'), false);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

// Without schema metadata a strategic merge patch is a JSON merge patch, as long as the patch carries no
// directives and no arrays holding objects with null members (the two treat those nulls differently).
const key = fc.oneof(fc.constantFrom('a', 'b', 'constructor', '__proto__'), fc.stringMatching(/^[a-z]{1,3}$/));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 3 }), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true }),
})).value;
const doc = fc.dictionary(key, json, { maxKeys: 4, noNullPrototype: true });

function arraysWithoutNullMembers(v: unknown, inArray = false): boolean {
  if (Array.isArray(v)) return v.every((x) => arraysWithoutNullMembers(x, true));
  if (typeof v === 'object' && v !== null) return Object.values(v).every((x) => (inArray && x === null ? false : arraysWithoutNullMembers(x, inArray)));
  return true;
}

test('property: without schema, strategic merge patch equals JSON merge patch', () => {
  fc.assert(
    fc.property(doc, doc.filter((p) => arraysWithoutNullMembers(p)), (original, patch) => {
      assert.deepEqual(strategicMergePatch(original, patch), mergePatch(original, patch));
    }),
    { numRuns: 500 },
  );
});

test('property: an empty patch changes nothing', () => {
  fc.assert(
    fc.property(doc, (original) => {
      assert.deepEqual(strategicMergePatch(original, {}, deploymentSchema), original);
    }),
  );
});
