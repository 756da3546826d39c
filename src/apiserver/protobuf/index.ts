export { decodeProtobufBody } from './decode.js';
export { encodeObject, encodeWatchFrame, messageFor } from './encode.js';
export { PROTOBUF_CONTENT_TYPE, PROTOBUF_WATCH_CONTENT_TYPE, markProtobuf, preferProtobuf, prefersProtobuf, protobufBody, protobufWatchFrame } from './response.js';
