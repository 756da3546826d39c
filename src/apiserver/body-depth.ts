// A bound on how deeply a request body may nest. kube-apiserver's JSON decoder refuses bodies nested deeper than
// 10000 levels; here the decoders, copiers, patchers and managedFields walk objects recursively, so a far
// shallower body already exhausts the stack (a 500, and a stored object nobody can update). No Kubernetes type
// comes close to this bound; only free-form fields (custom resources' preserved fields, raw extensions) could.
import { errors } from '../api/errors.js';

export const MAX_BODY_DEPTH = 1000;

const DEPTH_MESSAGE = `json parse error: exceeded max depth of ${MAX_BODY_DEPTH}`;

/** Throws 400 when JSON text nests deeper than the bound; a linear scan, before anything recursive runs. */
export function checkJsonDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > MAX_BODY_DEPTH) throw errors.badRequest(`couldn't get version/kind; ${DEPTH_MESSAGE}`);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
}

/** The same bound on an already decoded value (YAML, protobuf), walked without recursion. */
export function checkValueDepth(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (d > MAX_BODY_DEPTH) throw errors.badRequest(`error converting YAML to JSON: ${DEPTH_MESSAGE}`);
    for (const child of Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
}
