// `require("toolmemo/lite")` under Node: Interface from the Node build (size
// does not matter there, and one instance serves both entries).
"use strict";
const toolmemo = require("./node.cjs");

module.exports = {
  BoundInputs: toolmemo.BoundInputs,
  Interface: toolmemo.Interface,
  isToolmemoError: toolmemo.isToolmemoError,
};
