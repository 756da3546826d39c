// The EndpointSlice controller.
export { CONTROLLER_NAME, endpointSliceController, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './controller.js';
