// 64-bit fields (timestamps in µs, sequence numbers) stay far below 2^53, so they are plain
// numbers rather than Long objects. This must run before the generated module is loaded, because
// it reads `util.Long` when it builds its defaults.
import * as protobuf from 'protobufjs/minimal';

(protobuf.util as { Long: unknown }).Long = undefined;
protobuf.configure();
