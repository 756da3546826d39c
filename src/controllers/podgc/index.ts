// Pod garbage collector: removes pods whose node is gone and other pods no kubelet will finish.
export { NODES, PODS, type PodGCHandle, type PodGCOptions, startPodGC } from './podgc.js';
