export { decodeProtobufBody } from './decode.js';
