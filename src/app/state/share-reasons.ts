/** What a refused share link's notice says, shared by share.ts (page) and share-unpack.ts (worker) without pulling fflate into the first load. */
import { INPUT_LIMITS } from '../../formats/input-limits.ts';

/** A link past the input policy's byte cap, long or once unpacked. */
export const TOO_BIG_REASON = `the link holds more than ${INPUT_LIMITS.maxBytes / 1048576} MiB of plan once unpacked, more than any plan; it was not opened`;
