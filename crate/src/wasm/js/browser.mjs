// `toolmemo` in browsers and bundlers: the web build (Interface, and Memory on
// the memory and IndexedDB stores), its wasm compiled before anything is
// exported, so there is nothing to initialize. The glue finds
// toolmemo_bg.wasm through `new URL("toolmemo_bg.wasm", import.meta.url)`,
// which Vite, webpack 5 and a plain <script type="module"> all resolve.
import init from "../web/toolmemo.js";

await init();

export { BoundInputs, Interface, Memory, cacheable, fingerprint, isToolmemoError } from "../web/toolmemo.js";
