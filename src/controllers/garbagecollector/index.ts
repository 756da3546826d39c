// Garbage collector: deletes objects whose owners are gone and carries out Foreground and Orphan propagation.
export { COMPONENT, type GarbageCollectorHandle, type GarbageCollectorOptions, startGarbageCollector } from './garbagecollector.js';
export { gcResources } from './kinds.js';
