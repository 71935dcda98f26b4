// `require("toolmemo")` under Node: the Node build (every store; the
// filesystem store by default), its wasm compiled synchronously on load.
"use strict";
const toolmemo = require("../node/toolmemo.js");

module.exports = {
  BoundInputs: toolmemo.BoundInputs,
  Interface: toolmemo.Interface,
  Memory: toolmemo.Memory,
  cacheable: toolmemo.cacheable,
  fingerprint: toolmemo.fingerprint,
  isToolmemoError: toolmemo.isToolmemoError,
};
