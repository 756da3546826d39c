// Container ports, host-port clashes and the port references in probes and hooks.
import { fieldErr, path } from '../fielderrors.js';
import type { FieldError } from '../types.js';
import { isValidPortNum, PORT_RANGE_MSG, portNameProblems, validatePortNumOrName } from './port-validation.js';

// Kept under their pod-spec names for the modules that import them from here.
export { portNameProblems, validatePortNumOrName as portNumOrName };

export function validatePorts(ports: unknown, fld: string): FieldError[] {
  if (!Array.isArray(ports)) return [];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port: any, i) => {
    const p = path(fld, i);
    port ??= {};
    if (typeof port.name === 'string' && port.name.length > 0) {
      const problems = portNameProblems(port.name);
      if (problems.length > 0) for (const m of problems) errs.push(fieldErr.invalid(path(p, 'name'), port.name, m));
      else if (names.has(port.name)) errs.push(fieldErr.duplicate(path(p, 'name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldErr.required(path(p, 'containerPort')));
    else if (!isValidPortNum(port.containerPort)) errs.push(fieldErr.invalid(path(p, 'containerPort'), port.containerPort, PORT_RANGE_MSG));
    if (port.hostPort && !isValidPortNum(port.hostPort)) errs.push(fieldErr.invalid(path(p, 'hostPort'), port.hostPort, PORT_RANGE_MSG));
    if (!port.protocol) errs.push(fieldErr.required(path(p, 'protocol')));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(fieldErr.notSupported(path(p, 'protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

export function hostPortConflicts(containers: any[], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c: any, ci) => {
    (Array.isArray(c?.ports) ? c.ports : []).forEach((port: any, pi: number) => {
      if (!port?.hostPort) return;
      const k = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(k)) errs.push(fieldErr.duplicate(path(path(path(path(fld, ci), 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  });
  return errs;
}
