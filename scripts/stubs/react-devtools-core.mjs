// Ink connects to React DevTools only when DEV=true; the bundled CLI never offers it, so the
// package (not a dependency of this tool) is replaced by this empty module.
export default { initialize() {}, connectToDevTools() {} };
