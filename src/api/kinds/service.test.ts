import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.js';
import { created, createErrors, fromYaml, row, updated, updateErrors } from './kind-test-util.js';
import { serviceDescriptor as d } from './service.js';

// The Service of the tutorial's mysts.yaml.
const MYSTS_SVC = `
apiVersion: v1
kind: Service
metadata:
  name: mysts
spec:
  clusterIP: None
  ports:
  - port: 8080
    protocol: TCP
    targetPort: 80
  selector:
    run: nginx
`;

function svc(spec: Record<string, unknown>, name = 'web'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

describe('Service defaults', () => {
  it('stores the headless mysts Service like kube-apiserver', () => {
    const s = created(d, MYSTS_SVC);
    assert.deepEqual(s.spec, {
      clusterIP: 'None',
      clusterIPs: ['None'],
      ports: [{ port: 8080, protocol: 'TCP', targetPort: 80 }],
      selector: { run: 'nginx' },
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    assert.deepEqual(s.status, { loadBalancer: {} });
    assert.deepEqual(createErrors(d, s), []);
  });

  it('gives a selectorless headless service both families', () => {
    const s = created(d, svc({ clusterIP: 'None' }));
    assert.equal((s.spec as any).ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual((s.spec as any).ipFamilies, ['IPv4', 'IPv6']);
    assert.deepEqual(createErrors(d, s), []);
  });

  it('defaults targetPort, protocol and traffic policies', () => {
    const s = created(d, svc({ type: 'NodePort', ports: [{ port: 80 }], selector: { app: 'web' } }));
    const spec = s.spec as any;
    assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal(spec.externalTrafficPolicy, 'Cluster');
    assert.equal(spec.internalTrafficPolicy, 'Cluster');
    const lb = created(d, svc({ type: 'LoadBalancer', ports: [{ port: 443 }] }));
    assert.equal((lb.spec as any).allocateLoadBalancerNodePorts, true);
    const aff = created(d, svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }));
    assert.deepEqual((aff.spec as any).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });

  it('leaves ExternalName services without address fields', () => {
    const s = created(d, svc({ type: 'ExternalName', externalName: 'db.example.com' }));
    assert.equal((s.spec as any).ipFamilies, undefined);
    assert.equal((s.spec as any).ipFamilyPolicy, undefined);
    assert.deepEqual(createErrors(d, s), []);
  });
});

describe('Service validation', () => {
  it('requires ports unless headless or ExternalName', () => {
    assert.deepEqual(createErrors(d, created(d, svc({ selector: { a: 'b' } }))), ['spec.ports: Required value']);
  });

  it('checks port ranges, names and duplicates', () => {
    const s = created(d, svc({ ports: [{ port: 0 }, { port: 70000, name: 'b' }] }));
    assert.deepEqual(createErrors(d, s), [
      'spec.ports[0].name: Required value',
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
    const dup = created(d, svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }));
    assert.deepEqual(createErrors(d, dup), [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ]);
  });

  it('refuses node ports on ClusterIP services and bad types', () => {
    const s = created(d, svc({ ports: [{ port: 80, nodePort: 30080 }] }));
    assert.deepEqual(createErrors(d, s), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    const t = created(d, svc({ type: 'Magic', ports: [{ port: 80 }] }));
    assert.ok(createErrors(d, t).includes('spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'));
  });

  it('names a Service with an RFC 1035 label', () => {
    const msgs = d.nameValidator?.('1web', false) ?? [];
    assert.equal(msgs.length, 1);
    assert.ok(msgs[0]?.startsWith('a DNS-1035 label must consist of lower case alphanumeric characters'));
  });

  it('refuses IPv6 and dual-stack on this single-stack cluster', () => {
    assert.deepEqual(createErrors(d, created(d, svc({ ports: [{ port: 80 }], ipFamilies: ['IPv6'] }))), [
      'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
    ]);
    assert.deepEqual(createErrors(d, created(d, svc({ ports: [{ port: 80 }], ipFamilyPolicy: 'RequireDualStack' }))), [
      'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
    ]);
  });

  it('keeps the cluster IP once set', () => {
    const old = created(d, svc({ clusterIP: '10.96.10.10', ports: [{ port: 80 }] }));
    const next = updated(d, old, (o) => {
      (o.spec as any).clusterIP = '10.96.10.11';
      (o.spec as any).clusterIPs = ['10.96.10.11'];
    });
    assert.deepEqual(updateErrors(d, next, old), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.10.11"}: may not change once set']);
  });

  it('keeps allocated values when a replace leaves them out', () => {
    const old = created(d, svc({ type: 'NodePort', clusterIP: '10.96.10.10', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }));
    const next = updated(d, old, (o) => {
      delete (o.spec as any).clusterIP;
      delete (o.spec as any).clusterIPs;
      delete (o.spec as any).ports[0].nodePort;
    });
    assert.equal((next.spec as any).clusterIP, '10.96.10.10');
    assert.deepEqual((next.spec as any).clusterIPs, ['10.96.10.10']);
    assert.equal((next.spec as any).ports[0].nodePort, 30080);
    assert.deepEqual(updateErrors(d, next, old), []);
  });
});

describe('Service table', () => {
  it('prints TYPE CLUSTER-IP EXTERNAL-IP PORT(S)', () => {
    const headless = created(d, MYSTS_SVC);
    assert.deepEqual(row(d, headless), {
      Name: 'mysts',
      Type: 'ClusterIP',
      'Cluster-IP': 'None',
      'External-IP': '<none>',
      'Port(s)': '8080/TCP',
      Age: '0s',
      Selector: 'run=nginx',
    });
    const np = created(d, svc({ type: 'NodePort', clusterIP: '10.96.120.15', ports: [{ port: 80, nodePort: 30080 }], selector: { app: 'web' } }));
    assert.equal(row(d, np)['Port(s)'], '80:30080/TCP');
    const lb = created(d, svc({ type: 'LoadBalancer', clusterIP: '10.96.7.3', ports: [{ port: 443, nodePort: 31443 }] }));
    assert.equal(row(d, lb)['External-IP'], '<pending>');
    lb.status = { loadBalancer: { ingress: [{ ip: '172.18.0.9' }, { hostname: 'lb.example.com' }, { ip: '172.18.0.9' }] } };
    assert.equal(row(d, lb)['External-IP'], '172.18.0.9,lb.example.com');
    const ext = created(d, svc({ type: 'ExternalName', externalName: 'db.example.com' }));
    assert.deepEqual([row(d, ext)['Cluster-IP'], row(d, ext)['External-IP'], row(d, ext)['Port(s)']], ['<none>', 'db.example.com', '<none>']);
  });

  it('filters on spec.clusterIP and spec.type', () => {
    const s = created(d, fromYaml(MYSTS_SVC));
    assert.equal(d.fieldLabels?.['spec.clusterIP']?.(s), 'None');
    assert.equal(d.fieldLabels?.['spec.type']?.(s), 'ClusterIP');
  });
});
