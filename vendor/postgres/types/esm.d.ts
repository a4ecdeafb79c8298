// The package's types (index.d.ts, `export =`) as the ES module default export Deno imports.
import postgres = require("./index.d.ts");
export default postgres;
