// Simulated nodes and their kubelets: the entry point the CLI uses, and the seams tests and the container
// behaviour work plug into.
export { startNodeSimulation, type NodeSimulation, type NodeSimulationOptions } from './simulation.js';
export { type ContainerProcess, type ContainerRuntime, type ContainerStart, defaultRuntime, type ProcessExit, type ProcessHost } from './runtime/process.js';
export { type CatalogFile, ImageCatalog } from './images/catalog.js';
export { INSTANT, REALISTIC, type TimingProfile } from './timing.js';
