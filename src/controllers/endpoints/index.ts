// The Endpoints controller, and the service/pod rules the EndpointSlice controller shares with it.
export { endpointsController } from './controller.js';
