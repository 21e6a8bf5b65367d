/** The module hooks of break-modules.mjs (they run off the main thread). */
const broken = new Map();

export function initialize(spec) {
  for (const item of String(spec).split(",")) {
    const [name, how] = item.split("=");
    if (name && how) broken.set(name.trim(), how.trim());
  }
}

function abiMismatch(name) {
  const file = `/opt/seroma/node_modules/${name}/build/Release/${name.replaceAll("-", "_")}.node`;
  const message =
    `The module '${file}'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. ` +
    "This version of Node.js requires\nNODE_MODULE_VERSION 127. Please try re-compiling or re-installing\n" +
    "the module (for instance, using `npm rebuild` or `npm install`).";
  return `const e = new Error(${JSON.stringify(message)}); e.code = "ERR_DLOPEN_FAILED"; throw e;`;
}

export async function resolve(specifier, context, next) {
  const how = broken.get(specifier);
  if (how === "missing") {
    const e = new Error(`Cannot find package '${specifier}' imported from ${context.parentURL}`);
    e.code = "ERR_MODULE_NOT_FOUND";
    throw e;
  }
  if (how === "abi") {
    return { url: `data:text/javascript,${encodeURIComponent(abiMismatch(specifier))}`, shortCircuit: true };
  }
  return next(specifier, context);
}
